/* Team mode in the app: see app_team.c. */
#ifndef FAXTOP_APP_APP_TEAM_H
#define FAXTOP_APP_APP_TEAM_H

#include <stddef.h>

struct app;

/* The URL as libpq will use it: a host name looked up now (hostaddr=),
 * so no reconnection waits on DNS inside the loop. */
int app_team_conninfo(const char *url, char *out, size_t len, char *err, size_t errlen);
/* Starts core/team when the store is a postgresql:// URL (else nothing). */
int app_team_start(struct app *a, char *err, size_t errlen);
/* Hands the listener's events and the poller to it, once they exist. */
void app_team_attach(struct app *a);

#endif
