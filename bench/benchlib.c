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

static int bench_attempt(struct fax_attempt *a, int number, int64_t start, bool ok,
			 size_t idx)
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

int bench_fax(struct fax *f, const char *tag, size_t idx, int n_attempts, int64_t base_ms)
{
	char id[96];
	int64_t created = base_ms + (int64_t)idx * 1000;
	bool fails = idx % 5 == 4;

	fax_init(f);
	snprintf(id, sizeof id, "fax_%s%014zu", tag, idx);
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

int bench_event(struct event *ev, const char *tag, size_t idx, int seq, int64_t base_ms)
{
	char id[96];

	event_init(ev);
	snprintf(id, sizeof id, "evt_%s_%zu_%d", tag, idx, seq);
	if (!(ev->id = strdup(id)))
		return -1;
	ev->object = EVOBJ_FAX;
	if (bench_fax(&ev->fax, tag, idx, seq > 0 ? 1 : 0, base_ms) < 0)
		return -1;
	if (seq == 0) {
		ev->type = EV_FAX_QUEUED;
	} else if (seq == 1) {
		struct fax_attempt *a = &ev->fax.attempts[0];

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
