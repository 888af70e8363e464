/* Reading the configuration: one value (config_set), the file, the
 * environment, the flags, and the whole chain (config_load).
 *
 * Every piece of outside text quoted in an error message (a name, a value,
 * a path) passes through sanitize first: the message ends up on a terminal.
 * A secret's value is never quoted at all. */
#include <config.h> /* autoconf's; "config.h" would find core/base/options.h */

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/base/options.h"
#include "core/base/options_int.h"
#include "core/base/secrets.h"
#include "core/base/xalloc.h"

#define CONFIG_MAX_LINE       4096
#define CONFIG_MAX_BINDINGS   1024
#define CONFIG_MAX_FILE_LINES 100000

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

/* The error for a name the table does not hold. */
static int config_set_unknown(const char *name, const char *prefix, const char *sep, char *err,
			      size_t errlen)
{
	char shown_name[256];
	const char *s;

	if (name && (strncmp(name, "mfx_", 4) == 0 || strncmp(name, "whsec_", 6) == 0)) {
		/* A key pasted on a line of its own: say so without quoting it. */
		snprintf(err, errlen,
			 "%s%sunknown option that looks like a key or secret "
			 "(not shown); write 'api-key = KEY' or 'webhook-secret = SECRET'",
			 prefix, sep);
		return -1;
	}
	s = config_suggest(name);
	config_show(shown_name, sizeof shown_name, name);
	if (s)
		snprintf(err, errlen, "%s%sunknown option '%s' (did you mean '%s'?)", prefix, sep,
			 shown_name, s);
	else
		snprintf(err, errlen, "%s%sunknown option '%s' (see faxtop --help)", prefix, sep,
			 shown_name);
	return -1;
}

/* Checks value against d's type and bounds and stores it at p. */
static int config_store(const struct config_def *d, char *p, const char *value, const char *prefix,
			const char *sep, char *err, size_t errlen)
{
	char shown_val[256];
	char *end;
	long v;
	bool b;

	if (d->pub.type != OPT_SECRET)
		config_show(shown_val, sizeof shown_val, value);
	switch (d->pub.type) {
	case OPT_BOOL:
		if (config_parse_bool(value, &b) != 0) {
			snprintf(err, errlen, "%s%soption '%s' wants yes or no, not '%s'", prefix,
				 sep, d->pub.name, shown_val);
			return -1;
		}
		*(bool *)p = b;
		return 0;
	case OPT_INT:
		errno = 0;
		v = strtol(value, &end, 10);
		if (end == value || *end || errno == ERANGE || isspace((unsigned char)*value)) {
			snprintf(err, errlen, "%s%soption '%s' wants a whole number, not '%s'",
				 prefix, sep, d->pub.name, shown_val);
			return -1;
		}
		if (v < d->pub.min || v > d->pub.max) {
			snprintf(err, errlen, "%s%soption '%s' must be between %ld and %ld, not %s",
				 prefix, sep, d->pub.name, d->pub.min, d->pub.max, shown_val);
			return -1;
		}
		*(long *)p = v;
		return 0;
	case OPT_STR:
	case OPT_SECRET:
		if (config_has_control(value)) {
			snprintf(err, errlen, "%s%soption '%s' contains a control character",
				 prefix, sep, d->pub.name);
			return -1;
		}
		if (d->pub.type == OPT_SECRET)
			secrets_free(*(char **)p);
		else
			free(*(char **)p);
		*(char **)p = xstrdup(value);
		return 0;
	}
	snprintf(err, errlen, "%s%soption '%s' has an unknown type", prefix, sep, d->pub.name);
	return -1;
}

int config_set(struct config *c, const char *name, const char *value, const char *where, char *err,
	       size_t errlen)
{
	char shown_where[512];
	const struct config_def *d = name ? config_def_find(name) : NULL;
	const char *prefix =
		where && *where ? config_show(shown_where, sizeof shown_where, where) : "";
	const char *sep = *prefix ? ": " : "";

	if (!d)
		return config_set_unknown(name, prefix, sep, err, errlen);
	if (!value || !*value) {
		snprintf(err, errlen, "%s%soption '%s' needs a value", prefix, sep, d->pub.name);
		return -1;
	}
	return config_store(d, (char *)c + d->off, value, prefix, sep, err, errlen);
}

/* ---- the file ---- */

static int config_add_binding(struct config *c, const char *key, const char *action,
			      const char *where, char *err, size_t errlen)
{
	struct config_binding *b;

	if (c->n_bindings >= CONFIG_MAX_BINDINGS) {
		snprintf(err, errlen, "%s: more than %d bind lines", where, CONFIG_MAX_BINDINGS);
		return -1;
	}
	c->bindings = xrealloc(c->bindings, (c->n_bindings + 1) * sizeof *c->bindings);
	b = &c->bindings[c->n_bindings];
	b->key = xstrdup(key);
	b->action = xstrdup(action);
	b->where = xstrdup(where);
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
static int config_parse_line(struct config *c, char *line, const char *where, bool *set_secret,
			     char *err, size_t errlen)
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
		value = "yes"; /* a bare boolean name */
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
		snprintf(err, errlen,
			 "config file %s is writable by group or others (mode %04o); "
			 "fix it with: chmod go-w %s",
			 shown, (unsigned)(st.st_mode & 07777), shown);
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
		c->config_path = xstrdup(path);
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

	for (size_t i = 0; i < config_n_options; i++) {
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
	CONFIG_PASS_SCAN,  /* find --config, --help, --version; check names */
	CONFIG_PASS_APPLY, /* set the options and collect the arguments */
	CONFIG_PASS_HIDE,  /* blank the values of secret options in argv */
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

static void config_keep_args(struct config *c, int argc, char **argv, int from)
{
	size_t n = (size_t)(argc - from);

	if (n == 0)
		return;
	c->args = xcalloc(n + 1, sizeof *c->args);
	for (size_t i = 0; i < n; i++)
		c->args[i] = xstrdup(argv[from + (int)i]);
	c->n_args = n;
}

/* The option a long flag names (--no-NAME included) and its value: the
 * one after '=', the next word, or yes/no for a yes/no option. NULL with
 * err set for a flag that is wrong. */
static const struct config_def *config_flag_resolve(const char *arg, const char *name,
						    const char **value, int argc, char **argv,
						    int *i, char *err, size_t errlen)
{
	const struct config_def *d = config_def_find(name);
	bool negated = false;

	if (!d && strncmp(name, "no-", 3) == 0 && (d = config_def_find(name + 3)) != NULL) {
		if (d->pub.type != OPT_BOOL) {
			snprintf(err, errlen, "--%s is not a yes/no option; use --%s VALUE",
				 d->pub.name, d->pub.name);
			return NULL;
		}
		if (*value) {
			snprintf(err, errlen, "--no-%s takes no value", d->pub.name);
			return NULL;
		}
		negated = true;
	}
	if (!d) {
		config_unknown_flag(arg, name, err, errlen);
		return NULL;
	}
	if (negated) {
		*value = "no";
	} else if (!*value && d->pub.type == OPT_BOOL) {
		*value = "yes";
	} else if (!*value) {
		if (*i + 1 >= argc) {
			snprintf(err, errlen, "--%s needs a value (%s)", d->pub.name,
				 d->pub.metavar ? d->pub.metavar : "VALUE");
			return NULL;
		}
		*value = argv[++*i];
	}
	return d;
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
		size_t nlen;

		if (strcmp(arg, "--") == 0) {
			i++;
			break;
		}
		if (arg[0] != '-' || arg[1] == '\0')
			break; /* a subcommand or positional argument */
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
		if (arg[1] != '-') /* short options other than -h and -V */
			return config_unknown_flag(arg, strlen(arg) > 3 ? arg + 1 : "", err,
						   errlen);
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
		d = config_flag_resolve(arg, name, &value, argc, argv, &i, err, errlen);
		if (!d)
			return -1;
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
		config_keep_args(c, argc, argv, i);
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

int config_db_path(const struct config *c, char *buf, size_t len)
{
	int n;

	if (c->db) {
		n = snprintf(buf, len, "%s", c->db);
		return n >= 0 && (size_t)n < len ? 0 : -1;
	}
	/* The cache of a shared store is not the store of a solo run. */
	return config_xdg_path(config_getenv, "XDG_DATA_HOME", ".local/share",
			       config_store_is_pg(c->store) ? "team.db" : "faxtop.db", buf, len);
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

int config_load(struct config *c, int argc, char **argv, const char *(*env)(const char *name),
		char *err, size_t errlen)
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

		config_print_help(prog                          ? prog + 1
					  : argc > 0 && argv[0] ? argv[0]
								: "faxtop",
				  stdout);
		return 1;
	}
	if (rc == CONFIG_ARGS_VERSION) {
		config_print_version(stdout);
		return 1;
	}
	if (path) {
		if (config_read_file(c, path, false, err, errlen) != 0)
			return -1;
	} else if (config_xdg_path(env, "XDG_CONFIG_HOME", ".config", "config", def, sizeof def) ==
		   0) {
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
