/* The `/` language: whitespace-separated terms, all of which must match.
 *
 *   word            free text: id, to, error code/message, tags (and key=value), csid,
 *                   status, "retrying" (case-insensitive)
 *   status:S[,S]    queued submitted in_progress (or sending) delivered failed retrying active
 *                   anomaly
 *   state:S[,S]     a failure's triage state: unresolved resending resent dismissed
 *   code:C[,C]      current error code (case-insensitive; "none" for no code)
 *   to:DIGITS       destination contains it
 *   tag:K[=V]       a tag K (with value V)
 *   id:TEXT         id contains it
 *   !term           negates a term
 *   "two words"     quotes keep spaces together, in free text or values
 */
#ifndef FAXTOP_TUI_FILTER_H
#define FAXTOP_TUI_FILTER_H

#include <stdbool.h>
#include <stddef.h>

struct model;
struct model_fax;
struct triage;

enum filter_field { FF_TEXT, FF_STATUS, FF_CODE, FF_TO, FF_TAG, FF_ID, FF_STATE };

struct filter_term {
	enum filter_field field;
	bool negate;
	unsigned status_mask; /* FF_STATUS: bits of enum fax_status, plus the two below;
				  * FF_STATE: bits of enum triage_state */
	char **values;        /* FF_CODE: alternatives; others: values[0] */
	size_t n_values;
	char *tag_value; /* FF_TAG: NULL means "has the key" */
	char first[3];   /* values[0]'s first character in both cases, for strpbrk */
	size_t len0;     /* strlen(values[0]) */
};

#define FILTER_STATUS_RETRYING (1u << 30)
#define FILTER_STATUS_ACTIVE   (1u << 29)
#define FILTER_STATUS_ANOMALY  (1u << 28)

struct filter {
	struct filter_term *terms;
	size_t n;
	char *expr; /* the text it was parsed from */
	/* What state: terms read (kept across filter_parse; tr may be NULL). */
	const struct model *m;
	const struct triage *tr;
};

void filter_init(struct filter *f);
void filter_done(struct filter *f);
/* Parses expr into f (f is replaced only on success). 0, or -1 with err
 * naming the bad term. */
int filter_parse(struct filter *f, const char *expr, char *err, size_t errlen);
bool filter_empty(const struct filter *f);
bool filter_match(const struct filter *f, const struct model_fax *mf);

#endif
