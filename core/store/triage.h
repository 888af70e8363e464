/* Triage: every failed fax is a case, in one of four states.
 *
 *   unresolved  it failed and nothing has been done (or its newest resend
 *               failed too: the chain stays visible)
 *   resending   a resend of it is in flight (a ledger key without outcome)
 *   resent      a resend exists and has not failed; a delivered one
 *               resolves the case
 *   dismissed   an operator decided no action is needed (optional note)
 *
 * The state is derived where the data says it (resent_from links in the
 * model) and kept here where it does not: dismissals and notes (stored in
 * the store's triage table) and resends in flight (the resend ledger's
 * pending rows, set by core/api/resend.c). A failed fax that is itself a resend
 * of a known failed fax belongs to its original's case: triage_of gives it
 * the case's state with head false, and it is not counted again. */
#ifndef FAXTOP_CORE_TRIAGE_H
#define FAXTOP_CORE_TRIAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct model;
struct model_fax;
struct store;
struct triage;

/* X(enum, name) */
#define TRIAGE_STATE_LIST(X)               \
	X(TRIAGE_NONE, "none")             \
	X(TRIAGE_UNRESOLVED, "unresolved") \
	X(TRIAGE_RESENDING, "resending")   \
	X(TRIAGE_RESENT, "resent")         \
	X(TRIAGE_DISMISSED, "dismissed")

enum triage_state {
/* clang-format off */
#define X(e, name) e,
	TRIAGE_STATE_LIST(X)
#undef X
	TRIAGE_STATE_COUNT
	/* clang-format on */
};
const char *triage_state_name(enum triage_state s);
/* -1 when unknown. */
int triage_state_from_name(const char *name);

struct triage_info {
	enum triage_state state;
	bool head;                    /* the case's original (counted once) */
	const struct model_fax *orig; /* that original (dismissals are kept on it) */
	const struct model_fax *last; /* the newest resend in the chain, or NULL */
	const char *note;             /* the dismissal's note, or NULL */
};

struct triage *triage_new(void);
void triage_free(struct triage *tr);
/* Reads the dismissals, the pending ledger rows and who made each resend. 0, or -1. */
int triage_load(struct triage *tr, struct store *s);
/* Changes bump the generation, so views filtering by state rebuild. */
uint64_t triage_generation(const struct triage *tr);

int triage_set_pending(struct triage *tr, const char *fax_id, bool pending);
bool triage_is_pending(const struct triage *tr, const char *fax_id);
/* Dismiss (note may be NULL) or undo, in memory and in the store's open
 * batch (s may be NULL). 0, or -1 (nothing changed). */
int triage_dismiss(struct triage *tr, struct store *s, const char *fax_id, const char *note,
		   const char *who, int64_t at_ms);
int triage_undismiss(struct triage *tr, struct store *s, const char *fax_id);
bool triage_is_dismissed(const struct triage *tr, const char *fax_id, const char **note);
/* Who resent fax_id last, and when (the resend ledger's user@host, or in
 * team mode the shared claim's operator): kept for the detail screen. */
int triage_note_resend(struct triage *tr, const char *fax_id, const char *who, int64_t at_ms);
/* A claim given back (that resend made nothing): no one resent it after all. */
void triage_forget_resend(struct triage *tr, const char *fax_id);
/* Who acted on fax_id: NULL names when unknown; the strings are tr's. */
struct triage_who {
	const char *dismissed_by, *resent_by;
	int64_t dismissed_at_ms, resent_at_ms; /* TS_NONE when unknown */
};
void triage_who(const struct triage *tr, const char *fax_id, struct triage_who *out);

/* The case of mf (tr may be NULL: nothing dismissed or pending). */
void triage_of(const struct triage *tr, const struct model *m, const struct model_fax *mf,
	       struct triage_info *out);
/* Heads of cases in state s among every fax of m: O(faxes), for a count
 * that is cached by generation. */
size_t triage_count(const struct triage *tr, const struct model *m, enum triage_state s);

#endif
