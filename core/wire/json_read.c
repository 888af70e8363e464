/* The reading half's machinery: text to a json-c tree within the size,
 * depth and syntax limits, the parse context that names the field being
 * read, and typed reads of fields by spec table (every value's JSON type is
 * checked). Used by the readers in event_parse.c and by event_write.c for
 * the data it copies through. */
#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "core/wire/event_parse.h"
#include "core/wire/wire_int.h"
#include "core/base/xalloc.h"

/* ---- parse context: error text and the path of the value being read ---- */

void wire_ctx_init(struct pctx *c, char *err, size_t errlen, const char *path)
{
	c->err = err;
	c->errlen = errlen;
	snprintf(c->path, sizeof c->path, "%s", path);
	if (err && errlen)
		err[0] = '\0';
}

/* Appends a path component; returns the old length for wire_ctx_pop. */
size_t wire_ctx_push(struct pctx *c, const char *fmt, ...)
{
	size_t old = strlen(c->path);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->path + old, sizeof c->path - old, fmt, ap);
	va_end(ap);
	return old;
}

void wire_ctx_pop(struct pctx *c, size_t old)
{
	c->path[old] = '\0';
}

int wire_ctx_fail(struct pctx *c, const char *field, const char *fmt, ...)
{
	char msg[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (c->err && c->errlen) {
		const char *dot = c->path[0] && field && field[0] != '[' ? "." : "";

		if (field || c->path[0])
			snprintf(c->err, c->errlen, "%s%s%s: %s", c->path, field ? dot : "",
				 field ? field : "", msg);
		else
			snprintf(c->err, c->errlen, "%s", msg);
	}
	return -1;
}

static const char *type_text(enum json_type t)
{
	switch (t) {
	case json_type_null:
		return "null";
	case json_type_boolean:
		return "a boolean";
	case json_type_double:
		return "a number";
	case json_type_int:
		return "an integer";
	case json_type_object:
		return "an object";
	case json_type_array:
		return "an array";
	case json_type_string:
		return "a string";
	}
	return "something else";
}

const char *wire_json_kind(struct json_object *v)
{
	return type_text(json_object_get_type(v));
}

int wire_need_type(struct pctx *c, const char *name, struct json_object *v, enum json_type t)
{
	if (!json_object_is_type(v, t))
		return wire_ctx_fail(c, name, "expected %s, got %s", type_text(t),
				     wire_json_kind(v));
	return 0;
}

/* ---- text to a json-c tree, with the size, depth and syntax limits ---- */

static size_t parse_max_bytes = WIRE_MAX_BYTES;

void wire_set_max_bytes(size_t n)
{
	parse_max_bytes = n < 1024 ? 1024 : n > WIRE_LIMIT_MAX ? WIRE_LIMIT_MAX : n;
}

size_t wire_max_bytes(void)
{
	return parse_max_bytes;
}

/* A tokener of its own for every body. json-c's reset leaves state behind:
 * after a body cut right after a high surrogate (\ud83d), the next body's
 * first \u escape comes out as U+FFFD plus the character, so one sender's
 * bad body would change the next body's strings. Reusing one tokener per
 * thread saved about 3% of the parse path; it is not worth that. */
static struct json_tokener *wire_tokener(void)
{
	struct json_tokener *tok = json_tokener_new_ex(WIRE_MAX_DEPTH);

	if (!tok)
		xalloc_die();
	/* Trailing bytes are checked by the caller, for a clearer message. */
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_ALLOW_TRAILING_CHARS);
	return tok;
}

struct json_object *wire_parse_text(const char *json, size_t len, struct pctx *c)
{
	struct json_tokener *tok;
	struct json_object *root;
	enum json_tokener_error jerr;

	if (!json) {
		wire_ctx_fail(c, NULL, "no body");
		return NULL;
	}
	if (len > parse_max_bytes) {
		wire_ctx_fail(c, NULL, "body too large (%zu bytes, limit %zu)", len,
			      parse_max_bytes);
		return NULL;
	}
	if (len == 0) {
		wire_ctx_fail(c, NULL, "empty body");
		return NULL;
	}
	/* json-c would stop at a NUL and call the rest trailing garbage; say
	 * what it is instead. */
	if (memchr(json, '\0', len)) {
		wire_ctx_fail(c, NULL, "body contains a NUL byte");
		return NULL;
	}
	tok = wire_tokener();
	root = json_tokener_parse_ex(tok, json, (int)len);
	jerr = json_tokener_get_error(tok);
	if (!root || jerr != json_tokener_success) {
		if (jerr == json_tokener_continue)
			wire_ctx_fail(c, NULL, "invalid JSON: truncated");
		else if (jerr == json_tokener_error_depth)
			wire_ctx_fail(c, NULL, "invalid JSON: nested deeper than %d",
				      WIRE_MAX_DEPTH);
		else
			wire_ctx_fail(c, NULL, "invalid JSON: %s at offset %zu",
				      json_tokener_error_desc(jerr),
				      json_tokener_get_parse_end(tok));
		json_object_put(root);
		json_tokener_free(tok);
		return NULL;
	}
	for (size_t i = json_tokener_get_parse_end(tok); i < len; i++) {
		if (!isspace((unsigned char)json[i])) {
			wire_ctx_fail(c, NULL, "invalid JSON: trailing data at offset %zu", i);
			json_object_put(root);
			json_tokener_free(tok);
			return NULL;
		}
	}
	json_tokener_free(tok);
	return root;
}

/* ---- typed reads ---- */

int wire_read_string(struct pctx *c, const char *name, struct json_object *v, char **out)
{
	const char *s;
	size_t n;

	if (wire_need_type(c, name, v, json_type_string))
		return -1;
	s = json_object_get_string(v);
	n = (size_t)json_object_get_string_len(v);
	if (strlen(s) != n)
		return wire_ctx_fail(c, name, "string contains a NUL character");
	*out = xstrdup(s);
	return 0;
}

int wire_read_int64(struct pctx *c, const char *name, struct json_object *v, int64_t lo, int64_t hi,
		    int64_t *out)
{
	int64_t x;

	if (wire_need_type(c, name, v, json_type_int))
		return -1;
	x = json_object_get_int64(v);
	if (x < lo || x > hi)
		return wire_ctx_fail(c, name, "integer out of range");
	*out = x;
	return 0;
}

/* Reads one field into `base`. `v` is the value, never NULL; null values get
 * the kind's "absent" marker. */
static int read_field(struct pctx *c, const struct fspec *fs, struct json_object *v, void *base)
{
	char *p = (char *)base + fs->off;
	int64_t x;

	if (json_object_is_type(v, json_type_null)) {
		if (fs->required)
			return wire_ctx_fail(c, fs->name, "must not be null");
		return 0; /* _init already holds the absent marker */
	}
	switch (fs->kind) {
	case F_STR:
	case F_LOWER: {
		char **dst = (char **)(void *)p;

		free(*dst);
		*dst = NULL;
		if (wire_read_string(c, fs->name, v, dst))
			return -1;
		if (fs->kind == F_LOWER)
			for (char *s = *dst; *s; s++)
				*s = (char)tolower((unsigned char)*s);
		break;
	}
	case F_INT:
		if (wire_read_int64(c, fs->name, v, 0, INT32_MAX, &x))
			return -1;
		*(int *)(void *)p = (int)x;
		break;
	case F_INT64:
		if (wire_read_int64(c, fs->name, v, INT64_MIN + 1, INT64_MAX, &x))
			return -1;
		*(int64_t *)(void *)p = x;
		break;
	case F_INT_STR:
		if (json_object_is_type(v, json_type_string)) {
			const char *s = json_object_get_string(v);
			char *end;
			long l;

			if (!isdigit((unsigned char)s[0]))
				return wire_ctx_fail(c, fs->name,
						     "expected an integer or a numeric string");
			l = strtol(s, &end, 10);
			if (*end != '\0' || l < 0 || l > INT32_MAX)
				return wire_ctx_fail(c, fs->name,
						     "expected an integer or a numeric string");
			x = l;
		} else if (wire_read_int64(c, fs->name, v, 0, INT32_MAX, &x)) {
			return wire_ctx_fail(c, fs->name,
					     "expected an integer or a numeric string, got %s",
					     wire_json_kind(v));
		}
		*(int *)(void *)p = (int)x;
		break;
	case F_TIME:
		if (wire_need_type(c, fs->name, v, json_type_string))
			return -1;
		if (iso8601_parse_ms(json_object_get_string(v), &x))
			return wire_ctx_fail(c, fs->name, "expected an ISO-8601 time");
		*(int64_t *)(void *)p = x;
		break;
	case F_STATUS:
		if (wire_need_type(c, fs->name, v, json_type_string))
			return -1;
		/* A status this build does not know is left unset rather than
		 * refused: the rest of the snapshot is still worth having. */
		*(enum fax_status *)(void *)p = fax_status_from_name(json_object_get_string(v));
		break;
	case F_BOOL:
		if (wire_need_type(c, fs->name, v, json_type_boolean))
			return -1;
		*(bool *)(void *)p = json_object_get_boolean(v);
		break;
	}
	if (fs->has_off)
		*(bool *)(void *)((char *)base + fs->has_off - 1) = true;
	return 0;
}

int wire_read_fields(struct pctx *c, struct json_object *obj, const struct fspec *specs, size_t n,
		     void *base)
{
	for (size_t i = 0; i < n; i++) {
		struct json_object *v;

		if (!json_object_object_get_ex(obj, specs[i].name, &v)) {
			if (specs[i].required)
				return wire_ctx_fail(c, specs[i].name, "required field missing");
			continue;
		}
		if (read_field(c, &specs[i], v, base))
			return -1;
	}
	return 0;
}
