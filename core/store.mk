# core/ store (SQLite) and ingest (the one door for every source)
core_libfaxcore_a_SOURCES += \
	core/store.c core/store.h \
	core/ingest.c core/ingest.h \
	core/triage.c core/triage.h
tests_unit_run_unit_SOURCES += \
	tests/unit/test_store.c \
	tests/unit/test_ingest.c \
	tests/unit/test_triage.c
# Team mode (issue 18): libpq on the loop, and the throwaway cluster the
# tests run against.
core_libfaxcore_a_SOURCES += core/pg_ev.c core/pg_ev.h
check_PROGRAMS += tests/integration/pg_ev_probe
tests_integration_pg_ev_probe_SOURCES = tests/integration/pg_ev_probe.c
tests_integration_pg_ev_probe_LDADD = core/libfaxcore.a $(CORE_LIBS)
TEAM_TESTS = tests/integration/team_pg_cluster.sh tests/integration/team_pg_ev.sh
TESTS += $(TEAM_TESTS)
EXTRA_DIST += $(TEAM_TESTS) tests/integration/pg_lib.sh
