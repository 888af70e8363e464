/* The API response parsers (core/wire/event_parse.h): every input is offered to
 * wire_api_error_parse, wire_event_page_parse, wire_fax_page_parse, wire_balance_parse,
 * wire_fax_parse and wire_event_parse, as an untrusted API or webhook body would be.
 *
 * Beyond "no crash, no leak", what a parser accepts must survive the trip
 * through our own serialisers (the same ones faxsim and --headless use):
 * wire_fax_to_json / wire_balance_to_json / wire_event_to_json output parses back to the
 * same identity; each page item's raw text parses on its own (a bad item's
 * does not, and it has a reason); the --headless line and wire_json_quote()
 * output are valid JSON; the fixed-size fields of the error envelope are
 * always terminated. */
#include <config.h>

#include <json-c/json.h>

#include "core/wire/event_parse.h"
#include "tests/fuzz/fuzz.h"

static void fuzz_check_json(const char *text, const char *what)
{
	struct json_tokener *tok;
	struct json_object *o;

	fuzz_check(text != NULL, "%s returned NULL", what);
	tok = json_tokener_new_ex(64);
	if (!tok)
		abort();
	o = json_tokener_parse_ex(tok, text, (int)strlen(text));
	fuzz_check(o != NULL && json_tokener_get_error(tok) == json_tokener_success,
		   "%s produced invalid JSON: %s", what, text);
	json_object_put(o);
	json_tokener_free(tok);
}

static int fuzz_streq(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static void fuzz_fax_roundtrip(const struct fax *f)
{
	struct fax g;
	char err[256];
	char *text = wire_fax_to_json(f);

	fuzz_check(text != NULL, "wire_fax_to_json returned NULL");
	fax_init(&g);
	fuzz_check(wire_fax_parse(text, strlen(text), &g, err, sizeof err) == 0,
		   "wire_fax_to_json output does not parse back (%s): %s", err, text);
	fuzz_check(fuzz_streq(f->id, g.id), "fax id changed in the round trip");
	fuzz_check(f->status == g.status, "fax status changed in the round trip");
	fuzz_check(f->n_attempts == g.n_attempts, "attempt count changed in the round trip");
	fuzz_check(f->created_at == g.created_at, "created_at changed in the round trip: %s", text);
	fax_done(&g);
	free(text);
}

static void fuzz_balance_roundtrip(const struct balance_snapshot *b)
{
	struct balance_snapshot c;
	char err[256];
	char *text = wire_balance_to_json(b);

	fuzz_check(text != NULL, "wire_balance_to_json returned NULL");
	balance_snapshot_init(&c);
	fuzz_check(wire_balance_parse(text, strlen(text), &c, err, sizeof err) == 0,
		   "wire_balance_to_json output does not parse back (%s): %s", err, text);
	/* An absent amount is written as 0 ("as given" only for the strings). */
	fuzz_check(!b->has_available || (c.has_available && c.available == b->available),
		   "available changed in the round trip: %s", text);
	balance_snapshot_done(&c);
	free(text);
}

static void fuzz_event_roundtrip(const struct event *ev, const char *raw, size_t len)
{
	struct event back;
	char err[256];
	char *text = wire_event_to_json(ev);

	fuzz_check(text != NULL, "wire_event_to_json returned NULL");
	event_init(&back);
	fuzz_check(wire_event_parse(text, strlen(text), &back, err, sizeof err) == 0,
		   "wire_event_to_json output does not parse back (%s): %s", err, text);
	fuzz_check(fuzz_streq(ev->id, back.id), "event id changed in the round trip");
	fuzz_check(back.type == ev->type, "event type changed in the round trip");
	fuzz_check(back.object == ev->object, "event object kind changed in the round trip");
	event_done(&back);
	free(text);

	text = wire_event_json_line(ev, raw, len, SRC_WEBHOOK);
	fuzz_check_json(text, "wire_event_json_line");
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *json = (const char *)data;
	char err[256];
	struct api_error ae;
	struct event_page ep;
	struct fax_page fp;
	struct balance_snapshot b;
	struct fax f;
	struct event ev;

	memset(&ae, 0x5a, sizeof ae);
	if (wire_api_error_parse(json, size, &ae) == 0) {
		fuzz_check(fuzz_terminated(ae.error, sizeof ae.error), "error unterminated");
		fuzz_check(fuzz_terminated(ae.message, sizeof ae.message), "message unterminated");
		fuzz_check(fuzz_terminated(ae.action, sizeof ae.action), "action unterminated");
		fuzz_check(fuzz_terminated(ae.request_id, sizeof ae.request_id),
			   "request_id unterminated");
		fuzz_check(fuzz_terminated(ae.docs, sizeof ae.docs), "docs unterminated");
		fuzz_check(fuzz_terminated(ae.details, sizeof ae.details), "details unterminated");
	}

	memset(&ep, 0, sizeof ep);
	err[0] = '\0';
	if (wire_event_page_parse(json, size, &ep, err, sizeof err) == 0) {
		for (size_t i = 0; i < ep.n; i++) {
			struct event again;
			int rc;

			fuzz_check(ep.items[i].raw && ep.items[i].raw_len > 0,
				   "item %zu has no raw", i);
			event_init(&again);
			rc = wire_event_parse(ep.items[i].raw, ep.items[i].raw_len, &again, err,
					      sizeof err);
			/* a bad item is bad alone too (the poller quarantines it
			 * by parsing its raw text again) */
			if (ep.items[i].error) {
				fuzz_check(ep.items[i].error[0] != '\0',
					   "bad item %zu without a reason", i);
				fuzz_check(rc != 0, "bad item %zu parses alone", i);
			} else {
				fuzz_check(rc == 0,
					   "page item %zu raw text does not parse alone: %s", i,
					   err);
				fuzz_check(fuzz_streq(again.id, ep.items[i].ev.id),
					   "item %zu id differs", i);
			}
			event_done(&again);
		}
	} else {
		fuzz_check(err[0] != '\0', "wire_event_page_parse failed without a message");
	}
	wire_event_page_done(&ep);

	memset(&fp, 0, sizeof fp);
	if (wire_fax_page_parse(json, size, &fp, err, sizeof err) == 0) {
		for (size_t i = 0; i < fp.n; i++)
			fuzz_fax_roundtrip(&fp.items[i]);
	}
	wire_fax_page_done(&fp);

	balance_snapshot_init(&b);
	if (wire_balance_parse(json, size, &b, err, sizeof err) == 0)
		fuzz_balance_roundtrip(&b);
	balance_snapshot_done(&b);

	fax_init(&f);
	if (wire_fax_parse(json, size, &f, err, sizeof err) == 0)
		fuzz_fax_roundtrip(&f);
	fax_done(&f);

	event_init(&ev);
	err[0] = '\0';
	if (wire_event_parse(json, size, &ev, err, sizeof err) == 0) {
		fuzz_check(ev.id && ev.type_name, "an accepted event lacks id or type");
		fuzz_event_roundtrip(&ev, json, size);
	} else {
		fuzz_check(err[0] != '\0', "wire_event_parse failed without a message");
	}
	event_done(&ev);

	/* wire_json_quote takes a C string: quote the text up to its first NUL. */
	char *s = fuzz_strndup(data, size);
	char *q = wire_json_quote(s);
	fuzz_check_json(q, "wire_json_quote");
	{
		struct json_object *o = json_tokener_parse(q);

		fuzz_check(o && json_object_is_type(o, json_type_string) &&
				   strcmp(json_object_get_string(o), s) == 0,
			   "wire_json_quote did not round-trip");
		json_object_put(o);
	}
	free(q);
	free(s);
	return 0;
}
