#include "config.h"

#include <stdlib.h>

#include "sim/ratelimit.h"

int ratelimit_init(struct ratelimit *rl, int limit, int64_t window_ms)
{
	if (limit < 1 || window_ms < 1)
		return -1;
	rl->ring = calloc((size_t)limit, sizeof *rl->ring);
	if (!rl->ring)
		return -1;
	rl->limit = limit;
	rl->window_ms = window_ms;
	rl->head = rl->count = 0;
	return 0;
}

void ratelimit_done(struct ratelimit *rl)
{
	free(rl->ring);
	rl->ring = NULL;
}

static int ceil_s(int64_t ms)
{
	return ms <= 0 ? 0 : (int)((ms + 999) / 1000);
}

bool ratelimit_take(struct ratelimit *rl, int64_t now_ms, struct ratelimit_info *info)
{
	while (rl->count > 0 && rl->ring[rl->head] + rl->window_ms <= now_ms) {
		rl->head = (rl->head + 1) % rl->limit;
		rl->count--;
	}
	bool ok = rl->count < rl->limit;
	if (ok) {
		rl->ring[(rl->head + rl->count) % rl->limit] = now_ms;
		rl->count++;
	}
	info->limit = rl->limit;
	info->remaining = rl->limit - rl->count;
	int64_t oldest = rl->ring[rl->head];
	info->reset_s = ceil_s(oldest + rl->window_ms - now_ms);
	info->retry_after_s = ok ? 0 : info->reset_s > 0 ? info->reset_s : 1;
	return ok;
}
