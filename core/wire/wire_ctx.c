/* The parse context: where a reader's error goes and the path of the value
 * being read, so that a failure names the field ("data.object.attempts[1].
 * started_at: expected a string"). The bottom of core/wire: the reader
 * (json_scan.c) and the typed reads (json_read.c) both report through it. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/wire/wire_int.h"

void wire_ctx_init(struct pctx *c, char *err, size_t errlen, const char *path)
{
	c->err = err;
	c->errlen = errlen;
	c->text = NULL;
	snprintf(c->path, sizeof c->path, "%s", path);
	if (err && errlen)
		err[0] = '\0';
}

/* Appends a path component; returns the old length for wire_ctx_pop. */
size_t wire_ctx_push(struct pctx *c, const char *fmt, ...)
{
	size_t old = strlen(c->path);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->path + old, sizeof c->path - old, fmt, ap);
	va_end(ap);
	return old;
}

void wire_ctx_pop(struct pctx *c, size_t old)
{
	c->path[old] = '\0';
}

int wire_ctx_fail(struct pctx *c, const char *field, const char *fmt, ...)
{
	char msg[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (c->err && c->errlen) {
		const char *dot = c->path[0] && field && field[0] != '[' ? "." : "";

		if (field || c->path[0])
			snprintf(c->err, c->errlen, "%s%s%s: %s", c->path, field ? dot : "",
				 field ? field : "", msg);
		else
			snprintf(c->err, c->errlen, "%s", msg);
	}
	return -1;
}
