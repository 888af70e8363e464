# bench/: benchmark programs and the suite (`make bench`); never part of make check.
BENCH_CORE_LDADD = core/libfaxcore.a $(CORE_LIBS)
EXTRA_PROGRAMS += bench/loadgen
bench_loadgen_SOURCES = bench/loadgen.c bench/benchlib.c bench/benchlib.h
bench_loadgen_LDADD = $(BENCH_CORE_LDADD)
EXTRA_PROGRAMS += bench/scale
bench_scale_SOURCES = bench/scale.c bench/benchlib.c bench/benchlib.h
bench_scale_CFLAGS = $(AM_CFLAGS) $(NCURSES_CFLAGS) -pthread
bench_scale_LDADD = tui/libfaxtui.a $(BENCH_CORE_LDADD) $(NCURSES_LIBS) -lpthread
BENCH_BINS = bench/loadgen bench/scale
CLEANFILES += $(BENCH_BINS)
EXTRA_DIST += bench/run.sh bench/profile.sh bench/suite.py bench/node/package.json bench/node/package-lock.json \
	bench/node/common.js \
	bench/node/receiver-sqlite.js \
	bench/node/receiver.js

bench-programs: $(BENCH_BINS) app/faxtop sim/faxsim
.PHONY: bench bench-programs bench-team
bench: bench-programs
	top_srcdir=$(abs_top_srcdir) top_builddir=$(abs_top_builddir) \
		$(SHELL) $(abs_top_srcdir)/bench/run.sh
# Team mode (PostgreSQL): ingest with one and two receivers beside SQLite,
# and a receiver's event reaching another instance (bench/team.py).
bench-team: bench-programs
	top_srcdir=$(abs_top_srcdir) top_builddir=$(abs_top_builddir) \
		/usr/bin/python3 $(abs_top_srcdir)/bench/team.py
EXTRA_DIST += bench/team.py
