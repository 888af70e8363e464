/* faxsim's clock, log and vector (sim/base.h). */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "core/base/clock.h"
#include "core/base/log.h"
#include "core/base/xalloc.h"
#include "core/wire/event_parse.h"
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

struct json_object *sim_json_time(int64_t ms)
{
	char buf[40];
	const char *t = wire_time_text(ms, buf, sizeof buf);

	return t ? json_object_new_string(t) : NULL;
}

void simvec_push(struct simvec *vec, void *p)
{
	if (vec->n == vec->cap)
		vec->v = xgrow(vec->v, &vec->cap, vec->n + 1, sizeof *vec->v);
	vec->v[vec->n++] = p;
}

void simvec_done(struct simvec *vec)
{
	free(vec->v);
	memset(vec, 0, sizeof *vec);
}
