#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/base/xalloc.h"
#include "sim/idempotency.h"

void idem_init(struct idem_store *st, int64_t ttl_ms)
{
	memset(st, 0, sizeof *st);
	st->ttl_ms = ttl_ms;
}

static void entry_free(struct idem_entry *e)
{
	if (!e)
		return;
	free(e->key);
	free(e->body);
	free(e);
}

void idem_done(struct idem_store *st)
{
	for (size_t i = 0; i < st->n; i++)
		entry_free(st->v[i]);
	free(st->v);
	memset(st, 0, sizeof *st);
}

static void remove_at(struct idem_store *st, size_t i)
{
	entry_free(st->v[i]);
	st->v[i] = st->v[--st->n];
}

static void expire(struct idem_store *st, int64_t now_ms)
{
	for (size_t i = 0; i < st->n;) {
		if (st->v[i]->done && st->v[i]->expires_ms <= now_ms)
			remove_at(st, i);
		else
			i++;
	}
}

int idem_begin(struct idem_store *st, const char *key, const unsigned char fp[32], int64_t now_ms,
	       struct idem_entry **out, enum idem_result *res)
{
	expire(st, now_ms);
	*out = NULL;
	for (size_t i = 0; i < st->n; i++) {
		struct idem_entry *e = st->v[i];
		if (strcmp(e->key, key) != 0)
			continue;
		if (memcmp(e->fp, fp, 32) != 0)
			*res = IDEM_MISMATCH;
		else if (!e->done)
			*res = IDEM_IN_PROGRESS;
		else {
			*res = IDEM_REPLAY;
			*out = e;
		}
		return 0;
	}
	if (st->n == st->cap) {
		size_t nc = st->cap ? st->cap * 2 : 16;
		struct idem_entry **nv = realloc(st->v, nc * sizeof *nv);
		if (!nv)
			return -1;
		st->v = nv;
		st->cap = nc;
	}
	struct idem_entry *e = calloc(1, sizeof *e);
	if (!e || !(e->key = strdup(key))) {
		free(e);
		return -1;
	}
	memcpy(e->fp, fp, 32);
	e->expires_ms = now_ms + st->ttl_ms;
	st->v[st->n++] = e;
	*out = e;
	*res = IDEM_NEW;
	return 0;
}

void idem_finish(struct idem_store *st, struct idem_entry *e, int status, const char *body,
		 size_t len)
{
	char *copy = xmalloc(len + 1);
	if (len)
		memcpy(copy, body, len);
	copy[len] = '\0';
	e->body = copy;
	e->len = len;
	e->status = status;
	e->done = 1;
}

void idem_abandon(struct idem_store *st, struct idem_entry *e)
{
	for (size_t i = 0; i < st->n; i++)
		if (st->v[i] == e) {
			remove_at(st, i);
			return;
		}
}

size_t idem_count(const struct idem_store *st)
{
	return st->n;
}
