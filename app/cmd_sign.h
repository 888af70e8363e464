/* faxtop sign: prints the signature headers for a body read from stdin, so
 * an endpoint can be tested with curl -H. */
#ifndef FAXTOP_APP_CMD_SIGN_H
#define FAXTOP_APP_CMD_SIGN_H

/* argv[0] is "sign". Returns the process exit status (0, 1 or 2). */
int cmd_sign(int argc, char **argv);

#endif
