/* An injectable clock, so tests and the simulator control time. */
#ifndef FAXTOP_CORE_CLOCK_H
#define FAXTOP_CORE_CLOCK_H

#include <stddef.h>
#include <stdint.h>

struct clock {
	int64_t (*now_ms)(void *ctx); /* wall-clock ms since the epoch */
	void *ctx;
};

/* The system's real-time clock. */
extern const struct clock clock_system;
int64_t clock_now_ms(const struct clock *c); /* NULL c means clock_system */
int64_t clock_now_s(const struct clock *c);
/* "2026-11-23T06:00:00Z" (UTC, whole seconds) into buf; needs 21 bytes.
 * Returns the length written, or 0 when buf is too small or the time is out
 * of range. */
#define CLOCK_ISO_LEN 21
size_t clock_format_iso(int64_t ms, char *buf, size_t len);

/* A manual clock for tests: starts at `start_ms`, moves only when told.
 * Its clock.ctx points at itself, so use it in place, never a copy. */
struct clock_manual {
	struct clock clock;
	int64_t now;
};
void clock_manual_init(struct clock_manual *m, int64_t start_ms);
void clock_manual_advance(struct clock_manual *m, int64_t delta_ms);

#endif
