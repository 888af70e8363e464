/* JSON at the edge, read: the wire formats of docs/CONTRACT.md#fax-resource,
 * #api-errors, #balance, #events, #legacy and #assumptions into the
 * project's own structs (writing them back is event_write.c). json-c never
 * leaves core/wire.
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
#include "core/wire/wire_int.h"
#include "core/base/xalloc.h"

#include "core/base/sanitize.h"

/* ---- field specs ---- */

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

static int parse_attempts(struct pctx *c, struct json_object *arr, struct fax *f)
{
	size_t n;

	if (json_object_is_type(arr, json_type_null))
		return 0;
	if (wire_need_type(c, "attempts", arr, json_type_array))
		return -1;
	n = json_object_array_length(arr);
	if (n == 0)
		return 0;
	f->attempts = xcalloc(n, sizeof *f->attempts);
	for (size_t i = 0; i < n; i++) {
		struct json_object *item = json_object_array_get_idx(arr, i);
		size_t old = wire_ctx_push(c, "%sattempts[%zu]", c->path[0] ? "." : "", i);
		int rc;

		fax_attempt_init(&f->attempts[i]);
		f->n_attempts = i + 1;
		rc = wire_need_type(c, NULL, item, json_type_object);
		if (!rc)
			rc = wire_read_fields(c, item, attempt_specs, NSPECS(attempt_specs),
					      &f->attempts[i]);
		wire_ctx_pop(c, old);
		if (rc)
			return -1;
	}
	return 0;
}

static int add_tag(struct pctx *c, struct fax *f, const char *key, struct json_object *val)
{
	struct fax_tag *t = &f->tags[f->n_tags];
	char name[80];

	snprintf(name, sizeof name, "tags.%s", key);
	t->key = xstrdup(key);
	f->n_tags++;
	if (!val || json_object_is_type(val, json_type_null)) {
		t->value = xstrdup("");
		return 0;
	}
	/* Tag values are strings by contract; numbers and booleans are kept
	 * as their JSON text rather than refusing the whole snapshot. */
	if (json_object_is_type(val, json_type_object) || json_object_is_type(val, json_type_array))
		return wire_ctx_fail(c, name, "expected a string, got %s", wire_json_kind(val));
	if (json_object_is_type(val, json_type_string))
		return wire_read_string(c, name, val, &t->value);
	t->value = xstrdup(json_object_to_json_string_ext(val, JSON_C_TO_STRING_PLAIN));
	if (!t->value)
		xalloc_die();
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
		f->tags = xcalloc(n, sizeof *f->tags);
		for (size_t i = 0; i < n; i++) {
			struct json_object *item = json_object_array_get_idx(v, i);
			char name[32];

			snprintf(name, sizeof name, "tags[%zu]", i);
			if (wire_need_type(c, name, item, json_type_string))
				return -1;
			if (strlen(json_object_get_string(item)) !=
			    (size_t)json_object_get_string_len(item))
				return wire_ctx_fail(c, name, "string contains a NUL character");
			if (add_tag(c, f, json_object_get_string(item), NULL))
				return -1;
		}
		return 0;
	}
	if (!json_object_is_type(v, json_type_object))
		return wire_ctx_fail(c, "tags", "expected an object or an array, got %s",
				     wire_json_kind(v));
	n = (size_t)json_object_object_length(v);
	if (!n)
		return 0;
	f->tags = xcalloc(n, sizeof *f->tags);
	json_object_object_foreach(v, key, val)
	{
		if (add_tag(c, f, key, val))
			return -1;
	}
	return 0;
}

static int fax_from_obj(struct pctx *c, struct json_object *obj, struct fax *f)
{
	struct json_object *v;

	fax_init(f);
	if (wire_need_type(c, NULL, obj, json_type_object))
		return -1;
	if (wire_read_fields(c, obj, fax_specs, NSPECS(fax_specs), f))
		goto fail;
	if (!f->id[0]) {
		wire_ctx_fail(c, "id", "must not be empty");
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
	if (wire_need_type(c, NULL, obj, json_type_object))
		return -1;
	if (wire_read_fields(c, obj, balance_specs, NSPECS(balance_specs), b))
		goto fail;
	/* docs/CONTRACT.md#balance mentions the pool as `balance_type`; accept it for `type`. */
	if (!b->type && json_object_object_get_ex(obj, "balance_type", &v) &&
	    !json_object_is_type(v, json_type_null) &&
	    wire_read_string(c, "balance_type", v, &b->type))
		goto fail;
	if (json_object_object_get_ex(obj, "auto_top_up", &v) &&
	    !json_object_is_type(v, json_type_null)) {
		static const struct fspec names[] = {
			{ "enabled", F_BOOL, offsetof(struct balance_snapshot, auto_top_up_enabled),
			  false, 0 },
			{ "threshold_amount", F_INT64,
			  offsetof(struct balance_snapshot, auto_top_up_threshold), false, 0 },
		};
		size_t old = wire_ctx_push(c, "%sauto_top_up", c->path[0] ? "." : "");
		int rc = wire_need_type(c, NULL, v, json_type_object);

		if (!rc)
			rc = wire_read_fields(c, v, names, NSPECS(names), b);
		wire_ctx_pop(c, old);
		if (rc)
			goto fail;
	}
	if (!b->has_available && !b->has_held) {
		wire_ctx_fail(c, "available", "required field missing");
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

		wire_ctx_init(&quiet, NULL, 0, "");
		if (fax_from_obj(&quiet, obj, &ev->fax) == 0)
			ev->object = EVOBJ_FAX;
	} else if (looks_like_balance(obj)) {
		struct pctx quiet;

		wire_ctx_init(&quiet, NULL, 0, "");
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
		return wire_ctx_fail(c, name, "required field missing");
	if (wire_read_string(c, name, v, out))
		return -1;
	if (!(*out)[0])
		return wire_ctx_fail(c, name, "must not be empty");
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
		return wire_ctx_fail(c, "created", "required field missing");
	if (wire_read_int64(c, "created", v, 0, INT64_MAX / 1000, &ev->created))
		return -1;
	if (!json_object_object_get_ex(root, "data", &data)) {
		if (ev->type == EV_UNKNOWN)
			return 0;
		return wire_ctx_fail(c, "data", "required field missing");
	}
	if (wire_need_type(c, "data", data, json_type_object))
		return -1;
	if (!json_object_object_get_ex(data, "object", &obj)) {
		if (ev->type == EV_UNKNOWN)
			return 0;
		return wire_ctx_fail(c, "data.object", "required field missing");
	}
	if (ev->type != EV_UNKNOWN && wire_need_type(c, "data.object", obj, json_type_object))
		return -1;
	wire_ctx_push(c, "%sdata.object", c->path[0] ? "." : "");
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
		return wire_ctx_fail(c, "timestamp", "required field missing");
	if (json_object_is_type(v, json_type_string)) {
		int64_t ms;

		if (iso8601_parse_ms(json_object_get_string(v), &ms) || ms < 0)
			return wire_ctx_fail(c, "timestamp",
					     "expected an ISO-8601 time or unix seconds");
		ev->created = ms / 1000;
	} else if (wire_read_int64(c, "timestamp", v, 0, INT64_MAX / 1000, &ev->created)) {
		return -1;
	}
	if (!json_object_object_get_ex(root, "data", &data)) {
		if (ev->type == EV_UNKNOWN)
			return 0;
		return wire_ctx_fail(c, "data", "required field missing");
	}
	if (wire_need_type(c, "data", data, json_type_object))
		return -1;
	/* The transitional envelope sometimes nests the object as in the
	 * current one. */
	if (json_object_object_get_ex(data, "object", &obj) &&
	    json_object_is_type(obj, json_type_object)) {
		wire_ctx_push(c, "%sdata.object", c->path[0] ? "." : "");
		return event_object(c, ev, obj);
	}
	wire_ctx_push(c, "%sdata", c->path[0] ? "." : "");
	return event_object(c, ev, data);
}

static int event_from_obj(struct pctx *c, struct json_object *root, struct event *ev)
{
	int rc;

	event_init(ev);
	if (wire_need_type(c, NULL, root, json_type_object))
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

static int parse_doc(const char *json, size_t len, char *err, size_t errlen, doc_fn fn, void *out)
{
	struct pctx c;
	struct json_object *root;
	int rc;

	wire_ctx_init(&c, err, errlen, "");
	root = wire_parse_text(json, len, &c);
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

int wire_event_parse(const char *json, size_t len, struct event *out, char *err, size_t errlen)
{
	event_init(out);
	return parse_doc(json, len, err, errlen, event_doc, out);
}

static int fax_doc(struct pctx *c, struct json_object *root, void *out)
{
	return fax_from_obj(c, root, out);
}

int wire_fax_parse(const char *json, size_t len, struct fax *out, char *err, size_t errlen)
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
		wire_ctx_push(c, "data.object");
	} else {
		obj = root;
	}
	return balance_from_obj(c, obj, out);
}

int wire_balance_parse(const char *json, size_t len, struct balance_snapshot *out, char *err,
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

	if (wire_need_type(c, NULL, root, json_type_object))
		return -1;
	if (!json_object_object_get_ex(root, "data", data))
		return wire_ctx_fail(c, "data", "required field missing");
	if (wire_need_type(c, "data", *data, json_type_array))
		return -1;
	if (json_object_object_get_ex(root, "has_more", &v) &&
	    !json_object_is_type(v, json_type_null)) {
		if (wire_need_type(c, "has_more", v, json_type_boolean))
			return -1;
		*has_more = json_object_get_boolean(v);
	}
	if (json_object_object_get_ex(root, "next_cursor", &v) &&
	    !json_object_is_type(v, json_type_null) &&
	    wire_read_string(c, "next_cursor", v, next_cursor))
		return -1;
	*n = json_object_array_length(*data);
	if (*n)
		*items = xcalloc(*n, item_size);
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
		it->error = xstrdup(c->err && c->errlen && c->err[0] ? c->err : "not an event");
		if (c->err && c->errlen)
			c->err[0] = '\0';
		if (json_object_object_get_ex(item, "id", &id) &&
		    json_object_is_type(id, json_type_string))
			it->ev.id = xstrdup(json_object_get_string(id));
	}
	/* The poller has no raw bytes to keep, only the tree; its compact
	 * text stands for them. */
	text = json_object_to_json_string_length(
		item, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &tlen);
	if (!text)
		xalloc_die();
	it->raw = xstrndup(text, tlen);
	it->raw_len = tlen;
	return 0;
}

static int event_page_doc(struct pctx *c, struct json_object *root, void *arg)
{
	struct event_page *out = arg;
	struct json_object *data;
	size_t n = 0;

	if (page_meta(c, root, &data, &out->has_more, &out->next_cursor, (void **)&out->items,
		      sizeof *out->items, &n))
		goto fail;
	for (size_t i = 0; i < n; i++) {
		size_t old = wire_ctx_push(c, "data[%zu]", i);

		out->n = i + 1;
		if (event_page_item(c, json_object_array_get_idx(data, i), &out->items[i]))
			goto fail;
		wire_ctx_pop(c, old);
	}
	return 0;
fail:
	wire_event_page_done(out);
	return -1;
}

int wire_event_page_parse(const char *json, size_t len, struct event_page *out, char *err,
			  size_t errlen)
{
	memset(out, 0, sizeof *out);
	return parse_doc(json, len, err, errlen, event_page_doc, out);
}

void wire_event_page_done(struct event_page *p)
{
	for (size_t i = 0; i < p->n; i++) {
		event_done(&p->items[i].ev);
		free(p->items[i].raw);
		free(p->items[i].error);
	}
	free(p->items);
	free(p->next_cursor);
	memset(p, 0, sizeof *p);
}

static int fax_page_doc(struct pctx *c, struct json_object *root, void *arg)
{
	struct fax_page *out = arg;
	struct json_object *data;
	size_t n = 0;

	if (page_meta(c, root, &data, &out->has_more, &out->next_cursor, (void **)&out->items,
		      sizeof *out->items, &n))
		goto fail;
	for (size_t i = 0; i < n; i++) {
		size_t old = wire_ctx_push(c, "data[%zu]", i);

		if (fax_from_obj(c, json_object_array_get_idx(data, i), &out->items[i]))
			goto fail;
		out->n = i + 1;
		wire_ctx_pop(c, old);
	}
	return 0;
fail:
	wire_fax_page_done(out);
	return -1;
}

int wire_fax_page_parse(const char *json, size_t len, struct fax_page *out, char *err,
			size_t errlen)
{
	memset(out, 0, sizeof *out);
	return parse_doc(json, len, err, errlen, fax_page_doc, out);
}

void wire_fax_page_done(struct fax_page *p)
{
	for (size_t i = 0; i < p->n; i++)
		fax_done(&p->items[i]);
	free(p->items);
	free(p->next_cursor);
	memset(p, 0, sizeof *p);
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
	json_object_object_foreach(errs, key, val)
	{
		if (json_object_is_type(val, json_type_array)) {
			for (size_t i = 0; i < json_object_array_length(val); i++)
				details_append(dst, dlen, key, json_object_array_get_idx(val, i));
		} else {
			details_append(dst, dlen, key, val);
		}
	}
}

int wire_api_error_parse(const char *json, size_t len, struct api_error *out)
{
	struct pctx c;
	struct json_object *root, *v, *ctx, *errs;
	int rc = -1;

	memset(out, 0, sizeof *out);
	wire_ctx_init(&c, NULL, 0, "");
	root = wire_parse_text(json, len, &c);
	if (!root)
		return -1;
	if (json_object_is_type(root, json_type_object) &&
	    json_object_object_get_ex(root, "error", &v) &&
	    json_object_is_type(v, json_type_string)) {
		copy_str_field(root, "error", out->error, sizeof out->error);
		copy_str_field(root, "message", out->message, sizeof out->message);
		copy_str_field(root, "action", out->action, sizeof out->action);
		copy_str_field(root, "request_id", out->request_id, sizeof out->request_id);
		copy_str_field(root, "docs", out->docs, sizeof out->docs);
		if (json_object_object_get_ex(root, "context", &ctx) &&
		    json_object_is_type(ctx, json_type_object) &&
		    json_object_object_get_ex(ctx, "errors", &errs))
			flatten_errors(errs, out->details, sizeof out->details);
		rc = out->error[0] ? 0 : -1;
	}
	json_object_put(root);
	return rc;
}
