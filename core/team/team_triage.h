/* The operators' decisions in team mode (team_triage.c), as team.c uses
 * them. Not for use outside core/team. */
#ifndef FAXTOP_CORE_TEAM_TRIAGE_H
#define FAXTOP_CORE_TEAM_TRIAGE_H

struct team;

/* Every decision (fax_id NULL) or one fax's, read and
 * applied to the local triage; and a "triage:…" or "claim:…" notice. */
void team_follow_decisions(struct team *t, const char *fax_id);
void team_on_decision(struct team *t, const char *payload);

#endif
