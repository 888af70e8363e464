/* A sliding-window rate limiter (docs/CONTRACT.md#rate-limits): at most `limit` requests in any
 * window. Refused requests do not count. Time comes from the caller. */
#ifndef FAXTOP_SIM_RATELIMIT_H
#define FAXTOP_SIM_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

struct ratelimit {
	int limit;
	int64_t window_ms;
	int64_t *ring; /* admission times, oldest at head */
	int head, count;
};

struct ratelimit_info {
	int limit;
	int remaining;
	int reset_s;       /* seconds until the oldest admission leaves the window */
	int retry_after_s; /* when refused: seconds until one slot frees */
};

int ratelimit_init(struct ratelimit *rl, int limit, int64_t window_ms); /* 0 or -1 */
void ratelimit_done(struct ratelimit *rl);
/* Admits (true) or refuses (false) a request at now_ms; fills info. */
bool ratelimit_take(struct ratelimit *rl, int64_t now_ms, struct ratelimit_info *info);

#endif
