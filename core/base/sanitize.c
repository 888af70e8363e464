/* Terminal-safe text.
 *
 * The input is cut into clusters: one printable character plus the
 * zero-width characters that follow it, or one unsafe thing (a control, a
 * whole escape sequence, one malformed UTF-8 sequence) that becomes a single
 * placeholder. Truncation happens only between clusters, so a combining mark
 * never leaves its base and a wide character is never drawn half.
 *
 * Widths come from wcwidth() evaluated in the C.UTF-8 locale through
 * uselocale(), so the result is the same whatever locale the process set
 * (the TUI calls setlocale(LC_ALL, ""), tests and --headless may not). If
 * C.UTF-8 is missing, a small built-in table stands in. */
#include <config.h> /* autoconf's; "config.h" would find core/base/options.h */

#include <limits.h>
#include <locale.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "core/base/sanitize.h"

#define SANITIZE_ELLIPSIS_UTF8  "\xE2\x80\xA6"
#define SANITIZE_ELLIPSIS_ASCII "~"

/* Created once and never changed: a cache of an immutable object, not state. */
static locale_t sanitize_locale;
static pthread_once_t sanitize_locale_once = PTHREAD_ONCE_INIT;

static void sanitize_locale_make(void)
{
	sanitize_locale = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
}

/* Fallback widths when C.UTF-8 is unavailable: the common combining blocks
 * are zero-width, the East Asian wide blocks two columns. */
static int sanitize_fallback_width(uint32_t cp)
{
	static const uint32_t zero[][2] = {
		{ 0x0300, 0x036F }, { 0x0483, 0x0489 }, { 0x0591, 0x05BD },   { 0x0610, 0x061A },
		{ 0x064B, 0x065F }, { 0x0E31, 0x0E31 }, { 0x0E34, 0x0E3A },   { 0x1AB0, 0x1AFF },
		{ 0x1DC0, 0x1DFF }, { 0x200B, 0x200F }, { 0x20D0, 0x20FF },   { 0xFE00, 0xFE0F },
		{ 0xFE20, 0xFE2F }, { 0xFEFF, 0xFEFF }, { 0xE0100, 0xE01EF },
	};
	static const uint32_t wide[][2] = {
		{ 0x1100, 0x115F },   { 0x2E80, 0x303E },   { 0x3041, 0x33FF },
		{ 0x3400, 0x4DBF },   { 0x4E00, 0x9FFF },   { 0xA000, 0xA4CF },
		{ 0xAC00, 0xD7A3 },   { 0xF900, 0xFAFF },   { 0xFE30, 0xFE4F },
		{ 0xFF00, 0xFF60 },   { 0xFFE0, 0xFFE6 },   { 0x1F300, 0x1F64F },
		{ 0x1F900, 0x1F9FF }, { 0x20000, 0x3FFFD },
	};

	for (size_t i = 0; i < sizeof zero / sizeof zero[0]; i++)
		if (cp >= zero[i][0] && cp <= zero[i][1])
			return 0;
	for (size_t i = 0; i < sizeof wide / sizeof wide[0]; i++)
		if (cp >= wide[i][0] && cp <= wide[i][1])
			return 2;
	return 1;
}

/* Display width of a decoded code point, or -1 when it must not be drawn. */
static int sanitize_cp_width(uint32_t cp)
{
	locale_t old;
	int w;

	/* Bidi embeddings, overrides and isolates reorder what follows them on
	 * the screen ("Trojan Source"); line and paragraph separators break the
	 * one-line display. None of them is worth keeping in a dashboard. */
	if ((cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x2028 ||
	    cp == 0x2029 || cp == 0x061C || cp == 0x200E || cp == 0x200F)
		return -1;
	pthread_once(&sanitize_locale_once, sanitize_locale_make);
	if (!sanitize_locale)
		return sanitize_fallback_width(cp);
	old = uselocale(sanitize_locale);
	w = wcwidth((wchar_t)cp);
	uselocale(old);
	return w;
}

/* One cluster of output. */
struct sanitize_tok {
	const char *bytes; /* what to write (points into src or a literal) */
	size_t n;          /* its length */
	int width;
	size_t consumed; /* input bytes it stands for */
	bool dropped;    /* a joiner, selector or modifier left out */
};

/* Code points whose effect on the width depends on the terminal: a zero
 * width joiner (a ZWJ sequence is one glyph in some terminals, several in
 * others), the text/emoji presentation selectors and the skin-tone
 * modifiers. Left out, what remains is drawn the same everywhere, and as
 * wide as it is measured. */
static bool sanitize_dropped(uint32_t cp)
{
	return cp == 0x200D || cp == 0xFE0E || cp == 0xFE0F || (cp >= 0x1F3FB && cp <= 0x1F3FF);
}

/* A regional indicator (half of a flag) becomes its letter: a pair is one
 * flag two cells wide in some terminals, two boxes in others. */
#define SANITIZE_RI_FIRST 0x1F1E6
#define SANITIZE_RI_LAST  0x1F1FF
static const char sanitize_ri_letters[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";

static bool is_c1_string_intro(uint32_t c)
{
	/* DCS, SOS, OSC, PM, APC: a string that runs to ST (or BEL). */
	return c == 0x90 || c == 0x98 || c == 0x9D || c == 0x9E || c == 0x9F;
}

/* Skips the body of a CSI (after its introducer): parameter and
 * intermediate bytes, then one final byte. A byte that cannot be part of a
 * CSI ends it without being consumed, so it is judged on its own. */
static size_t skip_csi(const unsigned char *s, size_t len, size_t i)
{
	while (i < len && s[i] >= 0x20 && s[i] <= 0x3F)
		i++;
	if (i < len && s[i] >= 0x40 && s[i] <= 0x7E)
		i++;
	return i;
}

/* Skips a control string (after its introducer) through its terminator:
 * BEL, ESC \, the 8-bit ST 0x9C raw or UTF-8 encoded; to the end of input
 * when unterminated, since whatever follows is still inside the string as
 * far as the terminal is concerned. */
static size_t skip_control_string(const unsigned char *s, size_t len, size_t i)
{
	while (i < len) {
		if (s[i] == 0x07 || s[i] == 0x9C)
			return i + 1;
		if (s[i] == 0x1B && i + 1 < len && s[i + 1] == '\\')
			return i + 2;
		if (s[i] == 0xC2 && i + 1 < len && s[i + 1] == 0x9C)
			return i + 2;
		i++;
	}
	return len;
}

/* Skips what follows a C1 control introducer (raw byte or decoded). */
static size_t skip_after_c1(const unsigned char *s, size_t len, size_t i, uint32_t c1)
{
	if (c1 == 0x9B)
		return skip_csi(s, len, i);
	if (is_c1_string_intro(c1))
		return skip_control_string(s, len, i);
	return i;
}

/* Skips an escape sequence starting at s[i] == ESC. */
static size_t skip_escape(const unsigned char *s, size_t len, size_t i)
{
	i++;
	if (i >= len)
		return i;
	switch (s[i]) {
	case '[':
		return skip_csi(s, len, i + 1);
	case ']':
	case 'P':
	case 'X':
	case '^':
	case '_':
		return skip_control_string(s, len, i + 1);
	default:
		break;
	}
	/* nF / Fp / Fe / Fs: intermediates, then one final byte. */
	while (i < len && s[i] >= 0x20 && s[i] <= 0x2F)
		i++;
	if (i < len && s[i] >= 0x30 && s[i] <= 0x7E)
		i++;
	return i;
}

/* Decodes one UTF-8 sequence at s[i]. Returns its length and sets *cp, or
 * returns the length of the malformed sequence (the lead byte plus the
 * continuation bytes present, at least 1) with *cp = UINT32_MAX. */
static size_t decode_utf8(const unsigned char *s, size_t len, size_t i, uint32_t *cp)
{
	unsigned char b = s[i];
	size_t need, k;
	uint32_t c, min;

	*cp = UINT32_MAX;
	if (b < 0x80) {
		*cp = b;
		return 1;
	}
	if (b >= 0xC0 && b <= 0xDF) {
		need = 2, c = b & 0x1F, min = 0x80;
	} else if (b >= 0xE0 && b <= 0xEF) {
		need = 3, c = b & 0x0F, min = 0x800;
	} else if (b >= 0xF0 && b <= 0xF4) {
		need = 4, c = b & 0x07, min = 0x10000;
	} else {
		return 1; /* a stray continuation byte or an impossible lead */
	}
	for (k = 1; k < need; k++) {
		if (i + k >= len || (s[i + k] & 0xC0) != 0x80)
			return k;
		c = (c << 6) | (s[i + k] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return need; /* overlong, out of range or a surrogate */
	*cp = c;
	return need;
}

/* The next single character or unsafe unit at s[i] (no cluster merging). */
static void next_unit(const unsigned char *s, size_t len, size_t i, bool utf8,
		      struct sanitize_tok *t)
{
	const char *ph = utf8 ? SANITIZE_PLACEHOLDER_UTF8 : SANITIZE_PLACEHOLDER_ASCII;
	unsigned char b = s[i];
	uint32_t cp;
	size_t n;
	int w;

	t->bytes = ph;
	t->n = strlen(ph);
	t->width = 1;
	t->dropped = false;
	if (b >= 0x20 && b < 0x7F) {
		t->bytes = (const char *)s + i;
		t->n = 1;
		t->consumed = 1;
		return;
	}
	if (b == 0x1B) {
		t->consumed = skip_escape(s, len, i) - i;
		return;
	}
	if (b < 0x80) { /* C0 (tab and newline too: one-line display) and DEL */
		t->consumed = 1;
		return;
	}
	n = decode_utf8(s, len, i, &cp);
	if (cp == UINT32_MAX) {
		/* Raw 8-bit C1 bytes are what some terminals act on even in
		 * UTF-8 mode: swallow the sequence they introduce. */
		if (n == 1 && (b == 0x9B || is_c1_string_intro(b)))
			n = skip_after_c1(s, len, i + 1, b) - i;
		t->consumed = n;
		return;
	}
	t->consumed = n;
	if (cp >= 0x80 && cp <= 0x9F) {
		t->consumed = skip_after_c1(s, len, i + n, cp) - i;
		return;
	}
	if (sanitize_dropped(cp)) {
		t->bytes = "";
		t->n = 0;
		t->width = 0;
		t->dropped = true;
		return;
	}
	if (cp >= SANITIZE_RI_FIRST && cp <= SANITIZE_RI_LAST) {
		t->bytes = sanitize_ri_letters + (cp - SANITIZE_RI_FIRST);
		t->n = 1;
		return;
	}
	w = sanitize_cp_width(cp);
	if (w < 0)
		return;
	if (!utf8) {
		t->bytes = SANITIZE_PLACEHOLDER_ASCII;
		t->n = 1;
		return;
	}
	t->bytes = (const char *)s + i;
	t->n = n;
	t->width = w;
}

/* Is s[i] a zero-width character that belongs to the cluster before it?
 * Sets *n to its byte length. */
static bool zero_width_at(const unsigned char *s, size_t len, size_t i, size_t *n)
{
	uint32_t cp;

	if (s[i] < 0x80)
		return false;
	*n = decode_utf8(s, len, i, &cp);
	return cp != UINT32_MAX && cp > 0x9F && !sanitize_dropped(cp) && sanitize_cp_width(cp) == 0;
}

/* The next cluster. In UTF-8 mode a printable character takes the
 * zero-width characters after it; in ASCII mode each of those is its own '?'
 * (the mark alone is non-ASCII). A zero-width character with no base gets a
 * placeholder: drawn alone it would combine with whatever is on screen. */
static void next_cluster(const unsigned char *s, size_t len, size_t i, bool utf8,
			 struct sanitize_tok *t)
{
	size_t n, j;

	next_unit(s, len, i, utf8, t);
	if (t->dropped)
		return;
	if (t->width == 0) {
		t->bytes = utf8 ? SANITIZE_PLACEHOLDER_UTF8 : SANITIZE_PLACEHOLDER_ASCII;
		t->n = strlen(t->bytes);
		t->width = 1;
		return;
	}
	if (!utf8 || t->bytes != (const char *)s + i)
		return;
	j = i + t->consumed;
	while (j < len && zero_width_at(s, len, j, &n))
		j += n;
	t->n = j - i;
	t->consumed = j - i;
}

int sanitize_text(char *dst, size_t dstlen, const char *src, size_t len,
		  const struct sanitize_opts *opts)
{
	static const struct sanitize_opts defaults = { .utf8 = true, .max_cols = -1 };
	const unsigned char *s = (const unsigned char *)src;
	struct sanitize_tok t;
	const char *ell = "";
	size_t i, total_n = 0, out = 0, byte_budget;
	long total_w = 0, col_budget, width = 0, max_cols;
	bool fits = true;

	if (!opts)
		opts = &defaults;
	if (dstlen == 0)
		return 0;
	if (!src)
		len = 0;
	max_cols = opts->max_cols < 0 ? LONG_MAX : opts->max_cols;

	/* First pass: does everything fit? Stops as soon as it cannot. */
	for (i = 0; i < len; i += t.consumed) {
		next_cluster(s, len, i, opts->utf8, &t);
		total_n += t.n;
		total_w += t.width;
		if (total_w > max_cols || total_n >= dstlen) {
			fits = false;
			break;
		}
	}
	col_budget = max_cols;
	byte_budget = dstlen - 1;
	if (!fits && opts->ellipsis) {
		ell = opts->utf8 ? SANITIZE_ELLIPSIS_UTF8 : SANITIZE_ELLIPSIS_ASCII;
		if (col_budget >= 1 && byte_budget >= strlen(ell)) {
			col_budget -= 1;
			byte_budget -= strlen(ell);
		} else {
			ell = "";
		}
	}
	for (i = 0; i < len; i += t.consumed) {
		next_cluster(s, len, i, opts->utf8, &t);
		if (width + t.width > col_budget || out + t.n > byte_budget)
			break;
		memcpy(dst + out, t.bytes, t.n);
		out += t.n;
		width += t.width;
	}
	if (*ell) {
		memcpy(dst + out, ell, strlen(ell));
		out += strlen(ell);
		width += 1;
	}
	dst[out] = '\0';
	return (int)(width > INT_MAX ? INT_MAX : width);
}

int sanitize_str(char *dst, size_t dstlen, const char *src)
{
	static const struct sanitize_opts opts = { .utf8 = true, .max_cols = -1 };

	return sanitize_text(dst, dstlen, src, src ? strlen(src) : 0, &opts);
}

int sanitize_width(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	struct sanitize_tok t;
	size_t len = s ? strlen(s) : 0;
	long w = 0;

	for (size_t i = 0; i < len && w < INT_MAX; i += t.consumed) {
		next_cluster(u, len, i, true, &t);
		w += t.width;
	}
	return (int)(w > INT_MAX ? INT_MAX : w);
}

char *sanitize_utf8_repair(const char *s, size_t len, size_t *outlen)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i, n, o = 0, cap;
	uint32_t cp;
	char *out;

	/* A malformed sequence is at least one byte and becomes three. */
	if (len > (SIZE_MAX - 1) / 3)
		return NULL;
	cap = 3 * len + 1;
	out = malloc(cap);
	if (!out)
		return NULL;
	for (i = 0; i < len; i += n) {
		n = decode_utf8(u, len, i, &cp);
		if (cp == UINT32_MAX) {
			memcpy(out + o, SANITIZE_PLACEHOLDER_UTF8, 3);
			o += 3;
		} else {
			memcpy(out + o, s + i, n);
			o += n;
		}
	}
	out[o] = '\0';
	if (outlen)
		*outlen = o;
	return out;
}

bool sanitize_utf8_valid(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i, n;
	uint32_t cp;

	for (i = 0; i < len; i += n) {
		if (u[i] < 0x80) {
			n = 1;
			continue;
		}
		n = decode_utf8(u, len, i, &cp);
		if (cp == UINT32_MAX)
			return false;
	}
	return true;
}
