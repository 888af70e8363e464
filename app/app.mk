# app/: faxtop's main and the one struct that owns the loop and components
bin_PROGRAMS += app/faxtop
app_faxtop_SOURCES = \
	app/main.c \
	app/app.c app/app.h app/app_int.h \
	app/app_tui.c \
	app/app_team.c app/app_team.h \
	app/health.c app/health.h \
	app/rate.c app/rate.h \
	app/cmd_sign.c app/cmd_sign.h \
	app/cmd_api.c app/cmd_api.h app/cmd_int.h \
	app/cmd_status.c
app_faxtop_CFLAGS = $(AM_CFLAGS) $(NCURSES_CFLAGS)
app_faxtop_LDADD = tui/libfaxtui.a sim/libfaxsim.a core/libfaxcore.a \
	$(NCURSES_LIBS) $(CORE_LIBS)
tests_unit_run_unit_SOURCES += tests/unit/test_health.c app/health.c app/health.h \
	app/rate.c app/rate.h
