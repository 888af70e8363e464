/* The model at scale: N faxes (default 1,000,000) with 3 attempts each, fed
 * as fax.failed events in creation order, then N/10 more newest first.
 * Prints apply throughput and resident bytes per fax.
 *
 *   make bench/model_scale && ./bench/model_scale [N]
 *
 * Not part of make check: numbers depend on the machine. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/model/model.h"

static long rss_bytes(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	long pages = 0, resident = 0;

	if (!f)
		return -1;
	if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
		resident = -1;
	fclose(f);
	return resident * 4096;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *dup_or_die(const char *s)
{
	char *d = strdup(s);

	if (!d) {
		fputs("model_scale: out of memory\n", stderr);
		exit(1);
	}
	return d;
}

/* A failed fax as the webhook would carry it: realistic string sizes, a
 * unique id, idempotency key and event id, shared codes and messages. */
static void make_event(struct event *ev, long i)
{
	static const char *const codes[] = { "busy", "no_answer", "line_quality" };
	char buf[64];
	int64_t t = (1747173600LL + i) * 1000;

	event_init(ev);
	snprintf(buf, sizeof buf, "evt_%022ld", i);
	ev->id = dup_or_die(buf);
	ev->type = EV_FAX_FAILED;
	ev->type_name = dup_or_die("fax.failed");
	ev->created = t / 1000 + 300;
	ev->object = EVOBJ_FAX;
	snprintf(buf, sizeof buf, "fax_%022ld", i);
	ev->fax.id = dup_or_die(buf);
	ev->fax.status = FAX_FAILED;
	snprintf(buf, sizeof buf, "+1212%07ld", i % 50000);
	ev->fax.to = dup_or_die(buf);
	snprintf(buf, sizeof buf, "order-%ld-%08lx", i, (unsigned long)i * 2654435761UL);
	ev->fax.idempotency_key = dup_or_die(buf);
	ev->fax.error_code = dup_or_die(codes[i % 3]);
	ev->fax.error_message = dup_or_die("The destination was busy on every attempt");
	ev->fax.max_attempts = 3;
	ev->fax.pages = 2;
	ev->fax.created_at = t;
	ev->fax.submitted_at = t + 1000;
	ev->fax.completed_at = t + 300000;
	ev->fax.updated_at = t + 300000;
	ev->fax.n_tags = 1;
	ev->fax.tags = calloc(1, sizeof *ev->fax.tags);
	ev->fax.attempts = calloc(3, sizeof *ev->fax.attempts);
	if (!ev->fax.tags || !ev->fax.attempts) {
		fputs("model_scale: out of memory\n", stderr);
		exit(1);
	}
	ev->fax.tags[0].key = dup_or_die("team");
	ev->fax.tags[0].value = dup_or_die("billing");
	ev->fax.n_attempts = 3;
	for (int a = 0; a < 3; a++) {
		struct fax_attempt *at = &ev->fax.attempts[a];

		fax_attempt_init(at);
		at->number = a + 1;
		at->started_at = t + 1000 + a * 100000;
		at->completed_at = at->started_at + 45000;
		at->duration_ms = 45000;
		at->error_code = dup_or_die(codes[i % 3]);
		at->error_message = dup_or_die("Destination busy");
	}
}

static double feed(struct model *m, long from, long to, int step)
{
	double spent = 0;

	for (long i = from; i != to; i += step) {
		struct event ev;
		double a;

		make_event(&ev, i);
		a = now_s();
		if (model_apply(m, &ev, SRC_WEBHOOK, i) != APPLY_OK)
			fprintf(stderr, "model_scale: event %ld not applied\n", i);
		spent += now_s() - a;
		event_done(&ev);
	}
	return spent;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? strtol(argv[1], NULL, 10) : 1000000;
	long extra = n / 10;
	long before, after;
	struct model *m;
	double t;

	if (n <= 0) {
		fputs("usage: model_scale [N]\n", stderr);
		return 2;
	}
	m = model_new(NULL);
	if (!m)
		return 1;
	before = rss_bytes();
	t = feed(m, 0, n, 1);
	after = rss_bytes();
	printf("in creation order: %ld faxes, %.2f s in model_apply, %.0f applies/s\n", n, t,
	       (double)n / t);
	printf("resident: %.1f MiB, %.0f bytes per fax (3 attempts, dedupe window included)\n",
	       (double)(after - before) / 1048576.0, (double)(after - before) / (double)n);
	/* Newest first, as GET /faxes pages arrive, all older than the rest. */
	t = feed(m, -1, -1 - extra, -1);
	printf("newest first: %ld faxes, %.2f s, %.0f applies/s\n", extra, t, (double)extra / t);
	printf("total %zu faxes, failed %zu\n", model_count(m), model_count_status(m, FAX_FAILED));
	model_free(m);
	return 0;
}
