/* The reading half's machinery: text to nodes (json_scan.c) within the
 * size, depth and syntax limits, and typed reads of fields by spec table
 * (every value's JSON type is checked). Used by the readers in
 * event_parse.c and by event_write.c for the data it copies through. */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/wire/event_parse.h"
#include "core/wire/wire_int.h"
#include "core/base/xalloc.h"

static const char *type_text(enum jtype t)
{
	switch (t) {
	case J_NULL:
		return "null";
	case J_BOOL:
		return "a boolean";
	case J_DOUBLE:
		return "a number";
	case J_INT:
		return "an integer";
	case J_OBJECT:
		return "an object";
	case J_ARRAY:
		return "an array";
	case J_STRING:
		return "a string";
	}
	return "something else";
}

const char *wire_json_kind(const struct jnode *v)
{
	return type_text(v ? v->type : J_NULL);
}

int wire_need_type(struct pctx *c, const char *name, const struct jnode *v, enum jtype t)
{
	if (!v || v->type != t)
		return wire_ctx_fail(c, name, "expected %s, got %s", type_text(t),
				     wire_json_kind(v));
	return 0;
}

/* ---- text to nodes, with the size, depth and syntax limits ---- */

static size_t parse_max_bytes = WIRE_MAX_BYTES;

void wire_set_max_bytes(size_t n)
{
	parse_max_bytes = n < 1024 ? 1024 : n > WIRE_LIMIT_MAX ? WIRE_LIMIT_MAX : n;
}

size_t wire_max_bytes(void)
{
	return parse_max_bytes;
}

const struct jnode *wire_parse_text(const char *json, size_t len, struct pctx *c, struct jdoc *doc)
{
	memset(doc, 0, sizeof *doc);
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
	/* Say what it is rather than where the parse stopped. */
	if (memchr(json, '\0', len)) {
		wire_ctx_fail(c, NULL, "body contains a NUL byte");
		return NULL;
	}
	return wire_scan(json, len, c, doc);
}

/* ---- typed reads ---- */

int wire_read_string(struct pctx *c, const char *name, const struct jnode *v, char **out)
{
	if (wire_need_type(c, name, v, J_STRING))
		return -1;
	if (strlen(v->str) != v->len)
		return wire_ctx_fail(c, name, "string contains a NUL character");
	*out = xstrndup(v->str, v->len);
	return 0;
}

int wire_read_int64(struct pctx *c, const char *name, const struct jnode *v, int64_t lo, int64_t hi,
		    int64_t *out)
{
	int64_t x;

	if (wire_need_type(c, name, v, J_INT))
		return -1;
	x = v->i;
	if (x < lo || x > hi)
		return wire_ctx_fail(c, name, "integer out of range");
	*out = x;
	return 0;
}

/* Reads one field into `base`. `v` is the value, never NULL; null values get
 * the kind's "absent" marker. */
static int read_field(struct pctx *c, const struct fspec *fs, const struct jnode *v, void *base)
{
	char *p = (char *)base + fs->off;
	int64_t x;

	if (v->type == J_NULL) {
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
		if (v->type == J_STRING) {
			const char *s = v->str;
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
		if (wire_need_type(c, fs->name, v, J_STRING))
			return -1;
		if (iso8601_parse_ms(v->str, &x))
			return wire_ctx_fail(c, fs->name, "expected an ISO-8601 time");
		*(int64_t *)(void *)p = x;
		break;
	case F_STATUS:
		if (wire_need_type(c, fs->name, v, J_STRING))
			return -1;
		/* A status this build does not know is left unset rather than
		 * refused: the rest of the snapshot is still worth having. */
		*(enum fax_status *)(void *)p = fax_status_from_name(v->str);
		break;
	case F_BOOL:
		if (wire_need_type(c, fs->name, v, J_BOOL))
			return -1;
		*(bool *)(void *)p = v->b;
		break;
	}
	if (fs->has_off)
		*(bool *)(void *)((char *)base + fs->has_off - 1) = true;
	return 0;
}

int wire_read_fields(struct pctx *c, const struct jnode *obj, const struct fspec *specs, size_t n,
		     void *base)
{
	for (size_t i = 0; i < n; i++) {
		const struct jnode *v = jnode_get(obj, specs[i].name);

		if (!v) {
			if (specs[i].required)
				return wire_ctx_fail(c, specs[i].name, "required field missing");
			continue;
		}
		if (read_field(c, &specs[i], v, base))
			return -1;
	}
	return 0;
}
