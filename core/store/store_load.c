/* Rebuilding the model from the store at start-up: the balance and its
 * history, the newest events, then the faxes in chunks, newest first (read
 * here, or on the reader thread of store_loader.c). */
#include <config.h>

#include "core/model/model.h"
#include "core/store/store_faxcols.h"
#include "core/store/store_int.h"

/* Up to `max` faxes below s->load_before, newest first (by rowid: the order
 * they were first stored, close to creation order, which the model's index
 * takes at O(1) either way), read in the loop. Each chunk is a whole
 * statement, so nothing is held open between chunks. 1 while more remain, 0
 * when done, -1 on error. */
static int store_load_chunk(struct store *s, struct model *m, size_t max)
{
	sqlite3_stmt *st = s->st[ST_LOAD_FAXES];
	struct store_scratch sc = { 0 };
	struct model_fax mf;
	size_t rows = 0;
	char why[160];
	int rc, r;

	if (sqlite3_bind_int64(st, 1, s->load_before) || sqlite3_bind_int64(st, 2, (int64_t)max)) {
		sqlite3_reset(st);
		return store_read_fail(s, "load faxes");
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		bool ok = store_fax_decode(st, &sc, &mf, why, sizeof why) == 0;

		rows++;
		s->load_before = sqlite3_column_int64(st, FAX_COLUMN_COUNT);
		store_load_row(s, m, ok ? &mf : NULL, col_text(st, FAXCOL_id), why);
	}
	r = store_read_end(s, st, rc, "load faxes");
	if (r == 0 && rows == max)
		r = 1;
	store_scratch_done(&sc);
	return r;
}

/* In the loop, or what the reader thread has read (store_loader.c). */
int store_load_step(struct store *s, struct model *m, size_t max)
{
	int r;

	if (max == 0 || max > INT32_MAX)
		max = INT32_MAX;
	r = s->loader ? store_loader_step(s, m, max) : store_load_chunk(s, m, max);
	/* a store that grew while it was read ends at 100% */
	if (r == 0 && s->load_done > s->load_total)
		s->load_total = s->load_done;
	return r;
}

/* The kept history first, oldest first; then the newest reading, which is
 * also the newest sample (one instant: it replaces it). */
static int store_load_balance(struct store *s, struct model *m)
{
	sqlite3_stmt *st = s->st[ST_LOAD_SAMPLES];
	struct balance_snapshot b;
	int64_t at;
	int r, rc;

	if (sqlite3_bind_int64(st, 1, (int64_t)s->balance_samples) != SQLITE_OK) {
		sqlite3_reset(st);
		return store_read_fail(s, "load balance samples");
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct model_balance_sample sm = { sqlite3_column_int64(st, 0),
						   sqlite3_column_int64(st, 1),
						   sqlite3_column_int64(st, 2) };

		model_restore_balance_sample(m, &sm);
	}
	if (store_read_end(s, st, rc, "load balance samples") < 0)
		return -1;
	r = store_get_balance(s, &b, &at);
	if (r == 0)
		model_apply_balance(m, &b, SRC_REPLAY, at);
	balance_snapshot_done(&b);
	return r < 0 ? -1 : 0;
}

static int store_load_recent(struct store *s, struct model *m)
{
	sqlite3_stmt *st = s->st[ST_RECENT_EVENTS];
	int rc;

	if (!s->recent_events)
		return 0;
	if (sqlite3_bind_int64(
		    st, 1, s->recent_events > INT64_MAX ? INT64_MAX : (int64_t)s->recent_events) !=
	    SQLITE_OK) {
		sqlite3_reset(st);
		return store_read_fail(s, "load recent events");
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *id = col_text(st, 0);
		const char *src = col_text(st, 3);

		if (!id)
			continue;
		model_mark_seen(m, id);
		model_log(m, sqlite3_column_int64(st, 2), id, col_text(st, 1), col_text(st, 4),
			  event_source_from_name(src ? src : ""), APPLY_OK, "from the store");
	}
	return store_read_end(s, st, rc, "load recent events");
}

size_t store_load_damaged(const struct store *s)
{
	return s->load_damaged;
}

int store_load_begin(struct store *s, struct model *m, int64_t now_ms)
{
	sqlite3_stmt *st = s->st[ST_FAX_COUNT];
	int rc;

	s->load_before = INT64_MAX;
	s->load_now = now_ms;
	s->load_done = 0;
	rc = sqlite3_step(st);
	s->load_total = rc == SQLITE_ROW ? (size_t)sqlite3_column_int64(st, 0) : 0;
	if (rc != SQLITE_ROW) {
		store_read_fail(s, "count faxes");
		sqlite3_reset(st);
		return -1;
	}
	sqlite3_reset(st);
	if (store_load_balance(s, m) < 0 || store_load_recent(s, m) < 0)
		return -1;
	return 0;
}

void store_load_progress(const struct store *s, size_t *done, size_t *total)
{
	*done = s->load_done;
	*total = s->load_total;
}

int store_load(struct store *s, struct model *m, int64_t now_ms)
{
	int r = store_load_begin(s, m, now_ms);

	while (r == 0 && (r = store_load_step(s, m, 0)) == 1)
		r = 0;
	return r;
}
