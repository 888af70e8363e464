/* Allocation that cannot fail quietly. */
#include <config.h>

#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/base/xalloc.h"
#include "tests/unit/unit.h"

static void test_strings(void)
{
	char *s = xstrdup("fax_01");
	char *t = xstrndup("fax_0123456", 6);
	char *u = xasprintf("%s/%d", "attempt", 3);

	CU_ASSERT_STRING_EQUAL(s, "fax_01");
	CU_ASSERT_STRING_EQUAL(t, "fax_01");
	CU_ASSERT_STRING_EQUAL(u, "attempt/3");
	CU_ASSERT_PTR_NULL(xstrdup(NULL));
	CU_ASSERT_PTR_NULL(xstrndup(NULL, 3));
	free(s);
	free(t);
	free(u);
}

static void test_grow(void)
{
	size_t cap = 0;
	int *v = NULL;

	v = xgrow(v, &cap, 1, sizeof *v);
	CU_ASSERT_EQUAL(cap, 8);
	v[0] = 7;
	v = xgrow(v, &cap, 8, sizeof *v);
	CU_ASSERT_EQUAL(cap, 8);
	v = xgrow(v, &cap, 9, sizeof *v);
	CU_ASSERT_EQUAL(cap, 16);
	v = xgrow(v, &cap, 100, sizeof *v);
	CU_ASSERT_EQUAL(cap, 128);
	CU_ASSERT_EQUAL(v[0], 7);
	free(v);
}

static int hook_fd = -1;

static void hook(void)
{
	if (write(hook_fd, "H", 1) != 1)
		_exit(3);
}

/* A size that cannot be had runs the hook once and aborts: nothing goes on
 * with memory it does not have. The child dies; the parent watches. */
static void test_die_runs_hook(void)
{
	int fds[2];
	char buf[4] = "";
	int status = 0;
	pid_t pid;

	CU_ASSERT_FATAL(pipe(fds) == 0);
	pid = fork();
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0) {
		size_t cap = 0;

		close(fds[0]);
		hook_fd = fds[1];
		if (!freopen("/dev/null", "w", stderr))
			_exit(4);
		xalloc_set_fatal_hook(hook);
		(void)xgrow(NULL, &cap, SIZE_MAX, 16);
		_exit(0); /* not reached if xgrow refuses */
	}
	close(fds[1]);
	CU_ASSERT_EQUAL(read(fds[0], buf, sizeof buf), 1);
	close(fds[0]);
	CU_ASSERT_EQUAL(buf[0], 'H');
	CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
	CU_ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
}

static const struct unit_test tests[] = {
	{ "strings are copied whole or cut at n", test_strings },
	{ "arrays grow by doubling", test_grow },
	{ "an impossible size runs the hook and aborts", test_die_runs_hook },
	{ 0 },
};

UNIT_SUITE(xalloc, NULL, NULL, tests);
