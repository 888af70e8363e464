/* The TUI: the only part of faxtop that includes curses. It reads the model
 * through the const query API and asks app/ for anything that changes the
 * world (resend, refresh, quit) through struct tui_actions.
 *
 * The TUI registers its own watchers on the loop it is given: stdin, SIGWINCH
 * and a render step (ev_prepare, below the store's commit priority) that
 * draws only when something changed, at most cfg->fps times a second. */
#ifndef FAXTOP_TUI_TUI_H
#define FAXTOP_TUI_TUI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/api/resend.h"

struct clock;
struct ev_loop;
struct model;
struct config;
struct log;
struct triage;
struct tui;

/* Health banners shown above the list at most. */
#define TUI_MAX_BANNERS 8

/* Filled by the app on demand, for the header. */
struct tui_status {
	const char *environment; /* "sandbox" | "live" | "demo" | "unknown"; live changes the frame */
	const char *listener;    /* "127.0.0.1:8787", or NULL when off */
	bool listener_ok;
	const char *poller_state; /* "ok" | "degraded" | "down" | "off" */
	const char *poller_error; /* may be NULL; from outside, sanitized before drawing */
	double events_per_min;
	int64_t last_event_ms; /* TS_NONE if none */
	unsigned refused_signatures;
	unsigned resends_in_flight;
	/* While the store is still being read at start-up (total 0 when not):
	 * the listener and poller start once it is done. */
	size_t loading_done, loading_total;
	/* Conditions that need someone to act, most urgent first, one line
	 * each (sanitised; owned by the app until the next call). */
	const char *banners[TUI_MAX_BANNERS];
	size_t n_banners;
	unsigned banner_mask;     /* one bit per kind of condition shown */
	const char *banner_title; /* the first banner's kind in a few words, or NULL */
	int64_t banner_change_ms; /* ms until a banner's text expires, -1 none */
	bool balance_fresh;       /* the balance was read in this run (else replayed) */
	size_t catchup_events;    /* old events read by a catch-up now running */
};

/* Provided by app/; any callback may be NULL, meaning unavailable. */
struct tui_actions {
	void *ctx;
	/* The TUI's idea of now (core/base/clock.h); NULL: the system's. */
	const struct clock *clock;
	/* Starts a resend (core/api/resend.h: resend_start); done is called
	 * later (from the loop) exactly once, never from inside this call.
	 * Returns 0 if started, -1 with err. */
	int (*resend)(void *ctx, const struct resend_req *req, resend_done_fn done, void *done_ctx,
		      char *err, size_t errlen);
	/* The fax's earlier resend, named by the dialog (resend_prior). */
	int (*prior)(void *ctx, const char *fax_id, struct resend_prior *out);
	/* Triage decisions (core/store/triage.h), kept in the store: 0, or -1 with
	 * err. NULL: not available (read-only). */
	int (*dismiss)(void *ctx, const char *fax_id, const char *note, char *err, size_t errlen);
	int (*undismiss)(void *ctx, const char *fax_id, char *err, size_t errlen);
	/* Read by the list, the header and the filter (state:); may be NULL. */
	const struct triage *triage;
	/* Opening a fax's detail screen refreshes it from the API. */
	void (*refresh)(void *ctx, const char *fax_id);
	void (*status)(void *ctx, struct tui_status *out);
	/* Called on every loop iteration: a value that changes whenever the
	 * health shown (sources, banners) changes, so it is drawn at once. */
	uint64_t (*health_key)(void *ctx);
	/* The app stops the loop, commits and then calls tui_free(). */
	void (*quit)(void *ctx);
	/* The store's file: :export refuses it and the files beside it. */
	const char *store_path;
};

/* Sets up the terminal and registers the watchers. `actions` is copied.
 * `log` may be NULL. Returns NULL with a message in err; the terminal is
 * restored on failure. A broken theme is not a failure: the default theme is
 * used and the problem is shown as a flash message and logged. */
struct tui *tui_new(struct ev_loop *loop, const struct model *m, const struct config *cfg,
		    const struct tui_actions *actions, struct log *log, char *err, size_t errlen);
/* Stops the watchers and restores the terminal. NULL is fine. */
void tui_free(struct tui *t);
/* Restores the terminal (endwin-equivalent); safe enough to call from a
 * fatal-signal handler. Does nothing when the TUI is not active. */
void tui_restore_terminal(void);

/* Forces a redraw on the next loop iteration (e.g. after the app changed
 * something the model generation does not cover, like the status). */
void tui_touch(struct tui *t);

#endif
