/* Config: the option table, the file format, flags, environment, the
 * precedence chain, and the refusals (unknown names, bounds, a secret in a
 * file others can read). */
#include <config.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/base/options.h"
#include "tests/unit/unit.h"

/* A fake environment: NAME=VALUE pairs, NULL-terminated. */
static const char *const *fake_env_vars;

static const char *fake_env(const char *name)
{
	size_t n = strlen(name);

	for (const char *const *v = fake_env_vars; v && *v; v++)
		if (strncmp(*v, name, n) == 0 && (*v)[n] == '=')
			return *v + n + 1;
	return NULL;
}

static const char *write_file(const char *name, mode_t mode, const char *text)
{
	static char path[4][512];
	static int next;
	char *p = path[next++ % 4];
	FILE *f;

	snprintf(p, sizeof path[0], "%s/%s", unit_tmpdir(), name);
	f = fopen(p, "w");
	if (!f)
		return NULL;
	fputs(text, f);
	fclose(f);
	chmod(p, mode);
	return p;
}

/* Runs config_load with a fresh config; argv given as a NULL-terminated list. */
static int load(struct config *c, const char *const *argv, char *err, size_t errlen)
{
	char *args[64];
	int argc = 0;

	while (argv[argc] && argc < 63) {
		args[argc] = (char *)argv[argc];
		argc++;
	}
	args[argc] = NULL;
	config_init(c);
	err[0] = '\0';
	return config_load(c, argc, args, fake_env, err, errlen);
}

static bool has_control(const char *s)
{
	for (; *s; s++)
		/* '\n' separates the errors of one file */
		if (((unsigned char)*s < 0x20 && *s != '\n') || *s == 0x7f)
			return true;
	return false;
}

static void test_defaults(void)
{
	struct config c;

	config_init(&c);
	CU_ASSERT_EQUAL(c.fps, 30);
	CU_ASSERT_EQUAL(c.timestamp_tolerance, 300);
	CU_ASSERT_EQUAL(c.low_balance, 1000);
	CU_ASSERT_TRUE(c.mouse);
	CU_ASSERT_FALSE(c.demo);
	CU_ASSERT_STRING_EQUAL(c.api_base, "https://api.mintfax.com/v1");
	CU_ASSERT_STRING_EQUAL(c.listen, "127.0.0.1:8787");
	CU_ASSERT_PTR_NULL(c.api_key);
	CU_ASSERT_PTR_NULL(c.db);
	CU_ASSERT_EQUAL(c.n_args, 0);
	config_done(&c);
}

static void test_option_table(void)
{
	const struct config_option *o;
	size_t n = 0;

	while ((o = config_option_at(n)) != NULL) {
		CU_ASSERT_PTR_EQUAL(config_option_find(o->name), o);
		CU_ASSERT_TRUE(o->help && *o->help);
		CU_ASSERT_PTR_NOT_NULL(o->def_str);
		if (o->type == OPT_INT || o->type == OPT_STR || o->type == OPT_SECRET)
			CU_ASSERT_PTR_NOT_NULL(o->metavar);
		n++;
	}
	CU_ASSERT_TRUE(n >= 30);
	o = config_option_find("timestamp-tolerance");
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	CU_ASSERT_STRING_EQUAL(o->def_str, "300");
	CU_ASSERT_EQUAL(o->min, 1);
	CU_ASSERT_EQUAL(o->max, 86400);
	CU_ASSERT_STRING_EQUAL(config_option_find("mouse")->def_str, "yes");
	CU_ASSERT_STRING_EQUAL(config_option_find("demo")->def_str, "no");
	CU_ASSERT_STRING_EQUAL(config_option_find("db")->def_str, "");
	CU_ASSERT_STRING_EQUAL(config_option_find("api-key")->env, "MINTFAX_API_KEY");
	CU_ASSERT_PTR_NULL(config_option_find("nope"));
	CU_ASSERT_PTR_NULL(config_option_find(NULL));
}

static void test_file_formats(void)
{
	struct config c;
	char err[512] = "";
	const char *p = write_file("formats", 0644,
				   "# a comment\n"
				   "\n"
				   "   # an indented comment\n"
				   "fps = 60\n"
				   "poll-interval 20\n"
				   "theme=\"high-contrast\"\n"
				   "listen '127.0.0.1:0'\n"
				   "webhook-path = /hooks/fax # not a comment\n"
				   "demo\n"
				   "mouse = off\r\n"
				   "verbose TRUE\n"
				   "low-balance = -1\n"
				   "bind r refresh\n"
				   "bind \"#\" filter-failed\n"
				   "bind C-l   redraw\n");

	config_init(&c);
	CU_ASSERT_EQUAL_FATAL(config_parse_file(&c, p, err, sizeof err), 0);
	CU_ASSERT_EQUAL(c.fps, 60);
	CU_ASSERT_EQUAL(c.poll_interval, 20);
	CU_ASSERT_STRING_EQUAL(c.theme, "high-contrast");
	CU_ASSERT_STRING_EQUAL(c.listen, "127.0.0.1:0");
	CU_ASSERT_STRING_EQUAL(c.webhook_path, "/hooks/fax # not a comment");
	CU_ASSERT_TRUE(c.demo);
	CU_ASSERT_FALSE(c.mouse);
	CU_ASSERT_TRUE(c.verbose);
	CU_ASSERT_EQUAL(c.low_balance, -1);
	CU_ASSERT_STRING_EQUAL(c.config_path, p);
	CU_ASSERT_EQUAL_FATAL(c.n_bindings, 3);
	CU_ASSERT_STRING_EQUAL(c.bindings[0].key, "r");
	CU_ASSERT_STRING_EQUAL(c.bindings[0].action, "refresh");
	CU_ASSERT_PTR_NOT_NULL(strstr(c.bindings[0].where, "formats:13"));
	CU_ASSERT_STRING_EQUAL(c.bindings[1].key, "#");
	CU_ASSERT_STRING_EQUAL(c.bindings[1].action, "filter-failed");
	CU_ASSERT_STRING_EQUAL(c.bindings[2].key, "C-l");
	CU_ASSERT_STRING_EQUAL(c.bindings[2].action, "redraw");
	config_done(&c);
}

/* Each bad line is reported with file:line and a useful message. */
static void test_file_errors(void)
{
	static const struct {
		const char *text;
		const char *want[2];
	} cases[] = {
		{ "fps = 30\nlisen = 127.0.0.1:1\n",
		  { "bad:2: unknown option 'lisen'", "did you mean 'listen'?" } },
		{ "fps = 500\n", { "bad:1:", "between 1 and 120" } },
		{ "fps = 12abc\n", { "bad:1:", "whole number" } },
		{ "fps = 99999999999999999999999\n", { "bad:1:", "whole number" } },
		{ "fps =\n", { "bad:1:", "needs a value" } },
		{ "mouse = maybe\n", { "bad:1:", "yes or no" } },
		{ "\n\ntheme = \"dark\n", { "bad:3:", "unterminated quote" } },
		{ "bind r\n", { "bad:1:", "bind wants KEY ACTION" } },
		{ "bind r refresh now\n", { "bad:1:", "bind wants KEY ACTION" } },
		{ "bind\n", { "bad:1:", "bind wants KEY ACTION" } },
		{ "frobnicate-the-widgets = 1\n",
		  { "bad:1: unknown option", "see faxtop --help" } },
		{ "config = /etc/x\n", { "bad:1: unknown option 'config'", NULL } },
		{ "theme = a\x01"
		  "b\n",
		  { "bad:1:", "control character" } },
	};
	char err[512];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct config c;
		const char *p = write_file("bad", 0600, cases[i].text);

		config_init(&c);
		err[0] = '\0';
		CU_ASSERT_EQUAL(config_parse_file(&c, p, err, sizeof err), -1);
		for (int k = 0; k < 2; k++)
			if (cases[i].want[k] && !strstr(err, cases[i].want[k])) {
				fprintf(stderr, "\ncase %zu: '%s' not in '%s'\n", i,
					cases[i].want[k], err);
				CU_FAIL("error message");
			}
		config_done(&c);
	}
}

/* Every bad line is reported, in order, one per line of err; the good lines
 * between them still count for nothing (the load fails), and a file with
 * very many errors lists the first CONFIG_MAX_ERRORS and counts the rest. */
static void test_file_every_error(void)
{
	struct config c;
	char err[8192], text[4096];
	const char *p, *a, *b, *d;
	size_t o = 0;

	p = write_file("many", 0600,
		       "fps = 0\ntheme = default\nmouse = maybe\n"
		       "frobnicate = 1\nbind r\n");
	config_init(&c);
	CU_ASSERT_EQUAL(config_parse_file(&c, p, err, sizeof err), -1);
	a = strstr(err, "many:1:");
	b = strstr(err, "many:3:");
	d = strstr(err, "many:4: unknown option");
	CU_ASSERT_PTR_NOT_NULL(a);
	CU_ASSERT_PTR_NOT_NULL(b);
	CU_ASSERT_PTR_NOT_NULL(d);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "many:5: bind wants KEY ACTION"));
	CU_ASSERT_PTR_NULL(strstr(err, "many:2:"));
	CU_ASSERT(a && b && d && a < b && b < d);
	CU_ASSERT_PTR_NOT_NULL(strchr(err, '\n'));
	config_done(&c);

	for (int i = 0; i < CONFIG_MAX_ERRORS + 5; i++)
		o += (size_t)snprintf(text + o, sizeof text - o, "fps = %d\n", 1000 + i);
	p = write_file("lots", 0600, text);
	config_init(&c);
	CU_ASSERT_EQUAL(config_parse_file(&c, p, err, sizeof err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "lots:20:"));
	CU_ASSERT_PTR_NULL(strstr(err, "lots:21:"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "5 more errors"));
	config_done(&c);
}

static void test_file_hostile_bytes(void)
{
	struct config c;
	char err[512], text[8192];
	const char *p;
	FILE *f;

	/* An unknown name full of escape sequences is quoted harmlessly. */
	p = write_file("esc", 0600, "\x1b]0;owned\x07\x1b[2J = 1\n");
	config_init(&c);
	CU_ASSERT_EQUAL(config_parse_file(&c, p, err, sizeof err), -1);
	CU_ASSERT_FALSE(has_control(err));
	config_done(&c);

	/* A NUL byte inside a line. */
	snprintf(text, sizeof text, "%s/nul", unit_tmpdir());
	f = fopen(text, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fwrite("fps = 3\0"
	       "0\n",
	       1, 11, f);
	fclose(f);
	config_init(&c);
	CU_ASSERT_EQUAL(config_parse_file(&c, text, err, sizeof err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "nul:1: NUL byte"));
	config_done(&c);

	/* A line far longer than any real one. */
	memset(text, 'x', sizeof text - 2);
	text[sizeof text - 2] = '\n';
	text[sizeof text - 1] = '\0';
	p = write_file("long", 0600, text);
	config_init(&c);
	CU_ASSERT_EQUAL(config_parse_file(&c, p, err, sizeof err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "long:1: line too long"));
	config_done(&c);

	/* A directory is not a config file. */
	config_init(&c);
	CU_ASSERT_EQUAL(config_parse_file(&c, unit_tmpdir(), err, sizeof err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "not a regular file"));
	config_done(&c);
}

/* Garbage files built from pieces of the grammar and hostile bytes: the
 * parser answers 0 or an error naming file:line, with nothing in the message
 * a terminal would act on. */
static void test_random_files(void)
{
	static const char *const pieces[] = {
		"fps",
		"listen",
		"api-key",
		"bind",
		"mouse",
		"theme",
		"=",
		" ",
		"\t",
		"\"",
		"'",
		"#",
		"\n",
		"\r\n",
		"30",
		"-1",
		"99999999999",
		"yes",
		"\x1b[2J",
		"\x1b]0;t\x07",
		"\x9b",
		"\xc0\xaf",
		"\xe2\x80\xae",
		"\x01",
		"r",
		"refresh",
		"lisen",
		"no-mouse",
		"\xff",
		"webhook-secret",
		"whsec_x",
	};
	unsigned seed = 4242;
	char text[512], err[512], path[600];

	snprintf(path, sizeof path, "%s/random", unit_tmpdir());
	for (int round = 0; round < 2000; round++) {
		struct config c;
		size_t len = 0;
		int rc, parts;
		FILE *f;

		seed = seed * 1103515245u + 12345u;
		parts = (int)((seed >> 16) % 24);
		text[0] = '\0';
		for (int k = 0; k < parts; k++) {
			const char *piece;

			seed = seed * 1103515245u + 12345u;
			piece = pieces[(seed >> 16) % (sizeof pieces / sizeof pieces[0])];
			if (len + strlen(piece) + 1 >= sizeof text)
				break;
			memcpy(text + len, piece, strlen(piece) + 1);
			len += strlen(piece);
		}
		f = fopen(path, "w");
		CU_ASSERT_PTR_NOT_NULL_FATAL(f);
		fputs(text, f);
		fclose(f);
		chmod(path, (seed >> 8) & 1 ? 0600 : (seed >> 9) & 1 ? 0644 : 0666);
		config_init(&c);
		err[0] = '\0';
		rc = config_parse_file(&c, path, err, sizeof err);
		CU_ASSERT_TRUE(rc == 0 || rc == -1);
		if (rc == -1) {
			CU_ASSERT_FALSE(has_control(err));
			CU_ASSERT_PTR_NOT_NULL(strstr(err, "random"));
		}
		config_done(&c);
	}
}

static void test_secret_file_permissions(void)
{
	struct config c;
	char err[512], want[600];
	const char *p;

	/* Group-readable and holding a secret: refused, with the fix. */
	p = write_file("shared-secret", 0640, "api-key = mfx_test_TopSecretValue\nfps = 10\n");
	config_init(&c);
	CU_ASSERT_EQUAL(config_parse_file(&c, p, err, sizeof err), -1);
	snprintf(want, sizeof want, "chmod 600 %s", p);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, want));
	CU_ASSERT_PTR_NULL(strstr(err, "TopSecret"));
	config_done(&c);

	/* A key pasted alone on a line is not quoted back. */
	p = write_file("pasted", 0600, "mfx_live_PastedKeyValue\n");
	config_init(&c);
	CU_ASSERT_EQUAL(config_parse_file(&c, p, err, sizeof err), -1);
	CU_ASSERT_PTR_NULL(strstr(err, "PastedKey"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "pasted:1: unknown option that looks like a key"));
	config_done(&c);

	/* World-readable with the webhook secret: refused too. */
	p = write_file("world-secret", 0644, "webhook-secret = whsec_abc\n");
	config_init(&c);
	CU_ASSERT_EQUAL(config_parse_file(&c, p, err, sizeof err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "chmod 600"));
	config_done(&c);

	/* The same secret in a private file is fine. */
	p = write_file("private-secret", 0600, "api-key = mfx_test_TopSecretValue\n");
	config_init(&c);
	CU_ASSERT_EQUAL(config_parse_file(&c, p, err, sizeof err), 0);
	CU_ASSERT_STRING_EQUAL(c.api_key, "mfx_test_TopSecretValue");
	config_done(&c);

	/* A readable file without secrets is fine. */
	p = write_file("no-secret", 0644, "fps = 10\n");
	config_init(&c);
	CU_ASSERT_EQUAL(config_parse_file(&c, p, err, sizeof err), 0);
	config_done(&c);

	/* A file others can write is refused, secret or not: it could redirect
	 * api-base and collect the key from the environment. */
	p = write_file("group-writable", 0664, "api-base = https://elsewhere.example/v1\n");
	config_init(&c);
	CU_ASSERT_EQUAL(config_parse_file(&c, p, err, sizeof err), -1);
	snprintf(want, sizeof want, "chmod go-w %s", p);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, want));
	CU_ASSERT_STRING_EQUAL(c.api_base, "https://api.mintfax.com/v1");
	config_done(&c);
}

static void test_flags(void)
{
	struct config c;
	char err[512];
	const char *argv[] = {
		"faxtop", "--fps",   "12",   "--poll-interval=7",    "--no-mouse",
		"--demo", "--theme", "mono", "--cacert=/etc/ca.pem", "--read-only=yes",
		NULL
	};

	fake_env_vars = NULL;
	CU_ASSERT_EQUAL_FATAL(load(&c, argv, err, sizeof err), 0);
	CU_ASSERT_EQUAL(c.fps, 12);
	CU_ASSERT_EQUAL(c.poll_interval, 7);
	CU_ASSERT_FALSE(c.mouse);
	CU_ASSERT_TRUE(c.demo);
	CU_ASSERT_TRUE(c.read_only);
	CU_ASSERT_STRING_EQUAL(c.theme, "mono");
	CU_ASSERT_STRING_EQUAL(c.cacert, "/etc/ca.pem");
	CU_ASSERT_EQUAL(c.n_args, 0);
	config_done(&c);
}

static void test_flag_errors(void)
{
	static const struct {
		const char *argv[4];
		const char *want;
	} cases[] = {
		{ { "faxtop", "--lsten", "x" },
		  "unknown option '--lsten' (did you mean '--listen'?)" },
		{ { "faxtop", "--no-mose" }, "did you mean '--no-mouse'?" },
		{ { "faxtop", "--versoin" }, "did you mean '--version'?" },
		{ { "faxtop", "--fps", "500" },
		  "--fps: option 'fps' must be between 1 and 120, not 500" },
		{ { "faxtop", "--fps" }, "--fps needs a value" },
		{ { "faxtop", "--no-fps" }, "--fps is not a yes/no option" },
		{ { "faxtop", "--no-demo=1" }, "takes no value" },
		{ { "faxtop", "--mouse=sometimes" }, "yes or no" },
		{ { "faxtop", "-x" }, "unknown option '-x'" },
		{ { "faxtop", "--mfx_test_Pasted" }, "looks like a key or secret (not shown)" },
		{ { "faxtop", "--api-kye=mfx_test_Pasted" },
		  "unknown option '--api-kye' (did you mean '--api-key'?)" },
		{ { "faxtop", "--config" }, "--config needs a PATH" },
		{ { "faxtop", "--signature-scheme", "md5" },
		  "signature-scheme must be standard, legacy or auto" },
		{ { "faxtop", "--webhook-path", "hooks" }, "webhook-path must start with '/'" },
		{ { "faxtop", "--api-base", "ftp://x" },
		  "api-base must be an http:// or https:// URL" },
		{ { "faxtop", "--listen", ":99999" }, "port from 0 to 65535, not ':99999'" },
		{ { "faxtop", "--listen", "127.0.0.1:80x" }, "listen must be HOST:PORT" },
		{ { "faxtop", "--listen", "::1:80" }, "listen must be HOST:PORT" },
		{ { "faxtop", "--listen", "localhost:" }, "listen must be HOST:PORT" },
		{ { "faxtop", "--store", "mysql://db/x" },
		  "store must be sqlite or a postgresql:// URL, not 'mysql://db/x'" },
		{ { "faxtop", "--store", "postgresql://ops:hunter2@db/faxtop" },
		  "the store URL holds a password" },
		{ { "faxtop", "--store", "postgres://db/faxtop?sslmode=require&password=hunter2" },
		  "put it in ~/.pgpass" },
	};
	char err[512];

	fake_env_vars = NULL;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct config c;

		CU_ASSERT_EQUAL(load(&c, cases[i].argv, err, sizeof err), -1);
		if (!strstr(err, cases[i].want)) {
			fprintf(stderr, "\ncase %zu: '%s' not in '%s'\n", i, cases[i].want, err);
			CU_FAIL("error message");
		}
		config_done(&c);
	}
}

/* Team mode's URL: accepted without a password, and one inside it never
 * reaches the error that refuses it. */
static void test_store_url(void)
{
	static const char *const good[] = { "sqlite", "postgresql://", "postgres://127.0.0.1/faxtop",
					    "postgresql://ops@db.example:5433/faxtop?sslmode=require",
					    "postgresql://[::1]:5432/faxtop" };
	const char *argv[] = { "faxtop", "--store", NULL, NULL };
	struct config c;
	char err[512];

	fake_env_vars = NULL;
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		argv[2] = good[i];
		CU_ASSERT_EQUAL(load(&c, argv, err, sizeof err), 0);
		CU_ASSERT_STRING_EQUAL(c.store, good[i]);
		CU_ASSERT_EQUAL(config_store_is_pg(c.store), i > 0);
		config_done(&c);
	}
	argv[2] = "postgresql://ops:hunter2@db/faxtop";
	CU_ASSERT_EQUAL(load(&c, argv, err, sizeof err), -1);
	CU_ASSERT_PTR_NULL(strstr(err, "hunter2"));
	config_done(&c);
	CU_ASSERT_FALSE(config_url_has_password("postgresql://ops@db:5432/x?application_name=a:b"));
	CU_ASSERT_TRUE(config_url_has_password("postgresql://:pw@db/x"));
}

static void test_secret_never_in_errors(void)
{
	struct config c;
	char err[512];
	const char *argv[] = { "faxtop", "--api-key", "mfx_test_Leaky\x01Value", NULL };

	fake_env_vars = NULL;
	CU_ASSERT_EQUAL(load(&c, argv, err, sizeof err), -1);
	CU_ASSERT_PTR_NULL(strstr(err, "Leaky"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "control character"));
	config_done(&c);
}

static void test_subcommand_args(void)
{
	struct config c;
	char err[512];
	const char *resend[] = { "faxtop",       "--fps",          "5", "resend", "fax_1", "--to",
				 "+15005550001", "--max-attempts", "2", NULL };
	const char *dashdash[] = { "faxtop", "--demo", "--", "--not-an-option", NULL };

	fake_env_vars = NULL;
	CU_ASSERT_EQUAL_FATAL(load(&c, resend, err, sizeof err), 0);
	CU_ASSERT_EQUAL(c.fps, 5);
	CU_ASSERT_EQUAL_FATAL(c.n_args, 6);
	CU_ASSERT_STRING_EQUAL(c.args[0], "resend");
	CU_ASSERT_STRING_EQUAL(c.args[1], "fax_1");
	CU_ASSERT_STRING_EQUAL(c.args[2], "--to");
	CU_ASSERT_STRING_EQUAL(c.args[5], "2");
	CU_ASSERT_PTR_NULL(c.args[6]);
	config_done(&c);

	CU_ASSERT_EQUAL_FATAL(load(&c, dashdash, err, sizeof err), 0);
	CU_ASSERT_TRUE(c.demo);
	CU_ASSERT_EQUAL_FATAL(c.n_args, 1);
	CU_ASSERT_STRING_EQUAL(c.args[0], "--not-an-option");
	config_done(&c);
}

static void test_precedence(void)
{
	struct config c;
	char err[512], cfgflag[600];
	const char *p = write_file("prec", 0600,
				   "api-base = https://file.example/v1\n"
				   "api-key = mfx_test_file\n"
				   "fps = 11\n"
				   "poll-interval = 21\n");
	const char *env[] = { "MINTFAX_API_BASE=https://env.example/v1",
			      "MINTFAX_API_KEY=mfx_test_env", NULL };
	const char *only_file[] = { "faxtop", "--config", p, NULL };
	const char *with_flags[] = {
		"faxtop", "--config", p, "--api-base", "http://127.0.0.1:9/v1", "--fps", "12", NULL
	};

	/* The file beats the defaults. */
	fake_env_vars = NULL;
	CU_ASSERT_EQUAL_FATAL(load(&c, only_file, err, sizeof err), 0);
	CU_ASSERT_STRING_EQUAL(c.api_base, "https://file.example/v1");
	CU_ASSERT_STRING_EQUAL(c.api_key, "mfx_test_file");
	CU_ASSERT_EQUAL(c.fps, 11);
	CU_ASSERT_EQUAL(c.timestamp_tolerance, 300);
	CU_ASSERT_STRING_EQUAL(c.config_path, p);
	config_done(&c);

	/* The environment beats the file. */
	fake_env_vars = env;
	CU_ASSERT_EQUAL_FATAL(load(&c, only_file, err, sizeof err), 0);
	CU_ASSERT_STRING_EQUAL(c.api_base, "https://env.example/v1");
	CU_ASSERT_STRING_EQUAL(c.api_key, "mfx_test_env");
	CU_ASSERT_EQUAL(c.fps, 11);
	config_done(&c);

	/* Flags beat the environment, wherever --config stands. */
	CU_ASSERT_EQUAL_FATAL(load(&c, with_flags, err, sizeof err), 0);
	CU_ASSERT_STRING_EQUAL(c.api_base, "http://127.0.0.1:9/v1");
	CU_ASSERT_STRING_EQUAL(c.api_key, "mfx_test_env");
	CU_ASSERT_EQUAL(c.fps, 12);
	CU_ASSERT_EQUAL(c.poll_interval, 21);
	config_done(&c);

	snprintf(cfgflag, sizeof cfgflag, "--config=%s", p);
	{
		const char *eq_form[] = { "faxtop", "--fps=13", cfgflag, NULL };

		fake_env_vars = NULL;
		CU_ASSERT_EQUAL_FATAL(load(&c, eq_form, err, sizeof err), 0);
		CU_ASSERT_EQUAL(c.fps, 13);
		CU_ASSERT_STRING_EQUAL(c.api_key, "mfx_test_file");
		config_done(&c);
	}
}

static void test_env_values_checked(void)
{
	struct config c;
	char err[512];
	const char *argv[] = { "faxtop", NULL };
	const char *env[] = { "MINTFAX_API_BASE=gopher://x", "MINTFAX_WEBHOOK_SECRET=whsec_e",
			      NULL };
	const char *empty[] = { "MINTFAX_API_KEY=", NULL };

	fake_env_vars = env;
	CU_ASSERT_EQUAL(load(&c, argv, err, sizeof err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "api-base"));
	config_done(&c);

	/* An empty variable is as good as unset. */
	fake_env_vars = empty;
	CU_ASSERT_EQUAL(load(&c, argv, err, sizeof err), 0);
	CU_ASSERT_PTR_NULL(c.api_key);
	config_done(&c);
}

static void test_default_file(void)
{
	struct config c;
	char err[512], dir[600], env_xdg[700];
	const char *argv[] = { "faxtop", NULL };
	const char *env[] = { env_xdg, NULL };
	FILE *f;

	/* A missing default file is fine. */
	snprintf(dir, sizeof dir, "%s/xdg-empty", unit_tmpdir());
	snprintf(env_xdg, sizeof env_xdg, "XDG_CONFIG_HOME=%s", dir);
	fake_env_vars = env;
	CU_ASSERT_EQUAL(load(&c, argv, err, sizeof err), 0);
	CU_ASSERT_PTR_NULL(c.config_path);
	config_done(&c);

	/* An existing one is read. */
	snprintf(dir, sizeof dir, "%s/xdg", unit_tmpdir());
	mkdir(dir, 0700);
	strcat(dir, "/faxtop");
	mkdir(dir, 0700);
	strcat(dir, "/config");
	f = fopen(dir, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("fps = 42\n", f);
	fclose(f);
	snprintf(env_xdg, sizeof env_xdg, "XDG_CONFIG_HOME=%s/xdg", unit_tmpdir());
	CU_ASSERT_EQUAL(load(&c, argv, err, sizeof err), 0);
	CU_ASSERT_EQUAL(c.fps, 42);
	CU_ASSERT_STRING_EQUAL(c.config_path, dir);
	config_done(&c);

	/* A missing --config file is an error. */
	{
		const char *missing[] = { "faxtop", "--config", "/nonexistent/faxtop.conf", NULL };

		CU_ASSERT_EQUAL(load(&c, missing, err, sizeof err), -1);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, "/nonexistent/faxtop.conf"));
		CU_ASSERT_PTR_NOT_NULL(strstr(err, "No such file"));
		config_done(&c);
	}
	fake_env_vars = NULL; /* env is this frame's */
}

static void test_default_paths(void)
{
	char buf[512];
	char *old_cfg = getenv("XDG_CONFIG_HOME") ? strdup(getenv("XDG_CONFIG_HOME")) : NULL;
	char *old_data = getenv("XDG_DATA_HOME") ? strdup(getenv("XDG_DATA_HOME")) : NULL;
	char *old_home = getenv("HOME") ? strdup(getenv("HOME")) : NULL;

	setenv("XDG_CONFIG_HOME", "/x/cfg", 1);
	setenv("XDG_DATA_HOME", "/x/data", 1);
	CU_ASSERT_EQUAL(config_default_path(buf, sizeof buf), 0);
	CU_ASSERT_STRING_EQUAL(buf, "/x/cfg/faxtop/config");
	CU_ASSERT_EQUAL(config_default_db(buf, sizeof buf), 0);
	CU_ASSERT_STRING_EQUAL(buf, "/x/data/faxtop/faxtop.db");
	/* Relative XDG values are ignored, per the spec. */
	setenv("XDG_CONFIG_HOME", "rel", 1);
	unsetenv("XDG_DATA_HOME");
	setenv("HOME", "/home/u", 1);
	CU_ASSERT_EQUAL(config_default_path(buf, sizeof buf), 0);
	CU_ASSERT_STRING_EQUAL(buf, "/home/u/.config/faxtop/config");
	CU_ASSERT_EQUAL(config_default_db(buf, sizeof buf), 0);
	CU_ASSERT_STRING_EQUAL(buf, "/home/u/.local/share/faxtop/faxtop.db");
	CU_ASSERT_EQUAL(config_default_db(buf, 10), -1);
	/* Team mode's default is the instance's cache, beside the solo store. */
	{
		struct config c;
		const char *argv[] = { "faxtop", "--store", "postgresql://", NULL };
		char err[256], solo[512];

		fake_env_vars = NULL; /* a table left by the test before would be gone */
		CU_ASSERT_EQUAL(config_default_db(solo, sizeof solo), 0);
		CU_ASSERT_EQUAL(load(&c, argv, err, sizeof err), 0);
		CU_ASSERT_EQUAL(config_db_path(&c, buf, sizeof buf), 0);
		CU_ASSERT_PTR_NOT_NULL(strstr(buf, "/faxtop/team.db"));
		CU_ASSERT_EQUAL(strncmp(buf, solo, strlen(solo) - strlen("faxtop.db")), 0);
		config_done(&c);
	}
	unsetenv("HOME");
	unsetenv("XDG_CONFIG_HOME");
	CU_ASSERT_EQUAL(config_default_path(buf, sizeof buf), -1);

	old_cfg ? setenv("XDG_CONFIG_HOME", old_cfg, 1) : unsetenv("XDG_CONFIG_HOME");
	old_data ? setenv("XDG_DATA_HOME", old_data, 1) : unsetenv("XDG_DATA_HOME");
	old_home ? setenv("HOME", old_home, 1) : unsetenv("HOME");
	free(old_cfg);
	free(old_data);
	free(old_home);
}

static void test_suggest(void)
{
	CU_ASSERT_STRING_EQUAL(config_suggest("lisen"), "listen");
	CU_ASSERT_STRING_EQUAL(config_suggest("read_only"), "read-only");
	CU_ASSERT_STRING_EQUAL(config_suggest("API-KEY"), "api-key");
	CU_ASSERT_STRING_EQUAL(config_suggest("webhook-secret-olde"), "webhook-secret-old");
	CU_ASSERT_PTR_NULL(config_suggest("xyzzy"));
	CU_ASSERT_PTR_NULL(config_suggest(""));
	CU_ASSERT_PTR_NULL(config_suggest(NULL));
}

/* Joins wrapped help lines back: a newline and its indent become a space. */
static void unwrap(char *s)
{
	char *w = s;

	for (char *r = s; *r; r++) {
		if (*r == '\n' && r[1] == ' ' && r[2] == ' ' && r[3] == ' ') {
			while (r[1] == ' ')
				r++;
			*w++ = ' ';
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
}

static void test_help(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	const struct config_option *o;

	config_print_help("faxtop", f);
	fclose(f);
	for (char *line = buf, *nl; *line; line = nl + 1) {
		nl = strchrnul(line, '\n');
		/* "…" counts three bytes but one column: allow for two of them. */
		CU_ASSERT_TRUE(nl - line <= 79 + 4);
		if (!*nl)
			break;
	}
	unwrap(buf);
	for (size_t i = 0; (o = config_option_at(i)) != NULL; i++) {
		char want[128];

		snprintf(want, sizeof want, o->type == OPT_BOOL ? "--[no-]%s " : "--%s ", o->name);
		if (!strstr(buf, want)) {
			fprintf(stderr, "\nhelp lacks %s\n", want);
			CU_FAIL("help lists every option");
		}
	}
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "(secret; env MINTFAX_API_KEY)"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "(1..120, default 30)"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "--config PATH"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "faxtop [OPTIONS] resend FAX_ID"));
	free(buf);

	/* argv[0] is outside text too. */
	buf = NULL;
	f = open_memstream(&buf, &len);
	config_print_help("fax\x1b]0;owned\x07top", f);
	fclose(f);
	CU_ASSERT_PTR_NULL(strchr(buf, '\x1b'));
	CU_ASSERT_PTR_NULL(strchr(buf, '\x07'));
	free(buf);
}

/* config_load prints --help and --version on stdout and returns 1. */
static void test_help_version_via_load(void)
{
	struct config c;
	char err[512], path[600], out[4096];
	const char *version[] = { "faxtop", "--fps", "1000", "-V", NULL };
	const char *help[] = { "/usr/bin/faxtop", "-h", NULL };
	int saved = dup(STDOUT_FILENO), fd;
	ssize_t n;

	snprintf(path, sizeof path, "%s/stdout", unit_tmpdir());
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	CU_ASSERT_FATAL(fd >= 0 && saved >= 0);
	fflush(stdout);
	dup2(fd, STDOUT_FILENO);
	fake_env_vars = NULL;
	CU_ASSERT_EQUAL(load(&c, version, err, sizeof err), 1);
	config_done(&c);
	CU_ASSERT_EQUAL(load(&c, help, err, sizeof err), 1);
	config_done(&c);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	close(fd);

	fd = open(path, O_RDONLY);
	n = read(fd, out, sizeof out - 1);
	close(fd);
	CU_ASSERT_FATAL(n > 0);
	out[n] = '\0';
	CU_ASSERT_EQUAL(strncmp(out, "faxtop 0.1.0\n", 13), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "Usage: faxtop [OPTIONS]"));
}

static void test_set_directly(void)
{
	struct config c;
	char err[256];

	config_init(&c);
	CU_ASSERT_EQUAL(config_set(&c, "retention-days", "0", "test", err, sizeof err), 0);
	CU_ASSERT_EQUAL(c.retention_days, 0);
	CU_ASSERT_EQUAL(config_set(&c, "low-balance", "2147483647", "test", err, sizeof err), 0);
	CU_ASSERT_EQUAL(c.low_balance, 2147483647);
	CU_ASSERT_EQUAL(config_set(&c, "low-balance", "-2", "test", err, sizeof err), -1);
	CU_ASSERT_STRING_EQUAL(
		err, "test: option 'low-balance' must be between -1 and 2147483647, not -2");
	CU_ASSERT_EQUAL(config_set(&c, "webhook-secret", "whsec_a", NULL, err, sizeof err), 0);
	CU_ASSERT_EQUAL(config_set(&c, "webhook-secret", "whsec_b", NULL, err, sizeof err), 0);
	CU_ASSERT_STRING_EQUAL(c.webhook_secret, "whsec_b");
	CU_ASSERT_EQUAL(config_set(&c, "fps", " 5", NULL, err, sizeof err), -1);
	CU_ASSERT_EQUAL(config_set(&c, NULL, "5", NULL, err, sizeof err), -1);
	config_done(&c);
}

/* Secret values are blanked in argv after parsing; nothing else moves. */
static void test_hide_secret_args(void)
{
	char a0[] = "faxtop", a1[] = "--api-key", a2[] = "mfx_test_HideMe1",
	     a3[] = "--webhook-secret=whsec_HideMe2", a4[] = "--fps", a5[] = "20", a6[] = "status",
	     a7[] = "--api-key", a8[] = "after";
	char *argv[] = { a0, a1, a2, a3, a4, a5, a6, a7, a8, NULL };

	CU_ASSERT_EQUAL(config_hide_secret_args(9, argv), 2);
	CU_ASSERT_EQUAL(a2[0], '\0');
	CU_ASSERT(memchr(a2, 'H', sizeof a2 - 1) == NULL);
	CU_ASSERT_STRING_EQUAL(a3, "--webhook-secret=");
	CU_ASSERT_STRING_EQUAL(a1, "--api-key");
	CU_ASSERT_STRING_EQUAL(a5, "20");
	/* After the subcommand it is not an option of ours. */
	CU_ASSERT_STRING_EQUAL(a8, "after");
}

static const struct unit_test tests[] = {
	{ "defaults", test_defaults },
	{ "option table", test_option_table },
	{ "file formats, comments, quotes, bind lines", test_file_formats },
	{ "file errors name file:line", test_file_errors },
	{ "hostile bytes in the file", test_file_hostile_bytes },
	{ "random garbage files", test_random_files },
	{ "a secret in a shared file is refused", test_secret_file_permissions },
	{ "flags", test_flags },
	{ "flag errors and suggestions", test_flag_errors },
	{ "secret values never appear in errors", test_secret_never_in_errors },
	{ "team mode's store URL, and a password in it refused unseen", test_store_url },
	{ "options stop at the subcommand", test_subcommand_args },
	{ "defaults < file < env < flags", test_precedence },
	{ "environment values are checked", test_env_values_checked },
	{ "default config file and --config", test_default_file },
	{ "default XDG paths", test_default_paths },
	{ "suggestions", test_suggest },
	{ "a config file's errors are all reported", test_file_every_error },
	{ "help lists every option", test_help },
	{ "--help and --version through config_load", test_help_version_via_load },
	{ "secret flags are blanked in argv", test_hide_secret_args },
	{ "config_set", test_set_directly },
	{ 0 },
};

UNIT_SUITE(config, NULL, NULL, tests);
