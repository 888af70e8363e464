/* faxsim's clock, log and vector (sim/base.h). */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/clock.h"
#include "core/base/log.h"
#include "core/base/xalloc.h"
#include "sim/base.h"

int64_t sim_now_ms(const struct sim_base *b)
{
	return clock_now_ms(b->clock);
}

double sim_delay(const struct sim_base *b, int64_t sim_ms)
{
	double d = (double)sim_ms / 1000.0 / b->speed;
	return d < 0 ? 0 : d;
}

void sim_log(const struct sim_base *b, int level, const char *fmt, ...)
{
	if (!b->log)
		return;
	va_list ap;
	va_start(ap, fmt);
	log_vmsg(b->log, (enum log_level)level, fmt, ap);
	va_end(ap);
}

void simvec_push(struct simvec *vec, void *p)
{
	if (vec->n == vec->cap)
		vec->v = xgrow(vec->v, &vec->cap, vec->n + 1, sizeof(*vec->v));
	vec->v[vec->n++] = p;
}

void simvec_done(struct simvec *vec)
{
	free(vec->v);
	memset(vec, 0, sizeof(*vec));
}
