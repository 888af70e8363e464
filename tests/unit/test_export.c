/* :export can destroy nothing and carries nothing unsafe: the target
 * checks (the store and its companions, symbolic links, existing files,
 * ~), and the sanitised copy every exported row is written from. */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/model/event.h"
#include "core/model/model.h"
#include "tests/unit/unit.h"
#include "tui/export.h"
#include "tui/view.h"

static char dir[512], db[600];

static void touch(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(write(fd, "x", 1), 1);
	close(fd);
}

/* 0 when accepted; the message goes to err. */
static int check(const char *path, bool force, char *err, size_t errlen)
{
	char out[1024];

	err[0] = '\0';
	return tui_export_check_target(path, db, force, out, sizeof out, err, errlen);
}

static void setup_dir(void)
{
	snprintf(dir, sizeof dir, "%s/export-%d", unit_tmpdir(), (int)getpid());
	mkdir(dir, 0700);
	snprintf(db, sizeof db, "%s/faxtop.db", dir);
	touch(db);
}

static void test_refuses_store(void)
{
	char path[700], err[1200];
	static const char *const beside[] = { "", "-wal", "-shm", "-journal", ".lock" };

	setup_dir();
	for (size_t i = 0; i < sizeof beside / sizeof beside[0]; i++) {
		snprintf(path, sizeof path, "%s%s", db, beside[i]);
		/* Refused whether or not it exists, and even when forced. */
		CU_ASSERT_EQUAL(check(path, true, err, sizeof err), -1);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, "own database"));
	}
	/* The same file by another spelling, and by a hard link. */
	snprintf(path, sizeof path, "%s/./../%s/faxtop.db", dir, strrchr(dir, '/') + 1);
	CU_ASSERT_EQUAL(check(path, true, err, sizeof err), -1);
	snprintf(path, sizeof path, "%s/hard.csv", dir);
	CU_ASSERT_EQUAL_FATAL(link(db, path), 0);
	CU_ASSERT_EQUAL(check(path, true, err, sizeof err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "own database"));
}

static void test_refuses_links_and_existing(void)
{
	char path[700], other[700], err[1200];

	setup_dir();
	snprintf(other, sizeof other, "%s/elsewhere.csv", dir);
	touch(other);
	snprintf(path, sizeof path, "%s/link.csv", dir);
	CU_ASSERT_EQUAL_FATAL(symlink(other, path), 0);
	CU_ASSERT_EQUAL(check(path, true, err, sizeof err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "symbolic link"));
	/* A dangling link too: it would create its target. */
	snprintf(path, sizeof path, "%s/dangling.csv", dir);
	CU_ASSERT_EQUAL_FATAL(symlink("/nonexistent/x", path), 0);
	CU_ASSERT_EQUAL(check(path, true, err, sizeof err), -1);
	/* An existing file needs force. */
	CU_ASSERT_EQUAL(check(other, false, err, sizeof err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, ":export!"));
	CU_ASSERT_EQUAL(check(other, true, err, sizeof err), 0);
	/* Not a regular file. */
	CU_ASSERT_EQUAL(check(dir, true, err, sizeof err), -1);
	/* A new file in a writable directory is fine; a missing directory is not. */
	snprintf(path, sizeof path, "%s/new.csv", dir);
	CU_ASSERT_EQUAL(check(path, false, err, sizeof err), 0);
	CU_ASSERT_EQUAL(check("/nonexistent-dir/x.csv", false, err, sizeof err), -1);
}

static void test_expands_home(void)
{
	char out[1024], err[1200], want[700];
	const char *old = getenv("HOME");
	char *saved = old ? strdup(old) : NULL;

	setup_dir();
	setenv("HOME", dir, 1);
	CU_ASSERT_EQUAL(
		tui_export_check_target("~/out.csv", db, false, out, sizeof out, err, sizeof err),
		0);
	snprintf(want, sizeof want, "%s/out.csv", dir);
	CU_ASSERT_STRING_EQUAL(out, want);
	/* ~ expanded is still checked: the store by way of the home directory. */
	CU_ASSERT_EQUAL(
		tui_export_check_target("~/faxtop.db", db, true, out, sizeof out, err, sizeof err),
		-1);
	CU_ASSERT_EQUAL(tui_export_check_target("~bob/out.csv", db, false, out, sizeof out, err,
						sizeof err),
			-1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "~user"));
	if (saved)
		setenv("HOME", saved, 1);
	else
		unsetenv("HOME");
	free(saved);
}

/* Nothing in buf that a terminal acts on: no C0 control but the newline, no
 * DEL, no C1, no bidi control or line separator, and no JSON escape that
 * decodes to one of those. */
static void assert_terminal_safe(const char *buf)
{
	static const char *const banned[] = {
		"\xE2\x80\xAA", "\xE2\x80\xAB", "\xE2\x80\xAC", "\xE2\x80\xAD",
		"\xE2\x80\xAE", "\xE2\x81\xA6", "\xE2\x81\xA7", "\xE2\x81\xA8",
		"\xE2\x81\xA9", "\xE2\x80\xA8", "\xE2\x80\xA9", "\\u00",
		"\\b",          "\\f",          "\\r",          "\\t",
	};

	for (const unsigned char *p = (const unsigned char *)buf; *p; p++) {
		CU_ASSERT(*p >= 0x20 || *p == '\n');
		CU_ASSERT(*p != 0x7F);
		if (p[0] == 0xC2)
			CU_ASSERT(p[1] < 0x80 || p[1] > 0x9F);
	}
	for (size_t i = 0; i < sizeof banned / sizeof banned[0]; i++)
		CU_ASSERT_PTR_NULL(strstr(buf, banned[i]));
}

static void test_rows_are_sanitised(void)
{
	static const char *const evil[] = {
		"\033]0;pwned\007",
		"\007bell",
		"abc\xE2\x80\xAE"
		"fdp.exe",
		"\xE2\x81\xA6iso",
		"\xC2\x9B"
		"31m",
		"two\r\nlines",
		"\xFF\xFE",
		"tab\there",
	};
	struct model *m = model_new(NULL);
	struct view v;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	for (size_t i = 0; i < sizeof evil / sizeof evil[0]; i++) {
		struct fax x;
		char id[32];

		fax_init(&x);
		snprintf(id, sizeof id, "fax_evil%zu", i);
		x.id = strdup(id);
		x.to = strdup(evil[i]);
		x.status = FAX_FAILED;
		x.error_code = strdup(evil[(i + 1) % 8]);
		x.error_message = strdup(evil[(i + 2) % 8]);
		x.resent_from = strdup(evil[(i + 3) % 8]);
		x.tags = calloc(1, sizeof *x.tags);
		x.tags[0].key = strdup(evil[(i + 4) % 8]);
		x.tags[0].value = strdup(evil[(i + 5) % 8]);
		x.n_tags = 1;
		x.attempts = calloc(1, sizeof *x.attempts);
		fax_attempt_init(&x.attempts[0]);
		x.attempts[0].number = 1;
		x.attempts[0].error_message = strdup(evil[(i + 6) % 8]);
		x.n_attempts = 1;
		x.created_at = 1747173600000LL + (int64_t)i;
		CU_ASSERT_EQUAL(model_apply_fax(m, &x, SRC_API, 1747173700000LL), APPLY_OK);
		fax_done(&x);
	}
	view_init(&v, m);
	view_update(&v);
	CU_ASSERT_EQUAL(view_count(&v), 8);
	f = open_memstream(&buf, &len);
	CU_ASSERT_EQUAL(tui_export_csv(&v, f), 0);
	fclose(f);
	assert_terminal_safe(buf);
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "fax_evil2,"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "fdp.exe")); /* the text stays, the control goes */
	free(buf);
	buf = NULL;
	f = open_memstream(&buf, &len);
	CU_ASSERT_EQUAL(tui_export_json(&v, f), 0);
	fclose(f);
	assert_terminal_safe(buf);
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "fax_evil7"));
	free(buf);
	view_done(&v);
	model_free(m);
}

static const struct unit_test tests[] = {
	{ "refuses the store and the files beside it", test_refuses_store },
	{ "refuses links, non-files, and existing files unless forced",
	  test_refuses_links_and_existing },
	{ "expands ~ and still checks", test_expands_home },
	{ "every field is sanitised in CSV and JSON", test_rows_are_sanitised },
	{ NULL, NULL },
};

UNIT_SUITE(export, NULL, NULL, tests);
