/* multipart/form-data (RFC 7578) over a complete body held in memory. Parts
 * point into the body; names are copied. Every failure names what is wrong
 * and where ("part 2: no name in Content-Disposition"). */
#ifndef FAXTOP_SIM_MULTIPART_H
#define FAXTOP_SIM_MULTIPART_H

#include <stdbool.h>
#include <stddef.h>

#define MULTIPART_MAX_PARTS    64
#define MULTIPART_MAX_BOUNDARY 70 /* RFC 2046 */

struct multipart_part {
	char name[128];
	char filename[256];
	bool has_filename;
	char content_type[128];
	const char *data;
	size_t len;
};

/* The boundary parameter of a multipart/form-data Content-Type. 0 or -1. */
int multipart_boundary(const char *content_type, char *out, size_t outlen, char *err,
		       size_t errlen);
/* Splits body into at most max parts. 0 with *n set, or -1 with err. */
int multipart_parse(const char *body, size_t len, const char *boundary,
		    struct multipart_part *parts, size_t max, size_t *n, char *err, size_t errlen);

#endif
