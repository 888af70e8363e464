/* Merging a fax snapshot into the fax the model holds, by the rules listed
 * in model.c, and the anomalies: conflicting terminal events and terminal
 * events that break the delivery contract. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/errors.h"
#include "core/base/xalloc.h"
#include "core/model/model_int.h"

struct merge {
	struct model *m;
	bool newer; /* the snapshot is at least as fresh as the fax */
	bool changed;
};

static void merge_str(struct merge *g, char **dst, const char *src, bool lower)
{
	const char *p;

	if (!src || (!g->newer && *dst))
		return;
	p = lower ? mpool_intern_lower(&g->m->pool, src) : mpool_intern(&g->m->pool, src);
	if (p != *dst) {
		*dst = (char *)p;
		g->changed = true;
	}
}

static void merge_i64(struct merge *g, int64_t *dst, int64_t src, int64_t absent)
{
	if (src == absent || (!g->newer && *dst != absent) || *dst == src)
		return;
	*dst = src;
	g->changed = true;
}

static void merge_int(struct merge *g, int *dst, int src, int absent)
{
	if (src == absent || (!g->newer && *dst != absent) || *dst == src)
		return;
	*dst = src;
	g->changed = true;
}

static void merge_attempt_fields(struct merge *g, struct fax_attempt *dst,
				 const struct fax_attempt *src)
{
	merge_i64(g, &dst->started_at, src->started_at, TS_NONE);
	merge_i64(g, &dst->completed_at, src->completed_at, TS_NONE);
	merge_i64(g, &dst->duration_ms, src->duration_ms, -1);
	merge_str(g, &dst->error_code, src->error_code, true);
	merge_str(g, &dst->error_subcode, src->error_subcode, false);
	merge_str(g, &dst->error_message, src->error_message, false);
}

/* Merges one incoming attempt into an existing one with the same number. */
static void merge_one_attempt(struct merge *g, struct fax_attempt *have,
			      const struct fax_attempt *in)
{
	bool in_done = in->completed_at != TS_NONE;
	bool have_done = have->completed_at != TS_NONE;
	struct merge sub = *g;

	/* A finished attempt is final; an in-progress view of it only fills
	 * gaps, whatever its age. */
	if (have_done && !in_done)
		sub.newer = false;
	else if (in_done && !have_done)
		sub.newer = true;
	merge_attempt_fields(&sub, have, in);
	g->changed |= sub.changed;
}

/* Attempts stay sorted by number; one a snapshot lacks is kept. */
static void merge_attempts(struct merge *g, struct fax *dst, const struct fax *src)
{
	for (size_t i = 0; i < src->n_attempts; i++) {
		const struct fax_attempt *in = &src->attempts[i];
		int number = in->number > 0 ? in->number : (int)i + 1;
		struct fax_attempt *a;
		struct merge sub;
		size_t pos = 0;

		while (pos < dst->n_attempts && dst->attempts[pos].number < number)
			pos++;
		if (pos < dst->n_attempts && dst->attempts[pos].number == number) {
			merge_one_attempt(g, &dst->attempts[pos], in);
			continue;
		}
		a = xrealloc(dst->attempts, (dst->n_attempts + 1) * sizeof *a);
		dst->attempts = a;
		memmove(&a[pos + 1], &a[pos], (dst->n_attempts - pos) * sizeof *a);
		dst->n_attempts++;
		fax_attempt_init(&a[pos]);
		a[pos].number = number;
		sub = *g;
		sub.newer = true;
		merge_attempt_fields(&sub, &a[pos], in);
		g->changed = true;
	}
}

static void merge_tags(struct merge *g, struct fax *dst, const struct fax *src)
{
	struct fax_tag *t;

	if (!src->n_tags || (!g->newer && dst->n_tags))
		return;
	if (dst->n_tags == src->n_tags) {
		bool same = true;

		for (size_t i = 0; same && i < src->n_tags; i++)
			same = src->tags[i].key && dst->tags[i].key &&
				strcmp(src->tags[i].key, dst->tags[i].key) == 0 &&
				strcmp(src->tags[i].value ? src->tags[i].value : "",
				       dst->tags[i].value ? dst->tags[i].value : "") == 0;
		if (same)
			return;
	}
	t = xcalloc(src->n_tags, sizeof *t);
	for (size_t i = 0; i < src->n_tags; i++) {
		t[i].key =
			(char *)mpool_intern(&g->m->pool, src->tags[i].key ? src->tags[i].key : "");
		t[i].value = (char *)mpool_intern(&g->m->pool,
						  src->tags[i].value ? src->tags[i].value : "");
	}
	free(dst->tags);
	dst->tags = t;
	dst->n_tags = src->n_tags;
	g->changed = true;
}

/* Every field of the snapshot, each under the freshness rule. */
static void merge_fields(struct merge *g, struct fax *f, const struct fax *in)
{
	merge_str(g, &f->to, in->to, false);
	merge_int(g, &f->pages, in->pages, -1);
	merge_str(g, &f->error_code, in->error_code, true);
	merge_str(g, &f->error_subcode, in->error_subcode, false);
	merge_str(g, &f->error_message, in->error_message, false);
	merge_int(g, &f->max_attempts, in->max_attempts, 0);
	merge_str(g, &f->webhook_url, in->webhook_url, false);
	merge_str(g, &f->idempotency_key, in->idempotency_key, false);
	merge_str(g, &f->csid, in->csid, false);
	merge_str(g, &f->page_size, in->page_size, false);
	merge_str(g, &f->resolution, in->resolution, false);
	merge_str(g, &f->optimize_for, in->optimize_for, false);
	merge_str(g, &f->resent_from, in->resent_from, false);
	merge_i64(g, &f->submitted_at, in->submitted_at, TS_NONE);
	merge_i64(g, &f->completed_at, in->completed_at, TS_NONE);
	merge_i64(g, &f->created_at, in->created_at, TS_NONE);
	merge_i64(g, &f->updated_at, in->updated_at, TS_NONE);
	merge_tags(g, f, in);
	merge_attempts(g, f, in);
}

static bool derive_retrying(const struct fax *f)
{
	const struct fax_attempt *last;

	if (fax_status_terminal(f->status) || !f->n_attempts)
		return false;
	last = &f->attempts[f->n_attempts - 1];
	return last->completed_at != TS_NONE && last->error_code != NULL;
}

static void record_anomaly(struct model *m, struct mfax *mf, const char *text)
{
	mf->pub.anomalies++;
	mf->pub.anomaly = mpool_intern(&m->pool, text);
	m->generation++;
}

/* A terminal status never changes: a conflicting terminal snapshot is an
 * anomaly, and nothing of it is applied. */
static enum apply_outcome conflicting_terminal(struct model *m, struct mfax *mf, struct snapshot *s)
{
	char text[96];

	snprintf(text, sizeof text, "%s after %s%s%s", fax_status_name(s->status),
		 fax_status_name(mf->pub.fax.status), s->event_id ? " in " : "",
		 s->event_id ? s->event_id : "");
	snprintf(s->detail, sizeof s->detail, "%s", text);
	mf->pub.last_update_ms = s->now_ms;
	record_anomaly(m, mf, text);
	return APPLY_ANOMALY;
}

/* Keeps the counts, the index and the resend links true after a merge. */
static void merge_aggregates(struct model *m, struct mfax *mf, enum fax_status old_status,
			     const char *old_code, const char *old_resent)
{
	struct fax *f = &mf->pub.fax;

	mindex_count_status(m, old_status, f->status);
	mindex_count_code(m, old_code, f->error_code);
	if (f->created_at != TS_NONE && f->created_at != mf->order_key)
		mindex_rekey(m, mf, f->created_at);
	if (f->resent_from && f->resent_from != old_resent)
		mindex_link_resend(m, f->resent_from, f->id);
	mf->pub.retrying = derive_retrying(f);
}

enum apply_outcome mmerge_fax(struct model *m, struct snapshot *s)
{
	const struct fax *in = s->fax;
	struct mfax *mf = mindex_find(m, in->id);
	struct fax *f;
	struct merge g = { .m = m };
	enum fax_status old_status;
	const char *old_code, *old_resent;
	bool created = false;

	if (mf && fax_status_terminal(mf->pub.fax.status) && fax_status_terminal(s->status) &&
	    s->status != mf->pub.fax.status)
		return conflicting_terminal(m, mf, s);
	if (!mf) {
		mf = mindex_create(m, in->id,
				   in->created_at != TS_NONE ? in->created_at : s->heard_ms);
		created = true;
	}
	f = &mf->pub.fax;
	old_status = f->status;
	old_code = f->error_code;
	old_resent = f->resent_from;
	g.newer = s->fresh == TS_NONE || mf->fresh == TS_NONE || s->fresh >= mf->fresh;

	/* Status: forward only; a terminal one is final. A snapshot that
	 * moves the fax forward is later in its life whatever its clock says
	 * (`created` is whole seconds, updated_at comes from another clock),
	 * so its fields count as newer too. */
	if (s->status != FAX_STATUS_NONE && !fax_status_terminal(f->status) &&
	    fax_status_rank(s->status) > fax_status_rank(f->status)) {
		f->status = s->status;
		g.changed = true;
		g.newer = true;
	}
	merge_fields(&g, f, in);
	if (g.newer && s->fresh != TS_NONE)
		mf->fresh = s->fresh;
	merge_aggregates(m, mf, old_status, old_code, old_resent);
	if (!g.changed && !created) {
		if (!g.newer) {
			snprintf(s->detail, sizeof s->detail, "older than the snapshot held");
			return APPLY_STALE;
		}
		return APPLY_OK;
	}
	mf->pub.last_update_ms = s->now_ms;
	mf->pub.last_source = s->src;
	m->generation++;
	return APPLY_OK;
}

/* Does this terminal event break the delivery contract? The fax as merged
 * (attempts the model knew before included) is judged; text says how. */
static bool contract_breach(const struct event *ev, const struct fax *f, char *text, size_t len)
{
	const char *code = ev->fax.error_code ? ev->fax.error_code : f->error_code;
	int made = 0;

	if (ev->type != EV_FAX_FAILED && ev->type != EV_FAX_DELIVERED)
		return false;
	for (size_t i = 0; i < f->n_attempts; i++) {
		const struct fax_attempt *a = &f->attempts[i];

		if (a->completed_at == TS_NONE && ev->type == EV_FAX_FAILED) {
			snprintf(text, len, "failed with attempt %d still in progress", a->number);
			return true;
		}
		if (a->completed_at == TS_NONE) {
			snprintf(text, len, "delivered with attempt %d still in progress",
				 a->number);
			return true;
		}
		if (a->number > made)
			made = a->number;
	}
	/* Without attempts there is nothing to count (older payloads). */
	if (ev->type == EV_FAX_FAILED && made > 0 && f->max_attempts > made && code &&
	    errors_fax_code(code)->cls == CODE_RETRYABLE) {
		snprintf(text, len, "failed with retryable %.24s after %d of %d attempts", code,
			 made, f->max_attempts);
		return true;
	}
	return false;
}

enum apply_outcome mmerge_check_contract(struct model *m, const struct event *ev, char *detail,
					 size_t len)
{
	struct mfax *mf = mindex_find(m, ev->fax.id);
	char text[96];

	if (!mf || !contract_breach(ev, &mf->pub.fax, text, sizeof text))
		return APPLY_OK;
	snprintf(detail, len, "%s", text);
	record_anomaly(m, mf, text);
	return APPLY_ANOMALY;
}

void model_restore_anomalies(struct model *m, const char *fax_id, unsigned n, const char *text)
{
	struct mfax *mf = fax_id ? mindex_find(m, fax_id) : NULL;

	if (!mf)
		return;
	mf->pub.anomalies = n;
	mf->pub.anomaly = text ? mpool_intern(&m->pool, text) : NULL;
	m->generation++;
}
