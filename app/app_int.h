/* struct app, shared by app.c (start-up, shutdown, the feeds) and
 * app_tui.c (what the TUI asks of the app). Not for use outside app/. */
#ifndef FAXTOP_APP_APP_INT_H
#define FAXTOP_APP_APP_INT_H

#include <ev.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "app/health.h"
#include "app/rate.h"

struct tui_actions;

/* Headless lines wait for the commit that makes their event durable. */
struct pending_line {
	struct pending_line *next;
	char *text;
};

struct app {
	struct ev_loop *loop;
	struct config *cfg;
	struct log *log;
	const struct clock *clock;
	struct store *store;
	struct model *model;
	struct ingest *ingest;
	struct http_server *http;
	struct webhook *webhook;
	struct sim *sim;
	struct api_client *api;
	struct poller *poller;
	struct resender *resender;
	struct triage *triage;
	struct team *team; /* team mode: the shared store */
	struct tui *tui;

	ev_signal sigint, sigterm, sighup, sigpipe;
	ev_timer prune;
	ev_timer drain;
	double drain_deadline;
	bool stopping;
	int exit_code;
	/* the store is read on after the first frame; then the feeds start */
	ev_idle loader;
	bool loading;
	double load_started;
	char fatal[512]; /* an error after start-up, said at exit */

	/* headless output */
	FILE *out;
	struct pending_line *lines, **lines_tail;
	bool flush_armed;

	/* events per minute of live traffic, and catch-up apart */
	struct rate rate;

	char who[128]; /* user@host, for the log of triage decisions */

	/* banners, and when this run began (a balance older is replayed) */
	struct health health;
	int64_t started_ms;

	char db_path[PATH_MAX];
	int lock_fd;             /* DB.lock, flock'd while faxtop runs; -1 none */
	char demo_dir[PATH_MAX]; /* temporary store of --demo, removed at exit */
	char demo_key[64];
	char demo_secret[64];
	char api_base[256];
	char listener_addr[128];
};

/* Who this instance's actions are recorded as: --operator, else user@host. */
const char *app_operator(const struct app *a);

/* The TUI's actions and queries, answered by the app (read-only mode
 * leaves out what changes anything); the caller adds quit. */
void app_tui_actions(struct app *a, struct tui_actions *acts);

#endif
