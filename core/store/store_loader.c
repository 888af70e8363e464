/* The faxes read at start-up on a thread of its own (SQLite only).
 *
 * Reading and decoding a million rows took about 1.8 s, and putting them
 * into the model about 0.8 s more, one after the other in the loop's idle
 * time. The reader thread opens its own read-only
 * connection, reads the rows newest first in one statement, decodes each
 * into a struct model_fax whose strings it copies into the batch's arena,
 * and queues batches for the loop; the loop only applies them, as the
 * in-loop steps do (store_load_row), in the order read.
 *
 * What the thread reads is one snapshot: its statement runs in one read
 * transaction, which in WAL mode sees the faxes table as it was when the
 * first row was read, whatever the loop commits later. The feeds start only
 * after the load, so the loop's own writes meanwhile come from the TUI: a
 * dismissal or a note writes other tables, and a fax the loop stores (a
 * resend) is put into the model by the loop itself as it stores it; a row
 * of the snapshot older than what the model holds by then is only an older
 * snapshot of that fax, which the model's merge keeps out (APPLY_STALE), as
 * it would a late poll. The open read transaction keeps checkpoints from
 * going past its snapshot for the second or two it lasts, which the few
 * writes of that time do not notice.
 *
 * The queue is bounded (STORE_LOADER_AHEAD batches): the thread waits when
 * the loop is behind, so memory does not grow with the store. The loop
 * never waits for the thread: it takes a batch under the mutex (a pointer
 * swap) and is woken by an ev_async when it found none. */
#include <config.h>

#include <signal.h>
#include <stdalign.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/xalloc.h"
#include "core/model/model.h"
#include "core/store/store_faxcols.h"
#include "core/store/store_int.h"

#define STORE_LOADER_BATCH    2048 /* rows a batch */
#define STORE_LOADER_AHEAD    8    /* batches read and not yet taken, at most */
#define STORE_LOADER_BLOCK    65536
#define STORE_LOADER_PREFETCH 8 /* rows ahead whose pool slots are fetched */
#define STORE_LOADER_BUSY_MS  5000

struct loader_block {
	struct loader_block *next;
	size_t used, cap;
	alignas(max_align_t) char data[];
};

struct loader_row {
	struct model_fax mf; /* its strings and arrays in the batch's arena */
	const char *why;     /* a damaged row: what is wrong (mf.fax.id its id) */
};

struct loader_batch {
	struct loader_batch *next;
	size_t n, applied;
	int end; /* 0 more follow, 1 the last, -1 the read failed (err says why) */
	char err[256];
	struct loader_block *arena;
	struct loader_row rows[STORE_LOADER_BATCH];
};

struct store_loader {
	pthread_t thread;
	pthread_mutex_t mu; /* guards head, tail, queued */
	pthread_cond_t room;
	struct loader_batch *head, *tail;
	size_t queued;
	int stop; /* the loop wants the thread gone (__atomic) */
	char *path;
	int64_t before;           /* the thread reads rowids below this */
	struct loader_batch *cur; /* the loop's: being applied */
	struct ev_loop *loop;
	ev_async wake;
	void (*ready)(void *arg);
	void *arg;
};

/* ---- a row into the model (both ways of loading) ---- */

void store_load_row(struct store *s, struct model *m, const struct model_fax *mf, const char *id,
		    const char *why)
{
	s->load_done++;
	/* One damaged row must not keep faxtop from starting: it is skipped,
	 * counted and shown, and the poller fetches it again. */
	if (!mf) {
		s->load_damaged++;
		store_set_err(s, "%s", why);
		model_log(m, s->load_now, NULL, "store", id, SRC_REPLAY, APPLY_INVALID,
			  "damaged fax row skipped at start-up");
		return;
	}
	/* the stored time of the last change, so ages survive a restart */
	model_apply_fax(m, &mf->fax, SRC_REPLAY,
			mf->last_update_ms != TS_NONE ? mf->last_update_ms : s->load_now);
	if (mf->anomalies > 0)
		model_restore_anomalies(m, mf->fax.id, mf->anomalies, mf->anomaly);
}

/* ---- the batches (the thread fills them, the loop frees them) ---- */

static void *batch_alloc(struct loader_batch *b, size_t len)
{
	struct loader_block *k = b->arena;
	size_t at = k ? (k->used + alignof(max_align_t) - 1) & ~(alignof(max_align_t) - 1) : 0;

	if (!k || at + len > k->cap) {
		size_t cap = len > STORE_LOADER_BLOCK ? len : STORE_LOADER_BLOCK;

		k = xmalloc(sizeof *k + cap);
		k->next = b->arena;
		k->cap = cap;
		b->arena = k;
		at = 0;
	}
	k->used = at + len;
	return k->data + at;
}

static char *batch_str(struct loader_batch *b, const char *s)
{
	size_t len;

	if (!s)
		return NULL;
	len = strlen(s) + 1;
	return memcpy(batch_alloc(b, len), s, len);
}

static void batch_free(struct loader_batch *b)
{
	while (b && b->arena) {
		struct loader_block *k = b->arena;

		b->arena = k->next;
		free(k);
	}
	free(b);
}

/* The row's strings are lent by the statement and the scratch arrays: copy
 * them into the batch, by the column list, so a new column is copied too. */
#define LOADER_OWN_TEXT(b, v)     ((v) = batch_str(b, v))
#define LOADER_OWN_INT(b, v)      (void)0
#define LOADER_OWN_PAGES(b, v)    (void)0
#define LOADER_OWN_TS(b, v)       (void)0
#define LOADER_OWN_STATUS(b, v)   (void)0
#define LOADER_OWN_SOURCE(b, v)   (void)0
#define LOADER_OWN_COUNT(b, v)    (void)0
#define LOADER_OWN_ATTEMPTS(b, v) own_attempts(b, &(v))
#define LOADER_OWN_TAGS(b, v)     own_tags(b, &(v))

static void own_attempts(struct loader_batch *b, struct fax *f)
{
	struct fax_attempt *a;

	if (!f->n_attempts)
		return;
	a = batch_alloc(b, f->n_attempts * sizeof *a);
	for (size_t i = 0; i < f->n_attempts; i++) {
		a[i] = f->attempts[i];
		a[i].error_code = batch_str(b, a[i].error_code);
		a[i].error_subcode = batch_str(b, a[i].error_subcode);
		a[i].error_message = batch_str(b, a[i].error_message);
	}
	f->attempts = a;
}

static void own_tags(struct loader_batch *b, struct fax *f)
{
	struct fax_tag *t;

	if (!f->n_tags)
		return;
	t = batch_alloc(b, f->n_tags * sizeof *t);
	for (size_t i = 0; i < f->n_tags; i++) {
		t[i].key = batch_str(b, f->tags[i].key);
		t[i].value = batch_str(b, f->tags[i].value);
	}
	f->tags = t;
}

static void batch_add_row(struct loader_batch *b, sqlite3_stmt *st, struct store_scratch *sc)
{
	struct loader_row *r = &b->rows[b->n++];
	char why[160];

	if (store_fax_decode(st, sc, &r->mf, why, sizeof why) < 0) {
		memset(&r->mf, 0, sizeof r->mf);
		r->mf.fax.id = batch_str(b, col_text(st, FAXCOL_id));
		r->why = batch_str(b, why);
		return;
	}
	r->why = NULL;
#define X(column, kind, member) LOADER_OWN_##kind(b, r->mf.member);
	FAX_COLUMN_LIST(X)
#undef X
}

/* ---- the thread ---- */

static bool loader_stopping(struct store_loader *l)
{
	return __atomic_load_n(&l->stop, __ATOMIC_ACQUIRE);
}

/* Queues b for the loop, waiting while the queue is full. false when the
 * loop wants the thread gone (b is then freed). */
static bool loader_push(struct store_loader *l, struct loader_batch *b)
{
	pthread_mutex_lock(&l->mu);
	while (l->queued >= STORE_LOADER_AHEAD && !loader_stopping(l))
		pthread_cond_wait(&l->room, &l->mu);
	if (loader_stopping(l)) {
		pthread_mutex_unlock(&l->mu);
		batch_free(b);
		return false;
	}
	if (l->tail)
		l->tail->next = b;
	else
		l->head = b;
	l->tail = b;
	l->queued++;
	pthread_mutex_unlock(&l->mu);
	ev_async_send(l->loop, &l->wake);
	return true;
}

/* The read connection and its statement, rowids below l->before, newest
 * first, in one read transaction (the snapshot). NULL and err set when it
 * cannot be opened. */
static sqlite3_stmt *loader_open(struct store_loader *l, sqlite3 **db, char *err, size_t len)
{
	sqlite3_stmt *st = NULL;
	char sql[4096];

	if (sqlite3_open_v2(l->path, db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) !=
		    SQLITE_OK ||
	    /* a moment's lock (the WAL index being rebuilt) is waited out
	     * here, off the loop, rather than failing the start-up */
	    sqlite3_busy_timeout(*db, STORE_LOADER_BUSY_MS) != SQLITE_OK ||
	    sqlite3_exec(*db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(*db, store_fax_sql(ST_LOAD_FAXES, sql, sizeof sql), -1, &st, NULL) !=
		    SQLITE_OK ||
	    sqlite3_bind_int64(st, 1, l->before) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 2, -1) != SQLITE_OK) {
		snprintf(err, len, "load faxes: %s", *db ? sqlite3_errmsg(*db) : "out of memory");
		sqlite3_finalize(st);
		return NULL;
	}
	return st;
}

static void *loader_main(void *arg)
{
	struct store_loader *l = arg;
	struct store_scratch sc = { 0 };
	char err[256];
	sqlite3 *db = NULL;
	sqlite3_stmt *st = loader_open(l, &db, err, sizeof err);
	struct loader_batch *b;
	int rc = st ? SQLITE_ROW : SQLITE_ERROR, end;

	do {
		b = xcalloc(1, sizeof *b);
		while (rc == SQLITE_ROW && b->n < STORE_LOADER_BATCH && !loader_stopping(l) &&
		       (rc = sqlite3_step(st)) == SQLITE_ROW)
			batch_add_row(b, st, &sc);
		if (rc == SQLITE_DONE) {
			b->end = 1;
		} else if (rc != SQLITE_ROW) {
			b->end = -1;
			if (st)
				snprintf(err, sizeof err, "load faxes: %s", sqlite3_errmsg(db));
			snprintf(b->err, sizeof b->err, "%s", err);
		}
		if (b->end) {
			/* closed before the last batch goes: the loop's join
			 * then waits for nothing but the return */
			sqlite3_finalize(st);
			sqlite3_close(db);
			st = NULL;
			db = NULL;
		}
		end = b->end; /* b is the loop's once pushed */
	} while (loader_push(l, b) && !end);
	sqlite3_finalize(st);
	sqlite3_close(db);
	store_scratch_done(&sc);
	return NULL;
}

/* ---- the loop's side ---- */

static void loader_wake_cb(struct ev_loop *loop, ev_async *w, int revents)
{
	struct store_loader *l = w->data;

	(void)loop;
	(void)revents;
	l->ready(l->arg);
}

int store_load_thread(struct store *s, struct ev_loop *loop, void (*ready)(void *arg), void *arg)
{
	struct store_loader *l = xcalloc(1, sizeof *l);
	sigset_t all, old;
	int rc;

	l->path = xstrdup(s->path);
	l->before = s->load_before;
	l->loop = loop;
	l->ready = ready;
	l->arg = arg;
	pthread_mutex_init(&l->mu, NULL);
	pthread_cond_init(&l->room, NULL);
	ev_async_init(&l->wake, loader_wake_cb);
	l->wake.data = l;
	ev_async_start(loop, &l->wake);
	/* signals belong to the loop's thread */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&l->thread, NULL, loader_main, l);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		store_set_err(s, "load thread: %s", strerror(rc));
		ev_async_stop(loop, &l->wake);
		pthread_cond_destroy(&l->room);
		pthread_mutex_destroy(&l->mu);
		free(l->path);
		free(l);
		return -1;
	}
	s->loader = l;
	return 0;
}

void store_load_stop(struct store *s)
{
	struct store_loader *l = s->loader;

	if (!l)
		return;
	pthread_mutex_lock(&l->mu);
	__atomic_store_n(&l->stop, 1, __ATOMIC_RELEASE);
	pthread_cond_signal(&l->room);
	pthread_mutex_unlock(&l->mu);
	pthread_join(l->thread, NULL);
	ev_async_stop(l->loop, &l->wake);
	batch_free(l->cur);
	while (l->head) {
		struct loader_batch *b = l->head;

		l->head = b->next;
		batch_free(b);
	}
	pthread_cond_destroy(&l->room);
	pthread_mutex_destroy(&l->mu);
	free(l->path);
	free(l);
	s->loader = NULL;
	s->load_before = INT64_MIN; /* the load is over: a later step reads nothing */
}

size_t store_load_ahead(struct store *s)
{
	struct store_loader *l = s->loader;
	size_t rows = 0;

	if (!l)
		return 0;
	pthread_mutex_lock(&l->mu);
	for (const struct loader_batch *b = l->head; b; b = b->next)
		rows += b->n;
	pthread_mutex_unlock(&l->mu);
	return rows;
}

/* The next batch, if the thread has queued one: a pointer taken under the
 * mutex, never a wait. */
static struct loader_batch *loader_take(struct store_loader *l)
{
	struct loader_batch *b;

	pthread_mutex_lock(&l->mu);
	b = l->head;
	if (b) {
		l->head = b->next;
		if (!l->head)
			l->tail = NULL;
		l->queued--;
		pthread_cond_signal(&l->room);
	}
	pthread_mutex_unlock(&l->mu);
	return b;
}

int store_loader_step(struct store *s, struct model *m, size_t max)
{
	struct store_loader *l = s->loader;
	size_t rows = 0;

	while (rows < max) {
		struct loader_batch *b = l->cur ? l->cur : (l->cur = loader_take(l));

		if (!b)
			return STORE_LOAD_WAIT;
		for (; b->applied < b->n && rows < max; b->applied++, rows++) {
			struct loader_row *r = &b->rows[b->applied];

			if (b->applied + STORE_LOADER_PREFETCH < b->n)
				model_prefetch_fax(m, &r[STORE_LOADER_PREFETCH].mf.fax);

			store_load_row(s, m, r->why ? NULL : &r->mf, r->mf.fax.id, r->why);
		}
		if (b->applied < b->n)
			break;
		if (b->end) {
			int end = b->end;

			if (end < 0)
				store_set_err(s, "%s", b->err);
			store_load_stop(s); /* the thread has returned or is about to */
			return end > 0 ? 0 : -1;
		}
		l->cur = NULL;
		batch_free(b);
	}
	return 1;
}
