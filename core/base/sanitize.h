/* Terminal-safe text. Every string that came from outside passes here before
 * display: control characters (C0, DEL, C1), ESC/CSI/OSC/DCS sequences and
 * invalid UTF-8 become a visible placeholder; width-aware truncation never
 * splits a wide or combining character.
 *
 * Also replaced: bidi embedding/override/isolate controls and the Unicode
 * line/paragraph separators (they reorder or break a one-line display), and
 * a zero-width character with no base before it. Widths are those of
 * wcwidth() in the C.UTF-8 locale, whatever locale the process has set. */
#ifndef FAXTOP_CORE_SANITIZE_H
#define FAXTOP_CORE_SANITIZE_H

#include <stdbool.h>
#include <stddef.h>

/* The placeholder drawn in place of anything unsafe. "\xEF\xBF\xBD" (U+FFFD)
 * in UTF-8 mode, "?" in ASCII mode. */
#define SANITIZE_PLACEHOLDER_UTF8  "\xEF\xBF\xBD"
#define SANITIZE_PLACEHOLDER_ASCII "?"

struct sanitize_opts {
	bool utf8;     /* the terminal takes UTF-8; otherwise non-ASCII becomes '?' */
	int max_cols;  /* truncate to this many display columns (< 0: no limit) */
	bool ellipsis; /* mark truncation with "…" (or "~" in ASCII mode) */
};

/* Writes the safe form of src[0..len) into dst (always NUL-terminated when
 * dstlen > 0). Returns the display width of what was written. A whole
 * escape sequence (CSI, OSC, DCS, APC, PM, SOS; 7- or 8-bit; an unterminated
 * one runs to the end of src) or one malformed UTF-8 sequence becomes one
 * placeholder. When the text does not fit max_cols or dstlen it is cut
 * between characters (with the ellipsis if asked and if it fits). src may be
 * NULL (empty); opts may be NULL (UTF-8, no limit). */
int sanitize_text(char *dst, size_t dstlen, const char *src, size_t len,
		  const struct sanitize_opts *opts);
/* Convenience: NUL-terminated input, UTF-8 mode, no width limit. */
int sanitize_str(char *dst, size_t dstlen, const char *src);
/* Display width of an already-safe UTF-8 string. */
int sanitize_width(const char *s);
/* For text that goes to a file or a pipe rather than a terminal (a
 * --headless JSON line): a copy of s[0..len) in which each malformed UTF-8
 * sequence is replaced by U+FFFD and nothing else changes. malloc'd and
 * NUL-terminated, its length in *outlen; NULL when out of memory. */
char *sanitize_utf8_repair(const char *s, size_t len, size_t *outlen);
/* True when s[0..len) is well-formed UTF-8 (no overlongs, no surrogates). */
bool sanitize_utf8_valid(const char *s, size_t len);

#endif
