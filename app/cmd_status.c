/* faxtop status: the balance, today's counts by status and the recent
 * failures, read with one short ev loop around api_client. Every string
 * from the API is sanitised before printing (and before JSON quoting, for
 * --json). */
#include <config.h> /* autoconf's; "config.h" would find core/base/options.h */

#include "app/cmd_api.h"
#include "app/cmd_int.h"

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

#define STATUS_MAX_PAGES    10 /* up to 1,000 faxes read for the counts */
#define STATUS_MAX_FAILURES 10
/* mintfax publishes no price: the same documented assumption as the TUI's
 * resend estimate (TUI_EST_CENTS_PER_PAGE), said wherever it is used. */
#define CMD_EST_CENTS_PER_PAGE 7

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
	struct fax failures[STATUS_MAX_FAILURES]; /* the newest failures, newest first */
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
	} else if (wire_balance_parse(r->body, r->body_len, &s->bal, err, sizeof err) == 0) {
		s->have_balance = true;
	} else {
		struct api_response bad = *r;
		snprintf(bad.message, sizeof bad.message,
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
	memset(&page, 0, sizeof page);
	if (wire_fax_page_parse(r->body, r->body_len, &page, err, sizeof err) != 0) {
		struct api_response bad = *r;
		snprintf(bad.message, sizeof bad.message, "GET /faxes: unreadable answer: %.400s",
			 err);
		bad.outcome = API_SERVER_ERROR;
		cmd_record_failure(&s->fail, &bad);
		wire_fax_page_done(&page);
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
			wire_fax_page_done(&page);
			return; /* still pending */
		}
	}
	s->complete = !page.has_more;
	wire_fax_page_done(&page);
	status_finish_one(s);
}

static int status_request_faxes(struct status_run *s, const char *cursor)
{
	char path[512], err[256];

	if (cursor) {
		char *esc = curl_easy_escape(NULL, cursor, 0);
		if (!esc)
			return -1;
		snprintf(path, sizeof path, "/faxes?per_page=100&cursor=%s", esc);
		curl_free(esc);
	} else {
		snprintf(path, sizeof path, "/faxes?per_page=100");
	}
	if (api_client_request(s->api, "GET", path, NULL, NULL, 0, status_faxes_done, s, err,
			       sizeof err) != 0) {
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

	cmd_money(spend, sizeof spend, s->today_delivered_pages * CMD_EST_CENTS_PER_PAGE);
	if (r >= 0)
		snprintf(rate, sizeof rate, "%d%%", r);
	else
		snprintf(rate, sizeof rate, "-");
	fprintf(out,
		"today        %zu sent, %zu delivered, %zu failed, delivery rate %s, %ld pages,"
		" spend ~%s (est. %d cents a delivered page)%s\n",
		s->today_sent, s->today_delivered, s->today_failed, rate, s->today_pages, spend,
		CMD_EST_CENTS_PER_PAGE, s->complete ? "" : " (of the newest faxes read)");
}

static void status_print_text(FILE *out, const struct status_run *s, const char *env,
			      const char *base, long low)
{
	char a[32], h[32], l[32], buf[300], to[64], code[64], when[40];
	const char *flag = status_balance_flag(s, low);

	sanitize_str(buf, sizeof buf, base);
	fprintf(out, "environment  %s (%s)\n", env, buf);
	if (s->have_balance) {
		cmd_money(a, sizeof a, s->bal.available);
		cmd_money(h, sizeof h, s->bal.held);
		cmd_money(l, sizeof l, low);
		sanitize_str(buf, sizeof buf, s->bal.type ? s->bal.type : "");
		fprintf(out, "balance      %s available, %s held%s%s%s", a, h, buf[0] ? " (" : "",
			buf, buf[0] ? " pool)" : "");
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

		sanitize_str(buf, sizeof buf, f->id ? f->id : "?");
		sanitize_str(to, sizeof to, f->to ? f->to : "-");
		sanitize_str(code, sizeof code, f->error_code ? f->error_code : "no code");
		if (t != TS_NONE)
			iso8601_format_ms(t, when, sizeof when);
		else
			snprintf(when, sizeof when, "-");
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
	sanitize_str(safe, sizeof safe, s);
	q = wire_json_quote(safe);
	fputs(q ? q : "null", out);
	free(q);
}

static void status_print_json(FILE *out, const struct status_run *s, const char *env, long low)
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
	fprintf(out,
		"}},\"today\":{\"sent\":%zu,\"delivered\":%zu,\"failed\":%zu,"
		"\"delivery_rate\":",
		s->today_sent, s->today_delivered, s->today_failed);
	if (rate >= 0)
		fprintf(out, "%.2f",
			(double)s->today_delivered /
				(double)(s->today_delivered + s->today_failed));
	else
		fputs("null", out);
	fprintf(out,
		",\"pages\":%ld,\"estimated_spend\":%ld,\"cents_per_page\":%d},"
		"\"recent_failures\":[",
		s->today_pages, s->today_delivered_pages * CMD_EST_CENTS_PER_PAGE,
		CMD_EST_CENTS_PER_PAGE);
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
			iso8601_format_ms(t, when, sizeof when);
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
	fprintf(f,
		"usage: faxtop status [--json] [OPTION]...\n"
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
		sanitize_str(safe, sizeof safe, argv[i]);
		fprintf(stderr, "faxtop status: unexpected argument '%s'\n", safe);
		status_usage(stderr);
		if (*json) {
			snprintf(msg, sizeof msg, "unexpected argument '%s'", safe);
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
			status_json_error("no_api_key",
					  "no API key configured: set MINTFAX_API_KEY, "
					  "or api-key in the config file (mode 0600)",
					  NULL);
	}
	s->api = cmd_client(s->loop, cfg, "status");
	if (!s->api) {
		if (json && cfg->api_key && *cfg->api_key)
			status_json_error("bad_config",
					  "the API client could not be set up (see "
					  "the message on stderr)",
					  NULL);
		return 2;
	}
	if (api_client_request(s->api, "GET", "/environment/balance", NULL, NULL, 0,
			       status_balance_done, s, err, sizeof err) != 0 ||
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
	struct status_run *s = xcalloc(1, sizeof *s);
	s->loop = loop;
	s->day_start_ms = status_local_midnight_ms();
	balance_snapshot_init(&s->bal);
	rc = status_run_requests(s, cfg, json);
	if (rc == 0) {
		if (json)
			status_print_json(stdout, s, cmd_environment(cfg->api_key),
					  cfg->low_balance);
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
