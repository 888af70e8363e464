# faxsim: the local mintfax sandbox, a library (for faxtop --demo) and a binary
sim_libfaxsim_a_SOURCES += \
	sim/sim.c sim/sim.h
bin_PROGRAMS += sim/faxsim
sim_faxsim_SOURCES = sim/main.c
sim_faxsim_LDADD = sim/libfaxsim.a core/libfaxcore.a $(CORE_LIBS)
tests_unit_run_unit_SOURCES += \
	tests/unit/test_sim.c
