/* What an operator needs to work through failures, computed from the model
 * and nothing else (no curses, so it is unit-tested directly): the attempt
 * trail of a fax, how long it has been in its state and whether it is
 * stuck, the walk through a chain of resends, and the failures of the last
 * hour and day grouped by destination and by code. */
#ifndef FAXTOP_TUI_WORKLIST_H
#define FAXTOP_TUI_WORKLIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/model/model.h"

#define WORKLIST_HOUR_MS (3600 * 1000LL)
#define WORKLIST_DAY_MS  (24 * WORKLIST_HOUR_MS)
/* The failures view reads faxes created in the last two days: a fax ends
 * within hours of its creation (at most five attempts), so one created
 * earlier cannot have failed in the last day. This bounds the scan. */
#define WORKLIST_SCAN_MS (2 * WORKLIST_DAY_MS)
/* A destination or code with this many failures in a day is flagged. */
#define TRIAGE_REPEAT 2

/* The attempts' results joined by sep: "busy›busy›no_answer"; an attempt
 * that succeeded is "ok", one still running "sending". "" with no attempt.
 * Codes are copied raw: the caller sanitises when drawing. */
void worklist_trail(const struct fax *f, const char *sep, char *buf, size_t len);

/* When the fax entered its current state: the API's updated_at, else when
 * the model last changed it. TS_NONE if neither is known. */
int64_t worklist_state_since(const struct model_fax *mf);
/* Not finished (queued, submitted, in progress) and in that state for
 * longer than after_ms (> 0). */
bool worklist_stuck(const struct model_fax *mf, int64_t now_ms, int64_t after_ms);

/* The fax after `id` in its resend chain, read as a tree from the first
 * original down (each fax, then its resends in order): from an original
 * its first resend, from the last resend of a chain NULL. */
const char *worklist_chain_next(const struct model *m, const char *id);

struct worklist_group {
	char key[64];     /* destination or code, raw (sanitise to draw) */
	size_t hour, day; /* failed faxes in the last hour / day */
	int64_t last_ms;  /* the newest of them */
};

struct worklist_failures {
	struct worklist_group *by_to, *by_code;
	size_t n_to, n_code;
	size_t hour, day; /* all failed faxes */
	int64_t built_ms;
	uint64_t built_gen;
};

/* Failed faxes by when they failed (completed_at, else updated_at, else
 * the model's last change), grouped; each list has the most failures in
 * the day first. 0, or -1 when out of memory (tf is then empty). */
int worklist_failures_build(struct worklist_failures *tf, const struct model *m, int64_t now_ms);
void worklist_failures_done(struct worklist_failures *tf);

#endif
