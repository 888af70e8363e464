/* The header: environment (a live key changes the frame), listener, poller,
 * event rate, balance, resends and pause state. */
#include "config.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "tui/panes/pane.h"
#include "tui/render.h"
#include "tui/session.h"
#include "tui/state.h"
#include "tui/triage.h"
#include "tui/widgets/format.h"

static int seg(struct tui *t, int y, int x, int end, enum tui_role role, const char *s)
{
	if (x >= end)
		return x;
	return x + render_text(t, y, x, end - x, role, s);
}

/* Line 1: where faxtop is connected and how its sources are doing. */
static void header_sources(struct tui *t, int y, int x, int end, enum tui_role base, bool live)
{
	const struct tui_status *s = &t->status;
	char buf[256], age[16];

	x = seg(t, y, x, end, base, " faxtop ");
	if (live) {
		x = seg(t, y, x, end, ROLE_HEADER_LIVE, "[LIVE: real faxes, real money] ");
	} else {
		snprintf(buf, sizeof buf, "[%s] ", s->environment ? s->environment : "unknown");
		x = seg(t, y, x, end, base, buf);
	}
	if (s->loading_total) {
		snprintf(buf, sizeof buf,
			 "reading the store: %zu of %zu faxes (%zu%%); the listener "
			 "and poller start after",
			 s->loading_done, s->loading_total,
			 s->loading_done * 100 / s->loading_total);
		seg(t, y, x, end, ROLE_WARN, buf);
		return;
	}
	if (s->listener)
		snprintf(buf, sizeof buf, "listener %s %s  ", s->listener,
			 s->listener_ok ? "ok" : "DOWN");
	else
		snprintf(buf, sizeof buf, "listener off  ");
	x = seg(t, y, x, end, s->listener && !s->listener_ok ? ROLE_ERROR : base, buf);
	snprintf(buf, sizeof buf, "poller %s", s->poller_state ? s->poller_state : "off");
	x = seg(t, y, x, end,
		s->poller_state && strcmp(s->poller_state, "ok") != 0 &&
				strcmp(s->poller_state, "off") != 0 &&
				strcmp(s->poller_state, "standby") != 0
			? ROLE_WARN
			: base,
		buf);
	if (s->poller_error && *s->poller_error) {
		snprintf(buf, sizeof buf, " (%s)", s->poller_error);
		x = seg(t, y, x, end, ROLE_WARN, buf);
	}
	if (s->last_event_ms != TS_NONE && s->last_event_ms != 0)
		tui_need_tick(t, fmt_age(tui_now_ms(t) - s->last_event_ms, age, sizeof age));
	else
		snprintf(age, sizeof age, "-");
	snprintf(buf, sizeof buf, "  %.1f ev/min  last %s", s->events_per_min, age);
	x = seg(t, y, x, end, base, buf);
	if (s->catchup_events) {
		char n[32];

		fmt_count(s->catchup_events, n, sizeof n);
		snprintf(buf, sizeof buf, "  catching up: %s events", n);
		x = seg(t, y, x, end, ROLE_INFLIGHT, buf);
	}
	if (t->read_only)
		seg(t, y, x, end, ROLE_WARN, "  READ-ONLY");
}

/* Line 2: money, counts, and what the user has under way. */
static void header_state(struct tui *t, int y, int x, int end, enum tui_role base)
{
	const struct tui_status *s = &t->status;
	const struct model_balance *b = model_balance(t->m);
	char buf[256], av[32], held[32];

	if (b && b->known) {
		bool out = b->available <= 0, low = !out && b->below_threshold;

		fmt_cents(b->available, b->currency, av, sizeof av);
		fmt_cents(b->held, b->currency, held, sizeof held);
		x = seg(t, y, x, end, base, "balance ");
		x = seg(t, y, x, end, out || low ? ROLE_ALERT : base, av);
		/* In words, not colour alone; a value replayed from the store
		 * says so until the API has been read. */
		if (out || low)
			x = seg(t, y, x, end, ROLE_ALERT, out ? " OUT" : " LOW");
		if (!s->balance_fresh)
			x = seg(t, y, x, end, ROLE_WARN, " (old)");
		snprintf(buf, sizeof buf, " avail / %s held  ", held);
		x = seg(t, y, x, end, base, buf);
	} else {
		x = seg(t, y, x, end, base, "balance ?  ");
	}
	snprintf(buf, sizeof buf, "faxes %zu  failed %zu %s unresolved %zu  in flight %zu",
		 model_count(t->m), model_count_status(t->m, FAX_FAILED), t->term.utf8 ? "·" : "-",
		 tui_triage_unresolved(t),
		 model_count_status(t->m, FAX_QUEUED) + model_count_status(t->m, FAX_SUBMITTED) +
			 model_count_status(t->m, FAX_IN_PROGRESS));
	x = seg(t, y, x, end, base, buf);
	if (s->refused_signatures) {
		snprintf(buf, sizeof buf, "  refused signatures %u", s->refused_signatures);
		x = seg(t, y, x, end, ROLE_WARN, buf);
	}
	if (s->resends_in_flight) {
		snprintf(buf, sizeof buf, "  resending %u", s->resends_in_flight);
		x = seg(t, y, x, end, ROLE_INFLIGHT, buf);
	}
	if (t->bulk.running) {
		snprintf(buf, sizeof buf, "  bulk %zu of %zu sent, %zu failed%s", t->bulk.ok,
			 t->bulk.n, t->bulk.failed, t->bulk.paused ? ", PAUSED" : "");
		x = seg(t, y, x, end, ROLE_INFLIGHT, buf);
	}
	if (t->view.paused) {
		snprintf(buf, sizeof buf, "  PAUSED: %zu new", t->view.n_new);
		x = seg(t, y, x, end, ROLE_WARN, buf);
	}
	if (t->n_marks) {
		snprintf(buf, sizeof buf, "  %zu marked", t->n_marks);
		seg(t, y, x, end, ROLE_MARKED, buf);
	}
}

/* The banners: one line per condition that needs action, the newest
 * state of each; "+N more" when they do not all fit. */
static void header_banners(struct tui *t, int y, int x, int w, int rows)
{
	const struct tui_status *s = &t->status;
	size_t n = s->n_banners;
	char buf[64];

	if (n && s->banner_change_ms >= 0)
		tui_need_tick(t, s->banner_change_ms);
	for (int i = 0; i < rows && (size_t)i < n; i++) {
		render_fill(t, y + i, x, w, ROLE_ALERT);
		if (i == rows - 1 && (size_t)rows < n) {
			snprintf(buf, sizeof buf, " ! +%zu more conditions need action",
				 n - (size_t)rows + 1);
			render_text(t, y + i, x, w, ROLE_ALERT, buf);
			break;
		}
		render_text(t, y + i, x, w, ROLE_ALERT, " ! ");
		render_text(t, y + i, x + 3, w - 3, ROLE_ALERT, s->banners[i]);
	}
}

void header_draw(struct tui *t, const struct rect *r)
{
	bool live = t->status.environment && strcmp(t->status.environment, "live") == 0;
	enum tui_role base = live ? ROLE_HEADER_LIVE : ROLE_HEADER;
	int h = r->h - t->layout.banner_rows;

	for (int i = 0; i < h; i++)
		render_fill(t, r->y + i, r->x, r->w, base);
	header_sources(t, r->y, r->x, r->x + r->w, base, live);
	if (h >= 2)
		header_state(t, r->y + 1, r->x + 1, r->x + r->w, base);
	header_banners(t, r->y + h, r->x, r->w, t->layout.banner_rows);
}
