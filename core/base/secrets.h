/* Handling of the API key and the webhook secret while they are in memory
 * and on disk: no core dumps, wiped when freed, private files only. */
#ifndef FAXTOP_CORE_SECRETS_H
#define FAXTOP_CORE_SECRETS_H

#include <stdbool.h>
#include <stddef.h>

/* Keeps secrets out of core dumps and away from ptrace by other processes of
 * the same user: RLIMIT_CORE 0 and PR_SET_DUMPABLE 0. Call once at start-up,
 * ideally before config_load() reads any secret. 0, or -1 with errno set
 * (neither call fails in practice; there is nothing a caller could fix). */
int secrets_protect_process(void);
/* Is the process protected as above (core limit 0 and not dumpable)? */
bool secrets_process_protected(void);

/* Overwrites n bytes in a way the compiler cannot drop. */
void secrets_wipe(void *p, size_t n);
/* Wipes a NUL-terminated string and frees it. NULL is fine. */
void secrets_free(char *s);

/* Checks that an open file (path only names it in messages) is private:
 * neither readable nor writable by group or others. 0, or -1 with a message
 * that says how to fix it ("chmod 600 PATH"). */
int secrets_check_private_fd(int fd, const char *path, char *err, size_t errlen);
int secrets_check_private_file(const char *path, char *err, size_t errlen);

/* Reads a secret from a file of its own (--api-key-file): a private regular
 * file holding one line (a final newline is dropped). *out gets a copy
 * (free it with secrets_free). 0, or -1 with a message that never quotes
 * the file's contents. */
#define SECRETS_FILE_MAX 4096
int secrets_read_file(const char *path, char **out, char *err, size_t errlen);

#endif
