/* A main() for the fuzz targets when libFuzzer is not there (gcc builds,
 * valgrind, the sanitizer build): runs LLVMFuzzerTestOneInput once over
 * every file named on the command line or found in a named directory, so
 * each corpus, and every crash reproducer saved in it, is a regression test
 * of `make check`. Options starting with '-' are accepted and ignored, so the
 * same command line works with a libFuzzer binary (`-runs=0 DIR`). */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Targets that need no set-up do not define it. */
__attribute__((weak)) int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	return 0;
}

/* Reads a whole file into a buffer of exactly its size, so that an
 * overread past the input is caught by ASan or valgrind as it is under
 * libFuzzer. */
static int standalone_run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	size_t len = 0, cap = 0;

	if (!f) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	for (;;) {
		if (len == cap) {
			unsigned char *nb;

			cap = cap ? cap * 2 : 4096;
			nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				fclose(f);
				fprintf(stderr, "%s: out of memory\n", path);
				return -1;
			}
			buf = nb;
		}
		size_t n = fread(buf + len, 1, cap - len, f);
		if (n == 0)
			break;
		len += n;
	}
	if (ferror(f)) {
		fprintf(stderr, "%s: read error\n", path);
		free(buf);
		fclose(f);
		return -1;
	}
	fclose(f);

	unsigned char *exact = malloc(len ? len : 1);
	if (!exact) {
		free(buf);
		return -1;
	}
	if (len)
		memcpy(exact, buf, len);
	free(buf);
	LLVMFuzzerTestOneInput(exact, len);
	free(exact);
	return 0;
}

static int standalone_run_path(const char *path, unsigned long *count)
{
	struct stat st;

	if (stat(path, &st) != 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		if (standalone_run_file(path) != 0)
			return -1;
		(*count)++;
		return 0;
	}

	DIR *d = opendir(path);
	struct dirent *de;
	int rc = 0;

	if (!d) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		char sub[4096];

		if (de->d_name[0] == '.')
			continue;
		if ((size_t)snprintf(sub, sizeof sub, "%s/%s", path, de->d_name) >= sizeof sub) {
			fprintf(stderr, "%s/%s: path too long\n", path, de->d_name);
			rc = -1;
			continue;
		}
		if (standalone_run_path(sub, count) != 0)
			rc = -1;
	}
	closedir(d);
	return rc;
}

int main(int argc, char **argv)
{
	unsigned long count = 0;
	int rc = 0;

	LLVMFuzzerInitialize(&argc, &argv);
	for (int i = 1; i < argc; i++) {
		if (argv[i][0] == '-')
			continue;
		if (standalone_run_path(argv[i], &count) != 0)
			rc = 1;
	}
	fprintf(stderr, "%s: ran %lu inputs\n", argv[0], count);
	if (count == 0) {
		fprintf(stderr, "%s: no inputs\n", argv[0]);
		rc = 1;
	}
	return rc;
}
