/* Keys to actions to state, without a terminal: a struct tui assembled
 * around a real model, a real loop and recording app callbacks. Drawing is
 * never involved (actions never draw), so the dialogs' rules are checked
 * exactly: read-only, the terminal-code second confirmation, destination
 * validation, in-flight tracking, the quit question, marks and bulk, and a
 * resend answer that arrives after the TUI is gone. */
#include "config.h"

#include <curses.h>
#include <ev.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/clock.h"
#include "core/model/event.h"
#include "core/model/model.h"
#include "tests/unit/unit.h"
#include "tui/command.h"
#include "tui/input.h"
#include "tui/panes/pane.h"
#include "tui/resend.h"
#include "tui/session.h"
#include "tui/state.h"

struct rec {
	int resends, quits, refreshes;
	char to[64];
	bool to_null;
	int max;
	bool again;
	resend_done_fn done;
	void *done_ctx;
};

static int rec_resend(void *ctx, const struct resend_req *q, resend_done_fn done, void *done_ctx,
		      char *err, size_t errlen)
{
	struct rec *r = ctx;

	(void)err;
	(void)errlen;
	r->resends++;
	r->to_null = q->to == NULL;
	snprintf(r->to, sizeof r->to, "%s", q->to ? q->to : "");
	r->max = q->max_attempts;
	r->again = q->again;
	r->done = done;
	r->done_ctx = done_ctx;
	return 0;
}

static void rec_quit(void *ctx)
{
	((struct rec *)ctx)->quits++;
}

static void rec_refresh(void *ctx, const char *id)
{
	(void)id;
	((struct rec *)ctx)->refreshes++;
}

static void add(struct model *m, const char *id, enum fax_status st, const char *code, int64_t at)
{
	struct fax f;

	fax_init(&f);
	f.id = strdup(id);
	f.to = strdup("+12125550100");
	f.status = st;
	f.error_code = code ? strdup(code) : NULL;
	f.created_at = at;
	f.max_attempts = 3;
	f.pages = 2;
	model_apply_fax(m, &f, SRC_API, at);
	fax_done(&f);
}

struct harness {
	struct tui t;
	struct model *m;
	struct rec rec;
};

/* Newest first: fax_c (delivered), fax_b (failed, invalid_number: terminal),
 * fax_a (failed, busy: retryable). */
static void setup(struct harness *h, bool read_only)
{
	char err[256];

	memset(h, 0, sizeof *h);
	h->m = model_new(NULL);
	add(h->m, "fax_a", FAX_FAILED, "busy", 1000);
	add(h->m, "fax_b", FAX_FAILED, "invalid_number", 2000);
	add(h->m, "fax_c", FAX_DELIVERED, NULL, 3000);
	h->t.loop = ev_loop_new(EVFLAG_AUTO);
	h->t.m = h->m;
	h->t.read_only = read_only;
	h->t.act = (struct tui_actions){
		.ctx = &h->rec, .resend = rec_resend, .quit = rec_quit, .refresh = rec_refresh
	};
	tui_panes_init(&h->t);
	h->t.km = keymap_new();
	keymap_load_defaults(h->t.km, err, sizeof err);
	view_init(&h->t.view, h->m);
	filter_init(&h->t.search);
	view_update(&h->t.view);
}

static void teardown(struct harness *h)
{
	tui_state_done(&h->t);
	ev_loop_destroy(h->t.loop);
	model_free(h->m);
}

static void type(struct tui *t, const char *s)
{
	for (; *s; s++)
		tui_key(t, (unsigned char)*s);
}

static void select_row(struct harness *h, size_t row)
{
	view_update(&h->t.view);
	h->t.sel = row;
	snprintf(h->t.sel_id, sizeof h->t.sel_id, "%s", view_at(&h->t.view, row)->fax.id);
}

static void test_resend_retryable(void)
{
	struct harness h;

	setup(&h, false);
	select_row(&h, 0); /* fax_c: delivered */
	tui_key(&h.t, 'r');
	CU_ASSERT_EQUAL(h.t.dlg.kind, DLG_NONE);
	CU_ASSERT_PTR_NOT_NULL(strstr(h.t.flash, "only failed faxes"));
	select_row(&h, 2); /* fax_a: busy */
	tui_key(&h.t, 'r');
	CU_ASSERT_EQUAL_FATAL(h.t.dlg.kind, DLG_RESEND);
	CU_ASSERT_FALSE(h.t.dlg.terminal);
	CU_ASSERT_NOT_EQUAL(h.t.dlg.focus, 0); /* not the destination */
	CU_ASSERT_STRING_EQUAL(h.t.dlg.to.buf, "+12125550100");
	tui_key(&h.t, TUI_KEY_ENTER);
	CU_ASSERT_EQUAL(h.rec.resends, 1);
	CU_ASSERT(h.rec.to_null); /* unchanged destination: "same" */
	CU_ASSERT_EQUAL(h.rec.max, 3);
	CU_ASSERT_FALSE(h.rec.again); /* nothing was resent before */
	CU_ASSERT_EQUAL(h.t.dlg.kind, DLG_NONE);
	CU_ASSERT(tui_is_inflight(&h.t, "fax_a"));
	/* A second r on the same fax while in flight is refused. */
	tui_key(&h.t, 'r');
	CU_ASSERT_EQUAL(h.t.dlg.kind, DLG_NONE);
	CU_ASSERT_PTR_NOT_NULL(strstr(h.t.flash, "already being resent"));
	/* The answer: flash with the new id, no longer in flight. */
	h.rec.done(h.rec.done_ctx,
		   &(struct resend_result){ .ok = true, .new_fax_id = "fax_n", .settled = true });
	CU_ASSERT_FALSE(tui_is_inflight(&h.t, "fax_a"));
	CU_ASSERT_PTR_NOT_NULL(strstr(h.t.flash, "fax_a resent as fax_n"));
	CU_ASSERT_FALSE(h.t.flash_error);
	teardown(&h);
}

static void test_resend_terminal_code(void)
{
	struct harness h;

	setup(&h, false);
	select_row(&h, 1); /* fax_b: invalid_number */
	tui_key(&h.t, 'r');
	CU_ASSERT_EQUAL_FATAL(h.t.dlg.kind, DLG_RESEND);
	CU_ASSERT(h.t.dlg.terminal);
	CU_ASSERT_EQUAL(h.t.dlg.focus, 0); /* the destination first */
	tui_key(&h.t, TUI_KEY_ENTER);
	CU_ASSERT(h.t.dlg.confirm_same); /* same number: asks again */
	CU_ASSERT_EQUAL(h.rec.resends, 0);
	tui_key(&h.t, TUI_KEY_ESC); /* back to editing, dialog kept */
	CU_ASSERT_EQUAL(h.t.dlg.kind, DLG_RESEND);
	CU_ASSERT_FALSE(h.t.dlg.confirm_same);
	tui_key(&h.t, 21); /* C-u */
	type(&h.t, "12345");
	tui_key(&h.t, TUI_KEY_ENTER);
	CU_ASSERT_PTR_NOT_NULL(strstr(h.t.dlg.error, "E.164"));
	CU_ASSERT_EQUAL(h.rec.resends, 0);
	tui_key(&h.t, 21);
	type(&h.t, "+14155550100");
	tui_key(&h.t, '\t'); /* to max attempts: digits only */
	tui_key(&h.t, TUI_KEY_FN(KEY_BACKSPACE));
	type(&h.t, "x9");
	CU_ASSERT_STRING_EQUAL(h.t.dlg.max_attempts.buf, "9");
	tui_key(&h.t, TUI_KEY_ENTER);
	CU_ASSERT_PTR_NOT_NULL(strstr(h.t.dlg.error, "1 to 5"));
	tui_key(&h.t, TUI_KEY_FN(KEY_BACKSPACE));
	type(&h.t, "5");
	tui_key(&h.t, TUI_KEY_ENTER);
	CU_ASSERT_EQUAL(h.rec.resends, 1);
	CU_ASSERT_FALSE(h.rec.to_null);
	CU_ASSERT_STRING_EQUAL(h.rec.to, "+14155550100");
	CU_ASSERT_EQUAL(h.rec.max, 5);
	/* The API refuses: its error and next step in an error flash. */
	h.rec.done(h.rec.done_ctx,
		   &(struct resend_result){ .ok = false,
					    .settled = true,
					    .error = "insufficient_balance",
					    .message = "top up",
					    .action = "top_up_balance",
					    .request_id = "req_1" });
	CU_ASSERT(h.t.flash_error);
	CU_ASSERT_PTR_NOT_NULL(strstr(h.t.flash, "insufficient_balance"));
	CU_ASSERT_PTR_NOT_NULL(strstr(h.t.flash, "top_up_balance"));
	CU_ASSERT_PTR_NOT_NULL(strstr(h.t.flash, "req_1"));
	teardown(&h);
}

static void test_read_only(void)
{
	struct harness h;

	setup(&h, true);
	select_row(&h, 2);
	tui_key(&h.t, 'r');
	CU_ASSERT_EQUAL(h.t.dlg.kind, DLG_NONE);
	CU_ASSERT_PTR_NOT_NULL(strstr(h.t.flash, "read-only"));
	tui_key(&h.t, 'R');
	CU_ASSERT_EQUAL(h.t.dlg.kind, DLG_NONE);
	CU_ASSERT_EQUAL(h.rec.resends, 0);
	CU_ASSERT_PTR_NOT_NULL(tui_action_unavailable(&h.t, ACT_RESEND));
	CU_ASSERT_PTR_NULL(tui_action_unavailable(&h.t, ACT_OPEN));
	/* Without a resend callback the reason is different. */
	h.t.read_only = false;
	h.t.act.resend = NULL;
	CU_ASSERT_PTR_NOT_NULL(strstr(tui_action_unavailable(&h.t, ACT_RESEND), "no API"));
	teardown(&h);
}

static void test_quit_asks_when_in_flight(void)
{
	struct harness h;
	resend_done_fn done;
	void *ctx;

	setup(&h, false);
	select_row(&h, 2);
	tui_key(&h.t, 'r');
	tui_key(&h.t, TUI_KEY_ENTER);
	CU_ASSERT_EQUAL(h.rec.resends, 1);
	tui_key(&h.t, 'q');
	CU_ASSERT_EQUAL(h.t.dlg.kind, DLG_QUIT);
	CU_ASSERT_EQUAL(h.rec.quits, 0);
	tui_key(&h.t, 'n');
	CU_ASSERT_EQUAL(h.t.dlg.kind, DLG_NONE);
	tui_key(&h.t, 'q');
	tui_key(&h.t, 'y');
	CU_ASSERT_EQUAL(h.rec.quits, 1);
	done = h.rec.done;
	ctx = h.rec.done_ctx;
	teardown(&h);
	/* The app still answers exactly once, after the TUI is gone. */
	done(ctx, &(struct resend_result){ .ok = false, .error = "cancelled" });
	/* Nothing in flight: q quits at once. */
	setup(&h, false);
	tui_key(&h.t, 'q');
	CU_ASSERT_EQUAL(h.t.dlg.kind, DLG_NONE);
	CU_ASSERT_EQUAL(h.rec.quits, 1);
	teardown(&h);
}

static void test_late_answer_after_teardown(void)
{
	struct harness h;
	resend_done_fn done;
	void *ctx;

	setup(&h, false);
	select_row(&h, 2);
	tui_key(&h.t, 'r');
	tui_key(&h.t, TUI_KEY_ENTER);
	done = h.rec.done;
	ctx = h.rec.done_ctx;
	CU_ASSERT_EQUAL(tui_n_inflight(&h.t), 1);
	tui_resend_shutdown(&h.t);
	/* Detached: the TUI forgets it, the record stays for the answer. */
	CU_ASSERT_EQUAL(tui_n_inflight(&h.t), 0);
	CU_ASSERT_PTR_NULL(h.t.inflight);
	CU_ASSERT_FALSE(tui_is_inflight(&h.t, "fax_a"));
	CU_ASSERT_PTR_NOT_NULL(ctx);
	CU_ASSERT_PTR_NULL(((struct tui_inflight *)ctx)->t);
	h.t.flash[0] = '\0';
	teardown(&h);
	/* The app answers after the TUI is gone: the record frees itself and
	 * touches nothing else (the sanitizer build checks the memory side). */
	done(ctx, &(struct resend_result){ .ok = true, .new_fax_id = "fax_late" });
}

/* Team mode: another operator's resend holds the fax. The flash gives the
 * reason as it came, and the fax can be resent again (a new key). */
static void test_resend_claimed(void)
{
	struct harness h;

	setup(&h, false);
	select_row(&h, 2); /* fax_a */
	tui_key(&h.t, 'r');
	tui_key(&h.t, TUI_KEY_ENTER);
	CU_ASSERT_EQUAL_FATAL(h.rec.resends, 1);
	h.rec.done(h.rec.done_ctx,
		   &(struct resend_result){ .ok = false,
					    .settled = true,
					    .error = "claimed",
					    .message = "being resent by ops@desk2 since 16:15",
					    .action = "",
					    .request_id = "" });
	CU_ASSERT(h.t.flash_error);
	CU_ASSERT_STRING_EQUAL(
		h.t.flash,
		"resend of fax_a refused, nothing was sent: being resent by ops@desk2 since 16:15");
	CU_ASSERT_FALSE(tui_is_inflight(&h.t, "fax_a"));
	tui_key(&h.t, 'r');
	CU_ASSERT_EQUAL(h.t.dlg.kind, DLG_RESEND);
	teardown(&h);
}

static void test_filter_prompt_and_open(void)
{
	struct harness h;

	setup(&h, false);
	tui_key(&h.t, '/');
	CU_ASSERT_EQUAL(h.t.prompt_kind, PROMPT_FILTER);
	type(&h.t, "status:failed");
	tui_key(&h.t, TUI_KEY_ENTER);
	CU_ASSERT_EQUAL(h.t.prompt_kind, PROMPT_NONE);
	view_update(&h.t.view);
	CU_ASSERT_EQUAL(view_count(&h.t.view), 2);
	tui_key(&h.t, '/');
	tui_key(&h.t, 21);
	type(&h.t, "bogus:1");
	tui_key(&h.t, TUI_KEY_ENTER);
	CU_ASSERT(h.t.flash_error);
	CU_ASSERT_STRING_EQUAL(h.t.view.filter.expr, "status:failed");
	/* Filter as you type; Esc puts the previous filter back. */
	tui_key(&h.t, '/');
	tui_key(&h.t, 21);
	type(&h.t, "code:busy");
	CU_ASSERT_STRING_EQUAL(h.t.view.filter.expr, "code:busy");
	view_update(&h.t.view);
	CU_ASSERT_EQUAL(view_count(&h.t.view), 1);
	tui_key(&h.t, TUI_KEY_ESC);
	CU_ASSERT_EQUAL(h.t.prompt_kind, PROMPT_NONE);
	CU_ASSERT_STRING_EQUAL(h.t.view.filter.expr, "status:failed");
	/* Esc on the main screen clears the filter. */
	tui_key(&h.t, TUI_KEY_ESC);
	view_update(&h.t.view);
	CU_ASSERT_EQUAL(view_count(&h.t.view), 3);
	/* Enter opens the selected fax and asks for a refresh; Esc comes back. */
	select_row(&h, 1);
	tui_key(&h.t, TUI_KEY_ENTER);
	CU_ASSERT_EQUAL(h.t.screen, SCREEN_DETAIL);
	CU_ASSERT_STRING_EQUAL(h.t.detail_id, "fax_b");
	CU_ASSERT_EQUAL(h.rec.refreshes, 1);
	tui_key(&h.t, 'J');
	CU_ASSERT(detail_showing_raw(&h.t));
	/* Esc goes back one level: raw JSON to the detail, then to the list. */
	tui_key(&h.t, TUI_KEY_ESC);
	CU_ASSERT_EQUAL(h.t.screen, SCREEN_DETAIL);
	CU_ASSERT_FALSE(detail_showing_raw(&h.t));
	tui_key(&h.t, TUI_KEY_ESC);
	CU_ASSERT_EQUAL(h.t.screen, SCREEN_MAIN);
	/* : commands */
	tui_key(&h.t, ':');
	type(&h.t, "sort status reverse");
	tui_key(&h.t, TUI_KEY_ENTER);
	CU_ASSERT_EQUAL(h.t.view.sort, SORT_STATUS);
	CU_ASSERT(h.t.view.reverse);
	/* :export writes the view in the background, then says so. */
	{
		char cmd[600], path[512], line[256];
		FILE *f;

		snprintf(path, sizeof path, "%s/view.csv", unit_tmpdir());
		snprintf(cmd, sizeof cmd, "export csv %s", path);
		tui_key(&h.t, ':');
		type(&h.t, cmd);
		tui_key(&h.t, TUI_KEY_ENTER);
		CU_ASSERT_PTR_NOT_NULL(h.t.export);
		tui_key(&h.t, ':');
		type(&h.t, cmd);
		tui_key(&h.t, TUI_KEY_ENTER);
		CU_ASSERT_PTR_NOT_NULL(strstr(h.t.flash, "still running"));
		for (int i = 0; i < 10 && h.t.export; i++)
			ev_run(h.t.loop, EVRUN_NOWAIT);
		CU_ASSERT_PTR_NULL(h.t.export);
		CU_ASSERT_PTR_NOT_NULL(strstr(h.t.flash, "exported 3 faxes"));
		f = fopen(path, "r");
		CU_ASSERT_PTR_NOT_NULL_FATAL(f);
		CU_ASSERT_PTR_NOT_NULL(fgets(line, sizeof line, f));
		CU_ASSERT_EQUAL(strncmp(line, "id,created_at,updated_at,completed_at,status", 44),
				0);
		CU_ASSERT_PTR_NOT_NULL(fgets(line, sizeof line, f));
		CU_ASSERT_EQUAL(strncmp(line, "fax_b,", 6), 0); /* failed first, newest first */
		fclose(f);
		tui_key(&h.t, ':');
		type(&h.t, "export xml /tmp/x");
		tui_key(&h.t, TUI_KEY_ENTER);
		CU_ASSERT_PTR_NOT_NULL(strstr(h.t.flash, "usage: export"));
		tui_key(&h.t, ':');
		type(&h.t, "export csv /nonexistent-dir/x.csv");
		tui_key(&h.t, TUI_KEY_ENTER);
		CU_ASSERT(h.t.flash_error);
		CU_ASSERT_PTR_NULL(h.t.export);
	}
	tui_key(&h.t, ':');
	type(&h.t, "frobnicate");
	tui_key(&h.t, TUI_KEY_ENTER);
	CU_ASSERT_PTR_NOT_NULL(strstr(h.t.flash, "unknown command"));
	teardown(&h);
}

static void test_marks_and_bulk(void)
{
	struct harness h;

	setup(&h, false);
	select_row(&h, 0);
	tui_key(&h.t, ' '); /* marks fax_c, moves to fax_b */
	CU_ASSERT(tui_is_marked(&h.t, "fax_c"));
	CU_ASSERT_EQUAL(h.t.sel, 1);
	tui_key(&h.t, ' ');
	CU_ASSERT(tui_is_marked(&h.t, "fax_b"));
	CU_ASSERT_EQUAL(h.t.n_marks, 2);
	tui_key(&h.t, 'R');
	CU_ASSERT_EQUAL_FATAL(h.t.dlg.kind, DLG_BULK);
	CU_ASSERT_EQUAL_FATAL(h.t.dlg.n_items, 1); /* only the failed one of the marks */
	CU_ASSERT_TRUE(h.t.dlg.items[0].terminal);
	CU_ASSERT_EQUAL(h.t.dlg.items[0].pages, 2);
	tui_key(&h.t, 't'); /* skip the terminal code: nothing left */
	tui_key(&h.t, TUI_KEY_ENTER);
	CU_ASSERT_EQUAL(h.t.dlg.kind, DLG_BULK);
	CU_ASSERT_PTR_NOT_NULL(strstr(h.t.flash, "nothing to resend"));
	CU_ASSERT_FALSE(h.t.bulk.running);
	tui_key(&h.t, TUI_KEY_ESC);
	tui_key(&h.t, 'u');
	CU_ASSERT_EQUAL(h.t.n_marks, 0);
	tui_key(&h.t, 'R'); /* no marks: every failed fax in view */
	CU_ASSERT_EQUAL(h.t.dlg.n_items, 2);
	tui_key(&h.t, TUI_KEY_ENTER);
	CU_ASSERT(h.t.bulk.running);
	CU_ASSERT_EQUAL(h.rec.resends, 1); /* the first goes at once, the rest paced */
	h.rec.done(h.rec.done_ctx, &(struct resend_result){ .ok = true, .new_fax_id = "fax_x" });
	ev_run(h.t.loop, EVRUN_ONCE); /* the next pacing tick */
	CU_ASSERT_EQUAL(h.rec.resends, 2);
	h.rec.done(h.rec.done_ctx, &(struct resend_result){ .ok = false, .error = "e" });
	CU_ASSERT_FALSE(h.t.bulk.running);
	CU_ASSERT_PTR_NOT_NULL(strstr(h.t.flash, "1 resent, 1 failed"));
	/* Pause and cancel say so when no bulk runs. */
	tui_key(&h.t, 'b');
	CU_ASSERT_PTR_NOT_NULL(strstr(h.t.flash, "no bulk resend is running"));
	teardown(&h);
}

/* The command table: a command names the action it wants instead of running
 * it, and Tab, the "unknown command" message and help all come from the
 * one list (every command there completes, failures included). */
static void test_command_table(void)
{
	struct harness h;
	char usages[512];

	setup(&h, false);
	CU_ASSERT_EQUAL(tui_command(&h.t, "q"), ACT_QUIT);
	CU_ASSERT_EQUAL(tui_command(&h.t, "quit"), ACT_QUIT);
	CU_ASSERT_EQUAL(tui_command(&h.t, "help"), ACT_HELP);
	CU_ASSERT_EQUAL(tui_command(&h.t, "failures"), ACT_FAILURES);
	CU_ASSERT_EQUAL(h.t.screen, SCREEN_MAIN); /* named, not run */
	CU_ASSERT_EQUAL(h.rec.quits, 0);
	CU_ASSERT_EQUAL(tui_command(&h.t, "theme!"), ACT_NONE);
	CU_ASSERT_PTR_NOT_NULL(strstr(h.t.flash, "unknown command 'theme!'"));
	tui_cmd_usages(" | ", usages, sizeof usages);
	for (size_t i = 0; i < tui_cmd_count(); i++) {
		const struct tui_cmd *c = tui_cmd_at(i);
		char typed[32];

		if (!c->usage)
			continue;
		CU_ASSERT_PTR_NOT_NULL(strstr(usages, c->usage));
		CU_ASSERT_PTR_NOT_NULL(strstr(h.t.flash, c->name));
		/* two letters tell the names apart; Tab does the rest */
		snprintf(typed, sizeof typed, "%.2s", c->name);
		tui_key(&h.t, ':');
		type(&h.t, typed);
		tui_key(&h.t, '\t');
		CU_ASSERT_EQUAL(strncmp(h.t.prompt.buf, c->name, strlen(c->name)), 0);
		tui_key(&h.t, TUI_KEY_ESC);
	}
	/* through the prompt, the named action runs */
	tui_key(&h.t, ':');
	type(&h.t, "help");
	tui_key(&h.t, TUI_KEY_ENTER);
	CU_ASSERT_EQUAL(h.t.screen, SCREEN_HELP);
	teardown(&h);
}

/* The session's clock is the one it was given: a flash lasts TUI_FLASH_MS
 * of that clock, not of the system's. */
static void test_injected_clock(void)
{
	struct harness h;
	struct clock_manual c;

	setup(&h, false);
	clock_manual_init(&c, 1000);
	h.t.act.clock = &c.clock;
	CU_ASSERT_EQUAL(tui_now_ms(&h.t), 1000);
	tui_flash(&h.t, false, "hello");
	CU_ASSERT_EQUAL(h.t.flash_until, 1000 + TUI_FLASH_MS);
	clock_manual_advance(&c, 250);
	CU_ASSERT_EQUAL(tui_now_ms(&h.t), 1250);
	teardown(&h);
}

/* A dialog is a mode with its own keys: rebinding one there leaves the
 * list's meaning of the key alone (and is no conflict), and a dialog key
 * unbound from its mode no longer acts. */
static void test_dialog_keys_rebind(void)
{
	struct harness h;
	char err[256];

	setup(&h, false);
	CU_ASSERT_EQUAL(keymap_bind(h.t.km, "x", "quit.no", "test", err, sizeof err), 0);
	CU_ASSERT_EQUAL(keymap_bind(h.t.km, "y", "resend.cancel", "test", err, sizeof err), 0);
	CU_ASSERT_EQUAL(keymap_bind(h.t.km, "n", "resend.prev-field", "test", err, sizeof err), 0);
	CU_ASSERT_EQUAL(keymap_message_count(h.t.km), 0);
	CU_ASSERT_EQUAL(keymap_lookup(h.t.km, 'y'), ACT_COPY_ID); /* the list's y */
	CU_ASSERT_EQUAL(keymap_lookup_mode(h.t.km, MODE_QUIT, 'y'), ACT_QUIT_YES);
	select_row(&h, 2);
	tui_key(&h.t, 'r');
	CU_ASSERT_EQUAL_FATAL(h.t.dlg.kind, DLG_RESEND);
	tui_key(&h.t, 'y'); /* resend.cancel now */
	CU_ASSERT_EQUAL(h.t.dlg.kind, DLG_NONE);
	CU_ASSERT_PTR_NOT_NULL(strstr(h.t.flash, "resend cancelled"));
	tui_key(&h.t, 'r');
	tui_key(&h.t, TUI_KEY_ENTER);
	CU_ASSERT_EQUAL(h.rec.resends, 1);
	tui_key(&h.t, 'q');
	CU_ASSERT_EQUAL_FATAL(h.t.dlg.kind, DLG_QUIT);
	tui_key(&h.t, 'x');
	CU_ASSERT_EQUAL(h.t.dlg.kind, DLG_NONE);
	CU_ASSERT_EQUAL(h.rec.quits, 0);
	h.rec.done(h.rec.done_ctx, &(struct resend_result){ .ok = false, .error = "e" });
	teardown(&h);
}

static const struct unit_test tests[] = {
	{ "resend a retryable failure", test_resend_retryable },
	{ "terminal code: destination first, second confirmation", test_resend_terminal_code },
	{ "read-only removes resends and says why", test_read_only },
	{ "quit asks only while resends are in flight", test_quit_asks_when_in_flight },
	{ "a resend answer after teardown is safe", test_late_answer_after_teardown },
	{ "a resend claimed by another operator flashes the reason", test_resend_claimed },
	{ "filter prompt, open, commands", test_filter_prompt_and_open },
	{ "marks and bulk resend", test_marks_and_bulk },
	{ ": commands come from one table and return their action", test_command_table },
	{ "the session reads the clock it was given", test_injected_clock },
	{ "dialog keys are a mode of their own, rebindable", test_dialog_keys_rebind },
	{ NULL, NULL },
};

UNIT_SUITE(tui_actions, NULL, NULL, tests);
