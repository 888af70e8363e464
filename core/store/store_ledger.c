/* Resends, the resend ledger (core/api/resend.h) and triage decisions: the
 * rows that record what a person decided. */
#include <config.h>

#include "core/store/store_int.h"

int store_put_resend(struct store *s, const struct store_resend *r)
{
	sqlite3_stmt *st = s->st[ST_PUT_RESEND];

	if (!r || !r->fax_id) {
		store_set_err(s, "resend without a fax id");
		return -1;
	}
	if (store_begin(s) < 0)
		return -1;
	if (sqlite3_bind_int64(st, 1, r->at_ms) || bind_text(st, 2, r->fax_id) ||
	    bind_text(st, 3, r->new_fax_id) || bind_text(st, 4, r->error) ||
	    bind_text(st, 5, r->idempotency_key) || bind_text(st, 6, r->request_id) ||
	    bind_text(st, 7, r->to) || sqlite3_bind_int(st, 8, r->max_attempts) ||
	    bind_text(st, 9, r->who))
		return store_bind_fail(s, st, "store resend");
	return store_step_write(s, st, "store resend");
}

/* ---- the resend ledger and triage decisions ---- */

int store_ledger_put(struct store *s, const struct store_ledger_row *r)
{
	sqlite3_stmt *st = s->st[ST_LEDGER_PUT];

	if (!r || !r->key || !r->fax_id || !r->state) {
		store_set_err(s, "ledger row without a key, fax id or state");
		return -1;
	}
	if (store_begin(s) < 0)
		return -1;
	if (bind_text(st, 1, r->key) || bind_text(st, 2, r->fax_id) || bind_text(st, 3, r->state) ||
	    bind_text(st, 4, r->to) || sqlite3_bind_int(st, 5, r->max_attempts) ||
	    sqlite3_bind_int64(st, 6, r->created_ms) || sqlite3_bind_int64(st, 7, r->updated_ms) ||
	    bind_text(st, 8, r->new_fax_id) || bind_text(st, 9, r->request_id) ||
	    bind_text(st, 10, r->error) || bind_text(st, 11, r->who))
		return store_bind_fail(s, st, "store ledger row");
	return store_step_write(s, st, "store ledger row");
}

/* Runs fn on every row st yields (strings lent for the call). The number
 * of rows, or -1. */
static int store_ledger_rows(struct store *s, sqlite3_stmt *st, store_ledger_fn fn, void *ctx)
{
	int rc, n = 0;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_ledger_row r = {
			.key = col_text(st, 0),
			.fax_id = col_text(st, 1),
			.state = col_text(st, 2),
			.to = col_text(st, 3),
			.max_attempts = sqlite3_column_int(st, 4),
			.created_ms = sqlite3_column_int64(st, 5),
			.updated_ms = sqlite3_column_int64(st, 6),
			.new_fax_id = col_text(st, 7),
			.request_id = col_text(st, 8),
			.error = col_text(st, 9),
			.who = col_text(st, 10),
		};

		n++;
		if (r.key && r.fax_id && r.state)
			fn(ctx, &r);
	}
	return store_read_end(s, st, rc, "read the resend ledger") < 0 ? -1 : n;
}

int store_ledger_newest(struct store *s, const char *fax_id, store_ledger_fn fn, void *ctx)
{
	sqlite3_stmt *st = s->st[ST_LEDGER_NEWEST];
	int n;

	if (store_bind_key(s, st, fax_id, "ledger: bad fax id") < 0)
		return -1;
	n = store_ledger_rows(s, st, fn, ctx);
	return n < 0 ? -1 : n == 0;
}

int store_ledger_each_pending(struct store *s, store_ledger_fn fn, void *ctx)
{
	return store_ledger_rows(s, s->st[ST_LEDGER_PENDING], fn, ctx) < 0 ? -1 : 0;
}

int store_triage_put(struct store *s, const char *fax_id, const char *state, const char *note,
		     const char *who, int64_t at_ms)
{
	sqlite3_stmt *st = s->st[ST_TRIAGE_PUT];

	if (!fax_id || !state) {
		store_set_err(s, "triage without a fax id or state");
		return -1;
	}
	if (store_begin(s) < 0)
		return -1;
	if (bind_text(st, 1, fax_id) || bind_text(st, 2, state) || bind_text(st, 3, note) ||
	    sqlite3_bind_int64(st, 4, at_ms) || bind_text(st, 5, who))
		return store_bind_fail(s, st, "store triage");
	return store_step_write(s, st, "store triage");
}

int store_triage_del(struct store *s, const char *fax_id)
{
	sqlite3_stmt *st = s->st[ST_TRIAGE_DEL];

	if (store_begin(s) < 0)
		return -1;
	if (bind_text(st, 1, fax_id))
		return store_bind_fail(s, st, "delete triage");
	return store_step_write(s, st, "delete triage");
}

int store_triage_each(struct store *s, store_triage_fn fn, void *ctx)
{
	sqlite3_stmt *st = s->st[ST_TRIAGE_EACH];
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (col_text(st, 0) && col_text(st, 1))
			fn(ctx, col_text(st, 0), col_text(st, 1), col_text(st, 2), col_text(st, 4),
			   sqlite3_column_int64(st, 3));
	return store_read_end(s, st, rc, "read triage");
}
