/* Team mode in the app (--store postgresql://…): the connection string,
 * core/team started between the store and the feeds, the listener's
 * events sent to the shared store, the poller led. */
#include <config.h> /* autoconf's; "config.h" would find core/base/options.h */

#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <ev.h>
#include <libpq-fe.h>

#include "app/app_int.h"
#include "app/app_team.h"
#include "core/base/log.h"
#include "core/base/options.h"
#include "core/http/webhook.h"
#include "core/api/resend.h"
#include "core/store/pg_store.h"
#include "core/team/team.h"
#include "core/team/team_claim.h"
#include "tui/tui.h"

_Static_assert((int)TEAM_PUT_NEW == (int)WEBHOOK_SINK_NEW &&
		       (int)TEAM_PUT_DUPLICATE == (int)WEBHOOK_SINK_DUPLICATE &&
		       (int)TEAM_PUT_FAILED == (int)WEBHOOK_SINK_FAILED,
	       "the webhook's sink results are the team's");

const char *app_who(const struct config *cfg, const char *user_at_host)
{
	return cfg->operator_name && *cfg->operator_name ? cfg->operator_name : user_at_host;
}

const char *app_operator(const struct app *a)
{
	return app_who(a->cfg, a->who);
}

static bool app_ip_literal(const char *host)
{
	unsigned char buf[sizeof(struct in6_addr)];

	return inet_pton(AF_INET, host, buf) == 1 || inet_pton(AF_INET6, host, buf) == 1;
}

/* libpq looks a host name up inside PQconnectPoll, which would stall the
 * loop on every reconnection; so a name is looked up once, here, before
 * the loop runs, and handed over as hostaddr (the name stays for TLS). */
int app_team_conninfo(const char *url, char *out, size_t len, char *err, size_t errlen)
{
	PQconninfoOption *opts, *o;
	const char *host = NULL, *hostaddr = getenv("PGHOSTADDR");
	char *why = NULL, ip[INET6_ADDRSTRLEN] = "";
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai = NULL;
	int rc;

	opts = PQconninfoParse(url, &why);
	if (!opts) {
		snprintf(err, errlen, "the store URL is not one libpq understands: %s",
			 why ? why : "out of memory");
		PQfreemem(why);
		return -1;
	}
	for (o = opts; o->keyword; o++) {
		if (strcmp(o->keyword, "host") == 0 && o->val && *o->val)
			host = o->val;
		else if (strcmp(o->keyword, "hostaddr") == 0 && o->val && *o->val)
			hostaddr = o->val;
	}
	if (!host)
		host = getenv("PGHOST");
	rc = snprintf(out, len, "%s", url);
	if (hostaddr || !host || !*host || host[0] == '/' || app_ip_literal(host))
		goto done;
	if (strchr(host, ',')) {
		snprintf(err, errlen, "team mode takes one database host, not a list");
		rc = -1;
		goto done;
	}
	if (getaddrinfo(host, NULL, &hints, &ai) != 0 || !ai ||
	    getnameinfo(ai->ai_addr, ai->ai_addrlen, ip, sizeof ip, NULL, 0, NI_NUMERICHOST) != 0) {
		snprintf(err, errlen, "cannot look up the database host %.200s", host);
		rc = -1;
		goto done;
	}
	rc = snprintf(out, len, "%s%shostaddr=%s", url, strchr(url, '?') ? "&" : "?", ip);
done:
	if (ai)
		freeaddrinfo(ai);
	PQconninfoFree(opts);
	if (rc >= 0 && (size_t)rc >= len) {
		snprintf(err, errlen, "the store URL is too long");
		rc = -1;
	}
	return rc < 0 ? -1 : 0;
}

static void app_team_changed(void *ctx)
{
	struct app *a = ctx;

	/* Bad news is drawn now, not at the next key press. */
	if (a->tui)
		tui_touch(a->tui);
}

static int app_team_put(void *ctx, const struct event *ev, const char *raw, size_t len,
			enum event_source src, webhook_sink_done done, void *done_ctx)
{
	return team_put(ctx, ev, raw, len, src, done, done_ctx);
}

static bool app_team_ok(void *ctx)
{
	return team_ready(ctx);
}

static const char *app_team_role(void *ctx)
{
	return team_role(ctx);
}

int app_team_start(struct app *a, char *err, size_t errlen)
{
	char conninfo[1024];
	struct team_opts to = {
		.conninfo = conninfo,
		.who = app_operator(a),
		.in = a->ingest,
		.cache = a->store,
		.triage = a->triage,
		.log = a->log,
		.on_change = app_team_changed,
		.ctx = a,
	};

	if (!config_store_is_pg(a->cfg->store))
		return 0;
	if (app_team_conninfo(a->cfg->store, conninfo, sizeof conninfo, err, errlen) != 0)
		return -1;
	a->team = team_new(a->loop, &to, err, errlen);
	if (!a->team)
		return -1;
	log_info(a->log, "team mode: the shared store is %s, as %s", team_target(a->team), to.who);
	return 0;
}

/* ---- the claims of a one-shot command (faxtop resend) ---- */

int app_team_gate_open(struct ev_loop *loop, const struct config *cfg, struct app_team_gate *g,
		       char *err, size_t errlen)
{
	char conninfo[1024], who[128];
	struct pg_store_opts po = { .conninfo = conninfo, .who = who };

	memset(g, 0, sizeof *g);
	if (!config_store_is_pg(cfg->store))
		return 0;
	resend_who(who, sizeof who);
	po.who = app_who(cfg, who);
	if (app_team_conninfo(cfg->store, conninfo, sizeof conninfo, err, errlen) != 0)
		return -1;
	g->pg = pg_store_new(loop, &po, err, errlen);
	if (!g->pg)
		return -1;
	g->claims = team_claims_new(loop, g->pg, NULL);
	g->gate = team_claims_gate(g->claims);
	return 0;
}

/* Waits (at most APP_TEAM_GATE_DRAIN seconds) for a claim being given back. */
void app_team_gate_close(struct ev_loop *loop, struct app_team_gate *g)
{
	double end = ev_time() + APP_TEAM_GATE_DRAIN;

	if (!g->pg)
		return;
	while (team_claims_busy(g->claims) && ev_time() < end)
		ev_run(loop, EVRUN_ONCE);
	team_claims_free(g->claims);
	pg_store_free(g->pg);
	memset(g, 0, sizeof *g);
}

void app_team_attach(struct app *a)
{
	struct webhook_sink sink = {
		.put = app_team_put,
		.ok = app_team_ok,
		.role = app_team_role,
		.name = "postgresql",
		.ctx = a->team,
	};

	if (!a->team)
		return;
	if (a->webhook)
		webhook_set_sink(a->webhook, &sink);
	if (a->poller)
		team_lead(a->team, a->poller);
}
