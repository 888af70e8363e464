/* An injectable clock, so tests and the simulator control time. */
#ifndef FAXTOP_CORE_CLOCK_H
#define FAXTOP_CORE_CLOCK_H

#include <stdint.h>

struct clock {
	int64_t (*now_ms)(void *ctx);   /* wall-clock ms since the epoch */
	void *ctx;
};

/* The system's real-time clock. */
extern const struct clock clock_system;
int64_t clock_now_ms(const struct clock *c);   /* NULL c means clock_system */
int64_t clock_now_s(const struct clock *c);

/* A manual clock for tests: starts at `start_ms`, moves only when told. */
struct clock_manual {
	struct clock clock;
	int64_t now;
};
void clock_manual_init(struct clock_manual *m, int64_t start_ms);
void clock_manual_advance(struct clock_manual *m, int64_t delta_ms);

#endif
