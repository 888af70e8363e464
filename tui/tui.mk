# tui/: the only code that includes curses
tui_libfaxtui_a_CPPFLAGS = $(AM_CPPFLAGS) -D_XOPEN_SOURCE_EXTENDED=1 -DNCURSES_WIDECHAR=1
tui_libfaxtui_a_SOURCES += \
	tui/tui.c tui/tui.h tui/state.h \
	tui/session.c tui/session.h \
	tui/term.c tui/term.h \
	tui/input.c tui/input.h \
	tui/dispatch.c tui/dispatch.h \
	tui/command.c tui/command.h \
	tui/complete.c tui/complete.h \
	tui/export.c tui/export.h \
	tui/actions.c tui/actions.h \
	tui/keymap.c tui/keymap.h \
	tui/filter.c tui/filter.h \
	tui/theme.c tui/theme.h \
	tui/layout.c tui/layout.h \
	tui/view.c tui/view.h \
	tui/render.c tui/render.h \
	tui/resend.c tui/resend.h \
	tui/triage.c tui/triage.h \
	tui/worklist.c tui/worklist.h \
	tui/copy.c tui/copy.h \
	tui/widgets/format.c tui/widgets/format.h \
	tui/widgets/prompt.c tui/widgets/prompt.h \
	tui/widgets/scroller.c tui/widgets/scroller.h \
	tui/panes/pane.c tui/panes/pane.h tui/panes/instance.h \
	tui/panes/panes.c \
	tui/panes/faxes.c \
	tui/panes/attempts.c \
	tui/panes/codes.c \
	tui/panes/balance.c \
	tui/panes/log.c \
	tui/panes/header.c \
	tui/panes/footer.c \
	tui/panes/detail.c \
	tui/panes/help.c \
	tui/panes/failures.c \
	tui/panes/dialog.c
dist_theme_DATA += \
	themes/default.theme themes/light.theme themes/high-contrast.theme themes/mono.theme
tests_unit_run_unit_SOURCES += \
	tests/unit/test_tui.c tests/unit/test_tui_view.c tests/unit/test_tui_actions.c \
	tests/unit/test_export.c tests/unit/test_tui_worklist.c

# The screen tests drive the real TUI through tmux against a fixture model.
check_PROGRAMS += tests/tui/tui_fixture
tests_tui_tui_fixture_SOURCES = tests/tui/tui_fixture.c
tests_tui_tui_fixture_LDADD = tui/libfaxtui.a core/libfaxcore.a $(NCURSES_LIBS) $(CORE_LIBS)
TUI_SCREEN_TESTS = tests/tui/tui_main.sh tests/tui/tui_resend.sh tests/tui/tui_env.sh \
	tests/tui/tui_follow.sh tests/tui/tui_demo.sh tests/tui/tui_keys.sh \
	tests/tui/tui_signals.sh tests/tui/tui_startup.sh tests/tui/tui_export.sh \
	tests/tui/tui_layout.sh tests/tui/tui_worklist.sh tests/tui/tui_resend_faxsim.sh \
	tests/tui/tui_triage.sh tests/tui/tui_bulk.sh tests/tui/tui_health.sh \
	tests/tui/tui_hup.sh tests/tui/tui_prompts.sh tests/tui/tui_oom.sh \
	tests/tui/tui_dialog_keys.sh tests/tui/tui_team.sh
TESTS += $(TUI_SCREEN_TESTS)
EXTRA_DIST += docs/TUI.md tests/tui/lib.sh $(TUI_SCREEN_TESTS)
