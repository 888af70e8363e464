# core/ model: event types, event parsing (json-c stays inside), the model
core_libfaxcore_a_SOURCES += \
	core/event.c core/event.h \
	core/event_parse.c core/event_parse.h \
	core/model.c core/model.h
tests_unit_run_unit_SOURCES += \
	tests/unit/test_event.c \
	tests/unit/test_event_parse.c \
	tests/unit/test_model.c
