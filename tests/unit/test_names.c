/* Names of an enum's members from its X-macro list. */
#include <config.h>

#include "core/base/names.h"
#include "tests/unit/unit.h"

#define COLOUR_LIST(X)              \
	X(COLOUR_RED, "red", 0xf00) \
	X(COLOUR_GREEN, "green", 0x0f0)

enum colour {
/* clang-format off */
#define X(e, name, rgb) e,
	COLOUR_LIST(X)
#undef X
	/* clang-format on */
};

/* A list with a hole: index 1 is in range but has no row. */
#define SPARSE_LIST(X) X(0, "zero") X(2, "two")

const char *colour_name(enum colour c);
const char *sparse_name(int i);

NAME_TABLE(colour_names, colour_name, enum colour, COLOUR_LIST, NAME_COUNT(COLOUR_LIST), "?")
NAME_TABLE(sparse_names, sparse_name, int, SPARSE_LIST, 3, "none")

static void test_names(void)
{
	CU_ASSERT_EQUAL(NAME_COUNT(COLOUR_LIST), 2);
	CU_ASSERT_STRING_EQUAL(colour_name(COLOUR_RED), "red");
	CU_ASSERT_STRING_EQUAL(colour_name(COLOUR_GREEN), "green");
	CU_ASSERT_STRING_EQUAL(colour_name((enum colour)2), "?");
	CU_ASSERT_STRING_EQUAL(colour_name((enum colour) - 1), "?");
	CU_ASSERT_STRING_EQUAL(colour_names[1], "green");
}

static void test_hole(void)
{
	CU_ASSERT_STRING_EQUAL(sparse_name(0), "zero");
	CU_ASSERT_STRING_EQUAL(sparse_name(1), "none");
	CU_ASSERT_STRING_EQUAL(sparse_name(2), "two");
	CU_ASSERT_STRING_EQUAL(sparse_name(3), "none");
	CU_ASSERT_PTR_NULL(sparse_names[1]);
}

static const struct unit_test tests[] = {
	{ "a member's name, and the fallback out of range", test_names },
	{ "a hole in the list reads as the fallback", test_hole },
	{ 0 },
};

UNIT_SUITE(names, NULL, NULL, tests);
