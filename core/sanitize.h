/* Terminal-safe text. Every string that came from outside passes here before
 * display: control characters (C0, DEL, C1), ESC/CSI/OSC/DCS sequences and
 * invalid UTF-8 become a visible placeholder; width-aware truncation never
 * splits a wide or combining character. */
#ifndef FAXTOP_CORE_SANITIZE_H
#define FAXTOP_CORE_SANITIZE_H

#include <stdbool.h>
#include <stddef.h>

/* The placeholder drawn in place of anything unsafe. "\xEF\xBF\xBD" (U+FFFD)
 * in UTF-8 mode, "?" in ASCII mode. */
#define SANITIZE_PLACEHOLDER_UTF8 "\xEF\xBF\xBD"
#define SANITIZE_PLACEHOLDER_ASCII "?"

struct sanitize_opts {
	bool utf8;        /* the terminal takes UTF-8; otherwise non-ASCII becomes '?' */
	int max_cols;     /* truncate to this many display columns (< 0: no limit) */
	bool ellipsis;    /* mark truncation with "…" (or "~" in ASCII mode) */
};

/* Writes the safe form of src[0..len) into dst (always NUL-terminated when
 * dstlen > 0). Returns the display width of what was written. */
int sanitize_text(char *dst, size_t dstlen, const char *src, size_t len,
		  const struct sanitize_opts *opts);
/* Convenience: NUL-terminated input, UTF-8 mode, no width limit. */
int sanitize_str(char *dst, size_t dstlen, const char *src);
/* Display width of an already-safe UTF-8 string. */
int sanitize_width(const char *s);

#endif
