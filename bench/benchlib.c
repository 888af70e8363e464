#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench/benchlib.h"

static const char *const fail_codes[] = { "line_busy", "no_answer", "line_quality" };

static char *bench_number(size_t idx)
{
	char buf[32];

	snprintf(buf, sizeof buf, "+1212%03zu%04zu", (idx / 10000) % 1000, idx % 10000);
	return strdup(buf);
}

static int bench_attempt(struct fax_attempt *a, int number, int64_t start, bool ok, size_t idx)
{
	fax_attempt_init(a);
	a->number = number;
	a->started_at = start;
	a->completed_at = start + 45000;
	a->duration_ms = 45000;
	if (ok)
		return 0;
	a->error_code = strdup(fail_codes[idx % 3]);
	a->error_message = strdup("The line was busy or did not answer");
	return a->error_code && a->error_message ? 0 : -1;
}

/* Fax idx with the given id after n_attempts attempts; see bench_fax. */
static int bench_fax_with_id(struct fax *f, const char *id, size_t idx, int n_attempts,
			     int64_t base_ms)
{
	int64_t created = base_ms + (int64_t)idx * 1000;
	bool fails = idx % 5 == 4;

	fax_init(f);
	f->id = strdup(id);
	f->to = bench_number(idx);
	f->pages = (int)(idx % 3) + 1;
	f->max_attempts = 3;
	f->created_at = created;
	f->submitted_at = created + 200;
	f->updated_at = created + 200;
	f->status = FAX_QUEUED;
	f->page_size = strdup("letter");
	f->resolution = strdup("fine");
	if (!f->id || !f->to || !f->page_size || !f->resolution)
		return -1;
	if (n_attempts <= 0)
		return 0;
	if (!(f->attempts = calloc((size_t)n_attempts, sizeof *f->attempts)))
		return -1;
	for (int i = 0; i < n_attempts; i++) {
		bool last = i == n_attempts - 1;

		if (bench_attempt(&f->attempts[i], i + 1, created + 1000 + i * 60000,
				  last && !fails, idx) < 0)
			return -1;
		f->n_attempts++;
	}
	struct fax_attempt *l = &f->attempts[n_attempts - 1];

	f->status = fails ? FAX_FAILED : FAX_DELIVERED;
	f->completed_at = l->completed_at;
	f->updated_at = l->completed_at;
	if (fails) {
		f->error_code = strdup(l->error_code);
		f->error_message = strdup(l->error_message);
		if (!f->error_code || !f->error_message)
			return -1;
	}
	return 0;
}

int bench_fax(struct fax *f, const char *tag, size_t idx, int n_attempts, int64_t base_ms)
{
	char id[96];

	snprintf(id, sizeof id, "fax_%s%014zu", tag, idx);
	return bench_fax_with_id(f, id, idx, n_attempts, base_ms);
}

/* The event of step `step` of a fax with `attempts` attempts in all: see
 * struct bench_plan_step. */
static int bench_fax_event(struct event *ev, const char *event_id, const char *fax_id, size_t idx,
			   int step, int attempts, int64_t base_ms)
{
	int done = step <= attempts ? step : attempts;

	event_init(ev);
	if (!(ev->id = strdup(event_id)))
		return -1;
	ev->object = EVOBJ_FAX;
	if (bench_fax_with_id(&ev->fax, fax_id, idx, done, base_ms) < 0)
		return -1;
	if (step == 0) {
		ev->type = EV_FAX_QUEUED;
	} else if (step <= attempts) {
		struct fax_attempt *a = &ev->fax.attempts[done - 1];

		/* Attempt `step` is running; the ones before it failed. */
		ev->type = EV_FAX_SENDING;
		ev->fax.status = FAX_IN_PROGRESS;
		free(a->error_code);
		free(a->error_message);
		a->error_code = a->error_message = NULL;
		a->completed_at = TS_NONE;
		a->duration_ms = -1;
		free(ev->fax.error_code);
		free(ev->fax.error_message);
		ev->fax.error_code = ev->fax.error_message = NULL;
		ev->fax.completed_at = TS_NONE;
		ev->fax.updated_at = a->started_at;
	} else {
		ev->type = ev->fax.status == FAX_FAILED ? EV_FAX_FAILED : EV_FAX_DELIVERED;
	}
	ev->type_name = strdup(event_type_name(ev->type));
	ev->created = ev->fax.updated_at / 1000;
	return ev->type_name ? 0 : -1;
}

int bench_event(struct event *ev, const char *tag, size_t idx, int seq, int64_t base_ms)
{
	char id[96], fax_id[96];

	snprintf(id, sizeof id, "evt_%s_%zu_%d", tag, idx, seq);
	snprintf(fax_id, sizeof fax_id, "fax_%s%014zu", tag, idx);
	return bench_fax_event(ev, id, fax_id, idx, seq, 1, base_ms);
}

/* xorshift64*: a small, seeded generator (the plan must be repeatable). */
static uint64_t plan_rand(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

static void plan_id(char *out, size_t len, const char *prefix, uint64_t *rng)
{
	static const char b62[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	size_t k = strlen(prefix);

	memcpy(out, prefix, k);
	for (int i = 0; i < 22 && k + 1 < len; i++)
		out[k++] = b62[plan_rand(rng) % 62];
	out[k] = '\0';
}

int bench_plan_make(struct bench_plan *p, size_t n_events, bool realistic, uint64_t seed,
		    const char *tag)
{
	uint64_t rng = seed ? seed : 0x9E3779B97F4A7C15ULL;
	size_t window[BENCH_PLAN_WINDOW], active = 0, cap = n_events / 3 + BENCH_PLAN_WINDOW + 1;
	uint8_t *next = NULL;

	/* The tag tells runs apart: two runs into one store must not share ids. */
	for (const char *t = tag; t && *t; t++)
		rng = (rng ^ (unsigned char)*t) * 0x100000001B3ULL;
	if (!rng)
		rng = 1;
	memset(p, 0, sizeof *p);
	p->realistic = realistic;
	p->faxes = calloc(cap, sizeof *p->faxes);
	p->steps = calloc(n_events ? n_events : 1, sizeof *p->steps);
	next = calloc(cap, 1);
	if (!p->faxes || !p->steps || !next)
		goto oom;
	while (p->n < n_events) {
		size_t slot;
		struct bench_plan_fax *f;
		struct bench_plan_step *st = &p->steps[p->n];

		/* Keep the window full: a fax starts as another finishes. */
		while (realistic ? active < BENCH_PLAN_WINDOW : active < 1) {
			f = &p->faxes[p->n_faxes];
			f->idx = (uint32_t)p->n_faxes;
			f->attempts = realistic ? (uint8_t)(1 + plan_rand(&rng) % 3) : 1;
			if (realistic)
				plan_id(f->id, sizeof f->id, "fax_", &rng);
			else
				snprintf(f->id, sizeof f->id, "fax_%s%014zu", tag, p->n_faxes);
			window[active++] = p->n_faxes++;
		}
		slot = realistic ? plan_rand(&rng) % active : 0;
		st->fax = (uint32_t)window[slot];
		st->step = next[st->fax]++;
		if (realistic)
			plan_id(st->event_id, sizeof st->event_id, "evt_", &rng);
		else
			snprintf(st->event_id, sizeof st->event_id, "evt_%s_%u_%u", tag, st->fax,
				 st->step);
		if (st->step > p->faxes[st->fax].attempts)
			window[slot] = window[--active]; /* its terminal event: done */
		p->n++;
	}
	free(next);
	return 0;
oom:
	free(next);
	bench_plan_free(p);
	return -1;
}

void bench_plan_free(struct bench_plan *p)
{
	free(p->faxes);
	free(p->steps);
	memset(p, 0, sizeof *p);
}

int bench_plan_event(const struct bench_plan *p, size_t i, struct event *ev, int64_t base_ms)
{
	const struct bench_plan_step *st = &p->steps[i];
	const struct bench_plan_fax *f = &p->faxes[st->fax];

	return bench_fax_event(ev, st->event_id, f->id, f->idx, st->step, f->attempts, base_ms);
}

double bench_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int64_t bench_wall_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double bench_pct(const double *sorted, size_t n, double p)
{
	size_t rank;

	if (n == 0)
		return 0;
	rank = (size_t)((p / 100.0) * (double)n + 0.999999);
	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return sorted[rank - 1];
}

size_t bench_rss(void)
{
	unsigned long size = 0, res = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (!f)
		return 0;
	if (fscanf(f, "%lu %lu", &size, &res) != 2)
		res = 0;
	fclose(f);
	return (size_t)res * (size_t)sysconf(_SC_PAGESIZE);
}
