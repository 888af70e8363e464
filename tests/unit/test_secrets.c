/* Secrets: private-file checks with their fix-it message, wiping, and the
 * process protection against core dumps. */
#include <config.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/base/secrets.h"
#include "tests/unit/unit.h"

static const char *tmp_file(const char *name, mode_t mode)
{
	static char path[512];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", unit_tmpdir(), name);
	f = fopen(path, "w");
	if (!f)
		return NULL;
	fputs("api-key = mfx_test_x\n", f);
	fclose(f);
	chmod(path, mode);
	return path;
}

static void test_private_file_ok(void)
{
	char err[512] = "";
	const char *p = tmp_file("private", 0600);

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL(secrets_check_private_file(p, err, sizeof err), 0);
	chmod(p, 0400);
	CU_ASSERT_EQUAL(secrets_check_private_file(p, err, sizeof err), 0);
}

static void test_group_readable_refused(void)
{
	static const mode_t bad[] = { 0640, 0604, 0644, 0660, 0602 };
	char err[512], want[600];

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		const char *p = tmp_file("shared", bad[i]);

		err[0] = '\0';
		CU_ASSERT_EQUAL(secrets_check_private_file(p, err, sizeof err), -1);
		snprintf(want, sizeof want, "chmod 600 %s", p);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, want));
	}
}

static void test_missing_file(void)
{
	char err[512] = "";

	CU_ASSERT_EQUAL(secrets_check_private_file("/nonexistent/faxtop/config", err, sizeof err),
			-1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "No such file"));
}

static void test_wipe(void)
{
	char buf[16];
	char *s = strdup("whsec_abc");

	memcpy(buf, "secret-secret!!", 16);
	secrets_wipe(buf, sizeof buf);
	for (size_t i = 0; i < sizeof buf; i++)
		CU_ASSERT_EQUAL(buf[i], 0);
	secrets_free(s);
	secrets_free(NULL);
	secrets_wipe(NULL, 4);
}

static void test_protect_process(void)
{
	/* In a child, so the test runner itself stays debuggable. */
	pid_t pid = fork();
	int status = 0;

	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0) {
		if (secrets_process_protected())
			_exit(3); /* already protected: the test would prove nothing */
		if (secrets_protect_process() != 0)
			_exit(2);
		_exit(secrets_process_protected() ? 0 : 1);
	}
	CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
	CU_ASSERT_TRUE(WIFEXITED(status));
	CU_ASSERT_EQUAL(WEXITSTATUS(status), 0);
}

static const struct unit_test tests[] = {
	{ "a private file passes", test_private_file_ok },
	{ "group/other access is refused with chmod 600", test_group_readable_refused },
	{ "missing file", test_missing_file },
	{ "wipe and free", test_wipe },
	{ "core dumps off, not dumpable", test_protect_process },
	{ 0 },
};

UNIT_SUITE(secrets, NULL, NULL, tests);
