# tui/: the only code that includes curses
tui_libfaxtui_a_SOURCES += \
	tui/tui.c tui/tui.h
dist_theme_DATA += \
	themes/default.theme
tests_unit_run_unit_SOURCES += \
	tests/unit/test_tui.c
