#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "tui/resend.h"
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
	t->bulk.ids = NULL;
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
	tui_flash(t, t->bulk.failed > 0, "bulk resend finished: %zu resent, %zu failed",
		  t->bulk.ok, t->bulk.failed);
	t->bulk.running = false;
	bulk_free_ids(t);
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
	if (r && r->ok) {
		tui_flash(t, false, "%s resent as %s%s", rec->fax_id,
			  r->new_fax_id ? r->new_fax_id : "(id not returned)",
			  r->reused_key ? " (the earlier key, reused)" : "");
		if (t->log)
			log_info(t->log, "resend of %s accepted: %s", rec->fax_id,
				 r->new_fax_id ? r->new_fax_id : "?");
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
	if (t->bulk.next < t->bulk.n && bulk_in_flight(t) < TUI_BULK_PARALLEL) {
		const char *id = t->bulk.ids[t->bulk.next++];
		struct resend_req req = { .fax_id = id };

		if (tui_resend_start(t, &req, true, err, sizeof err) < 0) {
			t->bulk.failed++;
			tui_flash(t, true, "bulk: %s not resent: %s", id, err);
		}
		t->dirty = true;
	}
	if (t->bulk.next >= t->bulk.n)
		ev_timer_stop(t->loop, &t->bulk_w);
	bulk_maybe_finish(t);
}

void tui_bulk_start(struct tui *t, char **ids, size_t n)
{
	if (t->bulk.running) {
		for (size_t i = 0; i < n; i++)
			free(ids[i]);
		free(ids);
		tui_flash(t, true, "a bulk resend is already running");
		return;
	}
	bulk_free_ids(t);
	t->bulk = (struct tui_bulk){ .ids = ids, .n = n, .running = true };
	ev_timer_init(&t->bulk_w, bulk_tick, 0., TUI_BULK_INTERVAL);
	t->bulk_w.data = t;
	ev_timer_again(t->loop, &t->bulk_w);
	ev_invoke(t->loop, &t->bulk_w, EV_TIMER);
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
