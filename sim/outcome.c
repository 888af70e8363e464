#include "config.h"

#include <math.h>
#include <string.h>

#include "sim/outcome.h"
#include "sim/rng.h"

struct code_info {
	const char *code;
	bool terminal;
	unsigned weight; /* share among failures of ordinary numbers */
	const char *message;
};

static const struct code_info codes[] = {
	{ "busy", false, 30, "The destination line was busy." },
	{ "no_answer", false, 25, "The destination did not answer." },
	{ "line_quality", false, 15, "The connection was made but transmission failed." },
	{ "timeout", false, 10, "The attempt exceeded the carrier timeout." },
	{ "invalid_number", true, 8, "The number is not a fax line." },
	{ "bad_destination", true, 6, "The destination cannot be reached." },
	{ "no_route", true, 6, "No carrier route to the destination." },
	{ "internal_error", false, 0, "A transient carrier error occurred." },
};

#define N_CODES (sizeof codes / sizeof codes[0])

enum magic_behaviour {
	M_DELIVER,
	M_ALWAYS_FAIL,
	M_FAIL_THEN_DELIVER,
	M_TERMINAL,
	M_REJECT_BALANCE,
	M_REJECT_VALIDATION
};

struct magic {
	const char *number;
	const char *name;
	enum magic_behaviour how;
	const char *code;
	int pages;
};

/* docs/CONTRACT.md#sandbox, exactly. */
static const struct magic magics[] = {
	{ "+15005550001", "Delivered", M_DELIVER, NULL, 1 },
	{ "+15005550002", "Busy", M_ALWAYS_FAIL, "busy", 1 },
	{ "+15005550003", "NoAnswer", M_ALWAYS_FAIL, "no_answer", 1 },
	{ "+15005550004", "DelayedDelivery", M_FAIL_THEN_DELIVER, "internal_error", 1 },
	{ "+15005550005", "LineQualityFailure", M_ALWAYS_FAIL, "line_quality", 1 },
	{ "+15005550006", "InsufficientBalance", M_REJECT_BALANCE, NULL, 1 },
	{ "+15005550007", "DeliveredMultiPage", M_DELIVER, NULL, 3 },
	{ "+15005550008", "InvalidNumber", M_TERMINAL, "invalid_number", 1 },
	{ "+15005550099", "ValidationFailure", M_REJECT_VALIDATION, NULL, 1 },
};

static const struct magic *magic_find(const char *to)
{
	if (!to)
		return NULL;
	for (size_t i = 0; i < sizeof magics / sizeof magics[0]; i++)
		if (strcmp(magics[i].number, to) == 0)
			return &magics[i];
	return NULL;
}

const char *outcome_magic_name(const char *to)
{
	const struct magic *m = magic_find(to);
	return m ? m->name : NULL;
}

static const struct code_info *code_find(const char *code)
{
	for (size_t i = 0; code && i < N_CODES; i++)
		if (strcmp(codes[i].code, code) == 0)
			return &codes[i];
	return NULL;
}

const char *outcome_code_message(const char *code)
{
	const struct code_info *c = code_find(code);
	return c ? c->message : "The attempt failed.";
}

bool outcome_code_terminal(const char *code)
{
	const struct code_info *c = code_find(code);
	return c && c->terminal;
}

static const char *draw_failure_code(struct simrng *r)
{
	unsigned total = 0;
	for (size_t i = 0; i < N_CODES; i++)
		total += codes[i].weight;
	unsigned pick = (unsigned)simrng_range(r, 0, total - 1);
	for (size_t i = 0; i < N_CODES; i++) {
		if (pick < codes[i].weight)
			return codes[i].code;
		pick -= codes[i].weight;
	}
	return codes[0].code;
}

/* Mostly short documents, now and then a long one. */
static int draw_pages(struct simrng *r)
{
	return 1 + (int)floor(19.0 * pow(simrng_unit(r), 2.5) + 0.5);
}

static void fill_failures(struct outcome_plan *p, int n, const char *code)
{
	p->n_attempts = n;
	for (int i = 0; i < n; i++)
		p->codes[i] = code;
	p->delivered = false;
}

void outcome_plan(struct outcome_plan *p, uint64_t seed, uint64_t fax_seq, const char *to,
		  int max_attempts, double failure_share)
{
	struct simrng r;
	simrng_seed(&r, seed, 0x6661780000000000ULL + fax_seq);
	memset(p, 0, sizeof *p);
	if (max_attempts < 1)
		max_attempts = 1;
	if (max_attempts > OUTCOME_MAX_ATTEMPTS)
		max_attempts = OUTCOME_MAX_ATTEMPTS;
	/* Draw every random quantity first, in a fixed order, so that the plan
	 * for one fax never depends on which branch it takes. */
	for (int i = 0; i < OUTCOME_MAX_ATTEMPTS; i++)
		p->attempt_ms[i] = simrng_range(&r, OUTCOME_MIN_ATTEMPT_MS, OUTCOME_MAX_ATTEMPT_MS);
	p->submit_delay_ms = simrng_range(&r, 1000, 4000);
	int pages = draw_pages(&r);
	double u_fail = simrng_unit(&r);
	const char *fail_code = draw_failure_code(&r);
	double u_retry = simrng_unit(&r);
	const char *early_code = simrng_unit(&r) < 0.5 ? "busy" : "no_answer";

	p->kind = OUTCOME_CARRIER;
	p->pages = pages;
	const struct magic *m = magic_find(to);
	if (m) {
		p->pages = m->pages;
		switch (m->how) {
		case M_DELIVER:
			p->n_attempts = 1;
			p->delivered = true;
			break;
		case M_ALWAYS_FAIL:
			fill_failures(p, max_attempts, m->code);
			break;
		case M_FAIL_THEN_DELIVER:
			p->codes[0] = m->code;
			p->n_attempts = max_attempts >= 2 ? 2 : 1;
			p->delivered = max_attempts >= 2;
			break;
		case M_TERMINAL:
			fill_failures(p, 1, m->code);
			break;
		case M_REJECT_BALANCE:
			p->kind = OUTCOME_REJECT_BALANCE;
			break;
		case M_REJECT_VALIDATION:
			p->kind = OUTCOME_REJECT_VALIDATION;
			break;
		}
		return;
	}
	if (u_fail < failure_share) {
		fill_failures(p, outcome_code_terminal(fail_code) ? 1 : max_attempts, fail_code);
		return;
	}
	/* Delivered, sometimes after a failed first attempt. */
	if (max_attempts >= 2 && u_retry < 0.15) {
		p->codes[0] = early_code;
		p->n_attempts = 2;
	} else {
		p->n_attempts = 1;
	}
	p->delivered = true;
}
