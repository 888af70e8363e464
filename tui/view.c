#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/base/xalloc.h"
#include "core/store/triage.h"
#include "tui/view.h"

static const struct {
	const char *name;
	bool desc;
} sorts[] = {
#define X(e, name, desc) [e] = { name, desc },
	VIEW_SORT_LIST(X)
#undef X
};

const char *view_sort_name(enum view_sort s)
{
	return (unsigned)s < SORT_COUNT ? sorts[s].name : "";
}

void view_init(struct view *v, const struct model *m)
{
	memset(v, 0, sizeof *v);
	v->m = m;
	filter_init(&v->filter);
	v->filter.m = m;
	v->stale = true;
}

void view_done(struct view *v)
{
	filter_done(&v->filter);
	free(v->rows);
	memset(v, 0, sizeof *v);
}

int view_set_filter(struct view *v, const char *expr, char *err, size_t errlen)
{
	if (filter_parse(&v->filter, expr, err, errlen) < 0)
		return -1;
	v->stale = true;
	return 0;
}

void view_set_sort(struct view *v, enum view_sort s, bool reverse)
{
	v->sort = s;
	v->reverse = reverse;
	v->stale = true;
}

static int cmp_created(const struct model_fax *a, const struct model_fax *b)
{
	if (a->fax.created_at != b->fax.created_at)
		return a->fax.created_at < b->fax.created_at ? -1 : 1;
	return strcmp(a->fax.id ? a->fax.id : "", b->fax.id ? b->fax.id : "");
}

static bool after_pause(const struct view *v, const struct model_fax *mf)
{
	if (mf->fax.created_at != v->pause_created)
		return mf->fax.created_at > v->pause_created;
	return strcmp(mf->fax.id ? mf->fax.id : "", v->pause_id) > 0;
}

void view_set_paused(struct view *v, bool paused)
{
	size_t n = model_count(v->m);

	v->paused = paused;
	v->n_new = 0;
	v->pause_created = INT64_MIN;
	v->pause_id[0] = '\0';
	if (paused && n > 0) {
		const struct model_fax *top = model_at(v->m, n - 1);

		v->pause_created = top->fax.created_at;
		snprintf(v->pause_id, sizeof v->pause_id, "%s", top->fax.id ? top->fax.id : "");
	}
	v->stale = true;
}

static int nullcmp(const char *a, const char *b)
{
	if (!a || !b)
		return (a != NULL) - (b != NULL);
	return strcasecmp(a, b);
}

static int cmp_rows(const void *pa, const void *pb, void *ctx)
{
	const struct view *v = ctx;
	const struct model_fax *a = *(const struct model_fax *const *)pa;
	const struct model_fax *b = *(const struct model_fax *const *)pb;
	int c = 0;

	switch (v->sort) {
	case SORT_CREATED:
		c = cmp_created(a, b);
		break;
	case SORT_UPDATED:
		c = a->fax.updated_at < b->fax.updated_at ? -1
							  : a->fax.updated_at > b->fax.updated_at;
		break;
	case SORT_STATUS:
		c = (int)a->fax.status - (int)b->fax.status;
		break;
	case SORT_TO:
		c = nullcmp(a->fax.to, b->fax.to);
		break;
	case SORT_ATTEMPTS:
		c = a->fax.n_attempts < b->fax.n_attempts ? -1
							  : a->fax.n_attempts > b->fax.n_attempts;
		break;
	case SORT_CODE:
		c = nullcmp(a->fax.error_code, b->fax.error_code);
		break;
	case SORT_COUNT:
		break;
	}
	/* Ties: newest first, whatever the key. */
	if (c == 0)
		return -cmp_created(a, b);
	if (sorts[v->sort].desc)
		c = -c;
	return v->reverse ? -c : c;
}

static void reverse_rows(struct view *v)
{
	for (size_t i = 0, j = v->n; i + 1 < j; i++, j--) {
		const struct model_fax *tmp = v->rows[i];

		v->rows[i] = v->rows[j - 1];
		v->rows[j - 1] = tmp;
	}
}

#define SMALL_KEYS 64

static unsigned small_key(const struct view *v, const struct model_fax *mf)
{
	size_t k = v->sort == SORT_STATUS ? (size_t)mf->fax.status : mf->fax.n_attempts;
	unsigned b = k >= SMALL_KEYS ? SMALL_KEYS - 1 : (unsigned)k;
	bool desc = sorts[v->sort].desc != v->reverse;

	return desc ? SMALL_KEYS - 1 - b : b;
}

/* Statuses and attempt counts take few values: a stable counting sort
 * keeps the rows' newest-first order within each value, in linear time. */
static void sort_small_keys(struct view *v)
{
	size_t count[SMALL_KEYS + 1] = { 0 };
	const struct model_fax **tmp = malloc(v->n * sizeof *tmp);

	if (!tmp) {
		qsort_r(v->rows, v->n, sizeof *v->rows, cmp_rows, v);
		return;
	}
	for (size_t i = 0; i < v->n; i++)
		count[small_key(v, v->rows[i]) + 1]++;
	for (int b = 1; b <= SMALL_KEYS; b++)
		count[b] += count[b - 1];
	for (size_t i = 0; i < v->n; i++)
		tmp[count[small_key(v, v->rows[i])]++] = v->rows[i];
	memcpy(v->rows, tmp, v->n * sizeof *tmp);
	free(tmp);
}

struct keyed_row {
	int64_t key, created;
	const struct model_fax *mf;
};

static int cmp_keyed(const void *pa, const void *pb)
{
	const struct keyed_row *a = pa, *b = pb;

	if (a->key != b->key)
		return a->key < b->key ? -1 : 1;
	if (a->created != b->created)
		return a->created > b->created ? -1 : 1;
	return -strcmp(a->mf->fax.id ? a->mf->fax.id : "", b->mf->fax.id ? b->mf->fax.id : "");
}

static int64_t sort_key(const struct view *v, const struct model_fax *mf)
{
	int64_t k = 0;

	switch (v->sort) {
	case SORT_CREATED:
		k = mf->fax.created_at;
		break;
	case SORT_UPDATED:
		k = mf->fax.updated_at;
		break;
	case SORT_STATUS:
		k = mf->fax.status;
		break;
	case SORT_ATTEMPTS:
		k = (int64_t)mf->fax.n_attempts;
		break;
	case SORT_TO:
	case SORT_CODE:
	case SORT_COUNT:
		break;
	}
	/* TS_NONE is INT64_MIN: negating it would overflow. */
	if (k == INT64_MIN)
		k = INT64_MIN + 1;
	if (sorts[v->sort].desc)
		k = -k;
	return v->reverse ? -k : k;
}

/* Numeric keys are copied next to the pointer so that sorting a million
 * rows compares integers in one array instead of chasing pointers. */
static void sort_by_key(struct view *v)
{
	struct keyed_row *tmp = malloc(v->n * sizeof *tmp);

	if (!tmp) {
		qsort_r(v->rows, v->n, sizeof *v->rows, cmp_rows, v);
		return;
	}
	for (size_t i = 0; i < v->n; i++)
		tmp[i] = (struct keyed_row){ sort_key(v, v->rows[i]), v->rows[i]->fax.created_at,
					     v->rows[i] };
	qsort(tmp, v->n, sizeof *tmp, cmp_keyed);
	for (size_t i = 0; i < v->n; i++)
		v->rows[i] = tmp[i].mf;
	free(tmp);
}

static void count_code(struct view *v, const char *code)
{
	size_t i;

	if (!code || !*code)
		return;
	for (i = 0; i < v->n_codes; i++) {
		if (strcasecmp(v->codes[i].code, code) == 0) {
			v->codes[i].count++;
			return;
		}
	}
	if (v->n_codes < sizeof v->codes / sizeof v->codes[0])
		v->codes[v->n_codes++] = (struct model_code_count){ code, 1 };
}

static int cmp_codes(const void *pa, const void *pb)
{
	const struct model_code_count *a = pa, *b = pb;

	if (a->count != b->count)
		return a->count < b->count ? 1 : -1;
	return strcmp(a->code, b->code);
}

static void build_index(struct view *v, size_t total)
{
	size_t need = total;

	if (need > v->cap) {
		v->rows = xrealloc(v->rows, need * sizeof *v->rows);
		v->cap = need;
	}
	v->n = 0;
	v->n_codes = 0;
	for (size_t i = total; i-- > 0;) {
		const struct model_fax *mf = model_at(v->m, i);

		if (v->paused && after_pause(v, mf)) {
			v->n_new++;
			continue;
		}
		if (!filter_match(&v->filter, mf))
			continue;
		v->rows[v->n++] = mf;
		count_code(v, mf->fax.error_code);
	}
	if (v->sort == SORT_TO || v->sort == SORT_CODE)
		qsort_r(v->rows, v->n, sizeof *v->rows, cmp_rows, v);
	else if (v->sort == SORT_CREATED && v->reverse)
		reverse_rows(v);
	else if (v->sort == SORT_STATUS || v->sort == SORT_ATTEMPTS)
		sort_small_keys(v);
	else if (v->sort != SORT_CREATED)
		sort_by_key(v);
	qsort(v->codes, v->n_codes, sizeof v->codes[0], cmp_codes);
}

#define VIEW_FIND_NEAR 4096

static double mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

bool view_update(struct view *v)
{
	uint64_t gen = model_generation(v->m) + triage_generation(v->tr);
	size_t total;
	double start;

	if (!v->stale && gen == v->gen)
		return false;
	start = mono_now();
	/* A model change (not a user's request) rebuilds an expensive index
	 * at most VIEW_BUILD_DUTY of the time, so a million faxes under a
	 * steady stream of events cannot monopolise the loop. */
	if (!v->stale && v->indexed && start - v->built_at < v->build_cost / VIEW_BUILD_DUTY) {
		v->deferred = true;
		return false;
	}
	v->deferred = false;
	v->gen = gen;
	v->stale = false;
	total = model_count(v->m);
	v->n_new = 0;
	v->indexed = !filter_empty(&v->filter) || v->sort != SORT_CREATED || v->reverse;
	if (v->indexed) {
		build_index(v, total);
		goto done;
	}
	/* Unindexed: creation order. */
	if (v->paused)
		while (v->n_new < total && after_pause(v, model_at(v->m, total - 1 - v->n_new)))
			v->n_new++;
	v->fast_n = total - v->n_new;
	v->n_codes = model_error_codes(v->m, v->codes, sizeof v->codes / sizeof v->codes[0]);
	if (v->n_codes > sizeof v->codes / sizeof v->codes[0])
		v->n_codes = sizeof v->codes / sizeof v->codes[0];
done:
	v->built_at = mono_now();
	v->build_cost = v->built_at - start;
	return true;
}

double view_retry_in(const struct view *v)
{
	double wait;

	if (!v->deferred)
		return -1;
	wait = v->built_at + v->build_cost / VIEW_BUILD_DUTY - mono_now();
	return wait > 0 ? wait : 0;
}

size_t view_count(const struct view *v)
{
	return v->indexed ? v->n : v->fast_n;
}

const struct model_fax *view_at(const struct view *v, size_t i)
{
	if (v->indexed)
		return i < v->n ? v->rows[i] : NULL;
	if (i >= v->fast_n)
		return NULL;
	return model_at(v->m, v->fast_n - 1 - i);
}

static bool id_at(const struct view *v, size_t i, const char *id)
{
	const struct model_fax *mf = view_at(v, i);

	return mf && mf->fax.id && strcmp(mf->fax.id, id) == 0;
}

/* Looks outward from the hint first: between two frames a fax usually
 * moves by the few rows that arrived above it. */
size_t view_find(const struct view *v, const char *id, size_t hint)
{
	size_t n = view_count(v);

	if (!id || !*id || n == 0)
		return SIZE_MAX;
	if (hint >= n)
		hint = n - 1;
	for (size_t d = 0; d < VIEW_FIND_NEAR; d++) {
		if (hint + d < n && id_at(v, hint + d, id))
			return hint + d;
		if (d && d <= hint && id_at(v, hint - d, id))
			return hint - d;
		if (hint + d >= n && d > hint)
			return SIZE_MAX;
	}
	for (size_t i = 0; i < n; i++)
		if (id_at(v, i, id))
			return i;
	return SIZE_MAX;
}
