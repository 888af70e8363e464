/* JSON at the edge: the wire formats of docs/CONTRACT.md#fax-resource, #api-errors, #balance, #events, #legacy and #assumptions into
 * the project's own structs, and back. json-c never leaves this file.
 *
 * Objects are read through field-spec tables (name, kind, offset, required);
 * every value's JSON type is checked and a failure names the field by its
 * full path, so a bad body can be explained in one log line. */
#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "core/wire/event_parse.h"
#include "core/base/sanitize.h"

/* ---- parse context: error text and the path of the value being read ---- */

struct pctx {
	char *err;
	size_t errlen;
	char path[192];
};

static void ctx_init(struct pctx *c, char *err, size_t errlen, const char *path)
{
	c->err = err;
	c->errlen = errlen;
	snprintf(c->path, sizeof(c->path), "%s", path);
	if (err && errlen)
		err[0] = '\0';
}

/* Appends a path component; returns the old length for ctx_pop. */
static size_t ctx_push(struct pctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static size_t ctx_push(struct pctx *c, const char *fmt, ...)
{
	size_t old = strlen(c->path);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->path + old, sizeof(c->path) - old, fmt, ap);
	va_end(ap);
	return old;
}

static void ctx_pop(struct pctx *c, size_t old)
{
	c->path[old] = '\0';
}

static int ctx_fail(struct pctx *c, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int ctx_fail(struct pctx *c, const char *field, const char *fmt, ...)
{
	char msg[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
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

static const char *json_kind(struct json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_null: return "null";
	case json_type_boolean: return "a boolean";
	case json_type_double: return "a number";
	case json_type_int: return "an integer";
	case json_type_object: return "an object";
	case json_type_array: return "an array";
	case json_type_string: return "a string";
	}
	return "something else";
}

/* ---- text to a json-c tree, with the size, depth and syntax limits ---- */

static size_t parse_max_bytes = EVENT_PARSE_MAX_BYTES;

void event_parse_set_max_bytes(size_t n)
{
	parse_max_bytes = n < 1024 ? 1024 : n > EVENT_PARSE_LIMIT_MAX ? EVENT_PARSE_LIMIT_MAX : n;
}

size_t event_parse_max_bytes(void)
{
	return parse_max_bytes;
}

static struct json_object *parse_text(const char *json, size_t len, struct pctx *c)
{
	struct json_tokener *tok;
	struct json_object *root;
	enum json_tokener_error jerr;

	if (!json) {
		ctx_fail(c, NULL, "no body");
		return NULL;
	}
	if (len > parse_max_bytes) {
		ctx_fail(c, NULL, "body too large (%zu bytes, limit %zu)", len, parse_max_bytes);
		return NULL;
	}
	if (len == 0) {
		ctx_fail(c, NULL, "empty body");
		return NULL;
	}
	/* json-c would stop at a NUL and call the rest trailing garbage; say
	 * what it is instead. */
	if (memchr(json, '\0', len)) {
		ctx_fail(c, NULL, "body contains a NUL byte");
		return NULL;
	}
	tok = json_tokener_new_ex(EVENT_PARSE_MAX_DEPTH);
	if (!tok) {
		ctx_fail(c, NULL, "out of memory");
		return NULL;
	}
	/* Trailing bytes are checked below, for a clearer message. */
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_ALLOW_TRAILING_CHARS);
	root = json_tokener_parse_ex(tok, json, (int)len);
	jerr = json_tokener_get_error(tok);
	if (!root || jerr != json_tokener_success) {
		if (jerr == json_tokener_continue)
			ctx_fail(c, NULL, "invalid JSON: truncated");
		else if (jerr == json_tokener_error_depth)
			ctx_fail(c, NULL, "invalid JSON: nested deeper than %d",
				 EVENT_PARSE_MAX_DEPTH);
		else
			ctx_fail(c, NULL, "invalid JSON: %s at offset %zu",
				 json_tokener_error_desc(jerr), json_tokener_get_parse_end(tok));
		json_object_put(root);
		json_tokener_free(tok);
		return NULL;
	}
	for (size_t i = json_tokener_get_parse_end(tok); i < len; i++) {
		if (!isspace((unsigned char)json[i])) {
			ctx_fail(c, NULL, "invalid JSON: trailing data at offset %zu", i);
			json_object_put(root);
			json_tokener_free(tok);
			return NULL;
		}
	}
	json_tokener_free(tok);
	return root;
}

/* ---- field specs ---- */

enum fkind {
	F_STR,        /* char * */
	F_LOWER,      /* char *, kept lowercase (error codes, docs/CONTRACT.md#tolerance) */
	F_INT,        /* int, >= 0; null → -1 */
	F_INT64,      /* int64_t, any sign; null → -1 */
	F_INT_STR,    /* int from 3 or "3" (max_attempts, docs/CONTRACT.md#tolerance); null → 0 */
	F_TIME,       /* int64_t ms from ISO-8601; null → TS_NONE */
	F_STATUS,     /* enum fax_status from its name; "sending" → in_progress */
	F_BOOL,       /* bool */
};

struct fspec {
	const char *name;
	enum fkind kind;
	size_t off;
	bool required;
	size_t has_off;   /* 1 + offset of a bool set when present, or 0 for none */
};

#define FS(type, field, kind, req) { #field, kind, offsetof(type, field), req, 0 }

static int read_string(struct pctx *c, const char *name, struct json_object *v, char **out)
{
	const char *s;
	size_t n;

	if (!json_object_is_type(v, json_type_string))
		return ctx_fail(c, name, "expected a string, got %s", json_kind(v));
	s = json_object_get_string(v);
	n = (size_t)json_object_get_string_len(v);
	if (strlen(s) != n)
		return ctx_fail(c, name, "string contains a NUL character");
	*out = strdup(s);
	if (!*out)
		return ctx_fail(c, name, "out of memory");
	return 0;
}

static int read_int64(struct pctx *c, const char *name, struct json_object *v, int64_t lo,
		      int64_t hi, int64_t *out)
{
	int64_t x;

	if (!json_object_is_type(v, json_type_int))
		return ctx_fail(c, name, "expected an integer, got %s", json_kind(v));
	x = json_object_get_int64(v);
	if (x < lo || x > hi)
		return ctx_fail(c, name, "integer out of range");
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
			return ctx_fail(c, fs->name, "must not be null");
		return 0;	/* _init already holds the absent marker */
	}
	switch (fs->kind) {
	case F_STR:
	case F_LOWER: {
		char **dst = (char **)(void *)p;

		free(*dst);
		*dst = NULL;
		if (read_string(c, fs->name, v, dst))
			return -1;
		if (fs->kind == F_LOWER)
			for (char *s = *dst; *s; s++)
				*s = (char)tolower((unsigned char)*s);
		break;
	}
	case F_INT:
		if (read_int64(c, fs->name, v, 0, INT32_MAX, &x))
			return -1;
		*(int *)(void *)p = (int)x;
		break;
	case F_INT64:
		if (read_int64(c, fs->name, v, INT64_MIN + 1, INT64_MAX, &x))
			return -1;
		*(int64_t *)(void *)p = x;
		break;
	case F_INT_STR:
		if (json_object_is_type(v, json_type_string)) {
			const char *s = json_object_get_string(v);
			char *end;
			long l;

			if (!isdigit((unsigned char)s[0]))
				return ctx_fail(c, fs->name, "expected an integer or a numeric string");
			l = strtol(s, &end, 10);
			if (*end != '\0' || l < 0 || l > INT32_MAX)
				return ctx_fail(c, fs->name, "expected an integer or a numeric string");
			x = l;
		} else if (read_int64(c, fs->name, v, 0, INT32_MAX, &x)) {
			return ctx_fail(c, fs->name, "expected an integer or a numeric string, got %s",
					json_kind(v));
		}
		*(int *)(void *)p = (int)x;
		break;
	case F_TIME:
		if (!json_object_is_type(v, json_type_string))
			return ctx_fail(c, fs->name, "expected a string, got %s", json_kind(v));
		if (iso8601_parse_ms(json_object_get_string(v), &x))
			return ctx_fail(c, fs->name, "expected an ISO-8601 time");
		*(int64_t *)(void *)p = x;
		break;
	case F_STATUS:
		if (!json_object_is_type(v, json_type_string))
			return ctx_fail(c, fs->name, "expected a string, got %s", json_kind(v));
		/* A status this build does not know is left unset rather than
		 * refused: the rest of the snapshot is still worth having. */
		*(enum fax_status *)(void *)p = fax_status_from_name(json_object_get_string(v));
		break;
	case F_BOOL:
		if (!json_object_is_type(v, json_type_boolean))
			return ctx_fail(c, fs->name, "expected a boolean, got %s", json_kind(v));
		*(bool *)(void *)p = json_object_get_boolean(v);
		break;
	}
	if (fs->has_off)
		*(bool *)(void *)((char *)base + fs->has_off - 1) = true;
	return 0;
}

static int read_fields(struct pctx *c, struct json_object *obj, const struct fspec *specs,
		       size_t n, void *base)
{
	for (size_t i = 0; i < n; i++) {
		struct json_object *v;

		if (!json_object_object_get_ex(obj, specs[i].name, &v)) {
			if (specs[i].required)
				return ctx_fail(c, specs[i].name, "required field missing");
			continue;
		}
		if (read_field(c, &specs[i], v, base))
			return -1;
	}
	return 0;
}

#define NSPECS(a) (sizeof(a) / sizeof((a)[0]))

static const struct fspec attempt_specs[] = {
	{ "attempt_number", F_INT, offsetof(struct fax_attempt, number), false, 0 },
	FS(struct fax_attempt, started_at, F_TIME, false),
	FS(struct fax_attempt, completed_at, F_TIME, false),
	FS(struct fax_attempt, duration_ms, F_INT64, false),
	FS(struct fax_attempt, error_code, F_LOWER, false),
	FS(struct fax_attempt, error_subcode, F_STR, false),
	FS(struct fax_attempt, error_message, F_STR, false),
};

static const struct fspec fax_specs[] = {
	FS(struct fax, id, F_STR, true),
	FS(struct fax, status, F_STATUS, false),
	FS(struct fax, to, F_STR, false),
	FS(struct fax, pages, F_INT, false),
	FS(struct fax, error_code, F_LOWER, false),
	FS(struct fax, error_subcode, F_STR, false),
	FS(struct fax, error_message, F_STR, false),
	FS(struct fax, max_attempts, F_INT_STR, false),
	FS(struct fax, webhook_url, F_STR, false),
	FS(struct fax, idempotency_key, F_STR, false),
	FS(struct fax, csid, F_STR, false),
	FS(struct fax, page_size, F_STR, false),
	FS(struct fax, resolution, F_STR, false),
	FS(struct fax, optimize_for, F_STR, false),
	FS(struct fax, resent_from, F_STR, false),
	FS(struct fax, submitted_at, F_TIME, false),
	FS(struct fax, completed_at, F_TIME, false),
	FS(struct fax, created_at, F_TIME, false),
	FS(struct fax, updated_at, F_TIME, false),
};

static const struct fspec balance_specs[] = {
	{ "available", F_INT64, offsetof(struct balance_snapshot, available), false,
	  1 + offsetof(struct balance_snapshot, has_available) },
	{ "held", F_INT64, offsetof(struct balance_snapshot, held), false,
	  1 + offsetof(struct balance_snapshot, has_held) },
	FS(struct balance_snapshot, environment_id, F_STR, false),
	FS(struct balance_snapshot, currency, F_STR, false),
	FS(struct balance_snapshot, type, F_STR, false),
};

/* ---- objects ---- */

static int need_object(struct pctx *c, const char *name, struct json_object *v)
{
	if (!json_object_is_type(v, json_type_object))
		return ctx_fail(c, name, "expected an object, got %s", json_kind(v));
	return 0;
}

static int parse_attempts(struct pctx *c, struct json_object *arr, struct fax *f)
{
	size_t n;

	if (json_object_is_type(arr, json_type_null))
		return 0;
	if (!json_object_is_type(arr, json_type_array))
		return ctx_fail(c, "attempts", "expected an array, got %s", json_kind(arr));
	n = json_object_array_length(arr);
	if (n == 0)
		return 0;
	f->attempts = calloc(n, sizeof(*f->attempts));
	if (!f->attempts)
		return ctx_fail(c, "attempts", "out of memory");
	for (size_t i = 0; i < n; i++) {
		struct json_object *item = json_object_array_get_idx(arr, i);
		size_t old = ctx_push(c, "%sattempts[%zu]", c->path[0] ? "." : "", i);
		int rc;

		fax_attempt_init(&f->attempts[i]);
		f->n_attempts = i + 1;
		rc = need_object(c, NULL, item);
		if (!rc)
			rc = read_fields(c, item, attempt_specs, NSPECS(attempt_specs),
					 &f->attempts[i]);
		ctx_pop(c, old);
		if (rc)
			return -1;
	}
	return 0;
}

static int add_tag(struct pctx *c, struct fax *f, const char *key, struct json_object *val)
{
	struct fax_tag *t = &f->tags[f->n_tags];
	char name[80];

	snprintf(name, sizeof(name), "tags.%s", key);
	t->key = strdup(key);
	if (!t->key)
		return ctx_fail(c, "tags", "out of memory");
	f->n_tags++;
	if (!val || json_object_is_type(val, json_type_null)) {
		t->value = strdup("");
		if (!t->value)
			return ctx_fail(c, "tags", "out of memory");
		return 0;
	}
	/* Tag values are strings by contract; numbers and booleans are kept
	 * as their JSON text rather than refusing the whole snapshot. */
	if (json_object_is_type(val, json_type_object) || json_object_is_type(val, json_type_array))
		return ctx_fail(c, name, "expected a string, got %s", json_kind(val));
	if (json_object_is_type(val, json_type_string))
		return read_string(c, name, val, &t->value);
	t->value = strdup(json_object_to_json_string_ext(val, JSON_C_TO_STRING_PLAIN));
	if (!t->value)
		return ctx_fail(c, "tags", "out of memory");
	return 0;
}

/* Tags come as a map in responses and as an array of strings on input
 * (docs/CONTRACT.md#tolerance); both become key/value pairs. */
static int parse_tags(struct pctx *c, struct json_object *v, struct fax *f)
{
	size_t n;

	if (json_object_is_type(v, json_type_null))
		return 0;
	if (json_object_is_type(v, json_type_array)) {
		n = json_object_array_length(v);
		if (!n)
			return 0;
		f->tags = calloc(n, sizeof(*f->tags));
		if (!f->tags)
			return ctx_fail(c, "tags", "out of memory");
		for (size_t i = 0; i < n; i++) {
			struct json_object *item = json_object_array_get_idx(v, i);
			char name[32];

			snprintf(name, sizeof(name), "tags[%zu]", i);
			if (!json_object_is_type(item, json_type_string))
				return ctx_fail(c, name, "expected a string, got %s", json_kind(item));
			if (strlen(json_object_get_string(item)) !=
			    (size_t)json_object_get_string_len(item))
				return ctx_fail(c, name, "string contains a NUL character");
			if (add_tag(c, f, json_object_get_string(item), NULL))
				return -1;
		}
		return 0;
	}
	if (!json_object_is_type(v, json_type_object))
		return ctx_fail(c, "tags", "expected an object or an array, got %s", json_kind(v));
	n = (size_t)json_object_object_length(v);
	if (!n)
		return 0;
	f->tags = calloc(n, sizeof(*f->tags));
	if (!f->tags)
		return ctx_fail(c, "tags", "out of memory");
	json_object_object_foreach(v, key, val) {
		if (add_tag(c, f, key, val))
			return -1;
	}
	return 0;
}

static int fax_from_obj(struct pctx *c, struct json_object *obj, struct fax *f)
{
	struct json_object *v;

	fax_init(f);
	if (need_object(c, NULL, obj))
		return -1;
	if (read_fields(c, obj, fax_specs, NSPECS(fax_specs), f))
		goto fail;
	if (!f->id[0]) {
		ctx_fail(c, "id", "must not be empty");
		goto fail;
	}
	if (json_object_object_get_ex(obj, "attempts", &v) && parse_attempts(c, v, f))
		goto fail;
	if (json_object_object_get_ex(obj, "tags", &v) && parse_tags(c, v, f))
		goto fail;
	return 0;
fail:
	fax_done(f);
	return -1;
}

static int balance_from_obj(struct pctx *c, struct json_object *obj, struct balance_snapshot *b)
{
	struct json_object *v;

	balance_snapshot_init(b);
	if (need_object(c, NULL, obj))
		return -1;
	if (read_fields(c, obj, balance_specs, NSPECS(balance_specs), b))
		goto fail;
	/* docs/CONTRACT.md#balance mentions the pool as `balance_type`; accept it for `type`. */
	if (!b->type && json_object_object_get_ex(obj, "balance_type", &v) &&
	    !json_object_is_type(v, json_type_null) && read_string(c, "balance_type", v, &b->type))
		goto fail;
	if (json_object_object_get_ex(obj, "auto_top_up", &v) &&
	    !json_object_is_type(v, json_type_null)) {
		static const struct fspec names[] = {
			{ "enabled", F_BOOL, offsetof(struct balance_snapshot, auto_top_up_enabled), false, 0 },
			{ "threshold_amount", F_INT64,
			  offsetof(struct balance_snapshot, auto_top_up_threshold), false, 0 },
		};
		size_t old = ctx_push(c, "%sauto_top_up", c->path[0] ? "." : "");
		int rc = need_object(c, NULL, v);

		if (!rc)
			rc = read_fields(c, v, names, NSPECS(names), b);
		ctx_pop(c, old);
		if (rc)
			goto fail;
	}
	if (!b->has_available && !b->has_held) {
		ctx_fail(c, "available", "required field missing");
		goto fail;
	}
	return 0;
fail:
	balance_snapshot_done(b);
	return -1;
}

/* A fax without a status takes the one its event implies: the generated
 * examples omit `status` although the schema marks it required (docs/CONTRACT.md#fax-resource). */
static void fax_status_from_event(struct event *ev)
{
	if (ev->fax.status == FAX_STATUS_NONE)
		ev->fax.status = event_type_status(ev->type);
}

static bool looks_like_fax(struct json_object *obj)
{
	struct json_object *v;

	return json_object_is_type(obj, json_type_object) &&
	       json_object_object_get_ex(obj, "id", &v) &&
	       json_object_is_type(v, json_type_string) &&
	       (json_object_object_get_ex(obj, "status", NULL) ||
		json_object_object_get_ex(obj, "to", NULL) ||
		json_object_object_get_ex(obj, "attempts", NULL));
}

static bool looks_like_balance(struct json_object *obj)
{
	return json_object_is_type(obj, json_type_object) &&
	       json_object_object_get_ex(obj, "available", NULL) &&
	       !json_object_object_get_ex(obj, "attempts", NULL);
}

/* Fills ev->fax or ev->balance from the object of an event of ev->type. */
static int event_object(struct pctx *c, struct event *ev, struct json_object *obj)
{
	if (event_type_is_fax(ev->type)) {
		if (fax_from_obj(c, obj, &ev->fax))
			return -1;
		ev->object = EVOBJ_FAX;
		fax_status_from_event(ev);
		return 0;
	}
	if (ev->type == EV_BALANCE_LOW || ev->type == EV_BALANCE_TOPUP) {
		if (balance_from_obj(c, obj, &ev->balance))
			return -1;
		ev->object = EVOBJ_BALANCE;
		return 0;
	}
	/* An unknown type is kept (new types arrive under new names, docs/CONTRACT.md#events);
	 * its object is kept only when it reads cleanly as one we know. */
	if (looks_like_fax(obj)) {
		struct pctx quiet;

		ctx_init(&quiet, NULL, 0, "");
		if (fax_from_obj(&quiet, obj, &ev->fax) == 0)
			ev->object = EVOBJ_FAX;
	} else if (looks_like_balance(obj)) {
		struct pctx quiet;

		ctx_init(&quiet, NULL, 0, "");
		if (balance_from_obj(&quiet, obj, &ev->balance) == 0)
			ev->object = EVOBJ_BALANCE;
	}
	return 0;
}

/* A required, non-empty string member of root. */
static int read_required_string(struct pctx *c, const char *name, struct json_object *root,
				char **out)
{
	struct json_object *v;

	if (!json_object_object_get_ex(root, name, &v))
		return ctx_fail(c, name, "required field missing");
	if (read_string(c, name, v, out))
		return -1;
	if (!(*out)[0])
		return ctx_fail(c, name, "must not be empty");
	return 0;
}

static int read_type(struct pctx *c, const char *name, struct json_object *root, struct event *ev)
{
	if (read_required_string(c, name, root, &ev->type_name))
		return -1;
	ev->type = event_type_from_name(ev->type_name);
	return 0;
}

static int current_envelope(struct pctx *c, struct json_object *root, struct event *ev)
{
	struct json_object *v, *data, *obj;

	if (read_required_string(c, "id", root, &ev->id) || read_type(c, "type", root, ev))
		return -1;
	if (!json_object_object_get_ex(root, "created", &v))
		return ctx_fail(c, "created", "required field missing");
	if (read_int64(c, "created", v, 0, INT64_MAX / 1000, &ev->created))
		return -1;
	if (!json_object_object_get_ex(root, "data", &data)) {
		if (ev->type == EV_UNKNOWN)
			return 0;
		return ctx_fail(c, "data", "required field missing");
	}
	if (need_object(c, "data", data))
		return -1;
	if (!json_object_object_get_ex(data, "object", &obj)) {
		if (ev->type == EV_UNKNOWN)
			return 0;
		return ctx_fail(c, "data.object", "required field missing");
	}
	if (ev->type != EV_UNKNOWN && need_object(c, "data.object", obj))
		return -1;
	ctx_push(c, "%sdata.object", c->path[0] ? "." : "");
	return event_object(c, ev, obj);
}

/* {event_id, event, timestamp (ISO or unix seconds), data: <the fax>} (docs/CONTRACT.md#legacy). */
static int legacy_envelope(struct pctx *c, struct json_object *root, struct event *ev)
{
	struct json_object *v, *data, *obj;

	ev->legacy = true;
	if (read_required_string(c, "event_id", root, &ev->id) || read_type(c, "event", root, ev))
		return -1;
	if (!json_object_object_get_ex(root, "timestamp", &v))
		return ctx_fail(c, "timestamp", "required field missing");
	if (json_object_is_type(v, json_type_string)) {
		int64_t ms;

		if (iso8601_parse_ms(json_object_get_string(v), &ms) || ms < 0)
			return ctx_fail(c, "timestamp", "expected an ISO-8601 time or unix seconds");
		ev->created = ms / 1000;
	} else if (read_int64(c, "timestamp", v, 0, INT64_MAX / 1000, &ev->created)) {
		return -1;
	}
	if (!json_object_object_get_ex(root, "data", &data)) {
		if (ev->type == EV_UNKNOWN)
			return 0;
		return ctx_fail(c, "data", "required field missing");
	}
	if (need_object(c, "data", data))
		return -1;
	/* The transitional envelope sometimes nests the object as in the
	 * current one. */
	if (json_object_object_get_ex(data, "object", &obj) &&
	    json_object_is_type(obj, json_type_object)) {
		ctx_push(c, "%sdata.object", c->path[0] ? "." : "");
		return event_object(c, ev, obj);
	}
	ctx_push(c, "%sdata", c->path[0] ? "." : "");
	return event_object(c, ev, data);
}

static int event_from_obj(struct pctx *c, struct json_object *root, struct event *ev)
{
	int rc;

	event_init(ev);
	if (need_object(c, NULL, root))
		return -1;
	if (!json_object_object_get_ex(root, "id", NULL) &&
	    (json_object_object_get_ex(root, "event_id", NULL) ||
	     json_object_object_get_ex(root, "event", NULL)))
		rc = legacy_envelope(c, root, ev);
	else
		rc = current_envelope(c, root, ev);
	if (rc)
		event_done(ev);
	return rc;
}

/* ---- public parsers ---- */

/* Reads one document and hands its root to one of the *_doc functions
 * below; the tree is freed after. */
typedef int (*doc_fn)(struct pctx *c, struct json_object *root, void *out);

static int parse_doc(const char *json, size_t len, char *err, size_t errlen, doc_fn fn,
		     void *out)
{
	struct pctx c;
	struct json_object *root;
	int rc;

	ctx_init(&c, err, errlen, "");
	root = parse_text(json, len, &c);
	if (!root)
		return -1;
	rc = fn(&c, root, out);
	json_object_put(root);
	return rc;
}

static int event_doc(struct pctx *c, struct json_object *root, void *out)
{
	return event_from_obj(c, root, out);
}

int event_parse(const char *json, size_t len, struct event *out, char *err, size_t errlen)
{
	event_init(out);
	return parse_doc(json, len, err, errlen, event_doc, out);
}

static int fax_doc(struct pctx *c, struct json_object *root, void *out)
{
	return fax_from_obj(c, root, out);
}

int fax_parse(const char *json, size_t len, struct fax *out, char *err, size_t errlen)
{
	fax_init(out);
	return parse_doc(json, len, err, errlen, fax_doc, out);
}

/* A whole balance.* event or a bare snapshot. */
static int balance_doc(struct pctx *c, struct json_object *root, void *out)
{
	struct json_object *obj = NULL, *data;

	if (json_object_is_type(root, json_type_object) &&
	    json_object_object_get_ex(root, "data", &data) &&
	    json_object_is_type(data, json_type_object) &&
	    json_object_object_get_ex(data, "object", &obj)) {
		ctx_push(c, "data.object");
	} else {
		obj = root;
	}
	return balance_from_obj(c, obj, out);
}

int balance_parse(const char *json, size_t len, struct balance_snapshot *out, char *err,
		  size_t errlen)
{
	balance_snapshot_init(out);
	return parse_doc(json, len, err, errlen, balance_doc, out);
}

/* The envelope of a list: data, has_more, next_cursor; allocates *items for
 * the data array's *n elements of item_size bytes. */
static int page_meta(struct pctx *c, struct json_object *root, struct json_object **data,
		     bool *has_more, char **next_cursor, void **items, size_t item_size, size_t *n)
{
	struct json_object *v;

	if (need_object(c, NULL, root))
		return -1;
	if (!json_object_object_get_ex(root, "data", data))
		return ctx_fail(c, "data", "required field missing");
	if (!json_object_is_type(*data, json_type_array))
		return ctx_fail(c, "data", "expected an array, got %s", json_kind(*data));
	if (json_object_object_get_ex(root, "has_more", &v) &&
	    !json_object_is_type(v, json_type_null)) {
		if (!json_object_is_type(v, json_type_boolean))
			return ctx_fail(c, "has_more", "expected a boolean, got %s", json_kind(v));
		*has_more = json_object_get_boolean(v);
	}
	if (json_object_object_get_ex(root, "next_cursor", &v) &&
	    !json_object_is_type(v, json_type_null) && read_string(c, "next_cursor", v, next_cursor))
		return -1;
	*n = json_object_array_length(*data);
	if (*n && !(*items = calloc(*n, item_size)))
		return ctx_fail(c, "data", "out of memory");
	return 0;
}

/* An item that is not an event is kept as a bad item: its reason, and its
 * id, which can still serve as the cursor. */
static int event_page_item(struct pctx *c, struct json_object *item, struct event_page_item *it)
{
	struct json_object *id;
	const char *text;
	size_t tlen;

	if (event_from_obj(c, item, &it->ev)) {
		it->error = strdup(c->err && c->errlen && c->err[0] ? c->err : "not an event");
		if (c->err && c->errlen)
			c->err[0] = '\0';
		if (!it->error)
			return ctx_fail(c, NULL, "out of memory");
		if (json_object_object_get_ex(item, "id", &id) &&
		    json_object_is_type(id, json_type_string))
			it->ev.id = strdup(json_object_get_string(id));
	}
	/* The poller has no raw bytes to keep, only the tree; its compact
	 * text stands for them. */
	text = json_object_to_json_string_length(item, JSON_C_TO_STRING_PLAIN |
						 JSON_C_TO_STRING_NOSLASHESCAPE, &tlen);
	it->raw = text ? strndup(text, tlen) : NULL;
	if (!it->raw)
		return ctx_fail(c, NULL, "out of memory");
	it->raw_len = tlen;
	return 0;
}

static int event_page_doc(struct pctx *c, struct json_object *root, void *arg)
{
	struct event_page *out = arg;
	struct json_object *data;
	size_t n = 0;

	if (page_meta(c, root, &data, &out->has_more, &out->next_cursor, (void **)&out->items,
		      sizeof(*out->items), &n))
		goto fail;
	for (size_t i = 0; i < n; i++) {
		size_t old = ctx_push(c, "data[%zu]", i);

		out->n = i + 1;
		if (event_page_item(c, json_object_array_get_idx(data, i), &out->items[i]))
			goto fail;
		ctx_pop(c, old);
	}
	return 0;
fail:
	event_page_done(out);
	return -1;
}

int event_page_parse(const char *json, size_t len, struct event_page *out, char *err,
		     size_t errlen)
{
	memset(out, 0, sizeof(*out));
	return parse_doc(json, len, err, errlen, event_page_doc, out);
}

void event_page_done(struct event_page *p)
{
	for (size_t i = 0; i < p->n; i++) {
		event_done(&p->items[i].ev);
		free(p->items[i].raw);
		free(p->items[i].error);
	}
	free(p->items);
	free(p->next_cursor);
	memset(p, 0, sizeof(*p));
}

static int fax_page_doc(struct pctx *c, struct json_object *root, void *arg)
{
	struct fax_page *out = arg;
	struct json_object *data;
	size_t n = 0;

	if (page_meta(c, root, &data, &out->has_more, &out->next_cursor, (void **)&out->items,
		      sizeof(*out->items), &n))
		goto fail;
	for (size_t i = 0; i < n; i++) {
		size_t old = ctx_push(c, "data[%zu]", i);

		if (fax_from_obj(c, json_object_array_get_idx(data, i), &out->items[i]))
			goto fail;
		out->n = i + 1;
		ctx_pop(c, old);
	}
	return 0;
fail:
	fax_page_done(out);
	return -1;
}

int fax_page_parse(const char *json, size_t len, struct fax_page *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	return parse_doc(json, len, err, errlen, fax_page_doc, out);
}

void fax_page_done(struct fax_page *p)
{
	for (size_t i = 0; i < p->n; i++)
		fax_done(&p->items[i]);
	free(p->items);
	free(p->next_cursor);
	memset(p, 0, sizeof(*p));
}

/* ---- error envelope (docs/CONTRACT.md#api-errors) ---- */

static void copy_str_field(struct json_object *obj, const char *name, char *dst, size_t dlen)
{
	struct json_object *v;

	dst[0] = '\0';
	if (json_object_object_get_ex(obj, name, &v) && json_object_is_type(v, json_type_string))
		snprintf(dst, dlen, "%s", json_object_get_string(v));
}

static void details_append(char *dst, size_t dlen, const char *field, struct json_object *msg)
{
	size_t used = strlen(dst);
	const char *text;

	if (json_object_is_type(msg, json_type_string))
		text = json_object_get_string(msg);
	else if (json_object_is_type(msg, json_type_null))
		text = "invalid";
	else
		text = json_object_to_json_string_ext(msg, JSON_C_TO_STRING_PLAIN);
	if (used >= dlen - 1)
		return;
	if (field)
		snprintf(dst + used, dlen - used, "%s%s: %s", used ? "; " : "", field, text);
	else
		snprintf(dst + used, dlen - used, "%s%s", used ? "; " : "", text);
}

/* context.errors is {field: "msg"} or {field: ["msg", …]} or ["msg", …]. */
static void flatten_errors(struct json_object *errs, char *dst, size_t dlen)
{
	if (json_object_is_type(errs, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(errs); i++)
			details_append(dst, dlen, NULL, json_object_array_get_idx(errs, i));
		return;
	}
	if (!json_object_is_type(errs, json_type_object))
		return;
	json_object_object_foreach(errs, key, val) {
		if (json_object_is_type(val, json_type_array)) {
			for (size_t i = 0; i < json_object_array_length(val); i++)
				details_append(dst, dlen, key, json_object_array_get_idx(val, i));
		} else {
			details_append(dst, dlen, key, val);
		}
	}
}

int api_error_parse(const char *json, size_t len, struct api_error *out)
{
	struct pctx c;
	struct json_object *root, *v, *ctx, *errs;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	ctx_init(&c, NULL, 0, "");
	root = parse_text(json, len, &c);
	if (!root)
		return -1;
	if (json_object_is_type(root, json_type_object) &&
	    json_object_object_get_ex(root, "error", &v) && json_object_is_type(v, json_type_string)) {
		copy_str_field(root, "error", out->error, sizeof(out->error));
		copy_str_field(root, "message", out->message, sizeof(out->message));
		copy_str_field(root, "action", out->action, sizeof(out->action));
		copy_str_field(root, "request_id", out->request_id, sizeof(out->request_id));
		copy_str_field(root, "docs", out->docs, sizeof(out->docs));
		if (json_object_object_get_ex(root, "context", &ctx) &&
		    json_object_is_type(ctx, json_type_object) &&
		    json_object_object_get_ex(ctx, "errors", &errs))
			flatten_errors(errs, out->details, sizeof(out->details));
		rc = out->error[0] ? 0 : -1;
	}
	json_object_put(root);
	return rc;
}

/* ---- serialisers ---- */

static struct json_object *jstr(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

struct json_object *json_time(int64_t ms)
{
	char buf[40];

	if (ms == TS_NONE)
		return NULL;
	iso8601_format_ms(ms, buf, sizeof(buf));
	return json_object_new_string(buf);
}

static char *to_text(struct json_object *obj)
{
	const char *s;
	char *out;

	if (!obj)
		return NULL;
	s = json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN |
					   JSON_C_TO_STRING_NOSLASHESCAPE);
	out = s ? strdup(s) : NULL;
	json_object_put(obj);
	return out;
}

static struct json_object *attempt_obj(const struct fax_attempt *a)
{
	struct json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	json_object_object_add(o, "attempt_number", json_object_new_int(a->number));
	json_object_object_add(o, "started_at", json_time(a->started_at));
	json_object_object_add(o, "completed_at", json_time(a->completed_at));
	json_object_object_add(o, "duration_ms",
			       a->duration_ms >= 0 ? json_object_new_int64(a->duration_ms) : NULL);
	json_object_object_add(o, "error_code", jstr(a->error_code));
	json_object_object_add(o, "error_subcode", jstr(a->error_subcode));
	json_object_object_add(o, "error_message", jstr(a->error_message));
	return o;
}

static struct json_object *fax_obj(const struct fax *f)
{
	struct json_object *o = json_object_new_object(), *arr, *tags;

	if (!o)
		return NULL;
	json_object_object_add(o, "id", jstr(f->id));
	json_object_object_add(o, "status", f->status != FAX_STATUS_NONE ?
			       json_object_new_string(fax_status_name(f->status)) : NULL);
	json_object_object_add(o, "to", jstr(f->to));
	json_object_object_add(o, "pages", f->pages >= 0 ? json_object_new_int(f->pages) : NULL);
	json_object_object_add(o, "error_code", jstr(f->error_code));
	json_object_object_add(o, "error_subcode", jstr(f->error_subcode));
	json_object_object_add(o, "error_message", jstr(f->error_message));
	json_object_object_add(o, "max_attempts",
			       f->max_attempts > 0 ? json_object_new_int(f->max_attempts) : NULL);
	arr = json_object_new_array();
	for (size_t i = 0; arr && i < f->n_attempts; i++)
		json_object_array_add(arr, attempt_obj(&f->attempts[i]));
	json_object_object_add(o, "attempts", arr);
	json_object_object_add(o, "webhook_url", jstr(f->webhook_url));
	json_object_object_add(o, "idempotency_key", jstr(f->idempotency_key));
	tags = json_object_new_object();
	for (size_t i = 0; tags && i < f->n_tags; i++)
		if (f->tags[i].key)
			json_object_object_add(tags, f->tags[i].key,
					       json_object_new_string(f->tags[i].value ?
								      f->tags[i].value : ""));
	json_object_object_add(o, "tags", tags);
	json_object_object_add(o, "csid", jstr(f->csid));
	json_object_object_add(o, "page_size", jstr(f->page_size));
	json_object_object_add(o, "resolution", jstr(f->resolution));
	json_object_object_add(o, "optimize_for", jstr(f->optimize_for));
	if (f->resent_from)
		json_object_object_add(o, "resent_from", jstr(f->resent_from));
	json_object_object_add(o, "submitted_at", json_time(f->submitted_at));
	json_object_object_add(o, "completed_at", json_time(f->completed_at));
	json_object_object_add(o, "created_at", json_time(f->created_at));
	json_object_object_add(o, "updated_at", json_time(f->updated_at));
	return o;
}

static struct json_object *balance_obj(const struct balance_snapshot *b)
{
	struct json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	if (b->environment_id)
		json_object_object_add(o, "environment_id", jstr(b->environment_id));
	/* Absent stays absent: "unknown" must not turn into 0 cents. */
	if (b->has_available)
		json_object_object_add(o, "available", json_object_new_int64(b->available));
	if (b->has_held)
		json_object_object_add(o, "held", json_object_new_int64(b->held));
	if (b->currency)
		json_object_object_add(o, "currency", jstr(b->currency));
	if (b->type)
		json_object_object_add(o, "type", jstr(b->type));
	return o;
}

char *fax_to_json(const struct fax *f)
{
	return to_text(fax_obj(f));
}

char *balance_to_json(const struct balance_snapshot *b)
{
	return to_text(balance_obj(b));
}

static struct json_object *event_data_obj(const struct event *ev)
{
	struct json_object *data = json_object_new_object();

	if (!data)
		return NULL;
	if (ev->object == EVOBJ_FAX)
		json_object_object_add(data, "object", fax_obj(&ev->fax));
	else if (ev->object == EVOBJ_BALANCE)
		json_object_object_add(data, "object", balance_obj(&ev->balance));
	return data;
}

static const char *event_type_text(const struct event *ev)
{
	if (ev->type_name)
		return ev->type_name;
	return event_type_name(ev->type);
}

char *event_to_json(const struct event *ev)
{
	struct json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	json_object_object_add(o, "id", jstr(ev->id));
	json_object_object_add(o, "type", json_object_new_string(event_type_text(ev)));
	json_object_object_add(o, "created", json_object_new_int64(ev->created));
	json_object_object_add(o, "data", event_data_obj(ev));
	return to_text(o);
}

/* ---- the raw "data" of a body, found without building a tree ---- */

static size_t raw_ws(const char *s, size_t i, size_t n)
{
	while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
		i++;
	return i;
}

/* End (one past the closing quote) of the string opening at s[i], or 0 when
 * it does not end or holds a raw control byte. */
static size_t raw_string(const char *s, size_t i, size_t n)
{
	for (i++; i < n; i++) {
		if ((unsigned char)s[i] < 0x20)
			return 0;
		if (s[i] == '\\')
			i++;
		else if (s[i] == '"')
			return i + 1;
	}
	return 0;
}

/* End of the value starting at s[i], or 0. */
static size_t raw_value(const char *s, size_t i, size_t n)
{
	int depth = 0;

	if (i >= n)
		return 0;
	if (s[i] != '{' && s[i] != '[') {
		if (s[i] == '"')
			return raw_string(s, i, n);
		while (i < n && !strchr(",}] \t\r\n", s[i]))
			i++;
		return i;
	}
	for (; i < n; i++) {
		if (s[i] == '"') {
			size_t e = raw_string(s, i, n);

			if (!e)
				return 0;
			i = e - 1;
		} else if ((unsigned char)s[i] < 0x20 && !strchr("\t\r\n", s[i])) {
			return 0;
		} else if (s[i] == '{' || s[i] == '[') {
			if (++depth > EVENT_PARSE_MAX_DEPTH)
				return 0;
		} else if ((s[i] == '}' || s[i] == ']') && --depth == 0) {
			return i + 1;
		}
	}
	return 0;
}

/* The span of the top-level "data" member of a JSON object (the last one,
 * as json-c keeps). 0 found, -1 not found or not simple enough. */
static int raw_data_span(const char *s, size_t n, size_t *from, size_t *to)
{
	size_t i = raw_ws(s, 0, n), k, v;
	bool found = false;

	if (i >= n || s[i] != '{')
		return -1;
	for (i = raw_ws(s, i + 1, n); i < n && s[i] != '}'; ) {
		if (s[i] != '"' || !(k = raw_string(s, i, n)))
			return -1;
		bool is_data = k - i == 6 && memcmp(s + i, "\"data\"", 6) == 0;

		i = raw_ws(s, k, n);
		if (i >= n || s[i] != ':')
			return -1;
		i = raw_ws(s, i + 1, n);
		if (!(v = raw_value(s, i, n)))
			return -1;
		if (is_data) {
			*from = i;
			*to = v;
			found = true;
		}
		i = raw_ws(s, v, n);
		if (i < n && s[i] == ',')
			i = raw_ws(s, i + 1, n);
		else if (i >= n || s[i] != '}')
			return -1;
	}
	return found ? 0 : -1;
}

/* The line with the raw data spliced in, whitespace outside strings
 * dropped: one parse of each body instead of two at thousands of events a
 * second. NULL when the body is not plain enough; the caller then rebuilds
 * it through json-c. */
static char *event_json_line_fast(const struct event *ev, const char *raw, size_t raw_len,
				  enum event_source src)
{
	struct json_object *o;
	size_t from = 0, to = 0, hl, j;
	const char *head;
	char *out;

	if (!raw || !raw_len || raw_len > parse_max_bytes || memchr(raw, '\0', raw_len) ||
	    raw_data_span(raw, raw_len, &from, &to) < 0 || !(o = json_object_new_object()))
		return NULL;
	json_object_object_add(o, "id", jstr(ev->id));
	json_object_object_add(o, "type", json_object_new_string(event_type_text(ev)));
	json_object_object_add(o, "created", json_object_new_int64(ev->created));
	json_object_object_add(o, "source", json_object_new_string(event_source_name(src)));
	head = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
					      JSON_C_TO_STRING_NOSLASHESCAPE);
	hl = head ? strlen(head) : 0;
	if (hl < 2 || !(out = malloc(hl + (to - from) + 16))) {
		json_object_put(o);
		return NULL;
	}
	memcpy(out, head, hl - 1);              /* without the closing brace */
	json_object_put(o);
	j = hl - 1;
	memcpy(out + j, ",\"data\":", 8);
	j += 8;
	for (size_t i = from; i < to; i++) {
		if (raw[i] == '"') {
			size_t e = raw_string(raw, i, to);

			if (e <= i) {           /* cannot happen: the span was checked */
				free(out);
				return NULL;
			}
			memcpy(out + j, raw + i, e - i);
			j += e - i;
			i = e - 1;
		} else if (!strchr(" \t\r\n", raw[i])) {
			out[j++] = raw[i];
		}
	}
	out[j++] = '}';
	out[j] = '\0';
	return out;
}

/* Strict JSON parsers refuse invalid UTF-8, which json-c passes through
 * (from the raw body or a field): the line gets U+FFFD in its place; the
 * raw body in the store keeps the bytes as they came. */
static char *json_line_utf8(char *line)
{
	char *fixed;

	if (!line || sanitize_utf8_valid(line, strlen(line)))
		return line;
	fixed = sanitize_utf8_repair(line, strlen(line), NULL);
	free(line);
	return fixed;
}

char *event_json_line(const struct event *ev, const char *raw, size_t raw_len,
		      enum event_source src)
{
	struct json_object *o, *data = NULL, *root = NULL;
	struct pctx c;
	char *out = event_json_line_fast(ev, raw, raw_len, src);

	if (out)
		return json_line_utf8(out);
	if (!(o = json_object_new_object()))
		return NULL;
	json_object_object_add(o, "id", jstr(ev->id));
	json_object_object_add(o, "type", json_object_new_string(event_type_text(ev)));
	json_object_object_add(o, "created", json_object_new_int64(ev->created));
	json_object_object_add(o, "source", json_object_new_string(event_source_name(src)));
	/* The data as it came keeps fields this build does not model. */
	ctx_init(&c, NULL, 0, "");
	if (raw && raw_len)
		root = parse_text(raw, raw_len, &c);
	if (root && json_object_is_type(root, json_type_object) &&
	    json_object_object_get_ex(root, "data", &data))
		json_object_object_add(o, "data", json_object_get(data));
	else
		json_object_object_add(o, "data", event_data_obj(ev));
	json_object_put(root);
	out = to_text(o);
	return json_line_utf8(out);
}

char *json_quote(const char *s)
{
	return to_text(json_object_new_string(s ? s : ""));
}
