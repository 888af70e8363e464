/* What happens to a fax: the sandbox magic numbers of docs/CONTRACT.md#sandbox and, for any
 * other number, a draw from the configurable outcome mix of docs/CONTRACT.md#assumptions. A plan is
 * a pure function of (seed, fax sequence number, to, max_attempts,
 * failure_share), so the same seed replays the same traffic. */
#ifndef FAXTOP_SIM_OUTCOME_H
#define FAXTOP_SIM_OUTCOME_H

#include <stdbool.h>
#include <stdint.h>

#define OUTCOME_MAX_ATTEMPTS 5
/* docs/CONTRACT.md#assumptions: 30 s between attempts, 20–90 s per attempt (simulated time). */
#define OUTCOME_GAP_MS         30000
#define OUTCOME_MIN_ATTEMPT_MS 20000
#define OUTCOME_MAX_ATTEMPT_MS 90000

enum outcome_kind {
	OUTCOME_CARRIER,           /* runs the lifecycle */
	OUTCOME_REJECT_BALANCE,    /* +15005550006: 402 at submit, no record */
	OUTCOME_REJECT_VALIDATION, /* +15005550099: 422 on `to`, no record */
};

struct outcome_plan {
	enum outcome_kind kind;
	int pages;                                /* transmitted pages when delivered, 1..20 */
	int n_attempts;                           /* attempts that will run, 1..max_attempts */
	const char *codes[OUTCOME_MAX_ATTEMPTS];  /* per attempt: NULL = success */
	int64_t attempt_ms[OUTCOME_MAX_ATTEMPTS]; /* simulated duration */
	int64_t submit_delay_ms;                  /* queued → submitted */
	bool delivered;                           /* the last attempt succeeds */
};

/* The magic number's scenario name ("Busy"), or NULL for an ordinary number. */
const char *outcome_magic_name(const char *to);
void outcome_plan(struct outcome_plan *p, uint64_t seed, uint64_t fax_seq, const char *to,
		  int max_attempts, double failure_share);
/* English text for a failure code ("The line was busy."). */
const char *outcome_code_message(const char *code);
/* busy, no_answer, line_quality, timeout, internal_error are retried;
 * invalid_number, bad_destination, no_route end the fax at once (docs/CONTRACT.md#assumptions). */
bool outcome_code_terminal(const char *code);

#endif
