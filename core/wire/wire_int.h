/* core/wire's own insides, shared by its files and by nothing else.
 * wire_ctx.c (the parse context) is the bottom, then json_scan.c (our JSON
 * reader), then json_read.c (typed reads); event_parse.c (reading) and
 * event_write.c (writing, through json-c) use them. Reading never goes
 * through json-c. */
#ifndef FAXTOP_CORE_WIRE_INT_H
#define FAXTOP_CORE_WIRE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The parse context: where errors go and the path of the value being read. */
struct pctx {
	char *err;
	size_t errlen;
	char path[192];
	const char *text; /* the document's text, for the nodes' spans */
};

void wire_ctx_init(struct pctx *c, char *err, size_t errlen, const char *path);
/* Appends a path component; returns the old length for wire_ctx_pop. */
__attribute__((format(printf, 2, 3))) size_t wire_ctx_push(struct pctx *c, const char *fmt, ...);
void wire_ctx_pop(struct pctx *c, size_t old);
/* -1, with err set to "<path>.<field>: <message>". */
__attribute__((format(printf, 3, 4))) int wire_ctx_fail(struct pctx *c, const char *field,
							const char *fmt, ...);
/* ---- the reader (json_scan.c) ---- */

enum jtype { J_NULL, J_BOOL, J_INT, J_DOUBLE, J_STRING, J_ARRAY, J_OBJECT };

/* One value of a document. The nodes are in document order: a container's
 * first child follows it, and a node's subtree is the `skip` nodes from it. */
struct jnode {
	enum jtype type;
	bool b;            /* J_BOOL */
	bool big;          /* J_INT above INT64_MAX: i is INT64_MAX, u the value */
	uint32_t count;    /* J_ARRAY, J_OBJECT: children */
	uint32_t skip;     /* nodes in the subtree, itself included */
	uint32_t klen;     /* strlen(key): keys compare as C strings */
	size_t start, end; /* the value's bytes in the text: [start, end) */
	const char *key;   /* an object member's name (decoded, NUL-terminated) */
	union {
		struct {
			const char *str; /* J_STRING, decoded, NUL-terminated */
			size_t len;      /* its length: an escaped NUL is inside */
		};
		struct {
			int64_t i;  /* J_INT, saturated as json-c does */
			uint64_t u; /* when big */
		};
	};
};

/* A parsed document: its nodes (the first is the root) and its strings. */
struct jdoc {
	struct jnode *nodes;
	size_t n;
	char *strs;
};

/* The root of the text parsed into doc, or NULL with the reason in c (doc
 * is then empty). No limits but the depth: wire_parse_text checks them. */
const struct jnode *wire_scan(const char *json, size_t len, struct pctx *c, struct jdoc *doc);
void wire_doc_free(struct jdoc *doc);
/* The first child of a container (NULL when it has none, or v is not one),
 * and the one after child (NULL after the last). */
const struct jnode *jnode_first(const struct jnode *v);
const struct jnode *jnode_next(const struct jnode *parent, const struct jnode *child);
/* An object's member: the last of that name, as json-c kept; keys compare
 * as C strings. NULL when absent or obj is not an object. */
const struct jnode *jnode_get(const struct jnode *obj, const char *key);
/* The members of obj as json-c kept them: entry i (of obj->count) is, for
 * the i-th member, the value of the last member of its name when it is the
 * first of that name, else NULL (a duplicate stays at the first one's
 * place with the last one's value). Allocated; NULL for no members. */
const struct jnode **jnode_members(const struct jnode *obj);
/* An array's i-th element, or NULL. */
const struct jnode *jnode_at(const struct jnode *arr, size_t i);

/* "a string", "an object", …: for messages. */
const char *wire_json_kind(const struct jnode *v);

/* The text parsed within the size, depth and syntax limits, or NULL with
 * the reason in c. The caller frees doc. */
const struct jnode *wire_parse_text(const char *json, size_t len, struct pctx *c, struct jdoc *doc);
/* A scalar's text as json-c wrote it (integers from their value, doubles as
 * they came, true/false/null); a string's decoded bytes; a container's own
 * bytes without the whitespace between tokens. Allocated. */
char *wire_node_text(const char *json, const struct jnode *v);
/* Copies json[from, to), a valid JSON text, to out without the whitespace
 * between tokens and with raw control bytes inside strings escaped, so
 * the copy is one line: out needs wire_compact_room bytes (no NUL is
 * written). Returns its end. */
char *wire_compact(const char *json, size_t from, size_t to, char *out);
/* At most what wire_compact writes for json[from, to): its length, and 5
 * bytes more for each control byte (\u00XX). */
size_t wire_compact_room(const char *json, size_t from, size_t to);

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

int wire_read_string(struct pctx *c, const char *name, const struct jnode *v, char **out);
int wire_read_int64(struct pctx *c, const char *name, const struct jnode *v, int64_t lo, int64_t hi,
		    int64_t *out);
int wire_read_fields(struct pctx *c, const struct jnode *obj, const struct fspec *specs, size_t n,
		     void *base);
/* 0 when v is of type t, or -1: "<name>: expected an array, got null". */
int wire_need_type(struct pctx *c, const char *name, const struct jnode *v, enum jtype t);

#endif
