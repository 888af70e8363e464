/* JSON at the edge, read: the wire formats of docs/CONTRACT.md#fax-resource,
 * #api-errors, #balance, #events, #legacy and #assumptions into the
 * project's own structs (writing them back is event_write.c), from the
 * nodes of our own reader (json_scan.c).
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

static int parse_attempts(struct pctx *c, const struct jnode *arr, struct fax *f)
{
	size_t n, i;

	if (arr->type == J_NULL)
		return 0;
	if (wire_need_type(c, "attempts", arr, J_ARRAY))
		return -1;
	n = arr->count;
	if (n == 0)
		return 0;
	f->attempts = xcalloc(n, sizeof *f->attempts);
	i = 0;
	for (const struct jnode *item = jnode_first(arr); item; item = jnode_next(arr, item), i++) {
		size_t old = wire_ctx_push(c, "%sattempts[%zu]", c->path[0] ? "." : "", i);
		int rc;

		fax_attempt_init(&f->attempts[i]);
		f->n_attempts = i + 1;
		rc = wire_need_type(c, NULL, item, J_OBJECT);
		if (!rc)
			rc = wire_read_fields(c, item, attempt_specs, NSPECS(attempt_specs),
					      &f->attempts[i]);
		wire_ctx_pop(c, old);
		if (rc)
			return -1;
	}
	return 0;
}

static int add_tag(struct pctx *c, struct fax *f, const char *key, const struct jnode *val)
{
	struct fax_tag *t = &f->tags[f->n_tags];
	char name[80];

	snprintf(name, sizeof name, "tags.%s", key);
	t->key = xstrdup(key);
	f->n_tags++;
	if (!val || val->type == J_NULL) {
		t->value = xstrdup("");
		return 0;
	}
	/* Tag values are strings by contract; numbers and booleans are kept
	 * as their JSON text rather than refusing the whole snapshot. */
	if (val->type == J_OBJECT || val->type == J_ARRAY)
		return wire_ctx_fail(c, name, "expected a string, got %s", wire_json_kind(val));
	if (val->type == J_STRING)
		return wire_read_string(c, name, val, &t->value);
	t->value = wire_node_text(c->text, val);
	return 0;
}

/* Tags come as a map in responses and as an array of strings on input
 * (docs/CONTRACT.md#tolerance); both become key/value pairs. */
static int parse_tags(struct pctx *c, const struct jnode *v, struct fax *f)
{
	const struct jnode **kept;
	size_t n, i = 0;

	if (v->type == J_NULL)
		return 0;
	if (v->type == J_ARRAY) {
		n = v->count;
		if (!n)
			return 0;
		f->tags = xcalloc(n, sizeof *f->tags);
		for (const struct jnode *item = jnode_first(v); item;
		     item = jnode_next(v, item), i++) {
			char name[32];

			snprintf(name, sizeof name, "tags[%zu]", i);
			if (wire_need_type(c, name, item, J_STRING))
				return -1;
			if (strlen(item->str) != item->len)
				return wire_ctx_fail(c, name, "string contains a NUL character");
			if (add_tag(c, f, item->str, NULL))
				return -1;
		}
		return 0;
	}
	if (v->type != J_OBJECT)
		return wire_ctx_fail(c, "tags", "expected an object or an array, got %s",
				     wire_json_kind(v));
	n = v->count;
	if (!n)
		return 0;
	f->tags = xcalloc(n, sizeof *f->tags);
	/* Once per name, at the first one's place with the last one's value,
	 * as json-c kept duplicates. */
	kept = jnode_members(v);
	for (const struct jnode *m = jnode_first(v); m; m = jnode_next(v, m), i++) {
		if (kept[i] && add_tag(c, f, m->key, kept[i])) {
			free(kept);
			return -1;
		}
	}
	free(kept);
	return 0;
}

static int fax_from_obj(struct pctx *c, const struct jnode *obj, struct fax *f)
{
	const struct jnode *v;

	fax_init(f);
	if (wire_need_type(c, NULL, obj, J_OBJECT))
		return -1;
	if (wire_read_fields(c, obj, fax_specs, NSPECS(fax_specs), f))
		goto fail;
	if (!f->id[0]) {
		wire_ctx_fail(c, "id", "must not be empty");
		goto fail;
	}
	if ((v = jnode_get(obj, "attempts")) && parse_attempts(c, v, f))
		goto fail;
	if ((v = jnode_get(obj, "tags")) && parse_tags(c, v, f))
		goto fail;
	return 0;
fail:
	fax_done(f);
	return -1;
}

static int balance_from_obj(struct pctx *c, const struct jnode *obj, struct balance_snapshot *b)
{
	const struct jnode *v;

	balance_snapshot_init(b);
	if (wire_need_type(c, NULL, obj, J_OBJECT))
		return -1;
	if (wire_read_fields(c, obj, balance_specs, NSPECS(balance_specs), b))
		goto fail;
	/* docs/CONTRACT.md#balance mentions the pool as `balance_type`; accept it for `type`. */
	if (!b->type && (v = jnode_get(obj, "balance_type")) && v->type != J_NULL &&
	    wire_read_string(c, "balance_type", v, &b->type))
		goto fail;
	if ((v = jnode_get(obj, "auto_top_up")) && v->type != J_NULL) {
		static const struct fspec names[] = {
			{ "enabled", F_BOOL, offsetof(struct balance_snapshot, auto_top_up_enabled),
			  false, 0 },
			{ "threshold_amount", F_INT64,
			  offsetof(struct balance_snapshot, auto_top_up_threshold), false, 0 },
		};
		size_t old = wire_ctx_push(c, "%sauto_top_up", c->path[0] ? "." : "");
		int rc = wire_need_type(c, NULL, v, J_OBJECT);

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

static bool looks_like_fax(const struct jnode *obj)
{
	const struct jnode *v;

	return obj->type == J_OBJECT && (v = jnode_get(obj, "id")) && v->type == J_STRING &&
		(jnode_get(obj, "status") || jnode_get(obj, "to") || jnode_get(obj, "attempts"));
}

static bool looks_like_balance(const struct jnode *obj)
{
	return obj->type == J_OBJECT && jnode_get(obj, "available") && !jnode_get(obj, "attempts");
}

/* Fills ev->fax or ev->balance from the object of an event of ev->type. */
static int event_object(struct pctx *c, struct event *ev, const struct jnode *obj)
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
static int read_required_string(struct pctx *c, const char *name, const struct jnode *root,
				char **out)
{
	const struct jnode *v;

	if (!(v = jnode_get(root, name)))
		return wire_ctx_fail(c, name, "required field missing");
	if (wire_read_string(c, name, v, out))
		return -1;
	if (!(*out)[0])
		return wire_ctx_fail(c, name, "must not be empty");
	return 0;
}

static int read_type(struct pctx *c, const char *name, const struct jnode *root, struct event *ev)
{
	if (read_required_string(c, name, root, &ev->type_name))
		return -1;
	ev->type = event_type_from_name(ev->type_name);
	return 0;
}

static int current_envelope(struct pctx *c, const struct jnode *root, struct event *ev)
{
	const struct jnode *v, *data, *obj;

	if (read_required_string(c, "id", root, &ev->id) || read_type(c, "type", root, ev))
		return -1;
	if (!(v = jnode_get(root, "created")))
		return wire_ctx_fail(c, "created", "required field missing");
	if (wire_read_int64(c, "created", v, 0, INT64_MAX / 1000, &ev->created))
		return -1;
	if (!(data = jnode_get(root, "data"))) {
		if (ev->type == EV_UNKNOWN)
			return 0;
		return wire_ctx_fail(c, "data", "required field missing");
	}
	if (wire_need_type(c, "data", data, J_OBJECT))
		return -1;
	if (!(obj = jnode_get(data, "object"))) {
		if (ev->type == EV_UNKNOWN)
			return 0;
		return wire_ctx_fail(c, "data.object", "required field missing");
	}
	if (ev->type != EV_UNKNOWN && wire_need_type(c, "data.object", obj, J_OBJECT))
		return -1;
	wire_ctx_push(c, "%sdata.object", c->path[0] ? "." : "");
	return event_object(c, ev, obj);
}

/* {event_id, event, timestamp (ISO or unix seconds), data: <the fax>} (docs/CONTRACT.md#legacy). */
static int legacy_envelope(struct pctx *c, const struct jnode *root, struct event *ev)
{
	const struct jnode *v, *data, *obj;

	ev->legacy = true;
	if (read_required_string(c, "event_id", root, &ev->id) || read_type(c, "event", root, ev))
		return -1;
	if (!(v = jnode_get(root, "timestamp")))
		return wire_ctx_fail(c, "timestamp", "required field missing");
	if (v->type == J_STRING) {
		int64_t ms;

		if (iso8601_parse_ms(v->str, &ms) || ms < 0)
			return wire_ctx_fail(c, "timestamp",
					     "expected an ISO-8601 time or unix seconds");
		ev->created = ms / 1000;
	} else if (wire_read_int64(c, "timestamp", v, 0, INT64_MAX / 1000, &ev->created)) {
		return -1;
	}
	if (!(data = jnode_get(root, "data"))) {
		if (ev->type == EV_UNKNOWN)
			return 0;
		return wire_ctx_fail(c, "data", "required field missing");
	}
	if (wire_need_type(c, "data", data, J_OBJECT))
		return -1;
	/* The transitional envelope sometimes nests the object as in the
	 * current one. */
	if ((obj = jnode_get(data, "object")) && obj->type == J_OBJECT) {
		wire_ctx_push(c, "%sdata.object", c->path[0] ? "." : "");
		return event_object(c, ev, obj);
	}
	wire_ctx_push(c, "%sdata", c->path[0] ? "." : "");
	return event_object(c, ev, data);
}

static int event_from_obj(struct pctx *c, const struct jnode *root, struct event *ev)
{
	int rc;

	event_init(ev);
	if (wire_need_type(c, NULL, root, J_OBJECT))
		return -1;
	if (!jnode_get(root, "id") && (jnode_get(root, "event_id") || jnode_get(root, "event")))
		rc = legacy_envelope(c, root, ev);
	else
		rc = current_envelope(c, root, ev);
	if (rc)
		event_done(ev);
	return rc;
}

/* ---- public parsers ---- */

/* Reads one document and hands its root to one of the *_doc functions
 * below; the nodes are freed after. */
typedef int (*doc_fn)(struct pctx *c, const struct jnode *root, void *out);

static int parse_doc(const char *json, size_t len, char *err, size_t errlen, doc_fn fn, void *out)
{
	struct pctx c;
	struct jdoc doc;
	const struct jnode *root;
	int rc;

	wire_ctx_init(&c, err, errlen, "");
	root = wire_parse_text(json, len, &c, &doc);
	if (!root)
		return -1;
	c.text = json;
	rc = fn(&c, root, out);
	wire_doc_free(&doc);
	return rc;
}

static int event_doc(struct pctx *c, const struct jnode *root, void *out)
{
	return event_from_obj(c, root, out);
}

int wire_event_parse(const char *json, size_t len, struct event *out, char *err, size_t errlen)
{
	event_init(out);
	return parse_doc(json, len, err, errlen, event_doc, out);
}

static int fax_doc(struct pctx *c, const struct jnode *root, void *out)
{
	return fax_from_obj(c, root, out);
}

int wire_fax_parse(const char *json, size_t len, struct fax *out, char *err, size_t errlen)
{
	fax_init(out);
	return parse_doc(json, len, err, errlen, fax_doc, out);
}

/* A whole balance.* event or a bare snapshot. */
static int balance_doc(struct pctx *c, const struct jnode *root, void *out)
{
	const struct jnode *obj = NULL, *data;

	if (root->type == J_OBJECT && (data = jnode_get(root, "data")) && data->type == J_OBJECT &&
	    (obj = jnode_get(data, "object"))) {
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
static int page_meta(struct pctx *c, const struct jnode *root, const struct jnode **data,
		     bool *has_more, char **next_cursor, void **items, size_t item_size, size_t *n)
{
	const struct jnode *v;

	if (wire_need_type(c, NULL, root, J_OBJECT))
		return -1;
	if (!(*data = jnode_get(root, "data")))
		return wire_ctx_fail(c, "data", "required field missing");
	if (wire_need_type(c, "data", *data, J_ARRAY))
		return -1;
	if ((v = jnode_get(root, "has_more")) && v->type != J_NULL) {
		if (wire_need_type(c, "has_more", v, J_BOOL))
			return -1;
		*has_more = v->b;
	}
	if ((v = jnode_get(root, "next_cursor")) && v->type != J_NULL &&
	    wire_read_string(c, "next_cursor", v, next_cursor))
		return -1;
	*n = (*data)->count;
	if (*n)
		*items = xcalloc(*n, item_size);
	return 0;
}

/* An item that is not an event is kept as a bad item: its reason, and its
 * id, which can still serve as the cursor. */
static int event_page_item(struct pctx *c, const struct jnode *item, void *slot)
{
	struct event_page_item *it = slot;
	const struct jnode *id;

	if (event_from_obj(c, item, &it->ev)) {
		it->error = xstrdup(c->err && c->errlen && c->err[0] ? c->err : "not an event");
		if (c->err && c->errlen)
			c->err[0] = '\0';
		if ((id = jnode_get(item, "id")) && id->type == J_STRING)
			it->ev.id = xstrdup(id->str);
	}
	/* The item's own bytes in the page are its raw body, as a webhook's
	 * are (the headless line compacts them to one line). */
	it->raw_len = item->end - item->start;
	it->raw = xstrndup(c->text + item->start, it->raw_len);
	return 0;
}

/* The items of a list, each read by `read` into its slot of *items (size
 * bytes each); *count is the number read whole, so the list's _done frees
 * exactly those. */
static int page_items(struct pctx *c, const struct jnode *root, bool *has_more, char **next_cursor,
		      void **items, size_t size, size_t *count,
		      int (*read)(struct pctx *c, const struct jnode *item, void *slot))
{
	const struct jnode *data, *item;
	size_t n = 0;

	if (page_meta(c, root, &data, has_more, next_cursor, items, size, &n))
		return -1;
	item = jnode_first(data);
	for (size_t i = 0; i < n; i++, item = jnode_next(data, item)) {
		size_t old = wire_ctx_push(c, "data[%zu]", i);

		if (read(c, item, (char *)*items + i * size))
			return -1;
		*count = i + 1;
		wire_ctx_pop(c, old);
	}
	return 0;
}

static int event_page_doc(struct pctx *c, const struct jnode *root, void *arg)
{
	struct event_page *out = arg;

	if (page_items(c, root, &out->has_more, &out->next_cursor, (void **)&out->items,
		       sizeof *out->items, &out->n, event_page_item)) {
		wire_event_page_done(out);
		return -1;
	}
	return 0;
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

static int fax_page_item(struct pctx *c, const struct jnode *item, void *slot)
{
	return fax_from_obj(c, item, slot); /* frees what it read on failure */
}

static int fax_page_doc(struct pctx *c, const struct jnode *root, void *arg)
{
	struct fax_page *out = arg;

	if (page_items(c, root, &out->has_more, &out->next_cursor, (void **)&out->items,
		       sizeof *out->items, &out->n, fax_page_item)) {
		wire_fax_page_done(out);
		return -1;
	}
	return 0;
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

static void copy_str_field(const struct jnode *obj, const char *name, char *dst, size_t dlen)
{
	const struct jnode *v;

	dst[0] = '\0';
	if ((v = jnode_get(obj, name)) && v->type == J_STRING)
		snprintf(dst, dlen, "%s", v->str);
}

/* A message that is not a string is its compact JSON text (json-c wrote
 * containers' strings re-escaped; ours are as they came). */
static void details_append(const char *json, char *dst, size_t dlen, const char *field,
			   const struct jnode *msg)
{
	size_t used = strlen(dst);
	char *text;

	if (used >= dlen - 1)
		return;
	text = msg->type == J_NULL ? xstrdup("invalid") : wire_node_text(json, msg);
	if (field)
		snprintf(dst + used, dlen - used, "%s%s: %s", used ? "; " : "", field, text);
	else
		snprintf(dst + used, dlen - used, "%s%s", used ? "; " : "", text);
	free(text);
}

/* context.errors is {field: "msg"} or {field: ["msg", …]} or ["msg", …]. */
static void flatten_errors(const char *json, const struct jnode *errs, char *dst, size_t dlen)
{
	const struct jnode **kept;
	size_t i = 0;

	if (errs->type == J_ARRAY) {
		for (const struct jnode *m = jnode_first(errs); m; m = jnode_next(errs, m))
			details_append(json, dst, dlen, NULL, m);
		return;
	}
	if (errs->type != J_OBJECT || !(kept = jnode_members(errs)))
		return;
	for (const struct jnode *m = jnode_first(errs); m; m = jnode_next(errs, m), i++) {
		const struct jnode *val = kept[i];

		if (!val)
			continue;
		if (val->type == J_ARRAY) {
			for (const struct jnode *e = jnode_first(val); e; e = jnode_next(val, e))
				details_append(json, dst, dlen, m->key, e);
		} else {
			details_append(json, dst, dlen, m->key, val);
		}
	}
	free(kept);
}

int wire_api_error_parse(const char *json, size_t len, struct api_error *out)
{
	struct pctx c;
	struct jdoc doc;
	const struct jnode *root, *v, *ctx, *errs;
	int rc = -1;

	memset(out, 0, sizeof *out);
	wire_ctx_init(&c, NULL, 0, "");
	root = wire_parse_text(json, len, &c, &doc);
	if (!root)
		return -1;
	if (root->type == J_OBJECT && (v = jnode_get(root, "error")) && v->type == J_STRING) {
		copy_str_field(root, "error", out->error, sizeof out->error);
		copy_str_field(root, "message", out->message, sizeof out->message);
		copy_str_field(root, "action", out->action, sizeof out->action);
		copy_str_field(root, "request_id", out->request_id, sizeof out->request_id);
		copy_str_field(root, "docs", out->docs, sizeof out->docs);
		if ((ctx = jnode_get(root, "context")) && ctx->type == J_OBJECT &&
		    (errs = jnode_get(ctx, "errors")))
			flatten_errors(json, errs, out->details, sizeof out->details);
		rc = out->error[0] ? 0 : -1;
	}
	wire_doc_free(&doc);
	return rc;
}
