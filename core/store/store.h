/* The durable store (SQLite, WAL). Writes go into one open transaction that
 * is committed once per loop iteration, before the loop sleeps (an
 * ev_prepare watcher started by store_attach). Callers register "once
 * committed" callbacks; the webhook listener acknowledges only from these.
 *
 * Every write reports failure to its caller; nothing is silently dropped. */
#ifndef FAXTOP_CORE_STORE_H
#define FAXTOP_CORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/model/event.h"

struct ev_loop;
struct model;
struct model_fax;
struct store;

struct store_opts {
	const char *path;       /* database file; its directory is created */
	int retention_days;     /* events older than this are pruned (0: keep) */
	size_t recent_events;   /* events replayed into the model's log on load */
	size_t balance_samples; /* balance history kept (0: MODEL_BALANCE_SAMPLES) */
	/* synchronous=NORMAL instead of FULL: a commit no longer waits for
	 * fsync, so an acknowledged event survives a crash of faxtop but not
	 * of the machine (power loss may undo the newest batches). Off by
	 * default: acknowledged means durable. */
	bool relaxed_sync;
	/* A fixed bound on the WAL in pages instead of the one above (tests). */
	int wal_max_pages;
	/* How long a write waits for another process's lock, in ms (0: 50).
	 * Only for one-shot commands run beside a faxtop (faxtop resend);
	 * the loop itself must fail fast rather than stall. */
	int busy_ms;
};

/* Result of the commit that contained a write: ok true when durable. */
typedef void (*store_commit_cb)(void *ctx, bool ok);

struct store *store_open(const struct store_opts *opts, char *err, size_t errlen);
void store_close(struct store *s); /* commits what is pending first */
/* Starts the ev_prepare watcher that commits the batch before each sleep. */
void store_attach(struct store *s, struct ev_loop *loop);
void store_detach(struct store *s);

/* 1 if the event is stored (committed or in the open batch), 0 if not, -1
 * on error. Events are keyed by (created, id): the time is part of the
 * event, the same on every delivery, and keeps the index growing at its end
 * (docs/ARCHITECTURE.md, "The store"). store_has_event, by id alone, reads
 * the whole table and is for tools and tests. */
int store_has_event_at(struct store *s, const char *event_id, int64_t created);
int store_has_event(struct store *s, const char *event_id);
/* Stores an event into the open batch: 0 stored, 1 already stored (the
 * same created and id; nothing written), -1 on error. Ingest's dedupe: one
 * probe of the key instead of a lookup and then an insert. */
int store_put_event(struct store *s, const struct event *ev, const char *raw, size_t raw_len,
		    enum event_source src, int64_t received_ms);
/* Upserts the latest snapshot of a fax. */
int store_put_fax(struct store *s, const struct model_fax *mf);
int store_put_balance(struct store *s, const struct balance_snapshot *b, int64_t at_ms);
/* Authentic but unparseable bodies, kept for inspection. */
int store_quarantine(struct store *s, const char *raw, size_t len, const char *reason,
		     int64_t received_ms);

struct store_resend {
	int64_t at_ms;
	const char *fax_id;
	const char *new_fax_id; /* NULL on error */
	const char *error;      /* NULL on success */
	const char *idempotency_key;
	const char *request_id;
	const char *to;   /* NULL: the original's */
	int max_attempts; /* 0: unchanged */
	const char *who;  /* "user@host" that asked */
};
int store_put_resend(struct store *s, const struct store_resend *r);

/* The resend ledger (core/api/resend.h): one row per idempotency key. state is
 * "pending" (minted, outcome unknown), "sent" (201) or "refused" (a
 * definitive refusal). Strings handed to a store_ledger_fn are lent for
 * the call. */
struct store_ledger_row {
	const char *key, *fax_id, *state, *to, *new_fax_id, *request_id, *error, *who;
	int max_attempts;
	int64_t created_ms, updated_ms;
};
typedef void (*store_ledger_fn)(void *ctx, const struct store_ledger_row *r);
/* Inserts a key's row, or updates its state, outcome and updated_ms; a
 * key that made a fax stays "sent" whatever a later retry of it says. */
int store_ledger_put(struct store *s, const struct store_ledger_row *r);
/* The newest row of a fax: 0 (fn ran), 1 none, -1 error. */
int store_ledger_newest(struct store *s, const char *fax_id, store_ledger_fn fn, void *ctx);
/* The rows that still say something, oldest first: keys pending, and
 * resends that made a fax (who asked, for the detail screen). */
int store_ledger_each_live(struct store *s, store_ledger_fn fn, void *ctx);
/* Triage decisions the data cannot tell (a dismissal and its note). */
typedef void (*store_triage_fn)(void *ctx, const char *fax_id, const char *state, const char *note,
				const char *who, int64_t at_ms);
int store_triage_put(struct store *s, const char *fax_id, const char *state, const char *note,
		     const char *who, int64_t at_ms);
int store_triage_del(struct store *s, const char *fax_id);
int store_triage_each(struct store *s, store_triage_fn fn, void *ctx);

/* Small key/value state (poll cursor, schema version). 0 found, 1 absent, -1 error. */
int store_meta_get(struct store *s, const char *key, char *buf, size_t len);
int store_meta_set(struct store *s, const char *key, const char *value);

/* Calls cb once the batch holding every write made so far is committed (ok
 * true) or has failed and been rolled back (ok false). If nothing is pending
 * the callback still runs at the next commit point. */
int store_on_commit(struct store *s, store_commit_cb cb, void *ctx);
/* Commits the open batch now and runs the callbacks. 0 ok, -1 failed. */
int store_commit(struct store *s);
bool store_pending(const struct store *s);

/* Rebuilds the model from the faxes table plus the newest events. A damaged
 * fax row is skipped (logged in the model, counted below, store_last_error
 * names it); -1 only when the database cannot be read.
 *
 * In steps, so a large store can be drawn before it is all read:
 * store_load_begin reads the balance, its history and the newest events and
 * counts the faxes; each store_load_step reads up to `max` more faxes (0: all
 * the rest), newest first, and returns 1 while some remain, 0 when done, -1
 * on error. Nothing is held open between steps (but see store_load_thread),
 * and the model must not take in news meanwhile: ingesting an event for a
 * fax not read yet would store the model's partial view of it over the full
 * row. So start what feeds the model (the listener, the poller) once the
 * load is done. store_load does it all at once. */
int store_load(struct store *s, struct model *m, int64_t now_ms);
int store_load_begin(struct store *s, struct model *m, int64_t now_ms);
int store_load_step(struct store *s, struct model *m, size_t max);
/* Fax rows read so far, and how many there were when the load began. */
void store_load_progress(const struct store *s, size_t *done, size_t *total);
size_t store_load_damaged(const struct store *s);
/* Reads the rest of the faxes (those store_load_begin/step have not) on a
 * thread with its own read-only connection, so the loop only applies
 * them: store_load_step then applies up to `max` rows the thread has read
 * and answers STORE_LOAD_WAIT when none are ready yet; ready(arg) runs on
 * `loop` when some are. A read error reaches the loop as step's -1.
 * store_close stops the thread. -1 (store_last_error says why) when the
 * thread cannot start: the steps then read in the loop as before. */
#define STORE_LOAD_WAIT 2
int store_load_thread(struct store *s, struct ev_loop *loop, void (*ready)(void *arg), void *arg);
/* Rows the thread has queued that the loop has not taken yet (0 without
 * the thread). */
size_t store_load_ahead(struct store *s);
/* Stops the thread and drops what it read but was not applied; the load
 * is then over (for quitting during it). */
void store_load_stop(struct store *s);
/* Deletes events older than the retention period. */
int store_prune(struct store *s, int64_t now_ms);

size_t store_event_count(struct store *s);
/* Calls fn for every stored event id, oldest first. */
int store_each_event_id(struct store *s, void (*fn)(void *ctx, const char *id), void *ctx);
/* One stored fax (deep copy into out, fax_done it) with its last change.
 * 0 found, 1 absent, -1 error. For tools that read without a model. */
int store_get_fax(struct store *s, const char *fax_id, struct fax *out, int64_t *last_update_ms,
		  enum event_source *last_source);
/* The stored balance reading (deep copy into out). 0 found, 1 none, -1 error. */
int store_get_balance(struct store *s, struct balance_snapshot *out, int64_t *at_ms);
/* The WAL is kept below a quarter of the disk's free space, but never
 * below STORE_WAL_MIN_PAGES nor above STORE_WAL_MAX_PAGES (pages of 4 KiB):
 * past it the loop checkpoints itself, so the WAL never eats the disk. */
#define STORE_WAL_MIN_PAGES 2000
#define STORE_WAL_MAX_PAGES 16384

/* WAL checkpoints: done by a helper thread (helper true) or, failing
 * that, in the loop after a commit (in_loop). */
struct store_checkpoint_stats {
	bool helper;
	unsigned long runs, in_loop, failures;
	unsigned long copying; /* helper runs that copied frames back */
	char last_error[256];
};
void store_checkpoint_stats(struct store *s, struct store_checkpoint_stats *out);
/* SQLite's synchronous level in force (2 FULL, 1 NORMAL), -1 on error. */
int store_synchronous(struct store *s);
const char *store_last_error(const struct store *s);
bool store_ok(const struct store *s); /* false after a failed write or commit until a
                                                 * commit succeeds */
/* Test fault switch: every commit fails while on. */
void store_set_fault(struct store *s, bool fail);

#endif
