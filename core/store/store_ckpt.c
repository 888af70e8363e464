/* WAL checkpoints (SQLite only).
 *
 * They run on a helper thread with its own connection, so the copy back
 * into the database file and its fsync never stall the loop (a checkpoint
 * inside COMMIT took tens of milliseconds here). The loop only signals it.
 *
 * The helper alone cannot bound the WAL: SQLite starts the WAL over only
 * when a write begins with every frame already copied back, and under a
 * steady stream of commits the loop has always appended more by the time
 * the helper finishes (measured: 128 MB of WAL after 60 MB of writes, and
 * in a fault test the WAL filled a small disk, leaving no room for the
 * checkpoint that would have freed it). So past a bound the loop
 * checkpoints itself, between its own writes, where it cannot lose that
 * race. That costs the loop tens of milliseconds, so the bound is as large
 * as the disk allows (store_wal_bound). The file is cut back to
 * STORE_WAL_KEEP_BYTES when the WAL starts over. */
#include <config.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/statvfs.h>

#include "core/store/store_int.h"

/* After a failed commit (a full disk, say) the next batch first tries a
 * full checkpoint that empties the WAL, at most this often. */
#define STORE_RECOVER_CKPT_S 1.0

static void *store_ckpt_main(void *arg)
{
	struct store_ckpt *c = arg;

	pthread_mutex_lock(&c->mu);
	for (;;) {
		int rc, done = 0;

		while (!c->wanted && !c->stop)
			pthread_cond_wait(&c->cv, &c->mu);
		if (c->stop)
			break;
		c->wanted = false;
		pthread_mutex_unlock(&c->mu);
		/* PASSIVE: never waits for the loop's writes, takes what it can */
		rc = sqlite3_wal_checkpoint_v2(c->db, "main", SQLITE_CHECKPOINT_PASSIVE, NULL,
					       &done);
		pthread_mutex_lock(&c->mu);
		c->runs++;
		if (rc == SQLITE_OK && done > 0)
			c->copying++;
		if (rc != SQLITE_OK) {
			c->failures++;
			snprintf(c->err, sizeof c->err, "%s", sqlite3_errmsg(c->db));
		}
	}
	pthread_mutex_unlock(&c->mu);
	return NULL;
}

/* The WAL's bound in pages: a quarter of the free space of the database's
 * file system, within [STORE_WAL_MIN_PAGES, STORE_WAL_MAX_PAGES]. */
static int store_wal_bound(const struct store *s)
{
	struct statvfs fs;
	unsigned long long quarter;

	if (s->wal_max_pages > 0)
		return s->wal_max_pages;
	if (statvfs(s->path, &fs) != 0)
		return STORE_WAL_MIN_PAGES;
	quarter = (unsigned long long)fs.f_bavail * fs.f_frsize / 4 / 4096;
	if (quarter < STORE_WAL_MIN_PAGES)
		return STORE_WAL_MIN_PAGES;
	return quarter > STORE_WAL_MAX_PAGES ? STORE_WAL_MAX_PAGES : (int)quarter;
}

/* Called by SQLite after every commit with the WAL's size in pages. */
static int store_wal_hook(void *ctx, sqlite3 *db, const char *name, int pages)
{
	struct store *s = ctx;
	struct store_ckpt *c = &s->ckpt;

	if (pages < STORE_CKPT_PAGES)
		return SQLITE_OK;
	if (!c->started || (pages >= STORE_WAL_MIN_PAGES && pages >= store_wal_bound(s))) {
		int rc = sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);

		/* the commit itself succeeded; a failed checkpoint is retried
		 * after the next one and counted */
		pthread_mutex_lock(&c->mu);
		c->in_loop++;
		if (rc != SQLITE_OK) {
			c->failures++;
			snprintf(c->err, sizeof c->err, "%s", sqlite3_errmsg(db));
		}
		pthread_mutex_unlock(&c->mu);
		return SQLITE_OK;
	}
	pthread_mutex_lock(&c->mu);
	c->wanted = true;
	pthread_cond_signal(&c->cv);
	pthread_mutex_unlock(&c->mu);
	return SQLITE_OK;
}

/* Without the helper the store still works: the hook checkpoints in the
 * loop, as SQLite's own autocheckpoint would. */
void store_ckpt_start(struct store *s, const char *path)
{
	struct store_ckpt *c = &s->ckpt;
	sigset_t all, old;

	pthread_mutex_init(&c->mu, NULL);
	pthread_cond_init(&c->cv, NULL);
	sqlite3_wal_hook(s->db, store_wal_hook, s);
	/* A connection opens the file lazily: until it has read something it
	 * does not know the database is in WAL mode, and a checkpoint on it
	 * quietly does nothing (it did, in the first session, for every run). */
	if (sqlite3_open_v2(path, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
		    SQLITE_OK ||
	    sqlite3_exec(c->db, "SELECT count(*) FROM sqlite_master", NULL, NULL, NULL) !=
		    SQLITE_OK) {
		snprintf(c->err, sizeof c->err, "checkpoint connection: %s",
			 c->db ? sqlite3_errmsg(c->db) : "out of memory");
		sqlite3_close(c->db);
		c->db = NULL;
		return;
	}
	/* signals belong to the loop's thread */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	c->started = pthread_create(&c->thread, NULL, store_ckpt_main, c) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!c->started) {
		snprintf(c->err, sizeof c->err, "checkpoint thread: %s", strerror(errno));
		sqlite3_close(c->db);
		c->db = NULL;
	}
}

void store_ckpt_stop(struct store *s)
{
	struct store_ckpt *c = &s->ckpt;

	if (c->started) {
		pthread_mutex_lock(&c->mu);
		c->stop = true;
		pthread_cond_signal(&c->cv);
		pthread_mutex_unlock(&c->mu);
		pthread_join(c->thread, NULL);
		c->started = false;
		sqlite3_close(c->db);
		c->db = NULL;
	}
	sqlite3_wal_hook(s->db, NULL, NULL);
	pthread_cond_destroy(&c->cv);
	pthread_mutex_destroy(&c->mu);
}

void store_checkpoint_stats(struct store *s, struct store_checkpoint_stats *out)
{
	struct store_ckpt *c = &s->ckpt;

	pthread_mutex_lock(&c->mu);
	out->helper = c->started;
	out->runs = c->runs;
	out->copying = c->copying;
	out->in_loop = c->in_loop;
	out->failures = c->failures;
	snprintf(out->last_error, sizeof out->last_error, "%s", c->err);
	pthread_mutex_unlock(&c->mu);
}

/* After a failed commit: copy the whole WAL back and cut it to nothing, so
 * the space it holds is free again before the next batch needs some. A
 * failure (still no room, the helper busy) is tried again later. */
void store_recover_ckpt(struct store *s)
{
	if (s->loop) {
		double now = ev_now(s->loop);

		if (s->recover_ckpt_at && now - s->recover_ckpt_at < STORE_RECOVER_CKPT_S)
			return;
		s->recover_ckpt_at = now;
	}
	if (sqlite3_wal_checkpoint_v2(s->db, "main", SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL) ==
	    SQLITE_OK)
		s->recover_ckpt = false;
}
