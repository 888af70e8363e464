/* The event log: newest first, with duplicates, refused signatures and
 * anomalies marked. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "core/base/errors.h"
#include "tui/panes/pane.h"
#include "tui/render.h"
#include "tui/session.h"
#include "tui/state.h"
#include "tui/widgets/format.h"

static void log_draw(struct tui *t, struct pane *p, const struct rect *r, bool focused)
{
	struct rect in = render_box(t, r, "events", render_border_role(t, focused));
	size_t n = model_log_count(t->m);
	int64_t now = tui_now_ms(t);
	size_t first;

	if (in.h < 1 || in.w < 8)
		return;
	if (n == 0) {
		render_text(t, in.y, in.x, in.w, ROLE_DIM, "no events yet");
		return;
	}
	scroller_set_extent(&p->sc, n > INT32_MAX ? INT32_MAX : (int)n, in.h);
	first = (size_t)scroller_clamp(p->sc.off, n > INT32_MAX ? INT32_MAX : (int)n, in.h);
	for (int i = 0; i < in.h && first + (size_t)i < n; i++) {
		const struct model_log_entry *e = model_log_at(t->m, first + (size_t)i);
		enum tui_role role = ROLE_NORMAL;
		const char *mark = "";
		char when[24];
		int x, y = in.y + i;

		switch (e->outcome) {
		case APPLY_DUPLICATE:
			role = ROLE_LOG_DUPLICATE;
			mark = "dup";
			break;
		case APPLY_REFUSED:
			role = ROLE_LOG_REFUSED;
			mark = "REFUSED";
			break;
		case APPLY_ANOMALY:
			role = ROLE_LOG_ANOMALY;
			mark = "ANOMALY";
			break;
		case APPLY_STALE:
			role = ROLE_DIM;
			mark = "stale";
			break;
		case APPLY_UNKNOWN_TYPE:
		case APPLY_INVALID:
		case APPLY_ERROR:
			role = ROLE_WARN;
			mark = apply_outcome_name(e->outcome);
			break;
		default:
			break;
		}
		fmt_when(e->at_ms, now, when, sizeof when);
		x = in.x + render_textf(t, y, in.x, in.w, ROLE_DIM, "%-8s ", when);
		x += render_textf(t, y, x, in.x + in.w - x, role, "%-19s ", e->type);
		/* The mark comes before the long id so that a narrow pane keeps it. */
		if (*mark)
			x += render_textf(t, y, x, in.x + in.w - x, role, "%s ", mark);
		/* A failure says why, before the id for the same reason. The log
		 * keeps no code, so it is the fax's: a failed fax keeps its code. */
		if (e->outcome == APPLY_OK && strcmp(e->type, "fax.failed") == 0) {
			const struct model_fax *mf = model_get(t->m, e->fax_id);

			if (mf && mf->fax.error_code && *mf->fax.error_code)
				x += render_textf(t, y, x, in.x + in.w - x, ROLE_FAX_FAILED,
						  "%s%s ",
						  errors_fax_code_terminal(mf->fax.error_code)
							  ? t->term.g->terminal
							  : "",
						  mf->fax.error_code);
		}
		x += render_textf(t, y, x, in.x + in.w - x, ROLE_NORMAL, "%-24s ",
				  e->fax_id[0] ? e->fax_id : "-");
		x += render_textf(t, y, x, in.x + in.w - x, ROLE_DIM, "%-7s ",
				  event_source_name(e->source));
		render_text(t, y, x, in.x + in.w - x, ROLE_DIM, e->detail);
	}
}

static bool log_action(struct tui *t, struct pane *p, enum tui_action a)
{
	return pane_scroll_action(t, p, LP_LOG, a);
}

const struct pane_ops pane_log = {
	.name = "events",
	.draw = log_draw,
	.action = log_action,
};
