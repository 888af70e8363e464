/* The code catalog: classes per docs/CONTRACT.md#assumptions, case-insensitive look-up, unknown codes
 * kept as "unknown", and the synchronous API errors of docs/CONTRACT.md#api-errors. */
#include <config.h>

#include <string.h>

#include "core/base/errors.h"
#include "tests/unit/unit.h"

static void test_retryable_codes(void)
{
	static const char *const codes[] = { "busy", "no_answer", "line_quality", "timeout",
					     "internal_error" };

	for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
		const struct fax_code_info *f = errors_fax_code(codes[i]);

		CU_ASSERT_PTR_NOT_NULL_FATAL(f->code);
		CU_ASSERT_STRING_EQUAL(f->code, codes[i]);
		CU_ASSERT_EQUAL(f->cls, CODE_RETRYABLE);
		CU_ASSERT_FALSE(errors_fax_code_terminal(codes[i]));
	}
}

static void test_terminal_codes(void)
{
	static const char *const codes[] = { "invalid_number", "bad_destination", "no_route" };

	for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
		CU_ASSERT_EQUAL(errors_fax_code(codes[i])->cls, CODE_TERMINAL);
		CU_ASSERT_TRUE(errors_fax_code_terminal(codes[i]));
	}
}

static void test_case_insensitive(void)
{
	/* The sandbox table writes BUSY, the fax.failed page busy. */
	const struct fax_code_info *f = errors_fax_code("INVALID_NUMBER");

	CU_ASSERT_EQUAL(f->cls, CODE_TERMINAL);
	CU_ASSERT_STRING_EQUAL(f->code, "invalid_number");
	CU_ASSERT_PTR_EQUAL(errors_fax_code("No_Answer"), errors_fax_code("no_answer"));
	CU_ASSERT_PTR_EQUAL(errors_api("RATE_LIMIT_EXCEEDED"), errors_api("rate_limit_exceeded"));
}

static void test_unknown_codes(void)
{
	const struct fax_code_info *f = errors_fax_code("line_busy");

	CU_ASSERT_EQUAL(f->cls, CODE_UNKNOWN);
	CU_ASSERT_PTR_NULL(f->code);
	CU_ASSERT_PTR_NOT_NULL(f->meaning);
	CU_ASSERT_PTR_NOT_NULL(f->action);
	CU_ASSERT_FALSE(errors_fax_code_terminal("line_busy"));
	CU_ASSERT_EQUAL(errors_fax_code(NULL)->cls, CODE_UNKNOWN);
	CU_ASSERT_EQUAL(errors_fax_code("")->cls, CODE_UNKNOWN);
	/* A prefix of a known code is not that code. */
	CU_ASSERT_EQUAL(errors_fax_code("bus")->cls, CODE_UNKNOWN);
	CU_ASSERT_PTR_NULL(errors_api("teapot"));
	CU_ASSERT_PTR_NULL(errors_api(NULL));
}

static void test_class_names(void)
{
	CU_ASSERT_STRING_EQUAL(errors_class_name(CODE_RETRYABLE), "retryable");
	CU_ASSERT_STRING_EQUAL(errors_class_name(CODE_TERMINAL), "terminal");
	CU_ASSERT_STRING_EQUAL(errors_class_name(CODE_UNKNOWN), "unknown");
}

static void test_fax_catalog_complete(void)
{
	unsigned n = 0;
	const struct fax_code_info *f;

	while ((f = errors_fax_code_at(n)) != NULL) {
		CU_ASSERT_PTR_NOT_NULL(f->code);
		CU_ASSERT_TRUE(f->meaning && *f->meaning && !strchr(f->meaning, '\n'));
		CU_ASSERT_TRUE(f->action && *f->action && !strchr(f->action, '\n'));
		CU_ASSERT_PTR_EQUAL(errors_fax_code(f->code), f);
		n++;
	}
	CU_ASSERT_EQUAL(n, 8);
}

static void test_api_errors(void)
{
	static const struct {
		const char *error;
		int status;
		bool retryable;
		const char *action;
	} want[] = {
		{ "validation_failed", 422, false, "fix_request" },
		{ "insufficient_balance", 402, false, "top_up_balance" },
		{ "unauthenticated", 401, false, NULL },
		{ "account_not_activated", 403, false, "activate_account" },
		{ "forbidden_key_kind", 403, false, NULL },
		{ "not_found", 404, false, NULL },
		{ "invalid_state", 409, false, "fix_request" },
		{ "idempotency_key_reuse", 409, false, NULL },
		{ "idempotency_key_in_progress", 409, true, NULL },
		{ "rate_limit_exceeded", 429, true, "wait_and_retry" },
		{ "internal_error", 500, true, NULL },
		{ "service_unavailable", 503, true, NULL },
	};
	unsigned n = 0;

	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		const struct api_error_info *e = errors_api(want[i].error);

		CU_ASSERT_PTR_NOT_NULL_FATAL(e);
		CU_ASSERT_EQUAL(e->http_status, want[i].status);
		CU_ASSERT_EQUAL(e->retryable, want[i].retryable);
		CU_ASSERT_TRUE(e->action && *e->action);
		CU_ASSERT_TRUE(e->meaning && *e->meaning && e->advice && *e->advice);
		if (want[i].action)
			CU_ASSERT_STRING_EQUAL(e->action, want[i].action);
	}
	while (errors_api_at(n))
		n++;
	CU_ASSERT_EQUAL(n, sizeof want / sizeof want[0]);
}

static void test_http_retryable(void)
{
	CU_ASSERT_TRUE(errors_http_retryable(429));
	CU_ASSERT_TRUE(errors_http_retryable(500));
	CU_ASSERT_TRUE(errors_http_retryable(503));
	CU_ASSERT_FALSE(errors_http_retryable(400));
	CU_ASSERT_FALSE(errors_http_retryable(401));
	CU_ASSERT_FALSE(errors_http_retryable(402));
	CU_ASSERT_FALSE(errors_http_retryable(422));
	CU_ASSERT_FALSE(errors_http_retryable(200));
}

static const struct unit_test tests[] = {
	{ "retryable fax codes", test_retryable_codes },
	{ "terminal fax codes", test_terminal_codes },
	{ "look-up ignores letter case", test_case_insensitive },
	{ "unknown codes are classed unknown", test_unknown_codes },
	{ "class names", test_class_names },
	{ "every fax code has meaning and action", test_fax_catalog_complete },
	{ "synchronous API errors", test_api_errors },
	{ "HTTP status fallback", test_http_retryable },
	{ 0 },
};

UNIT_SUITE(errors, NULL, NULL, tests);
