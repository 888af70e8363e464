/* Our own strict JSON reader for the reading half of core/wire: the whole
 * text once into a flat array of nodes in document order (a container's
 * children follow it, each subtree contiguous), with every string decoded
 * into one buffer the size of the text. Two allocations per document (three
 * when the node array grows), against one or more per value for a json-c
 * tree, and every node keeps its byte span in the text so a page item's raw
 * text is its span, not a re-serialisation.
 *
 * It keeps no state between documents (no static or thread-local parse
 * state): a body cut in the middle of a surrogate pair cannot change the
 * next one (json-c's tokener reset could).
 *
 * What it accepts and the values it keeps are json-c 0.16's, as core/wire
 * used it (JSON_TOKENER_STRICT, trailing bytes checked by us), found by
 * experiment and held by tests/fuzz/fuzz_json.c, which parses every input
 * with both. The deliberate differences, all where json-c is laxer or odder
 * than RFC 8259 and nothing RFC 8259 allows is refused:
 *  - numbers follow RFC 8259's grammar: json-c accepts "00", "-01", "1."
 *    and "1.e3" inside a container (but refuses "01"), and NaN, Infinity
 *    and -Infinity (which no JSON reader downstream of our raw bodies and
 *    headless lines would take);
 *  - a scalar root needs no whitespace after it: json-c, handed the text
 *    without its NUL, calls a bare `1` or `true` truncated and gives no
 *    tree for `null` (no caller wants a scalar root: they get "expected an
 *    object" instead of "invalid JSON");
 *  - json-c 0.16 turns a pair of \u escapes into one U+FFFD when the
 *    code point's low 16 bits fall among the surrogates (U+1D800..U+1DFFF,
 *    U+2D800..U+2DFFF, …: SignWriting, CJK extension F), and reads those
 *    16 bits again as an escape (so "\ud836\udfff\udfff" is U+10FFFF to
 *    it), a bug that loses real characters; the reader keeps them;
 *  - error reasons and offsets are our own wording.
 * Like json-c: a lone or reversed surrogate escape becomes U+FFFD; bytes
 * that are not UTF-8 and raw control characters in strings pass through (the
 * sanitiser and the line writer deal with them); integers beyond int64
 * saturate (above INT64_MAX they keep their uint64 value, saturated at
 * UINT64_MAX, for their text); -0 is the integer 0; a number with a
 * fraction or exponent is a double; keys compare as C strings (a key cut at
 * an escaped NUL); the last of duplicate keys wins. */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/wire/event_parse.h"
#include "core/wire/wire_int.h"
#include "core/base/xalloc.h"

struct scan {
	const char *s;
	size_t n, i;
	struct jdoc *doc;
	size_t cap;
	char *out; /* next free byte of doc->strs */
	struct pctx *c;
};

/* -1 with the reason in the context; at the end of the text, truncated. */
static int scan_fail(struct scan *sc, const char *why)
{
	if (sc->i >= sc->n)
		wire_ctx_fail(sc->c, NULL, "invalid JSON: truncated");
	else
		wire_ctx_fail(sc->c, NULL, "invalid JSON: %s at offset %zu", why, sc->i);
	return -1;
}

/* Between tokens, json-c takes these four and no other. */
static void scan_ws(struct scan *sc)
{
	while (sc->i < sc->n) {
		char ch = sc->s[sc->i];

		if (ch != ' ' && ch != '\t' && ch != '\n' && ch != '\r')
			break;
		sc->i++;
	}
}

static size_t scan_node(struct scan *sc, enum jtype t)
{
	struct jdoc *d = sc->doc;

	if (d->n == sc->cap) {
		sc->cap = sc->cap ? sc->cap * 2 : 16;
		d->nodes = xrealloc(d->nodes, sc->cap * sizeof *d->nodes);
	}
	memset(&d->nodes[d->n], 0, sizeof d->nodes[d->n]);
	d->nodes[d->n].type = t;
	d->nodes[d->n].start = sc->i;
	return d->n++;
}

static int hex4(const char *p, unsigned *out)
{
	unsigned v = 0;

	for (int k = 0; k < 4; k++) {
		char ch = p[k];

		v <<= 4;
		if (ch >= '0' && ch <= '9')
			v |= (unsigned)(ch - '0');
		else if (ch >= 'a' && ch <= 'f')
			v |= (unsigned)(ch - 'a' + 10);
		else if (ch >= 'A' && ch <= 'F')
			v |= (unsigned)(ch - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

static char *put_utf8(char *o, unsigned cp)
{
	if (cp < 0x80) {
		*o++ = (char)cp;
	} else if (cp < 0x800) {
		*o++ = (char)(0xc0 | (cp >> 6));
		*o++ = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		*o++ = (char)(0xe0 | (cp >> 12));
		*o++ = (char)(0x80 | ((cp >> 6) & 0x3f));
		*o++ = (char)(0x80 | (cp & 0x3f));
	} else {
		*o++ = (char)(0xf0 | (cp >> 18));
		*o++ = (char)(0x80 | ((cp >> 12) & 0x3f));
		*o++ = (char)(0x80 | ((cp >> 6) & 0x3f));
		*o++ = (char)(0x80 | (cp & 0x3f));
	}
	return o;
}

/* The \u escape at s[i] ('\\' at i, 'u' at i+1); advances past it (and past
 * the low half of a pair). A high surrogate not followed by a low one, or a
 * low one alone, is U+FFFD, and what follows is read as usual. */
static int scan_unicode(struct scan *sc)
{
	unsigned cp, lo;

	if (sc->n - sc->i < 6) {
		sc->i = sc->n;
		return scan_fail(sc, "");
	}
	if (hex4(sc->s + sc->i + 2, &cp)) {
		sc->i += 2;
		return scan_fail(sc, "bad \\u escape");
	}
	sc->i += 6;
	if (cp >= 0xd800 && cp <= 0xdbff && sc->n - sc->i >= 6 && sc->s[sc->i] == '\\' &&
	    sc->s[sc->i + 1] == 'u' && hex4(sc->s + sc->i + 2, &lo) == 0 && lo >= 0xdc00 &&
	    lo <= 0xdfff) {
		sc->i += 6;
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
	} else if (cp >= 0xd800 && cp <= 0xdfff) {
		cp = 0xfffd;
	}
	sc->out = put_utf8(sc->out, cp);
	return 0;
}

/* The string opening at s[i], decoded into doc->strs; its bytes and length
 * (an escaped NUL stays in it). */
static int scan_string(struct scan *sc, const char **str, size_t *len)
{
	char *start = sc->out;

	sc->i++;
	for (;;) {
		const char *p = sc->s + sc->i;
		const char *q = p;
		const char *end = sc->s + sc->n;

		/* The plain run, copied at once. */
		while (q < end && *q != '"' && *q != '\\')
			q++;
		memcpy(sc->out, p, (size_t)(q - p));
		sc->out += q - p;
		sc->i += (size_t)(q - p);
		if (sc->i >= sc->n)
			return scan_fail(sc, "");
		if (*q == '"')
			break;
		if (sc->i + 1 >= sc->n) {
			sc->i = sc->n;
			return scan_fail(sc, "");
		}
		switch (q[1]) {
		case '"':
		case '\\':
		case '/':
			*sc->out++ = q[1];
			break;
		case 'b':
			*sc->out++ = '\b';
			break;
		case 'f':
			*sc->out++ = '\f';
			break;
		case 'n':
			*sc->out++ = '\n';
			break;
		case 'r':
			*sc->out++ = '\r';
			break;
		case 't':
			*sc->out++ = '\t';
			break;
		case 'u':
			if (scan_unicode(sc))
				return -1;
			continue;
		default:
			sc->i++;
			return scan_fail(sc, "bad escape in a string");
		}
		sc->i += 2;
	}
	sc->i++;
	*len = (size_t)(sc->out - start);
	*sc->out++ = '\0';
	*str = start;
	return 0;
}

/* Whether s[a, b) (digits and an optional sign) fits in int64; the value,
 * saturated as json-c saturates, and above INT64_MAX the uint64 one. */
static void scan_int(struct jnode *v, const char *s, size_t len)
{
	char buf[32];
	bool neg = s[0] == '-';

	if (len >= sizeof buf) { /* far beyond either range */
		v->i = neg ? INT64_MIN : INT64_MAX;
		v->u = neg ? 0 : UINT64_MAX;
		v->big = !neg;
		return;
	}
	memcpy(buf, s, len);
	buf[len] = '\0';
	errno = 0;
	v->i = strtoll(buf, NULL, 10);
	if (errno == ERANGE && !neg) {
		errno = 0;
		v->u = strtoull(buf, NULL, 10);
		v->big = true;
	}
}

static size_t digits(const char *s, size_t i, size_t n)
{
	while (i < n && s[i] >= '0' && s[i] <= '9')
		i++;
	return i;
}

/* A number by RFC 8259's grammar: an integer, or a double when it has a
 * fraction or an exponent. */
static int scan_number(struct scan *sc, struct jnode *v)
{
	const char *s = sc->s;
	size_t i = sc->i, n = sc->n, d;

	if (s[i] == '-')
		i++;
	d = digits(s, i, n);
	if (d == i || (s[i] == '0' && d > i + 1)) {
		sc->i = d == i ? i : i + 1;
		return scan_fail(sc, "bad number");
	}
	i = d;
	v->type = J_INT;
	if (i < n && s[i] == '.') {
		d = digits(s, i + 1, n);
		if (d == i + 1) {
			sc->i = d;
			return scan_fail(sc, "bad number");
		}
		i = d;
		v->type = J_DOUBLE;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		d = digits(s, i, n);
		if (d == i) {
			sc->i = d;
			return scan_fail(sc, "bad number");
		}
		i = d;
		v->type = J_DOUBLE;
	}
	if (v->type == J_INT)
		scan_int(v, s + sc->i, i - sc->i);
	sc->i = i;
	return 0;
}

static int scan_word(struct scan *sc, const char *w, size_t len)
{
	for (size_t k = 0; k < len; k++, sc->i++)
		if (sc->i >= sc->n || sc->s[sc->i] != w[k])
			return scan_fail(sc, "unexpected character");
	return 0;
}

static int scan_value(struct scan *sc, int level);

/* The members of the object (or elements of the array) opening at s[i]. */
static int scan_container(struct scan *sc, size_t idx, int level, bool obj)
{
	char close = obj ? '}' : ']';
	uint32_t count = 0;

	sc->i++;
	scan_ws(sc);
	if (sc->i < sc->n && sc->s[sc->i] == close) {
		sc->i++;
		return 0;
	}
	for (;;) {
		const char *key = NULL;
		size_t klen, child;

		if (obj) {
			if (sc->i >= sc->n || sc->s[sc->i] != '"')
				return scan_fail(sc, "expected a quoted name");
			if (scan_string(sc, &key, &klen))
				return -1;
			scan_ws(sc);
			if (sc->i >= sc->n || sc->s[sc->i] != ':')
				return scan_fail(sc, "expected ':'");
			sc->i++;
			scan_ws(sc);
		}
		child = sc->doc->n;
		if (scan_value(sc, level + 1))
			return -1;
		sc->doc->nodes[child].key = key;
		if (key)
			sc->doc->nodes[child].klen =
				(uint32_t)(memchr(key, '\0', klen) ? strlen(key) : klen);
		sc->doc->nodes[idx].count = ++count;
		scan_ws(sc);
		if (sc->i < sc->n && sc->s[sc->i] == close) {
			sc->i++;
			return 0;
		}
		if (sc->i >= sc->n || sc->s[sc->i] != ',')
			return scan_fail(sc, obj ? "expected ',' or '}'" : "expected ',' or ']'");
		sc->i++;
		scan_ws(sc);
	}
}

/* The value starting at s[i] (whitespace before it already skipped), at
 * nesting level `level` (the root is 1): json-c counts every value, not
 * only containers, against the depth. */
static int scan_value(struct scan *sc, int level)
{
	size_t idx;
	int rc = 0;
	char ch;

	if (sc->i >= sc->n)
		return scan_fail(sc, "");
	if (level > WIRE_MAX_DEPTH) {
		wire_ctx_fail(sc->c, NULL, "invalid JSON: nested deeper than %d", WIRE_MAX_DEPTH);
		return -1;
	}
	ch = sc->s[sc->i];
	idx = scan_node(sc, J_NULL);
	switch (ch) {
	case '{':
	case '[':
		sc->doc->nodes[idx].type = ch == '{' ? J_OBJECT : J_ARRAY;
		rc = scan_container(sc, idx, level, ch == '{');
		break;
	case '"':
		sc->doc->nodes[idx].type = J_STRING;
		rc = scan_string(sc, &sc->doc->nodes[idx].str, &sc->doc->nodes[idx].len);
		break;
	case 't':
		sc->doc->nodes[idx].type = J_BOOL;
		sc->doc->nodes[idx].b = true;
		rc = scan_word(sc, "true", 4);
		break;
	case 'f':
		sc->doc->nodes[idx].type = J_BOOL;
		rc = scan_word(sc, "false", 5);
		break;
	case 'n':
		rc = scan_word(sc, "null", 4);
		break;
	default:
		if (ch != '-' && (ch < '0' || ch > '9'))
			return scan_fail(sc, "unexpected character");
		rc = scan_number(sc, &sc->doc->nodes[idx]);
		break;
	}
	if (rc)
		return -1;
	sc->doc->nodes[idx].end = sc->i;
	sc->doc->nodes[idx].skip = (uint32_t)(sc->doc->n - idx);
	return 0;
}

void wire_doc_free(struct jdoc *d)
{
	free(d->nodes);
	free(d->strs);
	memset(d, 0, sizeof *d);
}

const struct jnode *wire_scan(const char *json, size_t len, struct pctx *c, struct jdoc *doc)
{
	struct scan sc = { .s = json, .n = len, .doc = doc, .c = c };

	memset(doc, 0, sizeof *doc);
	/* Every string's decoded bytes and NUL fit in its span (quotes
	 * included), so one buffer the size of the text holds them all. */
	doc->strs = xmalloc(len + 1);
	sc.out = doc->strs;
	sc.cap = len / 16 + 16;
	doc->nodes = xmalloc(sc.cap * sizeof *doc->nodes);
	scan_ws(&sc);
	if (scan_value(&sc, 1))
		goto fail;
	/* After the root, any space isspace() knows (as before with json-c,
	 * whose parse ended there). */
	for (; sc.i < len; sc.i++) {
		if (!isspace((unsigned char)json[sc.i])) {
			wire_ctx_fail(c, NULL, "invalid JSON: trailing data at offset %zu", sc.i);
			goto fail;
		}
	}
	return doc->nodes;
fail:
	wire_doc_free(doc);
	return NULL;
}

/* ---- walking the nodes ---- */

const struct jnode *jnode_first(const struct jnode *v)
{
	return (v->type == J_ARRAY || v->type == J_OBJECT) && v->count ? v + 1 : NULL;
}

const struct jnode *jnode_next(const struct jnode *parent, const struct jnode *child)
{
	const struct jnode *next = child + child->skip;

	return next < parent + parent->skip ? next : NULL;
}

const struct jnode *jnode_get(const struct jnode *obj, const char *key)
{
	const struct jnode *found = NULL;
	size_t n = strlen(key);

	if (!obj || obj->type != J_OBJECT)
		return NULL;
	for (const struct jnode *m = jnode_first(obj); m; m = jnode_next(obj, m))
		if (m->klen == n && memcmp(m->key, key, n) == 0)
			found = m;
	return found;
}

struct member {
	const struct jnode *m;
	size_t pos;
};

static int same_name(const struct jnode *x, const struct jnode *y)
{
	return x->klen == y->klen && memcmp(x->key, y->key, x->klen) == 0;
}

/* By name, then by place: a name's members side by side, first to last. */
static int member_cmp(const void *a, const void *b)
{
	const struct member *x = a, *y = b;
	int d = memcmp(x->m->key, y->m->key, x->m->klen < y->m->klen ? x->m->klen : y->m->klen);

	if (d)
		return d;
	if (x->m->klen != y->m->klen)
		return x->m->klen < y->m->klen ? -1 : 1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* Sorted, not compared pairwise: a body of 40,000 tags must not cost a
 * billion key comparisons. */
const struct jnode **jnode_members(const struct jnode *obj)
{
	const struct jnode **out;
	struct member *by_name;
	size_t n = 0;

	if (!obj || obj->type != J_OBJECT || !obj->count)
		return NULL;
	out = xcalloc(obj->count, sizeof *out);
	by_name = xcalloc(obj->count, sizeof *by_name);
	for (const struct jnode *m = jnode_first(obj); m; m = jnode_next(obj, m), n++)
		by_name[n] = (struct member){ m, n };
	qsort(by_name, n, sizeof *by_name, member_cmp);
	for (size_t i = 0, j; i < n; i = j) {
		for (j = i + 1; j < n && same_name(by_name[i].m, by_name[j].m); j++)
			;
		out[by_name[i].pos] = by_name[j - 1].m;
	}
	free(by_name);
	return out;
}

const struct jnode *jnode_at(const struct jnode *arr, size_t i)
{
	const struct jnode *m = jnode_first(arr);

	while (m && i--)
		m = jnode_next(arr, m);
	return m;
}

/* ---- text back from the nodes ---- */

size_t wire_compact_room(const char *s, size_t from, size_t to)
{
	size_t room = to - from;

	for (size_t i = from; i < to; i++)
		room += (unsigned char)s[i] < 0x20 ? 5 : 0;
	return room;
}

char *wire_compact(const char *s, size_t from, size_t to, char *out)
{
	static const char hex[] = "0123456789abcdef";
	bool in_str = false;

	for (size_t i = from; i < to; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (!in_str) {
			if (ch == ' ' || ch == '\n' || ch == '\t' || ch == '\r')
				continue;
			in_str = ch == '"';
		} else if (ch >= 0x20 && ch != '"' && ch != '\\') {
			size_t j = i + 1; /* the plain run at once */

			while (j < to && (unsigned char)s[j] >= 0x20 && s[j] != '"' && s[j] != '\\')
				j++;
			memcpy(out, s + i, j - i);
			out += j - i;
			i = j - 1;
			continue;
		} else if (ch == '\\' && i + 1 < to) {
			*out++ = s[i++];
			ch = (unsigned char)s[i];
		} else if (ch == '"') {
			in_str = false;
		} else if (ch < 0x20) {
			memcpy(out, "\\u00", 4);
			out[4] = hex[ch >> 4];
			out[5] = hex[ch & 15];
			out += 6;
			continue;
		}
		*out++ = (char)ch;
	}
	return out;
}

char *wire_node_text(const char *json, const struct jnode *v)
{
	char *out;

	switch (v->type) {
	case J_NULL:
		return xstrdup("null");
	case J_BOOL:
		return xstrdup(v->b ? "true" : "false");
	case J_INT:
		if (v->big)
			return xasprintf("%llu", (unsigned long long)v->u);
		return xasprintf("%lld", (long long)v->i);
	case J_STRING:
		return xstrdup(v->str);
	case J_DOUBLE: /* json-c wrote a parsed double as it came */
	case J_ARRAY:
	case J_OBJECT:
		break;
	}
	out = xmalloc(wire_compact_room(json, v->start, v->end) + 1);
	*wire_compact(json, v->start, v->end, out) = '\0';
	return out;
}
