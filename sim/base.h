/* The bottom of faxsim: its clock (simulated time scaled by --speed), its
 * log and its pointer vector. Calls nothing else of sim/, so every other
 * file may use it. */
#ifndef FAXTOP_SIM_BASE_H
#define FAXTOP_SIM_BASE_H

#include <stddef.h>
#include <stdint.h>

struct clock;
struct log;
struct json_object;

struct sim_base {
	const struct clock *clock; /* NULL: the system clock */
	struct log *log;           /* NULL: no logging */
	double speed;              /* time scale, > 0 */
};

int64_t sim_now_ms(const struct sim_base *b);
/* A simulated duration in ms to a real ev_timer delay in seconds. */
double sim_delay(const struct sim_base *b, int64_t sim_ms);
void sim_log(const struct sim_base *b, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A json-c string of the time as ISO 8601 UTC with milliseconds, or NULL
 * (JSON null) for TS_NONE: how mintfax writes every timestamp. */
struct json_object *sim_json_time(int64_t ms);

/* A pointer vector: everything the sim creates lives until sim_free, so
 * ids stay resolvable and pointers stay valid. Pushing never fails (it
 * dies on an exhausted heap, see core/base/xalloc.h). */
struct simvec {
	void **v;
	size_t n, cap;
};
void simvec_push(struct simvec *vec, void *p);
void simvec_done(struct simvec *vec);

#endif
