/* The store's backend-neutral parts: the faxes table's column list and the
 * attempts and tags records. */
#include "config.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "core/model/event.h"
#include "core/store/store.h"
#include "core/store/store_faxcols.h"
#include "core/store/store_record.h"
#include "tests/unit/unit.h"

/* The list and the table the schema steps build must agree column for
 * column: a column added to one and not the other (a list line without its
 * schema step, say) fails here with the column's name. */
static void test_list_matches_schema(void)
{
	char path[512], err[512] = "";
	struct store_opts o = { .path = path };
	struct store *s;
	sqlite3 *db;
	sqlite3_stmt *st;
	int n = 0;

	snprintf(path, sizeof path, "%s/store_faxcols/faxtop.db", unit_tmpdir());
	s = store_open(&o, err, sizeof err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	store_close(s);
	CU_ASSERT_EQUAL_FATAL(sqlite3_open(path, &db), SQLITE_OK);
	CU_ASSERT_EQUAL_FATAL(sqlite3_prepare_v2(db,
						 "SELECT name FROM pragma_table_info('faxes')"
						 " ORDER BY cid",
						 -1, &st, NULL),
			      SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);

		if (n >= FAX_COLUMN_COUNT) {
			fprintf(stderr, "faxes.%s is not in FAX_COLUMN_LIST\n", name);
			CU_FAIL("a table column the list lacks");
		} else if (strcmp(name, store_faxcol_names[n]) != 0) {
			fprintf(stderr, "column %d: table %s, list %s\n", n, name,
				store_faxcol_names[n]);
			CU_FAIL("the list and the table disagree");
		}
		n++;
	}
	CU_ASSERT_EQUAL(n, FAX_COLUMN_COUNT);
	sqlite3_finalize(st);
	sqlite3_close(db);
}

/* The fragments each backend's statements are made of, here in
 * PostgreSQL's placeholder style. */
static void test_sql_fragments(void)
{
	char buf[2048], want[2048];
	size_t off = 0;

	for (int i = 0; i < FAX_COLUMN_COUNT; i++)
		off += (size_t)snprintf(want + off, sizeof want - off, "%s$%d", i ? ", " : "",
					i + 1);
	CU_ASSERT_STRING_EQUAL(store_faxcols_sql(buf, sizeof buf, FAXCOLS_VALUES, '$'), want);
	CU_ASSERT_PTR_NOT_NULL(strstr(want, "$25"));

	store_faxcols_sql(buf, sizeof buf, FAXCOLS_NAMES, '?');
	CU_ASSERT_EQUAL(strncmp(buf, "id, status, to_number, ", 23), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, ", anomalies, anomaly"));

	/* every column but the key is updated in place */
	store_faxcols_sql(buf, sizeof buf, FAXCOLS_UPDATE, '?');
	CU_ASSERT_EQUAL(strncmp(buf, "status = excluded.status, ", 26), 0);
	CU_ASSERT_PTR_NULL(strstr(buf, "id = excluded.id"));
	for (int i = 1; i < FAX_COLUMN_COUNT; i++) {
		char one[128];

		snprintf(one, sizeof one, "%s = excluded.%s", store_faxcol_names[i],
			 store_faxcol_names[i]);
		CU_ASSERT_PTR_NOT_NULL(strstr(buf, one));
	}
}

/* Encoded and read back without a database: NULL strings stay NULL, an
 * empty tag value stays empty, and the read points into the bytes. */
static void test_record_round_trip(void)
{
	struct fax_attempt at[2] = {
		{ 1, 1000, 2000, 1000, "busy", NULL, "line busy" },
		{ 2, 3000, TS_NONE, -1, NULL, NULL, NULL },
	};
	struct fax_tag tags[2] = { { "dept", "billing" }, { "urgent", "" } };
	struct fax f, back;
	struct store_buf ba = { 0 }, bt = { 0 };
	struct store_scratch sc = { 0 };

	fax_init(&f);
	f.attempts = at;
	f.n_attempts = 2;
	f.tags = tags;
	f.n_tags = 2;
	store_record_attempts(&ba, &f);
	store_record_tags(&bt, &f);
	CU_ASSERT_FALSE(ba.too_large || bt.too_large);

	fax_init(&back);
	CU_ASSERT_EQUAL_FATAL(store_read_attempts(&sc, ba.p, ba.len, &back), 0);
	CU_ASSERT_EQUAL_FATAL(back.n_attempts, 2);
	CU_ASSERT_EQUAL(back.attempts[0].number, 1);
	CU_ASSERT_EQUAL(back.attempts[0].duration_ms, 1000);
	CU_ASSERT_STRING_EQUAL(back.attempts[0].error_code, "busy");
	CU_ASSERT_PTR_NULL(back.attempts[0].error_subcode);
	CU_ASSERT_EQUAL(back.attempts[1].completed_at, TS_NONE);
	CU_ASSERT_PTR_NULL(back.attempts[1].error_message);
	CU_ASSERT_TRUE((const unsigned char *)back.attempts[0].error_message > ba.p &&
		       (const unsigned char *)back.attempts[0].error_message < ba.p + ba.len);

	CU_ASSERT_EQUAL_FATAL(store_read_tags(&sc, bt.p, bt.len, &back), 0);
	CU_ASSERT_EQUAL_FATAL(back.n_tags, 2);
	CU_ASSERT_STRING_EQUAL(back.tags[0].value, "billing");
	CU_ASSERT_STRING_EQUAL(back.tags[1].key, "urgent");
	CU_ASSERT_STRING_EQUAL(back.tags[1].value, "");

	/* one record is not the other, and nothing is not a record */
	CU_ASSERT_EQUAL(store_read_tags(&sc, ba.p, ba.len, &back), -1);
	CU_ASSERT_EQUAL(store_read_attempts(&sc, NULL, 0, &back), -1);
	/* an empty list is a record of its own, read as no array */
	f.n_tags = 0;
	store_record_tags(&bt, &f);
	CU_ASSERT_EQUAL(store_read_tags(&sc, bt.p, bt.len, &back), 0);
	CU_ASSERT_PTR_NULL(back.tags);
	CU_ASSERT_EQUAL(back.n_tags, 0);

	store_scratch_done(&sc);
	store_buf_done(&ba);
	store_buf_done(&bt);
}

static const struct unit_test tests[] = {
	{ "the fax column list matches the schema's faxes table", test_list_matches_schema },
	{ "column list SQL fragments, any placeholder style", test_sql_fragments },
	{ "attempts and tags records round trip without a database", test_record_round_trip },
	{ NULL, NULL },
};

UNIT_SUITE(store_faxcols, NULL, NULL, tests);
