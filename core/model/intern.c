/* The model's string pool: every string the model keeps (ids, numbers,
 * codes, messages) is interned once in an arena, so a fax costs its struct,
 * its attempts array and the bytes of the strings only it has. The entry of
 * a fax id also holds the fax's index (model_get is one hash probe), the
 * count of faxes whose current error_code it is, and the resends waiting
 * for an original that has not arrived yet. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "core/base/xalloc.h"
#include "core/model/model_int.h"

struct chunk {
	struct chunk *next;
	size_t used, size;
	char data[];
};

/* Chunks start small, so a model of a few faxes (a test, a fuzz input, a
 * quiet day) costs a few kilobytes, and grow to CHUNK_SIZE. */
#define CHUNK_SIZE       (256 * 1024 - 64)
#define CHUNK_SIZE_FIRST (16 * 1024 - 64)

/* FNV-1a. */
uint64_t mpool_hash(const char *s, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

void mpool_init(struct pool *p)
{
	memset(p, 0, sizeof *p);
	p->slots = xcalloc(1024, sizeof *p->slots);
	p->mask = 1023;
	p->chunk_size = CHUNK_SIZE_FIRST;
}

void mpool_done(struct pool *p)
{
	struct chunk *c = p->chunks, *next;

	for (; c; c = next) {
		next = c->next;
		free(c);
	}
	free(p->slots);
	memset(p, 0, sizeof *p);
}

static void *pool_alloc(struct pool *p, size_t size)
{
	struct chunk *c = p->chunks;

	size = (size + 7) & ~(size_t)7;
	if (!c || c->size - c->used < size) {
		bool one_off = size > p->chunk_size / 4;
		size_t want = one_off ? size : p->chunk_size;

		c = xmalloc(sizeof *c + want);
		c->size = want;
		c->used = 0;
		if (!one_off && p->chunk_size < CHUNK_SIZE)
			p->chunk_size = p->chunk_size * 2 + 64 > CHUNK_SIZE
				? CHUNK_SIZE
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

#if UINTPTR_MAX > 0xffffffffffffu
#define SLOT_TAG_SHIFT 48
#define SLOT_ADDR_MASK (((uintptr_t)1 << SLOT_TAG_SHIFT) - 1)

/* Never 0, so that 0 can mean untagged. */
static unsigned slot_tag_of(uint64_t h64)
{
	return (unsigned)(h64 >> SLOT_TAG_SHIFT) | 1u;
}

static pool_slot slot_make(struct istr *e, unsigned tag)
{
	uintptr_t a = (uintptr_t)e;

	return a & ~SLOT_ADDR_MASK ? a : a | (uintptr_t)tag << SLOT_TAG_SHIFT;
}

static unsigned slot_tag(pool_slot v)
{
	return (unsigned)(v >> SLOT_TAG_SHIFT);
}

static struct istr *slot_entry(pool_slot v)
{
	return (struct istr *)(slot_tag(v) ? v & SLOT_ADDR_MASK : v);
}
#else /* no spare bits: every slot untagged */
static unsigned slot_tag_of(uint64_t h64)
{
	(void)h64;
	return 0;
}

static pool_slot slot_make(struct istr *e, unsigned tag)
{
	(void)tag;
	return (uintptr_t)e;
}

static unsigned slot_tag(pool_slot v)
{
	(void)v;
	return 0;
}

static struct istr *slot_entry(pool_slot v)
{
	return (struct istr *)v;
}
#endif

static struct istr *pool_find(const struct pool *p, const char *s, size_t len, uint64_t h64)
{
	uint32_t h = (uint32_t)h64;
	unsigned tag = slot_tag_of(h64);

	for (size_t i = h & p->mask;; i = (i + 1) & p->mask) {
		pool_slot v = p->slots[i];
		struct istr *e;

		if (!v)
			return NULL;
		if (slot_tag(v) && slot_tag(v) != tag)
			continue;
		e = slot_entry(v);
		if (e->hash == h && strncmp(e->s, s, len) == 0 && e->s[len] == '\0')
			return e;
	}
}

/* v's entry into the table at its own hash's place. */
static void pool_put(pool_slot *slots, size_t mask, pool_slot v)
{
	size_t i;

	for (i = slot_entry(v)->hash & mask; slots[i]; i = (i + 1) & mask)
		;
	slots[i] = v;
}

/* A table past a few megabytes is probed at random once per string: in
 * huge pages where the kernel has them, so a probe is not also a TLB miss. */
#define POOL_HUGE ((size_t)2 << 20)

static pool_slot *pool_slots_new(size_t cap)
{
	size_t bytes = cap * sizeof(pool_slot);
	void *mem = NULL;

	if (bytes < 2 * POOL_HUGE)
		return xcalloc(cap, sizeof(pool_slot));
	if (posix_memalign(&mem, POOL_HUGE, bytes) != 0)
		return xcalloc(cap, sizeof(pool_slot));
#ifdef MADV_HUGEPAGE
	madvise(mem, bytes, MADV_HUGEPAGE);
#endif
	return memset(mem, 0, bytes);
}

static void pool_grow(struct pool *p)
{
	size_t cap = (p->mask + 1) * 2;
	pool_slot *slots = pool_slots_new(cap);

	for (size_t i = 0; i <= p->mask; i++)
		if (p->slots[i])
			pool_put(slots, cap - 1, p->slots[i]);
	free(p->slots);
	p->slots = slots;
	p->mask = cap - 1;
}

const struct istr *mpool_lookup(const struct pool *p, const char *s)
{
	size_t len = strlen(s);

	return pool_find(p, s, len, mpool_hash(s, len));
}

void mpool_prefetch(const struct pool *p, const char *s)
{
	size_t len;

	if (s) {
		len = strlen(s);
		__builtin_prefetch(&p->slots[mpool_hash(s, len) & p->mask]);
	}
}

const char *mpool_intern(struct pool *p, const char *s)
{
	size_t len;
	uint64_t h;
	struct istr *e;

	if (!s)
		return NULL;
	len = strlen(s);
	h = mpool_hash(s, len);
	e = pool_find(p, s, len, h);
	if (e)
		return e->s;
	if ((p->n + 1) * 10 > (p->mask + 1) * 7)
		pool_grow(p);
	e = pool_alloc(p, sizeof *e + len + 1);
	e->hash = (uint32_t)h;
	e->code_count = 0;
	e->pending = 0;
	e->fax = 0;
	memcpy(e->s, s, len + 1);
	pool_put(p->slots, p->mask, slot_make(e, slot_tag_of(h)));
	p->n++;
	return e->s;
}

/* Error codes are kept lowercase whoever built the snapshot (docs/CONTRACT.md#assumptions). */
const char *mpool_intern_lower(struct pool *p, const char *s)
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
		return mpool_intern(p, s);
	len = strlen(s);
	if (len >= sizeof small)
		buf = xmalloc(len + 1);
	for (size_t i = 0; i <= len; i++)
		buf[i] = (char)tolower((unsigned char)s[i]);
	r = mpool_intern(p, buf);
	if (buf != small)
		free(buf);
	return r;
}
