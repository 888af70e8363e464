/* libcurl's multi socket interface on libev.
 *
 * curl tells us which sockets to watch (socket callback → one ev_io per
 * socket, its state hung on the socket with curl_multi_assign) and when to
 * wake it up (timer callback → one ev_timer). Both watchers call
 * curl_multi_socket_action and then drain curl_multi_info_read, so finished
 * transfers are reported from the loop, never from inside curl.
 *
 * curl_global_init: main() calls it before anything else; curl_ev_new also
 * calls it once through pthread_once so that tests and faxsim, which have no
 * faxtop main, work too (curl counts the calls, so doing both is harmless). */
#include <ev.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "core/api/curl_ev.h"
#include "core/base/xalloc.h"

struct curl_ev_sock {
	ev_io io; /* first: the watcher pointer is the struct */
	struct curl_ev *ce;
	curl_socket_t fd;
	struct curl_ev_sock *prev, *next;
};

/* One added easy handle. A list, not CURLOPT_PRIVATE, so callers keep that
 * option for themselves. */
struct curl_ev_xfer {
	CURL *easy;
	curl_ev_done_fn done;
	void *ctx;
	struct curl_ev_xfer *prev, *next;
};

struct curl_ev {
	struct ev_loop *loop;
	CURLM *multi;
	ev_timer timer;
	struct curl_ev_sock *socks;
	struct curl_ev_xfer *xfers;
	unsigned n_xfers;
	unsigned depth;    /* >0 while done callbacks run */
	bool free_pending; /* curl_ev_free was called from a done callback */
	bool closing;      /* inside curl_multi_cleanup */
};

static pthread_once_t curl_ev_once = PTHREAD_ONCE_INIT;
static CURLcode curl_ev_init_result = CURLE_OK;

static void curl_ev_global_init(void)
{
	curl_ev_init_result = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static void curl_ev_destroy(struct curl_ev *ce);

static struct curl_ev_xfer *xfer_find(struct curl_ev *ce, CURL *easy)
{
	for (struct curl_ev_xfer *x = ce->xfers; x; x = x->next)
		if (x->easy == easy)
			return x;
	return NULL;
}

static void xfer_unlink(struct curl_ev *ce, struct curl_ev_xfer *x)
{
	if (x->prev)
		x->prev->next = x->next;
	else
		ce->xfers = x->next;
	if (x->next)
		x->next->prev = x->prev;
	ce->n_xfers--;
}

static void sock_unlink(struct curl_ev *ce, struct curl_ev_sock *s)
{
	if (s->prev)
		s->prev->next = s->next;
	else
		ce->socks = s->next;
	if (s->next)
		s->next->prev = s->prev;
}

/* Reports every finished transfer. The message is copied out before the
 * handle is removed (removal invalidates it), and the list is re-read after
 * each callback, which may have added or removed handles. */
static void curl_ev_check_done(struct curl_ev *ce)
{
	CURLMsg *msg;
	int left;

	ce->depth++;
	while (!ce->free_pending && (msg = curl_multi_info_read(ce->multi, &left))) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		CURL *easy = msg->easy_handle;
		CURLcode result = msg->data.result;
		struct curl_ev_xfer *x = xfer_find(ce, easy);

		curl_multi_remove_handle(ce->multi, easy);
		if (!x)
			continue;
		xfer_unlink(ce, x);
		curl_ev_done_fn done = x->done;
		void *ctx = x->ctx;
		free(x);
		if (done)
			done(easy, result, ctx);
	}
	ce->depth--;
	if (ce->depth == 0 && ce->free_pending)
		curl_ev_destroy(ce);
}

/* ce may be freed by a done callback before this returns. */
static void curl_ev_action(struct curl_ev *ce, curl_socket_t fd, int mask)
{
	int running;

	curl_multi_socket_action(ce->multi, fd, mask, &running);
	curl_ev_check_done(ce);
}

static void curl_ev_io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct curl_ev_sock *s = (struct curl_ev_sock *)w;
	int mask = 0;

	if (revents & EV_READ)
		mask |= CURL_CSELECT_IN;
	if (revents & EV_WRITE)
		mask |= CURL_CSELECT_OUT;
	if (revents & EV_ERROR)
		mask |= CURL_CSELECT_ERR;
	/* s may be freed inside socket_action (CURL_POLL_REMOVE). */
	curl_ev_action(s->ce, s->fd, mask);
}

static void curl_ev_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct curl_ev *ce = w->data;

	curl_ev_action(ce, CURL_SOCKET_TIMEOUT, 0);
}

static int curl_ev_socket_cb(CURL *easy, curl_socket_t fd, int what, void *userp, void *sockp)
{
	struct curl_ev *ce = userp;
	struct curl_ev_sock *s = sockp;

	if (what == CURL_POLL_REMOVE) {
		if (s) {
			ev_io_stop(ce->loop, &s->io);
			sock_unlink(ce, s);
			/* The multi is half torn down during cleanup: leave its
			 * socket table alone then. */
			if (!ce->closing)
				curl_multi_assign(ce->multi, fd, NULL);
			free(s);
		}
		return 0;
	}
	if (!s) {
		s = xcalloc(1, sizeof *s);
		s->ce = ce;
		s->fd = fd;
		ev_init(&s->io, curl_ev_io_cb);
		s->next = ce->socks;
		if (ce->socks)
			ce->socks->prev = s;
		ce->socks = s;
		curl_multi_assign(ce->multi, fd, s);
	}
	int events = 0;
	if (what & CURL_POLL_IN)
		events |= EV_READ;
	if (what & CURL_POLL_OUT)
		events |= EV_WRITE;
	ev_io_stop(ce->loop, &s->io);
	ev_io_set(&s->io, fd, events);
	if (events)
		ev_io_start(ce->loop, &s->io);
	return 0;
}

/* timeout_ms 0 arms a zero timer rather than calling socket_action here:
 * curl forbids re-entering it from its own callback. */
static int curl_ev_timer_fn(CURLM *multi, long timeout_ms, void *userp)
{
	struct curl_ev *ce = userp;

	ev_timer_stop(ce->loop, &ce->timer);
	if (timeout_ms >= 0) {
		ev_timer_set(&ce->timer, (double)timeout_ms / 1000.0, 0.);
		ev_timer_start(ce->loop, &ce->timer);
	}
	return 0;
}

struct curl_ev *curl_ev_new(struct ev_loop *loop)
{
	pthread_once(&curl_ev_once, curl_ev_global_init);
	if (curl_ev_init_result != CURLE_OK || !loop)
		return NULL;

	struct curl_ev *ce = xcalloc(1, sizeof *ce);
	ce->loop = loop;
	ce->multi = curl_multi_init();
	if (!ce->multi) {
		free(ce);
		return NULL;
	}
	ev_init(&ce->timer, curl_ev_timer_cb);
	ce->timer.data = ce;
	curl_multi_setopt(ce->multi, CURLMOPT_SOCKETFUNCTION, curl_ev_socket_cb);
	curl_multi_setopt(ce->multi, CURLMOPT_SOCKETDATA, ce);
	curl_multi_setopt(ce->multi, CURLMOPT_TIMERFUNCTION, curl_ev_timer_fn);
	curl_multi_setopt(ce->multi, CURLMOPT_TIMERDATA, ce);
	return ce;
}

static void curl_ev_destroy(struct curl_ev *ce)
{
	struct curl_ev_xfer *x, *xn;
	struct curl_ev_sock *s, *sn;

	for (x = ce->xfers; x; x = xn) {
		xn = x->next;
		curl_multi_remove_handle(ce->multi, x->easy);
		free(x);
	}
	ce->xfers = NULL;
	ce->n_xfers = 0;
	/* Cleanup closes cached connections and may still call our socket
	 * callback; whatever it does not report is released below. */
	ce->closing = true;
	curl_multi_cleanup(ce->multi);
	for (s = ce->socks; s; s = sn) {
		sn = s->next;
		ev_io_stop(ce->loop, &s->io);
		free(s);
	}
	ev_timer_stop(ce->loop, &ce->timer);
	free(ce);
}

void curl_ev_free(struct curl_ev *ce)
{
	if (!ce)
		return;
	if (ce->depth > 0) {
		/* Inside a done callback: curl_ev_check_done is still using ce. */
		ce->free_pending = true;
		return;
	}
	curl_ev_destroy(ce);
}

int curl_ev_add(struct curl_ev *ce, CURL *easy, curl_ev_done_fn done, void *ctx)
{
	if (!ce || !easy || ce->free_pending)
		return -1;
	struct curl_ev_xfer *x = xcalloc(1, sizeof *x);
	x->easy = easy;
	x->done = done;
	x->ctx = ctx;
	/* Adding arms the timer through curl_ev_timer_fn; the transfer starts
	 * on the next loop iteration. */
	if (curl_multi_add_handle(ce->multi, easy) != CURLM_OK) {
		free(x);
		return -1;
	}
	x->next = ce->xfers;
	if (ce->xfers)
		ce->xfers->prev = x;
	ce->xfers = x;
	ce->n_xfers++;
	return 0;
}

void curl_ev_remove(struct curl_ev *ce, CURL *easy)
{
	if (!ce || !easy)
		return;
	struct curl_ev_xfer *x = xfer_find(ce, easy);
	if (!x)
		return;
	xfer_unlink(ce, x);
	free(x);
	curl_multi_remove_handle(ce->multi, easy);
}

unsigned curl_ev_running(const struct curl_ev *ce)
{
	return ce ? ce->n_xfers : 0;
}

CURLM *curl_ev_multi(struct curl_ev *ce)
{
	return ce ? ce->multi : NULL;
}
