/* Triage in the TUI (core/store/triage.h): the state in a failed row's status
 * cell, the header's unresolved count, dismiss (with an optional note) and
 * undo, and the jump to the next unresolved failure. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/model/model.h"
#include "core/store/triage.h"
#include "tui/session.h"
#include "tui/state.h"
#include "tui/triage.h"

/* "D", or "the undismiss action" when no key is bound to it. */
static const char *undo_key(struct tui *t, char *buf, size_t len)
{
	if (!keymap_keys_for(t->km, ACT_UNDISMISS, buf, len))
		snprintf(buf, len, "undismiss");
	return buf;
}

/* Above this many faxes the header's count is taken at most once a second. */
#define TUI_TRIAGE_COUNT_EVERY 200000

void tui_triage_cell(struct tui *t, const struct model_fax *mf, const char *word, char *buf,
		     size_t len)
{
	const char *bang = mf->anomalies ? "!" : "";
	struct triage_info ti;
	char when[16] = "";

	triage_of(t->act.triage, t->m, mf, &ti);
	if (ti.state == TRIAGE_NONE || strcmp(word, fax_status_name(FAX_FAILED)) != 0) {
		snprintf(buf, len, "%s%s", word, bang);
		return;
	}
	if (ti.last && ti.last != mf && ti.state != TRIAGE_RESENDING &&
	    ti.state != TRIAGE_DISMISSED) {
		/* The newest resend's own status and time: "→✔ 16:15". */
		int64_t at = ti.last->fax.completed_at != TS_NONE ? ti.last->fax.completed_at
								  : ti.last->fax.created_at;
		time_t s = (time_t)(at / 1000);
		struct tm tm;
		enum fax_status st = ti.last->fax.status < FAX_STATUS_COUNT ? ti.last->fax.status
									    : FAX_STATUS_NONE;

		if (at != TS_NONE && localtime_r(&s, &tm))
			strftime(when, sizeof when, " %H:%M", &tm);
		snprintf(buf, len, "%s%s%s%s", t->term.utf8 ? "→" : ">", t->term.g->status[st],
			 when, bang);
		return;
	}
	switch (ti.state) {
	case TRIAGE_RESENDING:
		snprintf(buf, len, "resending%s", bang);
		break;
	case TRIAGE_DISMISSED:
		snprintf(buf, len, "dismissed%s", bang);
		break;
	default:
		/* "?": unresolved, nothing done about it yet */
		snprintf(buf, len, "%s%s ?", word, bang);
		break;
	}
}

size_t tui_triage_unresolved(struct tui *t)
{
	struct tui_triage_count *c = &t->unresolved;
	uint64_t g = model_generation(t->m), tg = triage_generation(t->act.triage);
	int64_t now = tui_now_ms(t);

	if (c->valid && g == c->gen && tg == c->tgen)
		return c->n;
	if (c->valid && model_count(t->m) > TUI_TRIAGE_COUNT_EVERY && now - c->at_ms < 1000) {
		tui_need_tick(t, 1000 - (now - c->at_ms));
		return c->n;
	}
	c->n = triage_count(t->act.triage, t->m, TRIAGE_UNRESOLVED);
	c->gen = g;
	c->tgen = tg;
	c->at_ms = now;
	c->valid = true;
	return c->n;
}

/* The case the selected row belongs to: dismissals are kept on its
 * original. NULL with a flash when it is no failure. */
static const struct model_fax *case_of(struct tui *t, struct triage_info *ti)
{
	const struct model_fax *mf = tui_selected(t);

	triage_of(t->act.triage, t->m, mf, ti);
	if (!mf || ti->state == TRIAGE_NONE || !ti->orig || !ti->orig->fax.id) {
		tui_flash(t, true, "only failed faxes are triaged: select a failed fax");
		return NULL;
	}
	return ti->orig;
}

void tui_triage_dismiss(struct tui *t)
{
	struct triage_info ti;
	const struct model_fax *orig = case_of(t, &ti);
	char k[64];

	if (!orig)
		return;
	if (ti.state == TRIAGE_DISMISSED) {
		tui_flash(t, true, "%s is dismissed already%s%s (%s undoes it)", orig->fax.id,
			  ti.note ? ": " : "", ti.note ? ti.note : "", undo_key(t, k, sizeof k));
		return;
	}
	snprintf(t->triage_id, sizeof t->triage_id, "%s", orig->fax.id);
	t->prompt_kind = PROMPT_DISMISS;
	prompt_set(&t->prompt, "");
	t->prompt_orig[0] = '\0';
}

void tui_triage_dismiss_done(struct tui *t, const char *note)
{
	char err[256], k[64];

	if (t->act.dismiss(t->act.ctx, t->triage_id, note, err, sizeof err) < 0) {
		tui_flash(t, true, "%s not dismissed: %s", t->triage_id, err);
		return;
	}
	tui_flash(t, false, "%s dismissed%s%s (%s undoes it)", t->triage_id, *note ? ": " : "",
		  note, undo_key(t, k, sizeof k));
}

void tui_triage_undismiss(struct tui *t)
{
	struct triage_info ti;
	const struct model_fax *orig = case_of(t, &ti);
	char err[256];

	if (!orig)
		return;
	if (!triage_is_dismissed(t->act.triage, orig->fax.id, NULL)) {
		tui_flash(t, true, "%s is not dismissed", orig->fax.id);
		return;
	}
	if (t->act.undismiss(t->act.ctx, orig->fax.id, err, sizeof err) < 0)
		tui_flash(t, true, "%s: undo failed: %s", orig->fax.id, err);
	else
		tui_flash(t, false, "%s is no longer dismissed", orig->fax.id);
}

void tui_triage_next(struct tui *t)
{
	size_t n = view_count(&t->view);
	struct triage_info ti;

	for (size_t k = 1; k <= n; k++) {
		size_t i = (t->sel + k) % n;

		triage_of(t->act.triage, t->m, view_at(&t->view, i), &ti);
		if (ti.state == TRIAGE_UNRESOLVED && ti.head) {
			tui_select(t, i);
			return;
		}
	}
	tui_flash(t, false, "no unresolved failure in the list");
}
