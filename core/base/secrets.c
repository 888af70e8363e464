/* Secrets in memory and on disk. */
#include <config.h> /* autoconf's; "config.h" would find core/base/options.h */

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

#include "core/base/sanitize.h"
#include "core/base/secrets.h"
#include "core/base/xalloc.h"

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

/* Checks the text read from a secret file; drops one final line end. */
static int secrets_file_text(char *buf, size_t *n, const char *shown, char *err, size_t errlen)
{
	if (*n > 0 && buf[*n - 1] == '\n')
		buf[--*n] = '\0';
	if (*n > 0 && buf[*n - 1] == '\r')
		buf[--*n] = '\0';
	if (*n == 0) {
		snprintf(err, errlen, "%s is empty", shown);
		return -1;
	}
	for (size_t i = 0; i < *n; i++) {
		if ((unsigned char)buf[i] < 0x20 || buf[i] == 0x7F) {
			snprintf(err, errlen,
				 "%s must hold the secret alone on one line "
				 "(it has a control character or a second line)",
				 shown);
			return -1;
		}
	}
	return 0;
}

int secrets_read_file(const char *path, char **out, char *err, size_t errlen)
{
	char shown[256], buf[SECRETS_FILE_MAX + 2];
	struct stat st;
	size_t n = 0;
	ssize_t r;
	int fd, rc = -1;

	*out = NULL;
	sanitize_str(shown, sizeof shown, path ? path : "");
	fd = path ? open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK) : -1;
	if (fd < 0) {
		snprintf(err, errlen, "cannot read secret file %s: %s", shown, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "secret file %s is not a regular file", shown);
		goto out;
	}
	/* The same rule as the config file: private, or refused. */
	if (secrets_check_private_fd(fd, path, err, errlen) != 0)
		goto out;
	while (n <= SECRETS_FILE_MAX && (r = read(fd, buf + n, SECRETS_FILE_MAX + 1 - n)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(err, errlen, "cannot read secret file %s: %s", shown,
				 strerror(errno));
			goto out;
		}
		n += (size_t)r;
	}
	if (n > SECRETS_FILE_MAX) {
		snprintf(err, errlen, "secret file %s is larger than %d bytes", shown,
			 SECRETS_FILE_MAX);
		goto out;
	}
	buf[n] = '\0';
	if (secrets_file_text(buf, &n, shown, err, errlen) != 0)
		goto out;
	*out = xstrdup(buf);
	rc = 0;
out:
	secrets_wipe(buf, sizeof buf);
	close(fd);
	return rc;
}
