/* The model's internals, shared by the files of core/model/ and by nothing
 * else. Each part sits on the ones before it and never calls back up:
 *
 *   intern.c   the string pool (interning)
 *   seen.c     the set of seen event ids
 *   ring.c     bounded rings, and the event log kept in one
 *   index.c    fax storage, the creation-order index, the aggregates
 *   merge.c    merging a snapshot into a fax; anomalies
 *   balance.c  the balance, its samples, alerts and burn rate
 *   model.c    the model's life, model_apply() and the small readers
 *
 * Allocation here cannot fail (core/base/xalloc.h): the model holds only
 * what was already bounded on the way in. */
#ifndef FAXTOP_CORE_MODEL_INT_H
#define FAXTOP_CORE_MODEL_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/model/model.h"

/* ---- the string pool (intern.c) ---- */

#define CODE_LISTED 0x80000000u

struct istr {
	uint32_t hash;
	uint32_t code_count; /* faxes with this as error_code; CODE_LISTED bit */
	uint32_t pending;    /* 1 + index of the first pending resend, 0 none */
	uint32_t fax;        /* 1 + index of the fax with this id, 0 none */
	char s[];
};

/* The entry of a pooled string. */
#define ISTR(p) ((struct istr *)(void *)((char *)(p)-offsetof(struct istr, s)))

struct chunk;

/* A slot is its entry's address with 15 bits of the string's hash in the
 * top 16 bits, which user-space addresses leave clear on x86-64 and arm64:
 * a probe that passes other strings reads only the table, not each string
 * (at a million faxes those reads were a quarter of the start-up load), at
 * 8 bytes a slot. An address that uses those bits is kept untagged (tag 0),
 * and a probe that meets it compares the string. 0: free. */
typedef uintptr_t pool_slot;

struct pool {
	pool_slot *slots;
	size_t mask, n;
	struct chunk *chunks;
	size_t chunk_size; /* of the next chunk: doubles up to CHUNK_SIZE */
};

uint64_t mpool_hash(const char *s, size_t len);
void mpool_init(struct pool *p);
void mpool_done(struct pool *p);
const struct istr *mpool_lookup(const struct pool *p, const char *s);
/* Starts reading the slot where s would be: a hint, nothing else. */
void mpool_prefetch(const struct pool *p, const char *s);
/* The pooled copy of s; NULL for NULL. */
const char *mpool_intern(struct pool *p, const char *s);
/* The same, lowercased. */
const char *mpool_intern_lower(struct pool *p, const char *s);

/* ---- the set of seen event ids (seen.c) ---- */

struct fp {
	uint64_t a, b;
};

struct seen {
	struct fp *ring; /* oldest at head once full */
	size_t cap, n, head, window;
	uint32_t *table; /* 1 + ring index, 0 empty */
	size_t tmask;
};

void mseen_init(struct seen *s, size_t window);
void mseen_done(struct seen *s);
bool mseen_has(const struct seen *s, const char *id);
void mseen_add(struct seen *s, const char *id);

/* ---- rings (ring.c) ---- */

struct ring {
	void *items;
	size_t size, cap, n, head; /* head: index of the oldest */
};

void mring_init(struct ring *r, size_t size, size_t cap);
/* The slot for a new item, overwriting the oldest when full. */
void *mring_push(struct ring *r);
void *mring_oldest(const struct ring *r, size_t k);
void *mring_newest(const struct ring *r, size_t k);

/* ---- the model ---- */

struct mfax {
	struct model_fax pub;
	int64_t fresh;        /* ms of the newest snapshot applied, TS_NONE if none */
	int64_t order_key;    /* created_at, or when it was first heard of */
	const char **resends; /* pooled ids; pub.resends points here */
};

/* Faxes live in fixed chunks (their addresses never move); 256 of them
 * make a chunk below the size where allocators switch to mmap. */
#define FAX_CHUNK 256

struct pending {
	const char *resend_id;
	uint32_t next; /* 1 + index, 0 end */
};

struct model {
	struct model_opts opts;
	struct pool pool;
	struct seen seen;

	struct mfax **fax_chunks;
	size_t n_fax, n_chunks;
	struct mfax **order;     /* by (order_key, id); points into order_buf */
	struct mfax **order_buf; /* room on both sides of the live range */
	size_t order_cap;

	struct pending *pending;
	size_t n_pending, pending_cap;

	const char **codes; /* every code ever counted, pooled */
	size_t n_codes, codes_cap;
	size_t status_count[FAX_STATUS_COUNT];

	struct ring log, alerts, samples;
	struct model_balance balance;
	struct model_stats stats;
	uint64_t generation;
	int64_t last_event_ms;
	int64_t balance_event_created; /* `created` of the newest balance event applied */
};

/* ---- the event log (ring.c) ---- */

void mlog_copy_text(char *dst, size_t len, const char *src);
void mlog_entry(struct model *m, int64_t now_ms, const char *event_id, const char *type,
		const char *fax_id, enum event_source src, enum apply_outcome outcome,
		const char *detail);
void mlog_count_outcome(struct model *m, enum apply_outcome o);

/* ---- faxes, the index and the aggregates (index.c) ---- */

void mindex_done(struct model *m);
struct mfax *mindex_find(const struct model *m, const char *id);
struct mfax *mindex_create(struct model *m, const char *id, int64_t order_key);
void mindex_rekey(struct model *m, struct mfax *f, int64_t key);
void mindex_count_status(struct model *m, enum fax_status from, enum fax_status to);
void mindex_count_code(struct model *m, const char *from, const char *to);
/* Links a resend to its original now, or when the original arrives. */
void mindex_link_resend(struct model *m, const char *orig_id, const char *resend_id);

/* ---- merging (merge.c) ---- */

struct snapshot {
	const struct fax *fax;
	enum fax_status status; /* the snapshot's, or the one its event implies */
	int64_t fresh;          /* updated_at, else the event's created, else TS_NONE */
	int64_t heard_ms;       /* order key when created_at is unknown */
	enum event_source src;
	int64_t now_ms;
	const char *event_id;
	char detail[96];
};

enum apply_outcome mmerge_fax(struct model *m, struct snapshot *s);
/* Records a contract breach on the fax the event was applied to. */
enum apply_outcome mmerge_check_contract(struct model *m, const struct event *ev, char *detail,
					 size_t len);

/* ---- the balance (balance.c) ---- */

/* The balance part of model_apply(): APPLY_OK or APPLY_STALE. */
enum apply_outcome mbalance_apply_event(struct model *m, const struct event *ev,
					enum event_source src, int64_t now_ms, char *detail,
					size_t len);

#endif
