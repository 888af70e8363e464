/* The injectable clock. */
#include <config.h>

#include <string.h>

#include "core/base/clock.h"
#include "tests/unit/unit.h"

static void test_manual_clock(void)
{
	struct clock_manual m;

	clock_manual_init(&m, 1795413600123); /* 2026-11-23T06:00:00.123Z */
	CU_ASSERT_EQUAL(clock_now_ms(&m.clock), 1795413600123);
	CU_ASSERT_EQUAL(clock_now_s(&m.clock), 1795413600);
	clock_manual_advance(&m, 1877);
	CU_ASSERT_EQUAL(clock_now_ms(&m.clock), 1795413602000);
	clock_manual_advance(&m, -2000);
	CU_ASSERT_EQUAL(clock_now_s(&m.clock), 1795413600);
}

static void test_negative_seconds_floor(void)
{
	struct clock_manual m;

	clock_manual_init(&m, -1);
	CU_ASSERT_EQUAL(clock_now_s(&m.clock), -1);
}

static void test_system_clock(void)
{
	/* Only that it is the real time, not a fixed value: after 2026-01-01. */
	CU_ASSERT_TRUE(clock_now_ms(NULL) > 1767225600000);
	CU_ASSERT_TRUE(clock_now_ms(&clock_system) >= clock_now_ms(NULL) - 60000);
}

static void test_format_iso(void)
{
	char buf[CLOCK_ISO_LEN];

	CU_ASSERT_EQUAL(clock_format_iso(1795413600999, buf, sizeof buf), 20);
	CU_ASSERT_STRING_EQUAL(buf, "2026-11-23T06:00:00Z");
	CU_ASSERT_EQUAL(clock_format_iso(0, buf, sizeof buf), 20);
	CU_ASSERT_STRING_EQUAL(buf, "1970-01-01T00:00:00Z");
	CU_ASSERT_EQUAL(clock_format_iso(1795413600000, buf, 20), 0);
	CU_ASSERT_STRING_EQUAL(buf, "");
	CU_ASSERT_EQUAL(clock_format_iso(INT64_MAX, buf, sizeof buf), 0);
}

static const struct unit_test tests[] = {
	{ "manual clock moves only when told", test_manual_clock },
	{ "seconds round down before the epoch", test_negative_seconds_floor },
	{ "system clock", test_system_clock },
	{ "ISO formatting", test_format_iso },
	{ 0 },
};

UNIT_SUITE(clock, NULL, NULL, tests);
