/* Self-registering CUnit suites.
 *
 * A suite file lists its tests and declares the suite once:
 *
 *   static void test_x(void) { CU_ASSERT_EQUAL(1 + 1, 2); }
 *   static const struct unit_test tests[] = { { "x adds", test_x }, { 0 } };
 *   UNIT_SUITE(model, NULL, NULL, tests);
 *
 * The runner (run_unit.c) collects every suite linked into it, so adding a
 * suite never means editing a central list.
 */
#ifndef FAXTOP_TESTS_UNIT_H
#define FAXTOP_TESTS_UNIT_H

#include <CUnit/CUnit.h>

struct unit_test {
	const char *name;
	void (*fn)(void);
};

struct unit_suite {
	const char *name;
	int (*init)(void);
	int (*clean)(void);
	const struct unit_test *tests;
	struct unit_suite *next;
};

void unit_register(struct unit_suite *suite);

/* Path of a fixture file below tests/ in the source tree. */
const char *unit_fixture_path(const char *relative);
/* Reads a whole fixture file; the caller frees it. Sets *len. NULL if missing. */
char *unit_fixture_read(const char *relative, size_t *len);
/* A fresh temporary directory for this test run (removed at exit). */
const char *unit_tmpdir(void);

#define UNIT_SUITE(id, init_fn, clean_fn, test_array)                                         \
	static struct unit_suite unit_suite_##id = { #id, init_fn, clean_fn, test_array, 0 }; \
	__attribute__((constructor)) static void unit_suite_reg_##id(void)                    \
	{                                                                                     \
		unit_register(&unit_suite_##id);                                              \
	}

#endif
