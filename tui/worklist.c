#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/model/event.h"
#include "tui/worklist.h"

/* Resend chains longer than this are not followed (a cycle in bad data
 * must not hang the loop). */
#define TRIAGE_CHAIN_MAX 64

void worklist_trail(const struct fax *f, const char *sep, char *buf, size_t len)
{
	size_t off = 0;

	if (!len)
		return;
	buf[0] = '\0';
	for (size_t i = 0; i < f->n_attempts && off + 1 < len; i++) {
		const struct fax_attempt *a = &f->attempts[i];
		const char *what = a->error_code && *a->error_code ? a->error_code
			: a->completed_at == TS_NONE               ? "sending"
								   : "ok";
		int w = snprintf(buf + off, len - off, "%s%s", i ? sep : "", what);

		if (w < 0)
			break;
		off += (size_t)w;
	}
}

int64_t worklist_state_since(const struct model_fax *mf)
{
	if (mf->fax.updated_at != TS_NONE && mf->fax.updated_at > 0)
		return mf->fax.updated_at;
	return mf->last_update_ms > 0 ? mf->last_update_ms : TS_NONE;
}

bool worklist_stuck(const struct model_fax *mf, int64_t now_ms, int64_t after_ms)
{
	int64_t since = worklist_state_since(mf);

	if (after_ms <= 0 || since == TS_NONE || mf->fax.status == FAX_STATUS_NONE ||
	    fax_status_terminal(mf->fax.status))
		return false;
	return now_ms - since > after_ms;
}

const char *worklist_chain_next(const struct model *m, const char *id)
{
	const struct model_fax *mf = id ? model_get(m, id) : NULL;

	if (!mf)
		return NULL;
	if (mf->n_resends)
		return mf->resends[0];
	/* A leaf: the next sibling of the nearest ancestor that has one. */
	for (int depth = 0; depth < TRIAGE_CHAIN_MAX && mf->fax.resent_from; depth++) {
		const struct model_fax *parent = model_get(m, mf->fax.resent_from);

		if (!parent)
			return NULL;
		for (size_t i = 0; i + 1 < parent->n_resends; i++)
			if (mf->fax.id && strcmp(parent->resends[i], mf->fax.id) == 0)
				return parent->resends[i + 1];
		mf = parent;
	}
	return NULL;
}

static int64_t failed_at(const struct model_fax *mf)
{
	if (mf->fax.completed_at != TS_NONE && mf->fax.completed_at > 0)
		return mf->fax.completed_at;
	return worklist_state_since(mf);
}

struct hit {
	const struct model_fax *mf;
	int64_t at;
};

static const char *key_to(const struct model_fax *mf)
{
	return mf->fax.to && *mf->fax.to ? mf->fax.to : "-";
}

static const char *key_code(const struct model_fax *mf)
{
	return mf->fax.error_code && *mf->fax.error_code ? mf->fax.error_code : "none";
}

static int cmp_hit_to(const void *a, const void *b)
{
	return strcmp(key_to(((const struct hit *)a)->mf), key_to(((const struct hit *)b)->mf));
}

static int cmp_hit_code(const void *a, const void *b)
{
	return strcmp(key_code(((const struct hit *)a)->mf), key_code(((const struct hit *)b)->mf));
}

static int cmp_group(const void *pa, const void *pb)
{
	const struct worklist_group *a = pa, *b = pb;

	if (a->day != b->day)
		return a->day > b->day ? -1 : 1;
	if (a->hour != b->hour)
		return a->hour > b->hour ? -1 : 1;
	if (a->last_ms != b->last_ms)
		return a->last_ms > b->last_ms ? -1 : 1;
	return strcmp(a->key, b->key);
}

/* Sorts the hits by key and folds equal keys into groups. */
static struct worklist_group *group(struct hit *hits, size_t n, int64_t now_ms,
				    const char *(*key)(const struct model_fax *),
				    int (*cmp)(const void *, const void *), size_t *out_n)
{
	struct worklist_group *g = calloc(n ? n : 1, sizeof *g);
	size_t ng = 0;

	*out_n = 0;
	if (!g)
		return NULL;
	qsort(hits, n, sizeof *hits, cmp);
	for (size_t i = 0; i < n; i++) {
		const char *k = key(hits[i].mf);
		struct worklist_group *cur = ng ? &g[ng - 1] : NULL;

		if (!cur || (i > 0 && strcmp(key(hits[i - 1].mf), k) != 0)) {
			cur = &g[ng++];
			snprintf(cur->key, sizeof cur->key, "%s", k);
		}
		cur->day++;
		cur->hour += now_ms - hits[i].at <= WORKLIST_HOUR_MS;
		if (hits[i].at > cur->last_ms)
			cur->last_ms = hits[i].at;
	}
	qsort(g, ng, sizeof *g, cmp_group);
	*out_n = ng;
	return g;
}

int worklist_failures_build(struct worklist_failures *tf, const struct model *m, int64_t now_ms)
{
	size_t n = model_count(m), nh = 0, cap = 0;
	struct hit *hits = NULL;

	worklist_failures_done(tf);
	tf->built_ms = now_ms;
	tf->built_gen = model_generation(m);
	for (size_t i = n; i-- > 0;) {
		const struct model_fax *mf = model_at(m, i);
		int64_t at;

		if (mf->fax.created_at != TS_NONE && mf->fax.created_at > 0 &&
		    now_ms - mf->fax.created_at > WORKLIST_SCAN_MS)
			break;
		if (mf->fax.status != FAX_FAILED || (at = failed_at(mf)) == TS_NONE ||
		    now_ms - at > WORKLIST_DAY_MS)
			continue;
		if (nh == cap) {
			struct hit *nhits =
				realloc(hits, (cap = cap ? cap * 2 : 64) * sizeof *hits);

			if (!nhits)
				goto oom;
			hits = nhits;
		}
		hits[nh++] = (struct hit){ mf, at };
		tf->day++;
		tf->hour += now_ms - at <= WORKLIST_HOUR_MS;
	}
	tf->by_to = group(hits, nh, now_ms, key_to, cmp_hit_to, &tf->n_to);
	tf->by_code = group(hits, nh, now_ms, key_code, cmp_hit_code, &tf->n_code);
	free(hits);
	if (!tf->by_to || !tf->by_code) {
		worklist_failures_done(tf);
		return -1;
	}
	return 0;
oom:
	free(hits);
	worklist_failures_done(tf);
	return -1;
}

void worklist_failures_done(struct worklist_failures *tf)
{
	free(tf->by_to);
	free(tf->by_code);
	tf->by_to = tf->by_code = NULL;
	tf->n_to = tf->n_code = 0;
	tf->hour = tf->day = 0;
}
