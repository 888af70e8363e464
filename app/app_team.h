/* Team mode in the app: see app_team.c. */
#ifndef FAXTOP_APP_APP_TEAM_H
#define FAXTOP_APP_APP_TEAM_H

#include <stddef.h>

struct app;

/* The URL as libpq will use it: a host name looked up now (hostaddr=),
 * so no reconnection waits on DNS inside the loop. */
int app_team_conninfo(const char *url, char *out, size_t len, char *err, size_t errlen);
struct config;
/* Who a run's actions are recorded as: --operator, else user_at_host. */
const char *app_who(const struct config *cfg, const char *user_at_host);
/* Starts core/team when the store is a postgresql:// URL (else nothing). */
int app_team_start(struct app *a, char *err, size_t errlen);
/* Hands the listener's events and the poller to it, once they exist. */
void app_team_attach(struct app *a);

/* faxtop resend in team mode: the claim in the shared store, on its own
 * connection. open does nothing (gate NULL) for an SQLite store; close
 * waits a little for a claim being given back. */
struct ev_loop;
struct pg_store;
struct resend_gate;
struct team_claims;
#define APP_TEAM_GATE_DRAIN 5.0
struct app_team_gate {
	struct pg_store *pg;
	struct team_claims *claims;
	const struct resend_gate *gate;
};
int app_team_gate_open(struct ev_loop *loop, const struct config *cfg, struct app_team_gate *g,
		       char *err, size_t errlen);
void app_team_gate_close(struct ev_loop *loop, struct app_team_gate *g);

#endif
