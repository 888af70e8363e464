/* What faxtop status (cmd_status.c) and faxtop resend (cmd_api.c) share:
 * a failure as the user is told about it, and the API client they start
 * with. Not for use outside those two files. */
#ifndef FAXTOP_APP_CMD_INT_H
#define FAXTOP_APP_CMD_INT_H

#include <stdbool.h>
#include <stdio.h>

#include "core/api/api_client.h"

struct config;
struct ev_loop;

struct cmd_failure {
	bool failed;
	enum api_outcome outcome;
	int http_status;
	char error[64];
	char action[64];
	char request_id[64];
	char message[512];
	long retry_after_s;
};

/* Keeps the first failure of a run (sanitised). */
void cmd_record_failure(struct cmd_failure *f, const struct api_response *r);
/* The one place that turns a failure into advice: a hint for people, or
 * NULL. */
const char *cmd_hint(const struct cmd_failure *f);
/* Tells `out` what failed, with the hint, the action and the request id. */
void cmd_explain(FILE *out, const char *cmd, const struct cmd_failure *f, const char *base);
/* The API client for a command, or NULL with the reason on stderr. */
struct api_client *cmd_client(struct ev_loop *loop, struct config *cfg, const char *cmd);

#endif
