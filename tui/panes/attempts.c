/* The selected fax's attempts: number, start, duration, result, code. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/errors.h"
#include "tui/panes/pane.h"
#include "tui/render.h"
#include "tui/state.h"
#include "tui/widgets/format.h"

static bool scroll(struct tui *t, enum layout_pane p, enum tui_action a)
{
	int page = t->layout.pane[p].h > 3 ? t->layout.pane[p].h - 3 : 1;

	switch (a) {
	case ACT_UP:
		t->scroll[p] -= t->scroll[p] > 0;
		return true;
	case ACT_DOWN:
		t->scroll[p]++;
		return true;
	case ACT_PAGE_UP:
		t->scroll[p] = t->scroll[p] > page ? t->scroll[p] - page : 0;
		return true;
	case ACT_PAGE_DOWN:
		t->scroll[p] += page;
		return true;
	case ACT_HOME:
		t->scroll[p] = 0;
		return true;
	case ACT_END:
		t->scroll[p] = 1 << 20;
		return true;
	default:
		return false;
	}
}

bool pane_scroll_action(struct tui *t, enum layout_pane p, enum tui_action a)
{
	if (!scroll(t, p, a))
		return false;
	if (t->scroll[p] > t->scroll_max[p])
		t->scroll[p] = t->scroll_max[p];
	return true;
}

/* Clamps a pane's scroll offset to its content while drawing, so that the
 * stored offset only ever means "this far down". */
static int clamp_scroll(int want, int items, int rows)
{
	int max = items > rows ? items - rows : 0;

	return want < 0 ? 0 : want > max ? max : want;
}

static void attempts_draw(struct tui *t, const struct rect *r, bool focused)
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
	int rows = in.h - 1, first = clamp_scroll(t->scroll[LP_ATTEMPTS], (int)mf->fax.n_attempts, rows);

	t->scroll_max[LP_ATTEMPTS] = clamp_scroll(INT32_MAX, (int)mf->fax.n_attempts, rows);

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

static bool attempts_action(struct tui *t, enum tui_action a)
{
	return pane_scroll_action(t, LP_ATTEMPTS, a);
}

const struct pane_ops pane_attempts = {
	.name = "attempts",
	.draw = attempts_draw,
	.action = attempts_action,
};

/* ---- error codes in view ---- */

static void codes_draw(struct tui *t, const struct rect *r, bool focused)
{
	struct rect in = render_box(t, r, "error codes", render_border_role(t, focused));
	size_t n = t->view.n_codes;
	bool two = in.h >= (int)(2 * n);   /* room for the suggested action line */
	int y = in.y, first;

	if (in.h < 1 || in.w < 4)
		return;
	if (n == 0) {
		render_text(t, y, in.x, in.w, ROLE_DIM, "no error codes in view");
		return;
	}
	first = clamp_scroll(t->scroll[LP_CODES], (int)n, two ? in.h / 2 : in.h);
	t->scroll_max[LP_CODES] = clamp_scroll(INT32_MAX, (int)n, two ? in.h / 2 : in.h);
	for (size_t i = (size_t)first; i < n && y < in.y + in.h; i++) {
		const struct model_code_count *c = &t->view.codes[i];
		const struct fax_code_info *info = errors_fax_code(c->code);
		enum tui_role role = info->cls == CODE_TERMINAL ? ROLE_CODE_TERMINAL
				   : info->cls == CODE_RETRYABLE ? ROLE_CODE_RETRYABLE
								 : ROLE_CODE_UNKNOWN;
		int x = in.x;

		x += render_textf(t, y, x, in.w, role, "%s%-15s", info->cls == CODE_TERMINAL ?
				  t->term.g->terminal : " ", c->code);
		x += render_textf(t, y, x, in.x + in.w - x, ROLE_NORMAL, " %6zu ", c->count);
		x += render_textf(t, y, x, in.x + in.w - x, ROLE_DIM, "%-9s ",
				  errors_class_name(info->cls));
		render_text(t, y, x, in.x + in.w - x, ROLE_NORMAL, info->meaning);
		y++;
		if (two && y < in.y + in.h) {
			render_textf(t, y, in.x + 3, in.w - 3, ROLE_DIM, "-> %s", info->action);
			y++;
		}
	}
}

static bool codes_action(struct tui *t, enum tui_action a)
{
	return pane_scroll_action(t, LP_CODES, a);
}

const struct pane_ops pane_codes = {
	.name = "codes",
	.draw = codes_draw,
	.action = codes_action,
};
