/* Differential target for core/wire's JSON reader (json_scan.c): every input
 * is parsed by it and by json-c as core/wire used json-c before (a tokener
 * of its own, JSON_TOKENER_STRICT | JSON_TOKENER_ALLOW_TRAILING_CHARS, then
 * only whitespace after the value), and the two must agree on accepting or
 * refusing and on every value: types, strings byte for byte, integers (and
 * their text), doubles' text, members in json-c's order with the last of a
 * duplicate name winning. The differences json_scan.c documents as
 * deliberate are the only ones let through (and json-c 0.16's U+FFFD for a
 * pair of \u escapes whose code point's low 16 bits are a surrogate's,
 * see same_text):
 *  - json-c accepts but the reader refuses: only when the text holds a
 *    number outside RFC 8259's grammar ("00", "-01", "1.", NaN, Infinity);
 *  - the reader accepts but json-c refuses: only a scalar root.
 * Also: each direct child of the root, parsed alone from its span, gives
 * the same value (page items' raw text is their span); the root compacted
 * (wire_compact) is one line json-c reads as the same value; and a cut
 * copy of the input parsed first changes nothing (no state between
 * documents). */
#include <config.h>

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "core/wire/event_parse.h"
#include "core/wire/wire_int.h"
#include "tests/fuzz/fuzz.h"

/* The old wire_parse_text, json-c's side. */
static struct json_object *oracle_parse(const char *s, size_t n)
{
	struct json_tokener *tok;
	struct json_object *root;

	if (n == 0 || n > wire_max_bytes() || memchr(s, '\0', n))
		return NULL;
	tok = json_tokener_new_ex(WIRE_MAX_DEPTH);
	fuzz_check(tok, "json_tokener_new_ex");
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_ALLOW_TRAILING_CHARS);
	root = json_tokener_parse_ex(tok, s, (int)n);
	if (root && json_tokener_get_error(tok) == json_tokener_success) {
		for (size_t i = json_tokener_get_parse_end(tok); i < n; i++) {
			if (!isspace((unsigned char)s[i])) {
				json_object_put(root);
				root = NULL;
				break;
			}
		}
	} else {
		json_object_put(root);
		root = NULL;
	}
	json_tokener_free(tok);
	return root;
}

/* RFC 8259's number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static bool rfc_number(const char *s, size_t n)
{
	size_t i = 0, d;

	if (i < n && s[i] == '-')
		i++;
	for (d = i; i < n && isdigit((unsigned char)s[i]); i++)
		;
	if (i == d || (s[d] == '0' && i > d + 1))
		return false;
	if (i < n && s[i] == '.') {
		for (d = ++i; i < n && isdigit((unsigned char)s[i]); i++)
			;
		if (i == d)
			return false;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		for (d = i; i < n && isdigit((unsigned char)s[i]); i++)
			;
		if (i == d)
			return false;
	}
	return i == n;
}

/* Whether a number token outside the strings of s (a text json-c accepted)
 * is outside RFC 8259's grammar, or is NaN or Infinity. */
static bool has_lax_number(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == 'N' || s[i] == 'I') {
			return true;
		} else if (s[i] == '"') {
			for (i++; i < n && s[i] != '"'; i++)
				if (s[i] == '\\')
					i++;
		} else if (s[i] == '-' || isdigit((unsigned char)s[i])) {
			size_t j = i;

			while (j < n && strchr("0123456789+-.eE", s[j]))
				j++;
			if (!rfc_number(s + i, j - i))
				return true;
			i = j - 1;
		}
	}
	return false;
}

/* The code point of the 4-byte UTF-8 sequence at s (n bytes left) whose
 * low 16 bits fall among the surrogates (U+1D800..U+1DFFF, U+2D800..), or
 * 0: json-c 0.16 decodes such a pair of \u escapes to one U+FFFD. */
static unsigned json_c_lost(const unsigned char *s, size_t n)
{
	unsigned cp;

	if (n < 4 || s[0] < 0xf0 || s[0] > 0xf4)
		return 0;
	cp = (unsigned)(s[0] & 7) << 18 | (unsigned)(s[1] & 0x3f) << 12 |
		(unsigned)(s[2] & 0x3f) << 6 | (s[3] & 0x3f);
	return (cp & 0xf800) == 0xd800 ? cp : 0;
}

/* Our bytes and json-c's are the same up to the first character
 * json_c_lost() names: json-c has U+FFFD there, and as it keeps the low 16
 * bits as if they were a new escape, what follows may differ too
 * ("\ud836\udfff\udfff" is U+10FFFF to it). */
static bool same_text(const char *mine, size_t mlen, const char *jc, size_t jlen)
{
	for (size_t i = 0; i < mlen; i++) {
		if (json_c_lost((const unsigned char *)mine + i, mlen - i))
			return jlen >= i && memcmp(mine, jc, i) == 0;
		if (i >= jlen || mine[i] != jc[i])
			return false;
	}
	return mlen == jlen;
}

static void same(const char *text, const struct jnode *v, struct json_object *o, const char *at);

static void same_object(const char *text, const struct jnode *v, struct json_object *o)
{
	struct json_object_iterator it = json_object_iter_begin(o);
	struct json_object_iterator end = json_object_iter_end(o);
	const struct jnode **kept = jnode_members(v);
	size_t i = 0;

	/* Names json-c turned into U+FFFD may have become one name there. */
	for (const struct jnode *m = jnode_first(v); m; m = jnode_next(v, m)) {
		for (size_t k = 0; k < m->klen; k++) {
			if (json_c_lost((const unsigned char *)m->key + k, m->klen - k)) {
				free(kept);
				return;
			}
		}
	}

	/* Each name once, in json-c's order (the first one's place), with the
	 * last one's value, which is also what jnode_get finds. */
	for (const struct jnode *m = jnode_first(v); m; m = jnode_next(v, m), i++) {
		if (!kept[i])
			continue;
		fuzz_check(!json_object_iter_equal(&it, &end), "a member json-c lacks: %s", m->key);
		fuzz_check(same_text(m->key, m->klen, json_object_iter_peek_name(&it),
				     strlen(json_object_iter_peek_name(&it))),
			   "member order: %s vs %s", json_object_iter_peek_name(&it), m->key);
		fuzz_check(i > 64 || kept[i] == jnode_get(v, m->key), "jnode_get differs for %s",
			   m->key);
		same(text, kept[i], json_object_iter_peek_value(&it), m->key);
		json_object_iter_next(&it);
	}
	free(kept);
	fuzz_check(json_object_iter_equal(&it, &end), "json-c has more members");
}

static void same(const char *text, const struct jnode *v, struct json_object *o, const char *at)
{
	enum json_type t = json_object_get_type(o);
	char *mine;

	fuzz_check(v, "no node at %s", at);
	switch (v->type) {
	case J_NULL:
		fuzz_check(t == json_type_null, "%s: null vs %s", at, json_type_to_name(t));
		break;
	case J_BOOL:
		fuzz_check(t == json_type_boolean && json_object_get_boolean(o) == v->b,
			   "%s: boolean", at);
		break;
	case J_INT:
	case J_DOUBLE:
		fuzz_check(t == (v->type == J_INT ? json_type_int : json_type_double),
			   "%s: number type %s", at, json_type_to_name(t));
		if (v->type == J_INT)
			fuzz_check(json_object_get_int64(o) == v->i, "%s: int64", at);
		mine = wire_node_text(text, v);
		fuzz_check(strcmp(mine,
				  json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN)) == 0,
			   "%s: number text %s vs %s", at, mine,
			   json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
		free(mine);
		break;
	case J_STRING:
		fuzz_check(t == json_type_string, "%s: string vs %s", at, json_type_to_name(t));
		fuzz_check(same_text(v->str, v->len, json_object_get_string(o),
				     (size_t)json_object_get_string_len(o)) &&
				   v->str[v->len] == '\0',
			   "%s: string bytes differ", at);
		break;
	case J_ARRAY: {
		size_t i = 0;

		fuzz_check(t == json_type_array, "%s: array vs %s", at, json_type_to_name(t));
		fuzz_check(json_object_array_length(o) == v->count, "%s: array length", at);
		for (const struct jnode *e = jnode_first(v); e; e = jnode_next(v, e), i++)
			same(text, e, json_object_array_get_idx(o, i), "[]");
		fuzz_check(i == v->count, "%s: children walked", at);
		break;
	}
	case J_OBJECT:
		fuzz_check(t == json_type_object, "%s: object vs %s", at, json_type_to_name(t));
		same_object(text, v, o);
		break;
	}
}

/* A value's span is exactly it: parsed alone it is the same value. */
static void check_span(const char *text, const struct jnode *v, struct json_object *o)
{
	struct pctx c;
	struct jdoc doc;
	const struct jnode *alone;
	char err[256];

	fuzz_check(v->end > v->start && !isspace((unsigned char)text[v->start]) &&
			   !isspace((unsigned char)text[v->end - 1]),
		   "span [%zu, %zu) not tight", v->start, v->end);
	wire_ctx_init(&c, err, sizeof err, "");
	alone = wire_scan(text + v->start, v->end - v->start, &c, &doc);
	fuzz_check(alone, "a span does not parse alone: %s", err);
	same(text + v->start, alone, o, "span");
	wire_doc_free(&doc);
}

/* The root compacted is one line json-c reads as the same value. */
static void check_compact(const char *text, const struct jnode *root)
{
	size_t n = root->end - root->start;
	char *line = malloc(n * 6 + 1);
	struct json_object *back;
	struct jdoc doc;
	struct pctx c;
	size_t len;

	fuzz_check(line, "malloc");
	len = (size_t)(wire_compact(text, root->start, root->end, line) - line);
	line[len] = '\0';
	for (size_t i = 0; i < len; i++)
		fuzz_check((unsigned char)line[i] >= 0x20, "a control byte in the compact text");
	back = oracle_parse(line, len);
	fuzz_check(back || (root->type != J_ARRAY && root->type != J_OBJECT),
		   "json-c refuses the compact text: %s", line);
	if (back) {
		wire_ctx_init(&c, NULL, 0, "");
		fuzz_check(wire_scan(line, len, &c, &doc), "the compact text does not parse");
		same(line, doc.nodes, back, "compact");
		same(text, root, back, "compact");
		wire_doc_free(&doc);
		json_object_put(back);
	}
	free(line);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct json_object *oracle;
	const struct jnode *root;
	struct jdoc doc;
	struct pctx c;
	char err[256];
	const struct jnode **kept;
	size_t i;

	/* A cut copy first: nothing it leaves may change the whole one. */
	if (size > 1) {
		char *cut = fuzz_strndup(data, size / 2);

		wire_ctx_init(&c, NULL, 0, "");
		if (wire_parse_text(cut, size / 2, &c, &doc))
			wire_doc_free(&doc);
		free(cut);
	}
	wire_ctx_init(&c, err, sizeof err, "");
	root = wire_parse_text(text, size, &c, &doc);
	oracle = oracle_parse(text, size);
	if (!root) {
		fuzz_check(err[0], "refused without a reason");
		if (oracle) {
			fuzz_check(has_lax_number(text, size) &&
					   (strstr(err, "bad number") ||
					    strstr(err, "unexpected character")),
				   "json-c accepts what the reader refuses: %s", err);
			json_object_put(oracle);
		}
		return 0;
	}
	if (!oracle) {
		/* json-c never finished a bare scalar root (it waits for more),
		 * and gives no tree for null: the one difference this way. */
		fuzz_check(root->type != J_OBJECT && root->type != J_ARRAY,
			   "the reader accepts what json-c refuses");
		wire_doc_free(&doc);
		return 0;
	}
	same(text, root, oracle, "root");
	kept = jnode_members(root);
	i = 0;
	for (const struct jnode *m = jnode_first(root); m; m = jnode_next(root, m), i++) {
		const struct jnode *v = m;
		struct json_object *sub = NULL;

		if (root->type == J_ARRAY) {
			sub = json_object_array_get_idx(oracle, i);
			fuzz_check(i > 64 || jnode_at(root, i) == m, "jnode_at(%zu)", i);
		} else if (!(v = kept[i])) {
			continue; /* a later duplicate: json-c kept the last one */
		} else if (!json_object_object_get_ex(oracle, v->key, &sub)) {
			continue; /* a name json-c decoded otherwise (same_object held it) */
		}
		check_span(text, v, sub);
	}
	free(kept);
	check_compact(text, root);
	json_object_put(oracle);
	wire_doc_free(&doc);
	return 0;
}
