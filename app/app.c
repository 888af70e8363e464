/* struct app: owns the loop and every component.
 *
 * Start-up order: signals → log → store → model (the newest faxes from the
 * store) → ingest → the feeds: simulator (demo), listener, API client and
 * poller → TUI. A large store is read on after the first frame, in chunks
 * between the loop's other work; the feeds start once it is all read, since
 * news must not meet a fax the model has not read yet (see store.h).
 * Shutdown runs the other way: stop accepting, let held answers go out with
 * the last commit, close the TUI (terminal restored), commit and close the
 * store. */
#include "config.h"

#include <errno.h>
#include <ev.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "app/app.h"
#include "app/app_int.h"
#include "app/app_team.h"
#include "core/team/team.h"
#include "app/health.h"
#include "app/rate.h"
#include "core/api/api_client.h"
#include "core/base/clock.h"
#include "core/base/options.h"
#include "core/wire/event_parse.h"
#include "core/http/http_server.h"
#include "core/store/ingest.h"
#include "core/base/log.h"
#include "core/model/model.h"
#include "core/api/poller.h"
#include "core/api/resend.h"
#include "core/base/sanitize.h"
#include "core/store/triage.h"
#include "core/base/secrets.h"
#include "core/base/xalloc.h"
#include "core/http/signature.h"
#include "core/store/store.h"
#include "core/http/webhook.h"
#include "sim/sim.h"
#include "tui/tui.h"

/* How long shutdown waits for held answers before giving up on them. */
#define APP_DRAIN_SECONDS 5.0
/* Old events are pruned at start-up and then this often. */
#define APP_PRUNE_SECONDS 3600.0
/* The demo's traffic: faxes per simulated minute, and the time scale. */
#define APP_DEMO_RATE  8.0
#define APP_DEMO_SPEED 6.0
/* Faxes read from the store before the first frame (a screenful and more),
 * then per loop iteration while the rest loads (~50 ms of work, so keys
 * are still answered at once). */
#define APP_LOAD_FIRST 5000
#define APP_LOAD_CHUNK 10000

/* ---- headless output and rate ---- */

static void app_flush_lines(void *ctx, bool ok)
{
	struct app *a = ctx;
	struct pending_line *l = a->lines;

	a->flush_armed = false;
	a->lines = NULL;
	a->lines_tail = &a->lines;
	while (l) {
		struct pending_line *next = l->next;

		/* A failed commit drops the lines: the events were not stored and
		 * will be printed when their redelivery is. */
		if (ok && a->out) {
			fputs(l->text, a->out);
			fputc('\n', a->out);
		}
		free(l->text);
		free(l);
		l = next;
	}
	if (ok && a->out)
		fflush(a->out);
}

static void app_on_ingest(void *ctx, const struct event *ev, const char *raw, size_t raw_len,
			  enum event_source src, enum ingest_result r)
{
	struct app *a = ctx;
	struct pending_line *l;
	char *text;

	/* The leader's polled events go on to the shared store, duplicates
	 * too: the cache may hold one the shared store has not got. */
	if (a->team)
		team_observe(a->team, ev, raw, raw_len, src, r);
	if (r != INGEST_ACCEPTED)
		return;
	rate_count(&a->rate, clock_now_s(a->clock), ev->created,
		   src == SRC_POLL && a->poller ? poller_state(a->poller)->polls : 0);
	if (!a->out)
		return;
	/* Its NULL means json-c found the heap gone. Dying here loses nothing
	 * (the event is not acknowledged before its commit, so it comes
	 * again); dropping the line would lose it from the output for good. */
	text = wire_event_json_line(ev, raw, raw_len, src);
	if (!text)
		xalloc_die();
	l = xcalloc(1, sizeof *l);
	l->text = text;
	*a->lines_tail = l;
	a->lines_tail = &l->next;
	if (!a->flush_armed && store_on_commit(a->store, app_flush_lines, a) == 0)
		a->flush_armed = true;
}

/* ---- shutdown ---- */

static void app_drain_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct app *a = w->data;
	size_t held = a->http ? http_server_pending(a->http) : 0;

	if (held == 0 || ev_now(loop) >= a->drain_deadline) {
		if (held > 0)
			log_warn(a->log, "shutdown: %zu answers still held, closing anyway", held);
		ev_timer_stop(loop, w);
		ev_break(loop, EVBREAK_ALL);
	}
}

static void app_stop(struct app *a)
{
	if (a->stopping)
		return;
	a->stopping = true;
	log_info(a->log, "shutting down");
	if (a->http)
		http_server_stop_accepting(a->http);
	if (a->poller)
		poller_stop(a->poller);
	a->drain_deadline = ev_now(a->loop) + APP_DRAIN_SECONDS;
	/* Held answers go out from the store's commit before the loop sleeps;
	 * the timer only checks that none is left. */
	ev_timer_init(&a->drain, app_drain_cb, 0.0, 0.02);
	a->drain.data = a;
	ev_timer_start(a->loop, &a->drain);
}

static void app_signal_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	struct app *a = w->data;

	if (w->signum == SIGPIPE)
		return;
	app_stop(a);
}

/* ---- start-up steps ---- */

static int app_write_ready_file(const char *path, const char *addr, char *err, size_t errlen)
{
	char tmp[PATH_MAX];
	FILE *f;

	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f || fprintf(f, "%s\n", addr) < 0 || fclose(f) != 0 || rename(tmp, path) != 0) {
		snprintf(err, errlen, "cannot write ready file %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

static void app_prune(struct app *a)
{
	if (a->cfg->retention_days > 0 && store_prune(a->store, clock_now_ms(a->clock)) != 0)
		log_warn(a->log, "could not prune events older than %ld days: %s",
			 a->cfg->retention_days, store_last_error(a->store));
}

static void app_prune_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	app_prune(w->data);
}

/* One faxtop per database: two would poll the API twice and take turns
 * failing each other's commits. An flock on DB.lock (released by the
 * kernel however faxtop ends) says which process has it. The one-shot
 * commands (faxtop resend's audit line) do not take it. */
static int app_lock_db(struct app *a, char *err, size_t errlen)
{
	char path[PATH_MAX + 8], pid[24] = "";
	ssize_t n;

	snprintf(path, sizeof path, "%s.lock", a->db_path);
	a->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	/* A file system without locks (or a directory faxtop may not write,
	 * where the store itself will say more) costs the guard, not the run. */
	if (a->lock_fd < 0) {
		log_warn(a->log,
			 "cannot open %s (%s): nothing keeps a second faxtop off this "
			 "database",
			 path, strerror(errno));
		return 0;
	}
	if (flock(a->lock_fd, LOCK_EX | LOCK_NB) == 0) {
		snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
		if (ftruncate(a->lock_fd, 0) != 0 ||
		    pwrite(a->lock_fd, pid, strlen(pid), 0) != (ssize_t)strlen(pid))
			log_warn(a->log, "cannot write the pid into %s: %s", path, strerror(errno));
		return 0;
	}
	if (errno != EWOULDBLOCK) {
		log_warn(a->log,
			 "cannot lock %s (%s): nothing keeps a second faxtop off this "
			 "database",
			 path, strerror(errno));
		return 0;
	}
	/* The file's text is shown only if it is a pid. */
	n = pread(a->lock_fd, pid, sizeof pid - 1, 0);
	pid[n > 0 ? n : 0] = '\0';
	pid[strspn(pid, "0123456789")] = '\0';
	snprintf(err, errlen,
		 "%.200s is in use by another faxtop%s%s%s: run one faxtop per "
		 "database, or give this one its own with --db PATH",
		 a->db_path, pid[0] ? " (pid " : "", pid, pid[0] ? ")" : "");
	return -1;
}

/* The reader thread has faxes for the loader (app_loader_cb) again. */
static void app_load_ready(void *arg)
{
	struct app *a = arg;

	if (a->loading && !ev_is_active(&a->loader))
		ev_idle_start(a->loop, &a->loader);
}

static int app_open_store(struct app *a, char *err, size_t errlen)
{
	struct store_opts so = {
		.retention_days = (int)a->cfg->retention_days,
		.recent_events = (size_t)a->cfg->event_log_size,
		/* In team mode the shared store is the record and this one its
		 * cache, read again from the shared store after a crash. */
		.relaxed_sync = a->cfg->relaxed_sync || config_store_is_pg(a->cfg->store),
	};
	struct model_opts mo = {
		.event_log_size = (size_t)a->cfg->event_log_size,
		.low_balance_cents = a->cfg->low_balance,
		.burn_window_ms = (int64_t)a->cfg->burn_window * 60000,
	};
	int r;

	if (a->cfg->demo && !a->cfg->db) {
		snprintf(a->demo_dir, sizeof a->demo_dir, "/tmp/faxtop-demo.XXXXXX");
		if (!mkdtemp(a->demo_dir)) {
			snprintf(err, errlen, "cannot create a temporary directory: %s",
				 strerror(errno));
			a->demo_dir[0] = '\0';
			return -1;
		}
		snprintf(a->db_path, sizeof a->db_path, "%.200s/faxtop.db", a->demo_dir);
	} else if (config_db_path(a->cfg, a->db_path, sizeof a->db_path) != 0) {
		snprintf(err, errlen, "cannot work out the database path: set --db PATH");
		return -1;
	}
	so.path = a->db_path;
	a->store = store_open(&so, err, errlen);
	if (!a->store || app_lock_db(a, err, errlen) != 0)
		return -1;
	a->model = model_new(&mo);
	a->triage = triage_new();
	if (triage_load(a->triage, a->store) != 0) {
		snprintf(err, errlen, "cannot read the triage decisions of %.200s: %.200s",
			 a->db_path, store_last_error(a->store));
		return -1;
	}
	/* --headless has no first frame to hurry: it reads all at once. */
	a->load_started = ev_time();
	if (store_load_begin(a->store, a->model, clock_now_ms(a->clock)) != 0 ||
	    (r = store_load_step(a->store, a->model, a->cfg->headless ? 0 : APP_LOAD_FIRST)) < 0) {
		snprintf(err, errlen, "cannot load %.200s: %.200s", a->db_path,
			 store_last_error(a->store));
		return -1;
	}
	a->loading = r == 1;
	/* The rest on a reader thread; without one, in chunks in the loop. */
	if (a->loading && store_load_thread(a->store, a->loop, app_load_ready, a) != 0)
		log_warn(a->log, "reading the store in the loop: %s", store_last_error(a->store));
	app_prune(a);
	ev_timer_init(&a->prune, app_prune_cb, APP_PRUNE_SECONDS, APP_PRUNE_SECONDS);
	a->prune.data = a;
	ev_timer_start(a->loop, &a->prune);
	ev_unref(a->loop); /* the prune timer alone does not keep faxtop running */
	store_attach(a->store, a->loop);
	a->ingest = ingest_new(a->store, a->model, a->clock);
	if (!a->ingest) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	ingest_set_observer(a->ingest, app_on_ingest, a);
	return 0;
}

static int app_start_listener(struct app *a, char *err, size_t errlen)
{
	const char *secret = a->cfg->demo ? a->demo_secret : a->cfg->webhook_secret;
	struct http_server_opts ho = {
		.max_header_bytes = (size_t)a->cfg->max_header_bytes,
		.max_body_bytes = (size_t)a->cfg->max_body_bytes,
		.max_connections = (unsigned)a->cfg->max_connections,
		.max_conns_per_peer = (unsigned)a->cfg->max_connections_per_peer,
		.idle_timeout = (double)a->cfg->idle_timeout,
		.server_name = "faxtop/" PACKAGE_VERSION,
		.trusted_proxies = a->cfg->trusted_proxy,
		.log = a->log,
	};
	struct webhook_opts wo = {
		.path = a->cfg->webhook_path,
		.secret = secret,
		.secret_old = a->cfg->demo ? NULL : a->cfg->webhook_secret_old,
		.scheme_name = a->cfg->signature_scheme,
		.tolerance_s = a->cfg->timestamp_tolerance,
	};

	/* One body limit: what the listener takes, the parser takes too. */
	wire_set_max_bytes(ho.max_body_bytes);
	if (!secret) {
		log_warn(a->log,
			 "no webhook secret configured (MINTFAX_WEBHOOK_SECRET): "
			 "the webhook listener is off");
		return 0;
	}
	a->webhook = webhook_new(&wo, a->ingest, a->store, a->model, a->clock, a->log, err, errlen);
	if (!a->webhook)
		return -1;
	a->http = http_server_new(a->loop, &ho, webhook_handle, a->webhook);
	if (!a->http) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (http_server_listen(a->http, a->cfg->demo ? "127.0.0.1:0" : a->cfg->listen, err,
			       errlen) != 0)
		return -1;
	snprintf(a->listener_addr, sizeof a->listener_addr, "%s", http_server_address(a->http));
	if (!http_server_is_loopback(a->http))
		log_warn(a->log,
			 "listening on %s, which is not a loopback address: put a "
			 "TLS-terminating reverse proxy or tunnel in front of faxtop",
			 a->listener_addr);
	log_info(a->log, "webhook listener on http://%s%s", a->listener_addr, a->cfg->webhook_path);
	if (a->cfg->ready_file &&
	    app_write_ready_file(a->cfg->ready_file, a->listener_addr, err, errlen) != 0)
		return -1;
	return 0;
}

static int app_start_demo(struct app *a, char *err, size_t errlen)
{
	struct sim_opts so;
	unsigned char rnd[12];
	char hex[2 * sizeof rnd + 1];

	if (sig_generate_secret(a->demo_secret, sizeof a->demo_secret) != 0 ||
	    RAND_bytes(rnd, sizeof rnd) != 1) {
		snprintf(err, errlen, "cannot generate the demo's key and secret");
		return -1;
	}
	for (size_t i = 0; i < sizeof rnd; i++)
		snprintf(hex + 2 * i, 3, "%02x", rnd[i]);
	snprintf(a->demo_key, sizeof a->demo_key, "mfx_test_demo_%s", hex);
	log_add_secret(a->log, a->demo_secret);
	log_add_secret(a->log, a->demo_key);
	sim_opts_init(&so);
	so.listen = "127.0.0.1:0";
	so.secret = a->demo_secret;
	so.api_key = a->demo_key;
	so.clock = a->clock;
	so.log = a->log;
	/* Lively: a few faxes a second at six times real speed, topped up when
	 * the money runs out, with the default share of failures to resubmit. */
	so.rate = APP_DEMO_RATE;
	so.speed = APP_DEMO_SPEED;
	so.auto_topup = true;
	so.seed = (uint64_t)clock_now_ms(a->clock);
	a->sim = sim_new(a->loop, &so, err, errlen);
	if (!a->sim)
		return -1;
	snprintf(a->api_base, sizeof a->api_base, "http://%s/v1", sim_address(a->sim));
	return 0;
}

static void app_point_demo_at_listener(struct app *a)
{
	char url[300];

	if (!a->sim || !a->http)
		return;
	snprintf(url, sizeof url, "http://%s%s", a->listener_addr, a->cfg->webhook_path);
	sim_set_webhook_url(a->sim, url);
}

static const char *app_api_state(void *ctx)
{
	struct app *a = ctx;

	return api_conn_state_name(api_client_state(a->api)->state);
}

/* A refused key on the first answer: fatal for --headless (a clear start-up
 * error), shown in the header for the TUI. */
static void app_auth_error(void *ctx, const char *message)
{
	struct app *a = ctx;

	if (a->stopping)
		return;
	log_error(a->log, "the API refused the key: %s", message);
	if (a->cfg->headless) {
		a->exit_code = 1;
		app_stop(a);
	}
}

static int app_start_api(struct app *a, char *err, size_t errlen)
{
	const char *key = a->cfg->demo ? a->demo_key : a->cfg->api_key;
	const char *base = a->cfg->demo ? a->api_base : a->cfg->api_base;
	struct api_client_opts ao = {
		.base_url = base,
		.api_key = key,
		.cacert = a->cfg->cacert,
		.connect_timeout = a->cfg->connect_timeout,
		.request_timeout = a->cfg->request_timeout,
		.log = a->log,
		.clock = a->clock,
		.trace = a->cfg->verbose,
	};
	struct poller_opts po = {
		.poll_interval = (double)a->cfg->poll_interval,
		.balance_interval = (double)a->cfg->balance_interval,
		.stale_after = (double)a->cfg->stale_after,
		.on_auth_error = app_auth_error,
		.auth_ctx = a,
		.led = a->team != NULL,
	};

	if (!key) {
		if (a->cfg->headless)
			log_warn(a->log,
				 "no API key configured (MINTFAX_API_KEY): running the "
				 "webhook listener alone, without catch-up or balance");
		return 0;
	}
	a->api = api_client_new(a->loop, &ao, err, errlen);
	if (!a->api)
		return -1;
	a->poller =
		poller_new(a->loop, a->api, a->ingest, a->store, a->model, a->clock, a->log, &po);
	struct resend_opts ro = {
		.triage = a->triage,
		.who = app_operator(a),
		.gate = a->team ? team_resend_gate(a->team) : NULL,
	};
	a->resender = resend_new(a->loop, a->api, a->store, a->ingest, a->clock, a->log, &ro);
	if (!a->poller || !a->resender) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (a->webhook)
		webhook_set_api_state(a->webhook, app_api_state, a);
	poller_start(a->poller);
	return 0;
}

static void app_tui_quit(void *ctx)
{
	app_stop(ctx);
}

static int app_start_tui(struct app *a, char *err, size_t errlen)
{
	struct tui_actions acts;

	app_tui_actions(a, &acts);
	acts.quit = app_tui_quit;
	a->tui = tui_new(a->loop, a->model, a->cfg, &acts, a->log, err, errlen);
	return a->tui ? 0 : -1;
}

/* The simulator (demo), the listener, the API client and poller. */
static int app_start_feeds(struct app *a, char *err, size_t errlen)
{
	if (a->cfg->demo && app_start_demo(a, err, errlen) != 0)
		return -1;
	if (app_team_start(a, err, errlen) != 0 || app_start_listener(a, err, errlen) != 0)
		return -1;
	app_point_demo_at_listener(a);
	if (app_start_api(a, err, errlen) != 0)
		return -1;
	app_team_attach(a);
	return 0;
}

static void app_fatal(struct app *a)
{
	a->exit_code = 1;
	log_error(a->log, "%s", a->fatal);
	app_stop(a);
}

/* Reads the rest of the store a chunk at a time while nothing else is
 * waiting (an idle watcher yields to keys and timers); then starts the feeds. */
static void app_loader_cb(struct ev_loop *loop, ev_idle *w, int revents)
{
	struct app *a = w->data;
	size_t done, total;
	int r = a->stopping ? 0 : store_load_step(a->store, a->model, APP_LOAD_CHUNK);

	if (r == 1)
		return;
	ev_idle_stop(loop, w);
	if (r == STORE_LOAD_WAIT)
		return; /* until the reader thread has more: app_load_ready */
	a->loading = false;
	if (a->tui)
		tui_touch(a->tui);
	if (a->stopping)
		return;
	if (r < 0) {
		snprintf(a->fatal, sizeof a->fatal, "cannot load %.200s: %.200s", a->db_path,
			 store_last_error(a->store));
		app_fatal(a);
		return;
	}
	store_load_progress(a->store, &done, &total);
	log_info(a->log, "read %zu faxes from the store in %.1f s", done,
		 ev_time() - a->load_started);
	if (app_start_feeds(a, a->fatal, sizeof a->fatal) != 0)
		app_fatal(a);
}

static void app_start_signals(struct app *a)
{
	ev_signal_init(&a->sigint, app_signal_cb, SIGINT);
	ev_signal_init(&a->sigterm, app_signal_cb, SIGTERM);
	/* A closed terminal or ssh session: the same orderly stop (terminal
	 * restored, the demo's temporary files removed). */
	ev_signal_init(&a->sighup, app_signal_cb, SIGHUP);
	ev_signal_init(&a->sigpipe, app_signal_cb, SIGPIPE);
	a->sigint.data = a->sigterm.data = a->sighup.data = a->sigpipe.data = a;
	ev_signal_start(a->loop, &a->sigint);
	ev_signal_start(a->loop, &a->sigterm);
	ev_signal_start(a->loop, &a->sighup);
	ev_signal_start(a->loop, &a->sigpipe);
}

static void app_free_parts(struct app *a)
{
	ev_signal_stop(a->loop, &a->sigint);
	ev_signal_stop(a->loop, &a->sigterm);
	ev_signal_stop(a->loop, &a->sighup);
	ev_signal_stop(a->loop, &a->sigpipe);
	if (ev_is_active(&a->loader))
		ev_idle_stop(a->loop, &a->loader);
	if (a->store && ev_is_active(&a->prune)) {
		ev_ref(a->loop);
		ev_timer_stop(a->loop, &a->prune);
	}
	if (a->tui)
		tui_free(a->tui);
	if (a->poller)
		poller_free(a->poller);
	resend_free(a->resender);
	/* Before the listener: webhooks waiting on the shared store are
	 * answered (503) while their connections are still there. */
	team_free(a->team);
	a->team = NULL;
	if (a->api)
		api_client_free(a->api);
	if (a->sim)
		sim_free(a->sim);
	if (a->http)
		http_server_free(a->http);
	if (a->webhook)
		webhook_free(a->webhook);
	if (a->store) {
		store_detach(a->store);
		store_commit(a->store);
	}
	app_flush_lines(a, false);
	if (a->ingest)
		ingest_free(a->ingest);
	if (a->store)
		store_close(a->store);
	if (a->model)
		model_free(a->model);
	triage_free(a->triage);
	if (a->lock_fd >= 0)
		close(a->lock_fd);
	if (a->demo_dir[0]) {
		char path[PATH_MAX + 16];
		const char *suffix[] = { "", "-wal", "-shm", ".lock" };

		for (size_t i = 0; i < sizeof suffix / sizeof *suffix; i++) {
			snprintf(path, sizeof path, "%s%s", a->db_path, suffix[i]);
			unlink(path);
		}
		rmdir(a->demo_dir);
	}
	secrets_wipe(a->demo_secret, sizeof a->demo_secret);
	secrets_wipe(a->demo_key, sizeof a->demo_key);
	if (a->log)
		log_free(a->log);
}

/* The parts of struct app that need no resource: what the run starts from. */
static void app_init(struct app *a, struct config *cfg)
{
	a->cfg = cfg;
	a->lock_fd = -1;
	/* No terminal to give back: an exhausted heap is reported plainly. */
	if (cfg->headless)
		xalloc_set_fatal_hook(NULL);
	resend_who(a->who, sizeof a->who);
	a->clock = &clock_system;
	a->started_ms = clock_now_ms(a->clock);
	health_init(&a->health);
	a->lines_tail = &a->lines;
	a->out = cfg->headless ? stdout : NULL;
	a->exit_code = 0;
	if (cfg->api_key || cfg->webhook_secret || cfg->webhook_secret_old || cfg->demo)
		secrets_protect_process();
}

int app_run(struct config *cfg)
{
	struct app a = { 0 };
	char err[512] = "";
	FILE *logf = NULL;

	app_init(&a, cfg);
	if (cfg->log_file) {
		logf = fopen(cfg->log_file, "a");
		if (!logf) {
			fprintf(stderr, "faxtop: cannot open log file %s: %s\n", cfg->log_file,
				strerror(errno));
			return 1;
		}
	}
	/* headless logs to stderr unless told otherwise; the TUI, nowhere */
	a.log = log_new(logf ? logf : (cfg->headless ? stderr : NULL),
			cfg->verbose ? LOG_DEBUG : LOG_INFO);
	log_add_secret(a.log, cfg->api_key);
	log_add_secret(a.log, cfg->webhook_secret);
	log_add_secret(a.log, cfg->webhook_secret_old);

	a.loop = ev_loop_new(EVFLAG_AUTO | EVFLAG_NOSIGMASK);
	if (!a.loop) {
		fprintf(stderr, "faxtop: cannot create the event loop\n");
		log_free(a.log);
		return 1;
	}
	/* At once, so a SIGTERM during start-up becomes an orderly stop as
	 * soon as the loop runs rather than killing the process. */
	app_start_signals(&a);
	if (cfg->headless && !cfg->demo && !cfg->api_key && !cfg->webhook_secret) {
		snprintf(err, sizeof err,
			 "nothing to do: configure MINTFAX_WEBHOOK_SECRET "
			 "(listener) and/or MINTFAX_API_KEY (poller), or use --demo");
		goto fail;
	}
	if (app_open_store(&a, err, sizeof err) != 0)
		goto fail;
	if (!a.loading && app_start_feeds(&a, err, sizeof err) != 0)
		goto fail;
	if (!cfg->headless && app_start_tui(&a, err, sizeof err) != 0)
		goto fail;
	if (a.loading) {
		ev_idle_init(&a.loader, app_loader_cb);
		a.loader.data = &a;
		ev_idle_start(a.loop, &a.loader);
	}

	ev_run(a.loop, 0);

	app_free_parts(&a);
	ev_loop_destroy(a.loop);
	if (logf)
		fclose(logf);
	/* after the TUI has given the terminal back */
	if (a.fatal[0])
		fprintf(stderr, "faxtop: %s\n", a.fatal);
	return a.exit_code;

fail:
	app_free_parts(&a);
	ev_loop_destroy(a.loop);
	fprintf(stderr, "faxtop: %s\n", err);
	if (logf)
		fclose(logf);
	return 1;
}
