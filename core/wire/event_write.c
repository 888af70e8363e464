/* JSON at the edge, written: our faxes, balances and events as mintfax's
 * JSON (faxsim serves them, headless output prints them), and the one
 * splice that copies an event's raw "data" through without a second parse.
 * json-c never leaves core/wire. */
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

/* ---- serialisers ---- */

/* json-c's constructors and adders fail only when the heap is gone; a NULL
 * taken for JSON null, or a member silently missing, would put out a fax
 * that says something other than what we hold. */
static struct json_object *jnew(struct json_object *o)
{
	if (!o)
		xalloc_die();
	return o;
}

static void jadd(struct json_object *o, const char *key, struct json_object *v)
{
	if (json_object_object_add(o, key, v) != 0)
		xalloc_die();
}

static struct json_object *jstr(const char *s)
{
	return s ? jnew(json_object_new_string(s)) : NULL;
}

static struct json_object *jint(int64_t v)
{
	return jnew(json_object_new_int64(v));
}

const char *wire_time_text(int64_t ms, char *buf, size_t len)
{
	if (ms == TS_NONE)
		return NULL;
	iso8601_format_ms(ms, buf, len);
	return buf;
}

static struct json_object *jtime(int64_t ms)
{
	char buf[40];

	return jstr(wire_time_text(ms, buf, sizeof buf));
}

static char *to_text(struct json_object *obj)
{
	const char *s = json_object_to_json_string_ext(
		obj, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	char *out;

	if (!s)
		xalloc_die();
	out = xstrdup(s);
	json_object_put(obj);
	return out;
}

static struct json_object *attempt_obj(const struct fax_attempt *a)
{
	struct json_object *o = jnew(json_object_new_object());

	jadd(o, "attempt_number", jint(a->number));
	jadd(o, "started_at", jtime(a->started_at));
	jadd(o, "completed_at", jtime(a->completed_at));
	jadd(o, "duration_ms", a->duration_ms >= 0 ? jint(a->duration_ms) : NULL);
	jadd(o, "error_code", jstr(a->error_code));
	jadd(o, "error_subcode", jstr(a->error_subcode));
	jadd(o, "error_message", jstr(a->error_message));
	return o;
}

static struct json_object *fax_tags_obj(const struct fax *f)
{
	struct json_object *tags = jnew(json_object_new_object());

	for (size_t i = 0; i < f->n_tags; i++)
		if (f->tags[i].key)
			jadd(tags, f->tags[i].key, jstr(f->tags[i].value ? f->tags[i].value : ""));
	return tags;
}

static struct json_object *fax_obj(const struct fax *f)
{
	struct json_object *o = jnew(json_object_new_object());
	struct json_object *arr = jnew(json_object_new_array());

	jadd(o, "id", jstr(f->id));
	jadd(o, "status", f->status != FAX_STATUS_NONE ? jstr(fax_status_name(f->status)) : NULL);
	jadd(o, "to", jstr(f->to));
	jadd(o, "pages", f->pages >= 0 ? jint(f->pages) : NULL);
	jadd(o, "error_code", jstr(f->error_code));
	jadd(o, "error_subcode", jstr(f->error_subcode));
	jadd(o, "error_message", jstr(f->error_message));
	jadd(o, "max_attempts", f->max_attempts > 0 ? jint(f->max_attempts) : NULL);
	for (size_t i = 0; i < f->n_attempts; i++)
		if (json_object_array_add(arr, attempt_obj(&f->attempts[i])) != 0)
			xalloc_die();
	jadd(o, "attempts", arr);
	jadd(o, "webhook_url", jstr(f->webhook_url));
	jadd(o, "idempotency_key", jstr(f->idempotency_key));
	jadd(o, "tags", fax_tags_obj(f));
	jadd(o, "csid", jstr(f->csid));
	jadd(o, "page_size", jstr(f->page_size));
	jadd(o, "resolution", jstr(f->resolution));
	jadd(o, "optimize_for", jstr(f->optimize_for));
	if (f->resent_from)
		jadd(o, "resent_from", jstr(f->resent_from));
	jadd(o, "submitted_at", jtime(f->submitted_at));
	jadd(o, "completed_at", jtime(f->completed_at));
	jadd(o, "created_at", jtime(f->created_at));
	jadd(o, "updated_at", jtime(f->updated_at));
	return o;
}

static struct json_object *balance_obj(const struct balance_snapshot *b)
{
	struct json_object *o = jnew(json_object_new_object());

	if (b->environment_id)
		jadd(o, "environment_id", jstr(b->environment_id));
	/* Absent stays absent: "unknown" must not turn into 0 cents. */
	if (b->has_available)
		jadd(o, "available", jint(b->available));
	if (b->has_held)
		jadd(o, "held", jint(b->held));
	if (b->currency)
		jadd(o, "currency", jstr(b->currency));
	if (b->type)
		jadd(o, "type", jstr(b->type));
	return o;
}

char *wire_fax_to_json(const struct fax *f)
{
	return to_text(fax_obj(f));
}

char *wire_balance_to_json(const struct balance_snapshot *b)
{
	return to_text(balance_obj(b));
}

static struct json_object *event_data_obj(const struct event *ev)
{
	struct json_object *data = jnew(json_object_new_object());

	if (ev->object == EVOBJ_FAX)
		jadd(data, "object", fax_obj(&ev->fax));
	else if (ev->object == EVOBJ_BALANCE)
		jadd(data, "object", balance_obj(&ev->balance));
	return data;
}

/* {id, type, created}: how both envelopes we write begin. */
static struct json_object *event_head_obj(const struct event *ev)
{
	struct json_object *o = jnew(json_object_new_object());

	jadd(o, "id", jstr(ev->id));
	jadd(o, "type", jstr(ev->type_name ? ev->type_name : event_type_name(ev->type)));
	jadd(o, "created", jint(ev->created));
	return o;
}

char *wire_event_to_json(const struct event *ev)
{
	struct json_object *o = event_head_obj(ev);

	jadd(o, "data", event_data_obj(ev));
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
			if (++depth > WIRE_MAX_DEPTH)
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
	for (i = raw_ws(s, i + 1, n); i < n && s[i] != '}';) {
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

/* The headless line's {id, type, created, source}. */
static struct json_object *line_head_obj(const struct event *ev, enum event_source src)
{
	struct json_object *o = event_head_obj(ev);

	jadd(o, "source", jstr(event_source_name(src)));
	return o;
}

/* s as a JSON string at out, escaped as json-c escapes it (with
 * JSON_C_TO_STRING_NOSLASHESCAPE), or null; out has room for 6 bytes per
 * byte of s and 2 more. Returns the end. */
static char *quote_to(char *out, const char *s)
{
	static const char hex[] = "0123456789abcdef";

	if (!s) {
		memcpy(out, "null", 4);
		return out + 4;
	}
	*out++ = '"';
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		char e = 0;

		switch (c) {
		case '"':
			e = '"';
			break;
		case '\\':
			e = '\\';
			break;
		case '\b':
			e = 'b';
			break;
		case '\f':
			e = 'f';
			break;
		case '\n':
			e = 'n';
			break;
		case '\r':
			e = 'r';
			break;
		case '\t':
			e = 't';
			break;
		}
		if (e) {
			*out++ = '\\';
			*out++ = e;
		} else if (c < 0x20) {
			memcpy(out, "\\u00", 4);
			out[4] = hex[c >> 4];
			out[5] = hex[c & 15];
			out += 6;
		} else {
			*out++ = (char)c;
		}
	}
	*out++ = '"';
	return out;
}

static size_t quoted_max(const char *s)
{
	return s ? strlen(s) * 6 + 2 : 4;
}

/* The line's head without its closing brace, written directly: through
 * json-c it was a fifth of the line's cost. Returns the end; `extra`
 * bytes are left free after it. */
static char *line_head_text(const struct event *ev, enum event_source src, size_t extra,
			    char **start)
{
	const char *type = ev->type_name ? ev->type_name : event_type_name(ev->type);
	const char *source = event_source_name(src);
	char *p;

	*start = xmalloc(quoted_max(ev->id) + quoted_max(type) + quoted_max(source) + 64 + extra);
	p = *start;
	p = quote_to(stpcpy(p, "{\"id\":"), ev->id);
	p = quote_to(stpcpy(p, ",\"type\":"), type);
	p += sprintf(p, ",\"created\":%lld", (long long)ev->created);
	return quote_to(stpcpy(p, ",\"source\":"), source);
}

/* The line with raw[from, to), the body's data, spliced in on one line
 * (wire_compact: whitespace between tokens dropped, raw control bytes in
 * strings escaped). */
static char *line_with_data(const struct event *ev, enum event_source src, const char *raw,
			    size_t from, size_t to)
{
	char *out, *p = line_head_text(ev, src, wire_compact_room(raw, from, to) + 16, &out);

	p = wire_compact(raw, from, to, stpcpy(p, ",\"data\":"));
	strcpy(p, "}");
	return out;
}

/* The data found without a parse: one parse of each body instead of two
 * at thousands of events a second. NULL when the body is not plain enough;
 * the caller then reads it whole. */
static char *event_json_line_fast(const struct event *ev, const char *raw, size_t raw_len,
				  enum event_source src)
{
	size_t from = 0, to = 0;

	if (!raw || !raw_len || raw_len > wire_max_bytes() || memchr(raw, '\0', raw_len) ||
	    raw_data_span(raw, raw_len, &from, &to) < 0)
		return NULL;
	return line_with_data(ev, src, raw, from, to);
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
	if (!fixed)
		xalloc_die();
	free(line);
	return fixed;
}

char *wire_event_json_line(const struct event *ev, const char *raw, size_t raw_len,
			   enum event_source src)
{
	struct json_object *o;
	const struct jnode *data = NULL;
	struct jdoc doc = { 0 };
	struct pctx c;
	char *out = event_json_line_fast(ev, raw, raw_len, src);

	if (out)
		return json_line_utf8(out);
	/* The data as it came keeps fields this build does not model. */
	wire_ctx_init(&c, NULL, 0, "");
	if (raw && raw_len)
		data = jnode_get(wire_parse_text(raw, raw_len, &c, &doc), "data");
	if (data) {
		out = line_with_data(ev, src, raw, data->start, data->end);
	} else {
		o = line_head_obj(ev, src);
		jadd(o, "data", event_data_obj(ev));
		out = to_text(o);
	}
	wire_doc_free(&doc);
	return json_line_utf8(out);
}

char *wire_json_quote(const char *s)
{
	char *out;

	s = s ? s : "";
	out = xmalloc(quoted_max(s) + 1);
	*quote_to(out, s) = '\0';
	return out;
}
