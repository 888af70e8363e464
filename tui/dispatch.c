/* Actions: what each one does. The handler column of TUI_ACTION_LIST
 * (actions.h) names the function here that runs it; tui_do checks that the
 * action is available and calls it. Actions change state and mark the
 * screen dirty; they never draw. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "tui/copy.h"
#include "tui/dispatch.h"
#include "tui/panes/pane.h"
#include "tui/resend.h"
#include "tui/session.h"
#include "tui/state.h"
#include "tui/triage.h"

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

void tui_search_jump(struct tui *t, bool forward)
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

bool tui_navigate(struct tui *t, enum tui_action a)
{
	struct pane *p = t->screen == SCREEN_MAIN ? &t->pane[t->focus] : &t->screen_pane[t->screen];

	return p->ops && p->ops->action && p->ops->action(t, p, a);
}

static void act_none(struct tui *t, enum tui_action a)
{
	(void)t;
	(void)a;
}

static void act_quit(struct tui *t, enum tui_action a)
{
	(void)a;
	if (t->inflight || t->bulk.running) {
		dialog_open_quit(t);
		return;
	}
	tui_request_quit(t);
}

static void act_help(struct tui *t, enum tui_action a)
{
	(void)a;
	if (t->screen == SCREEN_HELP)
		t->screen = t->help_return;
	else
		help_open(t);
}

static void act_redraw(struct tui *t, enum tui_action a)
{
	(void)a;
	t->full_redraw = true;
}

static void act_back(struct tui *t, enum tui_action a)
{
	(void)a;
	if (t->screen == SCREEN_HELP) {
		t->screen = t->help_return;
	} else if (t->screen == SCREEN_DETAIL && detail_back(t)) {
		/* One level at a time: raw JSON, then the detail, then the list. */
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

static void act_open(struct tui *t, enum tui_action a)
{
	const struct model_fax *mf;

	/* A pane with its own Enter (error codes: filter by the code). */
	if (((t->screen == SCREEN_MAIN && t->focus != LP_FAXES) || t->screen == SCREEN_FAILURES) &&
	    tui_navigate(t, a))
		return;
	if (t->screen != SCREEN_MAIN || !(mf = tui_selected(t)) || !mf->fax.id)
		return;
	detail_open(t, mf->fax.id);
}

static void act_filter(struct tui *t, enum tui_action a)
{
	(void)a;
	open_prompt(t, PROMPT_FILTER, t->view.filter.expr);
}

static void act_search(struct tui *t, enum tui_action a)
{
	(void)a;
	open_prompt(t, PROMPT_SEARCH, t->has_search ? t->search.expr : "");
}

static void act_command(struct tui *t, enum tui_action a)
{
	(void)a;
	open_prompt(t, PROMPT_COMMAND, "");
}

static void act_search_jump(struct tui *t, enum tui_action a)
{
	if (t->screen == SCREEN_MAIN)
		tui_search_jump(t, a == ACT_SEARCH_NEXT);
}

static void act_sort(struct tui *t, enum tui_action a)
{
	(void)a;
	view_set_sort(&t->view, (enum view_sort)((t->view.sort + 1) % SORT_COUNT), false);
	tui_flash(t, false, "sorted by %s", view_sort_name(t->view.sort));
}

static void act_sort_reverse(struct tui *t, enum tui_action a)
{
	(void)a;
	view_set_sort(&t->view, t->view.sort, !t->view.reverse);
	tui_flash(t, false, "sorted by %s, %s", view_sort_name(t->view.sort),
		  t->view.reverse ? "reversed" : "normal order");
}

static void act_pause(struct tui *t, enum tui_action a)
{
	(void)a;
	view_set_paused(&t->view, !t->view.paused);
	tui_flash(t, false,
		  t->view.paused ? "paused: new faxes are counted, not shown"
				 : "following the newest faxes");
	if (!t->view.paused)
		t->sel = 0;
}

static void act_mark(struct tui *t, enum tui_action a)
{
	const struct model_fax *mf;

	(void)a;
	if (t->screen != SCREEN_MAIN || !(mf = tui_selected(t)) || !mf->fax.id)
		return;
	tui_toggle_mark(t, mf->fax.id);
	if (t->sel + 1 < view_count(&t->view))
		tui_select(t, t->sel + 1);
}

/* Actions that are one call to the module that does the work. */
#define ACTION_CALLS(name, fn)                                   \
	static void act_##name(struct tui *t, enum tui_action a) \
	{                                                        \
		(void)a;                                         \
		fn(t);                                           \
	}

ACTION_CALLS(unmark_all, tui_clear_marks)
ACTION_CALLS(resend_bulk, dialog_open_bulk)
ACTION_CALLS(bulk_pause, tui_bulk_pause)
ACTION_CALLS(bulk_cancel, tui_bulk_cancel)
ACTION_CALLS(dismiss, tui_triage_dismiss)
ACTION_CALLS(undismiss, tui_triage_undismiss)

static void act_resend(struct tui *t, enum tui_action a)
{
	const struct model_fax *mf = tui_selected(t);

	(void)a;
	dialog_open_resend(t, mf ? mf->fax.id : NULL);
}

static void act_next_unresolved(struct tui *t, enum tui_action a)
{
	(void)a;
	if (t->screen == SCREEN_MAIN)
		tui_triage_next(t);
}

static void act_raw(struct tui *t, enum tui_action a)
{
	if (t->screen == SCREEN_DETAIL)
		tui_navigate(t, a);
}

/* The resend chain. From the list: from the selected fax, and the list
 * stays when there is nowhere to go. */
static void act_chain(struct tui *t, enum tui_action a)
{
	const struct model_fax *mf;

	if (t->screen == SCREEN_MAIN && (mf = tui_selected(t)) && mf->fax.id) {
		snprintf(t->detail_id, sizeof t->detail_id, "%s", mf->fax.id);
		t->screen = SCREEN_DETAIL;
		tui_navigate(t, a);
		if (strcmp(t->detail_id, mf->fax.id) == 0)
			t->screen = SCREEN_MAIN;
	} else if (t->screen == SCREEN_DETAIL) {
		tui_navigate(t, a);
	}
}

static void act_copy_id(struct tui *t, enum tui_action a)
{
	const struct model_fax *mf;

	(void)a;
	mf = t->screen == SCREEN_MAIN || t->screen == SCREEN_DETAIL ? tui_selected(t) : NULL;
	copy_fax_id(t, mf ? mf->fax.id : NULL);
}

static void act_failures(struct tui *t, enum tui_action a)
{
	(void)a;
	if (t->screen == SCREEN_FAILURES)
		t->screen = SCREEN_MAIN;
	else
		failures_open(t);
}

static void act_focus(struct tui *t, enum tui_action a)
{
	if (t->screen == SCREEN_MAIN)
		cycle_focus(t, a == ACT_NEXT_PANE ? 1 : -1);
}

static void act_navigate(struct tui *t, enum tui_action a)
{
	tui_navigate(t, a);
}

typedef void action_fn(struct tui *t, enum tui_action a);

static action_fn *const handlers[ACT_COUNT] = {
#define X(e, name, mutates, fn, help) [e] = act_##fn,
	TUI_ACTION_LIST(X)
#undef X
};

void tui_do(struct tui *t, enum tui_action a)
{
	const char *why = tui_action_unavailable(t, a);

	t->dirty = true;
	if (why) {
		tui_flash(t, true, "%s is unavailable: %s", action_name(a), why);
		return;
	}
	if ((unsigned)a < ACT_COUNT)
		handlers[a](t, a);
}
