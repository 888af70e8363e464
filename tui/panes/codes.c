/* Error codes among the faxes in view: counts, meaning, suggested action,
 * terminal codes marked. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>

#include "core/base/errors.h"
#include "tui/panes/pane.h"
#include "tui/render.h"
#include "tui/state.h"

/* Items that fit in `rows` lines, one kept for "+N more" when not all do. */
static int codes_window(size_t n, int rows, int first)
{
	if ((int)n - first <= rows)
		return rows;
	return rows > 1 ? rows - 1 : rows;
}

struct codes {
	size_t sel; /* the selected row */
};

static void codes_draw(struct tui *t, struct pane *p, const struct rect *r, bool focused)
{
	struct rect in = render_box(t, r, "error codes", render_border_role(t, focused));
	size_t n = t->view.n_codes;
	bool two = in.h >= (int)(2 * n); /* room for the suggested action line */
	int y = in.y, first, items, per = two ? 2 : 1;
	struct codes *cs = p->priv;

	if (in.h < 1 || in.w < 4)
		return;
	if (n == 0) {
		render_text(t, y, in.x, in.w, ROLE_DIM, "no error codes in view");
		return;
	}
	if (cs->sel >= n)
		cs->sel = n - 1;
	items = in.h / per;
	/* The selection stays in view; the offset follows it. */
	p->sc.off = scroller_clamp(p->sc.off, (int)n, items);
	if ((int)cs->sel < p->sc.off)
		p->sc.off = (int)cs->sel;
	scroller_show(&p->sc, (int)cs->sel, codes_window(n, items, p->sc.off));
	first = p->sc.off;
	items = codes_window(n, in.h / per, first);
	scroller_set_extent(&p->sc, (int)n, in.h / per);
	for (size_t i = (size_t)first; i < n && i < (size_t)(first + items); i++) {
		const struct model_code_count *c = &t->view.codes[i];
		const struct fax_code_info *info = errors_fax_code(c->code);
		bool sel = focused && i == cs->sel;
		enum tui_role role = sel              ? ROLE_SELECTED
			: info->cls == CODE_TERMINAL  ? ROLE_CODE_TERMINAL
			: info->cls == CODE_RETRYABLE ? ROLE_CODE_RETRYABLE
						      : ROLE_CODE_UNKNOWN;
		int x = in.x;

		if (sel)
			render_fill(t, y, in.x, in.w, ROLE_SELECTED);
		x += render_textf(t, y, x, in.w, role, "%s%-15s",
				  info->cls == CODE_TERMINAL ? t->term.g->terminal : " ", c->code);
		x += render_textf(t, y, x, in.x + in.w - x, sel ? role : ROLE_NORMAL, " %6zu ",
				  c->count);
		x += render_textf(t, y, x, in.x + in.w - x, sel ? role : ROLE_DIM, "%-9s ",
				  errors_class_name(info->cls));
		render_text(t, y, x, in.x + in.w - x, sel ? role : ROLE_NORMAL, info->meaning);
		y++;
		if (two && y < in.y + in.h) {
			render_textf(t, y, in.x + 3, in.w - 3, ROLE_DIM, "-> %s", info->action);
			y++;
		}
	}
	if ((size_t)(first + items) < n)
		render_textf(t, in.y + in.h - 1, in.x, in.w, ROLE_DIM, "+%zu more",
			     n - (size_t)(first + items));
}

/* Enter filters the list by the selected code. */
static void codes_open(struct tui *t, const struct codes *cs)
{
	if (cs->sel < t->view.n_codes)
		pane_filter_list(t, "", "code", t->view.codes[cs->sel].code);
}

static bool codes_action(struct tui *t, struct pane *p, enum tui_action a)
{
	struct codes *cs = p->priv;
	size_t n = t->view.n_codes;
	size_t page = t->layout.pane[LP_CODES].h > 3 ? (size_t)t->layout.pane[LP_CODES].h - 3 : 1;

	if (a == ACT_OPEN) {
		codes_open(t, cs);
		return true;
	}
	return scroller_move_sel(&cs->sel, n, page, a);
}

const struct pane_ops pane_codes = {
	.name = "codes",
	.draw = codes_draw,
	.action = codes_action,
	.priv_size = sizeof(struct codes),
};
