#include "config.h"

#include <curses.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/base/options.h"
#include "core/base/log.h"
#include "tui/command.h"
#include "tui/complete.h"
#include "tui/dispatch.h"
#include "tui/input.h"
#include "tui/panes/pane.h"
#include "tui/session.h"
#include "tui/state.h"
#include "tui/triage.h"

/* Wake-ups with nothing to read in a row: stdin is gone (EOF or hang-up);
 * quit rather than spin. */
#define INPUT_DEAD_WAKEUPS 64

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

static void prompt_finish(struct tui *t, enum prompt_result r)
{
	enum tui_prompt_kind kind = t->prompt_kind;
	char err[256];

	if (r == PROMPT_CANCEL) {
		if (kind == PROMPT_FILTER &&
		    strcmp(t->prompt_orig, t->view.filter.expr ? t->view.filter.expr : "") != 0)
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
			tui_search_jump(t, true);
		}
		break;
	case PROMPT_COMMAND:
		tui_do(t, tui_command(t, t->prompt.buf));
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
			tui_navigate(t, a);
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
	static const int max_keys = 256; /* a paste must not starve the loop */
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
