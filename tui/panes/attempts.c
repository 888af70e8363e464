/* The selected fax's attempts: number, start, duration, result, code. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/base/errors.h"
#include "tui/panes/pane.h"
#include "tui/render.h"
#include "tui/session.h"
#include "tui/state.h"
#include "tui/widgets/format.h"

static void attempts_draw(struct tui *t, struct pane *p, const struct rect *r, bool focused)
{
	const struct model_fax *mf = view_count(&t->view) ? view_at(&t->view, t->sel) : NULL;
	char title[128];
	struct rect in;
	int64_t now = tui_now_ms(t);

	snprintf(title, sizeof title, "attempts%s%s", mf && mf->fax.id ? " " : "",
		 mf && mf->fax.id ? mf->fax.id : "");
	in = render_box(t, r, title, render_border_role(t, focused));
	if (in.h < 1 || in.w < 4)
		return;
	if (!mf) {
		render_text(t, in.y, in.x, in.w, ROLE_DIM, "no fax selected");
		return;
	}
	if (mf->fax.n_attempts == 0) {
		render_text(t, in.y, in.x, in.w, ROLE_DIM, "no attempt yet");
		return;
	}
	render_fill(t, in.y, in.x, in.w, ROLE_COLUMN);
	render_text(t, in.y, in.x, in.w, ROLE_COLUMN,
		    " #  started   duration  result       code / message");
	int rows = in.h - 1, first = scroller_clamp(p->sc.off, (int)mf->fax.n_attempts, rows);

	scroller_set_extent(&p->sc, (int)mf->fax.n_attempts, rows);

	for (int i = 0; i < rows && (size_t)(first + i) < mf->fax.n_attempts; i++) {
		const struct fax_attempt *a = &mf->fax.attempts[first + i];
		char when[24], dur[24], line[512];
		const char *result;
		enum tui_role role;

		fmt_when(a->started_at, now, when, sizeof when);
		fmt_duration(a->duration_ms, dur, sizeof dur);
		if (a->completed_at == TS_NONE) {
			result = "in progress";
			role = ROLE_FAX_IN_PROGRESS;
		} else if (a->error_code && *a->error_code) {
			result = "failed";
			role = errors_fax_code_terminal(a->error_code) ? ROLE_CODE_TERMINAL
								       : ROLE_FAX_FAILED;
		} else {
			result = "ok";
			role = ROLE_FAX_DELIVERED;
		}
		snprintf(line, sizeof line, "%2d  %-8s  %-8s  ", a->number, when, dur);
		int x = in.x + render_text(t, in.y + 1 + i, in.x, in.w, ROLE_NORMAL, line);
		x += render_textf(t, in.y + 1 + i, x, in.x + in.w - x, role, "%-11s  ", result);
		if (a->error_code)
			render_textf(t, in.y + 1 + i, x, in.x + in.w - x, role, "%s%s%s%s%s",
				     a->error_code, a->error_subcode ? "/" : "",
				     a->error_subcode ? a->error_subcode : "",
				     a->error_message ? " " : "",
				     a->error_message ? a->error_message : "");
	}
}

static bool attempts_action(struct tui *t, struct pane *p, enum tui_action a)
{
	return pane_scroll_action(t, p, LP_ATTEMPTS, a);
}

const struct pane_ops pane_attempts = {
	.name = "attempts",
	.draw = attempts_draw,
	.action = attempts_action,
};
