/* Dialogs: resend one fax, resend in bulk, quit while resends are in
 * flight. A dialog takes every key until it closes. */
#include "config.h"

#include <ctype.h>
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/errors.h"
#include "core/base/xalloc.h"
#include "core/api/resend.h"
#include "core/store/triage.h"
#include "tui/panes/pane.h"
#include "tui/render.h"
#include "tui/resend.h"
#include "tui/session.h"
#include "tui/state.h"
#include "tui/widgets/format.h"

enum { FOCUS_TO, FOCUS_MAX, FOCUS_BUTTON, FOCUS_COUNT };

void dialog_close(struct tui *t)
{
	for (size_t i = 0; i < t->dlg.n_items; i++)
		free(t->dlg.items[i].id);
	free(t->dlg.items);
	memset(&t->dlg, 0, sizeof t->dlg);
	t->dirty = true;
}

void dialog_open_resend(struct tui *t, const char *fax_id)
{
	const struct model_fax *mf = fax_id ? model_get(t->m, fax_id) : NULL;
	const char *why = tui_action_unavailable(t, ACT_RESEND);
	struct tui_dialog *d = &t->dlg;
	char num[16];

	if (why) {
		tui_flash(t, true, "resend unavailable: %s", why);
		return;
	}
	if (!mf) {
		tui_flash(t, true, "no fax selected");
		return;
	}
	if (mf->fax.status != FAX_FAILED) {
		tui_flash(t, true, "only failed faxes can be resent (%s is %s)", fax_id,
			  fax_status_name(mf->fax.status));
		return;
	}
	if (tui_is_inflight(t, fax_id)) {
		tui_flash(t, true, "%s is already being resent", fax_id);
		return;
	}
	dialog_close(t);
	d->kind = DLG_RESEND;
	snprintf(d->fax_id, sizeof d->fax_id, "%s", fax_id);
	snprintf(d->code, sizeof d->code, "%s", mf->fax.error_code ? mf->fax.error_code : "");
	d->terminal = mf->fax.error_code && errors_fax_code_terminal(mf->fax.error_code);
	snprintf(d->orig_to, sizeof d->orig_to, "%s", mf->fax.to ? mf->fax.to : "");
	prompt_set(&d->to, d->orig_to);
	snprintf(num, sizeof num, "%d", mf->fax.max_attempts > 0 ? mf->fax.max_attempts : 3);
	prompt_set(&d->max_attempts, num);
	/* A terminal code means the number itself is the problem: start there. */
	d->focus = d->terminal ? FOCUS_TO : FOCUS_BUTTON;
	d->pages = mf->fax.pages > 0 ? mf->fax.pages : 1;
	if (t->act.prior && t->act.prior(t->act.ctx, fax_id, &d->prior) < 0) {
		dialog_close(t);
		tui_flash(t, true, "resend unavailable: the resend ledger cannot be read");
		return;
	}
	if (d->prior.kind == RESEND_PRIOR_PENDING) {
		/* The earlier request is retried as it was: the same key with
		 * another body is refused by the API. */
		if (d->prior.to[0])
			prompt_set(&d->to, d->prior.to);
		if (d->prior.max_attempts > 0) {
			snprintf(num, sizeof num, "%d", d->prior.max_attempts);
			prompt_set(&d->max_attempts, num);
		}
		d->focus = FOCUS_BUTTON;
	}
}

/* One candidate; in-flight cases are only counted (never sent twice). */
static void bulk_add(struct tui *t, const struct model_fax *mf, size_t *cap)
{
	struct tui_dialog *d = &t->dlg;
	struct tui_bulk_item *it;
	struct triage_info ti;

	triage_of(t->act.triage, t->m, mf, &ti);
	if (ti.state == TRIAGE_RESENDING || tui_is_inflight(t, mf->fax.id)) {
		d->n_inflight++;
		return;
	}
	d->items = xgrow(d->items, cap, d->n_items + 1, sizeof *d->items);
	it = &d->items[d->n_items++];
	memset(it, 0, sizeof *it);
	it->id = xstrdup(mf->fax.id);
	/* Resent already: a resend exists (delivered, on its way or failed). */
	it->resent = ti.head && ti.last;
	it->dismissed = ti.state == TRIAGE_DISMISSED;
	it->terminal = mf->fax.error_code && errors_fax_code_terminal(mf->fax.error_code);
	it->pages = mf->fax.pages > 0 ? mf->fax.pages : 1;
}

/* Whether an item goes out with the operator's current choices. */
static bool bulk_chosen(const struct tui_dialog *d, const struct tui_bulk_item *it)
{
	if ((it->resent || it->dismissed) && !d->include_done)
		return false;
	return !(it->terminal && d->skip_terminal);
}

struct bulk_counts {
	size_t chosen, resent, dismissed, terminal;
	int64_t cost;
};

static void bulk_count(const struct tui_dialog *d, struct bulk_counts *c)
{
	memset(c, 0, sizeof *c);
	for (size_t i = 0; i < d->n_items; i++) {
		const struct tui_bulk_item *it = &d->items[i];

		c->resent += it->resent;
		c->dismissed += it->dismissed && !it->resent;
		if (!bulk_chosen(d, it))
			continue;
		c->chosen++;
		c->terminal += it->terminal;
		c->cost += (int64_t)it->pages * TUI_EST_CENTS_PER_PAGE;
	}
}

void dialog_open_bulk(struct tui *t)
{
	const char *why = tui_action_unavailable(t, ACT_RESEND_BULK);
	size_t n = view_count(&t->view), cap = 0;

	if (why) {
		tui_flash(t, true, "bulk resend unavailable: %s", why);
		return;
	}
	if (t->bulk.running) {
		tui_flash(t, true, "a bulk resend is already running");
		return;
	}
	dialog_close(t);
	for (size_t i = 0; i < n; i++) {
		const struct model_fax *mf = view_at(&t->view, i);

		if (mf->fax.status != FAX_FAILED || !mf->fax.id)
			continue;
		if (t->n_marks && !tui_is_marked(t, mf->fax.id))
			continue;
		bulk_add(t, mf, &cap);
	}
	if (t->dlg.n_items == 0) {
		tui_flash(t, true, "no failed fax to resend among the %s%s",
			  t->n_marks ? "marked faxes" : "faxes in the current filter",
			  t->dlg.n_inflight ? " (the others are being resent)" : "");
		dialog_close(t);
		return;
	}
	t->dlg.kind = DLG_BULK;
}

void dialog_open_quit(struct tui *t)
{
	dialog_close(t);
	t->dlg.kind = DLG_QUIT;
}

static void resend_confirm(struct tui *t)
{
	struct tui_dialog *d = &t->dlg;
	char err[256], id[64];
	const char *to = d->to.buf;
	char *end;
	long max = 0;
	bool same = strcmp(to, d->orig_to) == 0;
	bool pending = d->prior.kind == RESEND_PRIOR_PENDING;

	if (!resend_valid_e164(to)) {
		snprintf(d->error, sizeof d->error,
			 "destination must be E.164: + then 2 to 15 "
			 "digits, not starting with 0, e.g. +14155550100");
		d->focus = FOCUS_TO;
		return;
	}
	if (d->max_attempts.len) {
		max = strtol(d->max_attempts.buf, &end, 10);
		if (*end || max < 1 || max > 5) {
			snprintf(d->error, sizeof d->error, "max attempts must be 1 to 5");
			d->focus = FOCUS_MAX;
			return;
		}
	}
	if (d->terminal && same && !d->confirm_same && !pending) {
		d->confirm_same = true;
		d->error[0] = '\0';
		return;
	}
	if (d->prior.kind == RESEND_PRIOR_SENT && !d->confirm_again) {
		d->confirm_again = true;
		d->error[0] = '\0';
		return;
	}
	snprintf(id, sizeof id, "%s", d->fax_id);
	struct resend_req req = {
		.fax_id = id,
		.to = same ? NULL : to,
		.max_attempts = (int)max,
		.again = d->confirm_again,
	};
	if (tui_resend_start(t, &req, false, err, sizeof err) < 0) {
		snprintf(d->error, sizeof d->error, "%s", err);
		d->confirm_same = d->confirm_again = false;
		return;
	}
	dialog_close(t);
	tui_flash(t, false, "resending %s...", id);
}

static void resend_next_field(struct tui *t)
{
	t->dlg.focus = (t->dlg.focus + 1) % FOCUS_COUNT;
}

static void resend_prev_field(struct tui *t)
{
	t->dlg.focus = (t->dlg.focus + FOCUS_COUNT - 1) % FOCUS_COUNT;
}

static void resend_cancel(struct tui *t)
{
	struct tui_dialog *d = &t->dlg;

	if (d->confirm_same || d->confirm_again) {
		/* Back to editing rather than losing the dialog. */
		d->confirm_same = d->confirm_again = false;
		d->focus = FOCUS_TO;
		return;
	}
	dialog_close(t);
	tui_flash(t, false, "resend cancelled");
}

/* The keys the resend dialog's mode does not bind edit the focused field. */
static void resend_type(struct tui *t, int key)
{
	struct tui_dialog *d = &t->dlg;
	struct prompt *p = d->focus == FOCUS_TO ? &d->to
		: d->focus == FOCUS_MAX         ? &d->max_attempts
						: NULL;

	if (!p)
		return;
	if (p == &d->max_attempts && key >= 0x20 && key < TUI_KEY_FN_BASE && !isdigit(key))
		return;
	if (prompt_key(p, key) == PROMPT_CONTINUE) {
		d->confirm_same = d->confirm_again = false;
		d->error[0] = '\0';
	}
}

static void bulk_confirm(struct tui *t)
{
	struct tui_dialog *d = &t->dlg;
	struct bulk_counts c;
	char **ids;
	bool *again;
	size_t n = 0;

	bulk_count(d, &c);
	if (!c.chosen) {
		tui_flash(t, true,
			  "nothing to resend with these choices (i includes the ones "
			  "resent or dismissed already)");
		return;
	}
	ids = calloc(c.chosen, sizeof *ids);
	again = calloc(c.chosen, sizeof *again);
	if (!ids || !again) {
		free(ids);
		free(again);
		tui_flash(t, true, "bulk resend: out of memory");
		return;
	}
	for (size_t i = 0; i < d->n_items; i++) {
		struct tui_bulk_item *it = &d->items[i];

		if (!bulk_chosen(d, it))
			continue;
		again[n] = it->resent; /* included on purpose: another fax */
		ids[n++] = it->id;
		it->id = NULL;
	}
	dialog_close(t);
	tui_bulk_start(t, ids, again, n);
}

static void bulk_close(struct tui *t)
{
	dialog_close(t);
	tui_flash(t, false, "bulk resend cancelled");
}

static void bulk_include_done(struct tui *t)
{
	t->dlg.include_done = !t->dlg.include_done;
}

static void bulk_skip_terminal(struct tui *t)
{
	t->dlg.skip_terminal = !t->dlg.skip_terminal;
}

/* With a bulk run half done the operator says what becomes of the rest;
 * with none, the question is only whether to quit. */
static void quit_no(struct tui *t)
{
	dialog_close(t);
}

static void quit_yes(struct tui *t)
{
	if (tui_bulk_remaining(t))
		return;
	dialog_close(t);
	tui_request_quit(t);
}

static void quit_send_rest(struct tui *t)
{
	size_t left = tui_bulk_remaining(t);

	if (!left)
		return;
	dialog_close(t);
	t->bulk.quit_after = true;
	t->bulk.paused = false;
	tui_flash(t, false, "quitting once the remaining %zu are sent", left);
}

static void quit_drop_rest(struct tui *t)
{
	if (!tui_bulk_remaining(t))
		return;
	dialog_close(t);
	tui_bulk_cancel(t);
	if (!t->quitting) /* answers still on the way are not waited for */
		tui_request_quit(t);
}

/* Each dialog is a mode: its keys come from the keymap (rebindable with
 * `bind`), and this table says what its actions do. */
static void (*const dialog_handlers[ACT_ALL_COUNT])(struct tui *t) = {
	[ACT_RESEND_CONFIRM] = resend_confirm,
	[ACT_RESEND_NEXT_FIELD] = resend_next_field,
	[ACT_RESEND_PREV_FIELD] = resend_prev_field,
	[ACT_RESEND_CANCEL] = resend_cancel,
	[ACT_BULK_START] = bulk_confirm,
	[ACT_BULK_CLOSE] = bulk_close,
	[ACT_BULK_INCLUDE_DONE] = bulk_include_done,
	[ACT_BULK_SKIP_TERMINAL] = bulk_skip_terminal,
	[ACT_QUIT_YES] = quit_yes,
	[ACT_QUIT_NO] = quit_no,
	[ACT_QUIT_SEND_REST] = quit_send_rest,
	[ACT_QUIT_DROP_REST] = quit_drop_rest,
};

static const enum tui_mode dialog_modes[] = {
	[DLG_NONE] = MODE_MAIN,
	[DLG_RESEND] = MODE_RESEND,
	[DLG_BULK] = MODE_BULK,
	[DLG_QUIT] = MODE_QUIT,
};

void dialog_key(struct tui *t, int key)
{
	enum tui_dialog_kind kind = t->dlg.kind;
	enum tui_action a;

	t->dirty = true;
	if (kind == DLG_NONE)
		return;
	a = keymap_lookup_mode(t->km, dialog_modes[kind], key);
	if (a != ACT_NONE && dialog_handlers[a])
		dialog_handlers[a](t);
	else if (kind == DLG_RESEND)
		resend_type(t, key);
}

/* "Enter/y": the keys bound to a dialog's action, for its last line. */
static const char *keys_of(const struct tui *t, enum tui_action a, char *buf, size_t len)
{
	char *c;

	if (!keymap_keys_for(t->km, a, buf, len))
		snprintf(buf, len, "(unbound)");
	while ((c = strstr(buf, ", "))) {
		*c = '/';
		memmove(c + 1, c + 2, strlen(c + 2) + 1);
	}
	return buf;
}

static struct rect dialog_rect(struct tui *t, int h)
{
	int w = t->term.cols - 4 < 78 ? t->term.cols - 4 : 78;

	if (h > t->term.rows - 2)
		h = t->term.rows - 2;
	return (struct rect){ (t->term.rows - h) / 2, (t->term.cols - w) / 2, h, w };
}

/* Blanks the dialog's area and confines drawing to it: a dialog taller
 * than a small window is cut, never spilled over the panes. */
static void clear_rect(struct tui *t, const struct rect *r)
{
	render_set_clip(t, r);
	for (int y = 0; y < r->h; y++)
		render_fill(t, r->y + y, r->x, r->w, ROLE_DIALOG);
}

static void draw_field(struct tui *t, int y, int x, int w, const char *label,
		       const struct prompt *p, bool focused)
{
	int lw = render_textf(t, y, x, w, ROLE_DIALOG, "%-14s", label);
	int fw = w - lw;

	render_fill(t, y, x + lw, fw, focused ? ROLE_DIALOG_FOCUS : ROLE_DIALOG_FIELD);
	render_text(t, y, x + lw, fw, focused ? ROLE_DIALOG_FOCUS : ROLE_DIALOG_FIELD, p->buf);
}

/* Names what already happened: the earlier resend, or the key to come. */
static int draw_prior(struct tui *t, int y, const struct rect *in)
{
	const struct resend_prior *p = &t->dlg.prior;
	const struct model_fax *rf;
	char when[32];

	resend_fmt_time(p->at_ms, when, sizeof when);
	if (p->kind == RESEND_PRIOR_PENDING) {
		render_textf(t, y++, in->x, in->w, ROLE_ALERT,
			     "an earlier resend (asked %s) has "
			     "no known outcome: Enter retries it, same key, no second fax",
			     when);
		render_textf(t, y++, in->x, in->w, ROLE_DIALOG, "idempotency key: %s (reused)",
			     p->key);
	} else if (p->kind == RESEND_PRIOR_SENT) {
		rf = p->new_fax_id[0] ? model_get(t->m, p->new_fax_id) : NULL;
		render_textf(t, y++, in->x, in->w, ROLE_ALERT,
			     "already resent as %s on %s, "
			     "now %s",
			     p->new_fax_id[0] ? p->new_fax_id : "a fax", when,
			     rf ? fax_status_name(rf->fax.status) : "status unknown");
		render_text(t, y++, in->x, in->w, ROLE_DIALOG,
			    "idempotency key: a new one, for another fax");
	} else {
		render_text(t, y++, in->x, in->w, ROLE_DIALOG,
			    "idempotency key: minted and stored before sending");
		y++;
	}
	return y;
}

static void draw_resend(struct tui *t)
{
	struct tui_dialog *d = &t->dlg;
	const struct fax_code_info *info = errors_fax_code(d->code);
	const struct model_balance *b = model_balance(t->m);
	struct rect r = dialog_rect(t, 17), in;
	char cost[32], avail[32], price[32], title[96], k1[32], k2[32], k3[32];
	int64_t est = (int64_t)d->pages * TUI_EST_CENTS_PER_PAGE;
	int y;

	clear_rect(t, &r);
	snprintf(title, sizeof title, "resend %s", d->fax_id);
	in = render_box(t, &r, title, ROLE_BORDER_FOCUS);
	render_set_clip(t, &in);
	in.x++;
	in.w -= 2;
	y = in.y;
	render_textf(t, y++, in.x, in.w, d->terminal ? ROLE_CODE_TERMINAL : ROLE_CODE_RETRYABLE,
		     "error %s (%s)", d->code[0] ? d->code : "none", errors_class_name(info->cls));
	render_textf(t, y++, in.x, in.w, ROLE_DIALOG, "meaning: %s", info->meaning);
	render_textf(t, y++, in.x, in.w, ROLE_DIALOG, "suggested: %s", info->action);
	y++;
	draw_field(t, y++, in.x, in.w, "destination", &d->to, d->focus == FOCUS_TO);
	draw_field(t, y++, in.x, 20, "max attempts", &d->max_attempts, d->focus == FOCUS_MAX);
	y++;
	fmt_cents(est, b && b->known ? b->currency : NULL, cost, sizeof cost);
	fmt_cents(TUI_EST_CENTS_PER_PAGE, b && b->known ? b->currency : NULL, price, sizeof price);
	if (b && b->known) {
		fmt_cents(b->available, b->currency, avail, sizeof avail);
		render_textf(t, y++, in.x, in.w, est > b->available ? ROLE_ALERT : ROLE_DIALOG,
			     "estimated cost %s (%d page%s) of %s available%s", cost, d->pages,
			     d->pages == 1 ? "" : "s", avail,
			     est > b->available ? ": NOT ENOUGH" : "");
	} else {
		render_textf(t, y++, in.x, in.w, ROLE_DIALOG,
			     "estimated cost %s (%d page%s); "
			     "balance unknown",
			     cost, d->pages, d->pages == 1 ? "" : "s");
	}
	render_textf(t, y++, in.x, in.w, ROLE_DIM,
		     "(assumes %s per page: mintfax publishes no "
		     "price; a hold is placed, failed faxes are not charged)",
		     price);
	y = draw_prior(t, y, &in);
	if (d->confirm_again) {
		render_text(t, y++, in.x, in.w, ROLE_ALERT,
			    "Enter again to send ANOTHER fax (a new key), Esc to go back.");
	} else if (d->confirm_same) {
		render_textf(t, y++, in.x, in.w, ROLE_ALERT,
			     "%s is terminal: the same number will most likely fail again.",
			     d->code);
		render_text(t, y++, in.x, in.w, ROLE_ALERT,
			    "Enter again to resend to the SAME number, Esc to edit it.");
	} else if (d->error[0]) {
		render_text(t, y++, in.x, in.w, ROLE_ERROR, d->error);
	}
	render_textf(t, in.y + in.h - 1, in.x, in.w,
		     d->focus == FOCUS_BUTTON ? ROLE_DIALOG_FOCUS : ROLE_KEY,
		     "[ %s: resend ]   %s: next field   %s: cancel",
		     keys_of(t, ACT_RESEND_CONFIRM, k1, sizeof k1),
		     keys_of(t, ACT_RESEND_NEXT_FIELD, k2, sizeof k2),
		     keys_of(t, ACT_RESEND_CANCEL, k3, sizeof k3));
}

static void draw_bulk(struct tui *t)
{
	struct tui_dialog *d = &t->dlg;
	const struct model_balance *b = model_balance(t->m);
	struct rect r = dialog_rect(t, 14), in;
	char cost[32], avail[32], k1[32], k2[32];
	struct bulk_counts c;
	int y;

	bulk_count(d, &c);
	clear_rect(t, &r);
	in = render_box(t, &r, "bulk resend", ROLE_BORDER_FOCUS);
	render_set_clip(t, &in);
	in.x++;
	in.w -= 2;
	y = in.y;
	fmt_cents(c.cost, b && b->known ? b->currency : NULL, cost, sizeof cost);
	render_textf(t, y++, in.x, in.w, ROLE_DIALOG, "Resend %zu failed fax%s (%s)?", c.chosen,
		     c.chosen == 1 ? "" : "es", t->n_marks ? "marked" : "in the current filter");
	if (b && b->known) {
		fmt_cents(b->available, b->currency, avail, sizeof avail);
		render_textf(t, y++, in.x, in.w, c.cost > b->available ? ROLE_ALERT : ROLE_DIALOG,
			     "estimated cost %s of %s available", cost, avail);
	} else {
		render_textf(t, y++, in.x, in.w, ROLE_DIALOG, "estimated cost %s", cost);
	}
	render_textf(t, y++, in.x, in.w, ROLE_DIM, "(assumes %d cents per page)",
		     TUI_EST_CENTS_PER_PAGE);
	if (c.resent || c.dismissed)
		render_textf(t, y++, in.x, in.w, d->include_done ? ROLE_ALERT : ROLE_DIALOG,
			     "%zu resent already, %zu dismissed: %s (%s: %s)", c.resent,
			     c.dismissed,
			     d->include_done ? "INCLUDED, another fax each" : "skipped",
			     keys_of(t, ACT_BULK_INCLUDE_DONE, k1, sizeof k1),
			     d->include_done ? "skip them" : "include them");
	if (d->n_inflight)
		render_textf(t, y++, in.x, in.w, ROLE_DIALOG, "%zu being resent now: skipped",
			     d->n_inflight);
	if (d->skip_terminal)
		render_textf(t, y++, in.x, in.w, ROLE_DIALOG,
			     "terminal codes to the same number: "
			     "skipped (%s: include them)",
			     keys_of(t, ACT_BULK_SKIP_TERMINAL, k1, sizeof k1));
	else if (c.terminal)
		render_textf(t, y++, in.x, in.w, ROLE_ALERT,
			     "%zu of them failed with a terminal "
			     "code and go to the same number (%s: skip them)",
			     c.terminal, keys_of(t, ACT_BULK_SKIP_TERMINAL, k1, sizeof k1));
	render_textf(t, y++, in.x, in.w, ROLE_DIALOG,
		     "Sent %d at a time, one every %.1fs; "
		     "progress in the header; %s pauses, %s cancels.",
		     TUI_BULK_PARALLEL, TUI_BULK_INTERVAL,
		     keys_of(t, ACT_BULK_PAUSE, k1, sizeof k1),
		     keys_of(t, ACT_BULK_CANCEL, k2, sizeof k2));
	render_textf(t, in.y + in.h - 1, in.x, in.w, ROLE_KEY, "%s: start   %s: cancel",
		     keys_of(t, ACT_BULK_START, k1, sizeof k1),
		     keys_of(t, ACT_BULK_CLOSE, k2, sizeof k2));
}

static void draw_quit(struct tui *t)
{
	struct rect r = dialog_rect(t, 7), in;
	size_t left = tui_bulk_remaining(t), n = tui_n_inflight(t);
	char k1[32], k2[32], k3[32];

	clear_rect(t, &r);
	in = render_box(t, &r, "quit?", ROLE_BORDER_FOCUS);
	render_set_clip(t, &in);
	render_textf(t, in.y, in.x + 1, in.w - 2, ROLE_DIALOG,
		     "%zu resend%s on the way; their results will not be shown.", n,
		     n == 1 ? " is" : "s are");
	if (left) {
		render_textf(t, in.y + 1, in.x + 1, in.w - 2, ROLE_ALERT,
			     "The bulk resend has %zu fax%s not sent yet.", left,
			     left == 1 ? "" : "es");
		render_textf(t, in.y + in.h - 1, in.x + 1, in.w - 2, ROLE_KEY,
			     "%s: send the remaining %zu, then quit   %s: drop them and quit   "
			     "%s: stay",
			     keys_of(t, ACT_QUIT_SEND_REST, k1, sizeof k1), left,
			     keys_of(t, ACT_QUIT_DROP_REST, k2, sizeof k2),
			     keys_of(t, ACT_QUIT_NO, k3, sizeof k3));
	} else {
		render_textf(t, in.y + in.h - 1, in.x + 1, in.w - 2, ROLE_KEY,
			     "%s: quit anyway   %s: stay", keys_of(t, ACT_QUIT_YES, k1, sizeof k1),
			     keys_of(t, ACT_QUIT_NO, k2, sizeof k2));
	}
}

void dialog_draw(struct tui *t)
{
	switch (t->dlg.kind) {
	case DLG_RESEND:
		draw_resend(t);
		break;
	case DLG_BULK:
		draw_bulk(t);
		break;
	case DLG_QUIT:
		draw_quit(t);
		break;
	case DLG_NONE:
		break;
	}
}
