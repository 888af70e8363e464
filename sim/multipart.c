#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "sim/multipart.h"

/* Reads a parameter value (token or quoted string) at *p into out. */
static int read_param_value(const char **p, const char *end, char *out, size_t outlen)
{
	const char *s = *p;
	size_t o = 0;
	if (s < end && *s == '"') {
		s++;
		while (s < end && *s != '"') {
			if (*s == '\\' && s + 1 < end)
				s++;
			if (o + 1 >= outlen)
				return -1;
			out[o++] = *s++;
		}
		if (s >= end)
			return -1;
		s++;
	} else {
		while (s < end && *s != ';' && !isspace((unsigned char)*s)) {
			if (o + 1 >= outlen)
				return -1;
			out[o++] = *s++;
		}
	}
	out[o] = '\0';
	*p = s;
	return 0;
}

/* Finds `name=` among the ;-separated parameters of a header value. 1 found,
 * 0 absent, -1 malformed or too long. */
static int header_param(const char *v, const char *end, const char *name, char *out, size_t outlen)
{
	size_t nl = strlen(name);
	const char *p = v;
	while (p < end) {
		const char *semi = memchr(p, ';', (size_t)(end - p));
		if (!semi)
			return 0;
		p = semi + 1;
		while (p < end && isspace((unsigned char)*p))
			p++;
		if ((size_t)(end - p) > nl && strncasecmp(p, name, nl) == 0 && p[nl] == '=') {
			p += nl + 1;
			return read_param_value(&p, end, out, outlen) == 0 ? 1 : -1;
		}
	}
	return 0;
}

int multipart_boundary(const char *content_type, char *out, size_t outlen, char *err, size_t errlen)
{
	static const char mt[] = "multipart/form-data";
	if (!content_type || !*content_type) {
		snprintf(err, errlen, "Content-Type is missing; expected multipart/form-data");
		return -1;
	}
	const char *s = content_type;
	while (isspace((unsigned char)*s))
		s++;
	if (strncasecmp(s, mt, sizeof mt - 1) != 0 ||
	    (s[sizeof mt - 1] && s[sizeof mt - 1] != ';' &&
	     !isspace((unsigned char)s[sizeof mt - 1]))) {
		snprintf(err, errlen, "Content-Type must be multipart/form-data");
		return -1;
	}
	char b[MULTIPART_MAX_BOUNDARY + 2];
	int r = header_param(s, s + strlen(s), "boundary", b, sizeof b);
	if (r < 0 || (r == 1 && strlen(b) > MULTIPART_MAX_BOUNDARY)) {
		snprintf(err, errlen,
			 "multipart boundary is malformed or longer than %d characters",
			 MULTIPART_MAX_BOUNDARY);
		return -1;
	}
	if (r == 0 || !b[0]) {
		snprintf(err, errlen, "Content-Type has no boundary parameter");
		return -1;
	}
	if (strlen(b) >= outlen) {
		snprintf(err, errlen, "multipart boundary too long");
		return -1;
	}
	strcpy(out, b);
	return 0;
}

static int parse_part_headers(const char *h, const char *end, struct multipart_part *part,
			      size_t idx, char *err, size_t errlen)
{
	bool have_cd = false;
	while (h < end) {
		const char *eol = memmem(h, (size_t)(end - h), "\r\n", 2);
		if (!eol)
			eol = end;
		const char *colon = memchr(h, ':', (size_t)(eol - h));
		if (!colon) {
			snprintf(err, errlen, "part %zu: header line without ':'", idx);
			return -1;
		}
		const char *v = colon + 1;
		while (v < eol && isspace((unsigned char)*v))
			v++;
		size_t nlen = (size_t)(colon - h);
		if (nlen == 19 && strncasecmp(h, "Content-Disposition", 19) == 0) {
			if ((size_t)(eol - v) < 9 || strncasecmp(v, "form-data", 9) != 0) {
				snprintf(err, errlen,
					 "part %zu: Content-Disposition is not form-data", idx);
				return -1;
			}
			int r = header_param(v, eol, "name", part->name, sizeof part->name);
			if (r <= 0 || !part->name[0]) {
				snprintf(err, errlen, "part %zu: %s", idx,
					 r < 0 ? "field name malformed or longer than 127 bytes"
					       : "no name in Content-Disposition");
				return -1;
			}
			r = header_param(v, eol, "filename", part->filename, sizeof part->filename);
			if (r < 0) {
				snprintf(err, errlen,
					 "part %zu: filename malformed or longer than 255 bytes",
					 idx);
				return -1;
			}
			part->has_filename = r == 1;
			have_cd = true;
		} else if (nlen == 12 && strncasecmp(h, "Content-Type", 12) == 0) {
			size_t vl = (size_t)(eol - v);
			if (vl >= sizeof part->content_type)
				vl = sizeof part->content_type - 1;
			memcpy(part->content_type, v, vl);
			part->content_type[vl] = '\0';
		}
		h = eol + 2;
	}
	if (!have_cd) {
		snprintf(err, errlen, "part %zu: missing Content-Disposition", idx);
		return -1;
	}
	return 0;
}

int multipart_parse(const char *body, size_t len, const char *boundary,
		    struct multipart_part *parts, size_t max, size_t *n, char *err, size_t errlen)
{
	char delim[MULTIPART_MAX_BOUNDARY + 5];
	size_t bl = strlen(boundary);
	if (bl == 0 || bl > MULTIPART_MAX_BOUNDARY) {
		snprintf(err, errlen, "bad multipart boundary");
		return -1;
	}
	/* delim is "\r\n--boundary"; the first one may lack the CRLF. */
	snprintf(delim, sizeof delim, "\r\n--%s", boundary);
	size_t dl = bl + 4;
	const char *end = body + len;
	const char *p;
	*n = 0;
	if (len >= dl - 2 && memcmp(body, delim + 2, dl - 2) == 0) {
		p = body + dl - 2;
	} else {
		const char *f = body ? memmem(body, len, delim, dl) : NULL;
		if (!f) {
			snprintf(err, errlen, "body does not contain the multipart boundary");
			return -1;
		}
		p = f + dl;
	}
	for (;;) {
		/* Right after a delimiter: "--" closes, CRLF opens a part. */
		if (end - p >= 2 && p[0] == '-' && p[1] == '-')
			return 0;
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (end - p < 2 || p[0] != '\r' || p[1] != '\n') {
			snprintf(err, errlen, "part %zu: malformed boundary line", *n + 1);
			return -1;
		}
		p += 2;
		if (*n >= max) {
			snprintf(err, errlen, "too many parts (at most %zu)", max);
			return -1;
		}
		struct multipart_part *part = &parts[*n];
		memset(part, 0, sizeof *part);
		const char *hend;
		if (end - p >= 2 && p[0] == '\r' && p[1] == '\n')
			hend = p; /* no headers at all */
		else
			hend = memmem(p, (size_t)(end - p), "\r\n\r\n", 4);
		if (!hend) {
			snprintf(err, errlen, "part %zu: headers not terminated", *n + 1);
			return -1;
		}
		if (parse_part_headers(p, hend, part, *n + 1, err, errlen) < 0)
			return -1;
		const char *data = hend + (hend == p ? 2 : 4);
		const char *next = memmem(data, (size_t)(end - data), delim, dl);
		if (!next) {
			snprintf(err, errlen, "part %zu (\"%s\"): no closing boundary", *n + 1,
				 part->name);
			return -1;
		}
		part->data = data;
		part->len = (size_t)(next - data);
		(*n)++;
		p = next + dl;
	}
}
