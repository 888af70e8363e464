/* Triage states of failed faxes. See triage.h.
 *
 * What is kept here is small (dismissals and resends in flight, not every
 * fax), so one array sorted by fax id serves both. */
#include <config.h> /* autoconf's; "config.h" would find core/base/options.h */

#include <stdlib.h>
#include <string.h>

#include "core/base/xalloc.h"
#include "core/model/model.h"
#include "core/base/names.h"
#include "core/store/store.h"
#include "core/store/triage.h"

/* resent_from chains longer than this are cut (a loop in hostile data
 * must not hang the loop). */
#define TRIAGE_MAX_CHAIN 16

struct triage_entry {
	char *fax_id;
	char *note, *who; /* the dismissal's */
	int64_t at_ms;
	char *resent_by; /* who made its newest resend, when known */
	int64_t resent_at_ms;
	bool dismissed;
	bool pending;
};

static void triage_entry_done(struct triage_entry *e)
{
	free(e->fax_id);
	free(e->note);
	free(e->who);
	free(e->resent_by);
}

struct triage {
	struct triage_entry *v;
	size_t n, cap;
	uint64_t gen;
};

NAME_TABLE(triage_names, triage_state_name, enum triage_state, TRIAGE_STATE_LIST,
	   TRIAGE_STATE_COUNT, "none")

int triage_state_from_name(const char *name)
{
	for (int i = 0; i < TRIAGE_STATE_COUNT; i++)
		if (name && !strcmp(name, triage_names[i]))
			return i;
	return -1;
}

struct triage *triage_new(void)
{
	return xcalloc(1, sizeof(struct triage));
}

void triage_free(struct triage *tr)
{
	if (!tr)
		return;
	for (size_t i = 0; i < tr->n; i++)
		triage_entry_done(&tr->v[i]);
	free(tr->v);
	free(tr);
}

uint64_t triage_generation(const struct triage *tr)
{
	return tr ? tr->gen : 0;
}

/* Index of fax_id, or where it would go (*found false). */
static size_t triage_find(const struct triage *tr, const char *fax_id, bool *found)
{
	size_t lo = 0, hi = tr ? tr->n : 0;

	*found = false;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(tr->v[mid].fax_id, fax_id);

		if (c == 0) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static const struct triage_entry *triage_get(const struct triage *tr, const char *fax_id)
{
	bool found;
	size_t i;

	if (!tr || !fax_id)
		return NULL;
	i = triage_find(tr, fax_id, &found);
	return found ? &tr->v[i] : NULL;
}

static struct triage_entry *triage_upsert(struct triage *tr, const char *fax_id)
{
	bool found;
	size_t i = triage_find(tr, fax_id, &found);
	char *id;

	if (found)
		return &tr->v[i];
	if (tr->n == tr->cap) {
		size_t cap = tr->cap ? tr->cap * 2 : 16;
		struct triage_entry *v = realloc(tr->v, cap * sizeof *v);

		if (!v)
			return NULL;
		tr->v = v;
		tr->cap = cap;
	}
	if (!(id = strdup(fax_id)))
		return NULL;
	memmove(&tr->v[i + 1], &tr->v[i], (tr->n - i) * sizeof *tr->v);
	tr->n++;
	memset(&tr->v[i], 0, sizeof tr->v[i]);
	tr->v[i].fax_id = id;
	return &tr->v[i];
}

/* Drops an entry that no longer says anything. */
static void triage_trim(struct triage *tr, const char *fax_id)
{
	bool found;
	size_t i = triage_find(tr, fax_id, &found);

	if (!found || tr->v[i].dismissed || tr->v[i].pending || tr->v[i].resent_by)
		return;
	triage_entry_done(&tr->v[i]);
	memmove(&tr->v[i], &tr->v[i + 1], (tr->n - i - 1) * sizeof *tr->v);
	tr->n--;
}

int triage_set_pending(struct triage *tr, const char *fax_id, bool pending)
{
	struct triage_entry *e;

	if (!tr || !fax_id)
		return -1;
	if (!pending) {
		if (!triage_get(tr, fax_id))
			return 0;
		triage_upsert(tr, fax_id)->pending = false;
		triage_trim(tr, fax_id);
	} else if ((e = triage_upsert(tr, fax_id))) {
		e->pending = true;
	} else {
		return -1;
	}
	tr->gen++;
	return 0;
}

bool triage_is_pending(const struct triage *tr, const char *fax_id)
{
	const struct triage_entry *e = triage_get(tr, fax_id);

	return e && e->pending;
}

/* A copy of s, NULL for NULL or "". */
static char *triage_copy(const char *s)
{
	return s && *s ? xstrdup(s) : NULL;
}

static int triage_keep_dismissal(struct triage *tr, const char *fax_id, const char *note,
				 const char *who, int64_t at_ms)
{
	struct triage_entry *e = triage_upsert(tr, fax_id);

	if (!e)
		return -1;
	free(e->note);
	free(e->who);
	e->note = triage_copy(note);
	e->who = triage_copy(who);
	e->at_ms = at_ms;
	e->dismissed = true;
	tr->gen++;
	return 0;
}

int triage_dismiss(struct triage *tr, struct store *s, const char *fax_id, const char *note,
		   const char *who, int64_t at_ms)
{
	if (!tr || !fax_id)
		return -1;
	if (s &&
	    store_triage_put(s, fax_id, "dismissed", note && *note ? note : NULL,
			     who && *who ? who : NULL, at_ms) != 0)
		return -1;
	return triage_keep_dismissal(tr, fax_id, note, who, at_ms);
}

int triage_note_resend(struct triage *tr, const char *fax_id, const char *who, int64_t at_ms)
{
	struct triage_entry *e;

	if (!tr || !fax_id || !who || !*who || !(e = triage_upsert(tr, fax_id)))
		return -1;
	if (e->resent_by && e->resent_at_ms > at_ms)
		return 0; /* a newer one is known */
	free(e->resent_by);
	e->resent_by = xstrdup(who);
	e->resent_at_ms = at_ms;
	tr->gen++;
	return 0;
}

void triage_forget_resend(struct triage *tr, const char *fax_id)
{
	bool found;
	size_t i = triage_find(tr, fax_id, &found);

	if (!found || !tr->v[i].resent_by)
		return;
	free(tr->v[i].resent_by);
	tr->v[i].resent_by = NULL;
	triage_trim(tr, fax_id);
	tr->gen++;
}

void triage_who(const struct triage *tr, const char *fax_id, struct triage_who *out)
{
	const struct triage_entry *e = triage_get(tr, fax_id);

	memset(out, 0, sizeof *out);
	out->dismissed_at_ms = out->resent_at_ms = TS_NONE;
	if (!e)
		return;
	if (e->dismissed) {
		out->dismissed_by = e->who;
		out->dismissed_at_ms = e->at_ms;
	}
	out->resent_by = e->resent_by;
	if (e->resent_by)
		out->resent_at_ms = e->resent_at_ms;
}

int triage_undismiss(struct triage *tr, struct store *s, const char *fax_id)
{
	struct triage_entry *e;
	bool found;
	size_t i;

	if (!tr || !fax_id)
		return -1;
	i = triage_find(tr, fax_id, &found);
	if (!found || !tr->v[i].dismissed)
		return -1;
	if (s && store_triage_del(s, fax_id) != 0)
		return -1;
	e = &tr->v[i];
	e->dismissed = false;
	free(e->note);
	free(e->who);
	e->note = e->who = NULL;
	triage_trim(tr, fax_id);
	tr->gen++;
	return 0;
}

bool triage_is_dismissed(const struct triage *tr, const char *fax_id, const char **note)
{
	const struct triage_entry *e = triage_get(tr, fax_id);

	if (note)
		*note = e && e->dismissed ? e->note : NULL;
	return e && e->dismissed;
}

static void triage_load_dismissal(void *ctx, const char *fax_id, const char *state,
				  const char *note, const char *who, int64_t at_ms)
{
	if (!strcmp(state, "dismissed"))
		triage_keep_dismissal(ctx, fax_id, note, who, at_ms);
}

static void triage_load_ledger(void *ctx, const struct store_ledger_row *r)
{
	if (!strcmp(r->state, "pending"))
		triage_set_pending(ctx, r->fax_id, true);
	else if (r->who)
		triage_note_resend(ctx, r->fax_id, r->who, r->updated_ms);
}

int triage_load(struct triage *tr, struct store *s)
{
	if (store_triage_each(s, triage_load_dismissal, tr) != 0)
		return -1;
	return store_ledger_each_live(s, triage_load_ledger, tr);
}

/* ---- derivation ---- */

static bool triage_failed(const struct model_fax *mf)
{
	return mf && mf->fax.status == FAX_FAILED;
}

/* The original at the top of a chain of failed resends. */
static const struct model_fax *triage_head(const struct model *m, const struct model_fax *mf)
{
	for (int i = 0; i < TRIAGE_MAX_CHAIN && mf->fax.resent_from; i++) {
		const struct model_fax *orig = model_get(m, mf->fax.resent_from);

		if (!triage_failed(orig) || orig == mf)
			break;
		mf = orig;
	}
	return mf;
}

static const struct model_fax *triage_newest_resend(const struct model *m,
						    const struct model_fax *mf)
{
	const struct model_fax *best = NULL;

	for (size_t i = 0; i < mf->n_resends; i++) {
		const struct model_fax *rf = model_get(m, mf->resends[i]);

		if (rf && (!best || rf->fax.created_at >= best->fax.created_at))
			best = rf;
	}
	return best;
}

void triage_of(const struct triage *tr, const struct model *m, const struct model_fax *mf,
	       struct triage_info *out)
{
	const struct model_fax *head, *tail, *next;
	bool pending, dismissed;

	memset(out, 0, sizeof *out);
	if (!m || !triage_failed(mf) || !mf->fax.id)
		return;
	head = triage_head(m, mf);
	out->head = head == mf;
	out->orig = head;
	pending = triage_is_pending(tr, head->fax.id);
	tail = head;
	for (int i = 0; i < TRIAGE_MAX_CHAIN && (next = triage_newest_resend(m, tail)); i++) {
		tail = next;
		pending = pending || (tail->fax.id && triage_is_pending(tr, tail->fax.id));
	}
	out->last = tail != head ? tail : NULL;
	dismissed = triage_is_dismissed(tr, head->fax.id, &out->note) ||
		(tail->fax.id && tail != head && triage_is_dismissed(tr, tail->fax.id, &out->note));
	if (pending)
		out->state = TRIAGE_RESENDING;
	else if (tail != head && !triage_failed(tail))
		out->state = TRIAGE_RESENT;
	else if (dismissed)
		out->state = TRIAGE_DISMISSED;
	else
		out->state = TRIAGE_UNRESOLVED;
}

size_t triage_count(const struct triage *tr, const struct model *m, enum triage_state s)
{
	size_t n = 0, total = model_count(m);
	struct triage_info ti;

	for (size_t i = 0; i < total; i++) {
		const struct model_fax *mf = model_at(m, i);

		if (!triage_failed(mf))
			continue;
		triage_of(tr, m, mf, &ti);
		n += ti.head && ti.state == s;
	}
	return n;
}
