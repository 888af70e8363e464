/* The fax list: newest first by default, a symbol and a colour per status,
 * marks, in-flight resends, search matches. Draws only the visible rows. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "core/base/options.h"
#include "core/base/errors.h"
#include "core/base/sanitize.h"
#include "tui/panes/pane.h"
#include "tui/render.h"
#include "tui/session.h"
#include "tui/state.h"
#include "tui/triage.h"
#include "tui/widgets/format.h"

static const struct col_spec columns[COL_N] = {
	[COL_SYM] = { "", 2, 2, 0, false },        [COL_CREATED] = { "created", 8, 11, 5, false },
	[COL_ID] = { "id", 14, 18, 0, false }, /* widened to the ids in view */
	[COL_TO] = { "to", 12, 16, 1, false },     [COL_STATUS] = { "status", 9, 11, 0, false },
	[COL_ATT] = { "att", 3, 5, 2, false },     [COL_PAGES] = { "pg", 2, 3, 6, false },
	[COL_CODE] = { "code", 10, 16, 2, false }, [COL_TRAIL] = { "trail", 9, 24, 4, true },
	[COL_AGE] = { "age", 4, 5, 5, false },     [COL_SINCE] = { "in state", 9, 9, 3, false },
	[COL_TAGS] = { "tags", 6, 18, 7, true },
};

/* The id column takes the longest id in view whole, so that ids are cut
 * (and could look alike) only when not even the must-show columns fit. */
int faxes_columns(int width, int id_cols, int *widths)
{
	struct col_spec specs[COL_N];

	memcpy(specs, columns, sizeof specs);
	if (id_cols > FAXES_ID_MAX_COLS)
		id_cols = FAXES_ID_MAX_COLS;
	if (id_cols > 0)
		specs[COL_ID].min = specs[COL_ID].pref = id_cols;
	return layout_columns(specs, COL_N, width, widths);
}

const char *fax_state_symbol(const struct tui *t, const struct model_fax *mf, const char **word,
			     enum tui_role *role)
{
	static const enum tui_role roles[] = {
		[FAX_STATUS_NONE] = ROLE_NORMAL,      [FAX_QUEUED] = ROLE_FAX_QUEUED,
		[FAX_SUBMITTED] = ROLE_FAX_SUBMITTED, [FAX_IN_PROGRESS] = ROLE_FAX_IN_PROGRESS,
		[FAX_DELIVERED] = ROLE_FAX_DELIVERED, [FAX_FAILED] = ROLE_FAX_FAILED,
	};
	enum fax_status s = mf->fax.status;

	if (s >= FAX_STATUS_COUNT)
		s = FAX_STATUS_NONE;
	if (mf->fax.id && tui_is_inflight(t, mf->fax.id)) {
		*word = "resending";
		*role = ROLE_INFLIGHT;
		return t->term.g->inflight;
	}
	if (mf->retrying && !fax_status_terminal(s)) {
		*word = "retrying";
		*role = ROLE_FAX_RETRYING;
		return t->term.g->retrying;
	}
	*word = s == FAX_STATUS_NONE ? "unknown" : fax_status_name(s);
	*role = roles[s];
	return t->term.g->status[s];
}

/* "k=v k=v", or only the values when that is all that fits. */
static void tags_text(const struct fax *f, bool values_only, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < f->n_tags && off + 1 < len; i++) {
		bool kv = !values_only || !f->tags[i].value || !*f->tags[i].value;
		int w = snprintf(buf + off, len - off, "%s%s%s%s", i ? " " : "",
				 kv && f->tags[i].key ? f->tags[i].key : "",
				 kv && f->tags[i].value && *f->tags[i].value ? "=" : "",
				 f->tags[i].value ? f->tags[i].value : "");
		if (w < 0)
			break;
		off += (size_t)w;
	}
}

/* Ids share their time-ordered prefix, so a narrow column keeps the head
 * ("fax_") and the distinguishing tail. */
static void id_text(const struct tui *t, const char *id, int w, char *buf, size_t len)
{
	char safe[256];
	size_t n;

	if (!id) {
		snprintf(buf, len, "-");
		return;
	}
	sanitize_str(safe, sizeof safe, id);
	n = strlen(safe);
	if ((int)n <= w || w < 8 || sanitize_width(safe) != (int)n) {
		snprintf(buf, len, "%s", safe);
		return;
	}
	snprintf(buf, len, "%.4s%s%s", safe, t->term.g->ellipsis, safe + n - (size_t)(w - 5));
}

/* Time in the current state; "stuck 25m" past the stuck-after threshold.
 * Returns whether the fax is stuck. */
static bool since_text(struct tui *t, const struct model_fax *mf, int64_t now, char *buf,
		       size_t len, bool selected)
{
	int64_t since = worklist_state_since(mf), after = t->cfg ? t->cfg->stuck_after * 1000LL : 0;
	bool stuck = worklist_stuck(mf, now, after);
	char age[24];

	if (since == TS_NONE) {
		snprintf(buf, len, "-");
		return false;
	}
	tui_need_tick(t, fmt_age(now - since, age, sizeof age));
	if (!stuck && after > 0 && mf->fax.status != FAX_STATUS_NONE &&
	    !fax_status_terminal(mf->fax.status))
		tui_need_tick(t, since + after - now + 1);
	snprintf(buf, len, "%s%s", stuck ? "stuck " : "", age);
	return stuck && !selected;
}

/* The trail, age, time in state and tags cells; true when the fax is
 * stuck (the time in state is then a warning). */
static bool later_cell(struct tui *t, int c, int w, const struct model_fax *mf, int64_t now,
		       char *buf, size_t len, bool selected)
{
	const struct fax *f = &mf->fax;
	char safe[512];

	switch (c) {
	case COL_TRAIL:
		worklist_trail(f, t->term.utf8 ? "\u203a" : ">", buf, len);
		return false;
	case COL_AGE:
		if (f->created_at != TS_NONE)
			tui_need_tick(t, fmt_age(now - f->created_at, buf, len));
		return false;
	case COL_SINCE:
		return since_text(t, mf, now, buf, len, selected);
	case COL_TAGS:
		tags_text(f, false, buf, len);
		if (sanitize_str(safe, sizeof safe, buf) > w)
			tags_text(f, true, buf, len);
		return false;
	}
	return false;
}

static void draw_row(struct tui *t, int y, int x0, int x_end, const int *widths,
		     const struct model_fax *mf, bool selected, int64_t now)
{
	const struct fax *f = &mf->fax;
	const char *word;
	enum tui_role srole, base = selected ? ROLE_SELECTED : ROLE_NORMAL;
	const char *sym = fax_state_symbol(t, mf, &word, &srole);
	int x = x0;
	char buf[512];
	bool marked = f->id && tui_is_marked(t, f->id);
	bool match = t->has_search && filter_match(&t->search, mf);

	for (int c = 0; c < COL_N; c++) {
		int w = widths[c];
		enum tui_role role = base;

		if (!w)
			continue;
		buf[0] = '\0';
		switch (c) {
		case COL_SYM:
			snprintf(buf, sizeof buf, "%s%s", marked ? t->term.g->mark : " ", sym);
			role = selected ? ROLE_SELECTED : srole;
			break;
		case COL_CREATED:
			fmt_when(f->created_at, now, buf, sizeof buf);
			break;
		case COL_ID:
			id_text(t, f->id, w, buf, sizeof buf);
			if (match && !selected)
				role = ROLE_MATCH;
			if (marked && !selected)
				role = ROLE_MARKED;
			break;
		case COL_TO:
			snprintf(buf, sizeof buf, "%s", f->to ? f->to : "-");
			break;
		case COL_STATUS:
			/* "!": it got contradicting terminal events (Enter says which);
			 * then a failure's triage state (tui/triage.c) */
			tui_triage_cell(t, mf, word, buf, sizeof buf);
			role = selected ? ROLE_SELECTED : mf->anomalies ? ROLE_LOG_ANOMALY : srole;
			break;
		case COL_ATT:
			if (f->max_attempts > 0)
				snprintf(buf, sizeof buf, "%zu/%d", f->n_attempts, f->max_attempts);
			else
				snprintf(buf, sizeof buf, "%zu", f->n_attempts);
			break;
		case COL_PAGES:
			if (f->pages >= 0)
				snprintf(buf, sizeof buf, "%d", f->pages);
			else
				snprintf(buf, sizeof buf, "-");
			break;
		case COL_CODE:
			if (f->error_code && *f->error_code) {
				bool term = errors_fax_code_terminal(f->error_code);

				/* The marker first: a cut code still shows it. */
				snprintf(buf, sizeof buf, "%s%s", term ? t->term.g->terminal : "",
					 f->error_code);
				if (!selected)
					role = term ? ROLE_CODE_TERMINAL : ROLE_CODE_RETRYABLE;
			}
			break;
		default:
			role = later_cell(t, c, w, mf, now, buf, sizeof buf, selected) ? ROLE_WARN
				: selected                                             ? base
				: c == COL_AGE || c == COL_SINCE                       ? role
										       : ROLE_DIM;
			break;
		}
		if (selected)
			render_fill(t, y, x, x + w + 1 <= x_end ? w + 1 : x_end - x, ROLE_SELECTED);
		render_text(t, y, x, w, role, buf);
		x += w + 1;
	}
}

/* The widest id among the rows on screen. */
static int id_cols(const struct tui *t, int rows)
{
	size_t n = view_count(&t->view);
	int widest = 0;

	for (int i = 0; i < rows && t->top + (size_t)i < n; i++) {
		const struct model_fax *mf = view_at(&t->view, t->top + (size_t)i);
		char safe[256];
		int w;

		if (!mf->fax.id)
			continue;
		w = sanitize_str(safe, sizeof safe, mf->fax.id);
		if (w > widest)
			widest = w;
	}
	return widest;
}

static void faxes_draw(struct tui *t, struct pane *p, const struct rect *r, bool focused)
{
	char title[256];
	struct rect in;
	int widths[COL_N], x, rows;
	size_t n = view_count(&t->view);
	int64_t now = tui_now_ms(t);

	(void)p;
	snprintf(title, sizeof title, "faxes %zu%s%s%s", n,
		 t->view.filter.expr && *t->view.filter.expr ? " filter: " : "",
		 t->view.filter.expr && *t->view.filter.expr ? t->view.filter.expr : "",
		 t->view.paused ? " [paused]" : "");
	in = render_box(t, r, title, render_border_role(t, focused));
	if (in.h < 2 || in.w < 4)
		return;
	faxes_columns(in.w, id_cols(t, in.h - 1), widths);
	x = in.x;
	for (int c = 0; c < COL_N; c++) {
		if (!widths[c])
			continue;
		const char *title_c = columns[c].title;
		char hdr[32];

		if ((c == COL_CREATED && t->view.sort == SORT_CREATED) ||
		    (c == COL_STATUS && t->view.sort == SORT_STATUS) ||
		    (c == COL_TO && t->view.sort == SORT_TO) ||
		    (c == COL_ATT && t->view.sort == SORT_ATTEMPTS) ||
		    (c == COL_CODE && t->view.sort == SORT_CODE)) {
			snprintf(hdr, sizeof hdr, "%s%s", title_c,
				 t->view.reverse ? t->term.g->up : t->term.g->down);
			title_c = hdr;
		}
		render_fill(t, in.y, x,
			    x + widths[c] + 1 <= in.x + in.w ? widths[c] + 1 : in.x + in.w - x,
			    ROLE_COLUMN);
		render_text(t, in.y, x, widths[c], ROLE_COLUMN, title_c);
		x += widths[c] + 1;
	}
	rows = in.h - 1;
	if (n == 0) {
		render_text(t, in.y + 1, in.x, in.w, ROLE_DIM,
			    t->view.filter.n ? "no fax matches the filter (Esc clears it)"
					     : "no faxes yet: waiting for events");
		return;
	}
	for (int i = 0; i < rows && t->top + (size_t)i < n; i++) {
		size_t idx = t->top + (size_t)i;

		draw_row(t, in.y + 1 + i, in.x, in.x + in.w, widths, view_at(&t->view, idx),
			 idx == t->sel, now);
	}
	if (n > (size_t)rows) {
		render_textf(t, r->y + r->h - 1, r->x + r->w - 16, 14,
			     render_border_role(t, focused), " %zu/%zu ", t->sel + 1, n);
	}
}

static bool faxes_action(struct tui *t, struct pane *p, enum tui_action a)
{
	size_t n = view_count(&t->view);
	size_t page = t->layout.pane[LP_FAXES].h > 4 ? (size_t)t->layout.pane[LP_FAXES].h - 4 : 1;

	(void)p;
	if (!scroller_move_sel(&t->sel, n, page, a))
		return false;
	if (n) {
		const struct model_fax *mf = view_at(&t->view, t->sel);

		snprintf(t->sel_id, sizeof t->sel_id, "%s", mf && mf->fax.id ? mf->fax.id : "");
	}
	return true;
}

const struct pane_ops pane_faxes = {
	.name = "faxes",
	.draw = faxes_draw,
	.action = faxes_action,
};
