/* core/wire's JSON reader (json_scan.c): every type, escapes, limits,
 * numbers at the edges, duplicate keys and spans, with json-c 0.16's
 * answers (as core/wire used it) where the two agree and the documented
 * differences where they do not. tests/fuzz/fuzz_json.c compares the two on
 * any input. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/wire/event_parse.h"
#include "core/wire/wire_int.h"
#include "tests/unit/unit.h"

static struct jdoc doc;
static struct pctx ctx;
static char err[256];

/* Parses s (the whole of it) into the file's doc; the root or NULL. */
static const struct jnode *scan_n(const char *s, size_t n)
{
	wire_doc_free(&doc);
	wire_ctx_init(&ctx, err, sizeof err, "");
	return wire_parse_text(s, n, &ctx, &doc);
}

static const struct jnode *scan(const char *s)
{
	return scan_n(s, strlen(s));
}

/* The text of v's span in s. */
static char *span(const char *s, const struct jnode *v)
{
	static char buf[256];

	snprintf(buf, sizeof buf, "%.*s", (int)(v->end - v->start), s + v->start);
	return buf;
}

static int clean(void)
{
	wire_doc_free(&doc);
	return 0;
}

static void test_types(void)
{
	static const char s[] = " {\"n\": null, \"t\":true,\"f\" :false, \"i\":-42,\"d\":1.5e3,"
				"\"s\":\"x y\",\"a\":[1, [2] ,{}],\"o\":{ }}\n";
	const struct jnode *r = scan(s), *v, *e;

	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(r->type, J_OBJECT);
	CU_ASSERT_EQUAL(r->count, 8);
	CU_ASSERT_EQUAL(r->start, 1);
	CU_ASSERT_EQUAL(r->end, strlen(s) - 1);
	CU_ASSERT_EQUAL(jnode_get(r, "n")->type, J_NULL);
	CU_ASSERT_STRING_EQUAL(span(s, jnode_get(r, "n")), "null");
	v = jnode_get(r, "t");
	CU_ASSERT(v->type == J_BOOL && v->b);
	v = jnode_get(r, "f");
	CU_ASSERT(v->type == J_BOOL && !v->b);
	v = jnode_get(r, "i");
	CU_ASSERT(v->type == J_INT && v->i == -42 && !v->big);
	CU_ASSERT_STRING_EQUAL(span(s, v), "-42");
	v = jnode_get(r, "d");
	CU_ASSERT_EQUAL(v->type, J_DOUBLE);
	CU_ASSERT_STRING_EQUAL(span(s, v), "1.5e3");
	v = jnode_get(r, "s");
	CU_ASSERT_EQUAL(v->type, J_STRING);
	CU_ASSERT_STRING_EQUAL(v->str, "x y");
	CU_ASSERT_EQUAL(v->len, 3);
	CU_ASSERT_STRING_EQUAL(span(s, v), "\"x y\"");
	v = jnode_get(r, "a");
	CU_ASSERT_EQUAL(v->type, J_ARRAY);
	CU_ASSERT_EQUAL(v->count, 3);
	CU_ASSERT_STRING_EQUAL(span(s, v), "[1, [2] ,{}]");
	e = jnode_at(v, 1);
	CU_ASSERT_EQUAL_FATAL(e->type, J_ARRAY);
	CU_ASSERT_STRING_EQUAL(span(s, e), "[2]");
	CU_ASSERT_EQUAL(jnode_first(e)->i, 2);
	CU_ASSERT_EQUAL(jnode_at(v, 2)->type, J_OBJECT);
	CU_ASSERT_PTR_NULL(jnode_at(v, 3));
	CU_ASSERT_PTR_NULL(jnode_first(jnode_at(v, 2)));
	/* The walk passes over a nested child's own subtree. */
	CU_ASSERT_EQUAL(jnode_next(r, jnode_get(r, "a")), jnode_get(r, "o"));
	CU_ASSERT_PTR_NULL(jnode_next(r, jnode_get(r, "o")));
	CU_ASSERT_PTR_NULL(jnode_get(r, "missing"));
	CU_ASSERT_PTR_NULL(jnode_get(jnode_get(r, "a"), "x"));
	CU_ASSERT_STRING_EQUAL(wire_json_kind(jnode_get(r, "d")), "a number");
	CU_ASSERT_STRING_EQUAL(wire_json_kind(jnode_get(r, "i")), "an integer");
}

/* The decoded bytes of the string document s, with their length. */
static void check_string(const char *s, const char *want, size_t want_len)
{
	const struct jnode *r = scan(s);

	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL_FATAL(r->type, J_STRING);
	CU_ASSERT_EQUAL(r->len, want_len);
	CU_ASSERT(memcmp(r->str, want, want_len) == 0);
	CU_ASSERT_EQUAL(r->str[want_len], '\0');
}

static void test_escapes(void)
{
	static const struct {
		const char *json, *want;
		size_t len;
	} cases[] = {
		{ "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"\\/\b\f\n\r\t", 8 },
		{ "\"\\u00e9\\u20AC\"", "\xc3\xa9\xe2\x82\xac", 5 },
		{ "\"\\ud83d\\ude00\"", "\xf0\x9f\x98\x80", 4 },
		{ "\"\\uDBFF\\uDFFF\"", "\xf4\x8f\xbf\xbf", 4 },
		/* U+1D800 (SignWriting) and U+2D800 (CJK): json-c 0.16 makes
		 * one U+FFFD of a pair whose code point's low 16 bits look
		 * like a surrogate; the reader keeps the character. */
		{ "\"\\ud836\\udc00\"", "\xf0\x9d\xa0\x80", 4 },
		{ "\"\\ud876\\udc00\"", "\xf0\xad\xa0\x80", 4 },
		/* Lone and reversed surrogates are U+FFFD, as json-c makes
		 * them, and what follows a lone high one is read as usual. */
		{ "\"\\ud83d\"", "\xef\xbf\xbd", 3 },
		{ "\"\\ude00\"", "\xef\xbf\xbd", 3 },
		{ "\"\\ude00\\ud83d\"", "\xef\xbf\xbd\xef\xbf\xbd", 6 },
		{ "\"\\ud83dx\"", "\xef\xbf\xbdx", 4 },
		{ "\"\\ud83d\\u0041\"", "\xef\xbf\xbd\x41", 4 },
		{ "\"\\ud83d\\n\"", "\xef\xbf\xbd\n", 4 },
		{ "\"\\ud83d\\ud83d\\ude00\"", "\xef\xbf\xbd\xf0\x9f\x98\x80", 7 },
		/* \u0000 stays in, for "string contains a NUL character". */
		{ "\"a\\u0000b\"", "a\0b", 3 },
		/* Bytes that are not UTF-8, and raw control characters, pass
		 * through as json-c passed them (the sanitiser and the line
		 * writer see to them). */
		{ "\"\xff\xfe\xc3\"", "\xff\xfe\xc3", 3 },
		{ "\"a\tb\x01\x7f\"", "a\tb\x01\x7f", 5 },
		{ "\"\"", "", 0 },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		check_string(cases[i].json, cases[i].want, cases[i].len);
	CU_ASSERT_PTR_NULL(scan("\"\\x\""));
	CU_ASSERT_STRING_EQUAL(err, "invalid JSON: bad escape in a string at offset 2");
	CU_ASSERT_PTR_NULL(scan("[\"\\u12g4\"]"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "bad \\u escape"));
	CU_ASSERT_PTR_NULL(scan("\"\\U00e9\""));
	CU_ASSERT_PTR_NULL(scan("\"\\u12\""));
	CU_ASSERT_PTR_NULL(scan("\"\\ud83d\\u12\""));
}

/* Each body is read with nothing left from the one before: a body cut
 * after a high surrogate leaves nothing for the next body's escape. */
static void test_no_state_between(void)
{
	CU_ASSERT_PTR_NULL(scan("\"\\ud83d"));
	CU_ASSERT_STRING_EQUAL(err, "invalid JSON: truncated");
	check_string("\"\\u0041\"", "A", 1);
	CU_ASSERT_PTR_NULL(scan("\"\\ud83d\\"));
	check_string("\"\\ude00\"", "\xef\xbf\xbd", 3);
}

/* wire_node_text of v (a node of text) is want. */
static void check_text(const struct jnode *v, const char *text, const char *want)
{
	char *t = wire_node_text(text, v);

	CU_ASSERT_STRING_EQUAL(t, want);
	free(t);
}

static void test_numbers(void)
{
	const struct jnode *r;

	r = scan("[9223372036854775807, -9223372036854775808, 9223372036854775808,"
		 " 18446744073709551615, 18446744073709551616, -9223372036854775809,"
		 " 99999999999999999999999, -0, 0, 1.0, 1e3, -0.0, 1E+3, 1.5e400]");
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT(jnode_at(r, 0)->i == INT64_MAX && !jnode_at(r, 0)->big);
	CU_ASSERT(jnode_at(r, 1)->i == INT64_MIN && !jnode_at(r, 1)->big);
	/* Beyond int64: saturated as json_object_get_int64 saturates, and
	 * the uint64 value (saturated too) kept for the text. */
	CU_ASSERT(jnode_at(r, 2)->i == INT64_MAX && jnode_at(r, 2)->big);
	CU_ASSERT_EQUAL(jnode_at(r, 2)->u, (uint64_t)INT64_MAX + 1);
	CU_ASSERT_EQUAL(jnode_at(r, 3)->u, UINT64_MAX);
	CU_ASSERT(jnode_at(r, 4)->u == UINT64_MAX && jnode_at(r, 4)->i == INT64_MAX);
	CU_ASSERT(jnode_at(r, 5)->i == INT64_MIN && !jnode_at(r, 5)->big);
	CU_ASSERT(jnode_at(r, 6)->u == UINT64_MAX && jnode_at(r, 6)->big);
	CU_ASSERT(jnode_at(r, 7)->type == J_INT && jnode_at(r, 7)->i == 0);
	CU_ASSERT(jnode_at(r, 8)->type == J_INT && jnode_at(r, 8)->i == 0);
	for (size_t i = 9; i < 14; i++)
		CU_ASSERT_EQUAL(jnode_at(r, i)->type, J_DOUBLE);
	/* Text as json-c wrote it: integers from their value, doubles as
	 * they came. */
	check_text(jnode_at(r, 4), "", "18446744073709551615");
	check_text(jnode_at(r, 5), "", "-9223372036854775808");
	r = scan("[-0, 1E+3]");
	check_text(jnode_at(r, 0), "[-0, 1E+3]", "0");
	check_text(jnode_at(r, 1), "[-0, 1E+3]", "1E+3");

	/* RFC 8259's grammar: json-c took some of these ("00", "-01", "1.",
	 * NaN); the reader refuses them all (json_scan.c). */
	static const char *const bad[] = { "[01]",       "[00]",        "[-01]",   "[1.]",
					   "[1.e3]",     "[.5]",        "[+1]",    "[-]",
					   "[1e]",       "[1e+]",       "[0x1]",   "[NaN]",
					   "[Infinity]", "[-Infinity]", "[1.2.3]", "[1ee3]" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		CU_ASSERT_PTR_NULL(scan(bad[i]));
		CU_ASSERT_PTR_NOT_NULL(strstr(err, "invalid JSON"));
	}
	/* A scalar root needs nothing after it (json-c called it truncated). */
	r = scan("7");
	CU_ASSERT(r && r->type == J_INT && r->i == 7);
	r = scan("null");
	CU_ASSERT(r && r->type == J_NULL);
}

static void test_duplicate_keys(void)
{
	static const char s[] = "{\"a\":1,\"b\":2,\"a\":3,\"\":4,\"c\\u0000d\":5,\"c\":6}";
	const struct jnode *r = scan(s), **kept;

	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	/* The last one wins, as in json-c. */
	CU_ASSERT_EQUAL(jnode_get(r, "a")->i, 3);
	CU_ASSERT_EQUAL(jnode_get(r, "")->i, 4);
	/* Keys compare as C strings: json-c cut a key at an escaped NUL. */
	CU_ASSERT_EQUAL(jnode_get(r, "c")->i, 6);
	/* Each name once, at its first place, with its last value. */
	kept = jnode_members(r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(kept);
	CU_ASSERT_EQUAL(kept[0], jnode_get(r, "a"));
	CU_ASSERT_EQUAL(kept[1], jnode_get(r, "b"));
	CU_ASSERT_PTR_NULL(kept[2]);
	CU_ASSERT_EQUAL(kept[3], jnode_get(r, ""));
	CU_ASSERT_EQUAL(kept[4], jnode_get(r, "c"));
	CU_ASSERT_PTR_NULL(kept[5]);
	free(kept);
	CU_ASSERT_PTR_NULL(jnode_members(jnode_get(r, "b")));
}

static void test_syntax_errors(void)
{
	static const char ok[] = "{\"a\":[1,\"x\",{\"b\":null}],\"c\":true}";
	char cut[sizeof ok];

	/* Every cut of a document is truncated. */
	for (size_t n = 1; n < sizeof ok - 1; n++) {
		memcpy(cut, ok, n);
		CU_ASSERT_PTR_NULL(scan_n(cut, n));
		CU_ASSERT_STRING_EQUAL(err, "invalid JSON: truncated");
	}
	CU_ASSERT_PTR_NOT_NULL(scan(ok));
	/* Trailing data; trailing space of any kind isspace() knows. */
	CU_ASSERT_PTR_NULL(scan("{} x"));
	CU_ASSERT_STRING_EQUAL(err, "invalid JSON: trailing data at offset 3");
	CU_ASSERT_PTR_NULL(scan("1 2"));
	CU_ASSERT_PTR_NOT_NULL(scan("{} \n\t\r\f\v"));
	/* Between tokens only the four JSON spaces, as json-c. */
	CU_ASSERT_PTR_NOT_NULL(scan(" \t\r\n[ \t\r\n1 \t\r\n]"));
	CU_ASSERT_PTR_NULL(scan("\f[1]"));
	CU_ASSERT_PTR_NULL(scan("[\v1]"));
	CU_ASSERT_PTR_NULL(scan("\xef\xbb\xbf[1]"));
	static const char *const bad[] = {
		"[1,]",    "{\"a\":1,}",        "[,]",   "{,}", "{a:1}", "{'a':1}",
		"{\"a\"}", "{\"a\" 1}",         "[1 2]", "tru", "True",  "nul",
		"[truex]", "{\"a\":1 \"b\":2}", "]"
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		CU_ASSERT_PTR_NULL(scan(bad[i]));
		CU_ASSERT_PTR_NOT_NULL(strstr(err, "invalid JSON"));
	}
	CU_ASSERT_PTR_NULL(scan("[1 2]"));
	CU_ASSERT_STRING_EQUAL(err, "invalid JSON: expected ',' or ']' at offset 3");
	/* No body, an empty one, a NUL byte. */
	CU_ASSERT_PTR_NULL(scan_n(NULL, 0));
	CU_ASSERT_STRING_EQUAL(err, "no body");
	CU_ASSERT_PTR_NULL(scan(""));
	CU_ASSERT_STRING_EQUAL(err, "empty body");
	CU_ASSERT_PTR_NULL(scan_n("[\"\0\"]", 5));
	CU_ASSERT_STRING_EQUAL(err, "body contains a NUL byte");
}

/* json-c counts every value against the depth, not only containers. */
static void test_depth_and_size(void)
{
	char s[4 * WIRE_MAX_DEPTH + 8], deep[5 * (WIRE_MAX_DEPTH + 8)];
	size_t n;
	char *big;

	n = 0;
	for (int i = 0; i < WIRE_MAX_DEPTH; i++)
		s[n++] = '[';
	for (int i = 0; i < WIRE_MAX_DEPTH; i++)
		s[n++] = ']';
	CU_ASSERT_PTR_NOT_NULL(scan_n(s, n));
	n = 0;
	for (int i = 0; i < WIRE_MAX_DEPTH - 1; i++)
		s[n++] = '[';
	s[n++] = '1';
	for (int i = 0; i < WIRE_MAX_DEPTH - 1; i++)
		s[n++] = ']';
	CU_ASSERT_PTR_NOT_NULL(scan_n(s, n));
	n = 0;
	for (int i = 0; i < WIRE_MAX_DEPTH; i++)
		s[n++] = '[';
	s[n++] = '1';
	for (int i = 0; i < WIRE_MAX_DEPTH; i++)
		s[n++] = ']';
	CU_ASSERT_PTR_NULL(scan_n(s, n));
	CU_ASSERT_STRING_EQUAL(err, "invalid JSON: nested deeper than 32");
	/* Far deeper, and cut: the depth is what is said. */
	for (size_t i = 0; i + 5 <= sizeof deep; i += 5)
		memcpy(deep + i, "{\"a\":", 5);
	CU_ASSERT_PTR_NULL(scan_n(deep, sizeof deep));
	CU_ASSERT_STRING_EQUAL(err, "invalid JSON: nested deeper than 32");

	n = wire_max_bytes() + 1;
	big = malloc(n);
	CU_ASSERT_PTR_NOT_NULL_FATAL(big);
	memset(big, ' ', n);
	memcpy(big, "[1]", 3);
	CU_ASSERT_PTR_NULL(scan_n(big, n));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "body too large"));
	CU_ASSERT_PTR_NOT_NULL(scan_n(big, n - 1));
	/* A string as long as the limit allows: one buffer holds it. */
	memset(big, 'x', n - 1);
	big[0] = '"';
	big[n - 2] = '"';
	CU_ASSERT_PTR_NOT_NULL_FATAL(scan_n(big, n - 1));
	CU_ASSERT_EQUAL(doc.nodes[0].len, n - 3);
	free(big);
}

/* wire_compact: one line, whatever the layout and the raw bytes. */
static void test_compact(void)
{
	static const char s[] =
		"{\n\t\"a b\" : [ 1 ,\r\n 2 ],\n \"t\": \"x\ty\\\"\n\" ,\"e\":{ } }";
	const struct jnode *r = scan(s);
	char out[sizeof s * 6];

	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	*wire_compact(s, r->start, r->end, out) = '\0';
	CU_ASSERT_STRING_EQUAL(out, "{\"a b\":[1,2],\"t\":\"x\\u0009y\\\"\\u000a\",\"e\":{}}");
	check_text(jnode_get(r, "a b"), s, "[1,2]");
}

static const struct unit_test tests[] = {
	{ "every type, its value and its span", test_types },
	{ "escapes, surrogates, \\u0000, raw bytes", test_escapes },
	{ "nothing is kept from one document to the next", test_no_state_between },
	{ "numbers at and beyond int64's edges, RFC grammar", test_numbers },
	{ "duplicate keys: the last wins, keys as C strings", test_duplicate_keys },
	{ "syntax errors, truncation, trailing data, whitespace", test_syntax_errors },
	{ "depth and size limits", test_depth_and_size },
	{ "compact text is one line", test_compact },
	{ 0 },
};
UNIT_SUITE(wire_json_scan, NULL, clean, tests);
