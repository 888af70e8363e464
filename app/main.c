/* faxtop's entry point: reads the configuration, then runs a subcommand
 * (sign, status, resend) or the application itself (TUI, --headless,
 * --demo). */
#include "config.h"

#include <locale.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "app/app.h"
#include "app/cmd_api.h"
#include "app/cmd_sign.h"
#include "core/base/options.h"
#include "core/base/secrets.h"

/* Options of faxtop itself may follow a subcommand (`faxtop status
 * --api-base URL`), as kubectl's and the stripe CLI's do: they are applied
 * like the same flags before it and taken out of the subcommand's
 * arguments. A name that is not one of faxtop's options (--json, --to) is
 * the subcommand's own. "--" ends the scan. */
static void main_drop_arg(char *a)
{
	if (a) {
		secrets_wipe(a, strlen(a));
		free(a);
	}
}

/* faxtop sign --secret X: the subcommand's own secret, blanked in the
 * process's argv like the main options' (cfg->args holds the copies it
 * signs with). Called before main_trailing_options reorders cfg->args. */
static size_t main_hide_sign_secret(const struct config *cfg, int argc, char **argv)
{
	int from = argc - (int)cfg->n_args;

	if (cfg->n_args == 0 || strcmp(argv[from], "sign") != 0)
		return 0;
	return cmd_sign_hide_secret((int)cfg->n_args, argv + from);
}

static int main_trailing_options(struct config *cfg, char *err, size_t errlen)
{
	size_t out = 1, i = 1;
	int rc = 0;

	for (; i < cfg->n_args; i++) {
		char *a = cfg->args[i], name[128], *eq;
		const struct config_option *o;
		const char *value;
		bool neg;

		if (!strcmp(a, "--"))
			break;
		if (strncmp(a, "--", 2) != 0 || strlen(a) >= sizeof name) {
			cfg->args[out++] = a;
			continue;
		}
		snprintf(name, sizeof name, "%s", a + 2);
		if ((eq = strchr(name, '=')))
			*eq = '\0';
		neg = !strncmp(name, "no-", 3) && (o = config_option_find(name + 3)) &&
			o->type == OPT_BOOL;
		o = config_option_find(neg ? name + 3 : name);
		if (!o) {
			cfg->args[out++] = a;
			continue;
		}
		char *taken = NULL;

		if (eq)
			value = a + 2 + (eq - name) + 1;
		else if (o->type == OPT_BOOL)
			value = neg ? "no" : "yes";
		else if (i + 1 < cfg->n_args)
			value = taken = cfg->args[++i];
		else
			value = "";
		rc = config_set(cfg, o->name, value, "command line", err, errlen);
		/* config_set keeps its own copy; the value may be a secret. */
		main_drop_arg(a);
		main_drop_arg(taken);
		if (rc != 0) {
			i++; /* past what was dropped; the rest is kept to be freed */
			break;
		}
	}
	for (; i < cfg->n_args; i++)
		cfg->args[out++] = cfg->args[i];
	cfg->n_args = out;
	cfg->args[out] = NULL;
	return rc;
}

int main(int argc, char **argv)
{
	struct config cfg;
	char err[8192];
	int rc;

	setlocale(LC_ALL, "");
	config_init(&cfg);
	rc = config_load(&cfg, argc, argv, NULL, err, sizeof err);
	if (rc != 0) {
		/* A config file can have several errors, one per line. */
		for (char *line = err, *next; rc < 0 && line; line = next) {
			next = strchr(line, '\n');
			if (next)
				*next++ = '\0';
			fprintf(stderr, "faxtop: %s\n", line);
		}
		config_done(&cfg);
		return rc < 0 ? 2 : 0;
	}
	/* ps shows the arguments to every local user: blank the secrets in them
	 * now, and say that until now they could be read. */
	if (config_hide_secret_args(argc, argv) + main_hide_sign_secret(&cfg, argc, argv) > 0)
		fprintf(stderr,
			"faxtop: warning: a secret was given on the command line, where "
			"other local users could read it (ps) until faxtop blanked it; "
			"use the environment (MINTFAX_API_KEY, MINTFAX_WEBHOOK_SECRET), "
			"--api-key-file or --webhook-secret-file instead\n");
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		fprintf(stderr, "faxtop: cannot initialise libcurl\n");
		config_done(&cfg);
		return 1;
	}

	if (cfg.n_args > 0 && main_trailing_options(&cfg, err, sizeof err) != 0) {
		fprintf(stderr, "faxtop: %s\n", err);
		rc = 2;
	} else if (cfg.n_args == 0) {
		rc = app_run(&cfg);
	} else if (strcmp(cfg.args[0], "sign") == 0) {
		rc = cmd_sign((int)cfg.n_args, cfg.args);
	} else if (strcmp(cfg.args[0], "status") == 0) {
		rc = cmd_status(&cfg, (int)cfg.n_args, cfg.args);
	} else if (strcmp(cfg.args[0], "resend") == 0) {
		rc = cmd_resend(&cfg, (int)cfg.n_args, cfg.args);
	} else {
		fprintf(stderr,
			"faxtop: unknown command '%s' (commands: sign, status, resend; "
			"see faxtop --help)\n",
			cfg.args[0]);
		rc = 2;
	}
	curl_global_cleanup();
	config_done(&cfg);
	return rc;
}
