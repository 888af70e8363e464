/* The operators' side of the shared store: triage decisions (who dismissed
 * which failure, with its note) and the reads of resend claims, so that
 * every dashboard shows what another desk did. See pg_store.h. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/xalloc.h"
#include "core/store/pg_store_int.h"

static void on_triage_put(void *ctx, const PGresult *res, const char *err)
{
	struct pg_op *op = ctx;

	(void)res;
	((pg_store_done_fn)op->fn)(op->ctx, pg_op_err(op, err));
	pg_op_free(op);
}

int pg_store_triage_put(struct pg_store *s, const char *fax_id, const char *state, const char *note,
			int64_t at_ms, pg_store_done_fn fn, void *ctx)
{
	char at[24];
	const char *params[5] = { fax_id, state, note && *note ? note : NULL, at, s->who };

	if (!fn || !pg_fax_id_ok(fax_id) || !state || !pg_text_ok(state) || !pg_text_ok(note))
		return -1;
	snprintf(at, sizeof at, "%" PRId64, at_ms);
	return pg_op_send(s->pg, pg_op_new(s, (pg_op_fn)fn, ctx),
			  "WITH u AS (INSERT INTO triage (fax_id, state, note, at, who)"
			  " VALUES ($1::text, $2::text, $3::text, $4::bigint, $5::text)"
			  " ON CONFLICT (fax_id) DO UPDATE SET state = EXCLUDED.state,"
			  " note = EXCLUDED.note, at = EXCLUDED.at, who = EXCLUDED.who"
			  " RETURNING fax_id)"
			  " SELECT pg_notify('" PG_STORE_CHANNEL "', 'triage:' || fax_id) FROM u",
			  5, params, on_triage_put);
}

static void triage_fill(void *row, const PGresult *res, int r)
{
	struct pg_store_triage *t = row;

	t->fax_id = PQgetvalue(res, r, 0);
	t->state = PQgetvalue(res, r, 1);
	t->note = pg_cell(res, r, 2);
	t->at_ms = strtoll(PQgetvalue(res, r, 3), NULL, 10);
	t->who = PQgetvalue(res, r, 4);
}

static void on_triage_rows(void *ctx, const PGresult *res, const char *err)
{
	struct pg_op *op = ctx;
	size_t n;
	struct pg_store_triage *rows = pg_rows(op, res, &err, sizeof *rows, triage_fill, &n);

	((pg_store_triage_fn)op->fn)(op->ctx, err, rows, n);
	free(rows);
	pg_op_free(op);
}

int pg_store_triage_read(struct pg_store *s, const char *fax_id, pg_store_triage_fn fn, void *ctx)
{
	const char *params[1] = { fax_id };

	if (!fn || (fax_id && !pg_fax_id_ok(fax_id)))
		return -1;
	return pg_op_send(s->pg, pg_op_new(s, (pg_op_fn)fn, ctx),
			  "SELECT fax_id, state, note, at, who FROM triage"
			  " WHERE $1::text IS NULL OR fax_id = $1::text",
			  1, params, on_triage_rows);
}

static void claim_fill(void *row, const PGresult *res, int r)
{
	struct pg_store_claim_row *c = row;

	c->fax_id = PQgetvalue(res, r, 0);
	c->who = PQgetvalue(res, r, 1);
	c->since = strtoll(PQgetvalue(res, r, 2), NULL, 10);
	c->key = pg_cell(res, r, 3);
}

static void on_claim_rows(void *ctx, const PGresult *res, const char *err)
{
	struct pg_op *op = ctx;
	size_t n;
	struct pg_store_claim_row *rows = pg_rows(op, res, &err, sizeof *rows, claim_fill, &n);

	((pg_store_claims_fn)op->fn)(op->ctx, err, rows, n);
	free(rows);
	pg_op_free(op);
}

int pg_store_claims_read(struct pg_store *s, const char *fax_id, pg_store_claims_fn fn, void *ctx)
{
	const char *params[1] = { fax_id };

	if (!fn || (fax_id && !pg_fax_id_ok(fax_id)))
		return -1;
	return pg_op_send(s->pg, pg_op_new(s, (pg_op_fn)fn, ctx),
			  "SELECT fax_id, who, extract(epoch FROM claimed_at)::bigint, key"
			  " FROM resend_claims WHERE $1::text IS NULL OR fax_id = $1::text",
			  1, params, on_claim_rows);
}
