/* The CUnit runner. Exit status: the number of failed assertions plus the
 * number of suites that could not be set up, capped at 255 so a large count
 * never wraps to success.
 *
 * run_unit [-s SUITE]... [-v]   runs every suite, or only the named ones. */
#include "config.h"

#include <CUnit/Basic.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/unit/unit.h"

static struct unit_suite *suites;
static char tmpdir[PATH_MAX];

void unit_register(struct unit_suite *suite)
{
	struct unit_suite **p = &suites;

	while (*p && strcmp((*p)->name, suite->name) < 0)
		p = &(*p)->next;
	suite->next = *p;
	*p = suite;
}

const char *unit_fixture_path(const char *relative)
{
	static char path[PATH_MAX];
	const char *top = getenv("top_srcdir");

	snprintf(path, sizeof path, "%s/tests/%s", top ? top : ".", relative);
	return path;
}

char *unit_fixture_read(const char *relative, size_t *len)
{
	FILE *f = fopen(unit_fixture_path(relative), "rb");
	char *buf;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		return NULL;
	}
	buf = malloc((size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	if (buf) {
		buf[n] = '\0';
		if (len)
			*len = (size_t)n;
	}
	return buf;
}

const char *unit_tmpdir(void)
{
	return tmpdir;
}

static void remove_tmpdir(void)
{
	char cmd[PATH_MAX + 16];

	if (tmpdir[0] && strncmp(tmpdir, "/tmp/", 5) == 0) {
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
		if (system(cmd) != 0)
			fprintf(stderr, "run_unit: could not remove %s\n", tmpdir);
	}
}

static int wanted(const char *name, char **only, int n_only)
{
	if (n_only == 0)
		return 1;
	for (int i = 0; i < n_only; i++)
		if (strcmp(only[i], name) == 0)
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	char *only[64];
	int n_only = 0, verbose = 0, opt;
	unsigned setup_failures = 0, failures, run, failed_tests;

	while ((opt = getopt(argc, argv, "s:v")) != -1) {
		if (opt == 's' && n_only < 64)
			only[n_only++] = optarg;
		else if (opt == 'v')
			verbose = 1;
		else {
			fprintf(stderr, "usage: run_unit [-s SUITE]... [-v]\n");
			return 2;
		}
	}
	snprintf(tmpdir, sizeof tmpdir, "/tmp/faxtop-unit.XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("run_unit: mkdtemp");
		return 1;
	}
	atexit(remove_tmpdir);

	if (CU_initialize_registry() != CUE_SUCCESS) {
		fprintf(stderr, "run_unit: %s\n", CU_get_error_msg());
		return 1;
	}
	for (struct unit_suite *s = suites; s; s = s->next) {
		CU_pSuite cs;

		if (!wanted(s->name, only, n_only))
			continue;
		cs = CU_add_suite(s->name, s->init, s->clean);
		if (!cs) {
			fprintf(stderr, "run_unit: suite %s: %s\n", s->name, CU_get_error_msg());
			setup_failures++;
			continue;
		}
		for (const struct unit_test *t = s->tests; t && t->name; t++)
			if (!CU_add_test(cs, t->name, t->fn))
				setup_failures++;
	}
	CU_basic_set_mode(verbose ? CU_BRM_VERBOSE : CU_BRM_NORMAL);
	CU_basic_run_tests();
	failures = CU_get_number_of_failures();
	failed_tests = CU_get_number_of_tests_failed();
	run = CU_get_number_of_tests_run();
	setup_failures += CU_get_number_of_suites_failed();
	CU_cleanup_registry();

	printf("\n%u passed, %u failed\n", run - failed_tests, failed_tests + setup_failures);
	failures += setup_failures;
	return failures > 255 ? 255 : (int)failures;
}
