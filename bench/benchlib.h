/* Shared by the benchmark programs: synthetic faxes and events shaped like
 * mintfax's (docs/CONTRACT.md#fax-resource, #balance), monotonic and wall clocks, and percentiles. */
#ifndef FAXTOP_BENCH_BENCHLIB_H
#define FAXTOP_BENCH_BENCHLIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/model/event.h"

/* Fax number `idx` of a run tagged `tag`, as it looks after `n_attempts`
 * attempts (0: just queued). The last attempt delivers unless the fax is
 * one of the ~20% that fail; earlier ones failed with a line error, as
 * retries do. `base_ms` is the creation time of fax 0; faxes are a second
 * apart. 0, or -1 on ENOMEM (f is left to fax_done either way). */
int bench_fax(struct fax *f, const char *tag, size_t idx, int n_attempts, int64_t base_ms);

/* Event `seq` of fax `idx`: 0 fax.queued, 1 fax.sending (attempt 1 running),
 * 2 fax.delivered or fax.failed (attempt 1 done). The event id is
 * "evt_<tag>_<idx>_<seq>". 0 or -1. */
int bench_event(struct event *ev, const char *tag, size_t idx, int seq, int64_t base_ms);

/* A load shaped like mintfax's traffic (issue 17). Realistic: random fax
 * and event ids (22 base62 characters, as mintfax's), three to five events
 * per fax (fax.queued, one fax.sending per attempt, then fax.delivered or
 * fax.failed), interleaved across BENCH_PLAN_WINDOW faxes in flight at once.
 * Sequential: the old shape, three events per fax (queued, sending,
 * terminal), fax after fax, ids counting up. Seeded, so a run can be
 * repeated. */
#define BENCH_PLAN_WINDOW 64

struct bench_plan_fax {
	char id[32];      /* fax_… */
	uint32_t idx;     /* shapes the fax as bench_fax does */
	uint8_t attempts; /* 1 to 3 */
};

struct bench_plan_step {
	uint32_t fax;      /* into faxes[] */
	uint8_t step;      /* 0 queued, 1..attempts sending, attempts+1 terminal */
	char event_id[32]; /* evt_… */
};

struct bench_plan {
	struct bench_plan_fax *faxes;
	size_t n_faxes;
	struct bench_plan_step *steps;
	size_t n;
	bool realistic;
};

int bench_plan_make(struct bench_plan *p, size_t n_events, bool realistic, uint64_t seed,
		    const char *tag);
void bench_plan_free(struct bench_plan *p);
/* The event of step i, as mintfax would send it. 0 or -1 (ENOMEM). */
int bench_plan_event(const struct bench_plan *p, size_t i, struct event *ev, int64_t base_ms);

double bench_mono(void);     /* seconds, CLOCK_MONOTONIC */
int64_t bench_wall_us(void); /* µs since the epoch, CLOCK_REALTIME */

int bench_cmp_double(const void *a, const void *b);
/* Nearest-rank percentile of n sorted values. */
double bench_pct(const double *sorted, size_t n, double p);
/* Resident set size of this process in bytes, from /proc/self/statm. */
size_t bench_rss(void);

#endif
