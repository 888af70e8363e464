/* struct pg_store and its operations' plumbing, shared by pg_store.c
 * (schema, events, leadership, claims) and pg_store_team.c (triage and
 * the claims' reads). Not for use outside core/store. */
#ifndef FAXTOP_CORE_PG_STORE_INT_H
#define FAXTOP_CORE_PG_STORE_INT_H

#include <ev.h>

#include "core/store/pg_ev.h"
#include "core/store/pg_store.h"

#define PG_STORE_FAX_ID_MAX 200 /* bytes, so a NOTIFY payload stays small */

struct pg_store {
	struct ev_loop *loop;
	struct pg_store_opts opts;
	char *conninfo;
	char who[PG_STORE_WHO_MAX + 1];
	char *migrate_sql;
	struct pg_ev *pg;
	bool ready;
	char err[256];
	/* leadership */
	struct pg_ev *lead;
	pg_store_lead_fn lead_fn;
	void *lead_ctx;
	ev_timer lead_w;
	bool leader, lead_busy, lead_known; /* known: told the caller it is a standby */
	double lead_retry, lead_after;      /* no try before lead_after (ev_now) */
	int64_t epoch;
};

/* One operation on its way: the caller's callback and what the answer is
 * read against. */
typedef void (*pg_op_fn)(void);

struct pg_op {
	struct pg_store *s;
	pg_op_fn fn; /* the caller's, of the operation's type */
	void *ctx;
	size_t n;
	char **ids;         /* insert: the batch's ids */
	char *fax_id, *key; /* claim */
	int tries;
};

struct pg_op *pg_op_new(struct pg_store *s, pg_op_fn fn, void *ctx);
void pg_op_free(struct pg_op *op);
/* err, or why a statement that ran cannot be trusted. */
const char *pg_op_err(const struct pg_op *op, const char *err);
/* Queues sql for op with cb; -1 (op freed) when it cannot be queued. */
int pg_op_send(struct pg_ev *pg, struct pg_op *op, const char *sql, int n,
	       const char *const *params, pg_ev_result_fn cb);
/* NULL, or valid UTF-8 (the server refuses anything else). */
bool pg_text_ok(const char *t);
bool pg_fax_id_ok(const char *fax_id);
/* A cell's text, NULL for SQL NULL. */
const char *pg_cell(const PGresult *res, int r, int c);
/* A read's rows: *n structs of size bytes each, made by fill from res's
 * rows (the texts are res's), to free(); NULL and *n 0 with *err set when
 * the read failed (err goes in as the answer's, and comes out as the one
 * to report). */
void *pg_rows(const struct pg_op *op, const PGresult *res, const char **err, size_t size,
	      void (*fill)(void *row, const PGresult *res, int r), size_t *n);

#endif
