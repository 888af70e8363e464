/* The list view over a real model: newest first without copying, filters,
 * sorts, pause with its "N new" count, selection lookup, codes in view,
 * and the CSV/JSON export of the view. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/model/event.h"
#include "core/model/model.h"
#include "tests/unit/unit.h"
#include "tui/export.h"
#include "tui/layout.h"
#include "tui/view.h"

#define T0 1747173600000LL

/* Fax i: created T0 + i s; every 4th failed (busy, or invalid_number when
 * i % 8 == 3), every 4th + 1 queued, the rest delivered; tag team=ops on
 * even ones. */
static void add_fax(struct model *m, int i)
{
	struct fax f;
	char buf[64];

	fax_init(&f);
	snprintf(buf, sizeof buf, "fax_%04d", i);
	f.id = strdup(buf);
	snprintf(buf, sizeof buf, "+1212555%04d", 9999 - i);
	f.to = strdup(buf);
	f.created_at = T0 + i * 1000LL;
	f.updated_at = T0 + (100 - i) * 1000LL;
	f.pages = 1 + i % 3;
	if (i % 4 == 3) {
		f.status = FAX_FAILED;
		f.error_code = strdup(i % 8 == 3 ? "invalid_number" : "busy");
		f.error_message = strdup("a \"quoted\", message");
	} else if (i % 4 == 1) {
		f.status = FAX_QUEUED;
	} else {
		f.status = FAX_DELIVERED;
	}
	if (i % 2 == 0) {
		f.tags = calloc(1, sizeof *f.tags);
		f.tags[0].key = strdup("team");
		f.tags[0].value = strdup("ops");
		f.n_tags = 1;
	}
	CU_ASSERT_EQUAL(model_apply_fax(m, &f, SRC_API, T0 + 500000), APPLY_OK);
	fax_done(&f);
}

static struct model *mk_model(int n)
{
	struct model *m = model_new(NULL);

	for (int i = 0; i < n; i++)
		add_fax(m, i);
	return m;
}

static const char *id_at(const struct view *v, size_t i)
{
	const struct model_fax *mf = view_at(v, i);

	return mf ? mf->fax.id : "(none)";
}

static void test_view_default_order(void)
{
	struct model *m = mk_model(40);
	struct view v;

	view_init(&v, m);
	CU_ASSERT(view_update(&v));
	CU_ASSERT_FALSE(v.indexed); /* no copy for the default view */
	CU_ASSERT_EQUAL(view_count(&v), 40);
	CU_ASSERT_STRING_EQUAL(id_at(&v, 0), "fax_0039");
	CU_ASSERT_STRING_EQUAL(id_at(&v, 39), "fax_0000");
	CU_ASSERT_PTR_NULL(view_at(&v, 40));
	CU_ASSERT_FALSE(view_update(&v)); /* nothing changed: no rebuild */
	add_fax(m, 40);
	CU_ASSERT(view_update(&v));
	CU_ASSERT_STRING_EQUAL(id_at(&v, 0), "fax_0040");
	CU_ASSERT_EQUAL(view_find(&v, "fax_0039", 0), 1);
	CU_ASSERT_EQUAL(view_find(&v, "fax_0039", 1), 1);
	CU_ASSERT_EQUAL(view_find(&v, "fax_nope", 3), SIZE_MAX);
	CU_ASSERT_EQUAL(view_find(&v, "fax_0000", 0), 40); /* far from the hint */
	CU_ASSERT_EQUAL(view_find(&v, "fax_0040", 40), 0);
	CU_ASSERT_EQUAL(view_find(&v, "fax_0020", 999), 20); /* hint past the end */
	CU_ASSERT_EQUAL(view_find(&v, NULL, 0), SIZE_MAX);
	/* Codes in view come from the model when unfiltered. */
	CU_ASSERT_EQUAL(v.n_codes, 2);
	CU_ASSERT_STRING_EQUAL(v.codes[0].code, "busy");
	CU_ASSERT_EQUAL(v.codes[0].count, 5);
	CU_ASSERT_EQUAL(v.codes[1].count, 5);
	view_done(&v);
	model_free(m);
}

static void test_view_filter(void)
{
	struct model *m = mk_model(40);
	struct view v;
	char err[256];

	view_init(&v, m);
	CU_ASSERT_EQUAL(view_set_filter(&v, "status:failed", err, sizeof err), 0);
	view_update(&v);
	CU_ASSERT(v.indexed);
	CU_ASSERT_EQUAL(view_count(&v), 10);
	CU_ASSERT_STRING_EQUAL(id_at(&v, 0), "fax_0039"); /* still newest first */
	CU_ASSERT_STRING_EQUAL(id_at(&v, 9), "fax_0003");
	CU_ASSERT_EQUAL(view_set_filter(&v, "status:failed code:busy", err, sizeof err), 0);
	view_update(&v);
	CU_ASSERT_EQUAL(view_count(&v), 5);
	CU_ASSERT_EQUAL(v.n_codes, 1); /* codes over the filtered view */
	CU_ASSERT_EQUAL(v.codes[0].count, 5);
	CU_ASSERT_EQUAL(view_set_filter(&v, "tag:team=ops", err, sizeof err), 0);
	view_update(&v);
	CU_ASSERT_EQUAL(view_count(&v), 20);
	CU_ASSERT_EQUAL(v.n_codes, 0); /* even ids are never failed */
	CU_ASSERT_EQUAL(view_set_filter(&v, "nonsense:1", err, sizeof err), -1);
	view_update(&v);
	CU_ASSERT_EQUAL(view_count(&v), 20); /* the old filter stays */
	CU_ASSERT_EQUAL(view_set_filter(&v, "", err, sizeof err), 0);
	view_update(&v);
	CU_ASSERT_FALSE(v.indexed);
	CU_ASSERT_EQUAL(view_count(&v), 40);
	view_done(&v);
	model_free(m);
}

static void test_view_sort(void)
{
	struct model *m = mk_model(12);
	struct view v;

	view_init(&v, m);
	view_set_sort(&v, SORT_CREATED, true);
	view_update(&v);
	CU_ASSERT_STRING_EQUAL(id_at(&v, 0), "fax_0000");
	view_set_sort(&v, SORT_TO, false); /* to runs backwards from the ids */
	view_update(&v);
	CU_ASSERT_STRING_EQUAL(id_at(&v, 0), "fax_0011");
	view_set_sort(&v, SORT_UPDATED, false); /* newest update first */
	view_update(&v);
	CU_ASSERT_STRING_EQUAL(id_at(&v, 0), "fax_0000");
	view_set_sort(&v, SORT_STATUS, false);
	view_update(&v);
	CU_ASSERT_EQUAL(view_at(&v, 0)->fax.status, FAX_QUEUED);
	CU_ASSERT_EQUAL(view_at(&v, 11)->fax.status, FAX_FAILED);
	/* Ties keep newest first. */
	CU_ASSERT_STRING_EQUAL(id_at(&v, 0), "fax_0009");
	view_set_sort(&v, SORT_STATUS, true);
	view_update(&v);
	CU_ASSERT_EQUAL(view_at(&v, 0)->fax.status, FAX_FAILED);
	view_set_sort(&v, SORT_CODE, false);
	view_update(&v);
	CU_ASSERT_PTR_NULL(view_at(&v, 0)->fax.error_code); /* no code sorts first */
	CU_ASSERT_STRING_EQUAL(view_at(&v, 11)->fax.error_code, "invalid_number");
	for (int s = 0; s < SORT_COUNT; s++)
		CU_ASSERT(strlen(view_sort_name((enum view_sort)s)) > 0);
	view_done(&v);
	model_free(m);
}

static void test_view_pause(void)
{
	struct model *m = mk_model(10);
	struct view v;
	char err[64];

	view_init(&v, m);
	view_set_paused(&v, true);
	view_update(&v);
	CU_ASSERT_EQUAL(view_count(&v), 10);
	CU_ASSERT_EQUAL(v.n_new, 0);
	add_fax(m, 10);
	add_fax(m, 11);
	add_fax(m, 12);
	view_update(&v);
	CU_ASSERT_EQUAL(view_count(&v), 10); /* new faxes are counted, not shown */
	CU_ASSERT_EQUAL(v.n_new, 3);
	CU_ASSERT_STRING_EQUAL(id_at(&v, 0), "fax_0009");
	/* Same with a filter (the indexed path). */
	view_set_filter(&v, "status:failed", err, sizeof err);
	view_update(&v);
	CU_ASSERT_EQUAL(v.n_new, 3);
	CU_ASSERT_EQUAL(view_count(&v), 2); /* fax_0003 and fax_0007 */
	view_set_paused(&v, false);
	view_update(&v);
	CU_ASSERT_EQUAL(v.n_new, 0);
	CU_ASSERT_EQUAL(view_count(&v), 3); /* fax_0011 joins */
	view_done(&v);
	model_free(m);
}

static void test_export(void)
{
	struct model *m = mk_model(8);
	struct view v;
	char err[64], *buf = NULL;
	size_t len = 0;
	FILE *f;

	view_init(&v, m);
	view_set_filter(&v, "status:failed", err, sizeof err);
	view_update(&v);
	f = open_memstream(&buf, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL(tui_export_csv(&v, f), 0);
	fclose(f);
	CU_ASSERT_PTR_NOT_NULL(strstr(buf,
				      "id,created_at,updated_at,completed_at,status,to,pages,"
				      "attempts,max_attempts,error_code,error_message,"
				      "resent_from,tags\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf,
				      "fax_0007,2025-05-13T22:00:07Z,2025-05-13T22:01:33Z,,"
				      "failed,+12125559992,2,0,,busy,"
				      "\"a \"\"quoted\"\", message\",,\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "fax_0003,"));
	CU_ASSERT_PTR_NULL(strstr(buf, "fax_0002"));
	free(buf);
	buf = NULL;
	f = open_memstream(&buf, &len);
	CU_ASSERT_EQUAL(tui_export_json(&v, f), 0);
	fclose(f);
	CU_ASSERT_EQUAL(buf[0], '[');
	CU_ASSERT(strstr(buf, "\"id\":\"fax_0007\"") || strstr(buf, "\"id\": \"fax_0007\""));
	CU_ASSERT_PTR_NULL(strstr(buf, "fax_0002"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "\n]\n"));
	free(buf);
	view_done(&v);
	model_free(m);
}

static void test_columns_two_flex(void)
{
	static const struct col_spec specs[] = {
		{ "a", 4, 4, 0, false },
		{ "b", 10, 10, 0, true },
		{ "c", 6, 6, 1, true },
	};
	int w[3];

	CU_ASSERT_EQUAL(layout_columns(specs, 3, 33, w), 3);
	CU_ASSERT_EQUAL(w[0], 4);
	CU_ASSERT_EQUAL(w[0] + w[1] + w[2] + 2, 33);
	CU_ASSERT_EQUAL(w[1] - 10 + (w[2] - 6), 11); /* the spare is shared */
	CU_ASSERT(w[1] - 10 >= 5 && w[2] - 6 >= 5);
}

static const struct unit_test tests[] = {
	{ "default view is the creation index backwards", test_view_default_order },
	{ "filters narrow the view and its codes", test_view_filter },
	{ "sorts and ties", test_view_sort },
	{ "pause counts new faxes", test_view_pause },
	{ "export csv and json of the view", test_export },
	{ "flexible columns share the spare width", test_columns_two_flex },
	{ NULL, NULL },
};

UNIT_SUITE(tui_view, NULL, NULL, tests);
