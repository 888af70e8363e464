/* bench/scale: faxtop's model, views and store at 10k..1M faxes.
 *
 *   scale memory N          RSS of a model of N faxes (3 attempts each)
 *                           built through model_apply; bytes per fax
 *   scale render N          full frames of the real TUI (tui_new on a pty
 *                           of 200x50) over a model of N faxes, after one
 *                           new event each and after a plain touch; and
 *                           filters (view_set_filter + view_update)
 *   scale store N DB        writes N faxes through store_put_fax (a store
 *                           for the start-up benchmark)
 *   scale load DB           store_load into a fresh model: time, CPU, RSS
 *   scale load-thread DB    the same through the reader thread, as faxtop
 *                           starts (store_load_thread): the loop thread's
 *                           CPU apart
 *   scale scan DB           only SQLite's part of that: every fax row in
 *                           store_load's order, every column read
 *   scale parse N           the webhook path's parse and --headless line
 *                           over N realistic bodies: CPU per event
 *   scale ingest N DIR      ingest_body of N realistic bodies into a fresh
 *                           store in DIR: the loop thread's CPU per event
 *
 * One JSON line of results on stdout. Not part of make check. */
#include <config.h>

#include <errno.h>
#include <ev.h>
#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "bench/benchlib.h"
#include "core/base/options.h"
#include "core/model/model.h"
#include "core/store/ingest.h"
#include "core/store/store.h"
#include "core/wire/event_parse.h"
#include "tui/tui.h"
#include "tui/view.h"

#define BENCH_BASE_MS 1700000000000LL

static struct model *build_model(size_t n, double *secs)
{
	struct model_opts mo = { .event_log_size = 1000,
				 .balance_samples = 2880,
				 .alert_log_size = 100,
				 .dedupe_window = 1u << 20,
				 .low_balance_cents = 1000 };
	struct model *m = model_new(&mo);
	double t0 = bench_mono();

	if (!m)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		struct event ev;
		char id[64];

		event_init(&ev);
		snprintf(id, sizeof id, "evt_m_%zu", i);
		ev.id = strdup(id);
		ev.object = EVOBJ_FAX;
		if (!ev.id || bench_fax(&ev.fax, "m", i, 3, BENCH_BASE_MS) < 0) {
			event_done(&ev);
			model_free(m);
			return NULL;
		}
		ev.type = ev.fax.status == FAX_FAILED ? EV_FAX_FAILED : EV_FAX_DELIVERED;
		ev.type_name = strdup(event_type_name(ev.type));
		ev.created = ev.fax.updated_at / 1000;
		model_apply(m, &ev, SRC_WEBHOOK, ev.fax.updated_at);
		event_done(&ev);
	}
	*secs = bench_mono() - t0;
	return m;
}

static int cmd_memory(size_t n)
{
	size_t before = bench_rss(), after;
	double secs = 0;
	struct model *m = build_model(n, &secs);

	if (!m)
		return 1;
	after = bench_rss();
	printf("{\"bench\":\"memory\",\"faxes\":%zu,\"attempts_per_fax\":3,\"rss_before\":%zu,"
	       "\"rss_after\":%zu,\"bytes_per_fax\":%.0f,\"apply_s\":%.3f,\"apply_per_s\":%.0f}\n",
	       model_count(m), before, after, (double)(after - before) / (double)n, secs,
	       secs > 0 ? (double)n / secs : 0);
	model_free(m);
	return 0;
}

/* ---- render ---- */

static void *drain_pty(void *arg)
{
	int fd = *(int *)arg;
	char buf[65536];

	while (read(fd, buf, sizeof buf) > 0)
		;
	return NULL;
}

/* Puts a 200x50 pty on stdin/stdout so that the real terminal set-up runs;
 * a thread swallows what the TUI writes. Returns the saved stdout or -1. */
static int pty_setup(pthread_t *th, int *master)
{
	struct winsize ws = { .ws_row = 50, .ws_col = 200 };
	int slave, saved;
	char *name;

	*master = posix_openpt(O_RDWR | O_NOCTTY);
	if (*master < 0 || grantpt(*master) < 0 || unlockpt(*master) < 0 ||
	    !(name = ptsname(*master)) || (slave = open(name, O_RDWR | O_NOCTTY)) < 0)
		return -1;
	ioctl(slave, TIOCSWINSZ, &ws);
	saved = dup(STDOUT_FILENO);
	dup2(slave, STDIN_FILENO);
	dup2(slave, STDOUT_FILENO);
	close(slave);
	setenv("TERM", "xterm-256color", 1);
	setenv("LANG", "C.UTF-8", 1);
	unsetenv("NO_COLOR");
	if (pthread_create(th, NULL, drain_pty, master) != 0)
		return -1;
	return saved;
}

static void apply_new(struct model *m, size_t idx)
{
	struct event ev;

	if (bench_event(&ev, "r", idx, 2, BENCH_BASE_MS + 1000000000LL) == 0)
		model_apply(m, &ev, SRC_WEBHOOK, ev.fax.updated_at);
	event_done(&ev);
}

/* One frame: ev_run until the TUI drew (its prepare step runs before the
 * loop would sleep; the frame timer may need one wake-up). */
static double one_frame(struct ev_loop *loop)
{
	double t0 = bench_mono();

	ev_run(loop, EVRUN_NOWAIT);
	return (bench_mono() - t0) * 1e3;
}

static void median3(double *v, size_t n, double *p50, double *max)
{
	qsort(v, n, sizeof *v, bench_cmp_double);
	*p50 = bench_pct(v, n, 50);
	*max = v[n - 1];
}

static int cmd_render(size_t n)
{
	enum { FRAMES = 15 };
	static const char *const filters[] = { "status:failed", "code:line_busy", "5551",
					       "to:1212000", "!status:delivered tag:x" };
	double build_s, live[FRAMES], touch[FRAMES], flt[5], lp50, lmax, tp50, tmax;
	struct config cfg;
	struct ev_loop *loop;
	struct model *m = build_model(n, &build_s);
	struct tui *t;
	struct view v;
	pthread_t th;
	int master, saved;
	char err[512];
	FILE *out;

	if (!m || (saved = pty_setup(&th, &master)) < 0) {
		fprintf(stderr, "scale: cannot set up the model or a pty\n");
		return 1;
	}
	out = fdopen(saved, "w");
	config_init(&cfg);
	cfg.fps = 120;
	cfg.mouse = false;
	loop = ev_loop_new(EVFLAG_AUTO);
	if (!(t = tui_new(loop, m, &cfg, NULL, NULL, err, sizeof err))) {
		fprintf(stderr, "scale: %s\n", err);
		return 1;
	}
	one_frame(loop);
	for (int i = 0; i < FRAMES; i++) {
		usleep(10000); /* past the 120 fps frame interval */
		apply_new(m, (size_t)i);
		live[i] = one_frame(loop);
	}
	for (int i = 0; i < FRAMES; i++) {
		usleep(10000);
		tui_touch(t);
		touch[i] = one_frame(loop);
	}
	tui_free(t);
	ev_loop_destroy(loop);

	view_init(&v, m);
	view_update(&v);
	for (size_t i = 0; i < 5; i++) {
		double runs[3], mx;

		for (int r = 0; r < 3; r++) {
			double t0;

			view_set_filter(&v, "", err, sizeof err);
			view_update(&v);
			t0 = bench_mono();
			if (view_set_filter(&v, filters[i], err, sizeof err) < 0) {
				fprintf(stderr, "scale: filter %s: %s\n", filters[i], err);
				return 1;
			}
			view_update(&v);
			runs[r] = (bench_mono() - t0) * 1e3;
		}
		median3(runs, 3, &flt[i], &mx);
	}
	size_t matched = view_count(&v);

	view_done(&v);
	median3(live, FRAMES, &lp50, &lmax);
	median3(touch, FRAMES, &tp50, &tmax);
	fprintf(out,
		"{\"bench\":\"render\",\"faxes\":%zu,\"frame_after_event_p50_ms\":%.3f,"
		"\"frame_after_event_max_ms\":%.3f,\"frame_touch_p50_ms\":%.3f,"
		"\"frame_touch_max_ms\":%.3f",
		model_count(m), lp50, lmax, tp50, tmax);
	for (size_t i = 0; i < 5; i++)
		fprintf(out, ",\"filter_%zu_ms\":%.3f", i, flt[i]);
	qsort(flt, 5, sizeof *flt, bench_cmp_double);
	fprintf(out, ",\"filter_max_ms\":%.3f,\"last_filter_matches\":%zu}\n", flt[4], matched);
	fclose(out);
	config_done(&cfg);
	model_free(m);
	return 0;
}

/* ---- store ---- */

static int cmd_store(size_t n, const char *path)
{
	struct store_opts so = { .path = path, .retention_days = 0, .recent_events = 1000 };
	char err[512];
	double build_s, t0;
	struct model *m = build_model(n, &build_s);
	struct store *s;

	if (!m || !(s = store_open(&so, err, sizeof err))) {
		fprintf(stderr, "scale: %s\n", m ? err : "cannot build the model");
		return 1;
	}
	t0 = bench_mono();
	for (size_t i = 0; i < model_count(m); i++) {
		if (store_put_fax(s, model_at(m, i)) < 0) {
			fprintf(stderr, "scale: store_put_fax: %s\n", store_last_error(s));
			return 1;
		}
		if (i % 20000 == 19999 && store_commit(s) < 0) {
			fprintf(stderr, "scale: commit: %s\n", store_last_error(s));
			return 1;
		}
	}
	if (store_commit(s) < 0)
		return 1;
	printf("{\"bench\":\"store\",\"faxes\":%zu,\"write_s\":%.3f}\n", model_count(m),
	       bench_mono() - t0);
	store_close(s);
	model_free(m);
	return 0;
}

static double cpu_now(clockid_t which)
{
	struct timespec ts;

	clock_gettime(which, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void load_ready(void *arg)
{
	(void)arg;
}

/* As faxtop starts: a first chunk, then the rest from the reader thread,
 * in chunks, the loop waiting for it when it has nothing ready. */
static int load_threaded(struct store *s, struct model *m, struct ev_loop *loop)
{
	int r = store_load_step(s, m, 5000);

	if (r == 1 && store_load_thread(s, loop, load_ready, NULL) < 0)
		return -1;
	while (r == 1 || r == STORE_LOAD_WAIT) {
		if (r == STORE_LOAD_WAIT)
			ev_run(loop, EVRUN_ONCE);
		r = store_load_step(s, m, 10000);
	}
	return r;
}

/* store_load (or with `threaded`, the reader thread) into a fresh model:
 * wall time, the process's CPU and the loop thread's. */
static int cmd_load(const char *path, bool threaded)
{
	struct store_opts so = { .path = path, .retention_days = 0, .recent_events = 1000 };
	char err[512];
	size_t before = bench_rss();
	double t0 = bench_mono(), c0 = cpu_now(CLOCK_PROCESS_CPUTIME_ID);
	double l0 = cpu_now(CLOCK_THREAD_CPUTIME_ID);
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct model *m = model_new(NULL);
	struct store *s = m && loop ? store_open(&so, err, sizeof err) : NULL;
	int r = -1;

	if (s && threaded)
		r = store_load_begin(s, m, bench_wall_us() / 1000) < 0 ? -1
								       : load_threaded(s, m, loop);
	else if (s)
		r = store_load(s, m, bench_wall_us() / 1000);
	if (r < 0) {
		fprintf(stderr, "scale: cannot load %s: %s\n", path, s ? store_last_error(s) : err);
		return 1;
	}
	printf("{\"bench\":\"%s\",\"faxes\":%zu,\"load_s\":%.3f,\"cpu_s\":%.3f,"
	       "\"loop_cpu_s\":%.3f,\"rss_delta\":%zu,\"bytes_per_fax\":%.0f}\n",
	       threaded ? "load-thread" : "load", model_count(m), bench_mono() - t0,
	       cpu_now(CLOCK_PROCESS_CPUTIME_ID) - c0, cpu_now(CLOCK_THREAD_CPUTIME_ID) - l0,
	       bench_rss() - before,
	       model_count(m) ? (double)(bench_rss() - before) / (double)model_count(m) : 0);
	store_close(s);
	model_free(m);
	ev_loop_destroy(loop);
	return 0;
}

/* How much of store_load is SQLite reading the rows (same order, every
 * column touched), and how much is building the model. */
static int cmd_scan(const char *path)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	size_t rows = 0, bytes = 0;
	double t0 = bench_mono();
	int rc;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT * FROM faxes ORDER BY rowid DESC", -1, &st, NULL) !=
		    SQLITE_OK) {
		fprintf(stderr, "scale: %s: %s\n", path, db ? sqlite3_errmsg(db) : "cannot open");
		sqlite3_close(db);
		return 1;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (int c = 0; c < sqlite3_column_count(st); c++) {
			sqlite3_column_blob(st, c);
			bytes += (size_t)sqlite3_column_bytes(st, c);
		}
		rows++;
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	if (rc != SQLITE_DONE)
		return 1;
	printf("{\"bench\":\"scan\",\"faxes\":%zu,\"bytes\":%zu,\"scan_s\":%.3f}\n", rows, bytes,
	       bench_mono() - t0);
	return 0;
}

/* n realistic webhook bodies, as bench/loadgen sends them; NULL on ENOMEM. */
static char **make_bodies(size_t n, size_t *mean_bytes)
{
	struct bench_plan plan;
	char **bodies = calloc(n, sizeof *bodies);
	size_t bytes = 0;

	if (!bodies || bench_plan_make(&plan, n, true, 1, "scale") < 0)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		struct event ev;

		if (bench_plan_event(&plan, i, &ev, 1700000000000LL) < 0 ||
		    !(bodies[i] = wire_event_to_json(&ev)))
			return NULL;
		bytes += strlen(bodies[i]);
		event_done(&ev);
	}
	bench_plan_free(&plan);
	*mean_bytes = bytes / n;
	return bodies;
}

static void free_bodies(char **bodies, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(bodies[i]);
	free(bodies);
}

/* One pass of the webhook path's parse and output line. */
static int parse_pass(char **bodies, size_t n, const char *dir)
{
	(void)dir;
	for (size_t i = 0; i < n; i++) {
		struct event ev;
		char why[256];
		size_t len = strlen(bodies[i]);
		char *line;

		event_init(&ev);
		if (wire_event_parse(bodies[i], len, &ev, why, sizeof why) < 0)
			return -1;
		line = wire_event_json_line(&ev, bodies[i], len, SRC_WEBHOOK);
		if (!line)
			return -1;
		free(line);
		event_done(&ev);
	}
	return 0;
}

/* One pass of ingest_body into a fresh store in dir (relaxed sync, so that
 * no fsync's kernel time lands in the figure), committed every 32 events as
 * a loaded listener would. */
static int ingest_pass(char **bodies, size_t n, const char *dir)
{
	static int pass;
	char path[4096], err[512];
	struct store_opts so = { .path = path, .relaxed_sync = true };
	struct model *m = model_new(NULL);
	struct store *s;
	struct ingest *in;
	int r = 0;

	snprintf(path, sizeof path, "%s/ingest-%d.db", dir, pass++);
	if (!m || !(s = store_open(&so, err, sizeof err)) || !(in = ingest_new(s, m, NULL))) {
		fprintf(stderr, "scale: ingest: %s\n", err);
		return -1;
	}
	for (size_t i = 0; i < n && r == 0; i++) {
		if (ingest_body(in, bodies[i], strlen(bodies[i]), SRC_WEBHOOK, err, sizeof err) !=
		    INGEST_ACCEPTED)
			r = -1;
		else if (i % 32 == 31)
			r = store_commit(s);
	}
	if (r == 0)
		r = store_commit(s);
	ingest_free(in);
	store_close(s);
	model_free(m);
	return r;
}

/* CPU per event of a path, on n realistic bodies: the best of `passes`,
 * this thread's CPU only (the checkpoint helper's is not in it). Small
 * changes show here long before they rise above the noise of an ingest
 * run on a shared machine. */
static int cmd_cpu(const char *what, size_t n, int passes,
		   int (*run)(char **, size_t, const char *), const char *dir)
{
	size_t mean;
	char **bodies = make_bodies(n, &mean);
	double best = 1e9;

	if (!bodies)
		return 1;
	for (int pass = 0; pass < passes; pass++) {
		double t0 = cpu_now(CLOCK_THREAD_CPUTIME_ID), t;

		if (run(bodies, n, dir) < 0) {
			fprintf(stderr, "scale: %s: pass %d failed\n", what, pass);
			return 1;
		}
		t = cpu_now(CLOCK_THREAD_CPUTIME_ID) - t0;
		best = t < best ? t : best;
	}
	printf("{\"bench\":\"%s\",\"events\":%zu,\"mean_bytes\":%zu,\"ns_per_event\":%.0f}\n", what,
	       n, mean, best / n * 1e9);
	free_bodies(bodies, n);
	return 0;
}

int main(int argc, char **argv)
{
	size_t n = argc > 2 ? strtoul(argv[2], NULL, 10) : 0;

	if (argc >= 3 && !strcmp(argv[1], "memory") && n)
		return cmd_memory(n);
	if (argc >= 3 && !strcmp(argv[1], "render") && n)
		return cmd_render(n);
	if (argc >= 4 && !strcmp(argv[1], "store") && n)
		return cmd_store(n, argv[3]);
	if (argc >= 3 && !strcmp(argv[1], "load"))
		return cmd_load(argv[2], false);
	if (argc >= 3 && !strcmp(argv[1], "load-thread"))
		return cmd_load(argv[2], true);
	if (argc >= 3 && !strcmp(argv[1], "scan"))
		return cmd_scan(argv[2]);
	if (argc >= 3 && !strcmp(argv[1], "parse") && n)
		return cmd_cpu("parse", n, 5, parse_pass, NULL);
	if (argc >= 4 && !strcmp(argv[1], "ingest") && n)
		return cmd_cpu("ingest", n, 3, ingest_pass, argv[3]);
	fprintf(stderr,
		"usage: scale memory N | render N | store N DB | load DB | load-thread DB |\n"
		"       scan DB | parse N | ingest N DIR\n");
	return 2;
}
