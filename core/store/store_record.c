/* The attempts and tags records (the encoding is described in
 * store_record.h). Backend-neutral: bytes in, bytes out. */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/xalloc.h"
#include "core/store/store_record.h"

#define STORE_RECORD_VERSION 1
#define STORE_STR_NULL       UINT32_MAX

static void buf_reserve(struct store_buf *b, size_t more)
{
	size_t cap;

	if (b->len + more <= b->cap)
		return;
	cap = b->cap ? b->cap : 256;
	while (cap < b->len + more)
		cap *= 2;
	b->p = xrealloc(b->p, cap);
	b->cap = cap;
}

/* v's low `bytes` bytes, little-endian */
static void buf_put_le(struct store_buf *b, uint64_t v, int bytes)
{
	buf_reserve(b, (size_t)bytes);
	for (int i = 0; i < bytes; i++)
		b->p[b->len++] = (unsigned char)(v >> (8 * i));
}

static void buf_put_u32(struct store_buf *b, uint32_t v)
{
	buf_put_le(b, v, 4);
}

static void buf_put_i64(struct store_buf *b, int64_t v)
{
	buf_put_le(b, (uint64_t)v, 8);
}

static void buf_put_str(struct store_buf *b, const char *str)
{
	size_t n;

	if (!str) {
		buf_put_u32(b, STORE_STR_NULL);
		return;
	}
	n = strlen(str) + 1;
	if (n >= STORE_STR_NULL) {
		b->too_large = true;
		return;
	}
	buf_put_u32(b, (uint32_t)n);
	buf_reserve(b, n);
	memcpy(b->p + b->len, str, n);
	b->len += n;
}

static void buf_start(struct store_buf *b, size_t count)
{
	b->len = 0;
	b->too_large = false;
	buf_reserve(b, 1);
	b->p[b->len++] = STORE_RECORD_VERSION;
	buf_put_u32(b, (uint32_t)count);
}

void store_buf_done(struct store_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

void store_record_attempts(struct store_buf *b, const struct fax *f)
{
	buf_start(b, f->n_attempts);
	for (size_t i = 0; i < f->n_attempts; i++) {
		const struct fax_attempt *a = &f->attempts[i];

		buf_put_i64(b, a->number);
		buf_put_i64(b, a->started_at);
		buf_put_i64(b, a->completed_at);
		buf_put_i64(b, a->duration_ms);
		buf_put_str(b, a->error_code);
		buf_put_str(b, a->error_subcode);
		buf_put_str(b, a->error_message);
	}
}

void store_record_tags(struct store_buf *b, const struct fax *f)
{
	buf_start(b, f->n_tags);
	for (size_t i = 0; i < f->n_tags; i++) {
		/* NULL is how the reader recognises a damaged tag */
		buf_put_str(b, f->tags[i].key ? f->tags[i].key : "");
		buf_put_str(b, f->tags[i].value ? f->tags[i].value : "");
	}
}

struct rec_reader {
	const unsigned char *p;
	size_t len, off;
	bool bad;
};

static uint64_t rd_le(struct rec_reader *r, int bytes)
{
	uint64_t v = 0;

	if (r->bad || r->len - r->off < (size_t)bytes) {
		r->bad = true;
		return 0;
	}
	for (int i = 0; i < bytes; i++)
		v |= (uint64_t)r->p[r->off++] << (8 * i);
	return v;
}

static uint32_t rd_u32(struct rec_reader *r)
{
	return (uint32_t)rd_le(r, 4);
}

static int64_t rd_i64(struct rec_reader *r)
{
	return (int64_t)rd_le(r, 8);
}

static char *rd_str(struct rec_reader *r)
{
	uint32_t n = rd_u32(r);
	const unsigned char *s;

	if (r->bad || n == STORE_STR_NULL)
		return NULL;
	if (n == 0 || r->len - r->off < n || r->p[r->off + n - 1] != '\0') {
		r->bad = true;
		return NULL;
	}
	s = r->p + r->off;
	r->off += n;
	return (char *)s;
}

/* Opens a record; returns its item count or -1 if it is not one of ours.
 * min_item bounds the count by the bytes present, so a corrupt count can
 * never ask for a huge allocation. */
static long rd_start(struct rec_reader *r, const void *blob, size_t len, size_t min_item)
{
	uint32_t n;

	r->p = blob;
	r->len = blob ? len : 0;
	r->off = 0;
	r->bad = false;
	if (r->len < 5 || r->p[0] != STORE_RECORD_VERSION)
		return -1;
	r->off = 1;
	n = rd_u32(r);
	if ((r->len - r->off) / min_item < n)
		return -1;
	return (long)n;
}

int store_read_attempts(struct store_scratch *sc, const void *blob, size_t len, struct fax *f)
{
	struct rec_reader r;
	/* 4 × 8 bytes of integers and 3 × 4 bytes of string lengths */
	long n = rd_start(&r, blob, len, 44);

	if (n < 0)
		return -1;
	sc->attempts = xgrow(sc->attempts, &sc->cap_attempts, (size_t)n, sizeof *sc->attempts);
	for (long i = 0; i < n; i++) {
		struct fax_attempt *a = &sc->attempts[i];
		int64_t num = rd_i64(&r);

		a->number = num >= 0 && num <= 1000000 ? (int)num : 0;
		a->started_at = rd_i64(&r);
		a->completed_at = rd_i64(&r);
		a->duration_ms = rd_i64(&r);
		a->error_code = rd_str(&r);
		a->error_subcode = rd_str(&r);
		a->error_message = rd_str(&r);
	}
	if (r.bad)
		return -1;
	f->attempts = n ? sc->attempts : NULL;
	f->n_attempts = (size_t)n;
	return 0;
}

int store_read_tags(struct store_scratch *sc, const void *blob, size_t len, struct fax *f)
{
	struct rec_reader r;
	long n = rd_start(&r, blob, len, 8);

	if (n < 0)
		return -1;
	sc->tags = xgrow(sc->tags, &sc->cap_tags, (size_t)n, sizeof *sc->tags);
	for (long i = 0; i < n; i++) {
		sc->tags[i].key = rd_str(&r);
		sc->tags[i].value = rd_str(&r);
		if (!sc->tags[i].key || !sc->tags[i].value)
			r.bad = true;
	}
	if (r.bad)
		return -1;
	f->tags = n ? sc->tags : NULL;
	f->n_tags = (size_t)n;
	return 0;
}

void store_scratch_done(struct store_scratch *sc)
{
	free(sc->attempts);
	free(sc->tags);
}
