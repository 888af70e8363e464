/* wire_event_parse: the wire formats in, our JSON out; tolerant where the docs
 * disagree (docs/CONTRACT.md#tolerance), strict where it matters. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/wire/event_parse.h"
#include "tests/unit/unit.h"

static int parse_fixture(const char *name, struct event *ev, char *err, size_t errlen)
{
	char path[128];
	size_t len;
	char *body;
	int rc;

	snprintf(path, sizeof(path), "fixtures/events/%s", name);
	body = unit_fixture_read(path, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(body);
	rc = wire_event_parse(body, len, ev, err, errlen);
	free(body);
	return rc;
}

static int parse_str(const char *json, struct event *ev, char *err, size_t errlen)
{
	return wire_event_parse(json, strlen(json), ev, err, errlen);
}

/* Every seed shape parses into the expected type, object and status. */
static void test_fixture_table(void)
{
	static const struct {
		const char *file;
		enum event_type type;
		enum event_object object;
		const char *fax_id;
		enum fax_status status;
		bool legacy;
	} cases[] = {
		{ "fax.queued.json", EV_FAX_QUEUED, EVOBJ_FAX, "fax_8aZqRm4yT3vK7pNxJ2bH9c",
		  FAX_QUEUED, false },
		{ "fax.sending.json", EV_FAX_SENDING, EVOBJ_FAX, "fax_8aZqRm4yT3vK7pNxJ2bH9c",
		  FAX_IN_PROGRESS, false },
		{ "fax.delivered.json", EV_FAX_DELIVERED, EVOBJ_FAX, "fax_8aZqRm4yT3vK7pNxJ2bH9c",
		  FAX_DELIVERED, false },
		{ "fax.failed.json", EV_FAX_FAILED, EVOBJ_FAX, "fax_2bZqRm4yT3vK7pNxJ2bH9d",
		  FAX_FAILED, false },
		{ "balance.low.json", EV_BALANCE_LOW, EVOBJ_BALANCE, NULL, FAX_STATUS_NONE, false },
		{ "balance.topup.json", EV_BALANCE_TOPUP, EVOBJ_BALANCE, NULL, FAX_STATUS_NONE,
		  false },
		{ "legacy.json", EV_FAX_DELIVERED, EVOBJ_FAX,
		  "9c1a2b3d-4e5f-6789-abcd-ef0123456789", FAX_DELIVERED, true },
		{ "legacy_unix.json", EV_FAX_SENDING, EVOBJ_FAX, "fax_01H7ZJ8Q3X", FAX_IN_PROGRESS,
		  true },
		{ "tolerant.json", EV_FAX_FAILED, EVOBJ_FAX, "fax_3cZqRm4yT3vK7pNxJ2bH9e",
		  FAX_FAILED, false },
		{ "unknown_type.json", EV_UNKNOWN, EVOBJ_FAX, "fax_8aZqRm4yT3vK7pNxJ2bH9c",
		  FAX_DELIVERED, false },
		{ "resend.json", EV_FAX_QUEUED, EVOBJ_FAX, "fax_9dZqRm4yT3vK7pNxJ2bH9f", FAX_QUEUED,
		  false },
		{ "hostile_strings.json", EV_FAX_FAILED, EVOBJ_FAX, "fax_x3", FAX_FAILED, false },
	};
	char err[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct event ev;
		int rc = parse_fixture(cases[i].file, &ev, err, sizeof(err));

		CU_ASSERT_EQUAL(rc, 0);
		if (rc) {
			fprintf(stderr, "%s: %s\n", cases[i].file, err);
			continue;
		}
		CU_ASSERT_EQUAL(ev.type, cases[i].type);
		CU_ASSERT_EQUAL(ev.object, cases[i].object);
		CU_ASSERT_EQUAL(ev.legacy, cases[i].legacy);
		CU_ASSERT_PTR_NOT_NULL(ev.id);
		CU_ASSERT_PTR_NOT_NULL(ev.type_name);
		CU_ASSERT(ev.created > 0);
		if (cases[i].fax_id) {
			CU_ASSERT_STRING_EQUAL(ev.fax.id, cases[i].fax_id);
			CU_ASSERT_EQUAL(ev.fax.status, cases[i].status);
		}
		event_done(&ev);
	}
}

static void test_sending_fields(void)
{
	struct event ev;
	char err[256];

	CU_ASSERT_EQUAL_FATAL(parse_fixture("fax.sending.json", &ev, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(ev.id, "evt_s2aZqRm4yT3vK7pNxJ2bH9");
	CU_ASSERT_STRING_EQUAL(ev.type_name, "fax.sending");
	CU_ASSERT_EQUAL(ev.created, 1747173700);
	CU_ASSERT_STRING_EQUAL(ev.fax.to, "+12125551234");
	CU_ASSERT_EQUAL(ev.fax.pages, 2);
	CU_ASSERT_EQUAL(ev.fax.max_attempts, 3);
	CU_ASSERT_PTR_NULL(ev.fax.error_code);
	CU_ASSERT_PTR_NULL(ev.fax.webhook_url);
	CU_ASSERT_STRING_EQUAL(ev.fax.idempotency_key, "order-1138");
	CU_ASSERT_STRING_EQUAL(ev.fax.csid, "ACME");
	CU_ASSERT_EQUAL_FATAL(ev.fax.n_attempts, 2);
	CU_ASSERT_EQUAL(ev.fax.attempts[0].number, 1);
	CU_ASSERT_EQUAL(ev.fax.attempts[0].started_at, 1747173605000LL);
	CU_ASSERT_EQUAL(ev.fax.attempts[0].completed_at, 1747173650250LL);
	CU_ASSERT_EQUAL(ev.fax.attempts[0].duration_ms, 45250);
	CU_ASSERT_STRING_EQUAL(ev.fax.attempts[0].error_code, "busy");
	CU_ASSERT_STRING_EQUAL(ev.fax.attempts[0].error_message, "Destination busy");
	CU_ASSERT_EQUAL(ev.fax.attempts[1].number, 2);
	CU_ASSERT_EQUAL(ev.fax.attempts[1].completed_at, TS_NONE);
	CU_ASSERT_EQUAL(ev.fax.attempts[1].duration_ms, -1);
	CU_ASSERT_EQUAL(ev.fax.submitted_at, 1747173605000LL);
	CU_ASSERT_EQUAL(ev.fax.completed_at, TS_NONE);
	CU_ASSERT_EQUAL(ev.fax.created_at, 1747173600000LL);
	CU_ASSERT_EQUAL(ev.fax.updated_at, 1747173700000LL);
	CU_ASSERT_EQUAL_FATAL(ev.fax.n_tags, 2);
	CU_ASSERT_STRING_EQUAL(ev.fax.tags[0].key, "order");
	CU_ASSERT_STRING_EQUAL(ev.fax.tags[0].value, "1138");
	CU_ASSERT_STRING_EQUAL(ev.fax.tags[1].key, "team");
	event_done(&ev);
}

static void test_balance_event(void)
{
	struct event ev;
	char err[256];

	CU_ASSERT_EQUAL_FATAL(parse_fixture("balance.low.json", &ev, err, sizeof(err)), 0);
	CU_ASSERT(ev.balance.has_available);
	CU_ASSERT(ev.balance.has_held);
	CU_ASSERT_EQUAL(ev.balance.available, 450);
	CU_ASSERT_EQUAL(ev.balance.held, 120);
	CU_ASSERT_STRING_EQUAL(ev.balance.currency, "USD");
	CU_ASSERT_STRING_EQUAL(ev.balance.environment_id, "env_sandbox_1");
	CU_ASSERT_PTR_NULL(ev.fax.id);
	event_done(&ev);
}

static void test_balance_parse(void)
{
	struct balance_snapshot b;
	char err[256];
	size_t len;
	char *body = unit_fixture_read("fixtures/events/balance_resource.json", &len);

	CU_ASSERT_PTR_NOT_NULL_FATAL(body);
	CU_ASSERT_EQUAL_FATAL(wire_balance_parse(body, len, &b, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(b.available, 25000);
	CU_ASSERT_EQUAL(b.held, 300);
	CU_ASSERT_STRING_EQUAL(b.type, "sandbox");
	CU_ASSERT(b.auto_top_up_enabled);
	CU_ASSERT_EQUAL(b.auto_top_up_threshold, 1000);
	balance_snapshot_done(&b);
	free(body);

	/* A whole balance.* event is accepted too. */
	body = unit_fixture_read("fixtures/events/balance.topup.json", &len);
	CU_ASSERT_EQUAL_FATAL(wire_balance_parse(body, len, &b, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(b.available, 10450);
	balance_snapshot_done(&b);
	free(body);

	/* Legacy GET /account/balance. */
	CU_ASSERT_EQUAL(
		wire_balance_parse("{\"available\":5,\"held\":0}", 24, &b, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(b.available, 5);
	CU_ASSERT_PTR_NULL(b.currency);
	balance_snapshot_done(&b);

	CU_ASSERT_EQUAL(wire_balance_parse("{\"available\":\"5\"}", 17, &b, err, sizeof(err)), -1);
	CU_ASSERT_STRING_EQUAL(err, "available: expected an integer, got a string");
	CU_ASSERT_EQUAL(wire_balance_parse("{\"currency\":\"USD\"}", 18, &b, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "available"));
	CU_ASSERT_EQUAL(wire_balance_parse("{\"available\":1,\"auto_top_up\":{\"enabled\":1}}", 43,
					   &b, err, sizeof(err)),
			-1);
	CU_ASSERT_STRING_EQUAL(err, "auto_top_up.enabled: expected a boolean, got an integer");
}

static void test_legacy(void)
{
	struct event ev;
	char err[256];

	CU_ASSERT_EQUAL_FATAL(parse_fixture("legacy.json", &ev, err, sizeof(err)), 0);
	CU_ASSERT(ev.legacy);
	CU_ASSERT_STRING_EQUAL(ev.id, "01H7ZJ8Q3X4K5M6N7P8Q9R0S1T");
	CU_ASSERT_STRING_EQUAL(ev.type_name, "fax.delivered");
	CU_ASSERT_EQUAL(ev.created, 1706782530);
	CU_ASSERT_EQUAL(ev.fax.pages, 3);
	CU_ASSERT_EQUAL(ev.fax.completed_at, 1706782529000LL);
	event_done(&ev);

	CU_ASSERT_EQUAL_FATAL(parse_fixture("legacy_unix.json", &ev, err, sizeof(err)), 0);
	CU_ASSERT(ev.legacy);
	CU_ASSERT_EQUAL(ev.created, 1706782530);
	/* "sending" is not in the API enum but means in_progress (docs/CONTRACT.md#statuses). */
	CU_ASSERT_EQUAL(ev.fax.status, FAX_IN_PROGRESS);
	event_done(&ev);

	CU_ASSERT_EQUAL(
		parse_str(
			"{\"event_id\":\"e1\",\"event\":\"fax.queued\",\"timestamp\":\"yesterday\","
			"\"data\":{\"id\":\"fax_1\"}}",
			&ev, err, sizeof(err)),
		-1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "timestamp"));
	CU_ASSERT_EQUAL(parse_str("{\"event_id\":\"e1\",\"event\":\"fax.queued\",\"timestamp\":1,"
				  "\"data\":{\"status\":\"queued\"}}",
				  &ev, err, sizeof(err)),
			-1);
	CU_ASSERT_STRING_EQUAL(err, "data.id: required field missing");
}

static void test_tolerance(void)
{
	struct event ev;
	char err[256];

	CU_ASSERT_EQUAL_FATAL(parse_fixture("tolerant.json", &ev, err, sizeof(err)), 0);
	/* No status in the object: the event type implies it. */
	CU_ASSERT_EQUAL(ev.fax.status, FAX_FAILED);
	CU_ASSERT_EQUAL(ev.fax.max_attempts, 2);
	CU_ASSERT_STRING_EQUAL(ev.fax.error_code, "busy");
	CU_ASSERT_EQUAL_FATAL(ev.fax.n_attempts, 2);
	CU_ASSERT_STRING_EQUAL(ev.fax.attempts[0].error_code, "busy");
	CU_ASSERT_STRING_EQUAL(ev.fax.attempts[1].error_code, "busy");
	CU_ASSERT_EQUAL(ev.fax.attempts[0].started_at, 1747174200000LL);
	CU_ASSERT_EQUAL(ev.fax.attempts[0].completed_at, 1747174240500LL);
	CU_ASSERT_EQUAL_FATAL(ev.fax.n_tags, 2);
	CU_ASSERT_STRING_EQUAL(ev.fax.tags[0].key, "urgent");
	CU_ASSERT_STRING_EQUAL(ev.fax.tags[0].value, "");
	CU_ASSERT_STRING_EQUAL(ev.fax.tags[1].key, "batch-7");
	CU_ASSERT_EQUAL(ev.fax.pages, -1);
	CU_ASSERT_EQUAL(ev.fax.updated_at, TS_NONE);
	CU_ASSERT_PTR_NULL(ev.fax.csid);
	event_done(&ev);

	/* Every optional field null. */
	CU_ASSERT_EQUAL(
		parse_str(
			"{\"id\":\"e\",\"type\":\"fax.queued\",\"created\":1,\"data\":{\"object\":"
			"{\"id\":\"f\",\"status\":null,\"to\":null,\"pages\":null,\"max_attempts\":"
			"null,"
			"\"attempts\":null,\"tags\":null,\"created_at\":null,\"error_code\":null}}"
			"}",
			&ev, err, sizeof(err)),
		0);
	CU_ASSERT_EQUAL(ev.fax.status, FAX_QUEUED);
	CU_ASSERT_EQUAL(ev.fax.max_attempts, 0);
	CU_ASSERT_EQUAL(ev.fax.n_attempts, 0);
	CU_ASSERT_EQUAL(ev.fax.created_at, TS_NONE);
	event_done(&ev);

	/* A status this build does not know leaves the status unset. */
	CU_ASSERT_EQUAL(
		parse_str("{\"id\":\"e\",\"type\":\"fax.retry_scheduled\",\"created\":1,\"data\":"
			  "{\"object\":{\"id\":\"f\",\"status\":\"paused\"}}}",
			  &ev, err, sizeof(err)),
		0);
	CU_ASSERT_EQUAL(ev.fax.status, FAX_STATUS_NONE);
	event_done(&ev);
}

static void test_unknown_type(void)
{
	struct event ev;
	char err[256];

	CU_ASSERT_EQUAL_FATAL(parse_fixture("unknown_type.json", &ev, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(ev.type, EV_UNKNOWN);
	CU_ASSERT_STRING_EQUAL(ev.type_name, "fax.archived");
	event_done(&ev);

	/* An object that is neither a fax nor a balance is dropped, the
	 * event is kept. */
	CU_ASSERT_EQUAL(parse_str("{\"id\":\"e\",\"type\":\"account.renamed\",\"created\":1,"
				  "\"data\":{\"object\":{\"name\":\"x\"}}}",
				  &ev, err, sizeof(err)),
			0);
	CU_ASSERT_EQUAL(ev.type, EV_UNKNOWN);
	CU_ASSERT_EQUAL(ev.object, EVOBJ_NONE);
	CU_ASSERT_STRING_EQUAL(ev.type_name, "account.renamed");
	event_done(&ev);

	/* A broken fax-looking object under an unknown type is not fatal. */
	CU_ASSERT_EQUAL(parse_str("{\"id\":\"e\",\"type\":\"fax.paused\",\"created\":1,"
				  "\"data\":{\"object\":{\"id\":\"f\",\"to\":5}}}",
				  &ev, err, sizeof(err)),
			0);
	CU_ASSERT_EQUAL(ev.object, EVOBJ_NONE);
	event_done(&ev);
	CU_ASSERT_EQUAL(
		parse_str("{\"id\":\"e\",\"type\":\"x.y\",\"created\":1}", &ev, err, sizeof(err)),
		0);
	event_done(&ev);
}

/* Strictness: each bad body is refused with an error naming the field. */
static void test_strict_errors(void)
{
	static const struct {
		const char *json;
		const char *err;
	} cases[] = {
		{ "{\"type\":\"fax.queued\",\"created\":1,\"data\":{\"object\":{\"id\":\"f\"}}}",
		  "id: required field missing" },
		{ "{\"id\":7,\"type\":\"fax.queued\",\"created\":1,\"data\":{\"object\":{\"id\":"
		  "\"f\"}}}",
		  "id: expected a string, got an integer" },
		{ "{\"id\":\"\",\"type\":\"fax.queued\",\"created\":1,\"data\":{\"object\":{\"id\":"
		  "\"f\"}}}",
		  "id: must not be empty" },
		{ "{\"id\":\"e\",\"created\":1,\"data\":{\"object\":{\"id\":\"f\"}}}",
		  "type: required field missing" },
		{ "{\"id\":\"e\",\"type\":null,\"created\":1,\"data\":{\"object\":{\"id\":\"f\"}}}",
		  "type: expected a string, got null" },
		{ "{\"id\":\"e\",\"type\":\"fax.queued\",\"data\":{\"object\":{\"id\":\"f\"}}}",
		  "created: required field missing" },
		{ "{\"id\":\"e\",\"type\":\"fax.queued\",\"created\":\"1747173600\",\"data\":{"
		  "\"object\":{\"id\":\"f\"}}}",
		  "created: expected an integer, got a string" },
		{ "{\"id\":\"e\",\"type\":\"fax.queued\",\"created\":1.5,\"data\":{\"object\":{"
		  "\"id\":\"f\"}}}",
		  "created: expected an integer, got a number" },
		{ "{\"id\":\"e\",\"type\":\"fax.queued\",\"created\":-4,\"data\":{\"object\":{"
		  "\"id\":\"f\"}}}",
		  "created: integer out of range" },
		{ "{\"id\":\"e\",\"type\":\"fax.queued\",\"created\":1}",
		  "data: required field missing" },
		{ "{\"id\":\"e\",\"type\":\"fax.queued\",\"created\":1,\"data\":[]}",
		  "data: expected an object, got an array" },
		{ "{\"id\":\"e\",\"type\":\"fax.queued\",\"created\":1,\"data\":{}}",
		  "data.object: required field missing" },
		{ "{\"id\":\"e\",\"type\":\"fax.queued\",\"created\":1,\"data\":{\"object\":\"fax_"
		  "1\"}}",
		  "data.object: expected an object, got a string" },
		{ "{\"id\":\"e\",\"type\":\"fax.queued\",\"created\":1,\"data\":{\"object\":{"
		  "\"to\":\"+1\"}}}",
		  "data.object.id: required field missing" },
		{ "{\"id\":\"e\",\"type\":\"fax.queued\",\"created\":1,\"data\":{\"object\":{"
		  "\"id\":null}}}",
		  "data.object.id: must not be null" },
		{ "{\"id\":\"e\",\"type\":\"fax.queued\",\"created\":1,\"data\":{\"object\":{"
		  "\"id\":\"f\",\"pages\":\"2\"}}}",
		  "data.object.pages: expected an integer, got a string" },
		{ "{\"id\":\"e\",\"type\":\"fax.queued\",\"created\":1,\"data\":{\"object\":{"
		  "\"id\":\"f\",\"pages\":-1}}}",
		  "data.object.pages: integer out of range" },
		{ "{\"id\":\"e\",\"type\":\"fax.queued\",\"created\":1,\"data\":{\"object\":{"
		  "\"id\":\"f\",\"max_attempts\":\"three\"}}}",
		  "data.object.max_attempts: expected an integer or a numeric string" },
		{ "{\"id\":\"e\",\"type\":\"fax.queued\",\"created\":1,\"data\":{\"object\":{"
		  "\"id\":\"f\",\"max_attempts\":true}}}",
		  "data.object.max_attempts: expected an integer or a numeric string, got a "
		  "boolean" },
		{ "{\"id\":\"e\",\"type\":\"fax.queued\",\"created\":1,\"data\":{\"object\":{"
		  "\"id\":\"f\",\"tags\":\"a\"}}}",
		  "data.object.tags: expected an object or an array, got a string" },
		{ "{\"id\":\"e\",\"type\":\"fax.queued\",\"created\":1,\"data\":{\"object\":{"
		  "\"id\":\"f\",\"tags\":[\"a\",3]}}}",
		  "data.object.tags[1]: expected a string, got an integer" },
		{ "{\"id\":\"e\",\"type\":\"fax.queued\",\"created\":1,\"data\":{\"object\":{"
		  "\"id\":\"f\",\"tags\":{\"k\":{}}}}}",
		  "data.object.tags.k: expected a string, got an object" },
		{ "{\"id\":\"e\",\"type\":\"fax.queued\",\"created\":1,\"data\":{\"object\":{"
		  "\"id\":\"f\",\"attempts\":{}}}}",
		  "data.object.attempts: expected an array, got an object" },
		{ "{\"id\":\"e\",\"type\":\"fax.queued\",\"created\":1,\"data\":{\"object\":{"
		  "\"id\":\"f\",\"attempts\":[1]}}}",
		  "data.object.attempts[0]: expected an object, got an integer" },
		{ "{\"id\":\"e\",\"type\":\"fax.queued\",\"created\":1,\"data\":{\"object\":{"
		  "\"id\":\"f\",\"created_at\":\"soon\"}}}",
		  "data.object.created_at: expected an ISO-8601 time" },
		{ "{\"id\":\"e\",\"type\":\"fax.queued\",\"created\":1,\"data\":{\"object\":{"
		  "\"id\":\"f\\u0000g\"}}}",
		  "data.object.id: string contains a NUL character" },
		{ "{\"id\":\"e\",\"type\":\"balance.low\",\"created\":1,\"data\":{\"object\":{"
		  "\"available\":1.5}}}",
		  "data.object.available: expected an integer, got a number" },
		{ "[1,2]", "expected an object, got an array" },
		{ "", "empty body" },
		{ "{\"id\":\"e\"", "invalid JSON: truncated" },
		{ "{\"id\":\"e\"} x", "invalid JSON: trailing data at offset 11" },
		{ "{'id':'e'}", NULL },
		{ "{\"id\":\"e\",}", NULL },
	};
	char err[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct event ev;
		int rc = parse_str(cases[i].json, &ev, err, sizeof(err));

		CU_ASSERT_EQUAL(rc, -1);
		if (rc == 0) {
			fprintf(stderr, "accepted: %s\n", cases[i].json);
			event_done(&ev);
			continue;
		}
		CU_ASSERT(err[0] != '\0');
		if (cases[i].err && strcmp(err, cases[i].err) != 0) {
			fprintf(stderr, "case %zu: got \"%s\", want \"%s\"\n", i, err,
				cases[i].err);
			CU_FAIL("error text");
		}
		/* A failed parse leaves an empty event that is safe to _done. */
		CU_ASSERT_PTR_NULL(ev.id);
		event_done(&ev);
	}
}

static void test_attempt_error_path(void)
{
	struct event ev;
	char err[256];

	CU_ASSERT_EQUAL(parse_fixture("bad_attempt_time.json", &ev, err, sizeof(err)), -1);
	CU_ASSERT_STRING_EQUAL(
		err, "data.object.attempts[1].started_at: expected a string, got an integer");
	CU_ASSERT_EQUAL(parse_fixture("missing_fax_id.json", &ev, err, sizeof(err)), -1);
	CU_ASSERT_STRING_EQUAL(err, "data.object.id: required field missing");
	/* The message is cut to the buffer, never overrun. */
	CU_ASSERT_EQUAL(parse_fixture("bad_attempt_time.json", &ev, err, 12), -1);
	CU_ASSERT_EQUAL(strlen(err), 11);
	CU_ASSERT_EQUAL(parse_fixture("bad_attempt_time.json", &ev, NULL, 0), -1);
}

static void test_limits(void)
{
	struct event ev;
	char err[256];
	size_t big = WIRE_MAX_BYTES + 1, n;
	char *body = malloc(big + 64);

	CU_ASSERT_PTR_NOT_NULL_FATAL(body);
	/* Valid JSON, one byte over the limit. */
	n = (size_t)sprintf(body, "{\"id\":\"e\",\"type\":\"x\",\"created\":1,\"pad\":\"");
	memset(body + n, 'a', big - n - 2);
	memcpy(body + big - 2, "\"}", 2);
	CU_ASSERT_EQUAL(wire_event_parse(body, big, &ev, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "too large"));
	/* The same at exactly the limit is fine. */
	memmove(body + big - 3, "\"}", 2);
	CU_ASSERT_EQUAL(wire_event_parse(body, big - 1, &ev, err, sizeof(err)), 0);
	event_done(&ev);

	/* Nesting: one level over the limit is refused, at the limit passes. */
	n = 0;
	n += (size_t)sprintf(body, "{\"id\":\"e\",\"type\":\"x\",\"created\":1,\"pad\":");
	for (int i = 0; i < WIRE_MAX_DEPTH; i++)
		body[n++] = '[';
	for (int i = 0; i < WIRE_MAX_DEPTH; i++)
		body[n++] = ']';
	body[n++] = '}';
	CU_ASSERT_EQUAL(wire_event_parse(body, n, &ev, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "nested deeper"));
	n = (size_t)sprintf(body, "{\"id\":\"e\",\"type\":\"x\",\"created\":1,\"pad\":");
	for (int i = 0; i < WIRE_MAX_DEPTH - 1; i++)
		body[n++] = '[';
	for (int i = 0; i < WIRE_MAX_DEPTH - 1; i++)
		body[n++] = ']';
	body[n++] = '}';
	CU_ASSERT_EQUAL(wire_event_parse(body, n, &ev, err, sizeof(err)), 0);
	event_done(&ev);

	/* An explicit length: bytes past it are never read. */
	strcpy(body, "{\"id\":\"e\",\"type\":\"x\",\"created\":1}GARBAGE");
	CU_ASSERT_EQUAL(wire_event_parse(body, strlen(body) - 7, &ev, err, sizeof(err)), 0);
	event_done(&ev);
	/* An embedded NUL is refused, not silently cut. */
	memcpy(body, "{\"id\":\"e\"}\0{}", 13);
	CU_ASSERT_EQUAL(wire_event_parse(body, 13, &ev, err, sizeof(err)), -1);
	CU_ASSERT_EQUAL(wire_event_parse(NULL, 0, &ev, err, sizeof(err)), -1);
	free(body);
}

static void test_hostile_strings_kept(void)
{
	struct event ev;
	char err[256];

	/* Escapes are data here; sanitize_text() makes them safe at display. */
	CU_ASSERT_EQUAL_FATAL(parse_fixture("hostile_strings.json", &ev, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(ev.fax.to, "+1\x1b]0;pwned\x07");
	CU_ASSERT_STRING_EQUAL(ev.fax.error_code, "busy\x1b[31m");
	CU_ASSERT_EQUAL_FATAL(ev.fax.n_tags, 1);
	CU_ASSERT_STRING_EQUAL(ev.fax.tags[0].key, "k\x1b[1m");
	event_done(&ev);
}

static void test_fax_parse(void)
{
	struct fax f;
	char err[256];
	const char *sub =
		"{\"id\":\"fax_n\",\"status\":\"queued\",\"to\":\"+12125550000\",\"tags\":{},"
		"\"created_at\":\"2025-05-13T22:00:00Z\",\"resent_from\":\"fax_o\"}";

	CU_ASSERT_EQUAL_FATAL(wire_fax_parse(sub, strlen(sub), &f, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(f.id, "fax_n");
	CU_ASSERT_STRING_EQUAL(f.resent_from, "fax_o");
	CU_ASSERT_EQUAL(f.status, FAX_QUEUED);
	CU_ASSERT_EQUAL(f.n_tags, 0);
	fax_done(&f);
	CU_ASSERT_EQUAL(wire_fax_parse("{\"status\":\"queued\"}", 19, &f, err, sizeof(err)), -1);
	CU_ASSERT_STRING_EQUAL(err, "id: required field missing");
	CU_ASSERT_PTR_NULL(f.id);
}

static void test_event_page(void)
{
	struct event_page p;
	char err[256];
	size_t len;
	char *body = unit_fixture_read("fixtures/events/events_page.json", &len);
	const char *bad = "{\"data\":[{\"id\":\"e1\",\"type\":\"x\",\"created\":1},"
			  "{\"id\":\"e2\",\"type\":\"fax.queued\",\"created\":\"1\"},7]}";

	CU_ASSERT_PTR_NOT_NULL_FATAL(body);
	CU_ASSERT_EQUAL_FATAL(wire_event_page_parse(body, len, &p, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL_FATAL(p.n, 3);
	CU_ASSERT(p.has_more);
	CU_ASSERT_STRING_EQUAL(p.next_cursor, "evt_p3");
	CU_ASSERT_STRING_EQUAL(p.items[0].ev.id, "evt_p1");
	CU_ASSERT_EQUAL(p.items[1].ev.type, EV_BALANCE_TOPUP);
	CU_ASSERT_EQUAL(p.items[1].ev.balance.available, 5000);
	CU_ASSERT_EQUAL(p.items[2].ev.fax.status, FAX_DELIVERED);
	/* Each item's raw text parses back to the same event. */
	for (size_t i = 0; i < p.n; i++) {
		struct event ev;

		CU_ASSERT_EQUAL(p.items[i].raw_len, strlen(p.items[i].raw));
		CU_ASSERT_EQUAL_FATAL(
			wire_event_parse(p.items[i].raw, p.items[i].raw_len, &ev, err, sizeof(err)),
			0);
		CU_ASSERT_STRING_EQUAL(ev.id, p.items[i].ev.id);
		event_done(&ev);
	}
	wire_event_page_done(&p);
	CU_ASSERT_EQUAL(p.n, 0);
	free(body);

	CU_ASSERT_EQUAL(
		wire_event_page_parse("{\"data\":[],\"has_more\":false,\"next_cursor\":null}", 47,
				      &p, err, sizeof(err)),
		0);
	CU_ASSERT_EQUAL(p.n, 0);
	CU_ASSERT(!p.has_more);
	CU_ASSERT_PTR_NULL(p.next_cursor);
	wire_event_page_done(&p);
	/* A bad item is kept, marked, with its id for the cursor; the page
	 * around it still reads. */
	CU_ASSERT_EQUAL_FATAL(wire_event_page_parse(bad, strlen(bad), &p, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL_FATAL(p.n, 3);
	CU_ASSERT_PTR_NULL(p.items[0].error);
	CU_ASSERT_STRING_EQUAL(p.items[0].ev.id, "e1");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p.items[1].error);
	CU_ASSERT_STRING_EQUAL(p.items[1].error,
			       "data[1].created: expected an integer, got a string");
	CU_ASSERT_STRING_EQUAL(p.items[1].ev.id, "e2");
	CU_ASSERT_STRING_EQUAL(p.items[1].raw,
			       "{\"id\":\"e2\",\"type\":\"fax.queued\",\"created\":\"1\"}");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p.items[2].error);
	CU_ASSERT_STRING_EQUAL(p.items[2].error, "data[2]: expected an object, got an integer");
	CU_ASSERT_PTR_NULL(p.items[2].ev.id);
	CU_ASSERT_STRING_EQUAL(p.items[2].raw, "7");
	CU_ASSERT_STRING_EQUAL(err, "");
	wire_event_page_done(&p);
	CU_ASSERT_EQUAL(p.n, 0);
	CU_ASSERT_EQUAL(wire_event_page_parse("{\"data\":{}}", 11, &p, err, sizeof(err)), -1);
	CU_ASSERT_STRING_EQUAL(err, "data: expected an array, got an object");
	CU_ASSERT_EQUAL(wire_event_page_parse("{\"data\":[],\"has_more\":\"yes\"}", 28, &p, err,
					      sizeof(err)),
			-1);
	CU_ASSERT_STRING_EQUAL(err, "has_more: expected a boolean, got a string");
}

static void test_fax_page(void)
{
	struct fax_page p;
	char err[256];
	size_t len;
	char *body = unit_fixture_read("fixtures/events/faxes_page.json", &len);

	CU_ASSERT_PTR_NOT_NULL_FATAL(body);
	CU_ASSERT_EQUAL_FATAL(wire_fax_page_parse(body, len, &p, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL_FATAL(p.n, 2);
	CU_ASSERT(!p.has_more);
	CU_ASSERT_PTR_NULL(p.next_cursor);
	CU_ASSERT_STRING_EQUAL(p.items[0].id, "fax_l2");
	CU_ASSERT_EQUAL(p.items[0].max_attempts, 3);
	CU_ASSERT_EQUAL(p.items[1].pages, 4);
	wire_fax_page_done(&p);
	free(body);
	CU_ASSERT_EQUAL(wire_fax_page_parse("{\"data\":[{\"id\":\"a\"},{\"to\":\"x\"}]}", 32, &p,
					    err, sizeof(err)),
			-1);
	CU_ASSERT_STRING_EQUAL(err, "data[1].id: required field missing");
}

static void test_api_error(void)
{
	struct api_error e;
	size_t len;
	char *body = unit_fixture_read("fixtures/events/api_error.json", &len);
	const char *dup;

	CU_ASSERT_PTR_NOT_NULL_FATAL(body);
	CU_ASSERT_EQUAL(wire_api_error_parse(body, len, &e), 0);
	CU_ASSERT_STRING_EQUAL(e.error, "validation_failed");
	CU_ASSERT_STRING_EQUAL(e.action, "fix_request");
	CU_ASSERT_STRING_EQUAL(e.request_id, "req_01J9XYZQ8KH7B3R0WXAZP8VW6F");
	CU_ASSERT_STRING_EQUAL(e.details, "to: must be E.164; file: required");
	free(body);
	CU_ASSERT_EQUAL(wire_api_error_parse("{\"error\":\"not_found\"}", 21, &e), 0);
	CU_ASSERT_STRING_EQUAL(e.message, "");
	CU_ASSERT_EQUAL(wire_api_error_parse("{\"message\":\"x\"}", 15, &e), -1);
	CU_ASSERT_EQUAL(wire_api_error_parse("<html>502</html>", 16, &e), -1);
	CU_ASSERT_EQUAL(wire_api_error_parse("{\"error\":5}", 11, &e), -1);
	/* A repeated field once, at its first place with its last messages
	 * (as json-c kept it); messages that are not strings as JSON text. */
	dup = "{\"error\":\"x\",\"context\":{\"errors\":{\"to\":\"old\",\"pages\":[null, -0],"
	      "\"to\":[\"bad\",1.50,{\"a\" : [1, true]}]}}}";
	CU_ASSERT_EQUAL(wire_api_error_parse(dup, strlen(dup), &e), 0);
	CU_ASSERT_STRING_EQUAL(e.details,
			       "to: bad; to: 1.50; to: {\"a\":[1,true]}; pages: invalid; pages: 0");
}

static void test_fax_round_trip(void)
{
	struct event ev, back;
	struct fax f2;
	char err[256];
	char *json;

	CU_ASSERT_EQUAL_FATAL(parse_fixture("tolerant.json", &ev, err, sizeof(err)), 0);
	json = wire_fax_to_json(&ev.fax);
	CU_ASSERT_PTR_NOT_NULL_FATAL(json);
	/* max_attempts leaves as an integer, tags as a map. */
	CU_ASSERT_PTR_NOT_NULL(strstr(json, "\"max_attempts\":2"));
	CU_ASSERT_PTR_NOT_NULL(strstr(json, "\"tags\":{\"urgent\":\"\",\"batch-7\":\"\"}"));
	CU_ASSERT_PTR_NOT_NULL(strstr(json, "\"status\":\"failed\""));
	CU_ASSERT_EQUAL_FATAL(wire_fax_parse(json, strlen(json), &f2, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(f2.id, ev.fax.id);
	CU_ASSERT_EQUAL(f2.n_attempts, 2);
	CU_ASSERT_EQUAL(f2.attempts[0].completed_at, ev.fax.attempts[0].completed_at);
	CU_ASSERT_EQUAL(f2.created_at, ev.fax.created_at);
	CU_ASSERT_EQUAL(f2.pages, -1);
	fax_done(&f2);
	free(json);

	json = wire_event_to_json(&ev);
	CU_ASSERT_PTR_NOT_NULL_FATAL(json);
	CU_ASSERT_EQUAL_FATAL(wire_event_parse(json, strlen(json), &back, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(back.id, ev.id);
	CU_ASSERT_EQUAL(back.type, EV_FAX_FAILED);
	CU_ASSERT_EQUAL(back.created, ev.created);
	CU_ASSERT_STRING_EQUAL(back.fax.error_code, "busy");
	CU_ASSERT_EQUAL(back.fax.n_tags, 2);
	event_done(&back);
	free(json);
	event_done(&ev);
}

static void test_balance_to_json(void)
{
	struct event ev;
	struct balance_snapshot b;
	char err[256];
	char *json;

	CU_ASSERT_EQUAL_FATAL(parse_fixture("balance.low.json", &ev, err, sizeof(err)), 0);
	json = wire_balance_to_json(&ev.balance);
	CU_ASSERT_STRING_EQUAL(json,
			       "{\"environment_id\":\"env_sandbox_1\",\"available\":450,"
			       "\"held\":120,\"currency\":\"USD\"}");
	CU_ASSERT_EQUAL(wire_balance_parse(json, strlen(json), &b, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(b.held, 120);
	balance_snapshot_done(&b);
	free(json);
	/* A field that never came is left out, not written as 0 cents. */
	balance_snapshot_init(&b);
	b.has_held = true;
	b.held = 5;
	json = wire_balance_to_json(&b);
	CU_ASSERT_STRING_EQUAL(json, "{\"held\":5}");
	free(json);
	json = wire_event_to_json(&ev);
	CU_ASSERT_PTR_NOT_NULL(strstr(json, "\"data\":{\"object\":{\"environment_id\""));
	free(json);
	event_done(&ev);
}

static void test_json_line(void)
{
	struct event ev;
	char err[256];
	size_t len;
	char *raw = unit_fixture_read("fixtures/events/legacy.json", &len);
	char *line;

	CU_ASSERT_PTR_NOT_NULL_FATAL(raw);
	CU_ASSERT_EQUAL_FATAL(wire_event_parse(raw, len, &ev, err, sizeof(err)), 0);
	line = wire_event_json_line(&ev, raw, len, SRC_WEBHOOK);
	CU_ASSERT_PTR_NOT_NULL_FATAL(line);
	CU_ASSERT_PTR_NULL(strchr(line, '\n'));
	CU_ASSERT_EQUAL(strncmp(line,
				"{\"id\":\"01H7ZJ8Q3X4K5M6N7P8Q9R0S1T\",\"type\":\"fax.delivered\","
				"\"created\":1706782530,\"source\":\"webhook\",\"data\":{\"id\":",
				111),
			0);
	/* The data comes from the raw body as it was. */
	CU_ASSERT_PTR_NOT_NULL(strstr(line,
				      "\"data\":{\"id\":\"9c1a2b3d-4e5f-6789-abcd-ef0123456789\","
				      "\"status\":\"delivered\""));
	free(line);
	/* Without raw text the line is built from the event. */
	line = wire_event_json_line(&ev, NULL, 0, SRC_POLL);
	CU_ASSERT_PTR_NOT_NULL(strstr(line, "\"source\":\"poll\",\"data\":{\"object\":{\"id\""));
	free(line);
	event_done(&ev);
	free(raw);
}

/* The line splices the raw data: whitespace outside strings goes, strings
 * stay byte for byte (braces, quotes, escapes, CR/LF-free), and of two
 * "data" members the last counts, as in the parse. */
static void test_json_line_splice(void)
{
	static const char body[] =
		"{\r\n  \"id\": \"evt_s\",\n  \"type\": \"fax.queued\",\n  \"created\": 7,\n"
		"  \"data\": {\"object\": {\"id\": \"fax_old\"}},\n"
		"  \"data\": {\n\t\"object\": {\n\t\t\"id\": \"fax_s\",\n"
		"\t\t\"tags\": {\"k }\": \"v \\\" ] {\", \"u\": \"\\u00e9 /\"},\n"
		"\t\t\"extra\": [ 1 , 2.5e3 , null ]\n\t}\n  }\n}\n";
	struct event ev;
	char err[256];
	char *line;

	CU_ASSERT_EQUAL_FATAL(wire_event_parse(body, strlen(body), &ev, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(ev.fax.id, "fax_s");
	line = wire_event_json_line(&ev, body, strlen(body), SRC_POLL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(line);
	CU_ASSERT_STRING_EQUAL(line,
			       "{\"id\":\"evt_s\",\"type\":\"fax.queued\",\"created\":7,"
			       "\"source\":\"poll\",\"data\":{\"object\":{\"id\":\"fax_s\","
			       "\"tags\":{\"k }\":\"v \\\" ] {\",\"u\":\"\\u00e9 /\"},"
			       "\"extra\":[1,2.5e3,null]}}}");
	free(line);
	event_done(&ev);
}

/* The line's head is written without json-c: its strings come out
 * escaped exactly as json-c escapes them in wire_event_to_json. */
static void test_json_line_head_escapes(void)
{
	static const char body[] = "{\"data\":{\"x\":1}}";
	struct event ev;
	char *line, *ref;
	const char *cut;

	event_init(&ev);
	ev.id = strdup("evt_\"q\\b\x01\x1f/\xc3\xa9\x7f\b\f\n\r\t");
	ev.type_name = strdup("fax.\"odd\"\x02");
	ev.created = -42;
	line = wire_event_json_line(&ev, body, strlen(body), SRC_POLL);
	ref = wire_event_to_json(&ev);
	CU_ASSERT_PTR_NOT_NULL_FATAL(line);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ref);
	cut = strstr(ref, ",\"data\":");
	CU_ASSERT_PTR_NOT_NULL_FATAL(cut);
	CU_ASSERT_EQUAL(strncmp(line, ref, (size_t)(cut - ref)), 0);
	CU_ASSERT_STRING_EQUAL(line + (cut - ref), ",\"source\":\"poll\",\"data\":{\"x\":1}}");
	free(line);
	free(ref);
	event_done(&ev);
}

/* A body cut right after a high surrogate must not change the next body's
 * strings: json-c's tokener keeps that state across a reset, so every body
 * gets a tokener of its own (found by fuzz_api: an id changed in a round
 * trip). */
static void test_cut_surrogate_leaves_nothing(void)
{
	static const char cut[] = "{\"id\":\"evt_\\ud83d\\";
	static const char next[] =
		"{\"id\":\"evt_x\\u0041y\",\"type\":\"fax.queued\","
		"\"created\":1747173600,"
		"\"data\":{\"object\":{\"id\":\"fax_1\",\"status\":\"queued\"}}}";
	struct event ev;
	char err[256];

	for (int i = 0; i < 2; i++) {
		event_init(&ev);
		CU_ASSERT_EQUAL(wire_event_parse(cut, strlen(cut), &ev, err, sizeof err), -1);
		event_done(&ev);
		event_init(&ev);
		CU_ASSERT_EQUAL_FATAL(wire_event_parse(next, strlen(next), &ev, err, sizeof err),
				      0);
		CU_ASSERT_STRING_EQUAL(ev.id, "evt_xAy");
		event_done(&ev);
	}
}

static void test_json_quote(void)
{
	char *q = wire_json_quote("a\"b\\c\n\x01/");

	CU_ASSERT_STRING_EQUAL(q, "\"a\\\"b\\\\c\\n\\u0001/\"");
	free(q);
	q = wire_json_quote(NULL);
	CU_ASSERT_STRING_EQUAL(q, "\"\"");
	free(q);
}

/* A GET /events item's raw text is its exact bytes in the page (not a
 * re-serialisation), however the page is laid out; its headless line is
 * still one line, also when a string holds a raw control byte (json-c
 * accepts those) and the line must come from the reader's spans. */
static void test_event_page_raw_spans(void)
{
	static const char page[] =
		"{\n  \"data\": [\n    {\n      \"id\": \"evt_1\",\n      \"type\": "
		"\"fax.queued\",\n"
		"      \"created\": 5,\n      \"data\": {\"object\": {\"id\": \"fax_1\", \"n\": -0,"
		" \"u\": \"\\u00e9\\/\"}}\n    }\t,\r\n"
		"    {\"id\":\"evt_2\",\"type\":\"fax.queued\",\"created\":6,"
		"\"data\":{\"object\":{\"id\":\"fax_2\",\"note\":\"a\tb\"}}} ,\n"
		"    7\n  ],\n  \"has_more\": false\n}\n";
	const char *first = strstr(page, "{\n      \"id\"");
	const char *second = strstr(page, "{\"id\":\"evt_2\"");
	struct event_page p;
	char err[256];
	char *line;

	CU_ASSERT_EQUAL_FATAL(wire_event_page_parse(page, strlen(page), &p, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL_FATAL(p.n, 3);
	CU_ASSERT_EQUAL(p.items[0].raw_len, (size_t)(strstr(first, "}}\n    }") + 8 - first));
	CU_ASSERT(memcmp(p.items[0].raw, first, p.items[0].raw_len) == 0);
	CU_ASSERT_EQUAL(p.items[0].raw[p.items[0].raw_len], '\0');
	CU_ASSERT_EQUAL(p.items[1].raw_len, (size_t)(strstr(second, "}}} ,") + 3 - second));
	CU_ASSERT(memcmp(p.items[1].raw, second, p.items[1].raw_len) == 0);
	CU_ASSERT_STRING_EQUAL(p.items[2].raw, "7");
	CU_ASSERT_STRING_EQUAL(p.items[1].ev.fax.id, "fax_2");

	line = wire_event_json_line(&p.items[0].ev, p.items[0].raw, p.items[0].raw_len, SRC_POLL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(line);
	CU_ASSERT_STRING_EQUAL(line,
			       "{\"id\":\"evt_1\",\"type\":\"fax.queued\",\"created\":5,"
			       "\"source\":\"poll\",\"data\":{\"object\":{\"id\":\"fax_1\","
			       "\"n\":-0,\"u\":\"\\u00e9\\/\"}}}");
	free(line);
	line = wire_event_json_line(&p.items[1].ev, p.items[1].raw, p.items[1].raw_len, SRC_POLL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(line);
	CU_ASSERT_STRING_EQUAL(line,
			       "{\"id\":\"evt_2\",\"type\":\"fax.queued\",\"created\":6,"
			       "\"source\":\"poll\",\"data\":{\"object\":{\"id\":\"fax_2\","
			       "\"note\":\"a\\u0009b\"}}}");
	CU_ASSERT_PTR_NULL(strpbrk(line, "\n\r\t"));
	free(line);
	wire_event_page_done(&p);
}

static const struct unit_test tests[] = {
	{ "every fixture parses to its type, object and status", test_fixture_table },
	{ "fax.sending fields and attempts", test_sending_fields },
	{ "balance event snapshot", test_balance_event },
	{ "wire_balance_parse: resource, event, legacy, errors", test_balance_parse },
	{ "legacy envelope", test_legacy },
	{ "tolerance (docs/CONTRACT.md#tolerance)", test_tolerance },
	{ "unknown event types are kept", test_unknown_type },
	{ "strict errors name the field", test_strict_errors },
	{ "error path inside attempts[]", test_attempt_error_path },
	{ "size, depth and length limits", test_limits },
	{ "hostile strings are kept for the sanitiser", test_hostile_strings_kept },
	{ "wire_fax_parse (submission resource)", test_fax_parse },
	{ "event page (GET /events)", test_event_page },
	{ "event page items' raw text is their span", test_event_page_raw_spans },
	{ "fax page (GET /faxes)", test_fax_page },
	{ "api error envelope", test_api_error },
	{ "fax and event round trip", test_fax_round_trip },
	{ "wire_balance_to_json", test_balance_to_json },
	{ "headless JSON line", test_json_line },
	{ "headless JSON line splices the raw data", test_json_line_splice },
	{ "headless JSON line's head escapes as json-c does", test_json_line_head_escapes },
	{ "wire_json_quote", test_json_quote },
	{ "a body cut in a surrogate pair leaves nothing for the next",
	  test_cut_surrogate_leaves_nothing },
	{ 0 },
};
UNIT_SUITE(wire_event_parse, NULL, NULL, tests);
