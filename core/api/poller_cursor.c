/* The catch-up's guards on the events cursor. See poller_cursor.h. */
#include <config.h> /* autoconf's; "config.h" would find core/base/options.h */

#include <string.h>

#include "core/api/api_client.h"
#include "core/api/poller_cursor.h"

/* FNV-1a: a collision would end one round early, nothing worse. */
static uint64_t poller_cursor_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return h;
}

void poller_round_begin(struct poller_round *r, const char *cursor)
{
	r->pages = 0;
	r->n_seen = 1;
	r->seen[0] = poller_cursor_hash(cursor ? cursor : "");
}

enum poller_round_verdict poller_round_next(struct poller_round *r, const char *next)
{
	uint64_t h;

	if (strlen(next) > POLLER_CURSOR_MAX)
		return ROUND_TOO_LONG;
	h = poller_cursor_hash(next);
	for (size_t i = 0; i < r->n_seen; i++)
		if (r->seen[i] == h)
			return ROUND_CYCLE;
	if (r->n_seen < sizeof r->seen / sizeof r->seen[0])
		r->seen[r->n_seen++] = h;
	return ++r->pages >= POLLER_MAX_PAGES_PER_ROUND ? ROUND_CAPPED : ROUND_FOLLOW;
}

/* Does a flattened context.errors ("after: …; per_page: …") name field? */
static bool poller_details_name(const char *details, const char *field)
{
	size_t n = strlen(field);
	const char *p = details;

	while (p && *p) {
		if (strncmp(p, field, n) == 0 && p[n] == ':')
			return true;
		p = strstr(p, "; ");
		if (p)
			p += 2;
	}
	return false;
}

bool poller_cursor_expired(const struct api_response *resp)
{
	return resp->http_status == 422 && resp->has_error &&
		strcmp(resp->error.error, "validation_failed") == 0 &&
		poller_details_name(resp->error.details, "after");
}
