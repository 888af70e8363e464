/* sanitize_text(): hostile input never reaches the terminal as control
 * bytes, and truncation respects display columns. */
#include <config.h>

#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/sanitize.h"
#include "tests/unit/unit.h"

#define PH SANITIZE_PLACEHOLDER_UTF8

static char out[4096];
static int out_w;

static const char *san_n(const char *src, size_t len, bool utf8, int max_cols, bool ellipsis)
{
	struct sanitize_opts o = { .utf8 = utf8, .max_cols = max_cols, .ellipsis = ellipsis };

	out_w = sanitize_text(out, sizeof out, src, len, &o);
	return out;
}

static const char *san(const char *src)
{
	return san_n(src, strlen(src), true, -1, false);
}

/* No byte the terminal would act on: C0, DEL, ESC, raw C1 bytes, or
 * UTF-8 encoded C1. */
static bool terminal_safe(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;

	for (size_t i = 0; u[i]; i++) {
		if (u[i] < 0x20 || u[i] == 0x7F)
			return false;
		if (u[i] == 0xC2 && u[i + 1] >= 0x80 && u[i + 1] <= 0x9F)
			return false;
		/* A continuation byte must follow a lead byte. */
		if ((u[i] & 0xC0) == 0x80 && (i == 0 || u[i - 1] < 0x80))
			return false;
	}
	return true;
}

static void test_plain_ascii_unchanged(void)
{
	CU_ASSERT_STRING_EQUAL(san("+15005550001 fax_01J9"), "+15005550001 fax_01J9");
	CU_ASSERT_EQUAL(out_w, 21);
	CU_ASSERT_STRING_EQUAL(san(""), "");
	CU_ASSERT_EQUAL(out_w, 0);
}

static void test_c0_del_tab_newline(void)
{
	CU_ASSERT_STRING_EQUAL(san("a\tb\nc\rd\x7f"
				   "e\x01"),
			       "a" PH "b" PH "c" PH "d" PH "e" PH);
	CU_ASSERT_EQUAL(out_w, 10);
	/* An embedded NUL is input like any other byte when a length is given. */
	CU_ASSERT_STRING_EQUAL(san_n("a\0b", 3, true, -1, false), "a" PH "b");
}

static void test_osc_title_bel_and_st(void)
{
	CU_ASSERT_STRING_EQUAL(san("x\x1b]0;pwned\x07y"), "x" PH "y");
	CU_ASSERT_STRING_EQUAL(san("x\x1b]2;pwned\x1b\\y"), "x" PH "y");
	/* OSC 8 hyperlink: both halves go, the visible text stays. */
	CU_ASSERT_STRING_EQUAL(san("\x1b]8;;http://evil\x1b\\click\x1b]8;;\x1b\\"), PH "click" PH);
	/* Clipboard write (OSC 52), the nastiest of them. */
	CU_ASSERT_STRING_EQUAL(san("\x1b]52;c;cm0gLXJmIH4=\x07ok"), PH "ok");
}

static void test_csi_colour_and_cursor(void)
{
	CU_ASSERT_STRING_EQUAL(san("\x1b[31mred\x1b[0m"), PH "red" PH);
	CU_ASSERT_STRING_EQUAL(san("\x1b[2J\x1b[H\x1b[10;20Hz"), PH PH PH "z");
	CU_ASSERT_STRING_EQUAL(san("\x1b[?1049h!"), PH "!");
	/* Other escapes: charset switch, save cursor, full reset. */
	CU_ASSERT_STRING_EQUAL(san("\x1b(0q\x1b"
				   "7\x1b"
				   "c."),
			       PH "q" PH PH ".");
}

static void test_dcs_apc_pm_sos(void)
{
	CU_ASSERT_STRING_EQUAL(san("\x1bP+q544e\x1b\\A"), PH "A");
	CU_ASSERT_STRING_EQUAL(san("\x1b_Gf=100;AAAA\x1b\\B"), PH "B");
	CU_ASSERT_STRING_EQUAL(san("\x1b^private\x1b\\C"), PH "C");
	CU_ASSERT_STRING_EQUAL(san("\x1bXsos\x1b\\D"), PH "D");
}

static void test_eight_bit_c1(void)
{
	/* Raw 0x9b CSI, raw 0x9d OSC ended by raw ST 0x9c. */
	CU_ASSERT_STRING_EQUAL(san("a\x9b"
				   "31mb"),
			       "a" PH "b");
	CU_ASSERT_STRING_EQUAL(san("a\x9d"
				   "0;t\x9c"
				   "b"),
			       "a" PH "b");
	/* UTF-8 encoded C1: U+009B CSI and U+0085 NEL. */
	CU_ASSERT_STRING_EQUAL(san("a\xc2\x9b"
				   "2Jb"),
			       "a" PH "b");
	CU_ASSERT_STRING_EQUAL(san("a\xc2\x85"
				   "b"),
			       "a" PH "b");
	/* UTF-8 encoded OSC ended by UTF-8 encoded ST. */
	CU_ASSERT_STRING_EQUAL(san("a\xc2\x9d"
				   "0;t\xc2\x9c"
				   "b"),
			       "a" PH "b");
	CU_ASSERT_TRUE(terminal_safe(out));
}

static void test_unterminated_sequences(void)
{
	CU_ASSERT_STRING_EQUAL(san("ok\x1b]0;never ends and more text"), "ok" PH);
	CU_ASSERT_STRING_EQUAL(san("ok\x1b[12;"), "ok" PH);
	CU_ASSERT_STRING_EQUAL(san("ok\x1b"), "ok" PH);
	CU_ASSERT_STRING_EQUAL(san("ok\x9b"), "ok" PH);
	CU_ASSERT_STRING_EQUAL(san("ok\x1bP"), "ok" PH);
	/* A control inside a CSI ends it; the control is judged on its own. */
	CU_ASSERT_STRING_EQUAL(san("\x1b[1\nx"), PH PH "x");
}

static void test_invalid_utf8(void)
{
	CU_ASSERT_STRING_EQUAL(san("a\xff"
				   "b"),
			       "a" PH "b");
	CU_ASSERT_STRING_EQUAL(san("a\x80"
				   "b"),
			       "a" PH "b");
	/* Overlong '/' (C0 AF) and overlong NUL (E0 80 80): one each. */
	CU_ASSERT_STRING_EQUAL(san("a\xc0\xaf"
				   "b"),
			       "a" PH "b");
	CU_ASSERT_STRING_EQUAL(san("a\xe0\x80\x80"
				   "b"),
			       "a" PH "b");
	/* A UTF-16 surrogate and a code point past U+10FFFF. */
	CU_ASSERT_STRING_EQUAL(san("a\xed\xa0\x80"
				   "b"),
			       "a" PH "b");
	CU_ASSERT_STRING_EQUAL(san("a\xf4\x90\x80\x80"
				   "b"),
			       "a" PH "b");
	/* A truncated sequence, mid-string and at the end. */
	CU_ASSERT_STRING_EQUAL(san("a\xe2\x82"
				   "b"),
			       "a" PH "b");
	CU_ASSERT_STRING_EQUAL(san("a\xf0\x9f\x98"), "a" PH);
	CU_ASSERT_EQUAL(out_w, 2);
}

static void test_valid_utf8_kept(void)
{
	CU_ASSERT_STRING_EQUAL(san("Zürich – 東京 😀"), "Zürich – 東京 😀");
	CU_ASSERT_EQUAL(out_w, 6 + 1 + 1 + 1 + 4 + 1 + 2);
	/* U+FFFD itself is ordinary text. */
	CU_ASSERT_STRING_EQUAL(san(PH), PH);
}

static void test_bidi_and_separators(void)
{
	/* RLO would reverse what follows on screen; LS breaks the line. */
	CU_ASSERT_STRING_EQUAL(san("fax\xe2\x80\xae"
				   "txt.exe"),
			       "fax" PH "txt.exe");
	CU_ASSERT_STRING_EQUAL(san("a\xe2\x81\xa6"
				   "b\xe2\x80\xa8"
				   "c"),
			       "a" PH "b" PH "c");
}

static void test_width_truncation(void)
{
	CU_ASSERT_STRING_EQUAL(san_n("abcdef", 6, true, 4, false), "abcd");
	CU_ASSERT_EQUAL(out_w, 4);
	CU_ASSERT_STRING_EQUAL(san_n("abcdef", 6, true, 4, true), "abc\xe2\x80\xa6");
	CU_ASSERT_EQUAL(out_w, 4);
	/* Fits exactly: no ellipsis. */
	CU_ASSERT_STRING_EQUAL(san_n("abcd", 4, true, 4, true), "abcd");
	CU_ASSERT_STRING_EQUAL(san_n("abcd", 4, true, 0, true), "");
	CU_ASSERT_EQUAL(out_w, 0);
	CU_ASSERT_STRING_EQUAL(san_n("abcd", 4, false, 3, true), "ab~");
}

static void test_wide_char_not_halved(void)
{
	/* 東京 is four columns; three columns hold only one of them. */
	CU_ASSERT_STRING_EQUAL(san_n("東京", strlen("東京"), true, 3, false), "東");
	CU_ASSERT_EQUAL(out_w, 2);
	CU_ASSERT_STRING_EQUAL(san_n("a東京", strlen("a東京"), true, 2, false), "a");
	CU_ASSERT_EQUAL(out_w, 1);
	CU_ASSERT_STRING_EQUAL(san_n("東京", strlen("東京"), true, 3, true), "東\xe2\x80\xa6");
	CU_ASSERT_EQUAL(out_w, 3);
}

static void test_combining_stays_with_base(void)
{
	const char *s = "e\xcc\x81"
			"e\xcc\x81"
			"e\xcc\x81"; /* é with U+0301, three times */

	CU_ASSERT_STRING_EQUAL(san(s), s);
	CU_ASSERT_EQUAL(out_w, 3);
	CU_ASSERT_STRING_EQUAL(san_n(s, strlen(s), true, 2, false),
			       "e\xcc\x81"
			       "e\xcc\x81");
	CU_ASSERT_EQUAL(out_w, 2);
	/* Byte room for "e" but not for its mark: neither is written. */
	{
		struct sanitize_opts o = { .utf8 = true, .max_cols = -1 };
		char small[3];

		sanitize_text(small, sizeof small, s, strlen(s), &o);
		CU_ASSERT_STRING_EQUAL(small, "");
	}
	/* A mark with no base would combine with whatever is on screen. */
	CU_ASSERT_STRING_EQUAL(san("\xcc\x81"
				   "x"),
			       PH "x");
	CU_ASSERT_STRING_EQUAL(san("\x1b[m\xcc\x81"), PH PH);
}

static void test_ascii_mode(void)
{
	CU_ASSERT_STRING_EQUAL(san_n("Zürich 東", strlen("Zürich 東"), false, -1, false),
			       "Z?rich ?");
	CU_ASSERT_EQUAL(out_w, 8);
	CU_ASSERT_STRING_EQUAL(san_n("a\x1b[1mb\xff", 7, false, -1, false), "a?b?");
}

static void test_dstlen_tiny(void)
{
	struct sanitize_opts o = { .utf8 = true, .max_cols = -1, .ellipsis = true };
	char buf[8];

	memset(buf, 'X', sizeof buf);
	CU_ASSERT_EQUAL(sanitize_text(buf, 0, "abc", 3, &o), 0);
	CU_ASSERT_EQUAL(buf[0], 'X');
	CU_ASSERT_EQUAL(sanitize_text(buf, 1, "abc", 3, &o), 0);
	CU_ASSERT_STRING_EQUAL(buf, "");
	/* Two bytes: "a" and the NUL; the 3-byte ellipsis cannot fit. */
	sanitize_text(buf, 2, "abc", 3, &o);
	CU_ASSERT_STRING_EQUAL(buf, "a");
	/* Room for ellipsis: "a…" is 4 bytes + NUL. */
	sanitize_text(buf, 5, "abcdef", 6, &o);
	CU_ASSERT_STRING_EQUAL(buf, "a\xe2\x80\xa6");
	/* A placeholder is never cut in half. */
	o.ellipsis = false;
	sanitize_text(buf, 3, "\x01", 1, &o);
	CU_ASSERT_STRING_EQUAL(buf, "");
	/* NULL source is an empty string. */
	CU_ASSERT_EQUAL(sanitize_text(buf, sizeof buf, NULL, 5, &o), 0);
	CU_ASSERT_STRING_EQUAL(buf, "");
}

static void test_giant_hostile_input(void)
{
	size_t n = 1 << 20;
	char *big = malloc(n), *dst = malloc(n * 3 + 1);
	struct sanitize_opts o = { .utf8 = true, .max_cols = -1 };
	unsigned seed = 12345;

	CU_ASSERT_FATAL(big && dst);
	/* Pseudo-random bytes, heavy on ESC, C1 and UTF-8 lead bytes. */
	for (size_t i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		static const unsigned char pick[] = { 0x1b, '[',  ']',  0x9b, 0x9d,
						      0xc2, 0xe2, 0xf0, 0x80, 0x9c,
						      0x07, 'a',  ';',  0xff, 0xed };
		big[i] = (char)((seed >> 16) % 3 ? pick[(seed >> 8) % sizeof pick] : (seed >> 8));
	}
	sanitize_text(dst, n * 3 + 1, big, n, &o);
	CU_ASSERT_TRUE(terminal_safe(dst));
	/* The same input into a small buffer with a width limit. */
	o.max_cols = 40;
	o.ellipsis = true;
	CU_ASSERT_TRUE(sanitize_text(dst, 64, big, n, &o) <= 40);
	CU_ASSERT_TRUE(strlen(dst) < 64);
	CU_ASSERT_TRUE(terminal_safe(dst));
	/* A megabyte of one unterminated OSC is one placeholder. */
	memset(big, 'x', n);
	big[0] = 0x1b;
	big[1] = ']';
	o.max_cols = -1;
	sanitize_text(dst, n * 3 + 1, big, n, &o);
	CU_ASSERT_STRING_EQUAL(dst, PH);
	free(big);
	free(dst);
}

static void test_locale_independent(void)
{
	char before[64];

	/* The widths must not depend on whether the app called setlocale. */
	setlocale(LC_ALL, "C");
	san("東e\xcc\x81");
	strcpy(before, out);
	CU_ASSERT_EQUAL(out_w, 3);
	if (setlocale(LC_ALL, "C.UTF-8")) {
		san("東e\xcc\x81");
		CU_ASSERT_STRING_EQUAL(out, before);
		CU_ASSERT_EQUAL(out_w, 3);
		setlocale(LC_ALL, "C");
	}
}

static void test_sanitize_width(void)
{
	CU_ASSERT_EQUAL(sanitize_width("abc"), 3);
	CU_ASSERT_EQUAL(sanitize_width("東京x"), 5);
	CU_ASSERT_EQUAL(sanitize_width("e\xcc\x81"), 1);
	CU_ASSERT_EQUAL(sanitize_width(""), 0);
	CU_ASSERT_EQUAL(sanitize_width(NULL), 0);
}

static void test_sanitize_str(void)
{
	char buf[16];

	CU_ASSERT_EQUAL(sanitize_str(buf, sizeof buf, "a\x1b[1mb"), 3);
	CU_ASSERT_STRING_EQUAL(buf, "a" PH "b");
	CU_ASSERT_EQUAL(sanitize_str(buf, sizeof buf, NULL), 0);
	CU_ASSERT_STRING_EQUAL(buf, "");
}

/* Joiners, presentation selectors and skin tones are drawn one way by some
 * terminals and another by others: left out, what is measured is what every
 * terminal draws. Flags become their two letters. */
static void test_grapheme_clusters(void)
{
	const char *family = "\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9\xE2\x80\x8D"
			     "\xF0\x9F\x91\xA7";                /* man ZWJ woman ZWJ girl */
	const char *thumb = "\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD"; /* thumbs up, skin tone */
	const char *flag = "\xF0\x9F\x87\xBA\xF0\x9F\x87\xB8";  /* US flag */
	const char *heart = "\xE2\x9D\xA4\xEF\xB8\x8F";         /* heart, VS16 */

	CU_ASSERT_STRING_EQUAL(san(family), "\xF0\x9F\x91\xA8\xF0\x9F\x91\xA9\xF0\x9F\x91\xA7");
	CU_ASSERT_EQUAL(out_w, 6);
	CU_ASSERT_STRING_EQUAL(san(thumb), "\xF0\x9F\x91\x8D");
	CU_ASSERT_EQUAL(out_w, 2);
	CU_ASSERT_STRING_EQUAL(san(flag), "US");
	CU_ASSERT_EQUAL(out_w, 2);
	CU_ASSERT_STRING_EQUAL(san(heart), "\xE2\x9D\xA4");
	CU_ASSERT_EQUAL(out_w, 1);
	/* A column of such names stays aligned: the width is what is drawn. */
	CU_ASSERT_EQUAL(sanitize_width(san(family)), 6);
	san_n(family, strlen(family), true, 4, false);
	CU_ASSERT_EQUAL(out_w, 4);
	CU_ASSERT_STRING_EQUAL(out, "\xF0\x9F\x91\xA8\xF0\x9F\x91\xA9");
	/* A lone joiner is left out, not drawn on whatever is on screen. */
	CU_ASSERT_STRING_EQUAL(san("a\xE2\x80\x8D"
				   "b"),
			       "ab");
}

static void test_utf8_repair(void)
{
	size_t n = 0;
	char *r = sanitize_utf8_repair("a\xff"
				       "b\xC3\xA9\xE2\x82"
				       "c\xED\xA0\x80",
				       11, &n);

	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_STRING_EQUAL(r, "a" PH "b\xC3\xA9" PH "c" PH);
	CU_ASSERT(sanitize_utf8_valid(r, n));
	CU_ASSERT(!sanitize_utf8_valid("a\xff", 2));
	CU_ASSERT(!sanitize_utf8_valid("\xC0\xAF", 2)); /* overlong */
	CU_ASSERT_EQUAL(n, strlen(r));
	free(r);
	/* Valid text, controls included, is left exactly as it was. */
	r = sanitize_utf8_repair("x\x1b\ty\xE6\x9D\xB1", 7, &n);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(n, 7);
	CU_ASSERT(memcmp(r, "x\x1b\ty\xE6\x9D\xB1", 7) == 0);
	free(r);
}

static const struct unit_test tests[] = {
	{ "plain ASCII is unchanged", test_plain_ascii_unchanged },
	{ "C0, DEL, tab and newline become placeholders", test_c0_del_tab_newline },
	{ "OSC title/hyperlink/clipboard ended by BEL or ST", test_osc_title_bel_and_st },
	{ "CSI colour and cursor moves", test_csi_colour_and_cursor },
	{ "DCS, APC, PM, SOS strings", test_dcs_apc_pm_sos },
	{ "8-bit and UTF-8 encoded C1 controls", test_eight_bit_c1 },
	{ "unterminated sequences run to the end", test_unterminated_sequences },
	{ "invalid, overlong, surrogate UTF-8", test_invalid_utf8 },
	{ "valid UTF-8 is kept", test_valid_utf8_kept },
	{ "bidi overrides and line separators", test_bidi_and_separators },
	{ "truncation by columns with ellipsis", test_width_truncation },
	{ "a wide character is never halved", test_wide_char_not_halved },
	{ "combining marks stay with their base", test_combining_stays_with_base },
	{ "ASCII mode", test_ascii_mode },
	{ "tiny dstlen", test_dstlen_tiny },
	{ "giant hostile input", test_giant_hostile_input },
	{ "result does not depend on the process locale", test_locale_independent },
	{ "sanitize_width", test_sanitize_width },
	{ "sanitize_str", test_sanitize_str },
	{ "ZWJ sequences, skin tones, flags, selectors", test_grapheme_clusters },
	{ "UTF-8 repair for JSON lines", test_utf8_repair },
	{ 0 },
};

UNIT_SUITE(sanitize, NULL, NULL, tests);
