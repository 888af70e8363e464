# core/base: options, log, clock, sanitize, errors, secrets, xalloc, netaddr
core_libfaxcore_a_SOURCES += \
	core/base/options.c core/base/options.h core/base/options_int.h \
	core/base/options_parse.c \
	core/base/log.c core/base/log.h \
	core/base/clock.c core/base/clock.h \
	core/base/sanitize.c core/base/sanitize.h \
	core/base/errors.c core/base/errors.h \
	core/base/secrets.c core/base/secrets.h \
	core/base/xalloc.c core/base/xalloc.h \
	core/base/names.h \
	core/base/netaddr.c core/base/netaddr.h
tests_unit_run_unit_SOURCES += \
	tests/unit/test_options.c \
	tests/unit/test_sanitize.c \
	tests/unit/test_errors.c \
	tests/unit/test_log.c \
	tests/unit/test_clock.c \
	tests/unit/test_secrets.c \
	tests/unit/test_xalloc.c \
	tests/unit/test_names.c

# The man page generator, and the test that keeps docs/faxtop.1 in step with
# the option table. `make update-man` rewrites the page in the source tree.
check_PROGRAMS += tools/mkman
tools_mkman_SOURCES = tools/mkman.c
tools_mkman_LDADD = core/libfaxcore.a $(CORE_LIBS)
BASE_TESTS = tests/integration/base_manpage.sh tests/integration/base_usage.sh
TESTS += $(BASE_TESTS)
EXTRA_DIST += $(BASE_TESTS)

update-man: tools/mkman$(EXEEXT)
	./tools/mkman$(EXEEXT) >$(srcdir)/docs/faxtop.1.tmp && \
	mv $(srcdir)/docs/faxtop.1.tmp $(srcdir)/docs/faxtop.1
.PHONY: update-man
