/* Events per minute for the header, counting live traffic only: what a
 * catch-up reads from before the last minute is history, counted apart for
 * the catch-up run it came in ("catching up: 9,379 events"). */
#ifndef FAXTOP_APP_RATE_H
#define FAXTOP_APP_RATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RATE_SLOTS 60 /* one a second: the last minute */

struct rate {
	int64_t second[RATE_SLOTS];
	unsigned count[RATE_SLOTS];
	size_t catchup; /* history read by catch-up run `run` */
	uint64_t run;
};

/* An accepted event at now_s, created at created_s (unix seconds, <= 0 when
 * unknown). run: the catch-up it came from (the poller's poll count), 0 when
 * it did not come from one. */
void rate_count(struct rate *r, int64_t now_s, int64_t created_s, uint64_t run);
double rate_per_min(const struct rate *r, int64_t now_s);
/* History read so far by catch-up `run`, while it is running; else 0. */
size_t rate_catchup(const struct rate *r, bool running, uint64_t run);

#endif
