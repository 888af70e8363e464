# core/ store (SQLite) and ingest (the one door for every source)
core_libfaxcore_a_SOURCES += \
	core/store.c core/store.h \
	core/ingest.c core/ingest.h \
	core/triage.c core/triage.h
tests_unit_run_unit_SOURCES += \
	tests/unit/test_store.c \
	tests/unit/test_ingest.c \
	tests/unit/test_triage.c
