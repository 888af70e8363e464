/* The code catalog. Meanings and advice follow the fax.failed page and docs/CONTRACT.md#failure-codes of
 * the contract; the classes and the unnamed API codes follow docs/CONTRACT.md#assumptions. */
#include <config.h> /* autoconf's; "config.h" would find core/base/options.h */

#include <stddef.h>
#include <strings.h>

#include "core/base/errors.h"

/* X(code, class, meaning, action) */
#define ERRORS_FAX_CODE_LIST(X)                                                                    \
	X("busy", CODE_RETRYABLE, "destination busy on every attempt",                             \
	  "resubmit later, or escalate to a human")                                                \
	X("no_answer", CODE_RETRYABLE, "no pickup within the carrier ring timeout",                \
	  "check that the number is a monitored fax line")                                         \
	X("line_quality", CODE_RETRYABLE, "connection negotiated but transmission failed",         \
	  "resubmit; if it keeps failing, suspect the destination")                                \
	X("timeout", CODE_RETRYABLE, "per-attempt timeout exceeded across attempts",               \
	  "resubmit; if persistent, look for a carrier-side outage")                               \
	X("internal_error", CODE_RETRYABLE, "mintfax-internal failure (their ops are alerted)",    \
	  "resubmit; if persistent, contact mintfax support")                                      \
	X("invalid_number", CODE_TERMINAL, "number is well formed but not a fax line",             \
	  "show to the sender and require a corrected number")                                     \
	X("bad_destination", CODE_TERMINAL, "destination unreachable in a way retries cannot fix", \
	  "stop sending; investigate the routing record")                                          \
	X("no_route", CODE_TERMINAL, "mintfax had no carrier route at send time",                  \
	  "retry later; the credit hold is already released")

#define ERRORS_FAX_ENTRY(code, cls, meaning, action) { code, cls, meaning, action },
static const struct fax_code_info fax_codes[] = { ERRORS_FAX_CODE_LIST(ERRORS_FAX_ENTRY) };
#undef ERRORS_FAX_ENTRY

static const struct fax_code_info fax_code_unknown = {
	NULL,
	CODE_UNKNOWN,
	"a failure code not in faxtop's catalog",
	"read the error message; resubmit if it looks transient",
};

/* X(http_status, error, action, retryable, meaning, advice)
 * `action` is the machine action mintfax sends (docs/CONTRACT.md#api-errors) or, where the docs show
 * none, the one faxtop assumes. */
#define ERRORS_API_LIST(X)                                                                    \
	X(422, "validation_failed", "fix_request", false,                                     \
	  "a field is missing or invalid (to, file, max_attempts…)",                          \
	  "fix the request; the message names the field")                                     \
	X(402, "insufficient_balance", "top_up_balance", false,                               \
	  "the balance cannot cover the hold; nothing was queued",                            \
	  "top up the balance, then send again")                                              \
	X(401, "unauthenticated", "fix_credentials", false,                                   \
	  "the API key is missing, malformed or unknown",                                     \
	  "check MINTFAX_API_KEY (mfx_test_… or mfx_live_…)")                                 \
	X(403, "account_not_activated", "activate_account", false,                            \
	  "live key used before the first live purchase",                                     \
	  "activate the account, or use a mfx_test_ key")                                     \
	X(403, "forbidden_key_kind", "fix_credentials", false,                                \
	  "an account key (mfx_acct_) was used on an environment route",                      \
	  "use an environment key (mfx_test_… or mfx_live_…)")                                \
	X(404, "not_found", "fix_request", false, "no such fax or resource", "check the id")  \
	X(409, "invalid_state", "fix_request", false,                                         \
	  "the fax is not in a state that allows this (only failed faxes can be resent)",     \
	  "wait until the fax has failed, or pick another fax")                               \
	X(409, "idempotency_key_reuse", "fix_request", false,                                 \
	  "the idempotency key was used with a different body within 24 h",                   \
	  "use a new idempotency key")                                                        \
	X(409, "idempotency_key_in_progress", "wait_and_retry", true,                         \
	  "the original request with this idempotency key is still in flight",                \
	  "retry after a short wait")                                                         \
	X(429, "rate_limit_exceeded", "wait_and_retry", true, "the key's rate limit was hit", \
	  "retry after Retry-After seconds")                                                  \
	X(500, "internal_error", "wait_and_retry", true, "mintfax-internal server error",     \
	  "retry later; if persistent, contact mintfax support")                              \
	X(503, "service_unavailable", "wait_and_retry", true,                                 \
	  "mintfax is temporarily unavailable", "retry later")

#define ERRORS_API_ENTRY(status, error, action, retryable, meaning, advice) \
	{ status, error, action, retryable, meaning, advice },
static const struct api_error_info api_errors[] = { ERRORS_API_LIST(ERRORS_API_ENTRY) };
#undef ERRORS_API_ENTRY

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

const struct fax_code_info *errors_fax_code(const char *code)
{
	if (code)
		for (size_t i = 0; i < N_ELEMS(fax_codes); i++)
			if (strcasecmp(fax_codes[i].code, code) == 0)
				return &fax_codes[i];
	return &fax_code_unknown;
}

const char *errors_class_name(enum fax_code_class cls)
{
	switch (cls) {
	case CODE_RETRYABLE:
		return "retryable";
	case CODE_TERMINAL:
		return "terminal";
	case CODE_UNKNOWN:
		break;
	}
	return "unknown";
}

bool errors_fax_code_terminal(const char *code)
{
	return errors_fax_code(code)->cls == CODE_TERMINAL;
}

const struct fax_code_info *errors_fax_code_at(unsigned idx)
{
	return idx < N_ELEMS(fax_codes) ? &fax_codes[idx] : NULL;
}

const struct api_error_info *errors_api(const char *error)
{
	if (error)
		for (size_t i = 0; i < N_ELEMS(api_errors); i++)
			if (strcasecmp(api_errors[i].error, error) == 0)
				return &api_errors[i];
	return NULL;
}

const struct api_error_info *errors_api_at(unsigned idx)
{
	return idx < N_ELEMS(api_errors) ? &api_errors[idx] : NULL;
}

bool errors_http_retryable(int http_status)
{
	/* The legacy go-live checklist: retry 5xx and 429, never other 4xx. */
	return http_status == 429 || http_status == 408 ||
		(http_status >= 500 && http_status <= 599);
}
