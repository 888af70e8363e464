/* Help, generated from the live keymap and the action table: what is
 * bound where, and why an action is unavailable. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "tui/command.h"
#include "tui/panes/pane.h"
#include "tui/render.h"
#include "tui/session.h"
#include "tui/state.h"

/* The symbols of the list, from the glyphs in use (UTF-8 or ASCII). */
static int help_legend(struct tui *t, const struct pane *p, const struct rect *in, int line)
{
	const struct glyphs *g = t->term.g;
	char buf[512];
	size_t o = 0;
	int y;

	o += (size_t)snprintf(buf + o, sizeof buf - o, "Symbols:");
	for (int s = FAX_QUEUED; s < FAX_STATUS_COUNT && o < sizeof buf; s++)
		o += (size_t)snprintf(buf + o, sizeof buf - o, " %s %s ", g->status[s],
				      fax_status_name((enum fax_status)s));
	if (o < sizeof buf)
		snprintf(buf + o, sizeof buf - o,
			 " %s retrying  %s resending  %s terminal code  "
			 "%s marked  ! anomaly",
			 g->retrying, g->inflight, g->terminal, g->mark);
	y = in->y + line - p->sc.off;
	if (y >= in->y && y < in->y + in->h)
		render_text(t, y, in->x, in->w, ROLE_NORMAL, buf);
	return line + 1;
}

/* One action: its keys, its name, what it does, and why it is unavailable. */
static void help_row(struct tui *t, const struct pane *p, const struct rect *in, int line,
		     enum tui_action a, int name_w)
{
	const char *why = tui_action_unavailable(t, a);
	int y = in->y + line - p->sc.off, x;
	char keys[128];

	if (y < in->y || y >= in->y + in->h)
		return;
	if (!keymap_keys_for(t->km, a, keys, sizeof keys))
		snprintf(keys, sizeof keys, "(unbound)");
	x = in->x + render_textf(t, y, in->x, in->w, why ? ROLE_DIM : ROLE_KEY, "%-18s ", keys);
	x += render_textf(t, y, x, in->x + in->w - x, why ? ROLE_DIM : ROLE_NORMAL, "%-*s ", name_w,
			  action_name(a));
	x += render_text(t, y, x, in->x + in->w - x, why ? ROLE_DIM : ROLE_NORMAL, action_help(a));
	if (why)
		render_textf(t, y, x, in->x + in->w - x, ROLE_WARN, "  [unavailable: %s]", why);
}

/* The widest action name in [from, to), so the help texts line up after
 * every name, the longest included. */
static int names_width(int from, int to)
{
	size_t w = 0;

	for (int a = from; a < to; a++) {
		size_t n = strlen(action_name((enum tui_action)a));
		w = n > w ? n : w;
	}
	return (int)w;
}

static void help_draw(struct tui *t, struct pane *p, const struct rect *r, bool focused)
{
	struct rect in = render_box(t, r, "help (Esc to close)", render_border_role(t, true));
	int line = 0, y, page = t->layout.body.h > 3 ? t->layout.body.h - 3 : 1;
	char cmds[256];

	(void)focused;
	if (in.h < 1 || in.w < 10)
		return;
	snprintf(cmds, sizeof cmds, "Commands (:): ");
	tui_cmd_usages(" | ", cmds + strlen(cmds), sizeof cmds - strlen(cmds));
	const char *const intro[] = {
		"Keys come from the built-in bindings and your config's `bind KEY ACTION` lines.",
		"Filter language: free text, status:failed code:busy to:+1212 tag:team=ops "
		"id:fax_, !term negates.",
		cmds,
		"",
	};
	for (size_t i = 0; i < sizeof intro / sizeof intro[0]; i++, line++) {
		y = in.y + line - p->sc.off;
		if (y >= in.y && y < in.y + in.h)
			render_text(t, y, in.x, in.w, i < 3 ? ROLE_DIM : ROLE_NORMAL, intro[i]);
		if (i == 2)
			line = help_legend(t, p, &in, line + 1) - 1;
	}
	/* Refused bind lines and conflicts first, where they are seen. */
	for (size_t i = 0; i < keymap_message_count(t->km); i++, line++) {
		y = in.y + line - p->sc.off;
		if (y >= in.y && y < in.y + in.h)
			render_text(t, y, in.x, in.w, ROLE_WARN, keymap_message_at(t->km, i));
	}
	line += keymap_message_count(t->km) > 0;
	for (int a = 1; a < ACT_COUNT; a++, line++)
		help_row(t, p, &in, line, (enum tui_action)a, names_width(1, ACT_COUNT));
	/* The dialogs' keys, a mode at a time, bound and rebound the same way. */
	for (int a = ACT_COUNT + 1; a < ACT_ALL_COUNT; a++, line++) {
		enum tui_mode m = action_mode((enum tui_action)a);

		if (a == ACT_COUNT + 1 || m != action_mode((enum tui_action)(a - 1))) {
			y = in.y + ++line - p->sc.off;
			if (y >= in.y && y < in.y + in.h)
				render_textf(
					t, y, in.x, in.w, ROLE_TITLE, "In %s%s:", mode_title(m),
					m == MODE_RESEND ? " (other keys edit its fields)" : "");
			line++;
		}
		help_row(t, p, &in, line, (enum tui_action)a,
			 names_width(ACT_COUNT + 1, ACT_ALL_COUNT));
	}
	scroller_set_extent(&p->sc, line, page);
}

static bool help_action(struct tui *t, struct pane *p, enum tui_action a)
{
	int page = t->layout.body.h > 3 ? t->layout.body.h - 3 : 1;

	return scroller_action(&p->sc, a, page);
}

void help_open(struct tui *t)
{
	t->help_return = t->screen;
	t->screen = SCREEN_HELP;
	t->screen_pane[SCREEN_HELP].sc.off = 0;
}

const struct pane_ops pane_help = {
	.name = "help",
	.draw = help_draw,
	.action = help_action,
};
