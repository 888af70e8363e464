/* faxtop resend, and what it shares with faxtop status (cmd_status.c): each
 * runs its own short ev loop around api_client and stops at the first
 * refusal, with a message that says what to do about it. Every string from
 * the API is sanitised before printing. */
#include <config.h> /* autoconf's; "config.h" would find core/base/options.h */

#include "app/cmd_api.h"
#include "app/app_team.h"
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

void cmd_record_failure(struct cmd_failure *f, const struct api_response *r)
{
	if (f->failed)
		return;
	f->failed = true;
	f->outcome = r->outcome;
	f->http_status = r->http_status;
	f->retry_after_s = r->retry_after_s;
	sanitize_str(f->error, sizeof f->error, r->has_error ? r->error.error : "");
	sanitize_str(f->action, sizeof f->action, r->has_error ? r->error.action : "");
	sanitize_str(f->request_id, sizeof f->request_id,
		     r->request_id[0] ? r->request_id : r->error.request_id);
	snprintf(f->message, sizeof f->message, "%s", r->message); /* already safe */
}

const char *cmd_hint(const struct cmd_failure *f)
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

void cmd_explain(FILE *out, const char *cmd, const struct cmd_failure *f, const char *base)
{
	char safe_base[300];
	const char *hint = cmd_hint(f);

	sanitize_str(safe_base, sizeof safe_base, base);
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

struct api_client *cmd_client(struct ev_loop *loop, struct config *cfg, const char *cmd)
{
	char err[512];

	if (!cfg->api_key || !*cfg->api_key) {
		fprintf(stderr,
			"faxtop %s: no API key configured: set MINTFAX_API_KEY, or api-key "
			"in the config file (mode 0600)\n",
			cmd);
		return NULL;
	}
	struct api_client_opts o = {
		.base_url = cfg->api_base,
		.api_key = cfg->api_key,
		.cacert = cfg->cacert,
		.connect_timeout = cfg->connect_timeout,
		.request_timeout = cfg->request_timeout,
	};
	struct api_client *c = api_client_new(loop, &o, err, sizeof err);
	if (!c)
		fprintf(stderr, "faxtop %s: %s\n", cmd, err);
	return c;
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
	snprintf(s->key, sizeof s->key, "%s", r->key ? r->key : "");
	if (r->ok) {
		sanitize_str(s->new_id, sizeof s->new_id, r->new_fax_id);
	} else {
		f->failed = true;
		f->outcome = r->outcome;
		f->http_status = r->http_status;
		f->retry_after_s = r->retry_after_s;
		snprintf(f->error, sizeof f->error, "%s", r->error ? r->error : "");
		snprintf(f->action, sizeof f->action, "%s", r->action ? r->action : "");
		snprintf(f->request_id, sizeof f->request_id, "%s",
			 r->request_id ? r->request_id : "");
		snprintf(f->message, sizeof f->message, "%s",
			 r->http_status || r->outcome == API_NETWORK_ERROR
				 ? (r->api_message ? r->api_message : "")
				 : (r->message ? r->message : ""));
	}
	ev_break(s->loop, EVBREAK_ALL);
}

static void resend_usage(FILE *f)
{
	fprintf(f,
		"usage: faxtop resend FAX_ID [--to E164] [--max-attempts 1-5] [--again]\n"
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

	if (config_db_path(cfg, path, sizeof path) != 0) {
		fprintf(stderr, "faxtop resend: no database path (set --db)\n");
		return NULL;
	}
	struct store_opts so = { .path = path, .busy_ms = RESEND_BUSY_MS };
	st = store_open(&so, err, sizeof err);
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
	char when[32], status[48] = "its status not in this database yet";
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
		snprintf(status, sizeof status, "%s", fax_status_name(f.status));
	fax_done(&f);
	resend_fmt_time(p.at_ms, when, sizeof when);
	fprintf(stderr,
		"faxtop resend: %s was resent already as %s on %s (%s, key %s)\n"
		"  to send another fax anyway: faxtop resend %s --again\n",
		fax_id, p.new_fax_id[0] ? p.new_fax_id : "a fax", when, status, p.key, fax_id);
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
				sanitize_str(safe, sizeof safe, v);
				fprintf(stderr,
					"faxtop resend: --to '%s' is not an E.164 number "
					"(like +15551234567)\n",
					safe);
				return 2;
			}
			q->to = v;
		} else if ((v = resend_opt(argc, argv, &i, "--max-attempts"))) {
			char *end;
			errno = 0;
			long n = strtol(v, &end, 10);
			if (errno || !*v || *end || n < 1 || n > 5) {
				sanitize_str(safe, sizeof safe, v);
				fprintf(stderr,
					"faxtop resend: --max-attempts '%s' must be a whole "
					"number from 1 to 5\n",
					safe);
				return 2;
			}
			q->max_attempts = (int)n;
		} else if ((v = resend_opt(argc, argv, &i, "--idempotency-key"))) {
			size_t n = strlen(v);
			bool good = n > 0 && n <= 255;
			for (size_t k = 0; good && k < n; k++)
				good = (unsigned char)v[k] > 0x20 && (unsigned char)v[k] < 0x7f;
			if (!good) {
				fprintf(stderr,
					"faxtop resend: --idempotency-key must be 1 to 255 "
					"visible ASCII characters\n");
				return 2;
			}
			q->key = v;
		} else if (argv[i][0] == '-') {
			sanitize_str(safe, sizeof safe, argv[i]);
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
		sanitize_str(safe, sizeof safe, q->fax_id);
		fprintf(stderr,
			"faxtop resend: '%s' is not a fax id (like fax_8aZqRm4yT3vK7pNxJ2bH9c)\n",
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
	if (!strcmp(s->fail.error, "claimed")) { /* another desk of the team has it */
		fprintf(stderr, "faxtop resend: %s not resent, nothing was sent: %s\n", q->fax_id,
			s->fail.message);
		return;
	}
	cmd_explain(stderr, "resend", &s->fail, cfg->api_base);
	if (!s->settled)
		fprintf(stderr,
			"  the outcome is unknown; the key %s is kept: run faxtop resend %s "
			"again to retry it safely (never two faxes)\n",
			s->key, q->fax_id);
}

/* The loop: the pending row commits (store_attach's prepare watcher),
 * then the POST goes out, then the outcome is committed at the end. */
static int resend_run_loop(struct config *cfg, struct store *st, const struct resend_req *q)
{
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct resend_run s = { .loop = loop };
	struct resend_opts ro = { 0 };
	char who[128];
	struct app_team_gate team;
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
	resend_who(who, sizeof who);
	ro.who = app_who(cfg, who);
	/* Team mode: the fax is claimed in the shared store before it goes out. */
	if (app_team_gate_open(loop, cfg, &team, err, sizeof err) != 0) {
		fprintf(stderr, "faxtop resend: %s\n", err);
		api_client_free(api);
		ev_loop_destroy(loop);
		return 1;
	}
	ro.gate = team.gate;
	store_attach(st, loop);
	if (!(r = resend_new(loop, api, st, NULL, NULL, NULL, &ro))) {
		fprintf(stderr, "faxtop resend: out of memory\n");
	} else if (!resend_refuse_prior(r, st, q->fax_id, q->again, q->key)) {
		if (resend_start(r, NULL, q, resend_done, &s, err, sizeof err) != 0) {
			fprintf(stderr, "faxtop resend: %s\n", err);
		} else {
			ev_run(loop, 0);
			store_commit(st);
			if (s.ok) {
				if (s.reused)
					fprintf(stderr,
						"faxtop resend: the earlier key %s was reused\n",
						s.key);
				printf("%s\n", s.new_id);
				rc = fflush(stdout) == 0 ? 0 : 1;
			} else {
				resend_report(cfg, q, &s);
			}
		}
	}
	resend_free(r);
	app_team_gate_close(loop, &team);
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
