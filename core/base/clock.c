/* The system clock and a manual clock for tests and the simulator. */
#include <config.h> /* autoconf's; "config.h" would find core/base/options.h */

#include <time.h>

#include "core/base/clock.h"

static int64_t clock_system_now(void *ctx)
{
	struct timespec ts;

	(void)ctx;
	if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
		return 0;
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

const struct clock clock_system = { clock_system_now, NULL };

int64_t clock_now_ms(const struct clock *c)
{
	if (!c || !c->now_ms)
		c = &clock_system;
	return c->now_ms(c->ctx);
}

int64_t clock_now_s(const struct clock *c)
{
	int64_t ms = clock_now_ms(c);

	/* Floor, so times before the epoch do not round towards it. */
	return ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
}

static int64_t clock_manual_now(void *ctx)
{
	const struct clock_manual *m = ctx;

	return m->now;
}

void clock_manual_init(struct clock_manual *m, int64_t start_ms)
{
	m->clock.now_ms = clock_manual_now;
	m->clock.ctx = m;
	m->now = start_ms;
}

void clock_manual_advance(struct clock_manual *m, int64_t delta_ms)
{
	m->now += delta_ms;
}

size_t clock_format_iso(int64_t ms, char *buf, size_t len)
{
	int64_t s = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
	time_t t = (time_t)s;
	struct tm tm;
	size_t n;

	if (len == 0)
		return 0;
	buf[0] = '\0';
	if ((int64_t)t != s || !gmtime_r(&t, &tm) || tm.tm_year + 1900 < 0 ||
	    tm.tm_year + 1900 > 9999)
		return 0;
	n = strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (n == 0)
		buf[0] = '\0';
	return n;
}
