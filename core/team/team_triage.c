/* Team mode's operator actions: dismissals shared through the store (every
 * dashboard shows who dismissed what), and who resent a fax, from the
 * resend claims. The local triage (core/store/triage.h) stays what the
 * screens read; the shared store's rows are applied to it as they are
 * notified, and all of them on every (re)connection. See team.h. */
#include <config.h> /* autoconf's; "config.h" would find core/base/options.h */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/log.h"
#include "core/base/sanitize.h"
#include "core/base/xalloc.h"
#include "core/store/pg_store.h"
#include "core/store/triage.h"
#include "core/team/team_int.h"
#include "core/team/team_triage.h"

static void team_on_triage_put(void *ctx, const char *err)
{
	struct team *t = ctx;

	if (err && !t->closing)
		log_warn(t->opts.log, "team: a triage decision did not reach the shared store: %s",
			 err);
}

static int team_triage_put(struct team *t, const char *fax_id, const char *state, const char *note,
			   int64_t at_ms, char *err, size_t errlen)
{
	if (!t->ready) {
		snprintf(err, errlen,
			 "the shared store is unreachable (%s): the other desks would "
			 "not see it",
			 t->why);
		return -1;
	}
	if (pg_store_triage_put(t->pg, fax_id, state, note, at_ms, team_on_triage_put, t) != 0) {
		snprintf(err, errlen, "the shared store cannot take this decision");
		return -1;
	}
	return 0;
}

int team_dismiss(struct team *t, const char *fax_id, const char *note, int64_t at_ms, char *err,
		 size_t errlen)
{
	return team_triage_put(t, fax_id, "dismissed", note, at_ms, err, errlen);
}

int team_undismiss(struct team *t, const char *fax_id, int64_t at_ms, char *err, size_t errlen)
{
	return team_triage_put(t, fax_id, "none", NULL, at_ms, err, errlen);
}

/* The store's texts are another desk's: made safe before they are kept. */
static void team_on_triage_rows(void *ctx, const char *err, const struct pg_store_triage *rows,
				size_t n)
{
	struct team *t = ctx;
	char note[256], who[128];

	if (t->closing || err || !t->opts.triage)
		return;
	for (size_t i = 0; i < n; i++) {
		const char *had = NULL;
		bool dismissed = triage_is_dismissed(t->opts.triage, rows[i].fax_id, &had);

		if (strcmp(rows[i].state, "dismissed") != 0) {
			if (dismissed)
				triage_undismiss(t->opts.triage, t->opts.cache, rows[i].fax_id);
			continue;
		}
		sanitize_str(note, sizeof note, rows[i].note ? rows[i].note : "");
		sanitize_str(who, sizeof who, rows[i].who ? rows[i].who : "");
		triage_dismiss(t->opts.triage, t->opts.cache, rows[i].fax_id, note, who,
			       rows[i].at_ms);
	}
	if (n)
		team_changed(t);
}

/* One fax's claims asked for (a "claim:…" notice): none left means the
 * claim was given back, and that resend made nothing. */
struct claim_read {
	struct team *t;
	char *fax_id; /* NULL: every claim */
};

static void team_on_claim_rows(void *ctx, const char *err, const struct pg_store_claim_row *rows,
			       size_t n)
{
	struct claim_read *cr = ctx;
	struct team *t = cr->t;
	char who[128];

	if (!t->closing && !err && t->opts.triage) {
		for (size_t i = 0; i < n; i++) {
			sanitize_str(who, sizeof who, rows[i].who ? rows[i].who : "");
			triage_note_resend(t->opts.triage, rows[i].fax_id, who,
					   rows[i].since * 1000);
		}
		if (!n && cr->fax_id)
			triage_forget_resend(t->opts.triage, cr->fax_id);
		team_changed(t);
	}
	free(cr->fax_id);
	free(cr);
}

static void team_read_claims(struct team *t, const char *fax_id)
{
	struct claim_read *cr = xcalloc(1, sizeof *cr);

	cr->t = t;
	cr->fax_id = fax_id ? xstrdup(fax_id) : NULL;
	if (pg_store_claims_read(t->pg, fax_id, team_on_claim_rows, cr) != 0) {
		free(cr->fax_id);
		free(cr);
	}
}

void team_follow_decisions(struct team *t, const char *fax_id)
{
	if (!t->opts.triage)
		return;
	pg_store_triage_read(t->pg, fax_id, team_on_triage_rows, t);
	team_read_claims(t, fax_id);
}

void team_on_decision(struct team *t, const char *payload)
{
	const char *fax_id;

	if (strncmp(payload, "triage:", 7) == 0) {
		fax_id = payload + 7;
		if (*fax_id && t->opts.triage)
			pg_store_triage_read(t->pg, fax_id, team_on_triage_rows, t);
	} else if (strncmp(payload, "claim:", 6) == 0) {
		fax_id = payload + 6;
		if (*fax_id && t->opts.triage)
			team_read_claims(t, fax_id);
	}
}
