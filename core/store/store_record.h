/* The attempts and tags records of a stored fax: the store's own binary
 * encoding, the same whatever database holds the bytes (no SQL here).
 *
 * A version byte, a u32 count, then per item fixed-width integers and
 * strings as u32 length (including the NUL, STORE_STR_NULL for NULL) +
 * bytes. Little-endian. Strings keep their NUL so a loaded record lends
 * pointers into the bytes without copying. The reader trusts nothing: the
 * database file is outside input too. */
#ifndef FAXTOP_CORE_STORE_RECORD_H
#define FAXTOP_CORE_STORE_RECORD_H

#include <stdbool.h>
#include <stddef.h>

#include "core/model/event.h"

/* A growable byte buffer a record is written into, kept between writes. */
struct store_buf {
	unsigned char *p;
	size_t len, cap;
	bool too_large; /* a string did not fit a u32 length */
};

void store_record_attempts(struct store_buf *b, const struct fax *f);
void store_record_tags(struct store_buf *b, const struct fax *f);
void store_buf_done(struct store_buf *b);

/* Scratch arrays for a loaded fax; their strings are lent by the record. */
struct store_scratch {
	struct fax_attempt *attempts;
	size_t cap_attempts;
	struct fax_tag *tags;
	size_t cap_tags;
};

/* Set f's attempts (tags) to point into the record and sc: valid while both
 * are. 0, or -1 when the record is damaged (f's are then left as they
 * were). */
int store_read_attempts(struct store_scratch *sc, const void *blob, size_t len, struct fax *f);
int store_read_tags(struct store_scratch *sc, const void *blob, size_t len, struct fax *f);
void store_scratch_done(struct store_scratch *sc);

#endif
