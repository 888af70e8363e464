#include "config.h"

#include <curses.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/base/options.h"
#include "core/base/log.h"
#include "tui/command.h"
#include "tui/complete.h"
#include "tui/copy.h"
#include "tui/input.h"
#include "tui/panes/pane.h"
#include "tui/resend.h"
#include "tui/session.h"
#include "tui/state.h"
#include "tui/triage.h"

/* Wake-ups with nothing to read in a row: stdin is gone (EOF or hang-up);
 * quit rather than spin. */
#define INPUT_DEAD_WAKEUPS 64

/* "match 3 of 12": where the selected match stands among all of them. */
static void search_position(struct tui *t, size_t at)
{
	size_t n = view_count(&t->view), nth = 0, all = 0;

	for (size_t i = 0; i < n; i++) {
		if (!filter_match(&t->search, view_at(&t->view, i)))
			continue;
		all++;
		if (i <= at)
			nth = all;
	}
	tui_flash(t, false, "match %zu of %zu for '%s'", nth, all,
		  t->search.expr ? t->search.expr : "");
}

static void search_jump(struct tui *t, bool forward)
{
	size_t n = view_count(&t->view);

	if (!t->has_search) {
		tui_flash(t, true, "no search: press f to search");
		return;
	}
	for (size_t k = 1; k <= n; k++) {
		size_t i = forward ? (t->sel + k) % n : (t->sel + n - k % n) % n;

		if (filter_match(&t->search, view_at(&t->view, i))) {
			tui_select(t, i);
			search_position(t, i);
			return;
		}
	}
	tui_flash(t, true, "no fax in view matches '%s'", t->search.expr ? t->search.expr : "");
}

static void cycle_focus(struct tui *t, int dir)
{
	for (int k = 1; k <= LP_COUNT; k++) {
		int p = ((int)t->focus + dir * k + LP_COUNT * 2) % LP_COUNT;

		if (t->layout.visible[p]) {
			t->focus = (enum layout_pane)p;
			return;
		}
	}
}

static void open_prompt(struct tui *t, enum tui_prompt_kind kind, const char *initial)
{
	t->prompt_kind = kind;
	prompt_open(&t->prompt, initial, &t->history[kind]);
	snprintf(t->prompt_orig, sizeof t->prompt_orig, "%s", initial ? initial : "");
}

/* The list narrows while the filter is typed, as long as a rebuild per key
 * stays cheap; a term that does not parse yet just waits for more keys. */
static void live_filter(struct tui *t)
{
	char err[256];

	if (model_count(t->m) > TUI_LIVE_FILTER_MAX)
		return;
	if (view_set_filter(&t->view, t->prompt.buf, err, sizeof err) == 0)
		t->sel = 0;
}

static void do_quit(struct tui *t)
{
	if (t->inflight || t->bulk.running) {
		dialog_open_quit(t);
		return;
	}
	tui_request_quit(t);
}

static void do_back(struct tui *t)
{
	if (t->screen == SCREEN_HELP) {
		t->screen = t->help_return;
	} else if (t->screen == SCREEN_DETAIL && t->detail_raw) {
		/* One level at a time: raw JSON, then the detail, then the list. */
		t->detail_raw = false;
		t->detail_scroll = 0;
	} else if (t->screen == SCREEN_DETAIL || t->screen == SCREEN_FAILURES) {
		t->screen = SCREEN_MAIN;
	} else if (t->has_search) {
		filter_done(&t->search);
		t->has_search = false;
	} else if (!filter_empty(&t->view.filter)) {
		char err[64];

		view_set_filter(&t->view, "", err, sizeof err);
		tui_flash(t, false, "filter cleared");
	}
}

static bool navigate(struct tui *t, enum tui_action a)
{
	const struct pane_ops *ops;

	if (t->screen == SCREEN_HELP)
		return help_action(t, a);
	if (t->screen == SCREEN_DETAIL)
		return detail_action(t, a);
	if (t->screen == SCREEN_FAILURES)
		return failures_action(t, a);
	ops = tui_pane_ops(t->focus);
	if (ops && ops->action)
		return ops->action(t, a);
	return false;
}

/* The triage keys: the resend chain, copying an id, the failures view. */
static void do_triage(struct tui *t, enum tui_action a)
{
	const struct model_fax *mf;

	switch (a) {
	case ACT_ORIGINAL:
	case ACT_NEXT_RESEND:
		/* From the list: from the selected fax, and the list stays when
		 * there is nowhere to go. */
		if (t->screen == SCREEN_MAIN && (mf = tui_selected(t)) && mf->fax.id) {
			snprintf(t->detail_id, sizeof t->detail_id, "%s", mf->fax.id);
			t->screen = SCREEN_DETAIL;
			detail_action(t, a);
			if (strcmp(t->detail_id, mf->fax.id) == 0)
				t->screen = SCREEN_MAIN;
		} else if (t->screen == SCREEN_DETAIL) {
			detail_action(t, a);
		}
		break;
	case ACT_COPY_ID:
		mf = t->screen == SCREEN_MAIN || t->screen == SCREEN_DETAIL ? tui_selected(t) : NULL;
		copy_fax_id(t, mf ? mf->fax.id : NULL);
		break;
	case ACT_FAILURES:
		if (t->screen == SCREEN_FAILURES)
			t->screen = SCREEN_MAIN;
		else
			failures_open(t);
		break;
	default:
		break;
	}
}

void tui_do(struct tui *t, enum tui_action a)
{
	const char *why = tui_action_unavailable(t, a);
	const struct model_fax *mf;

	t->dirty = true;
	if (why) {
		tui_flash(t, true, "%s is unavailable: %s", action_name(a), why);
		return;
	}
	switch (a) {
	case ACT_NONE:
	case ACT_COUNT:
		break;
	case ACT_QUIT:
		do_quit(t);
		break;
	case ACT_HELP:
		if (t->screen == SCREEN_HELP) {
			t->screen = t->help_return;
		} else {
			t->help_return = t->screen;
			t->screen = SCREEN_HELP;
			t->help_scroll = 0;
		}
		break;
	case ACT_REDRAW:
		t->full_redraw = true;
		break;
	case ACT_BACK:
		do_back(t);
		break;
	case ACT_OPEN:
		/* A pane with its own Enter (error codes: filter by the code). */
		if (((t->screen == SCREEN_MAIN && t->focus != LP_FAXES) ||
		     t->screen == SCREEN_FAILURES) && navigate(t, a))
			break;
		if (t->screen != SCREEN_MAIN || !(mf = tui_selected(t)) || !mf->fax.id)
			break;
		detail_open(t, mf->fax.id);
		break;
	case ACT_FILTER:
		open_prompt(t, PROMPT_FILTER, t->view.filter.expr);
		break;
	case ACT_SEARCH:
		open_prompt(t, PROMPT_SEARCH, t->has_search ? t->search.expr : "");
		break;
	case ACT_COMMAND:
		open_prompt(t, PROMPT_COMMAND, "");
		break;
	case ACT_SEARCH_NEXT:
	case ACT_SEARCH_PREV:
		if (t->screen == SCREEN_MAIN)
			search_jump(t, a == ACT_SEARCH_NEXT);
		break;
	case ACT_SORT:
		view_set_sort(&t->view, (enum view_sort)((t->view.sort + 1) % SORT_COUNT), false);
		tui_flash(t, false, "sorted by %s", view_sort_name(t->view.sort));
		break;
	case ACT_SORT_REVERSE:
		view_set_sort(&t->view, t->view.sort, !t->view.reverse);
		tui_flash(t, false, "sorted by %s, %s", view_sort_name(t->view.sort),
			  t->view.reverse ? "reversed" : "normal order");
		break;
	case ACT_PAUSE:
		view_set_paused(&t->view, !t->view.paused);
		tui_flash(t, false, t->view.paused ? "paused: new faxes are counted, not shown"
						   : "following the newest faxes");
		if (!t->view.paused)
			t->sel = 0;
		break;
	case ACT_MARK:
		if (t->screen != SCREEN_MAIN || !(mf = tui_selected(t)) || !mf->fax.id)
			break;
		tui_toggle_mark(t, mf->fax.id);
		if (t->sel + 1 < view_count(&t->view))
			tui_select(t, t->sel + 1);
		break;
	case ACT_UNMARK_ALL:
		tui_clear_marks(t);
		break;
	case ACT_RESEND:
		mf = tui_selected(t);
		dialog_open_resend(t, mf ? mf->fax.id : NULL);
		break;
	case ACT_RESEND_BULK:
		dialog_open_bulk(t);
		break;
	case ACT_BULK_PAUSE:
		tui_bulk_pause(t);
		break;
	case ACT_BULK_CANCEL:
		tui_bulk_cancel(t);
		break;
	case ACT_DISMISS:
		tui_triage_dismiss(t);
		break;
	case ACT_UNDISMISS:
		tui_triage_undismiss(t);
		break;
	case ACT_NEXT_UNRESOLVED:
		if (t->screen == SCREEN_MAIN)
			tui_triage_next(t);
		break;
	case ACT_RAW:
		if (t->screen == SCREEN_DETAIL)
			detail_action(t, a);
		break;
	case ACT_ORIGINAL:
	case ACT_NEXT_RESEND:
	case ACT_COPY_ID:
	case ACT_FAILURES:
		do_triage(t, a);
		break;
	case ACT_NEXT_PANE:
	case ACT_PREV_PANE:
		if (t->screen == SCREEN_MAIN)
			cycle_focus(t, a == ACT_NEXT_PANE ? 1 : -1);
		break;
	case ACT_UP:
	case ACT_DOWN:
	case ACT_PAGE_UP:
	case ACT_PAGE_DOWN:
	case ACT_HOME:
	case ACT_END:
		navigate(t, a);
		break;
	}
}

static void prompt_finish(struct tui *t, enum prompt_result r)
{
	enum tui_prompt_kind kind = t->prompt_kind;
	char err[256];

	if (r == PROMPT_CANCEL) {
		if (kind == PROMPT_FILTER && strcmp(t->prompt_orig, t->view.filter.expr ?
						    t->view.filter.expr : "") != 0)
			view_set_filter(&t->view, t->prompt_orig, err, sizeof err);
		t->prompt_kind = PROMPT_NONE;
		return;
	}
	if (r == PROMPT_CONTINUE && kind == PROMPT_FILTER)
		live_filter(t);
	if (r != PROMPT_DONE)
		return;
	t->prompt_kind = PROMPT_NONE;
	prompt_history_add(&t->history[kind], t->prompt.buf);
	switch (kind) {
	case PROMPT_FILTER:
		if (view_set_filter(&t->view, t->prompt.buf, err, sizeof err) < 0) {
			char ignored[64];

			tui_flash(t, true, "filter: %s", err);
			/* What was typed live is undone: the previous filter stays. */
			view_set_filter(&t->view, t->prompt_orig, ignored, sizeof ignored);
		} else {
			t->sel = 0;
		}
		break;
	case PROMPT_SEARCH:
		if (!t->prompt.len) {
			filter_done(&t->search);
			t->has_search = false;
		} else if (filter_parse(&t->search, t->prompt.buf, err, sizeof err) < 0) {
			tui_flash(t, true, "search: %s", err);
		} else {
			t->has_search = true;
			search_jump(t, true);
		}
		break;
	case PROMPT_COMMAND:
		tui_command(t, t->prompt.buf);
		break;
	case PROMPT_DISMISS:
		tui_triage_dismiss_done(t, t->prompt.buf);
		break;
	case PROMPT_NONE:
	case PROMPT_KIND_COUNT:
		break;
	}
}

void tui_key(struct tui *t, int key)
{
	t->dirty = true;
	if (t->dlg.kind != DLG_NONE) {
		dialog_key(t, key);
		return;
	}
	if (t->prompt_kind != PROMPT_NONE) {
		if (key == '\t') {
			tui_complete(t);
			prompt_finish(t, PROMPT_CONTINUE);
			return;
		}
		prompt_finish(t, prompt_key(&t->prompt, key));
		return;
	}
	tui_sync_view(t);
	tui_do(t, keymap_lookup(t->km, key));
}

static void on_mouse(struct tui *t)
{
	MEVENT ev;
	const struct layout *l = &t->layout;

	if (getmouse(&ev) != OK)
		return;
	t->dirty = true;
	if (ev.bstate & (BUTTON4_PRESSED | BUTTON5_PRESSED)) {
		enum tui_action a = ev.bstate & BUTTON4_PRESSED ? ACT_UP : ACT_DOWN;

		for (int i = 0; i < 3; i++)
			navigate(t, a);
		return;
	}
	if (!(ev.bstate & (BUTTON1_PRESSED | BUTTON1_CLICKED)) || t->screen != SCREEN_MAIN ||
	    t->dlg.kind != DLG_NONE)
		return;
	for (int p = 0; p < LP_COUNT; p++) {
		const struct rect *r = &l->pane[p];

		if (!l->visible[p] || ev.y < r->y || ev.y >= r->y + r->h || ev.x < r->x ||
		    ev.x >= r->x + r->w)
			continue;
		t->focus = (enum layout_pane)p;
		if (p == LP_FAXES && ev.y >= r->y + 2 && ev.y < r->y + r->h - 1) {
			size_t row = t->top + (size_t)(ev.y - r->y - 2);

			if (row < view_count(&t->view))
				tui_select(t, row);
		}
		return;
	}
}

void tui_on_input(struct ev_loop *loop, ev_io *w, int revents)
{
	struct tui *t = w->data;
	static const int max_keys = 256;   /* a paste must not starve the loop */
	wint_t ch;
	int r, n = 0;

	(void)revents;
	while (n < max_keys && !t->quitting && (r = get_wch(&ch)) != ERR) {
		n++;
		if (r == KEY_CODE_YES && ch == KEY_RESIZE) {
			term_resize(&t->term);
			t->dirty = true;
			continue;
		}
		if (r == KEY_CODE_YES && ch == KEY_MOUSE) {
			if (!t->cfg || t->cfg->mouse)
				on_mouse(t);
			continue;
		}
		tui_key(t, keymap_key_from_curses((int)ch, r == KEY_CODE_YES));
	}
	if (n > 0) {
		t->input_idle = 0;
		/* Cut short by the cap: curses may hold keys the fd no longer
		 * signals, so come back on the next iteration. */
		if (n == max_keys && !t->quitting)
			ev_feed_event(loop, w, EV_READ);
		return;
	}
	if (++t->input_idle >= INPUT_DEAD_WAKEUPS) {
		ev_io_stop(loop, w);
		if (t->log)
			log_warn(t->log, "terminal input closed; quitting");
		tui_request_quit(t);
	}
}
