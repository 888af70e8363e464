# core/ foundation: config, log, clock, sanitize, errors, secrets
core_libfaxcore_a_SOURCES += \
	core/config.c core/config.h \
	core/log.c core/log.h \
	core/clock.c core/clock.h \
	core/sanitize.c core/sanitize.h \
	core/errors.c core/errors.h \
	core/secrets.c core/secrets.h
tests_unit_run_unit_SOURCES += \
	tests/unit/test_config.c \
	tests/unit/test_sanitize.c \
	tests/unit/test_errors.c \
	tests/unit/test_log.c \
	tests/unit/test_clock.c \
	tests/unit/test_secrets.c
