/* faxtop status and faxtop resend. Each runs its own short ev loop around
 * api_client and stops at the first refusal, with a message that says what
 * to do about it. Every string from the API is sanitised before printing
 * (and before JSON quoting, for --json). */
#include <config.h>   /* autoconf's; "config.h" would find core/base/options.h */

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

#include "core/api/api_client.h"
#include "core/base/clock.h"
#include "core/base/options.h"
#include "core/base/errors.h"
#include "core/model/event.h"
#include "core/wire/event_parse.h"
#include "core/api/poller.h"
#include "core/api/resend.h"
#include "core/base/sanitize.h"
#include "core/store/store.h"
#include "core/base/xalloc.h"

#define STATUS_MAX_PAGES 10        /* up to 1,000 faxes read for the counts */
#define STATUS_MAX_FAILURES 10
/* mintfax publishes no price: the same documented assumption as the TUI's
 * resend estimate (TUI_EST_CENTS_PER_PAGE), said wherever it is used. */
#define CMD_EST_CENTS_PER_PAGE 7

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
	fax_copy(&s->failures[i], f);
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
	if (!loop) {
		fprintf(stderr, "faxtop status: cannot create the event loop\n");
		if (json)
			status_json_error("internal", "cannot create the event loop", NULL);
		return 1;
	}
	struct status_run *s = xcalloc(1, sizeof(*s));
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

/* Through core/api/resend.c like the TUI's: the ledger in the same database
 * (a running faxtop may hold it: the busy timeout waits, this is no loop
 * that others share), the key committed before the POST, bounded retries
 * with the same key. */
struct resend_run {
	struct ev_loop *loop;
	bool done, ok, settled, reused;
	char new_id[128];
	char key[RESEND_KEY_MAX];
	char to[64];
	struct cmd_failure fail;
};

#define RESEND_BUSY_MS 5000

static void resend_done(void *ctx, const struct resend_result *r)
{
	struct resend_run *s = ctx;
	struct cmd_failure *f = &s->fail;

	s->done = true;
	s->ok = r->ok;
	s->settled = r->settled;
	s->reused = r->reused_key;
	snprintf(s->key, sizeof(s->key), "%s", r->key ? r->key : "");
	if (r->ok) {
		sanitize_str(s->new_id, sizeof(s->new_id), r->new_fax_id);
	} else {
		f->failed = true;
		f->outcome = r->outcome;
		f->http_status = r->http_status;
		f->retry_after_s = r->retry_after_s;
		snprintf(f->error, sizeof(f->error), "%s", r->error ? r->error : "");
		snprintf(f->action, sizeof(f->action), "%s", r->action ? r->action : "");
		snprintf(f->request_id, sizeof(f->request_id), "%s",
			 r->request_id ? r->request_id : "");
		snprintf(f->message, sizeof(f->message), "%s",
			 r->http_status || r->outcome == API_NETWORK_ERROR ?
			 (r->api_message ? r->api_message : "") : (r->message ? r->message : ""));
	}
	ev_break(s->loop, EVBREAK_ALL);
}

static void resend_usage(FILE *f)
{
	fprintf(f, "usage: faxtop resend FAX_ID [--to E164] [--max-attempts 1-5] [--again]\n"
		   "  Resubmits a failed fax's document as a new fax and prints the new fax id.\n"
		   "  --to             send to this number instead (E.164, e.g. +15551234567)\n"
		   "  --max-attempts   delivery attempts for the new fax\n"
		   "  --again          resend although the fax was resent already (another fax)\n"
		   "  --idempotency-key KEY  use this key instead of the ledger's\n"
		   "  The key of a resend whose outcome is unknown (a timeout, a crash, the\n"
		   "  TUI's) is kept in the database and reused, so retrying never makes a\n"
		   "  second fax.\n"
		   "  Exit 0, 1 when the API refuses, cannot be reached or the fax was resent\n"
		   "  already, 2 on a usage error.\n");
}

static struct store *resend_open_store(struct config *cfg)
{
	char path[4096], err[512];
	struct store *st;

	if (cfg->db)
		snprintf(path, sizeof(path), "%s", cfg->db);
	else if (config_default_db(path, sizeof(path)) != 0) {
		fprintf(stderr, "faxtop resend: no database path (set --db)\n");
		return NULL;
	}
	struct store_opts so = { .path = path, .busy_ms = RESEND_BUSY_MS };
	st = store_open(&so, err, sizeof(err));
	if (!st)
		fprintf(stderr, "faxtop resend: %s: the resend ledger is needed to resend safely\n",
			err);
	return st;
}

/* An earlier resend: named, and refused without --again. */
static bool resend_refuse_prior(struct resender *r, struct store *st, const char *fax_id,
				bool again, const char *key)
{
	struct resend_prior p;
	char when[32], status[32] = "status unknown";
	struct fax f;

	if (resend_prior(r, NULL, fax_id, &p) < 0) {
		fprintf(stderr, "faxtop resend: the resend ledger cannot be read: %s\n",
			store_last_error(st));
		return true;
	}
	if (p.kind != RESEND_PRIOR_SENT || again || (key && !strcmp(key, p.key)))
		return false;
	fax_init(&f);
	if (p.new_fax_id[0] && store_get_fax(st, p.new_fax_id, &f, NULL, NULL) == 0)
		snprintf(status, sizeof(status), "%s", fax_status_name(f.status));
	fax_done(&f);
	resend_fmt_time(p.at_ms, when, sizeof(when));
	fprintf(stderr, "faxtop resend: %s was resent already as %s on %s (%s, key %s)\n"
		"  to send another fax anyway: faxtop resend %s --again\n", fax_id,
		p.new_fax_id[0] ? p.new_fax_id : "a fax", when, status, p.key, fax_id);
	return true;
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

static int resend_parse(int argc, char **argv, struct resend_req *q)
{
	const char *v;
	char safe[160];

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			resend_usage(stdout);
			return 0;
		} else if (!strcmp(argv[i], "--again")) {
			q->again = true;
		} else if ((v = resend_opt(argc, argv, &i, "--to"))) {
			if (!resend_valid_e164(v)) {
				sanitize_str(safe, sizeof(safe), v);
				fprintf(stderr, "faxtop resend: --to '%s' is not an E.164 number "
					"(like +15551234567)\n", safe);
				return 2;
			}
			q->to = v;
		} else if ((v = resend_opt(argc, argv, &i, "--max-attempts"))) {
			char *end;
			errno = 0;
			long n = strtol(v, &end, 10);
			if (errno || !*v || *end || n < 1 || n > 5) {
				sanitize_str(safe, sizeof(safe), v);
				fprintf(stderr, "faxtop resend: --max-attempts '%s' must be a whole "
					"number from 1 to 5\n", safe);
				return 2;
			}
			q->max_attempts = (int)n;
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
			q->key = v;
		} else if (argv[i][0] == '-') {
			sanitize_str(safe, sizeof(safe), argv[i]);
			fprintf(stderr, "faxtop resend: unknown option '%s'\n", safe);
			resend_usage(stderr);
			return 2;
		} else if (q->fax_id) {
			fprintf(stderr, "faxtop resend: one fax id at a time\n");
			return 2;
		} else {
			q->fax_id = argv[i];
		}
	}
	if (!q->fax_id) {
		resend_usage(stderr);
		return 2;
	}
	if (!resend_valid_fax_id(q->fax_id)) {
		sanitize_str(safe, sizeof(safe), q->fax_id);
		fprintf(stderr, "faxtop resend: '%s' is not a fax id (like fax_8aZqRm4yT3vK7pNxJ2bH9c)\n",
			safe);
		return 2;
	}
	return -1;
}

static void resend_report(struct config *cfg, const struct resend_req *q,
			  const struct resend_run *s)
{
	if (!strcmp(s->fail.error, "not_sent")) {
		fprintf(stderr, "faxtop resend: %s\n", s->fail.message);
		return;
	}
	cmd_explain(stderr, "resend", &s->fail, cfg->api_base);
	if (!s->settled)
		fprintf(stderr, "  the outcome is unknown; the key %s is kept: run faxtop resend %s "
			"again to retry it safely (never two faxes)\n", s->key, q->fax_id);
}

/* The loop: the pending row commits (store_attach's prepare watcher),
 * then the POST goes out, then the outcome is committed at the end. */
static int resend_run_loop(struct config *cfg, struct store *st, const struct resend_req *q)
{
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct resend_run s = { .loop = loop };
	struct resend_opts ro = { 0 };
	struct api_client *api;
	struct resender *r = NULL;
	char err[512];
	int rc = 1;

	if (!loop) {
		fprintf(stderr, "faxtop resend: cannot create an event loop\n");
		return 1;
	}
	if (!(api = cmd_client(loop, cfg, "resend"))) {
		ev_loop_destroy(loop);
		return 2;
	}
	store_attach(st, loop);
	if (!(r = resend_new(loop, api, st, NULL, NULL, NULL, &ro))) {
		fprintf(stderr, "faxtop resend: out of memory\n");
	} else if (!resend_refuse_prior(r, st, q->fax_id, q->again, q->key)) {
		if (resend_start(r, NULL, q, resend_done, &s, err, sizeof(err)) != 0) {
			fprintf(stderr, "faxtop resend: %s\n", err);
		} else {
			ev_run(loop, 0);
			store_commit(st);
			if (s.ok) {
				if (s.reused)
					fprintf(stderr, "faxtop resend: the earlier key %s was reused\n",
						s.key);
				printf("%s\n", s.new_id);
				rc = fflush(stdout) == 0 ? 0 : 1;
			} else {
				resend_report(cfg, q, &s);
			}
		}
	}
	resend_free(r);
	store_detach(st);
	store_commit(st);
	api_client_free(api);
	ev_loop_destroy(loop);
	return rc;
}

int cmd_resend(struct config *cfg, int argc, char **argv)
{
	struct resend_req q = { 0 };
	struct store *st;
	int rc = resend_parse(argc, argv, &q);

	if (rc >= 0)
		return rc;
	if (cfg->read_only) {
		fprintf(stderr, "faxtop resend: refused in read-only mode\n");
		return 2;
	}
	if (!(st = resend_open_store(cfg)))
		return 1;
	rc = resend_run_loop(cfg, st, &q);
	store_close(st);
	return rc;
}
