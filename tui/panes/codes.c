/* Error codes among the faxes in view: counts, meaning, suggested action,
 * terminal codes marked. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>

#include "core/errors.h"
#include "tui/panes/pane.h"
#include "tui/render.h"
#include "tui/state.h"

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
	first = pane_clamp_scroll(t->scroll[LP_CODES], (int)n, two ? in.h / 2 : in.h);
	t->scroll_max[LP_CODES] = pane_clamp_scroll(INT32_MAX, (int)n, two ? in.h / 2 : in.h);
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
