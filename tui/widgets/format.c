#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/model/event.h"
#include "tui/widgets/format.h"

static bool local_tm(int64_t ms, struct tm *tm)
{
	time_t t = (time_t)(ms / 1000);

	return localtime_r(&t, tm) != NULL;
}

void fmt_when(int64_t ms, int64_t now_ms, char *buf, size_t len)
{
	struct tm tm, now;

	if (ms == TS_NONE || !local_tm(ms, &tm) || !local_tm(now_ms, &now)) {
		snprintf(buf, len, "-");
		return;
	}
	if (tm.tm_year == now.tm_year && tm.tm_yday == now.tm_yday)
		strftime(buf, len, "%H:%M:%S", &tm);
	else
		strftime(buf, len, "%m-%d %H:%M", &tm);
}

void fmt_timestamp(int64_t ms, char *buf, size_t len)
{
	struct tm tm;

	if (ms == TS_NONE || !local_tm(ms, &tm)) {
		snprintf(buf, len, "-");
		return;
	}
	strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm);
}

int64_t fmt_age(int64_t age_ms, char *buf, size_t len)
{
	int64_t s;

	if (age_ms == TS_NONE) {
		snprintf(buf, len, "-");
		return INT64_MAX;
	}
	if (age_ms < 1000) {
		snprintf(buf, len, "now");
		return age_ms < 0 ? 1000 : 1000 - age_ms;
	}
	s = age_ms / 1000;
	if (s < 60) {
		snprintf(buf, len, "%" PRId64 "s", s);
		return 1000 - age_ms % 1000;
	}
	if (s < 3600) {
		snprintf(buf, len, "%" PRId64 "m", s / 60);
		return 60000 - age_ms % 60000;
	}
	if (s < 86400) {
		snprintf(buf, len, "%" PRId64 "h", s / 3600);
		return 3600000 - age_ms % 3600000;
	}
	snprintf(buf, len, "%" PRId64 "d", s / 86400);
	return 86400000 - age_ms % 86400000;
}

void fmt_duration(int64_t ms, char *buf, size_t len)
{
	if (ms < 0)
		snprintf(buf, len, "-");
	else if (ms < 1000)
		snprintf(buf, len, "%" PRId64 "ms", ms);
	else if (ms < 60000)
		snprintf(buf, len, "%" PRId64 ".%" PRId64 "s", ms / 1000, (ms % 1000) / 100);
	else if (ms < 3600000)
		snprintf(buf, len, "%" PRId64 "m%02" PRId64 "s", ms / 60000, (ms / 1000) % 60);
	else
		snprintf(buf, len, "%" PRId64 "h%02" PRId64 "m", ms / 3600000, (ms / 60000) % 60);
}

void fmt_cents(int64_t cents, const char *currency, char *buf, size_t len)
{
	const char *sign = cents < 0 ? "-" : "";
	uint64_t a = cents < 0 ? (uint64_t)0 - (uint64_t)cents : (uint64_t)cents;

	if (!currency || !*currency || strcmp(currency, "USD") == 0)
		snprintf(buf, len, "%s$%" PRIu64 ".%02" PRIu64, sign, a / 100, a % 100);
	else
		snprintf(buf, len, "%s%" PRIu64 ".%02" PRIu64 " %.8s", sign, a / 100, a % 100,
			 currency);
}

void fmt_count(size_t n, char *buf, size_t len)
{
	char digits[32], out[48];
	int nd = snprintf(digits, sizeof digits, "%zu", n), o = 0;

	for (int i = 0; i < nd; i++) {
		if (i > 0 && (nd - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = digits[i];
	}
	out[o] = '\0';
	snprintf(buf, len, "%s", out);
}

void fmt_seconds(int64_t s, char *buf, size_t len)
{
	if (s < 0)
		snprintf(buf, len, "-");
	else if (s < 60)
		snprintf(buf, len, "%" PRId64 "s", s);
	else if (s < 3600)
		snprintf(buf, len, "%" PRId64 "m", s / 60);
	else if (s < 86400)
		snprintf(buf, len, "%" PRId64 "h%02" PRId64 "m", s / 3600, (s / 60) % 60);
	else
		snprintf(buf, len, "%" PRId64 "d%" PRId64 "h", s / 86400, (s / 3600) % 24);
}

size_t fmt_sparkline(const int64_t *values, size_t n, int width, bool utf8, char *buf, size_t len)
{
	static const char *const blocks[8] = {
		"\xE2\x96\x81", "\xE2\x96\x82", "\xE2\x96\x83", "\xE2\x96\x84",
		"\xE2\x96\x85", "\xE2\x96\x86", "\xE2\x96\x87", "\xE2\x96\x88",
	};
	static const char ascii[] = " .:-=+*#";
	int64_t lo = INT64_MAX, hi = INT64_MIN;
	size_t cells, off = 0;

	if (!len)
		return 0;
	buf[0] = '\0';
	if (n == 0 || width <= 0)
		return 0;
	cells = n < (size_t)width ? n : (size_t)width;
	for (size_t i = 0; i < n; i++) {
		if (values[i] < lo)
			lo = values[i];
		if (values[i] > hi)
			hi = values[i];
	}
	for (size_t c = 0; c < cells; c++) {
		/* The last sample of each bucket, so the rightmost cell is now. */
		size_t idx = (c + 1) * n / cells - 1;
		int level = hi > lo
			? (int)((double)(values[idx] - lo) * 7.0 / (double)(hi - lo) + 0.5)
			: 3;
		const char *g = utf8 ? blocks[level] : (char[2]){ ascii[level], 0 };
		size_t gl = strlen(g);

		if (off + gl >= len)
			break;
		memcpy(buf + off, g, gl);
		off += gl;
	}
	buf[off] = '\0';
	return off;
}
