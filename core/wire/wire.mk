# core/wire: mintfax's JSON read into our types and written back (json-c
# stays inside this area)
core_libfaxcore_a_SOURCES += \
	core/wire/event_parse.c core/wire/event_parse.h
tests_unit_run_unit_SOURCES += \
	tests/unit/test_event_parse.c
