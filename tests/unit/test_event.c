/* Event and fax types: name tables, lifecycles, ISO-8601 times. */
#include <stdlib.h>
#include <string.h>

#include "core/model/event.h"
#include "tests/unit/unit.h"

static void test_status_names(void)
{
	CU_ASSERT_STRING_EQUAL(fax_status_name(FAX_QUEUED), "queued");
	CU_ASSERT_STRING_EQUAL(fax_status_name(FAX_IN_PROGRESS), "in_progress");
	CU_ASSERT_STRING_EQUAL(fax_status_name(FAX_STATUS_NONE), "");
	CU_ASSERT_STRING_EQUAL(fax_status_name((enum fax_status)99), "");
	for (int s = FAX_STATUS_NONE + 1; s < FAX_STATUS_COUNT; s++)
		CU_ASSERT_EQUAL((int)fax_status_from_name(fax_status_name((enum fax_status)s)), s);
	CU_ASSERT_EQUAL(fax_status_from_name("DELIVERED"), FAX_DELIVERED);
	CU_ASSERT_EQUAL(fax_status_from_name("Failed"), FAX_FAILED);
	CU_ASSERT_EQUAL(fax_status_from_name("sending"), FAX_IN_PROGRESS);
	CU_ASSERT_EQUAL(fax_status_from_name("archived"), FAX_STATUS_NONE);
	CU_ASSERT_EQUAL(fax_status_from_name(""), FAX_STATUS_NONE);
	CU_ASSERT_EQUAL(fax_status_from_name(NULL), FAX_STATUS_NONE);
}

static void test_status_rank(void)
{
	CU_ASSERT_EQUAL(fax_status_rank(FAX_STATUS_NONE), 0);
	CU_ASSERT(fax_status_rank(FAX_QUEUED) < fax_status_rank(FAX_SUBMITTED));
	CU_ASSERT(fax_status_rank(FAX_SUBMITTED) < fax_status_rank(FAX_IN_PROGRESS));
	CU_ASSERT(fax_status_rank(FAX_IN_PROGRESS) < fax_status_rank(FAX_DELIVERED));
	CU_ASSERT_EQUAL(fax_status_rank(FAX_DELIVERED), fax_status_rank(FAX_FAILED));
	CU_ASSERT(fax_status_terminal(FAX_DELIVERED));
	CU_ASSERT(fax_status_terminal(FAX_FAILED));
	CU_ASSERT(!fax_status_terminal(FAX_IN_PROGRESS));
	CU_ASSERT(!fax_status_terminal(FAX_STATUS_NONE));
}

static void test_event_types(void)
{
	CU_ASSERT_EQUAL(event_type_from_name("fax.queued"), EV_FAX_QUEUED);
	CU_ASSERT_EQUAL(event_type_from_name("fax.sending"), EV_FAX_SENDING);
	CU_ASSERT_EQUAL(event_type_from_name("balance.topup"), EV_BALANCE_TOPUP);
	CU_ASSERT_EQUAL(event_type_from_name("fax.retry_scheduled"), EV_FAX_RETRY_SCHEDULED);
	CU_ASSERT_EQUAL(event_type_from_name("fax_failed"), EV_FAX_FAILED);
	CU_ASSERT_EQUAL(event_type_from_name("fax.archived"), EV_UNKNOWN);
	CU_ASSERT_EQUAL(event_type_from_name(NULL), EV_UNKNOWN);
	for (int t = EV_UNKNOWN + 1; t < EV_TYPE_COUNT; t++)
		CU_ASSERT_EQUAL((int)event_type_from_name(event_type_name((enum event_type)t)), t);
	CU_ASSERT_STRING_EQUAL(event_type_name(EV_UNKNOWN), "");
	CU_ASSERT(event_type_is_fax(EV_FAX_DELIVERED));
	CU_ASSERT(!event_type_is_fax(EV_BALANCE_LOW));
	CU_ASSERT(!event_type_is_fax(EV_UNKNOWN));
	CU_ASSERT_EQUAL(event_type_status(EV_FAX_SENDING), FAX_IN_PROGRESS);
	CU_ASSERT_EQUAL(event_type_status(EV_FAX_FAILED), FAX_FAILED);
	CU_ASSERT_EQUAL(event_type_status(EV_FAX_RETRY_SCHEDULED), FAX_STATUS_NONE);
	CU_ASSERT_EQUAL(event_type_status(EV_BALANCE_LOW), FAX_STATUS_NONE);
}

static void test_sources(void)
{
	for (int s = 0; s < SRC_COUNT; s++)
		CU_ASSERT_EQUAL(
			(int)event_source_from_name(event_source_name((enum event_source)s)), s);
	CU_ASSERT_STRING_EQUAL(event_source_name(SRC_WEBHOOK), "webhook");
	CU_ASSERT_STRING_EQUAL(event_source_name(SRC_POLL), "poll");
}

static void test_init_markers(void)
{
	struct fax f;
	struct fax_attempt a;
	struct balance_snapshot b;
	struct event ev;

	fax_init(&f);
	CU_ASSERT_PTR_NULL(f.id);
	CU_ASSERT_EQUAL(f.pages, -1);
	CU_ASSERT_EQUAL(f.created_at, TS_NONE);
	CU_ASSERT_EQUAL(f.updated_at, TS_NONE);
	CU_ASSERT_EQUAL(f.status, FAX_STATUS_NONE);
	fax_done(&f);
	fax_attempt_init(&a);
	CU_ASSERT_EQUAL(a.completed_at, TS_NONE);
	CU_ASSERT_EQUAL(a.duration_ms, -1);
	balance_snapshot_init(&b);
	CU_ASSERT(!b.has_available);
	CU_ASSERT_EQUAL(b.auto_top_up_threshold, -1);
	event_init(&ev);
	CU_ASSERT_EQUAL(ev.type, EV_UNKNOWN);
	CU_ASSERT_EQUAL(ev.fax.pages, -1);
	event_done(&ev);
}

static void test_fax_copy_is_deep(void)
{
	struct fax f, g;

	fax_init(&f);
	f.id = strdup("fax_1");
	f.to = strdup("+12125551234");
	f.status = FAX_FAILED;
	f.error_code = strdup("busy");
	f.max_attempts = 3;
	f.n_attempts = 2;
	f.attempts = calloc(2, sizeof(*f.attempts));
	fax_attempt_init(&f.attempts[0]);
	fax_attempt_init(&f.attempts[1]);
	f.attempts[0].number = 1;
	f.attempts[0].error_code = strdup("busy");
	f.attempts[1].number = 2;
	f.n_tags = 1;
	f.tags = calloc(1, sizeof(*f.tags));
	f.tags[0].key = strdup("k");
	f.tags[0].value = strdup("v");
	f.created_at = 1000;

	fax_copy(&g, &f);
	CU_ASSERT_STRING_EQUAL(g.id, "fax_1");
	CU_ASSERT(g.id != f.id);
	CU_ASSERT_EQUAL(g.status, FAX_FAILED);
	CU_ASSERT_EQUAL(g.n_attempts, 2);
	CU_ASSERT(g.attempts != f.attempts);
	CU_ASSERT_STRING_EQUAL(g.attempts[0].error_code, "busy");
	CU_ASSERT(g.attempts[0].error_code != f.attempts[0].error_code);
	CU_ASSERT_PTR_NULL(g.attempts[1].error_code);
	CU_ASSERT_EQUAL(g.attempts[1].number, 2);
	CU_ASSERT_EQUAL(g.n_tags, 1);
	CU_ASSERT_STRING_EQUAL(g.tags[0].value, "v");
	CU_ASSERT_EQUAL(g.created_at, 1000);
	CU_ASSERT_EQUAL(g.max_attempts, 3);
	CU_ASSERT_PTR_NULL(g.csid);
	fax_done(&f);
	CU_ASSERT_PTR_NULL(f.id);
	/* The copy outlives the original. */
	CU_ASSERT_STRING_EQUAL(g.to, "+12125551234");
	fax_done(&g);
}

static void test_balance_copy(void)
{
	struct balance_snapshot a, b;

	balance_snapshot_init(&a);
	a.has_available = true;
	a.available = 123;
	a.currency = strdup("USD");
	balance_snapshot_copy(&b, &a);
	balance_snapshot_done(&a);
	CU_ASSERT(b.has_available);
	CU_ASSERT_EQUAL(b.available, 123);
	CU_ASSERT_STRING_EQUAL(b.currency, "USD");
	CU_ASSERT_PTR_NULL(b.type);
	balance_snapshot_done(&b);
}

static void test_iso8601_parse(void)
{
	static const struct {
		const char *text;
		int64_t ms;
	} good[] = {
		{ "1970-01-01T00:00:00Z", 0 },
		{ "2023-11-07T05:31:56Z", 1699335116000LL },
		{ "2023-11-07T05:31:56.250Z", 1699335116250LL },
		{ "2023-11-07T05:31:56.2Z", 1699335116200LL },
		{ "2023-11-07T05:31:56.123456789Z", 1699335116123LL },
		{ "2023-11-07T05:31:56+00:00", 1699335116000LL },
		{ "2023-11-07T07:31:56+02:00", 1699335116000LL },
		{ "2023-11-07T00:01:56-0530", 1699335116000LL },
		{ "2024-02-29T00:00:00Z", 1709164800000LL },
		{ "1969-12-31T23:59:59Z", -1000 },
	};
	static const char *const bad[] = {
		"",
		"garbage",
		"2023-11-07",
		"2023-11-07T05:31:56",
		"2023-11-07T05:31:56ZZ",
		"2023-13-07T05:31:56Z",
		"2023-02-29T00:00:00Z",
		"2023-11-07T24:00:00Z",
		"2023-11-07T05:61:00Z",
		"2023-11-07T05:31:56.Z",
		"2023-11-07T05:31:56+2:00",
		"2023-11-07T05:31:56Z ",
		"1747173600",
	};
	int64_t ms;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		ms = 42;
		CU_ASSERT_EQUAL(iso8601_parse_ms(good[i].text, &ms), 0);
		CU_ASSERT_EQUAL(ms, good[i].ms);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CU_ASSERT_EQUAL(iso8601_parse_ms(bad[i], &ms), -1);
	CU_ASSERT_EQUAL(iso8601_parse_ms(NULL, &ms), -1);
}

static void test_iso8601_format(void)
{
	char buf[40];
	int64_t back;

	iso8601_format_ms(1699335116000LL, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "2023-11-07T05:31:56Z");
	iso8601_format_ms(1699335116250LL, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "2023-11-07T05:31:56.250Z");
	CU_ASSERT_EQUAL(iso8601_parse_ms(buf, &back), 0);
	CU_ASSERT_EQUAL(back, 1699335116250LL);
	iso8601_format_ms(-1, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "1969-12-31T23:59:59.999Z");
	iso8601_format_ms(TS_NONE, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "");
	iso8601_format_ms(0, buf, 5);
	CU_ASSERT_EQUAL(strlen(buf), 4);
}

static const struct unit_test tests[] = {
	{ "status names and case-insensitive look-up", test_status_names },
	{ "status ranks and terminal states", test_status_rank },
	{ "event type table", test_event_types },
	{ "source names", test_sources },
	{ "_init sets the absent markers", test_init_markers },
	{ "fax_copy is deep", test_fax_copy_is_deep },
	{ "balance_snapshot_copy", test_balance_copy },
	{ "ISO-8601 parsing", test_iso8601_parse },
	{ "ISO-8601 formatting", test_iso8601_format },
	{ 0 },
};
UNIT_SUITE(event, NULL, NULL, tests);
