/* Balance: available and held, a sparkline of available, burn rate, time to
 * empty, and the newest alerts. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "core/base/options.h"
#include "tui/panes/pane.h"
#include "tui/render.h"
#include "tui/session.h"
#include "tui/state.h"
#include "tui/widgets/format.h"

#define SPARK_MAX 512

/* Spending only, over the burn window; time to empty only while money is
 * being spent and some is left. */
static void burn_line(struct tui *t, int y, const struct rect *in, const struct model_balance *b)
{
	int64_t span_ms;
	double burn = model_burn_rate_span(t->m, &span_ms);
	long window = t->cfg && t->cfg->burn_window > 0 ? t->cfg->burn_window : 60;
	char rate[32], tte[32], over[32];

	fmt_cents((int64_t)burn, b->currency, rate, sizeof rate);
	fmt_seconds(model_time_to_empty(t->m), tte, sizeof tte);
	/* Over the window, or over less while the history builds up. */
	fmt_seconds((span_ms + 500) / 1000, over, sizeof over);
	if (b->available <= 0)
		render_textf(t, y, in->x, in->w, ROLE_ALERT, "OUT of credit  spent %s/h over %s",
			     rate, over);
	else if (burn > 0)
		render_textf(t, y, in->x, in->w, ROLE_NORMAL, "burn %s/h over %s  empty in %s",
			     rate, over, tte);
	else if (model_balance_samples(t->m) >= 2)
		render_textf(t, y, in->x, in->w, ROLE_DIM, "no spending in the last %ld min",
			     window);
	else
		render_text(t, y, in->x, in->w, ROLE_DIM, "burn rate: not enough data");
}

static void balance_draw(struct tui *t, struct pane *p, const struct rect *r, bool focused)
{
	const struct model_balance *b = model_balance(t->m);
	struct rect in = render_box(t, r, "balance", render_border_role(t, focused));
	char av[32], held[32], spark[SPARK_MAX * 3 + 1];
	int64_t vals[SPARK_MAX];
	size_t ns = model_balance_samples(t->m), n, alerts;
	int y = in.y, x;
	int64_t now = tui_now_ms(t);

	(void)p;
	if (in.h < 1 || in.w < 8)
		return;
	if (!b || !b->known) {
		render_text(t, y, in.x, in.w, ROLE_DIM, "balance not known yet");
		return;
	}
	fmt_cents(b->available, b->currency, av, sizeof av);
	fmt_cents(b->held, b->currency, held, sizeof held);
	x = in.x + render_text(t, y, in.x, in.w, ROLE_NORMAL, "available ");
	x += render_text(t, y, x, in.x + in.w - x,
			 b->below_threshold || b->available <= 0 ? ROLE_ALERT : ROLE_OK, av);
	if (b->available <= 0)
		x += render_text(t, y, x, in.x + in.w - x, ROLE_ALERT, " OUT");
	else if (b->below_threshold)
		x += render_text(t, y, x, in.x + in.w - x, ROLE_ALERT, " LOW");
	render_textf(t, y, x, in.x + in.w - x, ROLE_NORMAL, "  held %s", held);
	if (++y >= in.y + in.h)
		return;
	n = ns < (size_t)in.w ? ns : (size_t)in.w;
	if (n > SPARK_MAX)
		n = SPARK_MAX;
	/* Only the newest samples that fit: cost bound by the pane width. */
	for (size_t i = 0; i < n; i++)
		vals[i] = model_balance_sample(t->m, ns - n + i)->available;
	if (n >= 2) {
		fmt_sparkline(vals, n, in.w, t->term.utf8, spark, sizeof spark);
		render_text(t, y, in.x, in.w, ROLE_SPARK, spark);
		/* Top-ups are marked where they happened (one cell a sample). */
		for (size_t i = 0; i < n; i++)
			if (model_balance_sample_topup(t->m, ns - n + i))
				render_text(t, y, in.x + (int)i, 1, ROLE_OK,
					    t->term.utf8 ? "↑" : "^");
	} else {
		render_text(t, y, in.x, in.w, ROLE_DIM, "(history builds up as readings arrive)");
	}
	if (++y >= in.y + in.h)
		return;
	burn_line(t, y, &in, b);
	alerts = model_alert_count(t->m);
	for (size_t i = 0; i < alerts && ++y < in.y + in.h; i++) {
		const struct model_alert *a = model_alert_at(t->m, i);
		char when[24], amt[32];
		bool low = a->kind == ALERT_BALANCE_LOW || a->kind == ALERT_LOCAL_LOW;

		fmt_when(a->at_ms, now, when, sizeof when);
		fmt_cents(a->available, b->currency, amt, sizeof amt);
		render_textf(t, y, in.x, in.w, low ? ROLE_WARN : ROLE_OK, "%s %s %s (%s)", when,
			     alert_kind_name(a->kind), amt, event_source_name(a->source));
	}
}

const struct pane_ops pane_balance = {
	.name = "balance",
	.draw = balance_draw,
	.action = NULL,
};
