#!/bin/sh
# Out of memory while the TUI holds the terminal: the allocator's fatal
# hook restores the terminal before the message is written, so the message
# is left on the normal screen and the shell is usable again.
. "${top_srcdir:-.}/tests/tui/lib.sh"

tui_start LANG=C.UTF-8 FIXTURE_OOM_ON_OPEN=1 -- "$FIXTURE"
wait_for "faxes 120"
[ "$(tmux -L "$SOCK" display -p -t tui '#{alternate_on}')" = 1 ] || fail "not on the alternate screen"
keys Enter                      # opening a fax asks for a refresh: the fixture dies there
wait_re "EXITED (13[0-9]|1[0-9][0-9])"
expect_restored "out of memory"
expect "faxtop: out of memory"
expect_not "─ faxes"
echo "PASS"
