# Fuzz targets. Each tests/fuzz/fuzz_NAME.c defines LLVMFuzzerTestOneInput and
# has a seed corpus in tests/fuzz/corpus/NAME/.
#
# ./configure --enable-fuzzing CC=clang: the targets are libFuzzer binaries
# (-fsanitize=fuzzer,address,undefined; the libraries get coverage and
# sanitizer instrumentation) and `make fuzz-smoke` fuzzes each one for
# FUZZ_SECONDS (default 60) starting from its corpus, failing on any crash,
# leak or timeout.
#
# Any other build links the same targets with tests/fuzz/standalone.c and
# `make check` replays every corpus file through them (tests/fuzz/replay.sh),
# so the seeds and every saved crash reproducer are regression tests under
# gcc, valgrind and the sanitizer build too.
FUZZ_TARGETS = \
	tests/fuzz/fuzz_sanitize \
	tests/fuzz/fuzz_api \
	tests/fuzz/fuzz_http \
	tests/fuzz/fuzz_signature \
	tests/fuzz/fuzz_event \
	tests/fuzz/fuzz_json \
	tests/fuzz/fuzz_config \
	tests/fuzz/fuzz_theme
FUZZ_LDADD = core/libfaxcore.a $(CORE_LIBS)
FUZZ_SECONDS = 60
FUZZ_FLAGS = -timeout=30 -rss_limit_mb=2048 -max_len=65536

tests_fuzz_fuzz_sanitize_SOURCES = tests/fuzz/fuzz_sanitize.c tests/fuzz/fuzz.h
tests_fuzz_fuzz_sanitize_LDADD = $(FUZZ_LDADD)
tests_fuzz_fuzz_api_SOURCES = tests/fuzz/fuzz_api.c tests/fuzz/fuzz.h
tests_fuzz_fuzz_api_LDADD = $(FUZZ_LDADD)
tests_fuzz_fuzz_http_SOURCES = tests/fuzz/fuzz_http.c tests/fuzz/fuzz.h
tests_fuzz_fuzz_http_LDADD = $(FUZZ_LDADD)
tests_fuzz_fuzz_theme_SOURCES = tests/fuzz/fuzz_theme.c tests/fuzz/fuzz.h
tests_fuzz_fuzz_theme_CFLAGS = $(AM_CFLAGS) $(NCURSES_CFLAGS)
tests_fuzz_fuzz_theme_LDADD = tui/libfaxtui.a $(FUZZ_LDADD) $(NCURSES_LIBS)
tests_fuzz_fuzz_config_SOURCES = tests/fuzz/fuzz_config.c tests/fuzz/fuzz.h
tests_fuzz_fuzz_config_LDADD = $(FUZZ_LDADD)
tests_fuzz_fuzz_event_SOURCES = tests/fuzz/fuzz_event.c tests/fuzz/fuzz.h
tests_fuzz_fuzz_event_LDADD = $(FUZZ_LDADD)
tests_fuzz_fuzz_signature_SOURCES = tests/fuzz/fuzz_signature.c tests/fuzz/fuzz.h
tests_fuzz_fuzz_signature_LDADD = $(FUZZ_LDADD)
tests_fuzz_fuzz_json_SOURCES = tests/fuzz/fuzz_json.c tests/fuzz/fuzz.h
tests_fuzz_fuzz_json_LDADD = $(FUZZ_LDADD)

if FUZZING
AM_CFLAGS += -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=undefined
AM_LDFLAGS += -fsanitize=address,undefined
noinst_PROGRAMS = $(FUZZ_TARGETS)
FUZZ_LINK = $(AM_LDFLAGS) -fsanitize=fuzzer
else
check_PROGRAMS += $(FUZZ_TARGETS)
TESTS += tests/fuzz/replay.sh
FUZZ_LINK = $(AM_LDFLAGS)
tests_fuzz_fuzz_sanitize_SOURCES += tests/fuzz/standalone.c
tests_fuzz_fuzz_api_SOURCES += tests/fuzz/standalone.c
tests_fuzz_fuzz_http_SOURCES += tests/fuzz/standalone.c
tests_fuzz_fuzz_theme_SOURCES += tests/fuzz/standalone.c
tests_fuzz_fuzz_config_SOURCES += tests/fuzz/standalone.c
tests_fuzz_fuzz_event_SOURCES += tests/fuzz/standalone.c
tests_fuzz_fuzz_signature_SOURCES += tests/fuzz/standalone.c
tests_fuzz_fuzz_json_SOURCES += tests/fuzz/standalone.c
endif
tests_fuzz_fuzz_sanitize_LDFLAGS = $(FUZZ_LINK)
tests_fuzz_fuzz_api_LDFLAGS = $(FUZZ_LINK)
tests_fuzz_fuzz_http_LDFLAGS = $(FUZZ_LINK)
tests_fuzz_fuzz_theme_LDFLAGS = $(FUZZ_LINK)
tests_fuzz_fuzz_config_LDFLAGS = $(FUZZ_LINK)
tests_fuzz_fuzz_event_LDFLAGS = $(FUZZ_LINK)
tests_fuzz_fuzz_signature_LDFLAGS = $(FUZZ_LINK)
tests_fuzz_fuzz_json_LDFLAGS = $(FUZZ_LINK)

EXTRA_DIST += tests/fuzz/replay.sh tests/fuzz/seeds.py tests/fuzz/corpus SECURITY.md \
	tests/fuzz/RESULTS.md \
	tools/ci-extra

# Hostile-input and secret-leak tests against the real binaries (loopback).
HARDENING_TESTS = tests/integration/hardening_secrets.sh tests/integration/hardening_abuse.sh \
	tests/integration/hardening_pipeline.sh
TESTS += $(HARDENING_TESTS)
EXTRA_DIST += $(HARDENING_TESTS) tests/integration/hardening_abuse.py

# make fuzz-smoke [FUZZ_SECONDS=N]; with -jN the targets run side by side.
# A crash leaves its input in tests/fuzz/artifacts/; new coverage found is
# kept in tests/fuzz/work/NAME (copy what is worth keeping into the corpus).
.PHONY: fuzz-smoke fuzz-clean fuzz-targets
fuzz-targets:
	@echo $(FUZZ_TARGETS)
fuzz-smoke: $(FUZZ_TARGETS:tests/fuzz/fuzz_%=fuzz-smoke-%)
	@echo "fuzz-smoke: all $(words $(FUZZ_TARGETS)) targets ran $(FUZZ_SECONDS) s without a crash"

if FUZZING
fuzz-smoke-%: tests/fuzz/fuzz_%
	@mkdir -p tests/fuzz/work/$* tests/fuzz/artifacts
	@echo "fuzz-smoke: $* for $(FUZZ_SECONDS) s"
	@if ./tests/fuzz/fuzz_$* $(FUZZ_FLAGS) -max_total_time=$(FUZZ_SECONDS) \
		-print_final_stats=1 -artifact_prefix=tests/fuzz/artifacts/$*- \
		tests/fuzz/work/$* $(srcdir)/tests/fuzz/corpus/$* \
		>tests/fuzz/$*.smoke.log 2>&1; then \
		grep -E '^stat::(number_of_executed_units|peak_rss_mb)' tests/fuzz/$*.smoke.log | \
			sed 's/^/fuzz-smoke: $*: /'; \
	else \
		tail -n 60 tests/fuzz/$*.smoke.log; \
		echo "fuzz-smoke: $* FAILED (log: tests/fuzz/$*.smoke.log)"; exit 1; \
	fi
else
fuzz-smoke-%:
	@echo "fuzz-smoke needs a libFuzzer build: configure --enable-fuzzing CC=clang" >&2
	@exit 1
endif

fuzz-clean:
	rm -rf tests/fuzz/work tests/fuzz/artifacts tests/fuzz/*.smoke.log
