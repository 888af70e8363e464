/* Triage states: derived from resent_from links, kept for dismissals and
 * resends in flight, and read back from the store after a restart. */
#include "config.h"

#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/model/model.h"
#include "core/store/store.h"
#include "core/store/triage.h"
#include "tests/unit/unit.h"

static void add(struct model *m, const char *id, enum fax_status st, const char *from, int64_t at)
{
	struct fax f;

	fax_init(&f);
	f.id = strdup(id);
	f.to = strdup("+12125550100");
	f.status = st;
	f.error_code = st == FAX_FAILED ? strdup("busy") : NULL;
	f.resent_from = from ? strdup(from) : NULL;
	f.created_at = at;
	f.max_attempts = 3;
	model_apply_fax(m, &f, SRC_API, at);
	fax_done(&f);
}

static enum triage_state state_of(const struct triage *tr, const struct model *m, const char *id,
				  struct triage_info *ti)
{
	struct triage_info local;

	if (!ti)
		ti = &local;
	triage_of(tr, m, model_get(m, id), ti);
	return ti->state;
}

static void test_derived_states(void)
{
	struct model *m = model_new(NULL);
	struct triage *tr = triage_new();
	struct triage_info ti;

	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);
	add(m, "fax_a", FAX_FAILED, NULL, 1000);
	add(m, "fax_ok", FAX_DELIVERED, NULL, 1500);
	CU_ASSERT_EQUAL(state_of(tr, m, "fax_a", &ti), TRIAGE_UNRESOLVED);
	CU_ASSERT_TRUE(ti.head);
	CU_ASSERT_PTR_NULL(ti.last);
	CU_ASSERT_EQUAL(state_of(tr, m, "fax_ok", NULL), TRIAGE_NONE);

	/* A resend on its way, then delivered: resent, showing the resend. */
	add(m, "fax_a2", FAX_QUEUED, "fax_a", 2000);
	CU_ASSERT_EQUAL(state_of(tr, m, "fax_a", &ti), TRIAGE_RESENT);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ti.last);
	CU_ASSERT_STRING_EQUAL(ti.last->fax.id, "fax_a2");
	add(m, "fax_a2", FAX_DELIVERED, "fax_a", 2000);
	CU_ASSERT_EQUAL(state_of(tr, m, "fax_a", NULL), TRIAGE_RESENT);
	CU_ASSERT_EQUAL(triage_count(tr, m, TRIAGE_UNRESOLVED), 0);

	/* A failed resend makes the case unresolved again; the chain shows,
	 * and the failed resend is part of the case, not a second one. */
	add(m, "fax_b", FAX_FAILED, NULL, 3000);
	add(m, "fax_b2", FAX_FAILED, "fax_b", 4000);
	CU_ASSERT_EQUAL(state_of(tr, m, "fax_b", &ti), TRIAGE_UNRESOLVED);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ti.last);
	CU_ASSERT_STRING_EQUAL(ti.last->fax.id, "fax_b2");
	CU_ASSERT_EQUAL(state_of(tr, m, "fax_b2", &ti), TRIAGE_UNRESOLVED);
	CU_ASSERT_FALSE(ti.head);
	CU_ASSERT_EQUAL(triage_count(tr, m, TRIAGE_UNRESOLVED), 1);
	/* Resending the failed resend: the whole case is resending. */
	CU_ASSERT_EQUAL(triage_set_pending(tr, "fax_b2", true), 0);
	CU_ASSERT_EQUAL(state_of(tr, m, "fax_b", NULL), TRIAGE_RESENDING);
	CU_ASSERT_EQUAL(triage_count(tr, m, TRIAGE_RESENDING), 1);
	triage_set_pending(tr, "fax_b2", false);
	add(m, "fax_b3", FAX_DELIVERED, "fax_b2", 5000);
	CU_ASSERT_EQUAL(state_of(tr, m, "fax_b", &ti), TRIAGE_RESENT);
	CU_ASSERT_STRING_EQUAL(ti.last->fax.id, "fax_b3");

	/* A loop in hostile data ends. */
	add(m, "fax_x", FAX_FAILED, "fax_y", 6000);
	add(m, "fax_y", FAX_FAILED, "fax_x", 6001);
	state_of(tr, m, "fax_x", NULL);
	triage_free(tr);
	model_free(m);
}

static void test_dismiss_and_undo(void)
{
	struct model *m = model_new(NULL);
	struct triage *tr = triage_new();
	struct triage_info ti;
	uint64_t g;

	add(m, "fax_a", FAX_FAILED, NULL, 1000);
	g = triage_generation(tr);
	CU_ASSERT_EQUAL(triage_dismiss(tr, NULL, "fax_a", "number retired", "ops@desk1", 5), 0);
	CU_ASSERT_NOT_EQUAL(triage_generation(tr), g);
	CU_ASSERT_EQUAL(state_of(tr, m, "fax_a", &ti), TRIAGE_DISMISSED);
	CU_ASSERT_STRING_EQUAL(ti.note, "number retired");
	CU_ASSERT_EQUAL(triage_count(tr, m, TRIAGE_DISMISSED), 1);
	CU_ASSERT_EQUAL(triage_undismiss(tr, NULL, "fax_a"), 0);
	CU_ASSERT_EQUAL(state_of(tr, m, "fax_a", NULL), TRIAGE_UNRESOLVED);
	CU_ASSERT_EQUAL(triage_undismiss(tr, NULL, "fax_a"), -1); /* nothing to undo */
	/* Who resent it: the newest known resend wins; a dismissal's who goes
	 * with its undoing. */
	struct triage_who w;
	CU_ASSERT_EQUAL(triage_note_resend(tr, "fax_a", "ops@desk1", 50), 0);
	CU_ASSERT_EQUAL(triage_note_resend(tr, "fax_a", "ops@desk2", 40), 0);
	triage_who(tr, "fax_a", &w);
	CU_ASSERT_STRING_EQUAL(w.resent_by ? w.resent_by : "", "ops@desk1");
	CU_ASSERT_EQUAL(w.resent_at_ms, 50);
	CU_ASSERT_PTR_NULL(w.dismissed_by);
	CU_ASSERT_EQUAL(w.dismissed_at_ms, TS_NONE);
	CU_ASSERT_EQUAL(triage_note_resend(tr, "fax_a", "", 60), -1);
	triage_forget_resend(tr, "fax_a"); /* its claim given back: nothing was made */
	triage_who(tr, "fax_a", &w);
	CU_ASSERT_PTR_NULL(w.resent_by);
	CU_ASSERT_EQUAL(w.resent_at_ms, TS_NONE);
	triage_forget_resend(tr, "fax_zz"); /* unknown: nothing happens */
	/* A resend that is on its way outranks a dismissal. */
	triage_dismiss(tr, NULL, "fax_a", NULL, NULL, 6);
	add(m, "fax_a2", FAX_IN_PROGRESS, "fax_a", 2000);
	CU_ASSERT_EQUAL(state_of(tr, m, "fax_a", &ti), TRIAGE_RESENT);
	CU_ASSERT_EQUAL(triage_state_from_name("dismissed"), TRIAGE_DISMISSED);
	CU_ASSERT_EQUAL(triage_state_from_name("bogus"), -1);
	CU_ASSERT_STRING_EQUAL(triage_state_name(TRIAGE_RESENDING), "resending");
	triage_free(tr);
	model_free(m);
}

/* Dismissals and keys in flight come back after a restart. */
static void test_survives_restart(void)
{
	char path[512], err[256];
	struct store_opts so = { .path = path };
	struct store *s;
	struct triage *tr;
	struct model *m = model_new(NULL);

	snprintf(path, sizeof path, "%s/triage.db", unit_tmpdir());
	s = store_open(&so, err, sizeof err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	tr = triage_new();
	CU_ASSERT_EQUAL(triage_dismiss(tr, s, "fax_a", "dup of fax_z", "ops@desk2", 7), 0);
	CU_ASSERT_EQUAL(triage_dismiss(tr, s, "fax_c", NULL, NULL, 7), 0);
	CU_ASSERT_EQUAL(triage_undismiss(tr, s, "fax_c"), 0);
	struct store_ledger_row row = {
		.key = "k1", .fax_id = "fax_b", .state = "pending", .created_ms = 1, .updated_ms = 1
	};
	CU_ASSERT_EQUAL(store_ledger_put(s, &row), 0);
	struct store_ledger_row sent = { .key = "k2", .fax_id = "fax_c", .state = "sent",
					 .who = "ops@desk3", .created_ms = 2, .updated_ms = 3 };
	CU_ASSERT_EQUAL(store_ledger_put(s, &sent), 0);
	CU_ASSERT_EQUAL(store_commit(s), 0);
	store_close(s);
	triage_free(tr);

	s = store_open(&so, err, sizeof err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	tr = triage_new();
	CU_ASSERT_EQUAL(triage_load(tr, s), 0);
	add(m, "fax_a", FAX_FAILED, NULL, 1);
	add(m, "fax_b", FAX_FAILED, NULL, 2);
	add(m, "fax_c", FAX_FAILED, NULL, 3);
	const char *note = NULL;
	CU_ASSERT_TRUE(triage_is_dismissed(tr, "fax_a", &note));
	CU_ASSERT_STRING_EQUAL(note ? note : "", "dup of fax_z");
	struct triage_who w;
	triage_who(tr, "fax_a", &w); /* who dismissed it survives the restart too */
	CU_ASSERT_STRING_EQUAL(w.dismissed_by ? w.dismissed_by : "", "ops@desk2");
	CU_ASSERT_EQUAL(w.dismissed_at_ms, 7);
	CU_ASSERT_PTR_NULL(w.resent_by);
	triage_who(tr, "fax_c", &w); /* who resent it, from the ledger */
	CU_ASSERT_STRING_EQUAL(w.resent_by ? w.resent_by : "", "ops@desk3");
	CU_ASSERT_EQUAL(w.resent_at_ms, 3);
	CU_ASSERT_EQUAL(state_of(tr, m, "fax_b", NULL), TRIAGE_RESENDING);
	CU_ASSERT_EQUAL(state_of(tr, m, "fax_c", NULL), TRIAGE_UNRESOLVED);
	triage_free(tr);
	store_close(s);
	model_free(m);
}

static const struct unit_test tests[] = {
	{ "states derive from resent_from; a failed resend reopens the case", test_derived_states },
	{ "dismiss with a note, undo, and a resend outranks it", test_dismiss_and_undo },
	{ "dismissals and keys in flight survive a restart", test_survives_restart },
	{ 0 },
};

UNIT_SUITE(triage, NULL, NULL, tests);
