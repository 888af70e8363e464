/* The failures screen (F, :failures): failed faxes of the last hour and the
 * last day grouped by destination and by code, most failures first, so a
 * number that failed again and again stands out. Enter filters the list by
 * the selected row. The grouping lives in tui/worklist.c. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "tui/panes/pane.h"
#include "tui/render.h"
#include "tui/session.h"
#include "tui/state.h"
#include "tui/widgets/format.h"

/* Rebuilt at most this often while the model changes, and at least this
 * often while shown (counts age out of the hour). */
#define FAILURES_REBUILD_MS 1000
#define FAILURES_REFRESH_MS 30000
#define FAILURES_KEY_COLS 24

size_t failures_rows(const struct tui *t)
{
	return t->failures.n_to + t->failures.n_code;
}

static void refresh(struct tui *t, int64_t now)
{
	struct worklist_failures *tf = &t->failures;
	bool moved = tf->built_gen != model_generation(t->m);

	if (tf->built_ms && !(moved && now - tf->built_ms >= FAILURES_REBUILD_MS) &&
	    now - tf->built_ms < FAILURES_REFRESH_MS) {
		tui_need_tick(t, moved ? tf->built_ms + FAILURES_REBUILD_MS - now
				       : tf->built_ms + FAILURES_REFRESH_MS - now);
		return;
	}
	if (worklist_failures_build(tf, t->m, now) < 0)
		tui_flash(t, true, "failures: out of memory");
	tf->built_ms = now;
	tui_need_tick(t, FAILURES_REFRESH_MS);
	if (t->fail_sel >= failures_rows(t))
		t->fail_sel = failures_rows(t) ? failures_rows(t) - 1 : 0;
}

void failures_open(struct tui *t)
{
	t->failures.built_ms = 0;   /* fresh numbers on every visit */
	t->fail_sel = 0;
	t->fail_scroll = 0;
	t->screen = SCREEN_FAILURES;
}

struct fl {
	struct tui *t;
	struct rect in;
	int line;
};

static int row_y(const struct fl *f)
{
	int y = f->in.y + f->line - f->t->fail_scroll;

	return y >= f->in.y && y < f->in.y + f->in.h ? y : -1;
}

static void heading(struct fl *f, const char *what)
{
	int y = row_y(f);

	if (y >= 0)
		render_textf(f->t, y, f->in.x, f->in.w, ROLE_COLUMN, "%-*s %6s %6s  %-11s",
			     FAILURES_KEY_COLS, what, "1h", "24h", "last");
	f->line++;
}

static void group_row(struct fl *f, const struct worklist_group *g, size_t idx, int64_t now)
{
	struct tui *t = f->t;
	bool sel = idx == t->fail_sel, repeat = g->day >= TRIAGE_REPEAT;
	int y = row_y(f), x;
	char when[24];

	f->line++;
	if (y < 0)
		return;
	fmt_when(g->last_ms, now, when, sizeof when);
	if (sel)
		render_fill(t, y, f->in.x, f->in.w, ROLE_SELECTED);
	/* The key is drawn in its own cell: its safe form may differ in width. */
	render_text(t, y, f->in.x, FAILURES_KEY_COLS, sel ? ROLE_SELECTED : ROLE_NORMAL, g->key);
	x = f->in.x + FAILURES_KEY_COLS;
	x += render_textf(t, y, x, f->in.x + f->in.w - x, sel ? ROLE_SELECTED : ROLE_NORMAL,
			  " %6zu %6zu  %-11s", g->hour, g->day, when);
	if (repeat)
		render_textf(t, y, x, f->in.x + f->in.w - x, sel ? ROLE_SELECTED : ROLE_WARN,
			     " failed %zu times in 24h", g->day);
}

void failures_draw(struct tui *t, const struct rect *r)
{
	const struct worklist_failures *tf = &t->failures;
	int64_t now = tui_now_ms(t);
	char title[128];
	struct fl f = { .t = t };

	refresh(t, now);
	snprintf(title, sizeof title, "failures: %zu in the last hour, %zu in the last day "
		 "(Enter filters the list, Esc goes back)", tf->hour, tf->day);
	f.in = render_box(t, r, title, render_border_role(t, true));
	if (f.in.h < 1 || f.in.w < 10)
		return;
	if (!tf->day) {
		render_text(t, f.in.y, f.in.x, f.in.w, ROLE_DIM, "no fax failed in the last day");
		return;
	}
	/* The selected row's line (headings and the blank between count):
	 * the scroll keeps it on screen. */
	int sel_line = t->fail_sel < tf->n_to ? 1 + (int)t->fail_sel : (int)t->fail_sel + 3;

	if (sel_line < t->fail_scroll)
		t->fail_scroll = sel_line;
	else if (sel_line >= t->fail_scroll + f.in.h)
		t->fail_scroll = sel_line - f.in.h + 1;
	heading(&f, "by destination");
	for (size_t i = 0; i < tf->n_to; i++)
		group_row(&f, &tf->by_to[i], i, now);
	f.line++;
	heading(&f, "by code");
	for (size_t i = 0; i < tf->n_code; i++)
		group_row(&f, &tf->by_code[i], tf->n_to + i, now);
	if (f.line > f.in.h)
		render_textf(t, r->y + r->h - 1, r->x + r->w - 20, 18, ROLE_BORDER, " %zu/%zu ",
			     t->fail_sel + 1, failures_rows(t));
}

/* Enter: the list, filtered to the failed faxes of the selected row. */
static void failures_pick(struct tui *t)
{
	const struct worklist_failures *tf = &t->failures;

	if (t->fail_sel < tf->n_to)
		pane_filter_list(t, "status:failed ", "to", tf->by_to[t->fail_sel].key);
	else if (t->fail_sel < failures_rows(t))
		pane_filter_list(t, "status:failed ", "code", tf->by_code[t->fail_sel - tf->n_to].key);
}

bool failures_action(struct tui *t, enum tui_action a)
{
	size_t n = failures_rows(t);
	size_t page = t->layout.body.h > 4 ? (size_t)t->layout.body.h - 4 : 1;

	if (a == ACT_OPEN) {
		failures_pick(t);
		return true;
	}
	return pane_move_sel(&t->fail_sel, n, page, a);
}
