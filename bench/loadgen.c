/* bench/loadgen: the load generator of the ingest and event-to-screen
 * benchmarks. It sends N distinct, correctly signed (Standard Webhooks)
 * events to a webhook URL over C keep-alive connections, each connection
 * one request at a time, either as fast as the receiver answers (closed
 * loop) or paced at --rate events per second (open loop: an event that
 * finds every connection busy waits, and its latency counts from the moment
 * it was due, so a stalled receiver cannot hide its stall).
 *
 * Every request is built and signed before the clock starts, so the
 * generator's own cost per event is a write and a parse of the answer.
 * One JSON line of results goes to stdout; --sent-log FILE records
 * "event_id wall_us" per event (for the event-to-screen benchmark). */
#include <config.h>

#include <arpa/inet.h>
#include <errno.h>
#include <ev.h>
#include <fcntl.h>
#include <http_parser.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "bench/benchlib.h"
#include "core/wire/event_parse.h"
#include "core/http/signature.h"

struct req {
	char *buf;
	size_t len;
	char id[64];
};

struct lg;

struct conn {
	struct lg *lg;
	int fd;
	ev_io io;
	http_parser parser;
	bool busy;
	bool done_msg;
	size_t cur; /* request index in flight */
	size_t off; /* bytes of it written */
	double due; /* when it was due (paced) or sent (closed) */
	double sent;
};

struct lg {
	struct ev_loop *loop;
	struct sockaddr_in addr;
	struct req *reqs;
	size_t n, next, answered, non2xx, errors;
	struct conn *conns;
	unsigned n_conns;
	double rate;
	double t0, t_end;
	ev_timer pace_w;
	ev_timer deadline_w;
	double *lat_send; /* answer - write, ms */
	double *lat_due;  /* answer - due, ms */
	int64_t *sent_wall;
	bool *ok;
};

static http_parser_settings resp_settings;

static int on_resp_complete(http_parser *p)
{
	struct conn *c = p->data;

	c->done_msg = true;
	return 0;
}

static int conn_open(struct conn *c)
{
	int one = 1;

	c->fd = socket(AF_INET, SOCK_STREAM, 0);
	if (c->fd < 0)
		return -1;
	if (connect(c->fd, (struct sockaddr *)&c->lg->addr, sizeof c->lg->addr) < 0) {
		close(c->fd);
		c->fd = -1;
		return -1;
	}
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) | O_NONBLOCK);
	http_parser_init(&c->parser, HTTP_RESPONSE);
	c->parser.data = c;
	return 0;
}

static void lg_check_end(struct lg *lg)
{
	if (lg->answered + lg->errors >= lg->n) {
		lg->t_end = bench_mono();
		ev_break(lg->loop, EVBREAK_ALL);
	}
}

static void conn_io(struct ev_loop *loop, ev_io *w, int revents);

static void conn_flush(struct conn *c)
{
	struct req *r = &c->lg->reqs[c->cur];

	while (c->off < r->len) {
		ssize_t k = write(c->fd, r->buf + c->off, r->len - c->off);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			break;
		c->off += (size_t)k;
	}
	ev_io_stop(c->lg->loop, &c->io);
	ev_io_set(&c->io, c->fd, c->off < r->len ? EV_READ | EV_WRITE : EV_READ);
	ev_io_start(c->lg->loop, &c->io);
}

static void conn_send(struct conn *c, size_t idx, double due)
{
	struct lg *lg = c->lg;

	c->busy = true;
	c->cur = idx;
	c->off = 0;
	c->due = due;
	c->sent = bench_mono();
	lg->sent_wall[idx] = bench_wall_us();
	conn_flush(c);
}

/* Closed loop: the next event goes out as soon as a connection is free.
 * Paced: only events already due go out. */
static void lg_dispatch(struct lg *lg, struct conn *c)
{
	double now;

	if (lg->next >= lg->n)
		return;
	if (lg->rate <= 0) {
		conn_send(c, lg->next, bench_mono());
		lg->next++;
		return;
	}
	now = bench_mono();
	double due = lg->t0 + (double)lg->next / lg->rate;

	if (due <= now) {
		conn_send(c, lg->next, due);
		lg->next++;
	}
}

static void conn_fail(struct conn *c)
{
	struct lg *lg = c->lg;

	ev_io_stop(lg->loop, &c->io);
	close(c->fd);
	c->fd = -1;
	if (c->busy) {
		lg->errors++;
		c->busy = false;
	}
	lg_check_end(lg);
	if (conn_open(c) == 0) {
		ev_io_set(&c->io, c->fd, EV_READ);
		ev_io_start(lg->loop, &c->io);
		lg_dispatch(lg, c);
	}
}

static void conn_answered(struct conn *c)
{
	struct lg *lg = c->lg;
	double now = bench_mono();
	unsigned st = c->parser.status_code;

	lg->lat_send[c->cur] = (now - c->sent) * 1e3;
	lg->lat_due[c->cur] = (now - c->due) * 1e3;
	lg->ok[c->cur] = st >= 200 && st < 300;
	if (!lg->ok[c->cur])
		lg->non2xx++;
	lg->answered++;
	c->busy = false;
	lg_check_end(lg);
	lg_dispatch(lg, c);
}

static void conn_io(struct ev_loop *loop, ev_io *w, int revents)
{
	struct conn *c = w->data;
	char buf[8192];

	(void)loop;
	if ((revents & EV_WRITE) && c->busy)
		conn_flush(c);
	if (!(revents & EV_READ))
		return;
	for (;;) {
		ssize_t k = read(c->fd, buf, sizeof buf);
		size_t used = 0;

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (k <= 0) {
			conn_fail(c);
			return;
		}
		/* We never pipeline, so a read holds at most one answer. */
		c->done_msg = false;
		used = http_parser_execute(&c->parser, &resp_settings, buf, (size_t)k);
		if (used != (size_t)k || HTTP_PARSER_ERRNO(&c->parser) != HPE_OK ||
		    (c->done_msg && !c->busy)) {
			conn_fail(c);
			return;
		}
		if (c->done_msg)
			conn_answered(c);
	}
}

static void on_pace(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct lg *lg = w->data;

	(void)loop;
	(void)revents;
	for (unsigned i = 0; i < lg->n_conns && lg->next < lg->n; i++)
		if (!lg->conns[i].busy && lg->conns[i].fd >= 0)
			lg_dispatch(lg, &lg->conns[i]);
	if (lg->next >= lg->n)
		ev_timer_stop(lg->loop, w);
}

static void on_deadline(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)w;
	(void)revents;
	fprintf(stderr, "loadgen: deadline reached, stopping\n");
	ev_break(loop, EVBREAK_ALL);
}

static int parse_url(const char *url, struct sockaddr_in *sa, char *host, size_t hostlen,
		     char *path, size_t pathlen)
{
	char hp[128];
	const char *p, *slash;
	char *colon;

	if (strncmp(url, "http://", 7) != 0)
		return -1;
	p = url + 7;
	slash = strchr(p, '/');
	snprintf(hp, sizeof hp, "%.*s", (int)(slash ? (size_t)(slash - p) : strlen(p)), p);
	snprintf(path, pathlen, "%s", slash ? slash : "/");
	snprintf(host, hostlen, "%s", hp);
	colon = strrchr(hp, ':');
	if (!colon)
		return -1;
	*colon = '\0';
	memset(sa, 0, sizeof *sa);
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)atoi(colon + 1));
	return inet_pton(AF_INET, hp, &sa->sin_addr) == 1 ? 0 : -1;
}

static int build_requests(struct lg *lg, const struct bench_plan *plan, const char *secret,
			  const char *host, const char *path)
{
	struct sig_key key;
	char err[256], sig[128], head[1024];
	int64_t now_s = (int64_t)time(NULL), base_ms = now_s * 1000 - (int64_t)lg->n * 1000;

	if (sig_key_from_secret(secret, SIG_STANDARD, &key, err, sizeof err) < 0) {
		fprintf(stderr, "loadgen: %s\n", err);
		return -1;
	}
	for (size_t i = 0; i < lg->n; i++) {
		struct event ev;
		char *body;
		int hl;

		if (bench_plan_event(plan, i, &ev, base_ms) < 0 ||
		    !(body = wire_event_to_json(&ev))) {
			event_done(&ev);
			return -1;
		}
		size_t blen = strlen(body);

		snprintf(lg->reqs[i].id, sizeof lg->reqs[i].id, "%s", ev.id);
		if (sig_sign_standard(&key, ev.id, now_s, body, blen, sig, sizeof sig) < 0) {
			free(body);
			event_done(&ev);
			return -1;
		}
		hl = snprintf(head, sizeof head,
			      "POST %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: faxtop-bench\r\n"
			      "Content-Type: application/json\r\nwebhook-id: %s\r\n"
			      "webhook-timestamp: %lld\r\nwebhook-signature: %s\r\n"
			      "Content-Length: %zu\r\n\r\n",
			      path, host, ev.id, (long long)now_s, sig, blen);
		event_done(&ev);
		lg->reqs[i].len = (size_t)hl + blen;
		if (!(lg->reqs[i].buf = malloc(lg->reqs[i].len))) {
			free(body);
			return -1;
		}
		memcpy(lg->reqs[i].buf, head, (size_t)hl);
		memcpy(lg->reqs[i].buf + hl, body, blen);
		free(body);
	}
	sig_key_wipe(&key);
	return 0;
}

static void report(struct lg *lg, const char *label)
{
	size_t n = lg->answered, k = 0, ok = 0;
	double *s = malloc((n ? n : 1) * sizeof *s), *d = malloc((n ? n : 1) * sizeof *d);
	double secs = lg->t_end - lg->t0;

	if (!s || !d) {
		fprintf(stderr, "loadgen: out of memory\n");
		free(s);
		free(d);
		return;
	}
	for (size_t i = 0; i < lg->next; i++) {
		if (lg->lat_send[i] < 0)
			continue;
		s[k] = lg->lat_send[i];
		d[k++] = lg->lat_due[i];
		ok += lg->ok[i];
	}
	qsort(s, k, sizeof *s, bench_cmp_double);
	qsort(d, k, sizeof *d, bench_cmp_double);
	printf("{\"label\":\"%s\",\"events\":%zu,\"answered\":%zu,\"ok\":%zu,\"non2xx\":%zu,"
	       "\"errors\":%zu,\"connections\":%u,\"rate_target\":%.0f,\"seconds\":%.3f,"
	       "\"events_per_s\":%.0f,\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"max_ms\":%.3f,"
	       "\"due_p50_ms\":%.3f,\"due_p99_ms\":%.3f,\"due_max_ms\":%.3f}\n",
	       label, lg->n, lg->answered, ok, lg->non2xx, lg->errors, lg->n_conns, lg->rate, secs,
	       secs > 0 ? (double)ok / secs : 0, bench_pct(s, k, 50), bench_pct(s, k, 99),
	       k ? s[k - 1] : 0, bench_pct(d, k, 50), bench_pct(d, k, 99), k ? d[k - 1] : 0);
	fflush(stdout);
	free(s);
	free(d);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: loadgen --url http://127.0.0.1:PORT/PATH [--count N] [--connections C]\n"
		"               [--rate EVENTS_PER_S] [--tag TAG] [--label L] [--sent-log FILE]\n"
		"               [--timeout SECONDS] [--load realistic|sequential] [--seed N]\n"
		"  realistic (the default): random fax and event ids, 3 to 5 events per fax,\n"
		"  interleaved across 64 faxes in flight; sequential: 3 events per fax, fax\n"
		"  after fax, ids counting up. The signing secret comes from\n"
		"  MINTFAX_WEBHOOK_SECRET\n");
}

int main(int argc, char **argv)
{
	struct lg lg = { 0 };
	const char *url = NULL, *tag = "b", *label = "", *sent_log = NULL;
	const char *secret = getenv("MINTFAX_WEBHOOK_SECRET");
	char host[128], path[512];
	unsigned conns = 16;
	double timeout = 120;
	bool realistic = true;
	uint64_t seed = 1;
	struct bench_plan plan;

	lg.n = 30000;
	for (int i = 1; i < argc; i += 2) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!v) {
			usage();
			return 2;
		}
		if (!strcmp(a, "--url"))
			url = v;
		else if (!strcmp(a, "--count"))
			lg.n = strtoul(v, NULL, 10);
		else if (!strcmp(a, "--connections"))
			conns = (unsigned)strtoul(v, NULL, 10);
		else if (!strcmp(a, "--rate"))
			lg.rate = strtod(v, NULL);
		else if (!strcmp(a, "--tag"))
			tag = v;
		else if (!strcmp(a, "--label"))
			label = v;
		else if (!strcmp(a, "--sent-log"))
			sent_log = v;
		else if (!strcmp(a, "--timeout"))
			timeout = strtod(v, NULL);
		else if (!strcmp(a, "--seed"))
			seed = strtoull(v, NULL, 10);
		else if (!strcmp(a, "--load") &&
			 (!strcmp(v, "realistic") || !strcmp(v, "sequential")))
			realistic = !strcmp(v, "realistic");
		else {
			usage();
			return 2;
		}
	}
	if (!url || !secret || lg.n == 0 || conns == 0 || conns > 4096 ||
	    parse_url(url, &lg.addr, host, sizeof host, path, sizeof path) < 0) {
		usage();
		return 2;
	}
	lg.reqs = calloc(lg.n, sizeof *lg.reqs);
	lg.lat_send = malloc(lg.n * sizeof *lg.lat_send);
	lg.lat_due = malloc(lg.n * sizeof *lg.lat_due);
	lg.sent_wall = calloc(lg.n, sizeof *lg.sent_wall);
	lg.ok = calloc(lg.n, sizeof *lg.ok);
	lg.conns = calloc(conns, sizeof *lg.conns);
	if (!lg.reqs || !lg.lat_send || !lg.lat_due || !lg.sent_wall || !lg.ok || !lg.conns ||
	    bench_plan_make(&plan, lg.n, realistic, seed, tag) < 0 ||
	    build_requests(&lg, &plan, secret, host, path) < 0) {
		fprintf(stderr, "loadgen: cannot build the requests\n");
		return 1;
	}
	fprintf(stderr, "loadgen: %s load: %zu events for %zu faxes\n",
		realistic ? "realistic" : "sequential", plan.n, plan.n_faxes);
	bench_plan_free(&plan);
	for (size_t i = 0; i < lg.n; i++)
		lg.lat_send[i] = lg.lat_due[i] = -1;
	resp_settings.on_message_complete = on_resp_complete;
	lg.loop = ev_loop_new(EVFLAG_AUTO);
	lg.n_conns = conns;
	for (unsigned i = 0; i < conns; i++) {
		struct conn *c = &lg.conns[i];

		c->lg = &lg;
		if (conn_open(c) < 0) {
			fprintf(stderr, "loadgen: cannot connect to %s: %s\n", url,
				strerror(errno));
			return 1;
		}
		ev_io_init(&c->io, conn_io, c->fd, EV_READ);
		c->io.data = c;
		ev_io_start(lg.loop, &c->io);
	}
	lg.t0 = bench_mono();
	if (lg.rate > 0) {
		/* A 1 ms tick releases the events that fell due since the last. */
		ev_timer_init(&lg.pace_w, on_pace, 0., 0.001);
		lg.pace_w.data = &lg;
		ev_timer_start(lg.loop, &lg.pace_w);
	} else {
		for (unsigned i = 0; i < conns; i++)
			lg_dispatch(&lg, &lg.conns[i]);
	}
	ev_timer_init(&lg.deadline_w, on_deadline, timeout, 0.);
	ev_timer_start(lg.loop, &lg.deadline_w);
	ev_run(lg.loop, 0);
	if (lg.t_end == 0)
		lg.t_end = bench_mono();
	report(&lg, label);
	if (sent_log) {
		FILE *f = fopen(sent_log, "w");

		for (size_t i = 0; f && i < lg.next; i++)
			fprintf(f, "%s %lld\n", lg.reqs[i].id, (long long)lg.sent_wall[i]);
		if (!f || fclose(f) != 0)
			fprintf(stderr, "loadgen: cannot write %s\n", sent_log);
	}
	for (unsigned i = 0; i < conns; i++)
		if (lg.conns[i].fd >= 0)
			close(lg.conns[i].fd);
	for (size_t i = 0; i < lg.n; i++)
		free(lg.reqs[i].buf);
	free(lg.reqs);
	free(lg.lat_send);
	free(lg.lat_due);
	free(lg.sent_wall);
	free(lg.ok);
	free(lg.conns);
	ev_loop_destroy(lg.loop);
	return lg.answered + lg.errors >= lg.n ? 0 : 1;
}
