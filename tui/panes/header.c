/* The header: environment (a live key changes the frame), listener, poller,
 * event rate, balance, resends and pause state. */
#include "config.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "tui/panes/pane.h"
#include "tui/render.h"
#include "tui/state.h"
#include "tui/widgets/format.h"

static int seg(struct tui *t, int y, int x, int end, enum tui_role role, const char *s)
{
	if (x >= end)
		return x;
	return x + render_text(t, y, x, end - x, role, s);
}

void header_draw(struct tui *t, const struct rect *r)
{
	const struct tui_status *s = &t->status;
	bool live = s->environment && strcmp(s->environment, "live") == 0;
	enum tui_role base = live ? ROLE_HEADER_LIVE : ROLE_HEADER;
	int end = r->x + r->w, x, y = r->y;
	char buf[256], age[16];
	int64_t now = tui_now_ms(t);

	for (int i = 0; i < r->h; i++)
		render_fill(t, r->y + i, r->x, r->w, base);
	x = seg(t, y, r->x, end, base, " faxtop ");
	snprintf(buf, sizeof buf, "[%s%s] ", live ? "LIVE: real faxes, real money" : "",
		 live ? "" : (s->environment ? s->environment : "unknown"));
	x = seg(t, y, x, end, live ? ROLE_HEADER_LIVE : base, buf);
	if (s->listener)
		snprintf(buf, sizeof buf, "listener %s %s  ", s->listener,
			 s->listener_ok ? "ok" : "DOWN");
	else
		snprintf(buf, sizeof buf, "listener off  ");
	x = seg(t, y, x, end, s->listener && !s->listener_ok ? ROLE_ERROR : base, buf);
	snprintf(buf, sizeof buf, "poller %s", s->poller_state ? s->poller_state : "off");
	x = seg(t, y, x, end, s->poller_state && strcmp(s->poller_state, "ok") != 0 &&
			      strcmp(s->poller_state, "off") != 0 ? ROLE_WARN : base, buf);
	if (s->poller_error && *s->poller_error) {
		snprintf(buf, sizeof buf, " (%s)", s->poller_error);
		x = seg(t, y, x, end, ROLE_WARN, buf);
	}
	if (s->last_event_ms != TS_NONE && s->last_event_ms != 0)
		tui_need_tick(t, fmt_age(now - s->last_event_ms, age, sizeof age));
	else
		snprintf(age, sizeof age, "-");
	snprintf(buf, sizeof buf, "  %.1f ev/min  last %s", s->events_per_min, age);
	x = seg(t, y, x, end, base, buf);
	if (t->read_only)
		x = seg(t, y, x, end, ROLE_WARN, "  READ-ONLY");
	(void)x;
	if (r->h < 2)
		return;
	y++;
	{
		const struct model_balance *b = model_balance(t->m);
		char av[32], held[32];

		x = r->x + 1;
		if (b && b->known) {
			fmt_cents(b->available, b->currency, av, sizeof av);
			fmt_cents(b->held, b->currency, held, sizeof held);
			x = seg(t, y, x, end, base, "balance ");
			x = seg(t, y, x, end, b->below_threshold ? ROLE_ALERT : base, av);
			snprintf(buf, sizeof buf, " avail / %s held  ", held);
			x = seg(t, y, x, end, base, buf);
		} else {
			x = seg(t, y, x, end, base, "balance ?  ");
		}
		snprintf(buf, sizeof buf, "faxes %zu  failed %zu  in flight %zu", model_count(t->m),
			 model_count_status(t->m, FAX_FAILED),
			 model_count_status(t->m, FAX_QUEUED) + model_count_status(t->m, FAX_SUBMITTED) +
				 model_count_status(t->m, FAX_IN_PROGRESS));
		x = seg(t, y, x, end, base, buf);
		if (s->refused_signatures) {
			snprintf(buf, sizeof buf, "  refused signatures %u", s->refused_signatures);
			x = seg(t, y, x, end, ROLE_WARN, buf);
		}
		if (t->n_inflight || s->resends_in_flight) {
			snprintf(buf, sizeof buf, "  resending %zu",
				 t->n_inflight > s->resends_in_flight ? t->n_inflight
								      : (size_t)s->resends_in_flight);
			x = seg(t, y, x, end, ROLE_INFLIGHT, buf);
		}
		if (t->bulk.running) {
			snprintf(buf, sizeof buf, "  bulk %zu/%zu (%zu ok, %zu failed)",
				 t->bulk.ok + t->bulk.failed, t->bulk.n, t->bulk.ok, t->bulk.failed);
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
}
