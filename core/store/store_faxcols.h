/* The faxes table's columns, in their order in the table: the one list
 * that the upsert's column names, placeholders and update clause, its
 * binds and the reads of a row are all made from. Backend-neutral: a
 * backend says how each kind is bound and read, and which placeholder its
 * SQL takes (store_faxcols_sql).
 *
 * X(column, kind, member): member is a field of struct model_fax (kinds
 * ATTEMPTS and TAGS take the whole struct fax, which their record
 * encodes). Adding a fax field: a line here and a schema step that adds the
 * column (core/store/store_schema.c); CONTRIBUTING.md has the recipe. */
#ifndef FAXTOP_CORE_STORE_FAXCOLS_H
#define FAXTOP_CORE_STORE_FAXCOLS_H

#include <stddef.h>

/* The kinds: TEXT a string or NULL; INT an int, never NULL; PAGES an int,
 * NULL when negative; TS a time, NULL when TS_NONE; STATUS a fax status by
 * name, NULL for FAX_STATUS_NONE; SOURCE an event source by name; COUNT an
 * unsigned count; ATTEMPTS and TAGS the binary records
 * (core/store/store_record.h). */
#define FAX_COLUMN_LIST(X)                            \
	X(id, TEXT, fax.id)                           \
	X(status, STATUS, fax.status)                 \
	X(to_number, TEXT, fax.to)                    \
	X(pages, PAGES, fax.pages)                    \
	X(error_code, TEXT, fax.error_code)           \
	X(error_subcode, TEXT, fax.error_subcode)     \
	X(error_message, TEXT, fax.error_message)     \
	X(max_attempts, INT, fax.max_attempts)        \
	X(webhook_url, TEXT, fax.webhook_url)         \
	X(idempotency_key, TEXT, fax.idempotency_key) \
	X(csid, TEXT, fax.csid)                       \
	X(page_size, TEXT, fax.page_size)             \
	X(resolution, TEXT, fax.resolution)           \
	X(optimize_for, TEXT, fax.optimize_for)       \
	X(resent_from, TEXT, fax.resent_from)         \
	X(submitted_at, TS, fax.submitted_at)         \
	X(completed_at, TS, fax.completed_at)         \
	X(created_at, TS, fax.created_at)             \
	X(updated_at, TS, fax.updated_at)             \
	X(attempts, ATTEMPTS, fax)                    \
	X(tags, TAGS, fax)                            \
	X(last_source, SOURCE, last_source)           \
	X(last_update, TS, last_update_ms)            \
	X(anomalies, COUNT, anomalies)                \
	X(anomaly, TEXT, anomaly)

/* FAXCOL_id, FAXCOL_status, ...: a column's place, from 0. */
enum store_faxcol {
/* clang-format off */
#define X(column, kind, member) FAXCOL_##column,
	FAX_COLUMN_LIST(X)
#undef X
	FAX_COLUMN_COUNT
	/* clang-format on */
};

extern const char *const store_faxcol_names[FAX_COLUMN_COUNT];

enum store_faxcols_part {
	FAXCOLS_NAMES,  /* id, status, ... */
	FAXCOLS_VALUES, /* ?1, ?2, ... (or $1, $2, ...) */
	FAXCOLS_UPDATE, /* status = excluded.status, ... (all but the key) */
};

/* Writes one part, ", "-joined, into buf, with placeholders made of `ph`
 * and the column's number ('?' for SQLite, '$' for PostgreSQL). Returns
 * buf; a buffer too small is a programming error (it aborts). */
const char *store_faxcols_sql(char *buf, size_t len, enum store_faxcols_part part, char ph);

#endif
