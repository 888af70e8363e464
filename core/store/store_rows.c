/* Events, the balance, quarantined bodies, meta values and pruning: the
 * store's small tables, written into the open batch and read with kept
 * statements. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "core/base/xalloc.h"
#include "core/wire/event_parse.h"
#include "core/store/store_int.h"

/* ---- writes ---- */

int store_put_event(struct store *s, const struct event *ev, const char *raw, size_t raw_len,
		    enum event_source src, int64_t received_ms)
{
	sqlite3_stmt *st = s->st[ST_PUT_EVENT];
	char *made = NULL;
	int r;

	if (!ev || !ev->id || !ev->id[0]) {
		store_set_err(s, "event without an id");
		return -1;
	}
	if (!raw) {
		/* json-c's NULL here means the heap is gone */
		made = wire_event_to_json(ev);
		if (!made)
			xalloc_die();
		raw = made;
		raw_len = strlen(made);
	}
	if (raw_len > INT32_MAX) {
		free(made);
		store_set_err(s, "event %.64s: body too large", ev->id);
		return -1;
	}
	if (store_begin(s) < 0) {
		free(made);
		return -1;
	}
	if (bind_text(st, 1, ev->id) ||
	    bind_text(st, 2, ev->type_name ? ev->type_name : event_type_name(ev->type)) ||
	    sqlite3_bind_int64(st, 3, ev->created) || sqlite3_bind_int64(st, 4, received_ms) ||
	    bind_text(st, 5, event_source_name(src)) ||
	    bind_text(st, 6, ev->object == EVOBJ_FAX ? ev->fax.id : NULL) ||
	    sqlite3_bind_blob(st, 7, raw, (int)raw_len, SQLITE_STATIC))
		r = store_bind_fail(s, st, "store event");
	else if ((r = store_step_write(s, st, "store event")) == 0)
		r = sqlite3_changes(s->db) == 0; /* ignored: the key is stored */
	free(made);
	return r;
}

int store_put_balance(struct store *s, const struct balance_snapshot *b, int64_t at_ms)
{
	sqlite3_stmt *st = s->st[ST_PUT_BALANCE];

	if (!b) {
		store_set_err(s, "no balance");
		return -1;
	}
	if (store_begin(s) < 0)
		return -1;
	if (sqlite3_bind_int64(st, 1, at_ms) ||
	    (b->has_available ? sqlite3_bind_int64(st, 2, b->available)
			      : sqlite3_bind_null(st, 2)) ||
	    (b->has_held ? sqlite3_bind_int64(st, 3, b->held) : sqlite3_bind_null(st, 3)) ||
	    bind_text(st, 4, b->environment_id) || bind_text(st, 5, b->currency) ||
	    bind_text(st, 6, b->type) || sqlite3_bind_int(st, 7, b->auto_top_up_enabled) ||
	    (b->auto_top_up_threshold < 0 ? sqlite3_bind_null(st, 8)
					  : sqlite3_bind_int64(st, 8, b->auto_top_up_threshold)))
		return store_bind_fail(s, st, "store balance");
	if (store_step_write(s, st, "store balance") < 0)
		return -1;
	if (!b->has_available)
		return 0;
	/* The history keeps its newest balance_samples, as the model does. */
	st = s->st[ST_PUT_SAMPLE];
	if (sqlite3_bind_int64(st, 1, at_ms) || sqlite3_bind_int64(st, 2, b->available) ||
	    (b->has_held ? sqlite3_bind_int64(st, 3, b->held) : sqlite3_bind_null(st, 3)))
		return store_bind_fail(s, st, "store balance sample");
	if (store_step_write(s, st, "store balance sample") < 0)
		return -1;
	st = s->st[ST_PRUNE_SAMPLES];
	if (sqlite3_bind_int64(st, 1, (int64_t)s->balance_samples - 1))
		return store_bind_fail(s, st, "prune balance samples");
	return store_step_write(s, st, "prune balance samples");
}

int store_quarantine(struct store *s, const char *raw, size_t len, const char *reason,
		     int64_t received_ms)
{
	sqlite3_stmt *st = s->st[ST_QUARANTINE];

	if (len > INT32_MAX) {
		store_set_err(s, "quarantine: body too large");
		return -1;
	}
	if (store_begin(s) < 0)
		return -1;
	if (sqlite3_bind_int64(st, 1, received_ms) || bind_text(st, 2, reason ? reason : "") ||
	    sqlite3_bind_blob(st, 3, raw ? raw : "", raw ? (int)len : 0, SQLITE_STATIC))
		return store_bind_fail(s, st, "quarantine");
	return store_step_write(s, st, "quarantine");
}

int store_meta_set(struct store *s, const char *key, const char *value)
{
	sqlite3_stmt *st = s->st[ST_META_SET];

	if (!key || !value) {
		store_set_err(s, "meta: missing key or value");
		return -1;
	}
	if (store_begin(s) < 0)
		return -1;
	if (bind_text(st, 1, key) || bind_text(st, 2, value))
		return store_bind_fail(s, st, "meta set");
	return store_step_write(s, st, "meta set");
}

int store_prune(struct store *s, int64_t now_ms)
{
	int64_t cutoff;

	if (s->retention_days <= 0)
		return 0;
	cutoff = now_ms - (int64_t)s->retention_days * 86400000;
	if (store_begin(s) < 0)
		return -1;
	if (sqlite3_bind_int64(s->st[ST_PRUNE_EVENTS], 1, cutoff))
		return store_bind_fail(s, s->st[ST_PRUNE_EVENTS], "prune events");
	if (store_step_write(s, s->st[ST_PRUNE_EVENTS], "prune events") < 0)
		return -1;
	/* quarantined bodies age out with the events they failed to be */
	if (sqlite3_bind_int64(s->st[ST_PRUNE_QUARANTINE], 1, cutoff))
		return store_bind_fail(s, s->st[ST_PRUNE_QUARANTINE], "prune quarantine");
	return store_step_write(s, s->st[ST_PRUNE_QUARANTINE], "prune quarantine");
}

/* ---- reads ---- */

static int store_has_event_stmt(struct store *s, sqlite3_stmt *st, const char *event_id,
				int64_t created)
{
	int rc;

	if (!event_id)
		return 0;
	if (bind_text(st, 1, event_id) != SQLITE_OK ||
	    (st == s->st[ST_HAS_EVENT_AT] && sqlite3_bind_int64(st, 2, created) != SQLITE_OK)) {
		sqlite3_reset(st);
		return store_read_fail(s, "look up event");
	}
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		store_read_fail(s, "look up event");
		sqlite3_reset(st);
		return -1;
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW;
}

int store_has_event(struct store *s, const char *event_id)
{
	return store_has_event_stmt(s, s->st[ST_HAS_EVENT], event_id, 0);
}

int store_has_event_at(struct store *s, const char *event_id, int64_t created)
{
	return store_has_event_stmt(s, s->st[ST_HAS_EVENT_AT], event_id, created);
}

int store_meta_get(struct store *s, const char *key, char *buf, size_t len)
{
	sqlite3_stmt *st = s->st[ST_META_GET];
	int rc, r;

	if (store_bind_key(s, st, key, "meta get: bad key") < 0)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *v = col_text(st, 0);
		size_t n = v ? strlen(v) : 0;

		if (n >= len) {
			store_set_err(s, "meta %.64s: value longer than the %zu-byte buffer", key,
				      len);
			r = -1;
		} else {
			memcpy(buf, v ? v : "", n + 1);
			r = 0;
		}
	} else if (rc == SQLITE_DONE) {
		r = 1;
	} else {
		r = store_read_fail(s, "meta get");
	}
	sqlite3_reset(st);
	return r;
}

size_t store_event_count(struct store *s)
{
	sqlite3_stmt *st = s->st[ST_EVENT_COUNT];
	size_t n = 0;

	if (sqlite3_step(st) == SQLITE_ROW)
		n = (size_t)sqlite3_column_int64(st, 0);
	else
		store_read_fail(s, "count events");
	sqlite3_reset(st);
	return n;
}

int store_each_event_id(struct store *s, void (*fn)(void *ctx, const char *id), void *ctx)
{
	sqlite3_stmt *st = s->st[ST_EACH_EVENT];
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		fn(ctx, col_text(st, 0));
	return store_read_end(s, st, rc, "list events");
}

int store_get_balance(struct store *s, struct balance_snapshot *out, int64_t *at_ms)
{
	sqlite3_stmt *st = s->st[ST_GET_BALANCE];
	struct balance_snapshot lent;
	int rc, r;

	balance_snapshot_init(out);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		r = 1;
	} else if (rc != SQLITE_ROW) {
		r = store_read_fail(s, "get balance");
	} else {
		balance_snapshot_init(&lent);
		lent.has_available = sqlite3_column_type(st, 1) != SQLITE_NULL;
		lent.available = sqlite3_column_int64(st, 1);
		lent.has_held = sqlite3_column_type(st, 2) != SQLITE_NULL;
		lent.held = sqlite3_column_int64(st, 2);
		lent.environment_id = (char *)col_text(st, 3);
		lent.currency = (char *)col_text(st, 4);
		lent.type = (char *)col_text(st, 5);
		lent.auto_top_up_enabled = sqlite3_column_int(st, 6) != 0;
		lent.auto_top_up_threshold = sqlite3_column_type(st, 7) == SQLITE_NULL
			? -1
			: sqlite3_column_int64(st, 7);
		if (at_ms)
			*at_ms = sqlite3_column_int64(st, 0);
		balance_snapshot_copy(out, &lent);
		r = 0;
	}
	sqlite3_reset(st);
	return r;
}
