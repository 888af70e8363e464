/* Allocation that cannot fail quietly.
 *
 * faxtop acknowledges an event only after it is committed, so dying on an
 * exhausted heap loses nothing that mintfax will not send again; carrying on
 * with a dropped allocation can. These helpers never return NULL: on
 * failure they run the fatal hook (the TUI restores the terminal there),
 * print one line to stderr and abort.
 *
 * Use them for memory we own. Keep the plain functions where a failure is an
 * answer to untrusted input (a size from outside that is too large is a 413,
 * not a crash): check the bound first, then allocate with these. */
#ifndef FAXTOP_CORE_XALLOC_H
#define FAXTOP_CORE_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
/* Grows an array to hold at least `need` elements of `size` bytes, doubling
 * from `*cap` (or 8); returns the (possibly moved) array. */
void *xgrow(void *p, size_t *cap, size_t need, size_t size);
char *xstrdup(const char *s);            /* NULL stays NULL */
char *xstrndup(const char *s, size_t n); /* NULL stays NULL */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* What to run before the process dies of an exhausted heap: it must be
 * async-signal-safe in spirit (no allocation). NULL for none. */
void xalloc_set_fatal_hook(void (*hook)(void));

/* Dies the way an allocation failure does; for callers of allocators that
 * are not ours (json-c, sqlite) whose NULL means the heap is gone. */
void xalloc_die(void) __attribute__((noreturn));

#endif
