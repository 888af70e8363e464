#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/log.h"
#include "tui/resend.h"
#include "tui/session.h"
#include "tui/state.h"

static void unlink_record(struct tui *t, struct tui_inflight *rec)
{
	for (struct tui_inflight **p = &t->inflight; *p; p = &(*p)->next) {
		if (*p == rec) {
			*p = rec->next;
			return;
		}
	}
}

static void bulk_free_ids(struct tui *t)
{
	for (size_t i = 0; i < t->bulk.n; i++)
		free(t->bulk.ids[i]);
	free(t->bulk.ids);
	free(t->bulk.again);
	t->bulk.ids = NULL;
	t->bulk.again = NULL;
	t->bulk.n = t->bulk.next = 0;
}

static size_t bulk_in_flight(const struct tui *t)
{
	size_t n = 0;

	for (const struct tui_inflight *r = t->inflight; r; r = r->next)
		n += r->bulk;
	return n;
}

static void bulk_maybe_finish(struct tui *t)
{
	if (!t->bulk.running || t->bulk.next < t->bulk.n || bulk_in_flight(t) > 0)
		return;
	ev_timer_stop(t->loop, &t->bulk_w);
	if (t->bulk.dropped)
		tui_flash(t, true, "bulk resend cancelled: %zu resent, %zu failed, %zu not sent",
			  t->bulk.ok, t->bulk.failed, t->bulk.dropped);
	else
		tui_flash(t, t->bulk.failed > 0, "bulk resend finished: %zu resent, %zu failed",
			  t->bulk.ok, t->bulk.failed);
	t->bulk.running = t->bulk.paused = false;
	bulk_free_ids(t);
	if (t->bulk.quit_after)
		tui_request_quit(t);
}

static void resend_done(void *ctx, const struct resend_result *r)
{
	struct tui_inflight *rec = ctx;
	struct tui *t = rec->t;

	if (!t) {
		free(rec);
		return;
	}
	unlink_record(t, rec);
	if (rec->bulk) {
		if (r && r->ok)
			t->bulk.ok++;
		else
			t->bulk.failed++;
	}
	if (r && r->ok && tui_is_marked(t, rec->fax_id))
		tui_toggle_mark(t, rec->fax_id); /* done: R again must not resend it */
	if (r && r->ok) {
		tui_flash(t, false, "%s resent as %s%s", rec->fax_id,
			  r->new_fax_id ? r->new_fax_id : "(id not returned)",
			  r->reused_key ? " (the earlier key, reused)" : "");
		if (t->log)
			log_info(t->log, "resend of %s accepted: %s", rec->fax_id,
				 r->new_fax_id ? r->new_fax_id : "?");
	} else if (r && r->error && !strcmp(r->error, "claimed")) {
		/* Another operator's resend holds the fax (team mode): the
		 * reason names them, and it is all there is to say. */
		tui_flash(t, true, "resend of %s refused, nothing was sent: %s", rec->fax_id,
			  r->message ? r->message : "another resend holds it");
	} else {
		tui_flash(t, true, "resend of %s %s: %s (%s%s%s)%s%s", rec->fax_id,
			  r && !r->settled ? "has no known outcome, its key is kept (r retries it)"
					   : "failed",
			  r && r->message ? r->message : "no answer",
			  r && r->error ? r->error : "error",
			  r && r->action && *r->action ? "; next step: " : "",
			  r && r->action ? r->action : "",
			  r && r->request_id && *r->request_id ? " request " : "",
			  r && r->request_id ? r->request_id : "");
		if (t->log)
			log_warn(t->log, "resend of %s failed: %s", rec->fax_id,
				 r && r->error ? r->error : "error");
	}
	free(rec);
	bulk_maybe_finish(t);
	t->dirty = true;
}

int tui_resend_start(struct tui *t, const struct resend_req *req, bool bulk, char *err,
		     size_t errlen)
{
	const char *fax_id = req->fax_id;
	struct tui_inflight *rec;

	if (t->read_only) {
		snprintf(err, errlen, "read-only mode: resending is disabled");
		return -1;
	}
	if (!t->act.resend) {
		snprintf(err, errlen, "resending is not available in this mode");
		return -1;
	}
	if (tui_is_inflight(t, fax_id)) {
		snprintf(err, errlen, "%s is already being resent", fax_id);
		return -1;
	}
	rec = calloc(1, sizeof *rec);
	if (!rec) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	rec->t = t;
	rec->bulk = bulk;
	snprintf(rec->fax_id, sizeof rec->fax_id, "%s", fax_id);
	rec->next = t->inflight;
	t->inflight = rec;
	if (t->act.resend(t->act.ctx, req, resend_done, rec, err, errlen) < 0) {
		unlink_record(t, rec);
		free(rec);
		return -1;
	}
	t->dirty = true;
	return 0;
}

/* One start per tick and a cap on parallel requests: the API's rate limit
 * is shared with the poller, so a bulk run must never burst. */
static void bulk_tick(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct tui *t = w->data;
	char err[256];

	(void)loop;
	(void)revents;
	if (!t->bulk.paused && t->bulk.next < t->bulk.n && bulk_in_flight(t) < TUI_BULK_PARALLEL) {
		size_t i = t->bulk.next++;
		struct resend_req req = { .fax_id = t->bulk.ids[i], .again = t->bulk.again[i] };

		if (tui_resend_start(t, &req, true, err, sizeof err) < 0) {
			t->bulk.failed++;
			tui_flash(t, true, "bulk: %s not resent: %s", req.fax_id, err);
		}
		t->dirty = true;
	}
	if (t->bulk.next >= t->bulk.n)
		ev_timer_stop(t->loop, &t->bulk_w);
	bulk_maybe_finish(t);
}

void tui_bulk_start(struct tui *t, char **ids, bool *again, size_t n)
{
	if (t->bulk.running) {
		for (size_t i = 0; i < n; i++)
			free(ids[i]);
		free(ids);
		free(again);
		tui_flash(t, true, "a bulk resend is already running");
		return;
	}
	bulk_free_ids(t);
	t->bulk = (struct tui_bulk){ .ids = ids, .again = again, .n = n, .running = true };
	ev_timer_init(&t->bulk_w, bulk_tick, 0., TUI_BULK_INTERVAL);
	t->bulk_w.data = t;
	ev_timer_again(t->loop, &t->bulk_w);
	ev_invoke(t->loop, &t->bulk_w, EV_TIMER);
}

void tui_bulk_pause(struct tui *t)
{
	if (!t->bulk.running) {
		tui_flash(t, true, "no bulk resend is running");
		return;
	}
	t->bulk.paused = !t->bulk.paused;
	if (t->bulk.paused)
		tui_flash(t, false, "bulk resend paused after %zu of %zu (those on the way finish)",
			  t->bulk.next, t->bulk.n);
	else
		tui_flash(t, false, "bulk resend resumed: %zu to go", t->bulk.n - t->bulk.next);
	t->dirty = true;
}

/* The rest is dropped; what is on the way is answered and counted. */
void tui_bulk_cancel(struct tui *t)
{
	if (!t->bulk.running) {
		tui_flash(t, true, "no bulk resend is running");
		return;
	}
	t->bulk.dropped += t->bulk.n - t->bulk.next;
	t->bulk.next = t->bulk.n;
	t->bulk.paused = false;
	ev_timer_stop(t->loop, &t->bulk_w);
	tui_flash(t, false, "bulk resend cancelled: %zu not sent%s", t->bulk.dropped,
		  bulk_in_flight(t) ? ", waiting for those on the way" : "");
	bulk_maybe_finish(t);
	t->dirty = true;
}

size_t tui_bulk_remaining(const struct tui *t)
{
	return t->bulk.running ? t->bulk.n - t->bulk.next : 0;
}

void tui_resend_shutdown(struct tui *t)
{
	ev_timer_stop(t->loop, &t->bulk_w);
	bulk_free_ids(t);
	t->bulk.running = false;
	for (struct tui_inflight *r = t->inflight, *next; r; r = next) {
		next = r->next;
		r->t = NULL;
		r->next = NULL;
	}
	t->inflight = NULL;
}
