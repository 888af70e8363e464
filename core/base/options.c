/* Configuration from one option table (CONFIG_OPTION_LIST): defaults, the
 * file, the environment and the flags all go through config_set(), so a
 * value is checked the same way wherever it comes from.
 *
 * Every piece of outside text quoted in an error message (a name, a value,
 * a path) passes through sanitize first: the message ends up on a terminal.
 * A secret's value is never quoted at all. */
#include <config.h>   /* autoconf's; "config.h" would find core/base/options.h */

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/base/options.h"
#include "core/base/netaddr.h"
#include "core/base/sanitize.h"
#include "core/base/secrets.h"

#define CONFIG_MAX_LINE 4096
#define CONFIG_MAX_BINDINGS 1024
#define CONFIG_MAX_FILE_LINES 100000

struct config_def {
	struct config_option pub;
	size_t off;
};

#define CONFIG_DEFSTR_OPT_BOOL(def) ((def) ? "yes" : "no")
#define CONFIG_DEFSTR_OPT_INT(def) #def
#define CONFIG_DEFSTR_OPT_STR(def) ((def) ? (const char *)(def) : "")
#define CONFIG_DEFSTR_OPT_SECRET(def) ""

#define X(field, name, type, def, min, max, env, metavar, help)                          \
	{ { name, type, CONFIG_DEFSTR_##type(def), min, max, env, metavar, help },        \
	  offsetof(struct config, field) },
static const struct config_def config_defs[] = { CONFIG_OPTION_LIST(X) };
#undef X

#define CONFIG_N_OPTIONS (sizeof config_defs / sizeof config_defs[0])

const struct config_option *config_option_at(size_t idx)
{
	return idx < CONFIG_N_OPTIONS ? &config_defs[idx].pub : NULL;
}

static const struct config_def *config_def_find(const char *name)
{
	for (size_t i = 0; i < CONFIG_N_OPTIONS; i++)
		if (strcmp(config_defs[i].pub.name, name) == 0)
			return &config_defs[i];
	return NULL;
}

const struct config_option *config_option_find(const char *name)
{
	const struct config_def *d = name ? config_def_find(name) : NULL;

	return d ? &d->pub : NULL;
}

/* Outside text made fit for an error message: safe and short. */
static const char *config_show(char *buf, size_t len, const char *s)
{
	struct sanitize_opts o = { .utf8 = true, .max_cols = 60, .ellipsis = true };

	sanitize_text(buf, len, s ? s : "", s ? strlen(s) : 0, &o);
	return buf;
}

/* ---- defaults and lifecycle ---- */

static char *config_strdup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

void config_init(struct config *c)
{
	memset(c, 0, sizeof *c);
#define CONFIG_INIT_OPT_BOOL(field, def) c->field = (def);
#define CONFIG_INIT_OPT_INT(field, def) c->field = (def);
#define CONFIG_INIT_OPT_STR(field, def) c->field = config_strdup_or_null(def);
#define CONFIG_INIT_OPT_SECRET(field, def) c->field = NULL;
#define X(field, name, type, def, min, max, env, metavar, help) CONFIG_INIT_##type(field, def)
	CONFIG_OPTION_LIST(X)
#undef X
}

void config_done(struct config *c)
{
#define CONFIG_DONE_OPT_BOOL(field)
#define CONFIG_DONE_OPT_INT(field)
#define CONFIG_DONE_OPT_STR(field) free(c->field);
#define CONFIG_DONE_OPT_SECRET(field) secrets_free(c->field);
#define X(field, name, type, def, min, max, env, metavar, help) CONFIG_DONE_##type(field)
	CONFIG_OPTION_LIST(X)
#undef X
	free(c->config_path);
	for (size_t i = 0; i < c->n_bindings; i++) {
		free(c->bindings[i].key);
		free(c->bindings[i].action);
		free(c->bindings[i].where);
	}
	free(c->bindings);
	for (size_t i = 0; i < c->n_args; i++)
		free(c->args[i]);
	free(c->args);
	memset(c, 0, sizeof *c);
}

/* ---- suggestions ---- */

/* Names this long are no typo of an option (the longest is far shorter). */
#define CONFIG_SUGGEST_MAX_LEN 64

/* Edit distance between a and b (case-folded, '_' standing for '-'), or
 * SIZE_MAX as soon as it is certain to be at least `cutoff`: the length
 * difference and each row's minimum are lower bounds, so hostile names
 * cost little. */
static size_t config_distance(const char *a, const char *b, size_t cutoff)
{
	size_t la = strlen(a), lb = strlen(b), row[CONFIG_SUGGEST_MAX_LEN], prev, tmp;

	if (lb >= CONFIG_SUGGEST_MAX_LEN || la >= CONFIG_SUGGEST_MAX_LEN ||
	    (la > lb ? la - lb : lb - la) >= cutoff)
		return SIZE_MAX;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t row_min;

		prev = row[0];
		row[0] = row_min = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t cost = tolower((unsigned char)a[i - 1]) != b[j - 1] &&
				      !(a[i - 1] == '_' && b[j - 1] == '-');
			size_t best = prev + cost;

			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			tmp = row[j];
			row[j] = best;
			prev = tmp;
			if (best < row_min)
				row_min = best;
		}
		if (row_min >= cutoff)
			return SIZE_MAX;
	}
	return row[lb] < cutoff ? row[lb] : SIZE_MAX;
}

/* The nearest of the table's names plus `extra`, if near enough to be a
 * plausible typo: at most a third of the longer name, and at least 2. */
static const char *config_nearest(const char *name, const char *const *extra)
{
	const char *best = NULL;
	size_t best_d, limit, longest;

	if (!name || !*name)
		return NULL;
	longest = strlen(name);
	/* No candidate is accepted further away than this, so the search
	 * can give up on each one beyond it (the answer is the same). */
	for (size_t i = 0; i < CONFIG_N_OPTIONS; i++)
		if (strlen(config_defs[i].pub.name) > longest)
			longest = strlen(config_defs[i].pub.name);
	for (const char *const *e = extra; e && *e; e++)
		if (strlen(*e) > longest)
			longest = strlen(*e);
	best_d = (longest / 3 > 2 ? longest / 3 : 2) + 1;
	for (size_t i = 0; i < CONFIG_N_OPTIONS; i++) {
		size_t d = config_distance(name, config_defs[i].pub.name, best_d);

		if (d < best_d)
			best_d = d, best = config_defs[i].pub.name;
	}
	for (; extra && *extra; extra++) {
		size_t d = config_distance(name, *extra, best_d);

		if (d < best_d)
			best_d = d, best = *extra;
	}
	if (!best)
		return NULL;
	limit = (strlen(name) > strlen(best) ? strlen(name) : strlen(best)) / 3;
	if (limit < 2)
		limit = 2;
	return best_d <= limit ? best : NULL;
}

const char *config_suggest(const char *name)
{
	return config_nearest(name, NULL);
}

/* ---- setting one value ---- */

static int config_parse_bool(const char *v, bool *out)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };

	for (size_t i = 0; i < 4; i++) {
		if (strcasecmp(v, yes[i]) == 0)
			return *out = true, 0;
		if (strcasecmp(v, no[i]) == 0)
			return *out = false, 0;
	}
	return -1;
}

static bool config_has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7F)
			return true;
	return false;
}

int config_set(struct config *c, const char *name, const char *value, const char *where,
	       char *err, size_t errlen)
{
	char shown_name[256], shown_val[256], shown_where[512];
	const struct config_def *d = name ? config_def_find(name) : NULL;
	char *p = (char *)c + (d ? d->off : 0);
	const char *prefix = where && *where ? config_show(shown_where, sizeof shown_where, where) : "";
	const char *sep = *prefix ? ": " : "";

	if (!d && name && (strncmp(name, "mfx_", 4) == 0 || strncmp(name, "whsec_", 6) == 0)) {
		/* A key pasted on a line of its own: say so without quoting it. */
		snprintf(err, errlen, "%s%sunknown option that looks like a key or secret "
			 "(not shown); write 'api-key = KEY' or 'webhook-secret = SECRET'",
			 prefix, sep);
		return -1;
	}
	if (!d) {
		const char *s = config_suggest(name);

		config_show(shown_name, sizeof shown_name, name);
		if (s)
			snprintf(err, errlen, "%s%sunknown option '%s' (did you mean '%s'?)", prefix,
				 sep, shown_name, s);
		else
			snprintf(err, errlen, "%s%sunknown option '%s' (see faxtop --help)", prefix,
				 sep, shown_name);
		return -1;
	}
	if (!value || !*value) {
		snprintf(err, errlen, "%s%soption '%s' needs a value", prefix, sep, d->pub.name);
		return -1;
	}
	if (d->pub.type != OPT_SECRET)
		config_show(shown_val, sizeof shown_val, value);

	switch (d->pub.type) {
	case OPT_BOOL: {
		bool b;

		if (config_parse_bool(value, &b) != 0) {
			snprintf(err, errlen, "%s%soption '%s' wants yes or no, not '%s'", prefix, sep,
				 d->pub.name, shown_val);
			return -1;
		}
		*(bool *)p = b;
		return 0;
	}
	case OPT_INT: {
		char *end;
		long v;

		errno = 0;
		v = strtol(value, &end, 10);
		if (end == value || *end || errno == ERANGE || isspace((unsigned char)*value)) {
			snprintf(err, errlen, "%s%soption '%s' wants a whole number, not '%s'", prefix,
				 sep, d->pub.name, shown_val);
			return -1;
		}
		if (v < d->pub.min || v > d->pub.max) {
			snprintf(err, errlen, "%s%soption '%s' must be between %ld and %ld, not %s",
				 prefix, sep, d->pub.name, d->pub.min, d->pub.max, shown_val);
			return -1;
		}
		*(long *)p = v;
		return 0;
	}
	case OPT_STR:
	case OPT_SECRET: {
		char *copy;

		if (config_has_control(value)) {
			snprintf(err, errlen, "%s%soption '%s' contains a control character", prefix,
				 sep, d->pub.name);
			return -1;
		}
		copy = strdup(value);
		if (!copy) {
			snprintf(err, errlen, "%s%sout of memory", prefix, sep);
			return -1;
		}
		if (d->pub.type == OPT_SECRET)
			secrets_free(*(char **)p);
		else
			free(*(char **)p);
		*(char **)p = copy;
		return 0;
	}
	}
	snprintf(err, errlen, "%s%soption '%s' has an unknown type", prefix, sep, d->pub.name);
	return -1;
}

/* ---- the file ---- */

static int config_add_binding(struct config *c, const char *key, const char *action,
			      const char *where, char *err, size_t errlen)
{
	struct config_binding *nb, *b;

	if (c->n_bindings >= CONFIG_MAX_BINDINGS) {
		snprintf(err, errlen, "%s: more than %d bind lines", where, CONFIG_MAX_BINDINGS);
		return -1;
	}
	nb = realloc(c->bindings, (c->n_bindings + 1) * sizeof *nb);
	if (!nb) {
		snprintf(err, errlen, "%s: out of memory", where);
		return -1;
	}
	c->bindings = nb;
	b = &c->bindings[c->n_bindings];
	b->key = strdup(key);
	b->action = strdup(action);
	b->where = strdup(where);
	if (!b->key || !b->action || !b->where) {
		free(b->key);
		free(b->action);
		free(b->where);
		snprintf(err, errlen, "%s: out of memory", where);
		return -1;
	}
	c->n_bindings++;
	return 0;
}

/* Removes matching surrounding quotes in place. -1 for an opening quote
 * without its closing one. */
static int config_unquote(char **s)
{
	size_t n = strlen(*s);
	char q = **s;

	if (q != '"' && q != '\'')
		return 0;
	if (n < 2 || (*s)[n - 1] != q)
		return -1;
	(*s)[n - 1] = '\0';
	(*s)++;
	return 0;
}

static char *config_trim(char *s)
{
	size_t n;

	while (*s == ' ' || *s == '\t')
		s++;
	n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
	return s;
}

/* `bind KEY ACTION`: two words, either may be quoted ("#" or a space). */
static int config_parse_bind(struct config *c, char *rest, const char *where, char *err,
			     size_t errlen)
{
	char *key = rest, *action, *end;

	if (*key == '"' || *key == '\'') {
		end = strchr(key + 1, *key);
		if (!end) {
			snprintf(err, errlen, "%s: unterminated quote in bind", where);
			return -1;
		}
		key++;
		*end = '\0';
		action = end + 1;
		if (*action && *action != ' ' && *action != '\t') {
			snprintf(err, errlen, "%s: bind wants KEY ACTION", where);
			return -1;
		}
	} else {
		action = key + strcspn(key, " \t");
		if (*action)
			*action++ = '\0';
	}
	action = config_trim(action);
	if (config_unquote(&action) != 0) {
		snprintf(err, errlen, "%s: unterminated quote in bind", where);
		return -1;
	}
	if (!*key || !*action || strpbrk(action, " \t")) {
		snprintf(err, errlen, "%s: bind wants KEY ACTION, e.g. 'bind r refresh'", where);
		return -1;
	}
	return config_add_binding(c, key, action, where, err, errlen);
}

/* One line, already stripped of its end of line. *set_secret tells the
 * caller a secret came from this file. */
static int config_parse_line(struct config *c, char *line, const char *where,
			     bool *set_secret, char *err, size_t errlen)
{
	const struct config_def *d;
	char *name, *value, *p;
	bool bare;

	line = config_trim(line);
	if (!*line || *line == '#')
		return 0;
	name = line;
	p = name + strcspn(name, " \t=");
	bare = *p == '\0';
	if (*p == '=') {
		*p = '\0';
		value = p + 1;
	} else if (*p) {
		*p = '\0';
		value = config_trim(p + 1);
		if (*value == '=')
			value++;
	} else {
		value = p;
	}
	value = config_trim(value);
	if (strcmp(name, "bind") == 0)
		return config_parse_bind(c, value, where, err, errlen);
	if (config_unquote(&value) != 0) {
		snprintf(err, errlen, "%s: unterminated quote", where);
		return -1;
	}
	d = config_def_find(name);
	if (d && d->pub.type == OPT_BOOL && bare)
		value = "yes";   /* a bare boolean name */
	if (config_set(c, name, value, where, err, errlen) != 0)
		return -1;
	if (d->pub.type == OPT_SECRET)
		*set_secret = true;
	return 0;
}

/* Appends one error line to err ('\n' between lines), the first
 * CONFIG_MAX_ERRORS of them; counts them all. */
static void config_add_error(char *err, size_t errlen, const char *one, unsigned *n)
{
	size_t used = strlen(err);

	if ((*n)++ >= CONFIG_MAX_ERRORS || used + 2 >= errlen)
		return;
	snprintf(err + used, errlen - used, "%s%s", used ? "\n" : "", one);
}

/* Reads the open file f (named path). Wipes every line buffer, since lines
 * may hold secrets. Every bad line is reported, one per line of err. */
static int config_parse_stream(struct config *c, FILE *f, const char *path, bool *set_secret,
			       char *err, size_t errlen)
{
	char shown[256], where[400], one[700];
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	unsigned lineno = 0, n_errors = 0;
	int rc = 0;

	config_show(shown, sizeof shown, path);
	err[0] = '\0';
	while ((n = getline(&line, &cap, f)) >= 0) {
		lineno++;
		snprintf(where, sizeof where, "%s:%u", shown, lineno);
		if (lineno > CONFIG_MAX_FILE_LINES || n > CONFIG_MAX_LINE) {
			snprintf(one, sizeof one, "%s: %s", where,
				 n > CONFIG_MAX_LINE ? "line too long" : "too many lines");
			config_add_error(err, errlen, one, &n_errors);
			rc = -1;
			break;
		}
		if ((size_t)n != strlen(line)) {
			snprintf(one, sizeof one, "%s: NUL byte in the line", where);
			config_add_error(err, errlen, one, &n_errors);
			rc = -1;
			continue;
		}
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		/* Every bad line is reported, not only the first: fixing a
		 * file one error per run is slow. */
		if (config_parse_line(c, line, where, set_secret, one, sizeof one) != 0) {
			config_add_error(err, errlen, one, &n_errors);
			rc = -1;
		}
		secrets_wipe(line, cap);
	}
	if (n_errors > CONFIG_MAX_ERRORS) {
		size_t used = strlen(err);

		snprintf(err + used, errlen - used, "\n%s: %u more errors", shown,
			 n_errors - CONFIG_MAX_ERRORS);
	}
	if (rc == 0 && ferror(f)) {
		snprintf(err, errlen, "%s: read error: %s", shown, strerror(errno));
		rc = -1;
	}
	if (line)
		secrets_wipe(line, cap);
	free(line);
	return rc;
}

/* missing_ok: a missing default file is not an error (returns 1). */
static int config_read_file(struct config *c, const char *path, bool missing_ok, char *err,
			    size_t errlen)
{
	char shown[256];
	bool set_secret = false;
	struct stat st;
	FILE *f;
	int fd, rc;

	config_show(shown, sizeof shown, path);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		if (missing_ok && errno == ENOENT)
			return 1;
		snprintf(err, errlen, "cannot read config file %s: %s", shown, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "config file %s is not a regular file", shown);
		close(fd);
		return -1;
	}
	/* Whoever can write the file can point api-base elsewhere and collect
	 * the key from the environment, secret in the file or not. */
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		snprintf(err, errlen, "config file %s is writable by group or others (mode %04o); "
			 "fix it with: chmod go-w %s", shown, (unsigned)(st.st_mode & 07777), shown);
		close(fd);
		return -1;
	}
	f = fdopen(fd, "r");
	if (!f) {
		snprintf(err, errlen, "cannot read config file %s: %s", shown, strerror(errno));
		close(fd);
		return -1;
	}
	rc = config_parse_stream(c, f, path, &set_secret, err, errlen);
	/* Checked on the same descriptor that was read, so the answer is about
	 * this file, not whatever the path names by now. */
	if (rc == 0 && set_secret && secrets_check_private_fd(fileno(f), path, err, errlen) != 0)
		rc = -1;
	fclose(f);
	if (rc == 0) {
		free(c->config_path);
		c->config_path = strdup(path);
	}
	return rc;
}

int config_parse_file(struct config *c, const char *path, char *err, size_t errlen)
{
	return config_read_file(c, path, false, err, errlen);
}

/* ---- environment ---- */

static int config_apply_env(struct config *c, const char *(*env)(const char *), char *err,
			    size_t errlen)
{
	char where[128];

	for (size_t i = 0; i < CONFIG_N_OPTIONS; i++) {
		const struct config_option *o = &config_defs[i].pub;
		const char *v;

		if (!o->env || !(v = env(o->env)) || !*v)
			continue;
		snprintf(where, sizeof where, "environment variable %s", o->env);
		if (config_set(c, o->name, v, where, err, errlen) != 0)
			return -1;
	}
	return 0;
}

/* ---- flags ---- */

enum config_pass {
	CONFIG_PASS_SCAN,    /* find --config, --help, --version; check names */
	CONFIG_PASS_APPLY,   /* set the options and collect the arguments */
	CONFIG_PASS_HIDE,    /* blank the values of secret options in argv */
};

enum {
	CONFIG_ARGS_OK = 0,
	CONFIG_ARGS_HELP = 1,
	CONFIG_ARGS_VERSION = 2,
};

static const char *const config_flag_extras[] = { "config", "help", "version", NULL };

static int config_unknown_flag(const char *arg, const char *name, char *err, size_t errlen)
{
	char shown[256], flag[128];
	const char *s = config_nearest(name, config_flag_extras);
	bool negated = false;

	if (!s && strncmp(name, "no-", 3) == 0) {
		s = config_nearest(name + 3, NULL);
		negated = s != NULL;
	}
	/* Quote the flag without its value: the value may be a secret. */
	snprintf(flag, sizeof flag, "%.*s", (int)strcspn(arg, "="), arg);
	if (strstr(flag, "mfx_") || strstr(flag, "whsec_")) {
		snprintf(err, errlen, "unknown option that looks like a key or secret (not shown)");
		return -1;
	}
	config_show(shown, sizeof shown, flag);
	if (s)
		snprintf(err, errlen, "unknown option '%s' (did you mean '--%s%s'?)", shown,
			 negated ? "no-" : "", s);
	else
		snprintf(err, errlen, "unknown option '%s' (see faxtop --help)", shown);
	return -1;
}

static int config_keep_args(struct config *c, int argc, char **argv, int from, char *err,
			    size_t errlen)
{
	size_t n = (size_t)(argc - from);

	if (n == 0)
		return 0;
	c->args = calloc(n + 1, sizeof *c->args);
	if (!c->args) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		c->args[i] = strdup(argv[from + (int)i]);
		if (!c->args[i]) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		c->n_args = i + 1;
	}
	return 0;
}

/* Walks argv the same way in both passes, so both agree on which word is
 * an option, which is an option's value, and where the options end. */
static int config_walk_args(struct config *c, int argc, char **argv, enum config_pass pass,
			    const char **config_path, size_t *hidden, char *err, size_t errlen)
{
	char name[128], where[160];
	int i;

	for (i = 1; i < argc; i++) {
		const char *arg = argv[i], *eq, *value = NULL, *flag;
		const struct config_def *d;
		bool negated = false;
		size_t nlen;

		if (strcmp(arg, "--") == 0) {
			i++;
			break;
		}
		if (arg[0] != '-' || arg[1] == '\0')
			break;   /* a subcommand or positional argument */
		if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
			if (pass == CONFIG_PASS_SCAN)
				return CONFIG_ARGS_HELP;
			continue;
		}
		if (strcmp(arg, "-V") == 0 || strcmp(arg, "--version") == 0) {
			if (pass == CONFIG_PASS_SCAN)
				return CONFIG_ARGS_VERSION;
			continue;
		}
		if (arg[1] != '-')   /* short options other than -h and -V */
			return config_unknown_flag(arg, strlen(arg) > 3 ? arg + 1 : "", err, errlen);
		flag = arg + 2;
		eq = strchr(flag, '=');
		nlen = eq ? (size_t)(eq - flag) : strlen(flag);
		if (nlen >= sizeof name)
			return config_unknown_flag(arg, "", err, errlen);
		memcpy(name, flag, nlen);
		name[nlen] = '\0';
		if (eq)
			value = eq + 1;

		if (strcmp(name, "config") == 0) {
			if (!value && (value = i + 1 < argc ? argv[++i] : NULL) == NULL) {
				snprintf(err, errlen, "--config needs a PATH");
				return -1;
			}
			if (pass == CONFIG_PASS_SCAN)
				*config_path = value;
			continue;
		}
		d = config_def_find(name);
		if (!d && strncmp(name, "no-", 3) == 0 && (d = config_def_find(name + 3)) != NULL) {
			if (d->pub.type != OPT_BOOL) {
				snprintf(err, errlen, "--%s is not a yes/no option; use --%s VALUE",
					 d->pub.name, d->pub.name);
				return -1;
			}
			if (value) {
				snprintf(err, errlen, "--no-%s takes no value", d->pub.name);
				return -1;
			}
			negated = true;
		}
		if (!d)
			return config_unknown_flag(arg, name, err, errlen);
		if (negated) {
			value = "no";
		} else if (!value && d->pub.type == OPT_BOOL) {
			value = "yes";
		} else if (!value) {
			if (i + 1 >= argc) {
				snprintf(err, errlen, "--%s needs a value (%s)", d->pub.name,
					 d->pub.metavar ? d->pub.metavar : "VALUE");
				return -1;
			}
			value = argv[++i];
		}
		if (pass == CONFIG_PASS_APPLY) {
			snprintf(where, sizeof where, "--%s", d->pub.name);
			if (config_set(c, d->pub.name, value, where, err, errlen) != 0)
				return -1;
		} else if (pass == CONFIG_PASS_HIDE && d->pub.type == OPT_SECRET) {
			/* value points into argv[i] or is argv[i]: writable. */
			secrets_wipe((char *)value, strlen(value));
			(*hidden)++;
		}
	}
	if (pass == CONFIG_PASS_APPLY)
		return config_keep_args(c, argc, argv, i, err, errlen);
	return CONFIG_ARGS_OK;
}

int config_parse_args(struct config *c, int argc, char **argv, char *err, size_t errlen)
{
	const char *path = NULL;
	int rc = config_walk_args(c, argc, argv, CONFIG_PASS_SCAN, &path, NULL, err, errlen);

	if (rc != CONFIG_ARGS_OK)
		return rc < 0 ? -1 : 1;
	return config_walk_args(c, argc, argv, CONFIG_PASS_APPLY, NULL, NULL, err, errlen);
}

size_t config_hide_secret_args(int argc, char **argv)
{
	struct config scratch;
	size_t hidden = 0;
	char err[256];

	config_init(&scratch);
	config_walk_args(&scratch, argc, argv, CONFIG_PASS_HIDE, NULL, &hidden, err, sizeof err);
	config_done(&scratch);
	return hidden;
}

/* ---- paths ---- */

static int config_xdg_path(const char *(*env)(const char *), const char *xdg_var,
			   const char *home_rel, const char *leaf, char *buf, size_t len)
{
	const char *xdg = env(xdg_var), *home = env("HOME");
	int n;

	/* The XDG spec: a relative value is invalid and must be ignored. */
	if (xdg && xdg[0] == '/')
		n = snprintf(buf, len, "%s/faxtop/%s", xdg, leaf);
	else if (home && home[0] == '/')
		n = snprintf(buf, len, "%s/%s/faxtop/%s", home, home_rel, leaf);
	else
		return -1;
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

static const char *config_getenv(const char *name)
{
	return getenv(name);
}

int config_default_path(char *buf, size_t len)
{
	return config_xdg_path(config_getenv, "XDG_CONFIG_HOME", ".config", "config", buf, len);
}

int config_default_db(char *buf, size_t len)
{
	return config_xdg_path(config_getenv, "XDG_DATA_HOME", ".local/share", "faxtop.db", buf,
			       len);
}

/* ---- checks across options ---- */

static int config_validate(const struct config *c, char *err, size_t errlen)
{
	static const char *const schemes[] = { "standard", "legacy", "auto" };
	char shown[256], host[256], port[8];
	bool ok = false;

	for (size_t i = 0; i < 3; i++)
		ok |= c->signature_scheme && strcmp(c->signature_scheme, schemes[i]) == 0;
	if (!ok) {
		snprintf(err, errlen, "signature-scheme must be standard, legacy or auto, not '%s'",
			 config_show(shown, sizeof shown, c->signature_scheme));
		return -1;
	}
	if (!c->api_base || (strncmp(c->api_base, "https://", 8) != 0 &&
			     strncmp(c->api_base, "http://", 7) != 0)) {
		snprintf(err, errlen, "api-base must be an http:// or https:// URL, not '%s'",
			 config_show(shown, sizeof shown, c->api_base));
		return -1;
	}
	if (!c->webhook_path || c->webhook_path[0] != '/') {
		snprintf(err, errlen, "webhook-path must start with '/', not '%s'",
			 config_show(shown, sizeof shown, c->webhook_path));
		return -1;
	}
	if (c->trusted_proxy) {
		struct net_trusted t;

		if (net_trusted_parse(&t, c->trusted_proxy, err, errlen) != 0)
			return -1;
		net_trusted_free(&t);
	}
	/* The listener's own parser: a value it would refuse at start-up is a
	 * usage error here (exit status 2), port 99999 included. */
	if (!c->listen || net_split_host_port(c->listen, host, sizeof host, port,
					      sizeof port) != 0) {
		snprintf(err, errlen, "listen must be HOST:PORT, [IPV6]:PORT or :PORT with a port "
			 "from 0 to 65535, not '%s'", config_show(shown, sizeof shown, c->listen));
		return -1;
	}
	return 0;
}

/* ---- the whole chain ---- */

/* Sets the secret option `name` from the file at path (none: nothing). */
static int config_secret_file(struct config *c, const char *name, const char *path, char *err,
			      size_t errlen)
{
	char where[64], *value;
	int rc;

	if (!path)
		return 0;
	if (secrets_read_file(path, &value, err, errlen) != 0)
		return -1;
	snprintf(where, sizeof where, "--%s-file", name);
	rc = config_set(c, name, value, where, err, errlen);
	secrets_free(value);
	return rc;
}

int config_load(struct config *c, int argc, char **argv,
		const char *(*env)(const char *name), char *err, size_t errlen)
{
	const char *path = NULL;
	char def[4096];
	int rc;

	if (!env)
		env = config_getenv;
	rc = config_walk_args(c, argc, argv, CONFIG_PASS_SCAN, &path, NULL, err, errlen);
	if (rc < 0)
		return -1;
	if (rc == CONFIG_ARGS_HELP) {
		const char *prog = argc > 0 && argv[0] ? strrchr(argv[0], '/') : NULL;

		config_print_help(prog ? prog + 1 : argc > 0 && argv[0] ? argv[0] : "faxtop", stdout);
		return 1;
	}
	if (rc == CONFIG_ARGS_VERSION) {
		config_print_version(stdout);
		return 1;
	}
	if (path) {
		if (config_read_file(c, path, false, err, errlen) != 0)
			return -1;
	} else if (config_xdg_path(env, "XDG_CONFIG_HOME", ".config", "config", def, sizeof def) == 0) {
		if (config_read_file(c, def, true, err, errlen) < 0)
			return -1;
	}
	if (config_apply_env(c, env, err, errlen) != 0)
		return -1;
	if (config_walk_args(c, argc, argv, CONFIG_PASS_APPLY, NULL, NULL, err, errlen) != 0)
		return -1;
	/* Last, whatever set them: an explicit file beats the environment. */
	if (config_secret_file(c, "api-key", c->api_key_file, err, errlen) != 0 ||
	    config_secret_file(c, "webhook-secret", c->webhook_secret_file, err, errlen) != 0)
		return -1;
	return config_validate(c, err, errlen);
}

/* ---- help and version ---- */

static const char *config_type_hint(const struct config_option *o, char *buf, size_t len)
{
	buf[0] = '\0';
	if (o->type == OPT_SECRET)
		snprintf(buf, len, " (secret%s%s)", o->env ? "; env " : "", o->env ? o->env : "");
	else if (o->type == OPT_INT)
		snprintf(buf, len, " (%ld..%ld, default %s)", o->min, o->max, o->def_str);
	else if (o->type == OPT_STR && *o->def_str)
		snprintf(buf, len, " (default %s%s%s)", o->def_str, o->env ? "; env " : "",
			 o->env ? o->env : "");
	else if (o->type == OPT_STR && o->env)
		snprintf(buf, len, " (env %s)", o->env);
	else if (o->type == OPT_BOOL && strcmp(o->def_str, "yes") == 0)
		snprintf(buf, len, " (default on)");
	return buf;
}

/* One help entry: the flag in a 30-column field, then the text wrapped to
 * fit 79 columns (byte-counted; the help texts are ASCII but for "…"). */
static void config_help_entry(FILE *f, const char *flag, const char *text)
{
	enum { INDENT = 33, WIDTH = 79 };
	int col;

	fprintf(f, "  %-30s", flag);
	col = 2 + (strlen(flag) > 30 ? (int)strlen(flag) : 30);
	if (col >= INDENT) {
		fprintf(f, "\n%*s", INDENT, "");
		col = INDENT;
	} else {
		fputc(' ', f);
		col++;
	}
	while (*text) {
		size_t w = strcspn(text, " ");

		if (col > INDENT && col + 1 + (int)w > WIDTH) {
			fprintf(f, "\n%*s", INDENT, "");
			col = INDENT;
		} else if (col > INDENT) {
			fputc(' ', f);
			col++;
		}
		fwrite(text, 1, w, f);
		col += (int)w;
		text += w;
		while (*text == ' ')
			text++;
	}
	fputc('\n', f);
}

void config_print_help(const char *prog, void *file)
{
	FILE *f = file ? file : stdout;
	char flag[96], hint[160], shown[256], text[512];

	prog = config_show(shown, sizeof shown, prog ? prog : "faxtop");
	fprintf(f,
		"Usage: %s [OPTIONS]\n"
		"       %s [OPTIONS] sign --secret S --id ID [--timestamp T] < BODY\n"
		"       %s [OPTIONS] status [--json]\n"
		"       %s [OPTIONS] resend FAX_ID [--to E164] [--max-attempts N] [--again]\n"
		"A terminal dashboard for the mintfax fax API.\n\nOptions:\n",
		prog, prog, prog, prog);
	for (size_t i = 0; i < CONFIG_N_OPTIONS; i++) {
		const struct config_option *o = &config_defs[i].pub;

		if (o->type == OPT_BOOL)
			snprintf(flag, sizeof flag, "--[no-]%s", o->name);
		else
			snprintf(flag, sizeof flag, "--%s %s", o->name, o->metavar ? o->metavar : "VALUE");
		snprintf(text, sizeof text, "%s%s", o->help, config_type_hint(o, hint, sizeof hint));
		config_help_entry(f, flag, text);
	}
	config_help_entry(f, "--config PATH",
			  "read this config file (default $XDG_CONFIG_HOME/faxtop/config)");
	config_help_entry(f, "-h, --help", "show this help");
	config_help_entry(f, "-V, --version", "show the version");
	fprintf(f, "\nEvery option can also be set in the config file as 'name = value'.\n"
		   "Sources, later wins: defaults, config file, environment, flags.\n"
		   "Press ? in faxtop for the live key map.\n");
}

void config_print_version(void *file)
{
	fprintf(file ? file : stdout, "%s %s\n", PACKAGE_NAME, PACKAGE_VERSION);
}
