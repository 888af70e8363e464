/* Logs: line format, level filter, the ring of newest lines, secret
 * redaction and terminal safety. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/clock.h"
#include "core/base/log.h"
#include "tests/unit/unit.h"

static struct clock_manual now;

static int log_suite_init(void)
{
	clock_manual_init(&now, 1795413600000); /* 2026-11-23T06:00:00Z */
	return 0;
}

static struct log *new_log(FILE *sink, enum log_level min)
{
	struct log *l = log_new(sink, min);

	log_set_clock(l, &now.clock);
	return l;
}

/* Everything written to a memory sink so far. */
static char *sink_text(FILE *f, char **buf)
{
	fflush(f);
	return *buf;
}

static void test_line_format(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct log *l = new_log(f, LOG_DEBUG);
	enum log_level lvl = LOG_DEBUG;

	log_warn(l, "balance low: %d cents", 42);
	CU_ASSERT_STRING_EQUAL(sink_text(f, &buf),
			       "2026-11-23T06:00:00Z WARN balance low: 42 cents\n");
	CU_ASSERT_EQUAL(log_count(l), 1);
	CU_ASSERT_STRING_EQUAL(log_line_at(l, 0, &lvl),
			       "2026-11-23T06:00:00Z WARN balance low: 42 cents");
	CU_ASSERT_EQUAL(lvl, LOG_WARN);
	clock_manual_advance(&now, 61000);
	log_error(l, "x");
	CU_ASSERT_STRING_EQUAL(log_line_at(l, 0, NULL), "2026-11-23T06:01:01Z ERROR x");
	clock_manual_advance(&now, -61000);
	log_free(l);
	fclose(f);
	free(buf);
}

static void test_level_filter(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct log *l = new_log(f, LOG_INFO);

	log_debug(l, "hidden");
	log_info(l, "shown");
	CU_ASSERT_EQUAL(log_count(l), 1);
	CU_ASSERT_PTR_NULL(strstr(sink_text(f, &buf), "hidden"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "INFO shown"));
	log_set_level(l, LOG_DEBUG);
	log_debug(l, "now shown");
	CU_ASSERT_EQUAL(log_count(l), 2);
	log_free(l);
	fclose(f);
	free(buf);
}

static void test_ring_keeps_newest(void)
{
	struct log *l = new_log(NULL, LOG_DEBUG);
	char want[64];

	CU_ASSERT_EQUAL(log_count(l), 0);
	CU_ASSERT_PTR_NULL(log_line_at(l, 0, NULL));
	for (int i = 0; i < 1500; i++)
		log_info(l, "line %d", i);
	CU_ASSERT_EQUAL(log_count(l), 512);
	CU_ASSERT_STRING_EQUAL(log_line_at(l, 0, NULL), "2026-11-23T06:00:00Z INFO line 1499");
	snprintf(want, sizeof want, "2026-11-23T06:00:00Z INFO line %d", 1500 - 512);
	CU_ASSERT_STRING_EQUAL(log_line_at(l, 511, NULL), want);
	CU_ASSERT_PTR_NULL(log_line_at(l, 512, NULL));
	log_free(l);
}

static void test_secret_redacted(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct log *l = new_log(f, LOG_DEBUG);
	const char *key = "mfx_test_s3cr3tK3yValue";
	const char *whsec = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

	log_add_secret(l, key);
	log_add_secret(l, whsec);
	log_add_secret(l, ""); /* ignored: would redact everything */
	log_add_secret(l, NULL);
	log_add_secret(l, "x"); /* ignored: too short to be a key, would mangle lines */
	log_info(l, "auth Bearer %s failed; secret %s; again %s.", key, whsec, key);
	log_info(l, "listening on /webhooks/mintfax");
	sink_text(f, &buf);
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "/webhooks/mintfax"));
	CU_ASSERT_PTR_NULL(strstr(buf, "s3cr3t"));
	CU_ASSERT_PTR_NULL(strstr(buf, "MfKQ9r8"));
	CU_ASSERT_PTR_NOT_NULL(
		strstr(buf, "auth Bearer [redacted] failed; secret [redacted]; again [redacted]."));
	CU_ASSERT_PTR_NULL(strstr(log_line_at(l, 0, NULL), "s3cr3t"));
	log_free(l);
	fclose(f);
	free(buf);
}

static void test_secret_in_long_message(void)
{
	/* A secret at the point where a long line is cut must not leave a
	 * prefix of itself behind. */
	struct log *l = new_log(NULL, LOG_DEBUG);
	const char *key = "mfx_live_ABCDEFGHIJKLMNOP";
	char *pad = malloc(10000);
	const char *line;

	CU_ASSERT_FATAL(pad != NULL);
	log_add_secret(l, key);
	for (size_t cut = 4060; cut < 4100; cut++) {
		memset(pad, '.', cut);
		pad[cut] = '\0';
		log_info(l, "%s%s%s", pad, key, pad);
		line = log_line_at(l, 0, NULL);
		CU_ASSERT_PTR_NULL(strstr(line, "mfx_live_"));
		CU_ASSERT_PTR_NULL(strstr(line, "ABCDEF"));
		CU_ASSERT_TRUE(strlen(line) < 4200);
	}
	free(pad);
	log_free(l);
}

static void test_controls_sanitized(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct log *l = new_log(f, LOG_DEBUG);

	log_warn(l, "api said: %s",
		 "\x1b]0;owned\x07"
		 "bad\nnews\x1b[2J");
	sink_text(f, &buf);
	CU_ASSERT_PTR_NULL(strchr(buf, '\x1b'));
	CU_ASSERT_PTR_NULL(strchr(buf, '\x07'));
	/* One newline: the one that ends the line. */
	CU_ASSERT_PTR_EQUAL(strchr(buf, '\n'), buf + strlen(buf) - 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "bad"));
	log_free(l);
	fclose(f);
	free(buf);
}

static void test_null_log(void)
{
	log_info(NULL, "nothing %d", 1);
	log_add_secret(NULL, "x");
	CU_ASSERT_EQUAL(log_count(NULL), 0);
	CU_ASSERT_PTR_NULL(log_line_at(NULL, 0, NULL));
	log_free(NULL);
	CU_ASSERT_STRING_EQUAL(log_level_name(LOG_ERROR), "ERROR");
}

static const struct unit_test tests[] = {
	{ "line format", test_line_format },
	{ "level filter", test_level_filter },
	{ "ring keeps the newest lines", test_ring_keeps_newest },
	{ "registered secrets are redacted", test_secret_redacted },
	{ "no secret prefix survives truncation", test_secret_in_long_message },
	{ "control sequences never reach the sink", test_controls_sanitized },
	{ "NULL log is a no-op", test_null_log },
	{ 0 },
};

UNIT_SUITE(log, log_suite_init, NULL, tests);
