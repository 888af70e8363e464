/* Configuration parsing with hostile text: the input is written to a
 * private scratch file and read by config_parse_file(), then cut into lines
 * that become a command line for config_parse_args(), then offered to
 * config_set() as "name = value" lines, and every name to config_suggest().
 *
 * Invariants: every failure comes with a message; a secret never appears
 * in one (a marker appended to each secret's value is looked for); integers
 * that were accepted lie within their option's bounds; every binding has
 * its three strings; config_done() leaves nothing behind (LSan). */
#include <config.h>

#include <fcntl.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/base/options.h"
#include "tests/fuzz/fuzz.h"

#define FUZZ_CONFIG_MARKER   "Zq8Kx7Wv"
#define FUZZ_CONFIG_MAX_ARGS 64
/* Config files are small; longer inputs only slow the fuzzer down on the
 * typo suggestions (an edit distance per unknown name). */
#define FUZZ_CONFIG_MAX_BYTES 8192

static char fuzz_config_path[128];

static void fuzz_config_cleanup(void)
{
	if (fuzz_config_path[0])
		unlink(fuzz_config_path);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *tmp = "/dev/shm";
	struct stat st;
	int fd;

	if (stat(tmp, &st) != 0 || !S_ISDIR(st.st_mode) || access(tmp, W_OK) != 0)
		tmp = getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	snprintf(fuzz_config_path, sizeof fuzz_config_path, "%s/fuzzcfg.XXXXXX", tmp);
	fd = mkstemp(fuzz_config_path);
	if (fd < 0) {
		perror("fuzz_config: mkstemp");
		abort();
	}
	fchmod(fd, 0600);
	close(fd);
	atexit(fuzz_config_cleanup);
	return 0;
}

/* Only the integer options have bounds to check. */
#define FUZZ_RANGE_OPT_INT(v, name, min, max)                                                    \
	fuzz_check((v) >= (min) && (v) <= (max), "%s = %ld outside [%ld, %ld]", name, (long)(v), \
		   (long)(min), (long)(max));
#define FUZZ_RANGE_OPT_BOOL(v, name, min, max)
#define FUZZ_RANGE_OPT_STR(v, name, min, max)
#define FUZZ_RANGE_OPT_SECRET(v, name, min, max)

static void fuzz_check_config(const struct config *c)
{
#define X(field, name, type, def, min, max, env, metavar, help) \
	FUZZ_RANGE_##type(c->field, name, min, max)
	CONFIG_OPTION_LIST(X)
#undef X
	for (size_t i = 0; i < c->n_bindings; i++)
		fuzz_check(c->bindings[i].key && c->bindings[i].action && c->bindings[i].where,
			   "binding %zu incomplete", i);
	for (size_t i = 0; i < c->n_args; i++)
		fuzz_check(c->args[i] != NULL, "argument %zu is NULL", i);
}

/* Whether the input itself holds the marker (the fuzzer learns it from
 * the strstr below): then finding it proves nothing. */
static bool fuzz_marker_in_input;

static void fuzz_check_err(int rc, const char *err, const char *what)
{
	if (rc < 0) {
		fuzz_check(err[0] != '\0', "%s failed without a message", what);
		fuzz_check(fuzz_marker_in_input || !strstr(err, FUZZ_CONFIG_MARKER),
			   "%s quotes a secret: %s", what, err);
	}
}

/* Puts the marker at the start of the value of every secret option
 * ("api-key = <marker>…"), so a message that quotes a secret's value is
 * caught whatever the value was. Names are not secret: an unknown option
 * may be quoted. */
static char *fuzz_mark_secrets(const char *text)
{
	static const char *const secrets[] = { "api-key", "webhook-secret-old", "webhook-secret" };
	size_t n = strlen(text), o = 0;
	char *out = malloc(n * (sizeof FUZZ_CONFIG_MARKER) + 1);
	const char *line = text;

	if (!out)
		abort();
	while (*line) {
		size_t len = strcspn(line, "\n"), skip = 0;
		const char *p = line;

		while (p < line + len && (*p == ' ' || *p == '\t'))
			p++;
		for (size_t i = 0; i < sizeof secrets / sizeof secrets[0] && !skip; i++) {
			size_t sl = strlen(secrets[i]);
			const char *q = p + sl;

			if ((size_t)(line + len - p) < sl || strncmp(p, secrets[i], sl) != 0)
				continue;
			while (q < line + len && (*q == ' ' || *q == '\t'))
				q++;
			if (q < line + len && *q == '=') {
				q++;
				while (q < line + len && (*q == ' ' || *q == '\t'))
					q++;
				skip = (size_t)(q - line);
			}
		}
		memcpy(out + o, line, skip);
		o += skip;
		if (skip) {
			memcpy(out + o, FUZZ_CONFIG_MARKER, sizeof FUZZ_CONFIG_MARKER - 1);
			o += sizeof FUZZ_CONFIG_MARKER - 1;
		}
		memcpy(out + o, line + skip, len - skip);
		o += len - skip;
		line += len;
		if (*line == '\n')
			out[o++] = *line++;
	}
	out[o] = '\0';
	return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text, *marked;
	char err[1024];
	struct config c;
	FILE *f;
	int rc;

	if (size > FUZZ_CONFIG_MAX_BYTES)
		return 0;
	text = fuzz_strndup(data, size);
	marked = fuzz_mark_secrets(text);

	if (!fuzz_config_path[0])
		LLVMFuzzerInitialize(NULL, NULL);
	fuzz_marker_in_input =
		memmem(data, size, FUZZ_CONFIG_MARKER, sizeof FUZZ_CONFIG_MARKER - 1) != NULL;

	/* 1. The file, as written (NUL bytes and all). */
	f = fopen(fuzz_config_path, "wb");
	if (!f)
		abort();
	fwrite(data, 1, size, f);
	fclose(f);
	config_init(&c);
	err[0] = '\0';
	rc = config_parse_file(&c, fuzz_config_path, err, sizeof err);
	fuzz_check_err(rc, err, "config_parse_file");
	fuzz_check_config(&c);
	config_done(&c);

	/* The same with every secret marked. */
	f = fopen(fuzz_config_path, "wb");
	if (!f)
		abort();
	fputs(marked, f);
	fclose(f);
	config_init(&c);
	err[0] = '\0';
	rc = config_parse_file(&c, fuzz_config_path, err, sizeof err);
	fuzz_check_err(rc, err, "config_parse_file (marked)");
	config_done(&c);

	/* 2. Lines as a command line. */
	{
		char *argv[FUZZ_CONFIG_MAX_ARGS + 2];
		int argc = 0;
		char *copy = strdup(text), *save = NULL;

		if (!copy)
			abort();
		argv[argc++] = "faxtop";
		for (char *tok = strtok_r(copy, "\n", &save); tok && argc <= FUZZ_CONFIG_MAX_ARGS;
		     tok = strtok_r(NULL, "\n", &save))
			argv[argc++] = tok;
		argv[argc] = NULL;
		config_init(&c);
		err[0] = '\0';
		rc = config_parse_args(&c, argc, argv, err, sizeof err);
		fuzz_check_err(rc, err, "config_parse_args");
		fuzz_check_config(&c);
		config_done(&c);
		free(copy);
	}

	/* 3. name = value lines through config_set, one config for all (as
	 * many lines as a command line holds: each unknown name costs an edit
	 * distance per option, which would otherwise be most of the run). */
	{
		char *copy = strdup(marked), *save = NULL;
		int lines = 0;

		if (!copy)
			abort();
		config_init(&c);
		for (char *tok = strtok_r(copy, "\n", &save); tok && lines++ < FUZZ_CONFIG_MAX_ARGS;
		     tok = strtok_r(NULL, "\n", &save)) {
			char *eq = strchr(tok, '=');

			/* config_set() suggests for the names it does not know. */
			if (!eq) {
				config_suggest(tok);
				continue;
			}
			*eq = '\0';
			err[0] = '\0';
			rc = config_set(&c, tok, eq + 1, "fuzz:1", err, sizeof err);
			fuzz_check_err(rc, err, "config_set");
		}
		fuzz_check_config(&c);
		config_done(&c);
		free(copy);
	}
	free(marked);
	free(text);
	return 0;
}
