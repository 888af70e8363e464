/* sanitize_text(): whatever bytes come in, what comes out is safe to write
 * to a terminal.
 *
 * Input: byte 0 flags (bit 0 UTF-8 mode, bit 1 ellipsis, bit 2 width limit),
 * byte 1 the width limit, byte 2 the output buffer size (0: large), then the
 * text. Invariants checked: the output is NUL-terminated inside the buffer;
 * it holds no C0 control, DEL, ESC, C1 control or bidi control; in UTF-8
 * mode it is valid UTF-8, in ASCII mode pure ASCII; the width returned is
 * within the limit and equals sanitize_width() of the output; sanitizing the
 * output again changes nothing. */
#include <config.h>

#include <stdbool.h>

#include "core/base/sanitize.h"
#include "tests/fuzz/fuzz.h"

/* Decodes one strict UTF-8 sequence (no overlongs, surrogates or values
 * past U+10FFFF); returns its length or 0 when malformed. */
static size_t fuzz_utf8_next(const unsigned char *s, size_t len, uint32_t *cp)
{
	unsigned char c = s[0];
	size_t n;
	uint32_t v, min;

	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if (c >= 0xC2 && c <= 0xDF) {
		n = 2, v = c & 0x1F, min = 0x80;
	} else if (c >= 0xE0 && c <= 0xEF) {
		n = 3, v = c & 0x0F, min = 0x800;
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4, v = c & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (n > len)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3F);
	}
	if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		return 0;
	*cp = v;
	return n;
}

static bool fuzz_cp_unsafe(uint32_t cp)
{
	return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F) ||
		(cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

static void fuzz_check_safe(const char *out, bool utf8)
{
	const unsigned char *s = (const unsigned char *)out;
	size_t len = strlen(out);

	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t n;

		if (!utf8) {
			fuzz_check(s[i] >= 0x20 && s[i] < 0x7F, "byte 0x%02x at %zu in ASCII mode",
				   s[i], i);
			i++;
			continue;
		}
		n = fuzz_utf8_next(s + i, len - i, &cp);
		fuzz_check(n > 0, "invalid UTF-8 at offset %zu of the output", i);
		fuzz_check(!fuzz_cp_unsafe(cp), "unsafe code point U+%04X at offset %zu", cp, i);
		i += n;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sanitize_opts o;
	size_t dstlen;
	bool roomy;
	char *dst, *again;
	int w, w2;

	if (size < 3)
		return 0;
	o.utf8 = data[0] & 1;
	o.ellipsis = (data[0] & 2) != 0;
	o.max_cols = (data[0] & 4) ? data[1] % 100 : -1;
	roomy = data[2] == 0;
	dstlen = roomy ? 8 * size + 64 : data[2];
	data += 3;
	size -= 3;

	/* One guard byte past dstlen: writing it is an overflow ASan may not
	 * see inside a larger heap chunk, so check it by hand. */
	dst = malloc(dstlen + 1);
	if (!dst)
		abort();
	dst[dstlen] = 'G';
	w = sanitize_text(dst, dstlen, (const char *)data, size, &o);
	fuzz_check(dst[dstlen] == 'G', "wrote past dstlen %zu", dstlen);
	fuzz_check(fuzz_terminated(dst, dstlen), "output not NUL-terminated in %zu bytes", dstlen);
	fuzz_check(w >= 0, "negative width %d", w);
	if (o.max_cols >= 0)
		fuzz_check(w <= o.max_cols, "width %d over the limit %d", w, o.max_cols);
	fuzz_check_safe(dst, o.utf8);
	if (o.utf8) {
		w2 = sanitize_width(dst);
		fuzz_check(w2 == w, "returned width %d, sanitize_width says %d", w, w2);
	}

	/* Sanitized text is a fixed point when nothing limits it. */
	if (roomy && o.max_cols < 0) {
		again = malloc(dstlen);
		if (!again)
			abort();
		sanitize_text(again, dstlen, dst, strlen(dst), &o);
		fuzz_check(strcmp(again, dst) == 0, "sanitizing twice changed the text");
		free(again);
	}
	free(dst);
	return 0;
}
