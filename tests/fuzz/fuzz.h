/* Shared bits of the fuzz targets: the libFuzzer entry points and a check
 * that turns a broken invariant into a crash libFuzzer reports (and saves the
 * input for). */
#ifndef FAXTOP_TESTS_FUZZ_H
#define FAXTOP_TESTS_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define fuzz_check(cond, ...)                                                                \
	do {                                                                                 \
		if (!(cond)) {                                                               \
			fprintf(stderr, "%s:%d: invariant broken: %s: ", __FILE__, __LINE__, \
				#cond);                                                      \
			fprintf(stderr, __VA_ARGS__);                                        \
			fputc('\n', stderr);                                                 \
			abort();                                                             \
		}                                                                            \
	} while (0)

/* A NUL-terminated copy of data[0..len), or abort: the parsers under test
 * take explicit lengths, but some callers hand them C strings. */
static inline char *fuzz_strndup(const uint8_t *data, size_t len)
{
	char *s = malloc(len + 1);

	if (!s)
		abort();
	if (len)
		memcpy(s, data, len);
	s[len] = '\0';
	return s;
}

/* Cuts the next field ending at `sep` (or at the end) off *data. */
static inline char *fuzz_take_field(const uint8_t **data, size_t *size, uint8_t sep)
{
	const uint8_t *end = memchr(*data, sep, *size);
	size_t n = end ? (size_t)(end - *data) : *size;
	char *s = fuzz_strndup(*data, n);

	*data += n;
	*size -= n;
	if (end) {
		(*data)++;
		(*size)--;
	}
	return s;
}

/* True if s holds a NUL within n bytes (a fixed-size field was terminated). */
static inline int fuzz_terminated(const char *s, size_t n)
{
	return memchr(s, '\0', n) != NULL;
}

#endif
