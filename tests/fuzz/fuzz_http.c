/* The listener's request handling, end to end: the input is the byte stream
 * a client sends on one TCP connection to the real listener on loopback:
 * http_server, the webhook route, signature verification, ingest, the
 * SQLite store (a scratch file, committed by its ev_prepare watcher) and the
 * model, all driven by a real libev loop bounded by a guard timer. So
 * http_parser framing, keep-alive and pipelining, header and body limits,
 * answers held until the commit, half-closed peers and every refusal are
 * exercised with hostile bytes.
 *
 * An input starting with 'S' is a body rather than a stream: the target
 * wraps it in a request signed with the listener's secret (webhook-id from
 * a counter), so mutated bodies get past verification and reach ingest, the
 * store and the model. The clock is fixed at FUZZ_HTTP_NOW, which the seed
 * requests in corpus/http are signed for.
 *
 * Invariants: every byte the server sends back is a well-formed sequence of
 * HTTP/1.1 responses, each with a Content-Length that matches its body and
 * no control characters in its head; the server closes or keeps the
 * connection sensibly (the client sees EOF once it has half-closed), and
 * after the client is gone the server holds no connection and no request
 * (nothing leaks for an attacker to pile up).
 *
 * Each input uses a fresh client address in 127.0.0.0/8, so millions of
 * runs never exhaust loopback ports with TIME_WAIT. */
#include <config.h>

#include <arpa/inet.h>
#include <errno.h>
#include <ev.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/base/clock.h"
#include "core/http/http_server.h"
#include "core/store/ingest.h"
#include "core/model/model.h"
#include "core/http/signature.h"
#include "core/store/store.h"
#include "core/http/webhook.h"
#include "tests/fuzz/fuzz.h"

#define FUZZ_HTTP_MAX_BODY (64 * 1024)
#define FUZZ_HTTP_MAX_OUT  (4 * 1024 * 1024)
#define FUZZ_HTTP_GUARD    5.0 /* seconds; the idle timeout below is 1 s */
#define FUZZ_HTTP_NOW      1747173600
#define FUZZ_HTTP_SECRET   "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
#define FUZZ_HTTP_RENEW    20000 /* inputs between fresh stores and models */

struct fuzz_http {
	struct ev_loop *loop;
	struct http_server *srv;
	struct sockaddr_in addr;
	uint32_t next_client;
	char dir[64];
	struct clock_manual clock;
	struct store *store;
	struct model *model;
	struct ingest *ingest;
	struct webhook *wh;
	struct sig_key key;
	unsigned long runs, signed_ids;
	char *out; /* what the client read, reused */
};

struct fuzz_client {
	int fd;
	const uint8_t *data;
	size_t size, sent;
	bool shut, eof, guard_fired;
	char *out;
	size_t out_len;
	ev_io io;
	ev_timer guard;
};

static struct fuzz_http fuzz_http;

/* Every accessor of the request is used before the real route runs. */
static void fuzz_handler(struct http_request *req, void *ctx)
{
	const char *method = http_request_method(req);
	const char *path = http_request_path(req);
	const char *query = http_request_query(req);
	size_t len, n = http_request_header_count(req);
	const char *body = http_request_body(req, &len);
	char buf[256];

	fuzz_check(method && path && query && http_request_peer(req), "missing request parts");
	fuzz_check(len <= FUZZ_HTTP_MAX_BODY, "body of %zu bytes passed the limit", len);
	fuzz_check(len == 0 || body != NULL, "no body pointer for %zu bytes", len);
	for (size_t i = 0; i < n; i++) {
		const struct http_header *h = http_request_header_at(req, i);

		fuzz_check(h && h->name && h->value, "header %zu incomplete", i);
		fuzz_check(http_request_header(req, h->name) != NULL, "header %s not found",
			   h->name);
	}
	http_query_get(query, "cursor", buf, sizeof buf);
	http_url_decode(query, strlen(query), buf, sizeof buf, true);
	webhook_handle(req, fuzz_http.wh);
}

static void fuzz_world_free(void)
{
	webhook_free(fuzz_http.wh);
	ingest_free(fuzz_http.ingest);
	if (fuzz_http.store) {
		store_detach(fuzz_http.store);
		store_close(fuzz_http.store);
	}
	model_free(fuzz_http.model);
	fuzz_http.wh = NULL;
	fuzz_http.ingest = NULL;
	fuzz_http.store = NULL;
	fuzz_http.model = NULL;
}

/* A fresh store file and model, so the store and the dedupe memory stay
 * bounded over millions of runs. */
static void fuzz_world_new(void)
{
	char path[128], err[256];
	struct store_opts so = { .path = path, .retention_days = 0, .recent_events = 100 };
	struct webhook_opts wo = { .secret = FUZZ_HTTP_SECRET };

	snprintf(path, sizeof path, "%s/fuzz.db", fuzz_http.dir);
	unlink(path);
	snprintf(err, sizeof err, "%s/fuzz.db-wal", fuzz_http.dir);
	unlink(err);
	snprintf(err, sizeof err, "%s/fuzz.db-shm", fuzz_http.dir);
	unlink(err);
	fuzz_http.model = model_new(NULL);
	fuzz_http.store = store_open(&so, err, sizeof err);
	fuzz_check(fuzz_http.model && fuzz_http.store, "cannot open the store: %s", err);
	store_attach(fuzz_http.store, fuzz_http.loop);
	fuzz_http.ingest = ingest_new(fuzz_http.store, fuzz_http.model, &fuzz_http.clock.clock);
	fuzz_http.wh = webhook_new(&wo, fuzz_http.ingest, fuzz_http.store, fuzz_http.model,
				   &fuzz_http.clock.clock, NULL, err, sizeof err);
	fuzz_check(fuzz_http.ingest && fuzz_http.wh, "cannot make the webhook: %s", err);
}

static void fuzz_cleanup(void)
{
	char path[128];

	fuzz_world_free();
	http_server_free(fuzz_http.srv);
	ev_loop_destroy(fuzz_http.loop);
	free(fuzz_http.out);
	sig_key_wipe(&fuzz_http.key);
	for (const char *const *f =
		     (const char *const[]){ "fuzz.db", "fuzz.db-wal", "fuzz.db-shm", NULL };
	     *f; f++) {
		snprintf(path, sizeof path, "%s/%s", fuzz_http.dir, *f);
		unlink(path);
	}
	rmdir(fuzz_http.dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct http_server_opts o = {
		.max_header_bytes = 16 * 1024,
		.max_body_bytes = FUZZ_HTTP_MAX_BODY,
		.max_connections = 64,
		.idle_timeout = 1.0,
		.server_name = "faxtop-fuzz",
	};
	const char *tmp = getenv("TMPDIR");
	struct stat st;
	char err[256];

	/* The store fsyncs every commit; on tmpfs that costs nothing, and the
	 * fuzzer is after logic, not durability. */
	if (stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) && access("/dev/shm", W_OK) == 0)
		tmp = "/dev/shm";
	snprintf(fuzz_http.dir, sizeof fuzz_http.dir, "%s/fuzzhttp.XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(fuzz_http.dir)) {
		perror("fuzz_http: mkdtemp");
		abort();
	}
	clock_manual_init(&fuzz_http.clock, (int64_t)FUZZ_HTTP_NOW * 1000);
	if (sig_key_from_secret(FUZZ_HTTP_SECRET, SIG_STANDARD, &fuzz_http.key, err, sizeof err))
		abort();
	fuzz_http.loop = ev_loop_new(EVFLAG_AUTO);
	fuzz_http.srv =
		fuzz_http.loop ? http_server_new(fuzz_http.loop, &o, fuzz_handler, NULL) : NULL;
	if (!fuzz_http.srv || http_server_listen(fuzz_http.srv, "127.0.0.1:0", err, sizeof err)) {
		fprintf(stderr, "fuzz_http: cannot listen on loopback: %s\n",
			fuzz_http.srv ? err : "no server");
		abort();
	}
	fuzz_http.addr.sin_family = AF_INET;
	fuzz_http.addr.sin_port = htons((uint16_t)http_server_port(fuzz_http.srv));
	fuzz_http.addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fuzz_world_new();
	atexit(fuzz_cleanup);
	return 0;
}

/* 'S' + body: a request as mintfax would send it, correctly signed. */
static uint8_t *fuzz_signed_request(const uint8_t *body, size_t len, size_t *out_len)
{
	char id[32], sig[128], head[512];
	uint8_t *req;
	int n;

	snprintf(id, sizeof id, "msg_%lu", ++fuzz_http.signed_ids);
	if (sig_sign_standard(&fuzz_http.key, id, FUZZ_HTTP_NOW, (const char *)body, len, sig,
			      sizeof sig))
		abort();
	n = snprintf(head, sizeof head,
		     "POST /webhooks/mintfax HTTP/1.1\r\nHost: 127.0.0.1\r\n"
		     "Content-Type: application/json\r\nContent-Length: %zu\r\n"
		     "webhook-id: %s\r\nwebhook-timestamp: %d\r\nwebhook-signature: %s\r\n\r\n",
		     len, id, FUZZ_HTTP_NOW, sig);
	req = malloc((size_t)n + len);
	if (!req)
		abort();
	memcpy(req, head, (size_t)n);
	if (len)
		memcpy(req + n, body, len);
	*out_len = (size_t)n + len;
	return req;
}

static void fuzz_client_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct fuzz_client *c = w->data;

	if (revents & EV_WRITE) {
		while (c->sent < c->size) {
			ssize_t n = send(c->fd, c->data + c->sent, c->size - c->sent, MSG_NOSIGNAL);

			if (n < 0) {
				if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
					break;
				/* The server closed early (a refusal): stop sending. */
				c->sent = c->size;
				break;
			}
			c->sent += (size_t)n;
		}
		if (c->sent == c->size && !c->shut) {
			shutdown(c->fd, SHUT_WR);
			c->shut = true;
			ev_io_stop(loop, w);
			ev_io_set(w, c->fd, EV_READ);
			ev_io_start(loop, w);
		}
	}
	if (revents & EV_READ) {
		char buf[16384];
		ssize_t n = recv(c->fd, buf, sizeof buf, 0);

		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
			return;
		if (n <= 0) {
			c->eof = true;
			ev_io_stop(loop, w);
			ev_break(loop, EVBREAK_ONE);
			return;
		}
		fuzz_check(c->out_len + (size_t)n <= FUZZ_HTTP_MAX_OUT, "server sent over 4 MiB");
		memcpy(c->out + c->out_len, buf, (size_t)n);
		c->out_len += (size_t)n;
	}
}

static void fuzz_guard_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct fuzz_client *c = w->data;

	c->guard_fired = true;
	ev_break(loop, EVBREAK_ONE);
}

/* Walks the responses: status line, header lines, Content-Length body. */
static void fuzz_check_responses(const char *out, size_t len)
{
	size_t off = 0;

	while (off < len) {
		const char *head = out + off;
		const char *end = memmem(head, len - off, "\r\n\r\n", 4);
		long clen = -1;

		fuzz_check(end != NULL, "response head not terminated");
		fuzz_check(len - off >= 12 && memcmp(head, "HTTP/1.1 ", 9) == 0 && head[9] >= '1' &&
				   head[9] <= '5',
			   "bad status line: %.40s", head);
		for (const char *p = head; p < end; p++) {
			unsigned char ch = (unsigned char)*p;

			if (ch == '\r') {
				fuzz_check(p[1] == '\n', "bare CR in the response head");
				continue;
			}
			fuzz_check(ch == '\n' ? p[-1] == '\r' : (ch >= 0x20 && ch != 0x7f),
				   "control byte 0x%02x in the response head", ch);
		}
		for (const char *p = head; p < end; p++) {
			if (p[0] == '\n' && strncasecmp(p + 1, "Content-Length:", 15) == 0) {
				fuzz_check(clen < 0, "two Content-Length headers");
				clen = strtol(p + 16, NULL, 10);
			}
		}
		off = (size_t)(end + 4 - out);
		/* 1xx, 204 and 304 carry no body (and must not claim one). */
		if (head[9] == '1' || memcmp(head + 9, "204", 3) == 0 ||
		    memcmp(head + 9, "304", 3) == 0) {
			fuzz_check(clen <= 0, "bodiless status with Content-Length %ld", clen);
			continue;
		}
		fuzz_check(clen >= 0, "response without Content-Length");
		fuzz_check((size_t)clen <= len - off, "body shorter than its Content-Length");
		off += (size_t)clen;
	}
}

static int fuzz_client_open(void)
{
	struct sockaddr_in from = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	/* 127.0.0.2 … 127.255.255.254 in turn. */
	fuzz_http.next_client = fuzz_http.next_client % 0xFFFFFC + 1;
	from.sin_addr.s_addr = htonl(0x7F000001u + fuzz_http.next_client);
	if (bind(fd, (struct sockaddr *)&from, sizeof from) != 0 ||
	    (connect(fd, (struct sockaddr *)&fuzz_http.addr, sizeof fuzz_http.addr) != 0 &&
	     errno != EINPROGRESS)) {
		close(fd);
		return -1;
	}
	return fd;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ev_loop *loop = fuzz_http.loop;
	struct fuzz_client c = { .data = data, .size = size };
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	uint8_t *wrapped = NULL;

	if (size > 0 && data[0] == 'S') {
		wrapped = fuzz_signed_request(data + 1, size - 1, &c.size);
		c.data = wrapped;
	}
	c.fd = fuzz_client_open();
	fuzz_check(c.fd >= 0, "cannot connect to the server: %s", strerror(errno));
	if (!fuzz_http.out && !(fuzz_http.out = malloc(FUZZ_HTTP_MAX_OUT)))
		abort();
	c.out = fuzz_http.out;

	ev_io_init(&c.io, fuzz_client_cb, c.fd, EV_READ | EV_WRITE);
	c.io.data = &c;
	ev_io_start(loop, &c.io);
	ev_timer_init(&c.guard, fuzz_guard_cb, FUZZ_HTTP_GUARD, 0.);
	c.guard.data = &c;
	ev_timer_start(loop, &c.guard);
	while (!c.eof && !c.guard_fired)
		ev_run(loop, 0);
	fuzz_check(c.eof, "no EOF %g s after the client half-closed (%zu of %zu bytes sent)",
		   FUZZ_HTTP_GUARD, c.sent, c.size);
	ev_io_stop(loop, &c.io);
	if (getenv("FUZZ_HTTP_SHOW"))
		fprintf(stderr, "--- %zu bytes in, answer:\n%.*s\n", c.size, (int)c.out_len, c.out);
	fuzz_check_responses(c.out, c.out_len);

	/* Gone for good: the server must let go of everything it held. */
	setsockopt(c.fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
	close(c.fd);
	ev_timer_stop(loop, &c.guard);
	ev_timer_set(&c.guard, FUZZ_HTTP_GUARD, 0.);
	c.guard_fired = false;
	ev_timer_start(loop, &c.guard);
	while ((http_server_connections(fuzz_http.srv) > 0 ||
		http_server_pending(fuzz_http.srv) > 0 || webhook_pending(fuzz_http.wh) > 0) &&
	       !c.guard_fired)
		ev_run(loop, EVRUN_ONCE);
	ev_timer_stop(loop, &c.guard);
	/* Let the reaper free closed connections before the next input. */
	ev_run(loop, EVRUN_NOWAIT);
	fuzz_check(http_server_connections(fuzz_http.srv) == 0, "%u connections left after close",
		   http_server_connections(fuzz_http.srv));
	fuzz_check(http_server_pending(fuzz_http.srv) == 0, "%zu requests left after close",
		   http_server_pending(fuzz_http.srv));
	fuzz_check(webhook_pending(fuzz_http.wh) == 0, "%zu webhooks left unanswered",
		   webhook_pending(fuzz_http.wh));
	free(wrapped);
	if (++fuzz_http.runs % FUZZ_HTTP_RENEW == 0) {
		fuzz_world_free();
		fuzz_world_new();
	}
	return 0;
}
