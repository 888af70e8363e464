/* The triage views' pure parts: the attempt trail, time in state and
 * "stuck", the walk through a resend chain, failures grouped by
 * destination and code, the list's column widths, the attempts pane that
 * shrinks, the clipboard's id check and base64, and free text matching a
 * tag as the list shows it. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/model/event.h"
#include "core/model/model.h"
#include "tests/unit/unit.h"
#include "tui/copy.h"
#include "tui/filter.h"
#include "tui/layout.h"
#include "tui/panes/pane.h"
#include "tui/worklist.h"

#define NOW 1747173600000LL
#define MIN (60 * 1000LL)

static void attempt(struct fax *f, int64_t start, int64_t dur, const char *code)
{
	f->attempts = realloc(f->attempts, (f->n_attempts + 1) * sizeof *f->attempts);
	fax_attempt_init(&f->attempts[f->n_attempts]);
	f->attempts[f->n_attempts].number = (int)f->n_attempts + 1;
	f->attempts[f->n_attempts].started_at = start;
	f->attempts[f->n_attempts].completed_at = dur < 0 ? TS_NONE : start + dur;
	f->attempts[f->n_attempts].duration_ms = dur;
	f->attempts[f->n_attempts].error_code = code ? strdup(code) : NULL;
	f->n_attempts++;
}

/* A fax in the model: `ago` minutes old, failed with `code` (NULL: in
 * progress), resent from `from` (or NULL). */
static void put(struct model *m, const char *id, const char *to, const char *code, int64_t ago,
		const char *from)
{
	struct fax f;

	fax_init(&f);
	f.id = strdup(id);
	f.to = strdup(to);
	f.created_at = NOW - ago * MIN - MIN;
	f.updated_at = NOW - ago * MIN;
	f.status = code ? FAX_FAILED : FAX_IN_PROGRESS;
	if (code) {
		f.error_code = strdup(code);
		f.completed_at = NOW - ago * MIN;
	}
	if (from)
		f.resent_from = strdup(from);
	CU_ASSERT_EQUAL(model_apply_fax(m, &f, SRC_API, NOW), APPLY_OK);
	fax_done(&f);
}

static void test_trail(void)
{
	struct fax f;
	char buf[128];

	fax_init(&f);
	worklist_trail(&f, ">", buf, sizeof buf);
	CU_ASSERT_STRING_EQUAL(buf, "");
	attempt(&f, NOW, 1000, "busy");
	attempt(&f, NOW, 1000, "busy");
	attempt(&f, NOW, 1000, "no_answer");
	worklist_trail(&f, "\u203a", buf, sizeof buf);
	CU_ASSERT_STRING_EQUAL(buf, "busy\u203abusy\u203ano_answer");
	attempt(&f, NOW, 1000, NULL);
	attempt(&f, NOW, -1, NULL);
	worklist_trail(&f, ">", buf, sizeof buf);
	CU_ASSERT_STRING_EQUAL(buf, "busy>busy>no_answer>ok>sending");
	worklist_trail(&f, ">", buf, 8); /* cut, still terminated */
	CU_ASSERT_STRING_EQUAL(buf, "busy>bu");
	fax_done(&f);
}

static void test_stuck(void)
{
	struct model *m = model_new(NULL);
	const struct model_fax *mf;

	put(m, "fax_old", "+12125550001", NULL, 30, NULL);
	put(m, "fax_new", "+12125550002", NULL, 2, NULL);
	put(m, "fax_failed", "+12125550003", "busy", 30, NULL);
	mf = model_get(m, "fax_old");
	CU_ASSERT_EQUAL(worklist_state_since(mf), NOW - 30 * MIN);
	CU_ASSERT(worklist_stuck(mf, NOW, 10 * MIN));
	CU_ASSERT_FALSE(worklist_stuck(mf, NOW, 31 * MIN));
	CU_ASSERT_FALSE(worklist_stuck(mf, NOW, 0)); /* 0 turns it off */
	CU_ASSERT_FALSE(worklist_stuck(model_get(m, "fax_new"), NOW, 10 * MIN));
	/* A finished fax is never stuck, however old. */
	CU_ASSERT_FALSE(worklist_stuck(model_get(m, "fax_failed"), NOW, 10 * MIN));
	model_free(m);
}

static void test_chain(void)
{
	struct model *m = model_new(NULL);

	/* a -> b, a -> c; b -> d. The walk: a b d c. */
	put(m, "fax_a", "+1", "busy", 50, NULL);
	put(m, "fax_b", "+1", "busy", 40, "fax_a");
	put(m, "fax_c", "+1", NULL, 20, "fax_a");
	put(m, "fax_d", "+1", "busy", 30, "fax_b");
	put(m, "fax_x", "+2", "busy", 30, NULL);
	CU_ASSERT_STRING_EQUAL(worklist_chain_next(m, "fax_a"), "fax_b");
	CU_ASSERT_STRING_EQUAL(worklist_chain_next(m, "fax_b"), "fax_d");
	CU_ASSERT_STRING_EQUAL(worklist_chain_next(m, "fax_d"), "fax_c");
	CU_ASSERT_PTR_NULL(worklist_chain_next(m, "fax_c"));
	CU_ASSERT_PTR_NULL(worklist_chain_next(m, "fax_x"));
	CU_ASSERT_PTR_NULL(worklist_chain_next(m, "fax_nope"));
	CU_ASSERT_PTR_NULL(worklist_chain_next(m, NULL));
	model_free(m);
}

static void test_failures_grouped(void)
{
	struct model *m = model_new(NULL);
	struct worklist_failures tf = { 0 };

	put(m, "fax_1", "+13015550123", "busy", 5, NULL);       /* hour */
	put(m, "fax_2", "+13015550123", "no_answer", 90, NULL); /* day */
	put(m, "fax_3", "+13015550123", "busy", 600, NULL);     /* day */
	put(m, "fax_4", "+12125550000", "busy", 20, NULL);      /* hour */
	put(m, "fax_5", "+12125550000", "busy", 25 * 60, NULL); /* too old */
	put(m, "fax_6", "+14155550000", NULL, 3, NULL);         /* not failed */
	CU_ASSERT_EQUAL(worklist_failures_build(&tf, m, NOW), 0);
	CU_ASSERT_EQUAL(tf.day, 4);
	CU_ASSERT_EQUAL(tf.hour, 2);
	CU_ASSERT_EQUAL_FATAL(tf.n_to, 2);
	CU_ASSERT_STRING_EQUAL(tf.by_to[0].key, "+13015550123"); /* most in the day first */
	CU_ASSERT_EQUAL(tf.by_to[0].day, 3);
	CU_ASSERT_EQUAL(tf.by_to[0].hour, 1);
	CU_ASSERT_EQUAL(tf.by_to[0].last_ms, NOW - 5 * MIN);
	CU_ASSERT_STRING_EQUAL(tf.by_to[1].key, "+12125550000");
	CU_ASSERT_EQUAL(tf.by_to[1].day, 1);
	CU_ASSERT_EQUAL_FATAL(tf.n_code, 2);
	CU_ASSERT_STRING_EQUAL(tf.by_code[0].key, "busy");
	CU_ASSERT_EQUAL(tf.by_code[0].day, 3);
	CU_ASSERT_EQUAL(tf.by_code[0].hour, 2);
	CU_ASSERT_STRING_EQUAL(tf.by_code[1].key, "no_answer");
	CU_ASSERT_EQUAL(tf.by_code[1].hour, 0);
	/* An hour later, the first ones leave the hour. */
	CU_ASSERT_EQUAL(worklist_failures_build(&tf, m, NOW + 60 * MIN), 0);
	CU_ASSERT_EQUAL(tf.hour, 0);
	CU_ASSERT_EQUAL(tf.day, 4);
	worklist_failures_done(&tf);
	CU_ASSERT_EQUAL(tf.n_to, 0);
	CU_ASSERT_PTR_NULL(tf.by_to);
	model_free(m);
}

static int visible_width(const int *w)
{
	int total = 0, n = 0;

	for (int c = 0; c < COL_N; c++)
		if (w[c]) {
			total += w[c];
			n++;
		}
	return total + n - 1;
}

static void test_list_columns(void)
{
	int w[COL_N];

	/* A 26-column mintfax id whole at 80x24 (78 inside the frame): the
	 * tags, pages, trail and clock columns give way first. */
	faxes_columns(78, 26, w);
	CU_ASSERT_EQUAL(w[COL_ID], 26);
	CU_ASSERT(w[COL_STATUS] > 0 && w[COL_TO] > 0 && w[COL_CODE] >= 10);
	CU_ASSERT_EQUAL(w[COL_TAGS], 0);
	CU_ASSERT_EQUAL(w[COL_TRAIL], 0);
	CU_ASSERT(visible_width(w) <= 78);
	/* 100 columns: room for the trail too. */
	faxes_columns(98, 26, w);
	CU_ASSERT_EQUAL(w[COL_ID], 26);
	CU_ASSERT(w[COL_TRAIL] > 0);
	CU_ASSERT(visible_width(w) <= 98);
	/* Wide: everything, tags included. */
	faxes_columns(158, 26, w);
	CU_ASSERT_EQUAL(w[COL_ID], 26);
	CU_ASSERT(w[COL_TAGS] > 0 && w[COL_SINCE] > 0 && w[COL_AGE] > 0);
	CU_ASSERT_EQUAL(visible_width(w), 158);
	/* Tags go before anything else. */
	faxes_columns(120, 26, w);
	if (!w[COL_PAGES])
		CU_ASSERT_EQUAL(w[COL_TAGS], 0);
	/* An absurd id is capped, and the must-show columns still fit. */
	faxes_columns(78, 300, w);
	CU_ASSERT_EQUAL(w[COL_ID], FAXES_ID_MAX_COLS);
	CU_ASSERT(visible_width(w) <= 78);
}

static void test_attempts_pane_shrinks(void)
{
	struct layout l, before;

	/* Narrow: the list takes what the attempts pane does not need. */
	layout_compute(24, 80, &l);
	CU_ASSERT_FATAL(l.visible[LP_ATTEMPTS]);
	before = l;
	layout_fit_attempts(&l, 2);
	CU_ASSERT_EQUAL(l.pane[LP_ATTEMPTS].h, 4);
	CU_ASSERT_EQUAL(l.pane[LP_FAXES].h + l.pane[LP_ATTEMPTS].h,
			before.pane[LP_FAXES].h + before.pane[LP_ATTEMPTS].h);
	CU_ASSERT_EQUAL(l.pane[LP_ATTEMPTS].y, l.pane[LP_FAXES].y + l.pane[LP_FAXES].h);
	CU_ASSERT_EQUAL(l.pane[LP_ATTEMPTS].y + l.pane[LP_ATTEMPTS].h,
			before.pane[LP_ATTEMPTS].y + before.pane[LP_ATTEMPTS].h);
	/* Enough attempts to fill it: nothing moves. */
	l = before;
	layout_fit_attempts(&l, 40);
	CU_ASSERT_EQUAL(memcmp(&l, &before, sizeof l), 0);
	/* Wide: the pane below (balance) grows upward. */
	layout_compute(48, 160, &l);
	before = l;
	layout_fit_attempts(&l, 2);
	CU_ASSERT_EQUAL(l.pane[LP_ATTEMPTS].h, 4);
	CU_ASSERT_EQUAL(l.pane[LP_FAXES].h, before.pane[LP_FAXES].h);
	CU_ASSERT_EQUAL(l.pane[LP_BALANCE].y, l.pane[LP_ATTEMPTS].y + 4);
	CU_ASSERT_EQUAL(l.pane[LP_BALANCE].y + l.pane[LP_BALANCE].h,
			before.pane[LP_BALANCE].y + before.pane[LP_BALANCE].h);
}

static void test_copy_id(void)
{
	char b[128];

	CU_ASSERT(copy_id_valid("fax_8aZqRm4yT3vK7pNxJ2bH9c"));
	CU_ASSERT(copy_id_valid("9c1a2b3d-0000"));
	CU_ASSERT_FALSE(copy_id_valid(""));
	CU_ASSERT_FALSE(copy_id_valid(NULL));
	CU_ASSERT_FALSE(copy_id_valid("fax_1\033]52;c;aGk=\007"));
	CU_ASSERT_FALSE(copy_id_valid("fax 1"));
	CU_ASSERT_FALSE(copy_id_valid("fax_\xC3\xA9"));
	memset(b, 'a', 64);
	b[64] = '\0';
	CU_ASSERT_FALSE(copy_id_valid(b)); /* longer than COPY_ID_MAX */
	b[63] = '\0';
	CU_ASSERT(copy_id_valid(b));
	CU_ASSERT_EQUAL(copy_base64("fax_000117", b, sizeof b), 16);
	CU_ASSERT_STRING_EQUAL(b, "ZmF4XzAwMDExNw==");
	copy_base64("ab", b, sizeof b);
	CU_ASSERT_STRING_EQUAL(b, "YWI=");
	copy_base64("abc", b, sizeof b);
	CU_ASSERT_STRING_EQUAL(b, "YWJj");
	CU_ASSERT_EQUAL(copy_base64("abcd", b, 8), 0); /* needs 9 */
	CU_ASSERT_STRING_EQUAL(b, "");
}

static void test_filter_tag_as_shown(void)
{
	struct model *m = model_new(NULL);
	struct fax f;
	struct filter flt;
	char err[128];

	fax_init(&f);
	f.id = strdup("fax_tagged");
	f.status = FAX_QUEUED;
	f.tags = calloc(1, sizeof *f.tags);
	f.tags[0].key = strdup("dept");
	f.tags[0].value = strdup("legal");
	f.n_tags = 1;
	model_apply_fax(m, &f, SRC_API, NOW);
	fax_done(&f);
	filter_init(&flt);
	CU_ASSERT_EQUAL(filter_parse(&flt, "dept=legal", err, sizeof err), 0);
	CU_ASSERT(filter_match(&flt, model_get(m, "fax_tagged")));
	CU_ASSERT_EQUAL(filter_parse(&flt, "DEPT=leg", err, sizeof err), 0);
	CU_ASSERT(filter_match(&flt, model_get(m, "fax_tagged")));
	CU_ASSERT_EQUAL(filter_parse(&flt, "dept=sales", err, sizeof err), 0);
	CU_ASSERT_FALSE(filter_match(&flt, model_get(m, "fax_tagged")));
	CU_ASSERT_EQUAL(filter_parse(&flt, "retrying", err, sizeof err), 0);
	CU_ASSERT_FALSE(filter_match(&flt, model_get(m, "fax_tagged")));
	/* Between attempts after a busy line: the row says "retrying". */
	fax_init(&f);
	f.id = strdup("fax_retry");
	f.status = FAX_SUBMITTED;
	f.max_attempts = 3;
	attempt(&f, NOW - MIN, 30000, "busy");
	model_apply_fax(m, &f, SRC_API, NOW);
	fax_done(&f);
	CU_ASSERT_FATAL(model_get(m, "fax_retry")->retrying);
	CU_ASSERT(filter_match(&flt, model_get(m, "fax_retry")));
	filter_done(&flt);
	model_free(m);
}

static const struct unit_test tests[] = {
	{ "attempt trail", test_trail },
	{ "time in state and stuck", test_stuck },
	{ "resend chain walk", test_chain },
	{ "failures by destination and code, hour and day", test_failures_grouped },
	{ "list columns keep ids whole", test_list_columns },
	{ "attempts pane shrinks to its attempts", test_attempts_pane_shrinks },
	{ "copy-id: only a valid id, base64", test_copy_id },
	{ "free text matches key=value as shown", test_filter_tag_as_shown },
	{ NULL, NULL },
};

UNIT_SUITE(tui_worklist, NULL, NULL, tests);
