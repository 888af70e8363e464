/* Secrets in memory and on disk. */
#include <config.h>   /* autoconf's; "config.h" would find core/config.h */

#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/sanitize.h"
#include "core/secrets.h"

int secrets_protect_process(void)
{
	struct rlimit rl = { 0, 0 };

	if (setrlimit(RLIMIT_CORE, &rl) != 0)
		return -1;
	return prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0 ? -1 : 0;
}

bool secrets_process_protected(void)
{
	struct rlimit rl;

	return getrlimit(RLIMIT_CORE, &rl) == 0 && rl.rlim_cur == 0 &&
	       prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) == 0;
}

void secrets_wipe(void *p, size_t n)
{
	if (p && n)
		OPENSSL_cleanse(p, n);
}

void secrets_free(char *s)
{
	if (s) {
		OPENSSL_cleanse(s, strlen(s));
		free(s);
	}
}

int secrets_check_private_fd(int fd, const char *path, char *err, size_t errlen)
{
	char shown[256];
	struct stat st;

	sanitize_str(shown, sizeof shown, path ? path : "(file)");
	if (fstat(fd, &st) != 0) {
		snprintf(err, errlen, "%s: %s", shown, strerror(errno));
		return -1;
	}
	if (st.st_mode & (S_IRGRP | S_IWGRP | S_IROTH | S_IWOTH)) {
		snprintf(err, errlen,
			 "%s holds a secret but is %s by group or others (mode %04o); "
			 "fix it with: chmod 600 %s",
			 shown, st.st_mode & (S_IRGRP | S_IROTH) ? "readable" : "writable",
			 (unsigned)(st.st_mode & 07777), shown);
		return -1;
	}
	return 0;
}

int secrets_check_private_file(const char *path, char *err, size_t errlen)
{
	char shown[256];
	int fd, rc;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		sanitize_str(shown, sizeof shown, path);
		snprintf(err, errlen, "%s: %s", shown, strerror(errno));
		return -1;
	}
	rc = secrets_check_private_fd(fd, path, err, errlen);
	close(fd);
	return rc;
}
