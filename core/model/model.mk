# core/model: the event and fax types, and the live model
core_libfaxcore_a_SOURCES += \
	core/model/event.c core/model/event.h \
	core/model/model.c core/model/model.h core/model/model_int.h \
	core/model/intern.c core/model/seen.c core/model/ring.c \
	core/model/index.c core/model/merge.c core/model/balance.c
tests_unit_run_unit_SOURCES += \
	tests/unit/test_event.c \
	tests/unit/test_model.c
# Fixtures for the suites above (make distcheck runs them from the tarball).
EXTRA_DIST += \
	tests/fixtures/events/api_error.json \
	tests/fixtures/events/bad_attempt_time.json \
	tests/fixtures/events/balance.low.json \
	tests/fixtures/events/balance.topup.json \
	tests/fixtures/events/balance_resource.json \
	tests/fixtures/events/events_page.json \
	tests/fixtures/events/fax.delivered.json \
	tests/fixtures/events/fax.failed.json \
	tests/fixtures/events/fax.queued.json \
	tests/fixtures/events/fax.sending.json \
	tests/fixtures/events/faxes_page.json \
	tests/fixtures/events/hostile_strings.json \
	tests/fixtures/events/legacy.json \
	tests/fixtures/events/legacy_unix.json \
	tests/fixtures/events/missing_fax_id.json \
	tests/fixtures/events/resend.json \
	tests/fixtures/events/tolerant.json \
	tests/fixtures/events/unknown_type.json

# The model at 1M faxes, built on demand only: make bench/model_scale
EXTRA_PROGRAMS = bench/model_scale
bench_model_scale_SOURCES = bench/model_scale.c
bench_model_scale_LDADD = core/libfaxcore.a $(CORE_LIBS)
CLEANFILES += bench/model_scale
