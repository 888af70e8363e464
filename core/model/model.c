/* The live model and its state machine.
 *
 * Rules model_apply() enforces (docs/CONTRACT.md#statuses, #ordering, #assumptions), each with a unit test:
 *  - an event id already seen is a duplicate: counted and logged, not applied
 *    (a bounded window of ids, remembered as 128-bit fingerprints);
 *  - status moves forward only, by rank: queued < submitted < in_progress <
 *    delivered|failed; a lower rank never moves a fax back;
 *  - a terminal status never changes; a conflicting terminal event (failed
 *    after delivered or the reverse) is an anomaly: recorded on the fax,
 *    logged and counted, and nothing of it is applied;
 *  - a terminal event that breaks the delivery contract (docs/CONTRACT.md#failure-codes) is applied and
 *    recorded as an anomaly too: fax.failed with a retryable code before
 *    max_attempts attempts were made, or any terminal event that leaves an
 *    attempt still in progress;
 *  - attempts merge by attempt_number; a completed attempt beats an
 *    in-progress one; an attempt is never lost because a later snapshot
 *    carried fewer;
 *  - freshness: each fax remembers the time of the newest snapshot applied
 *    (updated_at, or the event's `created` when the snapshot has none). A
 *    snapshot at least that fresh, or one that moves the status forward,
 *    overwrites every field it carries; an older one only fills fields
 *    still unknown. Null or absent fields never erase what is known;
 *  - an event for an unknown fax creates it; an unknown type is logged and
 *    kept, never fatal (its fax snapshot, if any, merges under the rules);
 *  - resent_from links both ways, also when the original arrives later;
 *  - a balance event older than the newest one applied keeps its alert but
 *    does not overwrite the balance.
 *
 * Scale: every string the model keeps is interned once in an arena (ids,
 * numbers, codes, messages), so a fax costs its struct, its attempts array
 * and the bytes of the strings only it has. The intern entry of a fax id
 * also holds the fax's index (model_get is one hash probe), the count of
 * faxes whose current error_code it is, and the resends waiting for an
 * original that has not arrived yet. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/errors.h"
#include "core/model/model.h"

static const char *const outcome_names[APPLY_OUTCOME_COUNT] = {
#define X(e, name) [e] = name,
	APPLY_OUTCOME_LIST(X)
#undef X
};

static const char *const alert_names[ALERT_KIND_COUNT] = {
#define X(e, name) [e] = name,
	ALERT_KIND_LIST(X)
#undef X
};

const char *apply_outcome_name(enum apply_outcome o)
{
	return (unsigned)o < APPLY_OUTCOME_COUNT ? outcome_names[o] : "";
}

const char *alert_kind_name(enum alert_kind k)
{
	return (unsigned)k < ALERT_KIND_COUNT ? alert_names[k] : "";
}

/* ---- hashing ---- */

static uint64_t hash_fnv(const char *s, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

/* A second hash, independent of FNV, for the dedupe fingerprints. */
static uint64_t hash_poly(const char *s, size_t len)
{
	uint64_t h = 0x243f6a8885a308d3ULL;

	for (size_t i = 0; i < len; i++)
		h = (h + (unsigned char)s[i]) * 0x9e3779b97f4a7c15ULL;
	return mix64(h ^ len);
}

/* ---- the string pool ---- */

#define CODE_LISTED 0x80000000u

struct istr {
	uint32_t hash;
	uint32_t code_count;     /* faxes with this as error_code; CODE_LISTED bit */
	uint32_t pending;        /* 1 + index of the first pending resend, 0 none */
	uint32_t fax;            /* 1 + index of the fax with this id, 0 none */
	char s[];
};

#define ISTR(p) ((struct istr *)(void *)((char *)(p) - offsetof(struct istr, s)))

struct chunk {
	struct chunk *next;
	size_t used, size;
	char data[];
};

struct pool {
	struct istr **slots;
	size_t mask, n;
	struct chunk *chunks;
	size_t chunk_size;       /* of the next chunk: doubles up to CHUNK_SIZE */
};

/* Chunks start small, so a model of a few faxes (a test, a fuzz input, a
 * quiet day) costs a few kilobytes, and grow to CHUNK_SIZE. */
#define CHUNK_SIZE (256 * 1024 - 64)
#define CHUNK_SIZE_FIRST (16 * 1024 - 64)

static int pool_init(struct pool *p)
{
	memset(p, 0, sizeof(*p));
	p->slots = calloc(1024, sizeof(*p->slots));
	if (!p->slots)
		return -1;
	p->mask = 1023;
	p->chunk_size = CHUNK_SIZE_FIRST;
	return 0;
}

static void pool_done(struct pool *p)
{
	struct chunk *c = p->chunks, *next;

	for (; c; c = next) {
		next = c->next;
		free(c);
	}
	free(p->slots);
	memset(p, 0, sizeof(*p));
}

static void *pool_alloc(struct pool *p, size_t size)
{
	struct chunk *c = p->chunks;

	size = (size + 7) & ~(size_t)7;
	if (!c || c->size - c->used < size) {
		bool one_off = size > p->chunk_size / 4;
		size_t want = one_off ? size : p->chunk_size;

		c = malloc(sizeof(*c) + want);
		if (!c)
			return NULL;
		c->size = want;
		c->used = 0;
		if (!one_off && p->chunk_size < CHUNK_SIZE)
			p->chunk_size = p->chunk_size * 2 + 64 > CHUNK_SIZE ? CHUNK_SIZE
									 : p->chunk_size * 2 + 64;
		/* A big one-off string goes behind the current chunk, which
		 * keeps filling. */
		if (one_off && p->chunks) {
			c->next = p->chunks->next;
			p->chunks->next = c;
		} else {
			c->next = p->chunks;
			p->chunks = c;
		}
	}
	c->used += size;
	return c->data + c->used - size;
}

static struct istr *pool_find(const struct pool *p, const char *s, size_t len, uint32_t h)
{
	for (size_t i = h & p->mask;; i = (i + 1) & p->mask) {
		struct istr *e = p->slots[i];

		if (!e)
			return NULL;
		if (e->hash == h && strncmp(e->s, s, len) == 0 && e->s[len] == '\0')
			return e;
	}
}

static int pool_grow(struct pool *p)
{
	size_t cap = (p->mask + 1) * 2;
	struct istr **slots = calloc(cap, sizeof(*slots));

	if (!slots)
		return -1;
	for (size_t i = 0; i <= p->mask; i++) {
		struct istr *e = p->slots[i];
		size_t j;

		if (!e)
			continue;
		for (j = e->hash & (cap - 1); slots[j]; j = (j + 1) & (cap - 1))
			;
		slots[j] = e;
	}
	free(p->slots);
	p->slots = slots;
	p->mask = cap - 1;
	return 0;
}

static const struct istr *pool_lookup(const struct pool *p, const char *s)
{
	size_t len = strlen(s);

	return pool_find(p, s, len, (uint32_t)hash_fnv(s, len));
}

/* The pooled copy of s; NULL for NULL (and on ENOMEM, with *oom set). */
static const char *intern(struct pool *p, const char *s, bool *oom)
{
	size_t len;
	uint32_t h;
	struct istr *e;

	if (!s)
		return NULL;
	len = strlen(s);
	h = (uint32_t)hash_fnv(s, len);
	e = pool_find(p, s, len, h);
	if (e)
		return e->s;
	if ((p->n + 1) * 10 > (p->mask + 1) * 7 && pool_grow(p))
		goto oom;
	e = pool_alloc(p, sizeof(*e) + len + 1);
	if (!e)
		goto oom;
	e->hash = h;
	e->code_count = 0;
	e->pending = 0;
	e->fax = 0;
	memcpy(e->s, s, len + 1);
	for (size_t i = h & p->mask;; i = (i + 1) & p->mask) {
		if (!p->slots[i]) {
			p->slots[i] = e;
			break;
		}
	}
	p->n++;
	return e->s;
oom:
	*oom = true;
	return NULL;
}

/* Error codes are kept lowercase whoever built the snapshot (docs/CONTRACT.md#assumptions). */
static const char *intern_lower(struct pool *p, const char *s, bool *oom)
{
	char small[64], *buf = small;
	const char *r;
	size_t len;
	bool upper = false;

	if (!s)
		return NULL;
	for (const char *c = s; *c; c++)
		upper |= isupper((unsigned char)*c) != 0;
	if (!upper)
		return intern(p, s, oom);
	len = strlen(s);
	if (len >= sizeof(small)) {
		buf = malloc(len + 1);
		if (!buf) {
			*oom = true;
			return NULL;
		}
	}
	for (size_t i = 0; i <= len; i++)
		buf[i] = (char)tolower((unsigned char)s[i]);
	r = intern(p, buf, oom);
	if (buf != small)
		free(buf);
	return r;
}

/* ---- the set of seen event ids ---- */

struct fp {
	uint64_t a, b;
};

struct seen {
	struct fp *ring;          /* oldest at head once full */
	size_t cap, n, head, window;
	uint32_t *table;          /* 1 + ring index, 0 empty */
	size_t tmask;
};

static struct fp fingerprint(const char *id)
{
	size_t len = strlen(id);
	struct fp f = { mix64(hash_fnv(id, len)), hash_poly(id, len) };

	return f;
}

static int seen_rebuild(struct seen *s, size_t tsize)
{
	uint32_t *t = calloc(tsize, sizeof(*t));

	if (!t)
		return -1;
	free(s->table);
	s->table = t;
	s->tmask = tsize - 1;
	for (size_t k = 0; k < s->n; k++) {
		size_t idx = (s->head + k) % s->cap, j;

		for (j = s->ring[idx].a & s->tmask; s->table[j]; j = (j + 1) & s->tmask)
			;
		s->table[j] = (uint32_t)idx + 1;
	}
	return 0;
}

static size_t pow2_at_least(size_t n)
{
	size_t p = 1;

	while (p < n)
		p <<= 1;
	return p;
}

static int seen_init(struct seen *s, size_t window)
{
	memset(s, 0, sizeof(*s));
	s->window = window;
	s->cap = window < 1024 ? window : 1024;
	s->ring = calloc(s->cap, sizeof(*s->ring));
	if (!s->ring)
		return -1;
	return seen_rebuild(s, pow2_at_least(s->cap * 2));
}

static void seen_done(struct seen *s)
{
	free(s->ring);
	free(s->table);
	memset(s, 0, sizeof(*s));
}

static size_t seen_slot(const struct seen *s, struct fp f)
{
	size_t j;

	for (j = f.a & s->tmask; s->table[j]; j = (j + 1) & s->tmask) {
		const struct fp *e = &s->ring[s->table[j] - 1];

		if (e->a == f.a && e->b == f.b)
			return j;
	}
	return SIZE_MAX;
}

static bool seen_has(const struct seen *s, const char *id)
{
	return seen_slot(s, fingerprint(id)) != SIZE_MAX;
}

/* Linear-probing delete: pull later entries of the cluster back so no
 * look-up stops early at the hole. */
static void seen_unlink(struct seen *s, size_t i)
{
	size_t j = i;

	for (;;) {
		size_t home;

		j = (j + 1) & s->tmask;
		if (!s->table[j])
			break;
		home = s->ring[s->table[j] - 1].a & s->tmask;
		if ((j > i && (home <= i || home > j)) || (j < i && home <= i && home > j)) {
			s->table[i] = s->table[j];
			i = j;
		}
	}
	s->table[i] = 0;
}

static int seen_grow(struct seen *s)
{
	size_t cap = s->cap * 2 > s->window ? s->window : s->cap * 2;
	struct fp *ring = calloc(cap, sizeof(*ring));

	if (!ring)
		return -1;
	for (size_t k = 0; k < s->n; k++)
		ring[k] = s->ring[(s->head + k) % s->cap];
	free(s->ring);
	s->ring = ring;
	s->cap = cap;
	s->head = 0;
	/* At most half full: probe runs stay short. */
	return seen_rebuild(s, pow2_at_least(cap * 2));
}

static int seen_add(struct seen *s, const char *id)
{
	struct fp f = fingerprint(id);
	size_t idx, j;

	if (seen_slot(s, f) != SIZE_MAX)
		return 0;
	if (s->n == s->cap && s->cap < s->window && seen_grow(s))
		return -1;
	if (s->n == s->cap) {
		/* Full: forget the oldest id and reuse its place. */
		idx = s->head;
		seen_unlink(s, seen_slot(s, s->ring[idx]));
		s->head = (s->head + 1) % s->cap;
	} else {
		idx = (s->head + s->n) % s->cap;
		s->n++;
	}
	s->ring[idx] = f;
	for (j = f.a & s->tmask; s->table[j]; j = (j + 1) & s->tmask)
		;
	s->table[j] = (uint32_t)idx + 1;
	return 0;
}

/* ---- the model ---- */

struct mfax {
	struct model_fax pub;
	int64_t fresh;            /* ms of the newest snapshot applied, TS_NONE if none */
	int64_t order_key;        /* created_at, or when it was first heard of */
	const char **resends;     /* pooled ids; pub.resends points here */
};

/* Faxes live in fixed chunks (their addresses never move); 256 of them
 * make a chunk below the size where allocators switch to mmap. */
#define FAX_CHUNK 256

struct pending {
	const char *resend_id;
	uint32_t next;            /* 1 + index, 0 end */
};

struct ring {
	void *items;
	size_t size, cap, n, head; /* head: index of the oldest */
};

struct model {
	struct model_opts opts;
	struct pool pool;
	struct seen seen;

	struct mfax **fax_chunks;
	size_t n_fax, n_chunks;
	struct mfax **order;      /* by (order_key, id); points into order_buf */
	struct mfax **order_buf;  /* room on both sides of the live range */
	size_t order_cap;

	struct pending *pending;
	size_t n_pending, pending_cap;

	const char **codes;       /* every code ever counted, pooled */
	size_t n_codes, codes_cap;
	size_t status_count[FAX_STATUS_COUNT];

	struct ring log, alerts, samples;
	struct model_balance balance;
	struct model_stats stats;
	uint64_t generation;
	int64_t last_event_ms;
	int64_t balance_event_created; /* `created` of the newest balance event applied */
};

static int ring_init(struct ring *r, size_t size, size_t cap)
{
	memset(r, 0, sizeof(*r));
	r->size = size;
	r->cap = cap ? cap : 1;
	r->items = calloc(r->cap, size);
	return r->items ? 0 : -1;
}

/* The slot for a new item, overwriting the oldest when full. */
static void *ring_push(struct ring *r)
{
	size_t idx;

	if (r->n == r->cap) {
		idx = r->head;
		r->head = (r->head + 1) % r->cap;
	} else {
		idx = (r->head + r->n) % r->cap;
		r->n++;
	}
	return (char *)r->items + idx * r->size;
}

static void *ring_oldest(const struct ring *r, size_t k)
{
	if (k >= r->n)
		return NULL;
	return (char *)r->items + ((r->head + k) % r->cap) * r->size;
}

static void *ring_newest(const struct ring *r, size_t k)
{
	if (k >= r->n)
		return NULL;
	return ring_oldest(r, r->n - 1 - k);
}

struct model *model_new(const struct model_opts *opts)
{
	struct model *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	if (opts)
		m->opts = *opts;
	else
		m->opts.low_balance_cents = -1;
	if (!m->opts.event_log_size)
		m->opts.event_log_size = 1000;
	if (!m->opts.balance_samples)
		m->opts.balance_samples = MODEL_BALANCE_SAMPLES;
	if (m->opts.burn_window_ms <= 0)
		m->opts.burn_window_ms = MODEL_BURN_WINDOW_MS;
	if (!m->opts.alert_log_size)
		m->opts.alert_log_size = 100;
	if (!m->opts.dedupe_window)
		m->opts.dedupe_window = 1u << 20;
	/* Ring indices are 32-bit. */
	if (m->opts.dedupe_window > UINT32_MAX / 4)
		m->opts.dedupe_window = UINT32_MAX / 4;
	m->last_event_ms = TS_NONE;
	if (pool_init(&m->pool) || seen_init(&m->seen, m->opts.dedupe_window) ||
	    ring_init(&m->log, sizeof(struct model_log_entry), m->opts.event_log_size) ||
	    ring_init(&m->alerts, sizeof(struct model_alert), m->opts.alert_log_size) ||
	    ring_init(&m->samples, sizeof(struct model_balance_sample), m->opts.balance_samples)) {
		model_free(m);
		return NULL;
	}
	return m;
}

void model_free(struct model *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n_fax; i++) {
		struct mfax *f = &m->fax_chunks[i / FAX_CHUNK][i % FAX_CHUNK];

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
	free(m->log.items);
	free(m->alerts.items);
	free(m->samples.items);
	seen_done(&m->seen);
	pool_done(&m->pool);
	free(m);
}

static struct mfax *fax_at_index(const struct model *m, uint32_t idx)
{
	return &m->fax_chunks[idx / FAX_CHUNK][idx % FAX_CHUNK];
}

static struct mfax *find_fax(const struct model *m, const char *id)
{
	const struct istr *e = pool_lookup(&m->pool, id);

	if (!e || !e->fax)
		return NULL;
	return fax_at_index(m, e->fax - 1);
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
static int order_recentre(struct model *m, size_t count, size_t cap)
{
	size_t off = (cap - count) / 2;

	if (cap != m->order_cap) {
		struct mfax **buf = malloc(cap * sizeof(*buf));

		if (!buf)
			return -1;
		if (count)
			memcpy(buf + off, m->order, count * sizeof(*buf));
		free(m->order_buf);
		m->order_buf = buf;
		m->order_cap = cap;
	} else {
		memmove(m->order_buf + off, m->order, count * sizeof(*m->order));
	}
	m->order = m->order_buf + off;
	return 0;
}

/* Inserts f among the first `count` entries of the index, shifting the
 * shorter side, so appending at either end costs O(1) amortised. */
static int order_insert(struct model *m, struct mfax *f, size_t count)
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
		if (order_recentre(m, count, cap))
			return -1;
	}
	if (left) {
		memmove(m->order - 1, m->order, pos * sizeof(*m->order));
		m->order--;
	} else {
		memmove(&m->order[pos + 1], &m->order[pos], (count - pos) * sizeof(*m->order));
	}
	m->order[pos] = f;
	return 0;
}

static int order_rekey(struct model *m, struct mfax *f, int64_t key)
{
	size_t pos = order_find(m, m->n_fax, f->order_key, f->pub.fax.id);

	if (pos >= m->n_fax || m->order[pos] != f)
		return 0;	/* cannot happen: every fax is in the index */
	memmove(&m->order[pos], &m->order[pos + 1], (m->n_fax - pos - 1) * sizeof(*m->order));
	f->order_key = key;
	/* The slot just freed at the back guarantees room. */
	return order_insert(m, f, m->n_fax - 1);
}

/* ---- aggregates ---- */

static void count_status(struct model *m, enum fax_status from, enum fax_status to)
{
	if (from == to)
		return;
	if ((unsigned)from < FAX_STATUS_COUNT && m->status_count[from])
		m->status_count[from]--;
	if ((unsigned)to < FAX_STATUS_COUNT)
		m->status_count[to]++;
}

static int count_code(struct model *m, const char *from, const char *to)
{
	if (from == to)
		return 0;
	if (from) {
		struct istr *e = ISTR(from);

		if (e->code_count & ~CODE_LISTED)
			e->code_count--;
	}
	if (to) {
		struct istr *e = ISTR(to);

		if (!(e->code_count & CODE_LISTED)) {
			if (m->n_codes == m->codes_cap) {
				size_t cap = m->codes_cap ? m->codes_cap * 2 : 16;
				const char **c = realloc(m->codes, cap * sizeof(*c));

				if (!c)
					return -1;
				m->codes = c;
				m->codes_cap = cap;
			}
			m->codes[m->n_codes++] = to;
			e->code_count |= CODE_LISTED;
		}
		e->code_count++;
	}
	return 0;
}

/* ---- creating a fax ---- */

static int add_resend(struct mfax *orig, const char *resend_id)
{
	const char **r;

	for (size_t i = 0; i < orig->pub.n_resends; i++)
		if (orig->resends[i] == resend_id)
			return 0;
	r = realloc(orig->resends, (orig->pub.n_resends + 1) * sizeof(*r));
	if (!r)
		return -1;
	r[orig->pub.n_resends++] = resend_id;
	orig->resends = r;
	orig->pub.resends = r;
	return 0;
}

/* Links a resend to its original now, or when the original arrives. */
static int link_resend(struct model *m, const char *orig_id, const char *resend_id)
{
	struct mfax *orig = find_fax(m, orig_id);
	struct istr *e;

	if (orig)
		return add_resend(orig, resend_id);
	e = ISTR(orig_id);
	if (m->n_pending == m->pending_cap) {
		size_t cap = m->pending_cap ? m->pending_cap * 2 : 64;
		struct pending *p = realloc(m->pending, cap * sizeof(*p));

		if (!p)
			return -1;
		m->pending = p;
		m->pending_cap = cap;
	}
	m->pending[m->n_pending].resend_id = resend_id;
	m->pending[m->n_pending].next = e->pending;
	e->pending = (uint32_t)++m->n_pending;
	return 0;
}

static int claim_pending(struct model *m, struct mfax *f)
{
	struct istr *e = ISTR(f->pub.fax.id);

	for (uint32_t i = e->pending; i; i = m->pending[i - 1].next)
		if (add_resend(f, m->pending[i - 1].resend_id))
			return -1;
	/* Pending entries stay in the array (no reuse); they are small and
	 * an original normally arrives once. */
	e->pending = 0;
	return 0;
}

static struct mfax *create_fax(struct model *m, const char *id, int64_t order_key)
{
	bool oom = false;
	const char *pid = intern(&m->pool, id, &oom);
	struct mfax *f;

	if (!pid)
		return NULL;
	if (m->n_fax == m->n_chunks * FAX_CHUNK) {
		struct mfax **chunks = realloc(m->fax_chunks, (m->n_chunks + 1) * sizeof(*chunks));

		if (!chunks)
			return NULL;
		m->fax_chunks = chunks;
		chunks[m->n_chunks] = malloc(FAX_CHUNK * sizeof(struct mfax));
		if (!chunks[m->n_chunks])
			return NULL;
		m->n_chunks++;
	}
	f = fax_at_index(m, (uint32_t)m->n_fax);
	memset(f, 0, sizeof(*f));
	fax_init(&f->pub.fax);
	f->pub.fax.id = (char *)pid;
	f->fresh = TS_NONE;
	f->order_key = order_key;
	if (order_insert(m, f, m->n_fax))
		return NULL;
	ISTR(pid)->fax = (uint32_t)m->n_fax + 1;
	m->n_fax++;
	m->status_count[FAX_STATUS_NONE]++;
	if (claim_pending(m, f))
		return NULL;
	return f;
}

/* ---- merging a snapshot ---- */

struct merge {
	struct model *m;
	bool newer;               /* the snapshot is at least as fresh as the fax */
	bool changed;
	bool oom;
};

static void merge_str(struct merge *g, char **dst, const char *src, bool lower)
{
	const char *p;

	if (!src || (!g->newer && *dst))
		return;
	p = lower ? intern_lower(&g->m->pool, src, &g->oom) : intern(&g->m->pool, src, &g->oom);
	if (p && p != *dst) {
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
	g->oom |= sub.oom;
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
		a = realloc(dst->attempts, (dst->n_attempts + 1) * sizeof(*a));
		if (!a) {
			g->oom = true;
			return;
		}
		dst->attempts = a;
		memmove(&a[pos + 1], &a[pos], (dst->n_attempts - pos) * sizeof(*a));
		dst->n_attempts++;
		fax_attempt_init(&a[pos]);
		a[pos].number = number;
		sub = *g;
		sub.newer = true;
		merge_attempt_fields(&sub, &a[pos], in);
		g->oom |= sub.oom;
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
	t = calloc(src->n_tags, sizeof(*t));
	if (!t) {
		g->oom = true;
		return;
	}
	for (size_t i = 0; i < src->n_tags; i++) {
		t[i].key = (char *)intern(&g->m->pool, src->tags[i].key ? src->tags[i].key : "",
					  &g->oom);
		t[i].value = (char *)intern(&g->m->pool,
					    src->tags[i].value ? src->tags[i].value : "", &g->oom);
	}
	free(dst->tags);
	dst->tags = t;
	dst->n_tags = src->n_tags;
	g->changed = true;
}

static bool derive_retrying(const struct fax *f)
{
	const struct fax_attempt *last;

	if (fax_status_terminal(f->status) || !f->n_attempts)
		return false;
	last = &f->attempts[f->n_attempts - 1];
	return last->completed_at != TS_NONE && last->error_code != NULL;
}

struct snapshot {
	const struct fax *fax;
	enum fax_status status;   /* the snapshot's, or the one its event implies */
	int64_t fresh;            /* updated_at, else the event's created, else TS_NONE */
	int64_t heard_ms;         /* order key when created_at is unknown */
	enum event_source src;
	int64_t now_ms;
	const char *event_id;
	char detail[96];
};

static enum apply_outcome merge_fax(struct model *m, struct snapshot *s)
{
	const struct fax *in = s->fax;
	struct mfax *mf = find_fax(m, in->id);
	struct fax *f;
	struct merge g = { .m = m };
	enum fax_status old_status;
	const char *old_code, *old_resent;
	bool created = false;

	if (mf && fax_status_terminal(mf->pub.fax.status) && fax_status_terminal(s->status) &&
	    s->status != mf->pub.fax.status) {
		char text[96];
		bool oom = false;

		snprintf(text, sizeof(text), "%s after %s%s%s", fax_status_name(s->status),
			 fax_status_name(mf->pub.fax.status), s->event_id ? " in " : "",
			 s->event_id ? s->event_id : "");
		snprintf(s->detail, sizeof(s->detail), "%s", text);
		mf->pub.anomalies++;
		mf->pub.anomaly = intern(&m->pool, text, &oom);
		mf->pub.last_update_ms = s->now_ms;
		m->generation++;
		return APPLY_ANOMALY;
	}
	if (!mf) {
		mf = create_fax(m, in->id, in->created_at != TS_NONE ? in->created_at : s->heard_ms);
		if (!mf)
			return APPLY_ERROR;
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
	merge_str(&g, &f->to, in->to, false);
	merge_int(&g, &f->pages, in->pages, -1);
	merge_str(&g, &f->error_code, in->error_code, true);
	merge_str(&g, &f->error_subcode, in->error_subcode, false);
	merge_str(&g, &f->error_message, in->error_message, false);
	merge_int(&g, &f->max_attempts, in->max_attempts, 0);
	merge_str(&g, &f->webhook_url, in->webhook_url, false);
	merge_str(&g, &f->idempotency_key, in->idempotency_key, false);
	merge_str(&g, &f->csid, in->csid, false);
	merge_str(&g, &f->page_size, in->page_size, false);
	merge_str(&g, &f->resolution, in->resolution, false);
	merge_str(&g, &f->optimize_for, in->optimize_for, false);
	merge_str(&g, &f->resent_from, in->resent_from, false);
	merge_i64(&g, &f->submitted_at, in->submitted_at, TS_NONE);
	merge_i64(&g, &f->completed_at, in->completed_at, TS_NONE);
	merge_i64(&g, &f->created_at, in->created_at, TS_NONE);
	merge_i64(&g, &f->updated_at, in->updated_at, TS_NONE);
	merge_tags(&g, f, in);
	merge_attempts(&g, f, in);
	if (g.oom)
		return APPLY_ERROR;
	if (g.newer && s->fresh != TS_NONE)
		mf->fresh = s->fresh;

	count_status(m, old_status, f->status);
	if (count_code(m, old_code, f->error_code))
		return APPLY_ERROR;
	if (f->created_at != TS_NONE && f->created_at != mf->order_key &&
	    order_rekey(m, mf, f->created_at))
		return APPLY_ERROR;
	if (f->resent_from && f->resent_from != old_resent &&
	    link_resend(m, f->resent_from, f->id))
		return APPLY_ERROR;
	mf->pub.retrying = derive_retrying(f);
	if (!g.changed && !created) {
		if (!g.newer) {
			snprintf(s->detail, sizeof(s->detail), "older than the snapshot held");
			return APPLY_STALE;
		}
		return APPLY_OK;
	}
	mf->pub.last_update_ms = s->now_ms;
	mf->pub.last_source = s->src;
	m->generation++;
	return APPLY_OK;
}

/* ---- the event log ---- */

static void copy_text(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", src ? src : "");
}

static void log_entry(struct model *m, int64_t now_ms, const char *event_id, const char *type,
		      const char *fax_id, enum event_source src, enum apply_outcome outcome,
		      const char *detail)
{
	struct model_log_entry *e = ring_push(&m->log);

	e->at_ms = now_ms;
	copy_text(e->event_id, sizeof(e->event_id), event_id);
	copy_text(e->type, sizeof(e->type), type);
	copy_text(e->fax_id, sizeof(e->fax_id), fax_id);
	e->source = src;
	e->outcome = outcome;
	copy_text(e->detail, sizeof(e->detail), detail);
	m->generation++;
}

static void count_outcome(struct model *m, enum apply_outcome o)
{
	switch (o) {
	case APPLY_OK: m->stats.applied++; break;
	case APPLY_DUPLICATE: m->stats.duplicates++; break;
	case APPLY_STALE: m->stats.stale++; break;
	case APPLY_ANOMALY: m->stats.anomalies++; break;
	case APPLY_UNKNOWN_TYPE: m->stats.unknown_types++; break;
	case APPLY_REFUSED: m->stats.refused++; break;
	case APPLY_INVALID: m->stats.invalid++; break;
	case APPLY_ERROR:
	case APPLY_OUTCOME_COUNT: break;
	}
}

void model_log(struct model *m, int64_t now_ms, const char *event_id, const char *type,
	       const char *fax_id, enum event_source src, enum apply_outcome outcome,
	       const char *detail)
{
	if (outcome == APPLY_REFUSED || outcome == APPLY_INVALID)
		count_outcome(m, outcome);
	log_entry(m, now_ms, event_id, type, fax_id, src, outcome, detail);
}

/* ---- balance ---- */

static void add_alert(struct model *m, enum alert_kind kind, int64_t available,
		      enum event_source src, int64_t now_ms)
{
	struct model_alert *a = ring_push(&m->alerts);

	a->at_ms = now_ms;
	a->kind = kind;
	a->available = available;
	a->source = src;
}

/* Raises ALERT_LOCAL_LOW on crossing below the threshold and re-arms with
 * ALERT_LOCAL_OK once at or above it again. */
static void check_threshold(struct model *m, enum event_source src, int64_t now_ms)
{
	struct model_balance *b = &m->balance;
	int64_t t = m->opts.low_balance_cents;

	if (!b->known)
		return;
	if (t < 0) {
		b->below_threshold = false;
		return;
	}
	if (!b->below_threshold && b->available < t) {
		b->below_threshold = true;
		add_alert(m, ALERT_LOCAL_LOW, b->available, src, now_ms);
	} else if (b->below_threshold && b->available >= t) {
		b->below_threshold = false;
		add_alert(m, ALERT_LOCAL_OK, b->available, src, now_ms);
	}
}

void model_restore_balance_sample(struct model *m, const struct model_balance_sample *s)
{
	struct model_balance_sample *newest = ring_newest(&m->samples, 0);

	/* Two readings of one instant are one sample: the later says more. */
	if (!newest || newest->at_ms != s->at_ms)
		newest = ring_push(&m->samples);
	*newest = *s;
	m->generation++;
}

void model_restore_anomalies(struct model *m, const char *fax_id, unsigned n, const char *text)
{
	struct mfax *mf = fax_id ? find_fax(m, fax_id) : NULL;
	bool oom = false;

	if (!mf)
		return;
	mf->pub.anomalies = n;
	mf->pub.anomaly = text ? intern(&m->pool, text, &oom) : NULL;
	m->generation++;
}

void model_apply_balance(struct model *m, const struct balance_snapshot *b,
			 enum event_source src, int64_t now_ms)
{
	struct model_balance *mb = &m->balance;

	if (!b || (!b->has_available && !b->has_held))
		return;
	if (b->has_available) {
		mb->available = b->available;
		mb->known = true;
	}
	if (b->has_held)
		mb->held = b->held;
	if (b->type)
		copy_text(mb->type, sizeof(mb->type), b->type);
	if (b->currency)
		copy_text(mb->currency, sizeof(mb->currency), b->currency);
	mb->updated_ms = now_ms;
	if (mb->known) {
		struct model_balance_sample s = { now_ms, mb->available, mb->held };

		model_restore_balance_sample(m, &s);
	}
	check_threshold(m, src, now_ms);
	m->generation++;
}

void model_set_low_balance(struct model *m, int64_t cents)
{
	m->opts.low_balance_cents = cents;
	check_threshold(m, SRC_LOCAL, m->balance.updated_ms);
	m->generation++;
}

/* ---- applying ---- */

static int64_t snapshot_fresh(const struct fax *f, int64_t fallback)
{
	return f->updated_at != TS_NONE ? f->updated_at : fallback;
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
			snprintf(text, len, "delivered with attempt %d still in progress", a->number);
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

/* Records a contract breach on the fax the event was applied to. */
static enum apply_outcome check_contract(struct model *m, const struct event *ev, char *detail,
					 size_t len)
{
	struct mfax *mf = find_fax(m, ev->fax.id);
	char text[96];
	bool oom = false;

	if (!mf || !contract_breach(ev, &mf->pub.fax, text, sizeof(text)))
		return APPLY_OK;
	snprintf(detail, len, "%s", text);
	mf->pub.anomalies++;
	mf->pub.anomaly = intern(&m->pool, text, &oom);
	m->generation++;
	return oom ? APPLY_ERROR : APPLY_ANOMALY;
}

enum apply_outcome model_apply(struct model *m, const struct event *ev,
			       enum event_source src, int64_t now_ms)
{
	enum apply_outcome o = APPLY_OK;
	const char *type = ev && ev->type_name ? ev->type_name : ev ? event_type_name(ev->type) : "";
	const char *fax_id = ev && ev->object == EVOBJ_FAX ? ev->fax.id : NULL;
	char detail[96] = "";

	if (!ev || !ev->id || !ev->id[0]) {
		count_outcome(m, APPLY_INVALID);
		log_entry(m, now_ms, NULL, type, fax_id, src, APPLY_INVALID, "event without an id");
		return APPLY_INVALID;
	}
	if (seen_has(&m->seen, ev->id)) {
		count_outcome(m, APPLY_DUPLICATE);
		/* A redelivered webhook is worth a line; catch-up finding events
		 * the webhooks already brought is the normal case, and a line
		 * for each would drown the log. Both are counted. */
		if (src != SRC_POLL && src != SRC_REPLAY)
			log_entry(m, now_ms, ev->id, type, fax_id, src, APPLY_DUPLICATE, NULL);
		return APPLY_DUPLICATE;
	}
	if (ev->object == EVOBJ_FAX) {
		struct snapshot s = {
			.fax = &ev->fax,
			.status = ev->fax.status,
			.fresh = snapshot_fresh(&ev->fax, ev->created * 1000),
			.heard_ms = ev->created > 0 ? ev->created * 1000 : now_ms,
			.src = src,
			.now_ms = now_ms,
			.event_id = ev->id,
		};

		if (s.status == FAX_STATUS_NONE)
			s.status = event_type_status(ev->type);
		if (!ev->fax.id || !ev->fax.id[0]) {
			o = APPLY_INVALID;
			snprintf(detail, sizeof(detail), "fax without an id");
		} else {
			o = merge_fax(m, &s);
			memcpy(detail, s.detail, sizeof(detail));
			if (o == APPLY_OK)
				o = check_contract(m, ev, detail, sizeof(detail));
		}
	} else if (ev->object == EVOBJ_BALANCE) {
		/* A balance event redelivered late (up to ~18 min, docs/CONTRACT.md#delivery)
		 * must not undo a newer one; it still happened, so its alert
		 * is kept. Poll readings are not compared: another clock. */
		if (ev->created < m->balance_event_created) {
			o = APPLY_STALE;
			snprintf(detail, sizeof(detail), "older than the balance event held");
		} else {
			m->balance_event_created = ev->created;
			model_apply_balance(m, &ev->balance, src, now_ms);
		}
		if (ev->type == EV_BALANCE_LOW || ev->type == EV_BALANCE_TOPUP)
			add_alert(m, ev->type == EV_BALANCE_LOW ? ALERT_BALANCE_LOW :
				  ALERT_BALANCE_TOPUP, ev->balance.available, src, now_ms);
	} else if (ev->type != EV_UNKNOWN) {
		o = APPLY_INVALID;
		snprintf(detail, sizeof(detail), "no data.object");
	}
	if (ev->type == EV_UNKNOWN && (o == APPLY_OK || o == APPLY_STALE)) {
		o = APPLY_UNKNOWN_TYPE;
		snprintf(detail, sizeof(detail), "unknown event type, kept");
	}
	if (o == APPLY_ERROR) {
		snprintf(detail, sizeof(detail), "out of memory");
	} else if (seen_add(&m->seen, ev->id)) {
		o = APPLY_ERROR;
		snprintf(detail, sizeof(detail), "out of memory");
	}
	count_outcome(m, o);
	log_entry(m, now_ms, ev->id, type, fax_id, src, o, detail[0] ? detail : NULL);
	if (o != APPLY_ERROR)
		m->last_event_ms = now_ms;
	return o;
}

enum apply_outcome model_apply_fax(struct model *m, const struct fax *f,
				   enum event_source src, int64_t now_ms)
{
	struct snapshot s = {
		.fax = f,
		.status = f ? f->status : FAX_STATUS_NONE,
		.fresh = f ? snapshot_fresh(f, TS_NONE) : TS_NONE,
		.heard_ms = now_ms,
		.src = src,
		.now_ms = now_ms,
	};
	enum apply_outcome o;

	if (!f || !f->id || !f->id[0]) {
		count_outcome(m, APPLY_INVALID);
		return APPLY_INVALID;
	}
	o = merge_fax(m, &s);
	count_outcome(m, o);
	/* Snapshots are not events: only an anomaly earns a log line. */
	if (o == APPLY_ANOMALY)
		log_entry(m, now_ms, NULL, "snapshot", f->id, src, o, s.detail);
	return o;
}

void model_mark_seen(struct model *m, const char *event_id)
{
	if (event_id && event_id[0])
		seen_add(&m->seen, event_id);
}

bool model_seen(const struct model *m, const char *event_id)
{
	return event_id && seen_has(&m->seen, event_id);
}

/* ---- readers ---- */

uint64_t model_generation(const struct model *m)
{
	return m->generation;
}

const struct model_fax *model_get(const struct model *m, const char *fax_id)
{
	struct mfax *f = fax_id ? find_fax(m, fax_id) : NULL;

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
	for (size_t i = start; i < m->n_fax; i = dir > 0 ? i + 1 : i - 1)
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
	all = malloc(m->n_codes * sizeof(*all));
	if (!all)
		return 0;
	for (size_t i = 0; i < m->n_codes; i++) {
		size_t c = ISTR(m->codes[i])->code_count & ~CODE_LISTED;

		if (c) {
			all[n].code = m->codes[i];
			all[n].count = c;
			n++;
		}
	}
	qsort(all, n, sizeof(*all), code_cmp);
	if (out)
		memcpy(out, all, (n < max ? n : max) * sizeof(*out));
	free(all);
	return n;
}

const struct model_balance *model_balance(const struct model *m)
{
	return &m->balance;
}

size_t model_balance_samples(const struct model *m)
{
	return m->samples.n;
}

const struct model_balance_sample *model_balance_sample(const struct model *m, size_t idx)
{
	return ring_oldest(&m->samples, idx);
}

/* The least-squares slope of available over time, negated: cents spent per
 * hour. One top-up among many readings bends it less than first-to-last. */
/* Money is available plus held: a hold moves money from one to the other,
 * a capture spends it, a release or a top-up brings it back. */
static int64_t sample_total(const struct model_balance_sample *s)
{
	return s->available + s->held;
}

bool model_balance_sample_topup(const struct model *m, size_t idx)
{
	if (idx == 0 || idx >= m->samples.n)
		return false;
	return sample_total(ring_oldest(&m->samples, idx)) >
	       sample_total(ring_oldest(&m->samples, idx - 1));
}

double model_burn_rate(const struct model *m)
{
	return model_burn_rate_span(m, NULL);
}

double model_burn_rate_span(const struct model *m, int64_t *span_ms)
{
	size_t n = m->samples.n;
	const struct model_balance_sample *newest, *cur, *prev;
	int64_t start, first = TS_NONE, spent = 0;

	if (span_ms)
		*span_ms = 0;
	if (n < 2)
		return 0;
	newest = ring_oldest(&m->samples, n - 1);
	start = newest->at_ms - m->opts.burn_window_ms;
	/* Spending only: the decreases between readings inside the window.
	 * A top-up in between neither offsets nor adds to them. */
	for (size_t i = n - 1; i > 0; i--) {
		cur = ring_oldest(&m->samples, i);
		prev = ring_oldest(&m->samples, i - 1);
		if (prev->at_ms < start)
			break;
		if (sample_total(prev) > sample_total(cur))
			spent += sample_total(prev) - sample_total(cur);
		first = prev->at_ms;
	}
	if (first == TS_NONE || newest->at_ms <= first)
		return 0;
	if (span_ms)
		*span_ms = newest->at_ms - first;
	return (double)spent * 3600000.0 / (double)(newest->at_ms - first);
}

int64_t model_time_to_empty(const struct model *m)
{
	double burn = model_burn_rate(m);

	if (!m->balance.known || burn <= 0 || m->balance.available <= 0)
		return -1;
	return (int64_t)((double)m->balance.available / burn * 3600.0);
}

size_t model_alert_count(const struct model *m)
{
	return m->alerts.n;
}

const struct model_alert *model_alert_at(const struct model *m, size_t idx)
{
	return ring_newest(&m->alerts, idx);
}

size_t model_log_count(const struct model *m)
{
	return m->log.n;
}

const struct model_log_entry *model_log_at(const struct model *m, size_t idx)
{
	return ring_newest(&m->log, idx);
}

const struct model_stats *model_stats(const struct model *m)
{
	return &m->stats;
}

int64_t model_last_event_ms(const struct model *m)
{
	return m->last_event_ms;
}
