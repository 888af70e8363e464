/* Logs: one line per message, "2026-11-23T06:00:00Z WARN message".
 *
 * A message is formatted, registered secrets are cut out, and the result is
 * passed through sanitize_text(): log text often quotes outside input (an API
 * message, a header) and the sink is usually a terminal. */
#include <config.h> /* autoconf's; "config.h" would find core/base/options.h */

#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/clock.h"
#include "core/base/log.h"
#include "core/base/sanitize.h"
#include "core/base/xalloc.h"

#define LOG_RING_SIZE   512
#define LOG_MAX_MESSAGE 4096 /* bytes of sanitized message kept per line */
#define LOG_MAX_SECRETS 16
#define LOG_MIN_SECRET  6 /* shorter strings are not redacted */
#define LOG_REDACTED    "[redacted]"

struct log_line {
	char *text;
	enum log_level lvl;
};

struct log {
	FILE *sink;
	enum log_level min;
	const struct clock *clock;
	struct log_line ring[LOG_RING_SIZE];
	size_t head; /* next slot to write */
	size_t count;
	char *secrets[LOG_MAX_SECRETS];
	size_t n_secrets;
};

static const char *const log_level_names[] = {
	[LOG_DEBUG] = "DEBUG",
	[LOG_INFO] = "INFO",
	[LOG_WARN] = "WARN",
	[LOG_ERROR] = "ERROR",
};

static void log_free_wiped(char *s)
{
	if (s) {
		OPENSSL_cleanse(s, strlen(s));
		free(s);
	}
}

const char *log_level_name(enum log_level lvl)
{
	if ((unsigned)lvl < sizeof log_level_names / sizeof log_level_names[0])
		return log_level_names[lvl];
	return "?";
}

struct log *log_new(FILE *sink, enum log_level min)
{
	struct log *l = xcalloc(1, sizeof *l);

	l->sink = sink;
	l->min = min;
	l->clock = &clock_system;
	return l;
}

void log_free(struct log *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < LOG_RING_SIZE; i++)
		free(l->ring[i].text);
	for (size_t i = 0; i < l->n_secrets; i++)
		log_free_wiped(l->secrets[i]);
	free(l);
}

void log_set_sink(struct log *l, FILE *sink)
{
	if (l)
		l->sink = sink;
}

void log_set_level(struct log *l, enum log_level min)
{
	if (l)
		l->min = min;
}

void log_set_clock(struct log *l, const struct clock *c)
{
	if (l)
		l->clock = c ? c : &clock_system;
}

void log_add_secret(struct log *l, const char *secret)
{
	char *copy;

	/* Redaction is a second line of defence (secrets are never logged on
	 * purpose). A string this short is no real key or secret, and
	 * redacting it would mangle every line that happens to contain it. */
	if (!l || !secret || strlen(secret) < LOG_MIN_SECRET)
		return;
	for (size_t i = 0; i < l->n_secrets; i++)
		if (strcmp(l->secrets[i], secret) == 0)
			return;
	if (l->n_secrets == LOG_MAX_SECRETS)
		return;
	/* A secret the redactor failed to keep would be logged in clear. */
	copy = xstrdup(secret);
	l->secrets[l->n_secrets++] = copy;
}

/* Copies src with every registered secret replaced by LOG_REDACTED. Runs
 * over the whole formatted message before any truncation, so no part of a
 * secret can survive by being cut in half. Returns the length; writes only
 * when out is non-NULL. */
static size_t log_redact(const struct log *l, const char *src, char *out)
{
	size_t n = 0, rlen = strlen(LOG_REDACTED);

	while (*src) {
		size_t k;

		for (k = 0; k < l->n_secrets; k++) {
			size_t slen = strlen(l->secrets[k]);

			if (strncmp(src, l->secrets[k], slen) == 0) {
				if (out)
					memcpy(out + n, LOG_REDACTED, rlen);
				n += rlen;
				src += slen;
				break;
			}
		}
		if (k == l->n_secrets) {
			if (out)
				out[n] = *src;
			n++;
			src++;
		}
	}
	if (out)
		out[n] = '\0';
	return n;
}

void log_vmsg(struct log *l, enum log_level lvl, const char *fmt, va_list ap)
{
	static const struct sanitize_opts opts = { .utf8 = true, .max_cols = -1, .ellipsis = true };
	char safe[LOG_MAX_MESSAGE];
	char stamp[CLOCK_ISO_LEN];
	struct log_line *slot;
	char *raw, *redacted, *line;
	va_list ap2;
	size_t need;
	int n;

	if (!l || lvl < l->min)
		return;
	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return;
	raw = xmalloc((size_t)n + 1);
	vsnprintf(raw, (size_t)n + 1, fmt, ap);
	redacted = xmalloc(log_redact(l, raw, NULL) + 1);
	log_redact(l, raw, redacted);
	log_free_wiped(raw);
	sanitize_text(safe, sizeof safe, redacted, strlen(redacted), &opts);
	free(redacted); /* holds no secret any more */
	if (clock_format_iso(clock_now_ms(l->clock), stamp, sizeof stamp) == 0)
		strcpy(stamp, "-");

	need = strlen(stamp) + 1 + strlen(log_level_name(lvl)) + 1 + strlen(safe) + 1;
	line = xmalloc(need);
	snprintf(line, need, "%s %s %s", stamp, log_level_name(lvl), safe);
	if (l->sink) {
		fputs(line, l->sink);
		fputc('\n', l->sink);
		fflush(l->sink);
	}
	slot = &l->ring[l->head];
	free(slot->text);
	slot->text = line;
	slot->lvl = lvl;
	l->head = (l->head + 1) % LOG_RING_SIZE;
	if (l->count < LOG_RING_SIZE)
		l->count++;
}

void log_msg(struct log *l, enum log_level lvl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(l, lvl, fmt, ap);
	va_end(ap);
}

size_t log_count(const struct log *l)
{
	return l ? l->count : 0;
}

const char *log_line_at(const struct log *l, size_t idx, enum log_level *lvl)
{
	const struct log_line *line;

	if (!l || idx >= l->count)
		return NULL;
	line = &l->ring[(l->head + LOG_RING_SIZE - 1 - idx) % LOG_RING_SIZE];
	if (lvl)
		*lvl = line->lvl;
	return line->text;
}
