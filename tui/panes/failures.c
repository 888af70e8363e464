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
#define FAILURES_KEY_COLS   24

/* The failures screen's own state. */
struct failures {
	struct worklist_failures groups;
	size_t sel; /* the selected row */
};

static size_t failures_rows(const struct failures *fs)
{
	return fs->groups.n_to + fs->groups.n_code;
}

static void refresh(struct tui *t, struct failures *fs, int64_t now)
{
	struct worklist_failures *tf = &fs->groups;
	bool moved = tf->built_gen != model_generation(t->m);

	if (tf->built_ms && !(moved && now - tf->built_ms >= FAILURES_REBUILD_MS) &&
	    now - tf->built_ms < FAILURES_REFRESH_MS) {
		tui_need_tick(t,
			      moved ? tf->built_ms + FAILURES_REBUILD_MS - now
				    : tf->built_ms + FAILURES_REFRESH_MS - now);
		return;
	}
	if (worklist_failures_build(tf, t->m, now) < 0)
		tui_flash(t, true, "failures: out of memory");
	tf->built_ms = now;
	tui_need_tick(t, FAILURES_REFRESH_MS);
	if (fs->sel >= failures_rows(fs))
		fs->sel = failures_rows(fs) ? failures_rows(fs) - 1 : 0;
}

void failures_open(struct tui *t)
{
	struct pane *p = &t->screen_pane[SCREEN_FAILURES];
	struct failures *fs = p->priv;

	fs->groups.built_ms = 0; /* fresh numbers on every visit */
	fs->sel = 0;
	p->sc.off = 0;
	t->screen = SCREEN_FAILURES;
}

struct fl {
	struct tui *t;
	const struct pane *p;
	struct rect in;
	int line;
};

static int row_y(const struct fl *f)
{
	int y = f->in.y + f->line - f->p->sc.off;

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
	bool sel = idx == ((const struct failures *)f->p->priv)->sel,
	     repeat = g->day >= TRIAGE_REPEAT;
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

static void failures_draw(struct tui *t, struct pane *p, const struct rect *r, bool focused)
{
	struct failures *fs = p->priv;
	const struct worklist_failures *tf = &fs->groups;
	int64_t now = tui_now_ms(t);
	char title[128];
	struct fl f = { .t = t, .p = p };

	(void)focused;
	refresh(t, fs, now);
	snprintf(title, sizeof title,
		 "failures: %zu in the last hour, %zu in the last day "
		 "(Enter filters the list, Esc goes back)",
		 tf->hour, tf->day);
	f.in = render_box(t, r, title, render_border_role(t, true));
	if (f.in.h < 1 || f.in.w < 10)
		return;
	if (!tf->day) {
		render_text(t, f.in.y, f.in.x, f.in.w, ROLE_DIM, "no fax failed in the last day");
		return;
	}
	/* The selected row's line (headings and the blank between count):
	 * the scroll keeps it on screen. */
	int sel_line = fs->sel < tf->n_to ? 1 + (int)fs->sel : (int)fs->sel + 3;

	scroller_show(&p->sc, sel_line, f.in.h);
	heading(&f, "by destination");
	for (size_t i = 0; i < tf->n_to; i++)
		group_row(&f, &tf->by_to[i], i, now);
	f.line++;
	heading(&f, "by code");
	for (size_t i = 0; i < tf->n_code; i++)
		group_row(&f, &tf->by_code[i], tf->n_to + i, now);
	if (f.line > f.in.h)
		render_textf(t, r->y + r->h - 1, r->x + r->w - 20, 18, ROLE_BORDER, " %zu/%zu ",
			     fs->sel + 1, failures_rows(fs));
}

/* Enter: the list, filtered to the failed faxes of the selected row. */
static void failures_pick(struct tui *t, const struct failures *fs)
{
	const struct worklist_failures *tf = &fs->groups;

	if (fs->sel < tf->n_to)
		pane_filter_list(t, "status:failed ", "to", tf->by_to[fs->sel].key);
	else if (fs->sel < failures_rows(fs))
		pane_filter_list(t, "status:failed ", "code", tf->by_code[fs->sel - tf->n_to].key);
}

static bool failures_action(struct tui *t, struct pane *p, enum tui_action a)
{
	struct failures *fs = p->priv;
	size_t n = failures_rows(fs);
	size_t page = t->layout.body.h > 4 ? (size_t)t->layout.body.h - 4 : 1;

	if (a == ACT_OPEN) {
		failures_pick(t, fs);
		return true;
	}
	return scroller_move_sel(&fs->sel, n, page, a);
}

static void failures_done(void *priv)
{
	worklist_failures_done(&((struct failures *)priv)->groups);
}

const struct pane_ops pane_failures = {
	.name = "failures",
	.draw = failures_draw,
	.action = failures_action,
	.priv_size = sizeof(struct failures),
	.done = failures_done,
};
