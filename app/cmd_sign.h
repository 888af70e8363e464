/* faxtop sign: prints the signature headers for a body read from stdin, so
 * an endpoint can be tested with curl -H. */
#ifndef FAXTOP_APP_CMD_SIGN_H
#define FAXTOP_APP_CMD_SIGN_H

#include <stddef.h>

/* argv[0] is "sign". Returns the process exit status (0, 1 or 2). */
int cmd_sign(int argc, char **argv);

/* Blanks the value of --secret in the process's own argv (argv[0] is
 * "sign"), so ps no longer shows it; cmd_sign works on a copy. Returns how
 * many it blanked. */
size_t cmd_sign_hide_secret(int argc, char **argv);

#endif
