#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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
		c = a->fax.updated_at < b->fax.updated_at ? -1 : a->fax.updated_at > b->fax.updated_at;
		break;
	case SORT_STATUS:
		c = (int)a->fax.status - (int)b->fax.status;
		break;
	case SORT_TO:
		c = nullcmp(a->fax.to, b->fax.to);
		break;
	case SORT_ATTEMPTS:
		c = a->fax.n_attempts < b->fax.n_attempts ? -1 : a->fax.n_attempts > b->fax.n_attempts;
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

static bool build_index(struct view *v, size_t total)
{
	size_t need = total;

	if (need > v->cap) {
		const struct model_fax **r = realloc(v->rows, need * sizeof *r);

		if (!r)
			return false;
		v->rows = r;
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
	if (v->sort != SORT_CREATED || v->reverse)
		qsort_r(v->rows, v->n, sizeof *v->rows, cmp_rows, v);
	qsort(v->codes, v->n_codes, sizeof v->codes[0], cmp_codes);
	return true;
}

bool view_update(struct view *v)
{
	uint64_t gen = model_generation(v->m);
	size_t total;

	if (!v->stale && gen == v->gen)
		return false;
	v->gen = gen;
	v->stale = false;
	total = model_count(v->m);
	v->n_new = 0;
	v->indexed = !filter_empty(&v->filter) || v->sort != SORT_CREATED || v->reverse;
	if (v->indexed && build_index(v, total))
		return true;
	/* Unindexed (or out of memory for the index): creation order. */
	v->indexed = false;
	if (v->paused)
		while (v->n_new < total && after_pause(v, model_at(v->m, total - 1 - v->n_new)))
			v->n_new++;
	v->fast_n = total - v->n_new;
	v->n_codes = model_error_codes(v->m, v->codes, sizeof v->codes / sizeof v->codes[0]);
	if (v->n_codes > sizeof v->codes / sizeof v->codes[0])
		v->n_codes = sizeof v->codes / sizeof v->codes[0];
	return true;
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

size_t view_find(const struct view *v, const char *id, size_t hint)
{
	size_t n = view_count(v);

	if (!id || !*id || n == 0)
		return SIZE_MAX;
	if (hint < n) {
		const struct model_fax *mf = view_at(v, hint);

		if (mf->fax.id && strcmp(mf->fax.id, id) == 0)
			return hint;
	}
	for (size_t i = 0; i < n; i++) {
		const struct model_fax *mf = view_at(v, i);

		if (mf->fax.id && strcmp(mf->fax.id, id) == 0)
			return i;
	}
	return SIZE_MAX;
}
