/* Configuration from one option table (CONFIG_OPTION_LIST): the table, the
 * defaults, the suggestions for a mistyped name, the checks across options,
 * and --help and --version. Reading the file, the environment and the flags
 * is options_parse.c; all of them go through config_set(), so a value is
 * checked the same way wherever it comes from.
 *
 * Every piece of outside text quoted in an error message (a name, a value,
 * a path) passes through sanitize first: the message ends up on a terminal.
 * A secret's value is never quoted at all. */
#include <config.h> /* autoconf's; "config.h" would find core/base/options.h */

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
#include "core/base/options_int.h"
#include "core/base/xalloc.h"

#define CONFIG_DEFSTR_OPT_BOOL(def)   ((def) ? "yes" : "no")
#define CONFIG_DEFSTR_OPT_INT(def)    #def
#define CONFIG_DEFSTR_OPT_STR(def)    ((def) ? (const char *)(def) : "")
#define CONFIG_DEFSTR_OPT_SECRET(def) ""

#define X(field, name, type, def, min, max, env, metavar, help)                    \
	{ { name, type, CONFIG_DEFSTR_##type(def), min, max, env, metavar, help }, \
	  offsetof(struct config, field) },
const struct config_def config_defs[] = { CONFIG_OPTION_LIST(X) };
#undef X

#define CONFIG_N_OPTIONS (sizeof config_defs / sizeof config_defs[0])

const size_t config_n_options = CONFIG_N_OPTIONS;

const struct config_option *config_option_at(size_t idx)
{
	return idx < CONFIG_N_OPTIONS ? &config_defs[idx].pub : NULL;
}

const struct config_def *config_def_find(const char *name)
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

const char *config_show(char *buf, size_t len, const char *s)
{
	struct sanitize_opts o = { .utf8 = true, .max_cols = 60, .ellipsis = true };

	sanitize_text(buf, len, s ? s : "", s ? strlen(s) : 0, &o);
	return buf;
}

/* ---- defaults and lifecycle ---- */

void config_init(struct config *c)
{
	memset(c, 0, sizeof *c);
#define CONFIG_INIT_OPT_BOOL(field, def)                        c->field = (def);
#define CONFIG_INIT_OPT_INT(field, def)                         c->field = (def);
#define CONFIG_INIT_OPT_STR(field, def)                         c->field = xstrdup(def);
#define CONFIG_INIT_OPT_SECRET(field, def)                      c->field = NULL;
#define X(field, name, type, def, min, max, env, metavar, help) CONFIG_INIT_##type(field, def)
	CONFIG_OPTION_LIST(X)
#undef X
}

void config_done(struct config *c)
{
#define CONFIG_DONE_OPT_BOOL(field)
#define CONFIG_DONE_OPT_INT(field)
#define CONFIG_DONE_OPT_STR(field)                              free(c->field);
#define CONFIG_DONE_OPT_SECRET(field)                           secrets_free(c->field);
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

/* Near enough: at most a third of the longer name, and at least 2. */
const char *config_nearest(const char *name, const char *const *extra)
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

/* ---- checks across options ---- */

bool config_store_is_pg(const char *store)
{
	return store &&
		(strncmp(store, "postgresql://", 13) == 0 || strncmp(store, "postgres://", 11) == 0);
}

/* postgresql://user:password@host/db, or ?password=… in its query. */
bool config_url_has_password(const char *url)
{
	const char *rest = strstr(url, "://"), *end, *at, *q;

	if (!rest)
		return false;
	rest += 3;
	end = rest + strcspn(rest, "/?");
	at = memchr(rest, '@', (size_t)(end - rest));
	if (at && memchr(rest, ':', (size_t)(at - rest)))
		return true;
	for (q = strchr(url, '?'); q; q = strchr(q + 1, '&'))
		if (strncmp(q + 1, "password=", 9) == 0)
			return true;
	return false;
}

int config_validate(const struct config *c, char *err, size_t errlen)
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
	if (!c->api_base ||
	    (strncmp(c->api_base, "https://", 8) != 0 && strncmp(c->api_base, "http://", 7) != 0)) {
		snprintf(err, errlen, "api-base must be an http:// or https:// URL, not '%s'",
			 config_show(shown, sizeof shown, c->api_base));
		return -1;
	}
	if (!c->webhook_path || c->webhook_path[0] != '/') {
		snprintf(err, errlen, "webhook-path must start with '/', not '%s'",
			 config_show(shown, sizeof shown, c->webhook_path));
		return -1;
	}
	if (c->store && config_url_has_password(c->store)) {
		/* Not shown: it holds the password. */
		snprintf(err, errlen,
			 "the store URL holds a password, which anyone can read in ps: put it in "
			 "~/.pgpass or the file PGPASSFILE names instead");
		return -1;
	}
	if (!c->store || (strcmp(c->store, "sqlite") != 0 && !config_store_is_pg(c->store))) {
		snprintf(err, errlen, "store must be sqlite or a postgresql:// URL, not '%s'",
			 config_show(shown, sizeof shown, c->store));
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
	if (!c->listen ||
	    net_split_host_port(c->listen, host, sizeof host, port, sizeof port) != 0) {
		snprintf(err, errlen,
			 "listen must be HOST:PORT, [IPV6]:PORT or :PORT with a port "
			 "from 0 to 65535, not '%s'",
			 config_show(shown, sizeof shown, c->listen));
		return -1;
	}
	return 0;
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
			snprintf(flag, sizeof flag, "--%s %s", o->name,
				 o->metavar ? o->metavar : "VALUE");
		snprintf(text, sizeof text, "%s%s", o->help,
			 config_type_hint(o, hint, sizeof hint));
		config_help_entry(f, flag, text);
	}
	config_help_entry(f, "--config PATH",
			  "read this config file (default $XDG_CONFIG_HOME/faxtop/config)");
	config_help_entry(f, "-h, --help", "show this help");
	config_help_entry(f, "-V, --version", "show the version");
	fprintf(f,
		"\nEvery option can also be set in the config file as 'name = value'.\n"
		"Sources, later wins: defaults, config file, environment, flags.\n"
		"Press ? in faxtop for the live key map.\n");
}

void config_print_version(void *file)
{
	fprintf(file ? file : stdout, "%s %s\n", PACKAGE_NAME, PACKAGE_VERSION);
}
