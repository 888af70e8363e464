/* Team mode's resend gate: a claim in the shared store. See team_claim.c. */
#ifndef FAXTOP_CORE_TEAM_CLAIM_H
#define FAXTOP_CORE_TEAM_CLAIM_H

#include <stdbool.h>

struct ev_loop;
struct log;
struct pg_store;
struct resend_gate;
struct team_claims;

/* pg must outlive the claims' use; free the claims first (what is on its
 * way is then answered to nobody). */
struct team_claims *team_claims_new(struct ev_loop *loop, struct pg_store *pg, struct log *log);
void team_claims_free(struct team_claims *c);
/* For resend_opts.gate. */
const struct resend_gate *team_claims_gate(struct team_claims *c);
/* A claim or its giving back is on its way (a one-shot command waits). */
bool team_claims_busy(const struct team_claims *c);

#endif
