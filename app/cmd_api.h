/* faxtop status and faxtop resend: one-shot API commands, each with its own
 * short-lived ev loop (they never run inside the TUI's loop).
 *
 * Exit status: 0 success; 1 the API refused or failed the request, or could
 * not be reached; 2 usage or configuration error. */
#ifndef FAXTOP_APP_CMD_API_H
#define FAXTOP_APP_CMD_API_H

struct config;

/* faxtop status [--json]: balance, counts by status, recent failures.
 * argv[0] is "status". */
int cmd_status(struct config *cfg, int argc, char **argv);
/* faxtop resend FAX_ID [--to E164] [--max-attempts N] [--again]
 * [--idempotency-key KEY]: prints the new fax id, through core/api/resend.c and
 * the database's resend ledger; refuses (1) a fax resent already unless
 * --again. argv[0] is "resend". */
int cmd_resend(struct config *cfg, int argc, char **argv);

#endif
