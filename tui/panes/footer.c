/* The footer: the open prompt, a flash message, or key hints taken from
 * the live keymap. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "tui/panes/pane.h"
#include "tui/render.h"
#include "tui/session.h"
#include "tui/state.h"

/* Hints per screen, in order of usefulness; the keys come from the keymap. */
static const enum tui_action hints_main[] = {
	ACT_HELP,  ACT_FILTER, ACT_OPEN,    ACT_RESEND, ACT_MARK, ACT_RESEND_BULK,
	ACT_PAUSE, ACT_SORT,   ACT_COMMAND, ACT_QUIT,   ACT_NONE,
};
static const enum tui_action hints_detail[] = {
	ACT_BACK, ACT_RAW, ACT_RESEND, ACT_DOWN, ACT_UP, ACT_HELP, ACT_QUIT, ACT_NONE,
};
static const enum tui_action hints_help[] = { ACT_BACK, ACT_DOWN, ACT_UP, ACT_QUIT, ACT_NONE };
static const enum tui_action hints_failures[] = {
	ACT_BACK, ACT_OPEN, ACT_DOWN, ACT_UP, ACT_HELP, ACT_QUIT, ACT_NONE,
};

/* The first key of an available action into keys, and the hint's width
 * ("k:name  "); 0 when the action is unavailable or unbound. */
static int hint_width(const struct tui *t, enum tui_action a, char *keys, size_t len)
{
	char *comma;

	if (tui_action_unavailable(t, a) || !keymap_keys_for(t->km, a, keys, len))
		return 0;
	if ((comma = strchr(keys, ',')))
		*comma = '\0';
	return (int)(strlen(keys) + strlen(action_name(a))) + 3;
}

/* A pane other than the list only scrolls: its keys, and the way back. */
static const enum tui_action hints_pane[] = {
	ACT_HELP, ACT_NEXT_PANE, ACT_DOWN, ACT_UP,   ACT_PAGE_DOWN,
	ACT_HOME, ACT_END,       ACT_QUIT, ACT_NONE,
};
/* The list while a search is on: how to walk its matches. */
static const enum tui_action hints_search[] = {
	ACT_HELP,   ACT_SEARCH_NEXT, ACT_SEARCH_PREV, ACT_BACK, ACT_OPEN,
	ACT_RESEND, ACT_FILTER,      ACT_QUIT,        ACT_NONE,
};

/* The hints follow the screen and, on the main screen, the focused pane. */
static const enum tui_action *footer_hints(const struct tui *t)
{
	if (t->screen == SCREEN_DETAIL)
		return hints_detail;
	if (t->screen == SCREEN_HELP)
		return hints_help;
	if (t->screen == SCREEN_FAILURES)
		return hints_failures;
	if (t->focus != LP_FAXES)
		return hints_pane;
	return t->has_search ? hints_search : hints_main;
}

void footer_draw(struct tui *t, const struct rect *r)
{
	int x = r->x, end = r->x + r->w;
	char keys[64], buf[128];
	int64_t now = tui_now_ms(t);

	render_fill(t, r->y, r->x, r->w, ROLE_FOOTER);
	if (t->prompt_kind != PROMPT_NONE) {
		const char *label = t->prompt_kind == PROMPT_FILTER ? "filter: "
			: t->prompt_kind == PROMPT_SEARCH           ? "search: "
			: t->prompt_kind == PROMPT_DISMISS          ? "dismiss, note (optional): "
								    : ":";
		int lw = render_text(t, r->y, x, r->w, ROLE_KEY, label);
		char before[PROMPT_MAX];

		memcpy(before, t->prompt.buf, t->prompt.cur);
		before[t->prompt.cur] = '\0';
		/* Keep the cursor in view: show the tail when the text is long.
		 * Pre-filled text shows selected: the first letter replaces it. */
		render_text(t, r->y, x + lw, r->w - lw - 1,
			    t->prompt.fresh ? ROLE_SELECTED : ROLE_NORMAL, t->prompt.buf);
		if (t->prompt.fresh)
			return;
		int cx = x + lw + render_text(t, r->y, x + lw, r->w - lw - 1, ROLE_NORMAL, before);

		if (cx < end) {
			render_text(t, r->y, cx, 1, ROLE_SELECTED,
				    t->prompt.cur < t->prompt.len ? t->prompt.buf + t->prompt.cur
								  : " ");
		}
		return;
	}
	if (t->flash[0] && now < t->flash_until) {
		tui_need_tick(t, t->flash_until - now);
		render_text(t, r->y, x, r->w, t->flash_error ? ROLE_FLASH_ERROR : ROLE_FLASH_OK,
			    t->flash);
		return;
	}
	const enum tui_action *hints = footer_hints(t);
	/* Whole hints only, and room kept for the way out at the end. */
	int quit_w = hint_width(t, ACT_QUIT, keys, sizeof keys);

	for (size_t i = 0; hints[i] != ACT_NONE && x < end; i++) {
		int w = hints[i] == ACT_QUIT ? 0 : hint_width(t, hints[i], keys, sizeof keys);

		if (!w || x + w > end - quit_w)
			continue;
		x += render_text(t, r->y, x, end - x, ROLE_KEY, keys);
		snprintf(buf, sizeof buf, ":%s  ", action_name(hints[i]));
		x += render_text(t, r->y, x, end - x, ROLE_FOOTER, buf);
	}
	if (quit_w && hint_width(t, ACT_QUIT, keys, sizeof keys)) {
		x += render_text(t, r->y, x, end - x, ROLE_KEY, keys);
		render_text(t, r->y, x, end - x, ROLE_FOOTER, ":quit");
	}
}
