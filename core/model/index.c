/* The faxes: their storage in fixed chunks, the creation-order index, the
 * aggregates the UI reads (counts by status and by error code), the links
 * between resends and their originals, and the readers over all of it. */
#include <stdlib.h>
#include <string.h>

#include "core/base/xalloc.h"
#include "core/model/model_int.h"

static struct mfax *fax_at_index(const struct model *m, size_t idx)
{
	return &m->fax_chunks[idx / FAX_CHUNK][idx % FAX_CHUNK];
}

struct mfax *mindex_find(const struct model *m, const char *id)
{
	const struct istr *e = mpool_lookup(&m->pool, id);

	if (!e || !e->fax)
		return NULL;
	return fax_at_index(m, e->fax - 1);
}

void mindex_done(struct model *m)
{
	for (size_t i = 0; i < m->n_fax; i++) {
		struct mfax *f = fax_at_index(m, i);

		/* Strings are pooled; only the arrays are the fax's own. */
		free(f->pub.fax.attempts);
		free(f->pub.fax.tags);
		free(f->resends);
	}
	for (size_t i = 0; i < m->n_chunks; i++)
		free(m->fax_chunks[i]);
	free(m->fax_chunks);
	free(m->order_buf);
	free(m->pending);
	free(m->codes);
}

/* ---- the creation-order index ---- */

static int order_cmp(const struct mfax *a, int64_t key, const char *id)
{
	if (a->order_key != key)
		return a->order_key < key ? -1 : 1;
	/* Pooled ids are unique, so equal pointers mean the same fax. */
	return a->pub.fax.id == id ? 0 : strcmp(a->pub.fax.id, id);
}

/* The first of the first `count` positions whose fax sorts at or after
 * (key, id). Faxes arrive mostly in creation order (webhooks, the store's
 * rebuild) or newest first (GET /faxes), so both ends are tried first. */
static size_t order_find(const struct model *m, size_t count, int64_t key, const char *id)
{
	size_t lo = 0, hi = count;

	if (hi && order_cmp(m->order[hi - 1], key, id) < 0)
		return hi;
	if (hi && order_cmp(m->order[0], key, id) >= 0)
		return 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (order_cmp(m->order[mid], key, id) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Puts the `count` live entries in the middle of a buffer of `cap`. */
static void order_recentre(struct model *m, size_t count, size_t cap)
{
	size_t off = (cap - count) / 2;

	if (cap != m->order_cap) {
		struct mfax **buf = xmalloc(cap * sizeof *buf);

		if (count)
			memcpy(buf + off, m->order, count * sizeof *buf);
		free(m->order_buf);
		m->order_buf = buf;
		m->order_cap = cap;
	} else {
		memmove(m->order_buf + off, m->order, count * sizeof *m->order);
	}
	m->order = m->order_buf + off;
}

/* Inserts f among the first `count` entries of the index, shifting the
 * shorter side, so appending at either end costs O(1) amortised. */
static void order_insert(struct model *m, struct mfax *f, size_t count)
{
	size_t pos = order_find(m, count, f->order_key, f->pub.fax.id);
	size_t front = m->order_buf ? (size_t)(m->order - m->order_buf) : 0;
	size_t back = m->order_cap - front - count;
	bool left = pos < count - pos;

	if ((left && !front) || (!left && !back)) {
		/* Out of room on that side: recentre, growing when the spare
		 * room is under a quarter of the entries. */
		size_t cap = m->order_cap;

		if (cap - count < count / 4 + 2)
			cap = cap ? cap * 2 : 1024;
		order_recentre(m, count, cap);
	}
	if (left) {
		memmove(m->order - 1, m->order, pos * sizeof *m->order);
		m->order--;
	} else {
		memmove(&m->order[pos + 1], &m->order[pos], (count - pos) * sizeof *m->order);
	}
	m->order[pos] = f;
}

void mindex_rekey(struct model *m, struct mfax *f, int64_t key)
{
	size_t pos = order_find(m, m->n_fax, f->order_key, f->pub.fax.id);

	if (pos >= m->n_fax || m->order[pos] != f)
		return; /* cannot happen: every fax is in the index */
	memmove(&m->order[pos], &m->order[pos + 1], (m->n_fax - pos - 1) * sizeof *m->order);
	f->order_key = key;
	/* The slot just freed at the back guarantees room. */
	order_insert(m, f, m->n_fax - 1);
}

/* ---- aggregates ---- */

void mindex_count_status(struct model *m, enum fax_status from, enum fax_status to)
{
	if (from == to)
		return;
	if ((unsigned)from < FAX_STATUS_COUNT && m->status_count[from])
		m->status_count[from]--;
	if ((unsigned)to < FAX_STATUS_COUNT)
		m->status_count[to]++;
}

void mindex_count_code(struct model *m, const char *from, const char *to)
{
	if (from == to)
		return;
	if (from) {
		struct istr *e = ISTR(from);

		if (e->code_count & ~CODE_LISTED)
			e->code_count--;
	}
	if (to) {
		struct istr *e = ISTR(to);

		if (!(e->code_count & CODE_LISTED)) {
			m->codes = xgrow(m->codes, &m->codes_cap, m->n_codes + 1, sizeof *m->codes);
			m->codes[m->n_codes++] = to;
			e->code_count |= CODE_LISTED;
		}
		e->code_count++;
	}
}

/* ---- resends, and creating a fax ---- */

static void add_resend(struct mfax *orig, const char *resend_id)
{
	const char **r;

	for (size_t i = 0; i < orig->pub.n_resends; i++)
		if (orig->resends[i] == resend_id)
			return;
	r = xrealloc(orig->resends, (orig->pub.n_resends + 1) * sizeof *r);
	r[orig->pub.n_resends++] = resend_id;
	orig->resends = r;
	orig->pub.resends = r;
}

void mindex_link_resend(struct model *m, const char *orig_id, const char *resend_id)
{
	struct mfax *orig = mindex_find(m, orig_id);
	struct istr *e;

	if (orig) {
		add_resend(orig, resend_id);
		return;
	}
	e = ISTR(orig_id);
	m->pending = xgrow(m->pending, &m->pending_cap, m->n_pending + 1, sizeof *m->pending);
	m->pending[m->n_pending].resend_id = resend_id;
	m->pending[m->n_pending].next = e->pending;
	e->pending = (uint32_t)++m->n_pending;
}

static void claim_pending(struct model *m, struct mfax *f)
{
	struct istr *e = ISTR(f->pub.fax.id);

	for (uint32_t i = e->pending; i; i = m->pending[i - 1].next)
		add_resend(f, m->pending[i - 1].resend_id);
	/* Pending entries stay in the array (no reuse); they are small and
	 * an original normally arrives once. */
	e->pending = 0;
}

struct mfax *mindex_create(struct model *m, const char *id, int64_t order_key)
{
	const char *pid = mpool_intern(&m->pool, id);
	struct mfax *f;

	if (m->n_fax == m->n_chunks * FAX_CHUNK) {
		m->fax_chunks = xrealloc(m->fax_chunks, (m->n_chunks + 1) * sizeof *m->fax_chunks);
		m->fax_chunks[m->n_chunks++] = xmalloc(FAX_CHUNK * sizeof(struct mfax));
	}
	f = fax_at_index(m, m->n_fax);
	memset(f, 0, sizeof *f);
	fax_init(&f->pub.fax);
	f->pub.fax.id = (char *)pid;
	f->fresh = TS_NONE;
	f->order_key = order_key;
	order_insert(m, f, m->n_fax);
	ISTR(pid)->fax = (uint32_t)m->n_fax + 1;
	m->n_fax++;
	m->status_count[FAX_STATUS_NONE]++;
	claim_pending(m, f);
	return f;
}

/* ---- readers ---- */

const struct model_fax *model_get(const struct model *m, const char *fax_id)
{
	struct mfax *f = fax_id ? mindex_find(m, fax_id) : NULL;

	return f ? &f->pub : NULL;
}

size_t model_count(const struct model *m)
{
	return m->n_fax;
}

const struct model_fax *model_at(const struct model *m, size_t idx)
{
	return idx < m->n_fax ? &m->order[idx]->pub : NULL;
}

size_t model_find(const struct model *m, size_t start, int dir,
		  bool (*pred)(const struct model_fax *f, void *ctx), void *ctx)
{
	if (!pred || dir == 0)
		return SIZE_MAX;
	for (size_t i = start; i<m->n_fax; i = dir> 0 ? i + 1 : i - 1)
		if (pred(&m->order[i]->pub, ctx))
			return i;
	return SIZE_MAX;
}

size_t model_count_status(const struct model *m, enum fax_status s)
{
	return (unsigned)s < FAX_STATUS_COUNT ? m->status_count[s] : 0;
}

static int code_cmp(const void *a, const void *b)
{
	const struct model_code_count *x = a, *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return strcmp(x->code, y->code);
}

size_t model_error_codes(const struct model *m, struct model_code_count *out, size_t max)
{
	struct model_code_count *all;
	size_t n = 0;

	if (!m->n_codes)
		return 0;
	all = xmalloc(m->n_codes * sizeof *all);
	for (size_t i = 0; i < m->n_codes; i++) {
		size_t c = ISTR(m->codes[i])->code_count & ~CODE_LISTED;

		if (c) {
			all[n].code = m->codes[i];
			all[n].count = c;
			n++;
		}
	}
	qsort(all, n, sizeof *all, code_cmp);
	if (out)
		memcpy(out, all, (n < max ? n : max) * sizeof *out);
	free(all);
	return n;
}
