/* The set of seen event ids: a bounded window of the newest ids,
 * remembered as 128-bit fingerprints in a ring with a hash table over it. */
#include <stdlib.h>
#include <string.h>

#include "core/base/xalloc.h"
#include "core/model/model_int.h"

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

/* A second hash, independent of FNV, for the fingerprints. */
static uint64_t hash_poly(const char *s, size_t len)
{
	uint64_t h = 0x243f6a8885a308d3ULL;

	for (size_t i = 0; i < len; i++)
		h = (h + (unsigned char)s[i]) * 0x9e3779b97f4a7c15ULL;
	return mix64(h ^ len);
}

static struct fp fingerprint(const char *id)
{
	size_t len = strlen(id);
	struct fp f = { mix64(mpool_hash(id, len)), hash_poly(id, len) };

	return f;
}

static void seen_rebuild(struct seen *s, size_t tsize)
{
	free(s->table);
	s->table = xcalloc(tsize, sizeof *s->table);
	s->tmask = tsize - 1;
	for (size_t k = 0; k < s->n; k++) {
		size_t idx = (s->head + k) % s->cap, j;

		for (j = s->ring[idx].a & s->tmask; s->table[j]; j = (j + 1) & s->tmask)
			;
		s->table[j] = (uint32_t)idx + 1;
	}
}

static size_t pow2_at_least(size_t n)
{
	size_t p = 1;

	while (p < n)
		p <<= 1;
	return p;
}

void mseen_init(struct seen *s, size_t window)
{
	memset(s, 0, sizeof *s);
	s->window = window;
	s->cap = window < 1024 ? window : 1024;
	s->ring = xcalloc(s->cap, sizeof *s->ring);
	seen_rebuild(s, pow2_at_least(s->cap * 2));
}

void mseen_done(struct seen *s)
{
	free(s->ring);
	free(s->table);
	memset(s, 0, sizeof *s);
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

bool mseen_has(const struct seen *s, const char *id)
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

static void seen_grow(struct seen *s)
{
	size_t cap = s->cap * 2 > s->window ? s->window : s->cap * 2;
	struct fp *ring = xcalloc(cap, sizeof *ring);

	for (size_t k = 0; k < s->n; k++)
		ring[k] = s->ring[(s->head + k) % s->cap];
	free(s->ring);
	s->ring = ring;
	s->cap = cap;
	s->head = 0;
	/* At most half full: probe runs stay short. */
	seen_rebuild(s, pow2_at_least(cap * 2));
}

void mseen_add(struct seen *s, const char *id)
{
	struct fp f = fingerprint(id);
	size_t idx, j;

	if (seen_slot(s, f) != SIZE_MAX)
		return;
	if (s->n == s->cap && s->cap < s->window)
		seen_grow(s);
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
}
