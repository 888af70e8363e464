/* core/wire's own insides, shared by its files and by nothing else: json-c
 * types appear here and never in a public header. json_read.c is the
 * bottom: event_parse.c (reading) and event_write.c (writing) use it. */
#ifndef FAXTOP_CORE_WIRE_INT_H
#define FAXTOP_CORE_WIRE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

/* The parse context: where errors go and the path of the value being read. */
struct pctx {
	char *err;
	size_t errlen;
	char path[192];
};

void wire_ctx_init(struct pctx *c, char *err, size_t errlen, const char *path);
/* Appends a path component; returns the old length for wire_ctx_pop. */
__attribute__((format(printf, 2, 3))) size_t wire_ctx_push(struct pctx *c, const char *fmt, ...);
void wire_ctx_pop(struct pctx *c, size_t old);
/* -1, with err set to "<path>.<field>: <message>". */
__attribute__((format(printf, 3, 4))) int wire_ctx_fail(struct pctx *c, const char *field,
							const char *fmt, ...);
/* "a string", "an object", …: for messages. */
const char *wire_json_kind(struct json_object *v);

/* A tree of the text within the size, depth and syntax limits, or NULL
 * with the reason in c. The caller puts the tree. */
struct json_object *wire_parse_text(const char *json, size_t len, struct pctx *c);

enum fkind {
	F_STR,     /* char * */
	F_LOWER,   /* char *, kept lowercase (error codes, docs/CONTRACT.md#tolerance) */
	F_INT,     /* int, >= 0; null → -1 */
	F_INT64,   /* int64_t, any sign; null → -1 */
	F_INT_STR, /* int from 3 or "3" (max_attempts, docs/CONTRACT.md#tolerance); null → 0 */
	F_TIME,    /* int64_t ms from ISO-8601; null → TS_NONE */
	F_STATUS,  /* enum fax_status from its name; "sending" → in_progress */
	F_BOOL,    /* bool */
};

struct fspec {
	const char *name;
	enum fkind kind;
	size_t off;
	bool required;
	size_t has_off; /* 1 + offset of a bool set when present, or 0 for none */
};

#define FS(type, field, kind, req)                          \
	{                                                   \
#field, kind, offsetof(type, field), req, 0 \
	}
#define NSPECS(a) (sizeof(a) / sizeof((a)[0]))

int wire_read_string(struct pctx *c, const char *name, struct json_object *v, char **out);
int wire_read_int64(struct pctx *c, const char *name, struct json_object *v, int64_t lo, int64_t hi,
		    int64_t *out);
int wire_read_fields(struct pctx *c, struct json_object *obj, const struct fspec *specs, size_t n,
		     void *base);
/* 0 when v is of type t, or -1: "<name>: expected an array, got null". */
int wire_need_type(struct pctx *c, const char *name, struct json_object *v, enum json_type t);

#endif
