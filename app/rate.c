/* Events per minute, live traffic only: see rate.h. */
#include "config.h"

#include "app/rate.h"

void rate_count(struct rate *r, int64_t now_s, int64_t created_s, uint64_t run)
{
	unsigned slot = (unsigned)(now_s % RATE_SLOTS);

	if (run && created_s > 0 && now_s - created_s >= RATE_SLOTS) {
		if (r->run != run) {
			r->run = run;
			r->catchup = 0;
		}
		r->catchup++;
		return;
	}
	if (r->second[slot] != now_s) {
		r->second[slot] = now_s;
		r->count[slot] = 0;
	}
	r->count[slot]++;
}

double rate_per_min(const struct rate *r, int64_t now_s)
{
	unsigned total = 0;

	for (unsigned i = 0; i < RATE_SLOTS; i++)
		if (now_s - r->second[i] < RATE_SLOTS)
			total += r->count[i];
	return total;
}

size_t rate_catchup(const struct rate *r, bool running, uint64_t run)
{
	return running && run && r->run == run ? r->catchup : 0;
}
