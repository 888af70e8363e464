/* faxsim load: a webhook load generator. C slots each own one easy handle,
 * reused for every request it sends, so each slot keeps its connection
 * alive; the multi handle is capped at C connections. Every event is
 * distinct (its own evt_ and fax_ ids) and signed at the moment it is sent. */
#include "config.h"

#include <errno.h>
#include <ev.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "core/base/clock.h"
#include "core/api/curl_ev.h"
#include "core/wire/event_parse.h"
#include "core/http/signature.h"
#include "sim/load.h"
#include "sim/rng.h"
#include "sim/sim.h"
#include "sim/sim_int.h"

#define LOAD_MAX_CONNECTIONS 1024
#define LOAD_TEMPLATE_FAX_ID "fax_TEMPLATExxxxxxxxxxxxxx"

struct load;

struct load_slot {
	struct load *ld;
	CURL *easy;
	struct curl_slist *hdrs;
	char *body;
	size_t len;
	char id[SIM_ID_LEN];
	double t0;
	bool busy;
};

struct load {
	struct ev_loop *loop;
	struct curl_ev *ce;
	struct sig_key key;
	bool legacy;
	const char *url;
	uint64_t count, started, finished, non2xx, errors, connects;
	unsigned conns;
	double rate;
	double t_start, t_end;
	double *lat_ms;
	struct load_slot *slots;
	struct simrng rng;
	char *tmpl; /* an event envelope; ids patched per request */
	size_t tmpl_len;
	size_t evt_off, fax_off; /* where the ids sit in tmpl */
	ev_timer pace;
	char last_error[128];
};

static void pump(struct load *ld);

double load_percentile(const double *sorted, size_t n, double p)
{
	if (n == 0)
		return 0;
	size_t rank = (size_t)ceil((p / 100.0) * (double)n);
	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return sorted[rank - 1];
}

static size_t discard(char *ptr, size_t size, size_t nmemb, void *ud)
{
	return size * nmemb;
}

static int make_template(struct load *ld)
{
	struct event ev;
	event_init(&ev);
	ev.id = strdup("evt_TEMPLATEyyyyyyyyyyyyyy");
	ev.type = EV_FAX_QUEUED;
	ev.type_name = strdup("fax.queued");
	ev.created = clock_now_s(NULL);
	ev.object = EVOBJ_FAX;
	ev.fax.id = strdup(LOAD_TEMPLATE_FAX_ID);
	ev.fax.status = FAX_QUEUED;
	ev.fax.to = strdup("+12125550100");
	ev.fax.max_attempts = 3;
	ev.fax.page_size = strdup("letter");
	ev.fax.resolution = strdup("fine");
	ev.fax.optimize_for = strdup("text");
	ev.fax.created_at = ev.fax.updated_at = clock_now_ms(NULL);
	ld->tmpl =
		(ev.id && ev.type_name && ev.fax.id && ev.fax.to) ? wire_event_to_json(&ev) : NULL;
	event_done(&ev);
	if (!ld->tmpl)
		return -1;
	ld->tmpl_len = strlen(ld->tmpl);
	char *e = strstr(ld->tmpl, "evt_TEMPLATEyyyyyyyyyyyyyy");
	char *f = strstr(ld->tmpl, LOAD_TEMPLATE_FAX_ID);
	if (!e || !f)
		return -1;
	ld->evt_off = (size_t)(e - ld->tmpl);
	ld->fax_off = (size_t)(f - ld->tmpl);
	return 0;
}

static int add_header(struct curl_slist **l, const char *name, const char *v)
{
	char line[256];
	snprintf(line, sizeof line, "%s: %s", name, v);
	struct curl_slist *n = curl_slist_append(*l, line);
	if (!n)
		return -1;
	*l = n;
	return 0;
}

static void done_cb(CURL *easy, CURLcode result, void *ctx)
{
	struct load_slot *sl = ctx;
	struct load *ld = sl->ld;
	double now = ev_time();
	long code = 0, connects = 0;
	curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_getinfo(easy, CURLINFO_NUM_CONNECTS, &connects);
	ld->connects += (uint64_t)connects;
	if (result != CURLE_OK) {
		ld->errors++;
		snprintf(ld->last_error, sizeof ld->last_error, "%s", curl_easy_strerror(result));
	} else if (code < 200 || code > 299) {
		ld->non2xx++;
	}
	ld->lat_ms[ld->finished++] = (now - sl->t0) * 1000.0;
	curl_slist_free_all(sl->hdrs);
	sl->hdrs = NULL;
	sl->busy = false;
	if (ld->finished == ld->count) {
		ld->t_end = now;
		ev_break(ld->loop, EVBREAK_ONE);
		return;
	}
	pump(ld);
}

static int start_one(struct load *ld, struct load_slot *sl)
{
	char fid[SIM_ID_LEN], sig[160], ts[32];
	memcpy(sl->body, ld->tmpl, ld->tmpl_len + 1);
	simrng_id(&ld->rng, "evt_", sl->id, sizeof sl->id);
	simrng_id(&ld->rng, "fax_", fid, sizeof fid);
	memcpy(sl->body + ld->evt_off, sl->id, strlen(sl->id));
	memcpy(sl->body + ld->fax_off, fid, strlen(fid));
	int64_t now_s = clock_now_s(NULL);
	snprintf(ts, sizeof ts, "%lld", (long long)now_s);
	struct curl_slist *h = NULL;
	int rc = add_header(&h, "Content-Type", "application/json");
	if (ld->legacy) {
		rc |= sig_sign_legacy(&ld->key, now_s, sl->body, ld->tmpl_len, sig, sizeof sig);
		rc |= add_header(&h, "X-Mintfax-Signature", sig);
		rc |= add_header(&h, "X-Mintfax-Timestamp", ts);
	} else {
		rc |= sig_sign_standard(&ld->key, sl->id, now_s, sl->body, ld->tmpl_len, sig,
					sizeof sig);
		rc |= add_header(&h, "webhook-id", sl->id);
		rc |= add_header(&h, "webhook-timestamp", ts);
		rc |= add_header(&h, "webhook-signature", sig);
	}
	struct curl_slist *n = curl_slist_append(h, "Expect:");
	if (rc || !n) {
		curl_slist_free_all(n ? n : h);
		return -1;
	}
	h = n;
	curl_easy_setopt(sl->easy, CURLOPT_POSTFIELDS, sl->body);
	curl_easy_setopt(sl->easy, CURLOPT_POSTFIELDSIZE, (long)ld->tmpl_len);
	curl_easy_setopt(sl->easy, CURLOPT_HTTPHEADER, h);
	sl->hdrs = h;
	sl->busy = true;
	sl->t0 = ev_time();
	ld->started++;
	if (curl_ev_add(ld->ce, sl->easy, done_cb, sl) < 0) {
		curl_slist_free_all(h);
		sl->hdrs = NULL;
		sl->busy = false;
		return -1;
	}
	return 0;
}

static void pace_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	pump(w->data);
}

static void pump(struct load *ld)
{
	double now = ev_time();
	for (unsigned i = 0; i < ld->conns && ld->started < ld->count; i++) {
		struct load_slot *sl = &ld->slots[i];
		if (sl->busy)
			continue;
		if (ld->rate > 0 && (double)ld->started >= (now - ld->t_start) * ld->rate + 1) {
			double due = ld->t_start + (double)ld->started / ld->rate;
			ev_timer_stop(ld->loop, &ld->pace);
			ev_timer_set(&ld->pace, due > now ? due - now : 0.001, 0.);
			ev_timer_start(ld->loop, &ld->pace);
			return;
		}
		if (start_one(ld, sl) < 0) {
			snprintf(ld->last_error, sizeof ld->last_error, "cannot start a request");
			ld->errors++;
			ld->lat_ms[ld->finished++] = 0;
			ld->started++;
			if (ld->finished == ld->count) {
				ld->t_end = now;
				ev_break(ld->loop, EVBREAK_ONE);
				return;
			}
		}
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void load_usage(FILE *f)
{
	fprintf(f,
		"Usage: faxsim load --url URL [OPTION]...\n"
		"Sends N distinct, signed webhook events to URL (loopback only) over C keep-alive\n"
		"connections, as fast as the receiver takes them, and reports the achieved rate,\n"
		"latency percentiles and non-2xx answers.\n"
		"\n"
		"  --url URL               the receiver, e.g. "
		"http://127.0.0.1:8787/webhooks/mintfax\n"
		"  --secret whsec_...      signing secret (default: the documented test secret,\n"
		"                          or $MINTFAX_WEBHOOK_SECRET)\n"
		"  --count N               events to send (default 1000)\n"
		"  --connections C         concurrent keep-alive connections (default 8)\n"
		"  --rate R                at most R events per second (default 0: unlimited)\n"
		"  --legacy-signatures     sign with X-Mintfax-Signature instead of Standard "
		"Webhooks\n"
		"  --json                  print the result as one JSON object\n"
		"  -h, --help              this text\n"
		"\n"
		"Exit status: 0 when every answer was 2xx, 1 otherwise, 2 on bad usage.\n");
}

static void report(const struct load *ld, bool json)
{
	double secs = ld->t_end - ld->t_start;
	if (secs <= 0)
		secs = 1e-9;
	double rate = (double)ld->count / secs;
	size_t n = (size_t)ld->finished;
	double p50 = load_percentile(ld->lat_ms, n, 50), p90 = load_percentile(ld->lat_ms, n, 90),
	       p99 = load_percentile(ld->lat_ms, n, 99), mx = n ? ld->lat_ms[n - 1] : 0;
	if (json) {
		printf("{\"count\":%llu,\"connections\":%u,\"seconds\":%.6f,\"rate\":%.1f,"
		       "\"latency_ms\":{\"p50\":%.3f,\"p90\":%.3f,\"p99\":%.3f,\"max\":%.3f},"
		       "\"non_2xx\":%llu,\"errors\":%llu,\"connections_opened\":%llu}\n",
		       (unsigned long long)ld->count, ld->conns, secs, rate, p50, p90, p99, mx,
		       (unsigned long long)ld->non2xx, (unsigned long long)ld->errors,
		       (unsigned long long)ld->connects);
		return;
	}
	printf("sent %llu events over %u connections in %.3f s: %.1f events/s\n",
	       (unsigned long long)ld->count, ld->conns, secs, rate);
	printf("latency ms: p50 %.3f  p90 %.3f  p99 %.3f  max %.3f\n", p50, p90, p99, mx);
	printf("non-2xx answers: %llu  transport errors: %llu  connections opened: %llu%s%s\n",
	       (unsigned long long)ld->non2xx, (unsigned long long)ld->errors,
	       (unsigned long long)ld->connects, ld->errors ? "  last: " : "",
	       ld->errors ? ld->last_error : "");
}

static int parse_u64(const char *s, const char *what, unsigned long long lo, unsigned long long hi,
		     unsigned long long *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (!*s || *s == '-' || *end || errno || v < lo || v > hi) {
		fprintf(stderr, "faxsim load: %s must be an integer from %llu to %llu\n", what, lo,
			hi);
		return -1;
	}
	*out = v;
	return 0;
}

static void load_free(struct load *ld)
{
	if (ld->slots) {
		for (unsigned i = 0; i < ld->conns; i++) {
			struct load_slot *sl = &ld->slots[i];
			if (sl->busy)
				curl_ev_remove(ld->ce, sl->easy);
			if (sl->easy)
				curl_easy_cleanup(sl->easy);
			curl_slist_free_all(sl->hdrs);
			free(sl->body);
		}
	}
	if (ld->ce)
		curl_ev_free(ld->ce);
	free(ld->slots);
	free(ld->lat_ms);
	free(ld->tmpl);
	sig_key_wipe(&ld->key);
}

static void on_signal(struct ev_loop *loop, ev_signal *w, int revents)
{
	ev_break(loop, EVBREAK_ALL);
}

static const struct option load_opts[] = {
	{ "url", required_argument, NULL, 'u' },
	{ "secret", required_argument, NULL, 's' },
	{ "count", required_argument, NULL, 'n' },
	{ "connections", required_argument, NULL, 'c' },
	{ "rate", required_argument, NULL, 'r' },
	{ "legacy-signatures", no_argument, NULL, 'L' },
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* The command line into ld: -1 to go on, otherwise the exit status. */
static int parse_args(int argc, char **argv, struct load *ld, const char **secret, bool *json)
{
	unsigned long long v;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", load_opts, NULL)) != -1) {
		switch (c) {
		case 'u':
			ld->url = optarg;
			break;
		case 's':
			*secret = optarg;
			break;
		case 'n':
			if (parse_u64(optarg, "--count", 1, 100000000ULL, &v) < 0)
				return 2;
			ld->count = v;
			break;
		case 'c':
			if (parse_u64(optarg, "--connections", 1, LOAD_MAX_CONNECTIONS, &v) < 0)
				return 2;
			ld->conns = (unsigned)v;
			break;
		case 'r': {
			char *end;
			errno = 0;
			ld->rate = strtod(optarg, &end);
			if (!*optarg || *end || errno || !(ld->rate >= 0) || ld->rate > 1e7) {
				fprintf(stderr,
					"faxsim load: --rate must be a number of events per "
					"second\n");
				return 2;
			}
			break;
		}
		case 'L':
			ld->legacy = true;
			break;
		case 'j':
			*json = true;
			break;
		case 'h':
			load_usage(stdout);
			return 0;
		default:
			load_usage(stderr);
			return 2;
		}
	}
	if (optind < argc || !ld->url) {
		fprintf(stderr, "faxsim load: %s\n",
			ld->url ? "unexpected argument" : "--url is required");
		load_usage(stderr);
		return 2;
	}
	if (!simwh_url_is_loopback(ld->url)) {
		fprintf(stderr, "faxsim load: --url must be an http URL on a loopback address\n");
		return 2;
	}
	if ((uint64_t)ld->conns > ld->count)
		ld->conns = (unsigned)ld->count;
	return -1;
}

/* The sender, the result array, the template and one reused handle per
 * connection. -1 when memory ran out. */
static int load_setup(struct load *ld)
{
	ld->loop = ev_default_loop(0);
	ld->ce = curl_ev_new(ld->loop);
	ld->lat_ms = calloc(ld->count, sizeof *ld->lat_ms);
	ld->slots = calloc(ld->conns, sizeof *ld->slots);
	simrng_seed(&ld->rng, (uint64_t)clock_now_ms(NULL), 0x10ad);
	if (!ld->ce || !ld->lat_ms || !ld->slots || make_template(ld) < 0)
		return -1;
	curl_multi_setopt(curl_ev_multi(ld->ce), CURLMOPT_MAX_HOST_CONNECTIONS, (long)ld->conns);
	curl_multi_setopt(curl_ev_multi(ld->ce), CURLMOPT_MAXCONNECTS, (long)ld->conns);
	for (unsigned i = 0; i < ld->conns; i++) {
		struct load_slot *sl = &ld->slots[i];
		sl->ld = ld;
		sl->body = malloc(ld->tmpl_len + 1);
		sl->easy = curl_easy_init();
		if (!sl->body || !sl->easy)
			return -1;
		curl_easy_setopt(sl->easy, CURLOPT_URL, ld->url);
		curl_easy_setopt(sl->easy, CURLOPT_POST, 1L);
		curl_easy_setopt(sl->easy, CURLOPT_WRITEFUNCTION, discard);
		curl_easy_setopt(sl->easy, CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(sl->easy, CURLOPT_TIMEOUT_MS, 30000L);
		curl_easy_setopt(sl->easy, CURLOPT_PROTOCOLS_STR, "http,https");
		curl_easy_setopt(sl->easy, CURLOPT_TCP_NODELAY, 1L);
	}
	return 0;
}

/* Sends until every event is answered or SIGINT; the latencies end sorted. */
static void load_run(struct load *ld)
{
	ev_timer_init(&ld->pace, pace_cb, 0., 0.);
	ld->pace.data = ld;
	ev_signal sint;
	ev_signal_init(&sint, on_signal, SIGINT);
	ev_signal_start(ld->loop, &sint);
	ev_now_update(ld->loop);
	ld->t_start = ev_time();
	pump(ld);
	ev_run(ld->loop, 0);
	ev_signal_stop(ld->loop, &sint);
	ev_timer_stop(ld->loop, &ld->pace);
	if (ld->finished < ld->count) {
		fprintf(stderr, "faxsim load: interrupted after %llu of %llu events\n",
			(unsigned long long)ld->finished, (unsigned long long)ld->count);
		ld->t_end = ev_time();
		ld->count = ld->finished;
	}
	qsort(ld->lat_ms, (size_t)ld->finished, sizeof(double), cmp_double);
}

int load_main(int argc, char **argv)
{
	struct load ld;
	memset(&ld, 0, sizeof ld);
	const char *secret = getenv("MINTFAX_WEBHOOK_SECRET");
	if (!secret || !*secret)
		secret = SIM_DEFAULT_SECRET;
	bool json = false;
	ld.count = 1000;
	ld.conns = 8;
	int rc = parse_args(argc, argv, &ld, &secret, &json);
	if (rc >= 0)
		return rc;
	char err[256];
	if (sig_key_from_secret(secret, ld.legacy ? SIG_LEGACY : SIG_STANDARD, &ld.key, err,
				sizeof err) < 0) {
		fprintf(stderr, "faxsim load: %s\n", err);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	rc = 1;
	if (load_setup(&ld) < 0) {
		fprintf(stderr, "faxsim load: out of memory\n");
	} else {
		load_run(&ld);
		report(&ld, json);
		rc = ld.non2xx || ld.errors || ld.finished == 0 ? 1 : 0;
	}
	load_free(&ld);
	curl_global_cleanup();
	return rc;
}
