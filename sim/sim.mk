# faxsim: the local mintfax sandbox, a library (for faxtop --demo) and a binary
sim_libfaxsim_a_SOURCES += \
	sim/base.c sim/base.h \
	sim/sim.c sim/sim.h sim/sim_int.h \
	sim/api.c sim/api_int.h \
	sim/api_reply.c \
	sim/api_faxes.c \
	sim/api_events.c \
	sim/api_attempts.c \
	sim/engine.c \
	sim/events.c \
	sim/webhooks.c \
	sim/traffic.c \
	sim/submit.c sim/submit.h \
	sim/multipart.c sim/multipart.h \
	sim/outcome.c sim/outcome.h \
	sim/rng.c sim/rng.h \
	sim/idempotency.c sim/idempotency.h \
	sim/ratelimit.c sim/ratelimit.h \
	sim/load.c sim/load.h
bin_PROGRAMS += sim/faxsim
sim_faxsim_SOURCES = sim/main.c
sim_faxsim_LDADD = sim/libfaxsim.a core/libfaxcore.a $(CORE_LIBS)
tests_unit_run_unit_SOURCES += \
	tests/unit/test_sim.c
SIM_TESTS = \
	tests/integration/sim_api.sh \
	tests/integration/sim_magic.sh \
	tests/integration/sim_webhooks.sh \
	tests/integration/sim_limits.sh \
	tests/integration/sim_determinism.sh \
	tests/integration/sim_contract.sh \
	tests/integration/sim_load.sh
TESTS += $(SIM_TESTS)
EXTRA_DIST += $(SIM_TESTS) sim/README.md tests/integration/webhook_receiver.py
