/* The poller: catch-up, fallback, balance, refresh. See poller.h.
 *
 * Everything here is a small state machine driven by api_client callbacks
 * and two timers. Work that must outlive a callback (a page waiting for its
 * commit) is a heap "ticket" the store calls back; when the poller is freed
 * first the ticket is orphaned (its poller pointer cleared) and frees
 * itself when the store finally calls it. */
#include <config.h> /* autoconf's; "config.h" would find core/base/options.h */

#include <ctype.h>
#include <ev.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/rand.h>

#include "core/api/api_client.h"
#include "core/base/clock.h"
#include "core/model/event.h"
#include "core/wire/event_parse.h"
#include "core/store/ingest.h"
#include "core/base/log.h"
#include "core/model/model.h"
#include "core/api/poller_int.h"
#include "core/base/sanitize.h"
#include "core/store/store.h"

static int poller_request_events(struct poller *p, const char *after, char *err, size_t errlen);
static void poller_pipe_abort(struct poller *p);
static void poller_request_faxes(struct poller *p);

/* ---- commit tickets ---- */

static void poller_ticket_unlink(struct poller *p, struct poller_ticket *t)
{
	for (struct poller_ticket **pp = &p->tickets; *pp; pp = &(*pp)->next)
		if (*pp == t) {
			*pp = t->next;
			return;
		}
}

static void poller_ticket_cb(void *ctx, bool ok)
{
	struct poller_ticket *t = ctx;
	struct poller *p = t->p;

	if (!p) {
		free(t);
		return;
	}
	poller_ticket_unlink(p, t);
	if (t->kind == TICKET_CURSOR && p->pipe.tickets)
		p->pipe.tickets--;
	if (!ok) {
		/* The page's events and its cursor were rolled back together:
		 * drop the next page's request, read this one again next time. */
		free(t);
		log_warn(p->log, "poll: the store could not commit; the cursor stays at %s",
			 p->cursor[0] ? p->cursor : "the start");
		if (!p->catchup_busy) { /* the round ended before its commit */
			poller_set_error(p, "the store could not commit polled events");
			return;
		}
		poller_pipe_abort(p);
		poller_catchup_end(p, false, "the store could not commit polled events");
		return;
	}
	if (t->kind == TICKET_CURSOR) {
		/* Saved in the page's own transaction (poller_pipe_flush). */
		snprintf(p->cursor, sizeof p->cursor, "%s", t->value);
		snprintf(p->st.cursor, sizeof p->st.cursor, "%s", t->value);
		bool more = t->more;
		free(t);
		if (p->cursor_hook)
			p->cursor_hook(p->cursor_hook_ctx, p->cursor);
		if (!more)
			poller_catchup_end(p, true, NULL);
		return;
	}
	if (store_meta_set(p->store, POLLER_WATERMARK_KEY, t->value) != 0)
		log_warn(p->log, "poll: cannot save the fax watermark: %s",
			 store_last_error(p->store));
	memcpy(p->watermark, t->value, sizeof p->watermark - 1); /* an ISO time: fits */
	p->watermark[sizeof p->watermark - 1] = '\0';
	free(t);
	poller_catchup_end(p, true, NULL);
}

static int poller_ticket(struct poller *p, enum poller_ticket_kind kind, const char *value,
			 bool more)
{
	struct poller_ticket *t = calloc(1, sizeof *t);

	if (!t)
		return -1;
	t->p = p;
	t->kind = kind;
	t->more = more;
	snprintf(t->value, sizeof t->value, "%s", value);
	if (store_on_commit(p->store, poller_ticket_cb, t) != 0) {
		free(t);
		return -1;
	}
	t->next = p->tickets;
	p->tickets = t;
	return 0;
}

/* ---- catch-up through /events ---- */

/* Where the round reads: after the pages held, else the committed cursor. */
static const char *poller_read_cursor(const struct poller *p)
{
	return p->pipe.n_held ? p->pipe.held_next : p->cursor;
}

static const char *poller_reading_at(const struct poller *p)
{
	return poller_read_cursor(p)[0] ? poller_read_cursor(p) : "the start";
}

/* The guards on a next_cursor (see poller_cursor.h): false when the round
 * must stop without saving it; *more false when it is saved but the round
 * ends there. */
static bool poller_events_follow(struct poller *p, const char *next, bool has_more, bool *more)
{
	switch (poller_round_next(&p->round, next)) {
	case ROUND_FOLLOW:
		return true;
	case ROUND_CAPPED:
		if (*more) {
			p->st.catchup_capped++;
			poller_catchup_warn(p,
					    "catch-up read %d pages in one round; the rest "
					    "follows in the next round",
					    POLLER_MAX_PAGES_PER_ROUND);
			*more = false;
		}
		return true;
	case ROUND_CYCLE:
		if (!has_more)
			return true; /* the last page: nothing more is asked for */
		p->st.catchup_cycles++;
		poller_catchup_warn(p,
				    "GET /events led back to a cursor already read in this "
				    "round (%.64s): the API's cursor cycles; catch-up stops at %s "
				    "and tries again later",
				    next, poller_reading_at(p));
		return false;
	case ROUND_TOO_LONG:
		break;
	}
	poller_catchup_warn(p,
			    "GET /events gave a next_cursor of %zu bytes, more than the %d "
			    "faxtop keeps; catch-up stops at %s",
			    strlen(next), POLLER_CURSOR_MAX, poller_reading_at(p));
	return false;
}

/* Every item of a page through ingest. -1 with msg when the store refused
 * one (the page is read again next time). */
static int poller_ingest_page(struct poller *p, struct event_page *page, char *msg, size_t msglen)
{
	char err[256] = "";

	for (size_t i = 0; i < page->n; i++) {
		struct event_page_item *it = &page->items[i];
		enum ingest_result res;

		p->st.events_seen++;
		/* A bad item goes the way of a bad webhook body: quarantined
		 * (in the same batch as the cursor) with the reason. */
		if (it->error)
			res = ingest_body(p->in, it->raw, it->raw_len, SRC_POLL, err, sizeof err);
		else
			res = ingest_event(p->in, &it->ev, it->raw, it->raw_len, SRC_POLL, err,
					   sizeof err);
		if (res == INGEST_ACCEPTED) {
			p->st.events_accepted++;
			p->accepted_this_run++;
		} else if (res == INGEST_INVALID) {
			log_warn(p->log, "poll: event %s refused: %s", it->ev.id ? it->ev.id : "?",
				 it->error ? it->error : err);
		} else if (res == INGEST_STORE_ERROR) {
			snprintf(msg, msglen, "poll: the store refused event %s: %s",
				 it->ev.id ? it->ev.id : "?", err);
			log_error(p->log, "%s", msg);
			return -1;
		}
	}
	return 0;
}

/* ---- the catch-up pipeline (struct poller_pipe) ---- */

static void poller_pipe_abort(struct poller *p)
{
	if (p->pipe.in_flight) {
		api_client_cancel(p->api, &p->pipe);
		p->pipe.in_flight = false;
	}
	ev_timer_stop(p->loop, &p->pipe.wait);
	while (p->pipe.n_held)
		wire_event_page_done(&p->pipe.held[--p->pipe.n_held]);
}

/* The held pages and the cursor after them join the open batch together,
 * so that one commit makes them durable. -1 when the round is over. */
static int poller_pipe_flush(struct poller *p, bool more)
{
	char err[256] = "";
	unsigned n = p->pipe.n_held;

	if (!n)
		return 0;
	ev_timer_stop(p->loop, &p->pipe.wait);
	for (unsigned i = 0; i < n; i++)
		if (poller_ingest_page(p, &p->pipe.held[i], err, sizeof err) != 0) {
			poller_pipe_abort(p);
			poller_catchup_end(p, false, err);
			return -1;
		}
	while (p->pipe.n_held)
		wire_event_page_done(&p->pipe.held[--p->pipe.n_held]);
	/* A failed write dooms the batch: the commit then reports it. */
	if (store_meta_set(p->store, POLLER_CURSOR_KEY, p->pipe.held_next) != 0)
		log_warn(p->log, "poll: cannot save the events cursor: %s",
			 store_last_error(p->store));
	if (poller_ticket(p, TICKET_CURSOR, p->pipe.held_next, more) != 0) {
		poller_pipe_abort(p);
		poller_catchup_end(p, false, "cannot wait for the store's commit");
		return -1;
	}
	p->pipe.tickets++;
	p->st.catchup_in_flight = 1; /* still busy until the commit */
	return 0;
}

static void poller_pipe_wait_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	poller_pipe_flush(w->data, true);
}

/* A page read and its cursor to the held ones (the page is moved). */
static void poller_pipe_hold(struct poller *p, struct event_page *page, const char *next)
{
	if (p->pipe.n_held == 0) {
		ev_timer_set(&p->pipe.wait, POLLER_PIPE_WAIT, 0.);
		ev_timer_start(p->loop, &p->pipe.wait);
	}
	p->pipe.held[p->pipe.n_held++] = *page;
	memset(page, 0, sizeof *page);
	snprintf(p->pipe.held_next, sizeof p->pipe.held_next, "%s", next);
}

/* Every page before an answer that is not a page is committed before the
 * answer is acted on (now, rather than at the end of this loop iteration).
 * 0, or -1 when that commit failed and the round is over. */
static int poller_pipe_settle(struct poller *p)
{
	if (poller_pipe_flush(p, true) != 0)
		return -1;
	if (p->pipe.tickets > 0)
		store_commit(p->store);
	return p->catchup_busy ? 0 : -1;
}

/* Where a page says to go on. With more to read, the next page is asked
 * for at once and this one held; otherwise the held pages and this one
 * are committed as the round's last. */
static void poller_events_next(struct poller *p, struct event_page *page)
{
	const char *next = page->next_cursor;
	char err[256] = "";

	if (!next && page->n > 0)
		next = page->items[page->n - 1].ev.id;
	bool moves = next && strcmp(next, poller_read_cursor(p)) != 0, refused = false;
	bool more = page->has_more && page->n > 0 && moves;
	if (page->has_more && !more)
		log_warn(p->log,
			 "GET /events said has_more but gave nothing new; "
			 "stopping this catch-up");
	if (moves && !poller_events_follow(p, next, page->has_more, &more))
		refused = true; /* the events are taken, the cursor stays */
	else if (!page->has_more)
		p->st.catchup_warning[0] = '\0'; /* read to the end: all is well again */
	if (!moves || refused) {
		if (poller_pipe_flush(p, true) != 0)
			return;
		if (poller_ingest_page(p, page, err, sizeof err) != 0)
			poller_catchup_end(p, false, err);
		else if (refused)
			poller_catchup_end(p, false, p->st.catchup_warning);
		else
			poller_catchup_end(p, true, NULL);
		return;
	}
	poller_pipe_hold(p, page, next);
	if (more && !p->stopped) {
		if (poller_request_events(p, next, err, sizeof err) == 0) {
			if (p->pipe.n_held == POLLER_PIPE_PAGES)
				poller_pipe_flush(p, true);
			return;
		}
		poller_set_error(p, err);
	}
	poller_pipe_flush(p, false);
}

static void poller_events_done(void *ctx, const struct api_response *r)
{
	struct poller *p = ((struct poller_pipe *)ctx)->p;
	struct event_page page;
	char err[256] = "";

	p->pipe.in_flight = false;
	if (!p->catchup_busy)
		return; /* the round is over (a failed commit): never read past it */
	p->st.catchup_in_flight = 0;
	if ((r->outcome != API_OK || r->http_status == 404) && poller_pipe_settle(p) != 0)
		return;
	poller_note_answer(p, r);
	if (r->http_status == 404) {
		if (!p->fallback)
			log_info(p->log,
				 "GET /events answered 404: falling back to GET /faxes "
				 "and per-fax refreshes");
		p->fallback = true;
		p->st.events_fallback = true;
		p->polls_since_probe = 0;
		p->fb_cursor[0] = '\0';
		p->fb_max_created = TS_NONE;
		poller_request_faxes(p);
		return;
	}
	if (p->cursor[0] && poller_cursor_expired(r)) {
		/* The cursor is no longer accepted (past retention, or the
		 * service lost its history): start again from the oldest
		 * retained event; the store drops what it already has. */
		log_warn(p->log,
			 "the API says the events cursor %s is invalid or expired (%s); "
			 "reading from the oldest retained event",
			 p->cursor, r->message);
		p->cursor[0] = '\0';
		p->st.cursor[0] = '\0';
		poller_round_begin(&p->round, p->cursor);
		if (poller_request_events(p, p->cursor, err, sizeof err) != 0)
			poller_catchup_end(p, false, err);
		return;
	}
	if (r->outcome != API_OK) {
		/* A redirect or another refusal is the API's problem or ours,
		 * not the cursor's: keep it, say so, and ask again next time. */
		if (r->outcome == API_CLIENT_ERROR)
			poller_catchup_warn(p,
					    "GET /events: %s; the cursor stays at %s and "
					    "catch-up tries again",
					    r->message, poller_reading_at(p));
		poller_catchup_end(p, false, r->message);
		return;
	}
	if (p->fallback) {
		log_info(p->log, "GET /events answers again: back to event catch-up");
		p->fallback = false;
		p->st.events_fallback = false;
	}
	memset(&page, 0, sizeof page);
	if (wire_event_page_parse(r->body, r->body_len, &page, err, sizeof err) != 0) {
		char msg[400];
		snprintf(msg, sizeof msg, "GET /events: unreadable page: %s", err);
		log_warn(p->log, "%s", msg);
		wire_event_page_done(&page);
		if (poller_pipe_flush(p, true) == 0)
			poller_catchup_end(p, false, msg);
		return;
	}
	p->st.pages++;
	poller_events_next(p, &page);
	wire_event_page_done(&page);
}

/* GET /events after `after` ("" for the oldest retained event). */
static int poller_request_events(struct poller *p, const char *after, char *err, size_t errlen)
{
	char path[3 * POLLER_CURSOR_MAX + 64];

	if (after[0]) {
		char *esc = curl_easy_escape(NULL, after, 0);
		if (!esc) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		snprintf(path, sizeof path, "/events?after=%s&per_page=%d", esc, POLLER_PAGE_SIZE);
		curl_free(esc);
	} else {
		snprintf(path, sizeof path, "/events?per_page=%d", POLLER_PAGE_SIZE);
	}
	if (api_client_request(p->api, "GET", path, NULL, NULL, 0, poller_events_done, &p->pipe,
			       err, errlen) != 0)
		return -1;
	p->pipe.in_flight = true;
	p->st.catchup_in_flight = 1;
	return 0;
}

/* ---- fallback through /faxes ---- */

static void poller_refresh_stale(struct poller *p)
{
	int64_t now = clock_now_ms(p->clock);
	int64_t stale_ms = (int64_t)(p->opts.stale_after * 1000.0);
	size_t n = model_count(p->model), sent = 0;

	/* Newest first: those are the ones the user is most likely watching. */
	for (size_t i = n; i-- > 0 && sent < POLLER_MAX_STALE_PER_TICK;) {
		const struct model_fax *mf = model_at(p->model, i);
		if (!mf || !mf->fax.id || fax_status_terminal(mf->fax.status))
			continue;
		if (mf->last_update_ms != TS_NONE && now - mf->last_update_ms < stale_ms)
			continue;
		if (poller_refresh_fax(p, mf->fax.id) == 0)
			sent++;
	}
}

static void poller_fallback_finish(struct poller *p)
{
	poller_refresh_stale(p);
	if (p->fb_max_created != TS_NONE) {
		char iso[40];
		int64_t mark = p->fb_max_created - POLLER_WATERMARK_OVERLAP_MS;
		int64_t old;

		iso8601_format_ms(mark, iso, sizeof iso);
		if (!p->watermark[0] || (iso8601_parse_ms(p->watermark, &old) == 0 && mark > old)) {
			if (poller_ticket(p, TICKET_WATERMARK, iso, false) == 0) {
				p->st.catchup_in_flight = 1;
				return;
			}
		}
	}
	poller_catchup_end(p, true, NULL);
}

static void poller_faxes_done(void *ctx, const struct api_response *r)
{
	struct poller *p = ctx;
	struct fax_page page;
	char err[256];

	p->st.catchup_in_flight = 0;
	poller_note_answer(p, r);
	if (r->outcome != API_OK) {
		poller_catchup_end(p, false, r->message);
		return;
	}
	memset(&page, 0, sizeof page);
	if (wire_fax_page_parse(r->body, r->body_len, &page, err, sizeof err) != 0) {
		char msg[400];
		snprintf(msg, sizeof msg, "GET /faxes: unreadable page: %s", err);
		log_warn(p->log, "%s", msg);
		wire_fax_page_done(&page);
		poller_catchup_end(p, false, msg);
		return;
	}
	p->st.pages++;
	for (size_t i = 0; i < page.n; i++) {
		const struct fax *f = &page.items[i];
		enum ingest_result res = ingest_fax(p->in, f, SRC_POLL, err, sizeof err);

		if (res == INGEST_INVALID || res == INGEST_STORE_ERROR)
			log_warn(p->log, "poll: fax %s not taken: %s", f->id ? f->id : "?", err);
		else
			p->st.faxes_refreshed++;
		if (f->created_at != TS_NONE &&
		    (p->fb_max_created == TS_NONE || f->created_at > p->fb_max_created))
			p->fb_max_created = f->created_at;
	}
	bool more = page.has_more && page.n > 0 && page.next_cursor &&
		strcmp(page.next_cursor, p->fb_cursor) != 0 &&
		strlen(page.next_cursor) < sizeof p->fb_cursor;
	if (more)
		snprintf(p->fb_cursor, sizeof p->fb_cursor, "%s", page.next_cursor);
	wire_fax_page_done(&page);
	if (more && !p->stopped)
		poller_request_faxes(p);
	else
		poller_fallback_finish(p);
}

static void poller_request_faxes(struct poller *p)
{
	char path[768], err[256];
	size_t o;

	o = (size_t)snprintf(path, sizeof path, "/faxes?per_page=%d", POLLER_PAGE_SIZE);
	if (p->watermark[0]) {
		char *esc = curl_easy_escape(NULL, p->watermark, 0);
		if (esc && o < sizeof path)
			o += (size_t)snprintf(path + o, sizeof path - o, "&created_after=%s", esc);
		curl_free(esc);
	}
	if (p->fb_cursor[0]) {
		char *esc = curl_easy_escape(NULL, p->fb_cursor, 0);
		if (esc && o < sizeof path)
			snprintf(path + o, sizeof path - o, "&cursor=%s", esc);
		curl_free(esc);
	}
	if (api_client_request(p->api, "GET", path, NULL, NULL, 0, poller_faxes_done, p, err,
			       sizeof err) != 0) {
		poller_catchup_end(p, false, err);
		return;
	}
	p->st.catchup_in_flight = 1;
}

static void poller_catchup(struct poller *p)
{
	if (p->stopped || p->catchup_busy || (p->opts.led && !p->leading))
		return;
	p->catchup_busy = true;
	p->accepted_this_run = 0;
	p->st.polls++;
	p->st.last_poll_ms = clock_now_ms(p->clock);
	if (p->fallback && ++p->polls_since_probe < POLLER_FALLBACK_PROBE) {
		p->fb_cursor[0] = '\0';
		p->fb_max_created = TS_NONE;
		poller_request_faxes(p);
		return;
	}
	p->polls_since_probe = 0;
	poller_round_begin(&p->round, p->cursor);
	char err[256];
	if (poller_request_events(p, p->cursor, err, sizeof err) != 0)
		poller_catchup_end(p, false, err);
}

static void poller_poll_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	poller_catchup(w->data);
}

void poller_poll_now(struct poller *p)
{
	if (!p || p->stopped || p->catchup_busy)
		return;
	ev_timer_stop(p->loop, &p->poll_timer);
	poller_catchup(p);
}

/* ---- lifecycle ---- */

struct poller *poller_new(struct ev_loop *loop, struct api_client *api, struct ingest *in,
			  struct store *store, struct model *model, const struct clock *clock,
			  struct log *log, const struct poller_opts *opts)
{
	if (!loop || !api || !in || !store || !model)
		return NULL;
	struct poller *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	p->loop = loop;
	p->api = api;
	p->in = in;
	p->store = store;
	p->model = model;
	p->clock = clock;
	p->log = log;
	if (opts)
		p->opts = *opts;
	if (!(p->opts.poll_interval > 0))
		p->opts.poll_interval = POLLER_DEFAULT_POLL;
	if (!(p->opts.balance_interval > 0))
		p->opts.balance_interval = POLLER_DEFAULT_BALANCE;
	if (!(p->opts.stale_after > 0))
		p->opts.stale_after = POLLER_DEFAULT_STALE;
	ev_init(&p->poll_timer, poller_poll_cb);
	p->poll_timer.data = p;
	ev_init(&p->balance_timer, poller_balance_cb);
	p->balance_timer.data = p;
	p->pipe.p = p;
	ev_init(&p->pipe.wait, poller_pipe_wait_cb);
	p->pipe.wait.data = p;
	p->fb_max_created = TS_NONE;
	p->last_event_ms = TS_NONE;
	p->st.started_ms = TS_NONE;
	p->st.last_poll_ms = p->st.last_poll_ok_ms = p->st.last_balance_ms = TS_NONE;
	p->st.interval = p->opts.poll_interval;
	return p;
}

void poller_start(struct poller *p)
{
	if (!p || p->started)
		return;
	p->started = true;
	p->stopped = false;
	p->st.started_ms = clock_now_ms(p->clock);
	/* Led, the cursor is the shared store's (poller_lead), not the cache's. */
	if (!p->opts.led &&
	    store_meta_get(p->store, POLLER_CURSOR_KEY, p->cursor, sizeof p->cursor) != 0)
		p->cursor[0] = '\0';
	snprintf(p->st.cursor, sizeof p->st.cursor, "%s", p->cursor);
	if (store_meta_get(p->store, POLLER_WATERMARK_KEY, p->watermark, sizeof p->watermark) != 0)
		p->watermark[0] = '\0';
	if (p->cursor[0])
		log_info(p->log, "poll: catching up after %s", p->cursor);
	ev_timer_set(&p->poll_timer, 0., 0.);
	ev_timer_start(p->loop, &p->poll_timer);
	ev_timer_set(&p->balance_timer, 0., p->opts.balance_interval);
	ev_timer_start(p->loop, &p->balance_timer);
}

void poller_stop(struct poller *p)
{
	if (!p)
		return;
	p->stopped = true;
	ev_timer_stop(p->loop, &p->poll_timer);
	ev_timer_stop(p->loop, &p->balance_timer);
}

void poller_free(struct poller *p)
{
	if (!p)
		return;
	poller_stop(p);
	api_client_cancel(p->api, p);
	poller_pipe_abort(p);
	while (p->refreshes) {
		struct poller_refresh *rf = p->refreshes;
		p->refreshes = rf->next;
		api_client_cancel(p->api, rf);
		free(rf);
	}
	/* The store still holds these; they free themselves when called. */
	for (struct poller_ticket *t = p->tickets; t; t = t->next)
		t->p = NULL;
	free(p);
}

const struct poller_state *poller_state(const struct poller *p)
{
	return &p->st;
}

void poller_lead(struct poller *p, bool lead, const char *cursor)
{
	if (!p || !p->opts.led || p->leading == lead)
		return;
	p->leading = lead;
	if (!lead) {
		ev_timer_stop(p->loop, &p->poll_timer);
		log_info(p->log, "poll: another instance catches up now");
		return;
	}
	/* A round still on its way from an earlier lead goes on from where it
	 * is; the next one starts from the shared cursor. */
	if (!p->catchup_busy && cursor && strlen(cursor) <= POLLER_CURSOR_MAX) {
		snprintf(p->cursor, sizeof p->cursor, "%s", cursor);
		snprintf(p->st.cursor, sizeof p->st.cursor, "%s", cursor);
	}
	log_info(p->log, "poll: this instance catches up now, after %s",
		 p->cursor[0] ? p->cursor : "the start");
	if (p->started)
		poller_poll_now(p);
}

bool poller_leading(const struct poller *p)
{
	return p && (!p->opts.led || p->leading);
}

void poller_set_cursor_hook(struct poller *p, poller_cursor_fn fn, void *ctx)
{
	p->cursor_hook = fn;
	p->cursor_hook_ctx = ctx;
}
