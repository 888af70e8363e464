/* faxtop's entry point: reads the configuration, then runs a subcommand
 * (sign, status, resend) or the application itself (TUI, --headless,
 * --demo). */
#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>

#include <curl/curl.h>

#include "app/app.h"
#include "app/cmd_api.h"
#include "app/cmd_sign.h"
#include "core/config.h"

int main(int argc, char **argv)
{
	struct config cfg;
	char err[512];
	int rc;

	setlocale(LC_ALL, "");
	config_init(&cfg);
	rc = config_load(&cfg, argc, argv, NULL, err, sizeof err);
	if (rc != 0) {
		if (rc < 0)
			fprintf(stderr, "faxtop: %s\n", err);
		config_done(&cfg);
		return rc < 0 ? 2 : 0;
	}
	/* ps shows the arguments to every local user: blank the secrets in them
	 * now, and say that until now they could be read. */
	if (config_hide_secret_args(argc, argv) > 0)
		fprintf(stderr, "faxtop: warning: a secret was given on the command line, where "
				"other local users could read it (ps) until faxtop blanked it; "
				"use the environment (MINTFAX_API_KEY, MINTFAX_WEBHOOK_SECRET), "
				"--api-key-file or --webhook-secret-file instead\n");
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		fprintf(stderr, "faxtop: cannot initialise libcurl\n");
		config_done(&cfg);
		return 1;
	}

	if (cfg.n_args == 0) {
		rc = app_run(&cfg);
	} else if (strcmp(cfg.args[0], "sign") == 0) {
		rc = cmd_sign((int)cfg.n_args, cfg.args);
	} else if (strcmp(cfg.args[0], "status") == 0) {
		rc = cmd_status(&cfg, (int)cfg.n_args, cfg.args);
	} else if (strcmp(cfg.args[0], "resend") == 0) {
		rc = cmd_resend(&cfg, (int)cfg.n_args, cfg.args);
	} else {
		fprintf(stderr, "faxtop: unknown command '%s' (commands: sign, status, resend; "
				"see faxtop --help)\n", cfg.args[0]);
		rc = 2;
	}
	curl_global_cleanup();
	config_done(&cfg);
	return rc;
}
