# core/store: the store (SQLite), ingest (the one door for every source), triage, libpq on the loop
core_libfaxcore_a_SOURCES += \
	core/store/store.h core/store/store_int.h core/store/store_open.c \
	core/store/store_db.c core/store/store_ckpt.c core/store/store_schema.c \
	core/store/store_commit.c core/store/store_rows.c core/store/store_ledger.c \
	core/store/store_fax.c core/store/store_load.c core/store/store_loader.c \
	core/store/store_record.c core/store/store_record.h \
	core/store/store_faxcols.c core/store/store_faxcols.h \
	core/store/ingest.c core/store/ingest.h \
	core/store/triage.c core/store/triage.h
tests_unit_run_unit_SOURCES += \
	tests/unit/test_store.c \
	tests/unit/test_store_faxcols.c \
	tests/unit/test_ingest.c \
	tests/unit/test_triage.c
# Team mode (issue 18): libpq on the loop, and the throwaway cluster the
# tests run against.
core_libfaxcore_a_SOURCES += core/store/pg_ev.c core/store/pg_ev.h
check_PROGRAMS += tests/integration/pg_ev_probe
tests_integration_pg_ev_probe_SOURCES = tests/integration/pg_ev_probe.c
tests_integration_pg_ev_probe_LDADD = core/libfaxcore.a $(CORE_LIBS)
TEAM_TESTS = tests/integration/team_pg_cluster.sh tests/integration/team_pg_ev.sh
TESTS += $(TEAM_TESTS)
EXTRA_DIST += $(TEAM_TESTS) tests/integration/pg_lib.sh
# The PostgreSQL store (schema, events, leadership, claims) and its probe.
core_libfaxcore_a_SOURCES += core/store/pg_store.c core/store/pg_store.h \
	core/store/pg_store_int.h core/store/pg_store_team.c
check_PROGRAMS += tests/integration/pg_store_probe
tests_integration_pg_store_probe_SOURCES = tests/integration/pg_store_probe.c
tests_integration_pg_store_probe_LDADD = core/libfaxcore.a $(CORE_LIBS)
TEAM_STORE_TESTS = tests/integration/team_pg_schema.sh tests/integration/team_pg_events.sh \
	tests/integration/team_pg_lead.sh tests/integration/team_pg_claim.sh \
	tests/integration/team_pg_outage.sh
TESTS += $(TEAM_STORE_TESTS)
EXTRA_DIST += $(TEAM_STORE_TESTS)
