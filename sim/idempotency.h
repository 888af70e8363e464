/* Idempotency keys (docs/CONTRACT.md#idempotency): a record per key holds a fingerprint of the
 * request and, once answered, the response. Same key and fingerprint within
 * the TTL replays the response; another fingerprint is a reuse; a key whose
 * first request is still being processed is in progress. */
#ifndef FAXTOP_SIM_IDEMPOTENCY_H
#define FAXTOP_SIM_IDEMPOTENCY_H

#include <stddef.h>
#include <stdint.h>

#define IDEM_MAX_KEY 255
#define IDEM_TTL_MS  (24LL * 3600 * 1000)

enum idem_result {
	IDEM_NEW,         /* go ahead; call idem_finish or idem_abandon later */
	IDEM_REPLAY,      /* answer with the stored response */
	IDEM_MISMATCH,    /* 409 idempotency_key_reuse */
	IDEM_IN_PROGRESS, /* 409 idempotency_key_in_progress */
};

struct idem_entry {
	char *key;
	unsigned char fp[32];
	int64_t expires_ms;
	int done;
	int status;
	char *body;
	size_t len;
};

struct idem_store {
	struct idem_entry **v;
	size_t n, cap;
	int64_t ttl_ms;
};

void idem_init(struct idem_store *st, int64_t ttl_ms);
void idem_done(struct idem_store *st);
/* fp is a SHA-256 of what identifies the request. On IDEM_NEW and
 * IDEM_REPLAY *out is the record (owned by the store). -1 on ENOMEM. */
int idem_begin(struct idem_store *st, const char *key, const unsigned char fp[32], int64_t now_ms,
	       struct idem_entry **out, enum idem_result *res);
/* Stores the response of a NEW record. It cannot fail: a record dropped
 * here would let a retry with the same key create a second fax. */
void idem_finish(struct idem_store *st, struct idem_entry *e, int status, const char *body,
		 size_t len);
/* Forgets a NEW record whose response must not be replayed (5xx, 429). */
void idem_abandon(struct idem_store *st, struct idem_entry *e);
size_t idem_count(const struct idem_store *st);

#endif
