/* The commit point: the open batch is committed once per loop iteration,
 * before the loop sleeps (an ev_prepare watcher), and the callbacks
 * waiting on it learn whether it is durable. A group commit: one fsync
 * serves every request of the iteration. */
#include <config.h>

#include <string.h>

#include "core/base/xalloc.h"
#include "core/store/store_int.h"

int store_on_commit(struct store *s, store_commit_cb cb, void *ctx)
{
	s->waiters = xgrow(s->waiters, &s->cap_waiters, s->n_waiters + 1, sizeof *s->waiters);
	s->waiters[s->n_waiters++] = (struct store_waiter){ cb, ctx };
	return 0;
}

bool store_pending(const struct store *s)
{
	return s->in_tx;
}

/* Callbacks may register for the next batch while these run, so the list
 * is swapped out first. */
static void store_run_waiters(struct store *s, bool ok)
{
	struct store_waiter *w = s->waiters;
	size_t n = s->n_waiters, cap = s->cap_waiters;

	s->waiters = s->spare;
	s->cap_waiters = s->cap_spare;
	s->n_waiters = 0;
	for (size_t i = 0; i < n; i++)
		w[i].cb(w[i].ctx, ok);
	s->spare = w;
	s->cap_spare = cap;
}

static void store_rollback(struct store *s)
{
	char keep[sizeof s->err];

	if (sqlite3_get_autocommit(s->db))
		return;
	memcpy(keep, s->err, sizeof keep);
	if (store_step_write(s, s->st[ST_ROLLBACK], "rollback") < 0) {
		char also[sizeof s->err];

		memcpy(also, s->err, sizeof also);
		store_set_err(s, "%.240s; then %.240s", keep, also);
		return;
	}
	memcpy(s->err, keep, sizeof keep);
}

int store_commit(struct store *s)
{
	int rc = 0;

	if (s->committing)
		return 0;
	s->committing = true;
	if (s->in_tx) {
		if (s->doomed) {
			store_set_err(s, "%s", s->doom_err);
			rc = -1;
		} else if (s->fault) {
			store_set_err(s, "commit: failure injected (fault switch)");
			rc = -1;
		} else {
			s->in_tx = false; /* a failed COMMIT must not doom a batch that is gone */
			rc = store_step_write(s, s->st[ST_COMMIT], "commit");
		}
		if (rc < 0) {
			store_rollback(s);
			s->recover_ckpt = true;
		}
		s->in_tx = false;
		s->doomed = false;
		s->ok = rc == 0;
	} else if (s->fault && s->n_waiters) {
		store_set_err(s, "commit: failure injected (fault switch)");
		rc = -1;
		s->ok = false;
	}
	store_run_waiters(s, rc == 0);
	s->committing = false;
	return rc;
}

/* Commits before the loop sleeps. Callbacks may queue more writes (a cursor
 * update after a page); those are committed in the same pass so they never
 * wait for the next wake-up. */
static void store_prepare_cb(struct ev_loop *loop, ev_prepare *w, int revents)
{
	struct store *s = w->data;

	(void)loop;
	(void)revents;
	for (int i = 0; i < 4 && (s->in_tx || s->n_waiters); i++)
		store_commit(s);
}

void store_attach(struct store *s, struct ev_loop *loop)
{
	store_detach(s);
	s->loop = loop;
	ev_prepare_init(&s->prepare, store_prepare_cb);
	s->prepare.data = s;
	ev_set_priority(&s->prepare, EV_MAXPRI);
	ev_prepare_start(loop, &s->prepare);
}

void store_detach(struct store *s)
{
	if (!s->loop)
		return;
	ev_prepare_stop(s->loop, &s->prepare);
	s->loop = NULL;
}
