/* struct tui: lifecycle, the watchers on the app's loop, and the frame.
 * State changes happen in input handlers and timers; drawing happens only
 * in the ev_prepare step, at most fps times a second, and only when the
 * model generation moved or something marked the screen dirty. */
#include "config.h"

#include <curses.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/base/xalloc.h"
#include "core/base/clock.h"
#include "core/base/options.h"
#include "core/base/log.h"
#include "tui/command.h"
#include "tui/export.h"
#include "tui/input.h"
#include "tui/panes/pane.h"
#include "tui/render.h"
#include "tui/resend.h"
#include "tui/session.h"
#include "tui/state.h"

static void fetch_status(struct tui *t)
{
	memset(&t->status, 0, sizeof t->status);
	t->status.last_event_ms = TS_NONE;
	if (t->act.status)
		t->act.status(t->act.ctx, &t->status);
	if (!t->status.environment) {
		const struct model_balance *b = model_balance(t->m);

		t->status.environment = b && b->known && b->type[0] ? b->type : "unknown";
	}
	if (t->status.last_event_ms == TS_NONE || t->status.last_event_ms == 0)
		t->status.last_event_ms = model_last_event_ms(t->m);
}

/* The attempts pane takes only the rows the selected fax's attempts need
 * (a header and at least one line); the list gets the rest. */
static void fit_attempts(struct tui *t)
{
	const struct model_fax *mf = view_count(&t->view) ? view_at(&t->view, t->sel) : NULL;
	size_t n = mf ? mf->fax.n_attempts : 0;

	if (t->screen != SCREEN_MAIN)
		return;
	layout_fit_attempts(&t->layout, n > 1 ? (int)(n < 64 ? n : 64) + 1 : 2);
	tui_sync_selection(t);
}

/* alert-bell: a condition that was not shown before rings the bell and
 * names itself in the window title; the title comes back when all clear. */
static void alert_changes(struct tui *t)
{
	unsigned now = t->status.banner_mask, before = t->banner_mask;
	char title[96];

	t->banner_mask = now;
	if (!t->cfg || !t->cfg->alert_bell || now == before)
		return;
	if (now & ~before)
		beep();
	if (t->status.banner_title)
		snprintf(title, sizeof title, "faxtop: %s", t->status.banner_title);
	else
		snprintf(title, sizeof title, "faxtop");
	term_set_title(&t->term, title);
}

static void prepare_frame(struct tui *t)
{
	fetch_status(t);
	alert_changes(t);
	layout_compute_banners(t->term.rows, t->term.cols, (int)t->status.n_banners, &t->layout);
	if (!t->layout.visible[t->focus])
		t->focus = LP_FAXES;
	tui_sync_view(t);
	fit_attempts(t);
}

static void draw_frame(struct tui *t)
{
	const struct layout *l = &t->layout;

	if (t->full_redraw) {
		clearok(curscr, TRUE);
		t->full_redraw = false;
	}
	attrset((attr_t)t->term.role_attr[ROLE_NORMAL]);
	/* Blank cells take the normal role too, so a theme with a background
	 * (high-contrast) fills the whole screen, not just behind the text.
	 * Without one they stay plain, which lets curses clear cheaply. */
	bkgdset(t->term.color && t->theme.style[ROLE_NORMAL].bg != THEME_COLOR_DEFAULT
			? (chtype)' ' | (chtype)t->term.role_attr[ROLE_NORMAL]
			: (chtype)' ');
	erase();
	if (l->too_small) {
		render_textf(t, 0, 0, t->term.cols, ROLE_WARN, "too small %dx%d, need %dx%d",
			     t->term.cols, t->term.rows, LAYOUT_MIN_COLS, LAYOUT_MIN_ROWS);
	} else {
		render_set_clip(t, &l->header);
		header_draw(t, &l->header);
		if (t->screen == SCREEN_MAIN) {
			for (int p = 0; p < LP_COUNT; p++) {
				if (!l->visible[p])
					continue;
				render_set_clip(t, &l->pane[p]);
				t->pane[p].ops->draw(t, &t->pane[p], &l->pane[p],
						     t->focus == (enum layout_pane)p);
			}
		} else {
			struct pane *p = &t->screen_pane[t->screen];

			render_set_clip(t, &l->body);
			p->ops->draw(t, p, &l->body, true);
		}
		render_set_clip(t, &l->footer);
		footer_draw(t, &l->footer);
		render_set_clip(t, NULL);
		dialog_draw(t);
	}
	render_set_clip(t, NULL);
	wnoutrefresh(stdscr);
	doupdate();
}

static void on_tick(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct tui *t = w->data;

	(void)loop;
	(void)revents;
	t->dirty = true;
}

static void on_frame_timer(struct ev_loop *loop, ev_timer *w, int revents)
{
	/* Nothing to do: waking the loop is enough, the prepare step draws. */
	(void)loop;
	(void)w;
	(void)revents;
}

/* bench/ measures event-to-screen and start-up from these lines: when the
 * frame reached the terminal (µs since the epoch), the newest event it
 * shows, and how many faxes the model holds. */
static void frame_log(struct tui *t)
{
	const struct model_log_entry *e;
	struct timespec ts;

	if (!t->frame_log)
		return;
	e = model_log_count(t->m) ? model_log_at(t->m, 0) : NULL;
	clock_gettime(CLOCK_REALTIME, &ts);
	fprintf(t->frame_log, "%lld %s %zu\n", (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000,
		e && e->event_id[0] ? e->event_id : "-", model_count(t->m));
	fflush(t->frame_log);
}

static void on_prepare(struct ev_loop *loop, ev_prepare *w, int revents)
{
	struct tui *t = w->data;
	double now, wait;

	(void)revents;
	/* Health is not in the model: a refused key or a dead API changes
	 * nothing there, and must still be drawn in this iteration. */
	if (t->term.active && t->act.health_key) {
		uint64_t key = t->act.health_key(t->act.ctx);

		if (key != t->health_key) {
			t->health_key = key;
			t->dirty = true;
		}
	}
	if (!t->term.active || (!t->dirty && model_generation(t->m) == t->drawn_gen))
		return;
	now = ev_time();
	wait = t->last_frame + t->frame_interval - now;
	if (wait > 0) {
		if (!ev_is_active(&t->frame_w)) {
			ev_timer_set(&t->frame_w, wait, 0.);
			ev_timer_start(loop, &t->frame_w);
		}
		return;
	}
	ev_timer_stop(loop, &t->frame_w);
	t->dirty = false;
	t->drawn_gen = model_generation(t->m);
	t->next_change_ms = INT64_MAX;
	prepare_frame(t);
	draw_frame(t);
	frame_log(t);
	t->last_frame = now;
	ev_timer_stop(loop, &t->tick_w);
	if (t->next_change_ms != INT64_MAX) {
		ev_timer_set(&t->tick_w, (double)t->next_change_ms / 1000.0 + 0.005, 0.);
		ev_timer_start(loop, &t->tick_w);
	}
}

static void on_winch(struct ev_loop *loop, ev_signal *w, int revents)
{
	struct tui *t = w->data;

	(void)loop;
	(void)revents;
	term_resize(&t->term);
	t->full_redraw = true;
	t->dirty = true;
}

static void load_bindings(struct tui *t, const struct config *cfg)
{
	char err[320];

	if (keymap_load_defaults(t->km, err, sizeof err) < 0 && t->log)
		log_error(t->log, "default key bindings: %s", err);
	for (size_t i = 0; cfg && i < cfg->n_bindings; i++) {
		const struct config_binding *b = &cfg->bindings[i];

		/* Refused lines are listed in help with the conflicts. */
		if (keymap_bind(t->km, b->key, b->action, b->where ? b->where : "config", err,
				sizeof err) < 0)
			keymap_add_message(t->km, err);
	}
	for (size_t i = 0; i < keymap_message_count(t->km); i++) {
		if (t->log)
			log_warn(t->log, "%s", keymap_message_at(t->km, i));
		if (!t->flash[0])
			tui_flash(t, true, "%s (see help)", keymap_message_at(t->km, i));
	}
}

static void load_theme(struct tui *t, const char *name)
{
	char err[512];

	if (theme_load(&t->theme, name, err, sizeof err) == 0)
		return;
	tui_flash(t, true, "theme: %s; using the default theme", err);
	if (t->log)
		log_warn(t->log, "theme: %s; using the default theme", err);
	if (theme_load(&t->theme, "default", err, sizeof err) < 0)
		theme_init_builtin(&t->theme);
}

struct tui *tui_new(struct ev_loop *loop, const struct model *m, const struct config *cfg,
		    const struct tui_actions *actions, struct log *log, char *err, size_t errlen)
{
	struct tui *t = xcalloc(1, sizeof *t);
	const char *nc = getenv("NO_COLOR");

	t->km = keymap_new();
	tui_panes_init(t);
	t->loop = loop;
	t->m = m;
	t->cfg = cfg;
	if (actions)
		t->act = *actions;
	t->log = log;
	t->read_only = cfg && cfg->read_only;
	t->frame_interval = 1.0 / (double)(cfg && cfg->fps > 0 ? cfg->fps : 30);
	if (getenv("FAXTOP_FRAME_LOG") && *getenv("FAXTOP_FRAME_LOG"))
		t->frame_log = fopen(getenv("FAXTOP_FRAME_LOG"), "we");
	view_init(&t->view, m);
	t->view.tr = t->view.filter.tr = t->act.triage;
	filter_init(&t->search);
	t->search.m = m;
	t->search.tr = t->act.triage;
	load_bindings(t, cfg);
	load_theme(t, nc && *nc ? "mono" : cfg && cfg->theme ? cfg->theme : "default");
	if (term_start(&t->term, cfg ? cfg->mouse : true, err, errlen) < 0) {
		tui_free(t);
		return NULL;
	}
	term_apply_theme(&t->term, &t->theme);

	ev_io_init(&t->input_w, tui_on_input, STDIN_FILENO, EV_READ);
	t->input_w.data = t;
	ev_io_start(loop, &t->input_w);
	ev_signal_init(&t->winch_w, on_winch, SIGWINCH);
	t->winch_w.data = t;
	ev_signal_start(loop, &t->winch_w);
	ev_prepare_init(&t->render_w, on_prepare);
	t->render_w.data = t;
	/* Below the store's commit (EV_MAXPRI): draw what was just committed. */
	ev_set_priority(&t->render_w, 0);
	ev_prepare_start(loop, &t->render_w);
	ev_init(&t->frame_w, on_frame_timer);
	t->frame_w.data = t;
	ev_init(&t->tick_w, on_tick);
	t->tick_w.data = t;
	ev_init(&t->bulk_w, NULL);
	t->dirty = true;
	return t;
}

void tui_state_done(struct tui *t)
{
	if (t->loop) {
		tui_resend_shutdown(t);
		tui_export_stop(t);
	}
	dialog_close(t);
	tui_clear_marks(t);
	view_done(&t->view);
	tui_panes_done(t);
	filter_done(&t->search);
	for (size_t i = 0; i < sizeof t->history / sizeof t->history[0]; i++)
		prompt_history_free(&t->history[i]);
	keymap_free(t->km);
	t->km = NULL;
}

void tui_free(struct tui *t)
{
	if (!t)
		return;
	if (t->loop) {
		ev_io_stop(t->loop, &t->input_w);
		ev_signal_stop(t->loop, &t->winch_w);
		ev_prepare_stop(t->loop, &t->render_w);
		ev_timer_stop(t->loop, &t->frame_w);
		ev_timer_stop(t->loop, &t->tick_w);
	}
	term_stop(&t->term);
	if (t->frame_log)
		fclose(t->frame_log);
	tui_state_done(t);
	free(t);
}

void tui_restore_terminal(void)
{
	term_restore_emergency();
}

void tui_touch(struct tui *t)
{
	if (t)
		t->dirty = true;
}
