/* Names, table look-ups and lifecycles of the event and fax types. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/base/xalloc.h"
#include "core/base/names.h"
#include "core/model/event.h"

struct status_info {
	const char *name;
	int rank;
};

static const struct status_info status_table[FAX_STATUS_COUNT] = { [FAX_STATUS_NONE] = { "", 0 },
#define X(e, name, rank) [e] = { name, rank },
								   FAX_STATUS_LIST(X)
#undef X
};

struct type_info {
	const char *name;
	bool is_fax;
	enum fax_status status;
};

static const struct type_info type_table[EV_TYPE_COUNT] = {
	[EV_UNKNOWN] = { "", false, FAX_STATUS_NONE },
#define X(e, name, is_fax, status) [e] = { name, is_fax, status },
	EVENT_TYPE_LIST(X)
#undef X
};

NAME_TABLE(source_names, event_source_name, enum event_source, EVENT_SOURCE_LIST, SRC_COUNT, "")

const char *fax_status_name(enum fax_status s)
{
	if ((unsigned)s >= FAX_STATUS_COUNT)
		return "";
	return status_table[s].name;
}

enum fax_status fax_status_from_name(const char *name)
{
	if (!name)
		return FAX_STATUS_NONE;
	/* The transitional events page (docs/CONTRACT.md#statuses) shows "sending", which is not in
	 * the API enum; it means the same as in_progress. */
	if (strcasecmp(name, "sending") == 0)
		return FAX_IN_PROGRESS;
	for (int s = FAX_STATUS_NONE + 1; s < FAX_STATUS_COUNT; s++)
		if (strcasecmp(name, status_table[s].name) == 0)
			return (enum fax_status)s;
	return FAX_STATUS_NONE;
}

int fax_status_rank(enum fax_status s)
{
	if ((unsigned)s >= FAX_STATUS_COUNT)
		return 0;
	return status_table[s].rank;
}

bool fax_status_terminal(enum fax_status s)
{
	return s == FAX_DELIVERED || s == FAX_FAILED;
}

const char *event_type_name(enum event_type t)
{
	if ((unsigned)t >= EV_TYPE_COUNT)
		return "";
	return type_table[t].name;
}

enum event_type event_type_from_name(const char *name)
{
	if (!name)
		return EV_UNKNOWN;
	for (int t = EV_UNKNOWN + 1; t < EV_TYPE_COUNT; t++)
		if (strcmp(name, type_table[t].name) == 0)
			return (enum event_type)t;
	/* One international page (docs/CONTRACT.md#legacy) spells it fax_failed. */
	if (strcmp(name, "fax_failed") == 0)
		return EV_FAX_FAILED;
	return EV_UNKNOWN;
}

bool event_type_is_fax(enum event_type t)
{
	if ((unsigned)t >= EV_TYPE_COUNT)
		return false;
	return type_table[t].is_fax;
}

enum fax_status event_type_status(enum event_type t)
{
	if ((unsigned)t >= EV_TYPE_COUNT)
		return FAX_STATUS_NONE;
	return type_table[t].status;
}

enum event_source event_source_from_name(const char *name)
{
	if (name)
		for (int s = 0; s < SRC_COUNT; s++)
			if (strcmp(name, source_names[s]) == 0)
				return (enum event_source)s;
	return SRC_LOCAL;
}

/* ---- lifecycles ---- */

void fax_attempt_init(struct fax_attempt *a)
{
	memset(a, 0, sizeof *a);
	a->started_at = TS_NONE;
	a->completed_at = TS_NONE;
	a->duration_ms = -1;
}

void fax_attempt_done(struct fax_attempt *a)
{
	free(a->error_code);
	free(a->error_subcode);
	free(a->error_message);
	fax_attempt_init(a);
}

void fax_attempt_copy(struct fax_attempt *dst, const struct fax_attempt *src)
{
	fax_attempt_init(dst);
	dst->number = src->number;
	dst->started_at = src->started_at;
	dst->completed_at = src->completed_at;
	dst->duration_ms = src->duration_ms;
	dst->error_code = xstrdup(src->error_code);
	dst->error_subcode = xstrdup(src->error_subcode);
	dst->error_message = xstrdup(src->error_message);
}

void fax_init(struct fax *f)
{
	memset(f, 0, sizeof *f);
	f->status = FAX_STATUS_NONE;
	f->pages = -1;
	f->submitted_at = TS_NONE;
	f->completed_at = TS_NONE;
	f->created_at = TS_NONE;
	f->updated_at = TS_NONE;
}

void fax_done(struct fax *f)
{
	free(f->id);
	free(f->to);
	free(f->error_code);
	free(f->error_subcode);
	free(f->error_message);
	for (size_t i = 0; i < f->n_attempts; i++)
		fax_attempt_done(&f->attempts[i]);
	free(f->attempts);
	free(f->webhook_url);
	free(f->idempotency_key);
	for (size_t i = 0; i < f->n_tags; i++) {
		free(f->tags[i].key);
		free(f->tags[i].value);
	}
	free(f->tags);
	free(f->csid);
	free(f->page_size);
	free(f->resolution);
	free(f->optimize_for);
	free(f->resent_from);
	fax_init(f);
}

void fax_copy(struct fax *dst, const struct fax *src)
{
	fax_init(dst);
	dst->status = src->status;
	dst->pages = src->pages;
	dst->max_attempts = src->max_attempts;
	dst->submitted_at = src->submitted_at;
	dst->completed_at = src->completed_at;
	dst->created_at = src->created_at;
	dst->updated_at = src->updated_at;
	dst->id = xstrdup(src->id);
	dst->to = xstrdup(src->to);
	dst->error_code = xstrdup(src->error_code);
	dst->error_subcode = xstrdup(src->error_subcode);
	dst->error_message = xstrdup(src->error_message);
	dst->webhook_url = xstrdup(src->webhook_url);
	dst->idempotency_key = xstrdup(src->idempotency_key);
	dst->csid = xstrdup(src->csid);
	dst->page_size = xstrdup(src->page_size);
	dst->resolution = xstrdup(src->resolution);
	dst->optimize_for = xstrdup(src->optimize_for);
	dst->resent_from = xstrdup(src->resent_from);
	if (src->n_attempts) {
		dst->attempts = xcalloc(src->n_attempts, sizeof *dst->attempts);
		for (size_t i = 0; i < src->n_attempts; i++)
			fax_attempt_copy(&dst->attempts[i], &src->attempts[i]);
		dst->n_attempts = src->n_attempts;
	}
	if (src->n_tags) {
		dst->tags = xcalloc(src->n_tags, sizeof *dst->tags);
		for (size_t i = 0; i < src->n_tags; i++) {
			dst->tags[i].key = xstrdup(src->tags[i].key);
			dst->tags[i].value = xstrdup(src->tags[i].value);
		}
		dst->n_tags = src->n_tags;
	}
}

void balance_snapshot_init(struct balance_snapshot *b)
{
	memset(b, 0, sizeof *b);
	b->auto_top_up_threshold = -1;
}

void balance_snapshot_done(struct balance_snapshot *b)
{
	free(b->environment_id);
	free(b->currency);
	free(b->type);
	balance_snapshot_init(b);
}

void balance_snapshot_copy(struct balance_snapshot *dst, const struct balance_snapshot *src)
{
	balance_snapshot_init(dst);
	dst->has_available = src->has_available;
	dst->has_held = src->has_held;
	dst->available = src->available;
	dst->held = src->held;
	dst->auto_top_up_enabled = src->auto_top_up_enabled;
	dst->auto_top_up_threshold = src->auto_top_up_threshold;
	dst->environment_id = xstrdup(src->environment_id);
	dst->currency = xstrdup(src->currency);
	dst->type = xstrdup(src->type);
}

void event_init(struct event *ev)
{
	memset(ev, 0, sizeof *ev);
	ev->type = EV_UNKNOWN;
	ev->object = EVOBJ_NONE;
	fax_init(&ev->fax);
	balance_snapshot_init(&ev->balance);
}

void event_done(struct event *ev)
{
	free(ev->id);
	free(ev->type_name);
	fax_done(&ev->fax);
	balance_snapshot_done(&ev->balance);
	event_init(ev);
}

/* ---- time ---- */

static int parse_digits(const char **p, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return -1;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return 0;
}

static int days_in_month(int year, int month)
{
	static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

	return month == 2 && leap ? 29 : days[month - 1];
}

/* Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm): timegm
 * would do, but it depends on the C library and cannot report overflow. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

int iso8601_parse_ms(const char *s, int64_t *out_ms)
{
	int year, mon, day, hour, min, sec, ms = 0, off = 0;
	const char *p = s;
	int64_t secs;

	if (!s)
		return -1;
	if (parse_digits(&p, 4, &year) || *p++ != '-' || parse_digits(&p, 2, &mon) || *p++ != '-' ||
	    parse_digits(&p, 2, &day) || (*p != 'T' && *p != 't' && *p != ' '))
		return -1;
	p++;
	if (parse_digits(&p, 2, &hour) || *p++ != ':' || parse_digits(&p, 2, &min) || *p++ != ':' ||
	    parse_digits(&p, 2, &sec))
		return -1;
	if (mon < 1 || mon > 12 || day < 1 || day > days_in_month(year, mon) || hour > 23 ||
	    min > 59 || sec > 60)
		return -1;
	if (*p == '.') {
		int digits = 0;

		p++;
		if (!isdigit((unsigned char)*p))
			return -1;
		/* Keep milliseconds; further digits are read and dropped. */
		for (; isdigit((unsigned char)*p); p++, digits++)
			if (digits < 3)
				ms = ms * 10 + (*p - '0');
		for (; digits < 3; digits++)
			ms *= 10;
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int sign = *p++ == '-' ? -1 : 1, oh, om;

		if (parse_digits(&p, 2, &oh))
			return -1;
		if (*p == ':')
			p++;
		if (parse_digits(&p, 2, &om) || oh > 23 || om > 59)
			return -1;
		off = sign * (oh * 60 + om);
	} else {
		return -1;
	}
	if (*p != '\0')
		return -1;
	secs = days_from_civil(year, mon, day) * 86400 + hour * 3600 + min * 60 + sec -
		(int64_t)off * 60;
	*out_ms = secs * 1000 + ms;
	return 0;
}

void iso8601_format_ms(int64_t ms, char *buf, size_t len)
{
	int64_t secs = ms / 1000, rem = ms % 1000;
	struct tm tm;
	time_t t;

	if (!buf || !len)
		return;
	if (rem < 0) {
		rem += 1000;
		secs--;
	}
	t = (time_t)secs;
	if (ms == TS_NONE || !gmtime_r(&t, &tm)) {
		buf[0] = '\0';
		return;
	}
	if (rem)
		snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
			 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)rem);
	else
		snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
			 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}
