# core/wire: mintfax's JSON read into our types and written back (json-c
# stays inside this area)
core_libfaxcore_a_SOURCES += \
	core/wire/event_parse.c core/wire/event_parse.h core/wire/wire_int.h \
	core/wire/wire_ctx.c core/wire/json_read.c core/wire/json_scan.c \
	core/wire/event_write.c
tests_unit_run_unit_SOURCES += \
	tests/unit/test_event_parse.c tests/unit/test_json_scan.c
