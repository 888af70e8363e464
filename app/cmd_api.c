/* faxtop status and faxtop resend. Each runs its own short ev loop around
 * api_client and stops at the first refusal, with a message that says what
 * to do about it. Every string from the API is sanitised before printing
 * (and before JSON quoting, for --json). */
#include <config.h>   /* autoconf's; "config.h" would find core/config.h */

#include "app/cmd_api.h"

#include <curl/curl.h>
#include <errno.h>
#include <ev.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/api_client.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/errors.h"
#include "core/event.h"
#include "core/event_parse.h"
#include "core/poller.h"
#include "core/sanitize.h"
#include "core/store.h"

#define STATUS_MAX_PAGES 10        /* up to 1,000 faxes read for the counts */
#define STATUS_MAX_FAILURES 10
/* mintfax publishes no price: the same documented assumption as the TUI's
 * resend estimate (TUI_EST_CENTS_PER_PAGE), said wherever it is used. */
#define CMD_EST_CENTS_PER_PAGE 7
#define RESEND_MAX_TRIES 3         /* same key each time: never two faxes */
#define RESEND_MAX_WAIT_S 30       /* a longer Retry-After is reported, not waited */

struct cmd_failure {
	bool failed;
	enum api_outcome outcome;
	int http_status;
	char error[64];
	char action[64];
	char request_id[64];
	char message[512];
	long retry_after_s;
};

static void cmd_record_failure(struct cmd_failure *f, const struct api_response *r)
{
	if (f->failed)
		return;
	f->failed = true;
	f->outcome = r->outcome;
	f->http_status = r->http_status;
	f->retry_after_s = r->retry_after_s;
	sanitize_str(f->error, sizeof(f->error), r->has_error ? r->error.error : "");
	sanitize_str(f->action, sizeof(f->action), r->has_error ? r->error.action : "");
	sanitize_str(f->request_id, sizeof(f->request_id),
		     r->request_id[0] ? r->request_id : r->error.request_id);
	snprintf(f->message, sizeof(f->message), "%s", r->message);   /* already safe */
}

/* The one place that turns a failure into advice: a hint for people, or
 * NULL. */
static const char *cmd_hint(const struct cmd_failure *f)
{
	if (f->outcome == API_NETWORK_ERROR)
		return "check --api-base, the network, or --cacert for a private CA";
	if (f->http_status == 401)
		return "the API key was refused: check MINTFAX_API_KEY (or api-key in the config "
		       "file);\n  sandbox keys start with mfx_test_, live keys with mfx_live_";
	if (!strcmp(f->error, "account_not_activated"))
		return "this live key's account is not activated yet: make the first live credit "
		       "purchase\n  in the dashboard, or use a sandbox key (mfx_test_…)";
	if (!strcmp(f->error, "forbidden_key_kind"))
		return "an account key (mfx_acct_…) cannot use this route: use an environment "
		       "key\n  (mfx_test_… or mfx_live_…)";
	if (f->http_status == 403)
		return "the API key is not allowed to do this";
	return NULL;
}

static void cmd_explain(FILE *out, const char *cmd, const struct cmd_failure *f,
			const char *base)
{
	char safe_base[300];
	const char *hint = cmd_hint(f);

	sanitize_str(safe_base, sizeof(safe_base), base);
	if (f->outcome == API_NETWORK_ERROR) {
		fprintf(out, "faxtop %s: %s\n  (API base %s; %s)\n", cmd, f->message, safe_base,
			hint);
		return;
	}
	fprintf(out, "faxtop %s: %s\n", cmd, f->message);
	if (hint) {
		fprintf(out, "  %s\n", hint);
	} else if (f->outcome == API_RATE_LIMITED) {
		if (f->retry_after_s >= 0)
			fprintf(out, "  rate limited: try again in %ld s\n", f->retry_after_s);
		else
			fprintf(out, "  rate limited: try again shortly\n");
	}
	if (f->action[0])
		fprintf(out, "  suggested action: %s\n", f->action);
	if (f->request_id[0])
		fprintf(out, "  request id: %s\n", f->request_id);
}

static struct api_client *cmd_client(struct ev_loop *loop, struct config *cfg, const char *cmd)
{
	char err[512];

	if (!cfg->api_key || !*cfg->api_key) {
		fprintf(stderr, "faxtop %s: no API key configured: set MINTFAX_API_KEY, or api-key "
			"in the config file (mode 0600)\n", cmd);
		return NULL;
	}
	struct api_client_opts o = {
		.base_url = cfg->api_base,
		.api_key = cfg->api_key,
		.cacert = cfg->cacert,
		.connect_timeout = cfg->connect_timeout,
		.request_timeout = cfg->request_timeout,
	};
	struct api_client *c = api_client_new(loop, &o, err, sizeof(err));
	if (!c)
		fprintf(stderr, "faxtop %s: %s\n", cmd, err);
	return c;
}

static const char *cmd_environment(const char *key)
{
	if (!strncmp(key, "mfx_test_", 9))
		return "sandbox";
	if (!strncmp(key, "mfx_live_", 9))
		return "live";
	return "unknown";
}

static void cmd_money(char *buf, size_t len, int64_t cents)
{
	int64_t a = cents < 0 ? -cents : cents;

	snprintf(buf, len, "%s$%" PRId64 ".%02" PRId64, cents < 0 ? "-" : "", a / 100, a % 100);
}

/* ---- status ---- */

struct status_run {
	struct ev_loop *loop;
	struct api_client *api;
	int pending;
	struct cmd_failure fail;
	bool have_balance;
	struct balance_snapshot bal;
	size_t counts[FAX_STATUS_COUNT];
	size_t total;
	unsigned pages;
	bool complete;
	struct fax failures[STATUS_MAX_FAILURES];   /* the newest failures, newest first */
	size_t n_failures;
	/* faxes created since local midnight */
	int64_t day_start_ms;
	size_t today_sent, today_delivered, today_failed;
	long today_pages, today_delivered_pages;
};

/* When a failure happened: when the fax ended, else its last update. */
static int64_t status_failed_at(const struct fax *f)
{
	return f->completed_at != TS_NONE ? f->completed_at : f->updated_at;
}

/* Keeps the STATUS_MAX_FAILURES newest failures, newest first, whatever
 * order the list gives them in (it is by creation, not by failure). */
static void status_keep_failure(struct status_run *s, const struct fax *f)
{
	int64_t at = status_failed_at(f);
	size_t i = s->n_failures;

	if (i == STATUS_MAX_FAILURES) {
		if (at <= status_failed_at(&s->failures[i - 1]))
			return;
		fax_done(&s->failures[--i]);
		s->n_failures--;
	}
	while (i > 0 && status_failed_at(&s->failures[i - 1]) < at)
		i--;
	memmove(&s->failures[i + 1], &s->failures[i], (s->n_failures - i) * sizeof *s->failures);
	if (fax_copy(&s->failures[i], f) != 0) {
		memmove(&s->failures[i], &s->failures[i + 1],
			(s->n_failures - i) * sizeof *s->failures);
		return;
	}
	s->n_failures++;
}

static void status_count_today(struct status_run *s, const struct fax *f)
{
	if (f->created_at == TS_NONE || f->created_at < s->day_start_ms)
		return;
	s->today_sent++;
	s->today_pages += f->pages > 0 ? f->pages : 0;
	if (f->status == FAX_DELIVERED) {
		s->today_delivered++;
		s->today_delivered_pages += f->pages > 0 ? f->pages : 0;
	} else if (f->status == FAX_FAILED) {
		s->today_failed++;
	}
}

static int64_t status_local_midnight_ms(void)
{
	time_t now = time(NULL);
	struct tm tm;

	if (!localtime_r(&now, &tm))
		return (int64_t)now * 1000;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	return (int64_t)mktime(&tm) * 1000;
}

static void status_finish_one(struct status_run *s)
{
	if (--s->pending <= 0 || s->fail.failed)
		ev_break(s->loop, EVBREAK_ALL);
}

static void status_balance_done(void *ctx, const struct api_response *r)
{
	struct status_run *s = ctx;
	char err[256];

	if (r->outcome != API_OK) {
		cmd_record_failure(&s->fail, r);
	} else if (balance_parse(r->body, r->body_len, &s->bal, err, sizeof(err)) == 0) {
		s->have_balance = true;
	} else {
		struct api_response bad = *r;
		snprintf(bad.message, sizeof(bad.message),
			 "GET /environment/balance: unreadable answer: %.400s", err);
		bad.outcome = API_SERVER_ERROR;
		cmd_record_failure(&s->fail, &bad);
	}
	status_finish_one(s);
}

static int status_request_faxes(struct status_run *s, const char *cursor);

static void status_faxes_done(void *ctx, const struct api_response *r)
{
	struct status_run *s = ctx;
	struct fax_page page;
	char err[256];

	if (r->outcome != API_OK) {
		cmd_record_failure(&s->fail, r);
		status_finish_one(s);
		return;
	}
	memset(&page, 0, sizeof(page));
	if (fax_page_parse(r->body, r->body_len, &page, err, sizeof(err)) != 0) {
		struct api_response bad = *r;
		snprintf(bad.message, sizeof(bad.message), "GET /faxes: unreadable answer: %.400s",
			 err);
		bad.outcome = API_SERVER_ERROR;
		cmd_record_failure(&s->fail, &bad);
		fax_page_done(&page);
		status_finish_one(s);
		return;
	}
	s->pages++;
	for (size_t i = 0; i < page.n; i++) {
		const struct fax *f = &page.items[i];
		if ((unsigned)f->status < FAX_STATUS_COUNT)
			s->counts[f->status]++;
		s->total++;
		status_count_today(s, f);
		if (f->status == FAX_FAILED)
			status_keep_failure(s, f);
	}
	if (page.has_more && page.next_cursor && page.n > 0 && s->pages < STATUS_MAX_PAGES) {
		if (status_request_faxes(s, page.next_cursor) == 0) {
			fax_page_done(&page);
			return;   /* still pending */
		}
	}
	s->complete = !page.has_more;
	fax_page_done(&page);
	status_finish_one(s);
}

static int status_request_faxes(struct status_run *s, const char *cursor)
{
	char path[512], err[256];

	if (cursor) {
		char *esc = curl_easy_escape(NULL, cursor, 0);
		if (!esc)
			return -1;
		snprintf(path, sizeof(path), "/faxes?per_page=100&cursor=%s", esc);
		curl_free(esc);
	} else {
		snprintf(path, sizeof(path), "/faxes?per_page=100");
	}
	if (api_client_request(s->api, "GET", path, NULL, NULL, 0, status_faxes_done, s,
			       err, sizeof(err)) != 0) {
		fprintf(stderr, "faxtop status: %s\n", err);
		return -1;
	}
	return 0;
}

static const char *status_code_class(const char *code)
{
	return code ? errors_class_name(errors_fax_code(code)->cls) : "";
}

/* The local threshold (low-balance), in words: LOW below it, OUT at none. */
static const char *status_balance_flag(const struct status_run *s, long low)
{
	if (!s->have_balance)
		return NULL;
	if (s->bal.available <= 0)
		return "OUT";
	return low >= 0 && s->bal.available < low ? "LOW" : NULL;
}

/* Delivered share of the finished faxes, -1 when none finished. */
static int status_delivery_rate(const struct status_run *s)
{
	size_t done = s->today_delivered + s->today_failed;

	return done ? (int)((s->today_delivered * 100 + done / 2) / done) : -1;
}

static void status_print_today(FILE *out, const struct status_run *s)
{
	char spend[32], rate[16];
	int r = status_delivery_rate(s);

	cmd_money(spend, sizeof(spend), s->today_delivered_pages * CMD_EST_CENTS_PER_PAGE);
	if (r >= 0)
		snprintf(rate, sizeof(rate), "%d%%", r);
	else
		snprintf(rate, sizeof(rate), "-");
	fprintf(out, "today        %zu sent, %zu delivered, %zu failed, delivery rate %s, %ld pages,"
		" spend ~%s (est. %d cents a delivered page)%s\n", s->today_sent, s->today_delivered,
		s->today_failed, rate, s->today_pages, spend, CMD_EST_CENTS_PER_PAGE,
		s->complete ? "" : " (of the newest faxes read)");
}

static void status_print_text(FILE *out, const struct status_run *s, const char *env,
			      const char *base, long low)
{
	char a[32], h[32], l[32], buf[300], to[64], code[64], when[40];
	const char *flag = status_balance_flag(s, low);

	sanitize_str(buf, sizeof(buf), base);
	fprintf(out, "environment  %s (%s)\n", env, buf);
	if (s->have_balance) {
		cmd_money(a, sizeof(a), s->bal.available);
		cmd_money(h, sizeof(h), s->bal.held);
		cmd_money(l, sizeof(l), low);
		sanitize_str(buf, sizeof(buf), s->bal.type ? s->bal.type : "");
		fprintf(out, "balance      %s available, %s held%s%s%s", a, h,
			buf[0] ? " (" : "", buf, buf[0] ? " pool)" : "");
		if (flag && !strcmp(flag, "LOW"))
			fprintf(out, "  LOW (below %s)", l);
		else if (flag)
			fprintf(out, "  OUT of credit");
		fputc('\n', out);
	}
	status_print_today(out, s);
	fprintf(out, "faxes        %zu %s\n", s->total,
		s->complete ? "in total" : "(the newest ones; more exist)");
	fprintf(out, "            ");
	for (int st = 1; st < FAX_STATUS_COUNT; st++)
		fprintf(out, " %s %zu%s", fax_status_name((enum fax_status)st), s->counts[st],
			st + 1 < FAX_STATUS_COUNT ? "," : "\n");
	if (!s->n_failures) {
		fprintf(out, "recent failures: none\n");
		return;
	}
	fprintf(out, "recent failures (newest first):\n");
	for (size_t i = 0; i < s->n_failures; i++) {
		const struct fax *f = &s->failures[i];
		const struct fax_code_info *info = errors_fax_code(f->error_code);
		int64_t t = f->completed_at != TS_NONE ? f->completed_at : f->updated_at;

		sanitize_str(buf, sizeof(buf), f->id ? f->id : "?");
		sanitize_str(to, sizeof(to), f->to ? f->to : "-");
		sanitize_str(code, sizeof(code), f->error_code ? f->error_code : "no code");
		if (t != TS_NONE)
			iso8601_format_ms(t, when, sizeof(when));
		else
			snprintf(when, sizeof(when), "-");
		fprintf(out, "  %s  %s  %s  %s  %s (%s)\n", when, buf, to, code, info->meaning,
			status_code_class(f->error_code));
	}
}

/* A sanitised JSON string literal; "null" for NULL. */
static void status_json_str(FILE *out, const char *s)
{
	char safe[512];
	char *q;

	if (!s) {
		fputs("null", out);
		return;
	}
	sanitize_str(safe, sizeof(safe), s);
	q = json_quote(safe);
	fputs(q ? q : "null", out);
	free(q);
}

static void status_print_json(FILE *out, const struct status_run *s, const char *env,
			      long low)
{
	const char *flag = status_balance_flag(s, low);
	int rate = status_delivery_rate(s);

	fprintf(out, "{\"environment\":");
	status_json_str(out, env);
	fprintf(out, ",\"balance\":");
	if (s->have_balance) {
		fprintf(out, "{\"available\":%" PRId64 ",\"held\":%" PRId64 ",\"type\":",
			s->bal.available, s->bal.held);
		status_json_str(out, s->bal.type);
		fprintf(out, ",\"currency\":");
		status_json_str(out, s->bal.currency);
		fprintf(out, ",\"low\":%s,\"out\":%s}", flag ? "true" : "false",
			flag && !strcmp(flag, "OUT") ? "true" : "false");
	} else {
		fputs("null", out);
	}
	fprintf(out, ",\"faxes\":{\"total\":%zu,\"complete\":%s,\"by_status\":{", s->total,
		s->complete ? "true" : "false");
	for (int st = 1; st < FAX_STATUS_COUNT; st++)
		fprintf(out, "%s\"%s\":%zu", st > 1 ? "," : "",
			fax_status_name((enum fax_status)st), s->counts[st]);
	fprintf(out, "}},\"today\":{\"sent\":%zu,\"delivered\":%zu,\"failed\":%zu,"
		"\"delivery_rate\":", s->today_sent, s->today_delivered, s->today_failed);
	if (rate >= 0)
		fprintf(out, "%.2f", (double)s->today_delivered /
				     (double)(s->today_delivered + s->today_failed));
	else
		fputs("null", out);
	fprintf(out, ",\"pages\":%ld,\"estimated_spend\":%ld,\"cents_per_page\":%d},"
		"\"recent_failures\":[", s->today_pages,
		s->today_delivered_pages * CMD_EST_CENTS_PER_PAGE, CMD_EST_CENTS_PER_PAGE);
	for (size_t i = 0; i < s->n_failures; i++) {
		const struct fax *f = &s->failures[i];
		char when[40];
		int64_t t = f->completed_at != TS_NONE ? f->completed_at : f->updated_at;

		fprintf(out, "%s{\"id\":", i ? "," : "");
		status_json_str(out, f->id);
		fprintf(out, ",\"to\":");
		status_json_str(out, f->to);
		fprintf(out, ",\"error_code\":");
		status_json_str(out, f->error_code);
		fprintf(out, ",\"class\":");
		status_json_str(out, f->error_code ? status_code_class(f->error_code) : NULL);
		fprintf(out, ",\"at\":");
		if (t != TS_NONE) {
			iso8601_format_ms(t, when, sizeof(when));
			status_json_str(out, when);
		} else {
			fputs("null", out);
		}
		fputc('}', out);
	}
	fprintf(out, "]}\n");
}

static void status_usage(FILE *f)
{
	fprintf(f, "usage: faxtop status [--json] [OPTION]...\n"
		   "  Balance (LOW below low-balance), today's faxes, counts by status and the\n"
		   "  newest failures, read from the API (MINTFAX_API_KEY, --api-base). Options\n"
		   "  of faxtop itself may follow the command. Exit 0, 1 when the API refuses or\n"
		   "  cannot be reached, 2 on a usage error; under --json an error is a JSON\n"
		   "  object on stdout as well.\n");
}

/* Under --json an error is also a JSON object on stdout, so a script that
 * reads stdout sees why; the exit status is the same. */
static void status_json_error(const char *code, const char *message, const struct cmd_failure *f)
{
	const char *hint = f ? cmd_hint(f) : NULL;

	printf("{\"error\":{\"code\":");
	status_json_str(stdout, code);
	printf(",\"message\":");
	status_json_str(stdout, message);
	if (f) {
		printf(",\"http_status\":%d,\"action\":", f->http_status);
		status_json_str(stdout, f->action[0] ? f->action : NULL);
		printf(",\"request_id\":");
		status_json_str(stdout, f->request_id[0] ? f->request_id : NULL);
	}
	printf(",\"hint\":");
	status_json_str(stdout, hint);
	printf("}}\n");
	fflush(stdout);
}

static const char *status_failure_code(const struct cmd_failure *f)
{
	if (f->error[0])
		return f->error;
	return api_outcome_name(f->outcome);
}

/* 0 with --json noted, 1 for --help (printed), 2 for a usage error. */
static int status_args(int argc, char **argv, bool *json)
{
	char safe[128], msg[200];

	for (int i = 1; i < argc; i++)
		*json = *json || !strcmp(argv[i], "--json");
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			continue;
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			status_usage(stdout);
			return 1;
		}
		sanitize_str(safe, sizeof(safe), argv[i]);
		fprintf(stderr, "faxtop status: unexpected argument '%s'\n", safe);
		status_usage(stderr);
		if (*json) {
			snprintf(msg, sizeof(msg), "unexpected argument '%s'", safe);
			status_json_error("usage", msg, NULL);
		}
		return 2;
	}
	return 0;
}

static int status_run_requests(struct status_run *s, struct config *cfg, bool json)
{
	char err[256] = "";

	if (!cfg->api_key || !*cfg->api_key) {
		if (json)
			status_json_error("no_api_key", "no API key configured: set MINTFAX_API_KEY, "
					  "or api-key in the config file (mode 0600)", NULL);
	}
	s->api = cmd_client(s->loop, cfg, "status");
	if (!s->api) {
		if (json && cfg->api_key && *cfg->api_key)
			status_json_error("bad_config", "the API client could not be set up (see "
					  "the message on stderr)", NULL);
		return 2;
	}
	if (api_client_request(s->api, "GET", "/environment/balance", NULL, NULL, 0,
			       status_balance_done, s, err, sizeof(err)) != 0 ||
	    status_request_faxes(s, NULL) != 0) {
		if (err[0])
			fprintf(stderr, "faxtop status: %s\n", err);
		if (json)
			status_json_error("request", err[0] ? err : "the request could not be made",
					  NULL);
		return 1;
	}
	s->pending = 2;
	ev_run(s->loop, 0);
	if (s->fail.failed) {
		cmd_explain(stderr, "status", &s->fail, cfg->api_base);
		if (json)
			status_json_error(status_failure_code(&s->fail), s->fail.message, &s->fail);
		return 1;
	}
	return 0;
}

int cmd_status(struct config *cfg, int argc, char **argv)
{
	bool json = false;
	int rc = status_args(argc, argv, &json);

	if (rc)
		return rc == 1 ? 0 : rc;
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct status_run *s = loop ? calloc(1, sizeof(*s)) : NULL;
	if (!s) {
		fprintf(stderr, "faxtop status: out of memory\n");
		if (json)
			status_json_error("internal", "out of memory", NULL);
		if (loop)
			ev_loop_destroy(loop);
		return 1;
	}
	s->loop = loop;
	s->day_start_ms = status_local_midnight_ms();
	balance_snapshot_init(&s->bal);
	rc = status_run_requests(s, cfg, json);
	if (rc == 0) {
		if (json)
			status_print_json(stdout, s, cmd_environment(cfg->api_key), cfg->low_balance);
		else
			status_print_text(stdout, s, cmd_environment(cfg->api_key), cfg->api_base,
					  cfg->low_balance);
		rc = fflush(stdout) == 0 ? 0 : 1;
	}
	api_client_free(s->api);
	balance_snapshot_done(&s->bal);
	for (size_t i = 0; i < s->n_failures; i++)
		fax_done(&s->failures[i]);
	free(s);
	ev_loop_destroy(loop);
	return rc;
}

/* ---- resend ---- */

struct resend_run {
	struct ev_loop *loop;
	struct api_client *api;
	const char *path;
	const char *body;
	const char *key;
	int tries;
	bool done;
	bool ok;
	char new_id[128];
	struct cmd_failure fail;
};

static int resend_send(struct resend_run *s);

static bool resend_retryable(const struct api_response *r)
{
	if (r->outcome == API_NETWORK_ERROR || r->outcome == API_SERVER_ERROR)
		return true;
	if (r->outcome == API_RATE_LIMITED)
		return r->retry_after_s < 0 || r->retry_after_s <= RESEND_MAX_WAIT_S;
	return r->http_status == 409 && r->has_error &&
	       !strcmp(r->error.error, "idempotency_key_in_progress");
}

static void resend_done(void *ctx, const struct api_response *r)
{
	struct resend_run *s = ctx;

	if (r->outcome == API_OK) {
		struct fax f;
		char err[256];

		fax_init(&f);
		if (fax_parse(r->body, r->body_len, &f, err, sizeof(err)) == 0 && f.id) {
			sanitize_str(s->new_id, sizeof(s->new_id), f.id);
			s->ok = true;
		} else {
			struct api_response bad = *r;
			snprintf(bad.message, sizeof(bad.message),
				 "the API accepted the resend (HTTP %d) but its answer could not be "
				 "read: %.300s", r->http_status, f.id ? err : "no fax id");
			bad.outcome = API_SERVER_ERROR;
			bad.has_error = false;
			cmd_record_failure(&s->fail, &bad);
		}
		fax_done(&f);
	} else if (resend_retryable(r) && s->tries < RESEND_MAX_TRIES) {
		/* The same Idempotency-Key: if the first attempt did reach
		 * mintfax, this returns that fax instead of making another.
		 * The client's gate spaces the retry (backoff or Retry-After). */
		if (resend_send(s) == 0)
			return;
		cmd_record_failure(&s->fail, r);
	} else {
		cmd_record_failure(&s->fail, r);
	}
	s->done = true;
	ev_break(s->loop, EVBREAK_ALL);
}

static int resend_send(struct resend_run *s)
{
	char err[256];

	s->tries++;
	if (api_client_request(s->api, "POST", s->path, s->body, s->key, API_REQ_URGENT,
			       resend_done, s, err, sizeof(err)) != 0) {
		fprintf(stderr, "faxtop resend: %s\n", err);
		return -1;
	}
	return 0;
}

static void resend_usage(FILE *f)
{
	fprintf(f, "usage: faxtop resend FAX_ID [--to E164] [--max-attempts 1-5] "
		   "[--idempotency-key KEY]\n"
		   "  Resubmits a failed fax's document as a new fax and prints the new fax id.\n"
		   "  --to             send to this number instead (E.164, e.g. +15551234567)\n"
		   "  --max-attempts   delivery attempts for the new fax\n"
		   "  --idempotency-key  repeat an earlier resend safely: the same key never\n"
		   "                   creates a second fax (a fresh key is made otherwise)\n"
		   "  Exit 0, 1 when the API refuses or cannot be reached, 2 on a usage error.\n");
}

/* The audit trail the TUI's resends also write (store_put_resend). Best
 * effort: the resend has happened whatever the local database says, so a
 * store that cannot be opened is a warning, not a failure. */
static void resend_audit(struct config *cfg, const char *fax_id, const struct resend_run *s,
			 const char *to, long max_attempts)
{
	char path[4096], err[512];
	struct store *st;

	if (cfg->db)
		snprintf(path, sizeof(path), "%s", cfg->db);
	else if (config_default_db(path, sizeof(path)) != 0)
		return;
	struct store_opts so = { .path = path };
	st = store_open(&so, err, sizeof(err));
	if (!st) {
		fprintf(stderr, "faxtop resend: warning: not recorded in the local audit trail: %s\n",
			err);
		return;
	}
	struct store_resend a = {
		.at_ms = clock_now_ms(NULL),
		.fax_id = fax_id,
		.new_fax_id = s->ok ? s->new_id : NULL,
		.error = s->ok ? NULL : s->fail.error[0] ? s->fail.error
		       : api_outcome_name(s->fail.outcome),
		.idempotency_key = s->key,
		.request_id = s->ok ? NULL : s->fail.request_id[0] ? s->fail.request_id : NULL,
		.to = to,
		.max_attempts = (int)max_attempts,
	};
	if (store_put_resend(st, &a) != 0 || store_commit(st) != 0)
		fprintf(stderr, "faxtop resend: warning: not recorded in the local audit trail: %s\n",
			store_last_error(st));
	store_close(st);
}

/* "--name VALUE" or "--name=VALUE"; advances *i past a separate value. */
static const char *resend_opt(int argc, char **argv, int *i, const char *name)
{
	size_t n = strlen(name);

	if (strncmp(argv[*i], name, n))
		return NULL;
	if (argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (argv[*i][n] != '\0')
		return NULL;
	if (*i + 1 >= argc)
		return "";
	return argv[++*i];
}

int cmd_resend(struct config *cfg, int argc, char **argv)
{
	const char *fax_id = NULL, *to = NULL, *key = NULL, *v;
	long max_attempts = 0;
	char safe[160];

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			resend_usage(stdout);
			return 0;
		} else if ((v = resend_opt(argc, argv, &i, "--to"))) {
			if (!poller_valid_e164(v)) {
				sanitize_str(safe, sizeof(safe), v);
				fprintf(stderr, "faxtop resend: --to '%s' is not an E.164 number "
					"(like +15551234567)\n", safe);
				return 2;
			}
			to = v;
		} else if ((v = resend_opt(argc, argv, &i, "--max-attempts"))) {
			char *end;
			errno = 0;
			max_attempts = strtol(v, &end, 10);
			if (errno || !*v || *end || max_attempts < 1 || max_attempts > 5) {
				sanitize_str(safe, sizeof(safe), v);
				fprintf(stderr, "faxtop resend: --max-attempts '%s' must be a whole "
					"number from 1 to 5\n", safe);
				return 2;
			}
		} else if ((v = resend_opt(argc, argv, &i, "--idempotency-key"))) {
			size_t n = strlen(v);
			bool good = n > 0 && n <= 255;
			for (size_t k = 0; good && k < n; k++)
				good = (unsigned char)v[k] > 0x20 && (unsigned char)v[k] < 0x7f;
			if (!good) {
				fprintf(stderr, "faxtop resend: --idempotency-key must be 1 to 255 "
					"visible ASCII characters\n");
				return 2;
			}
			key = v;
		} else if (argv[i][0] == '-') {
			sanitize_str(safe, sizeof(safe), argv[i]);
			fprintf(stderr, "faxtop resend: unknown option '%s'\n", safe);
			resend_usage(stderr);
			return 2;
		} else if (fax_id) {
			fprintf(stderr, "faxtop resend: one fax id at a time\n");
			return 2;
		} else {
			fax_id = argv[i];
		}
	}
	if (!fax_id) {
		resend_usage(stderr);
		return 2;
	}
	if (!poller_valid_fax_id(fax_id)) {
		sanitize_str(safe, sizeof(safe), fax_id);
		fprintf(stderr, "faxtop resend: '%s' is not a fax id (like fax_8aZqRm4yT3vK7pNxJ2bH9c)\n",
			safe);
		return 2;
	}
	if (cfg->read_only) {
		fprintf(stderr, "faxtop resend: refused in read-only mode\n");
		return 2;
	}

	char fresh[37], path[128], *body = NULL, *to_json = NULL;
	int rc = 1;
	if (!key) {
		poller_new_idempotency_key(fresh);
		key = fresh;
	}
	snprintf(path, sizeof(path), "/faxes/%s/resend", fax_id);
	if (to && !(to_json = json_quote(to))) {
		fprintf(stderr, "faxtop resend: out of memory\n");
		return 1;
	}
	char ma[32] = "", max_opt[40] = "";
	if (max_attempts) {
		snprintf(ma, sizeof(ma), "\"max_attempts\":%ld", max_attempts);
		snprintf(max_opt, sizeof(max_opt), " --max-attempts %ld", max_attempts);
	}
	if (asprintf(&body, "{%s%s%s%s}", to_json ? "\"to\":" : "", to_json ? to_json : "",
		     to_json && ma[0] ? "," : "", ma) < 0) {
		free(to_json);
		fprintf(stderr, "faxtop resend: out of memory\n");
		return 1;
	}
	free(to_json);

	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct resend_run s = { .loop = loop, .path = path, .body = body, .key = key };
	if (!loop) {
		free(body);
		fprintf(stderr, "faxtop resend: cannot create an event loop\n");
		return 1;
	}
	s.api = cmd_client(loop, cfg, "resend");
	if (!s.api) {
		rc = 2;
		goto out;
	}
	if (resend_send(&s) != 0)
		goto out;
	ev_run(loop, 0);
	resend_audit(cfg, fax_id, &s, to, max_attempts);
	if (s.ok) {
		printf("%s\n", s.new_id);
		rc = fflush(stdout) == 0 ? 0 : 1;
	} else {
		cmd_explain(stderr, "resend", &s.fail, cfg->api_base);
		if (s.fail.outcome == API_NETWORK_ERROR || s.fail.outcome == API_SERVER_ERROR ||
		    s.fail.outcome == API_RATE_LIMITED)
			fprintf(stderr, "  to retry this same action safely (never two faxes):\n"
				"    faxtop resend %s --idempotency-key %s%s%s%s\n", fax_id, key,
				to ? " --to " : "", to ? to : "", max_opt);
		rc = 1;
	}
out:
	api_client_free(s.api);
	ev_loop_destroy(loop);
	free(body);
	return rc;
}
