#!/bin/sh
# The terminal is restored whatever happens: a fatal signal (the handler
# restores, then re-raises so the crash is still a crash), and SIGTERM or
# SIGINT to faxtop --demo (an orderly stop).
. "${top_srcdir:-.}/tests/tui/lib.sh"

pane_pid() {
	# The fixture runs as a child of the pane's shell.
	ppid=$(tmux -L "$SOCK" display -p -t tui '#{pane_pid}')
	pgrep -P "$ppid" | head -1
}

for sig in SEGV ABRT; do
	tui_start LANG=C.UTF-8 -- "$FIXTURE"
	wait_for "faxes 120"
	[ "$(tmux -L "$SOCK" display -p -t tui '#{alternate_on}')" = 1 ] || fail "not on the alternate screen"
	pid=$(pane_pid)
	[ -n "$pid" ] || fail "no fixture process"
	kill -s "$sig" "$pid"
	wait_re "EXITED (13[0-9]|1[0-9][0-9])"
	expect_restored "SIG$sig"
	expect_not "─ faxes"
done

FAXTOP="$top_builddir/app/faxtop"
if [ -x "$FAXTOP" ]; then
	for sig in TERM INT; do
		mkdir -p "$TUI_TMP/data-$sig"
		tui_start LANG=C.UTF-8 -- "$FAXTOP" --demo --listen 127.0.0.1:0 \
			--db "$TUI_TMP/data-$sig/faxtop.db"
		wait_for "[demo]" 20
		pid=$(pane_pid)
		[ -n "$pid" ] || fail "no faxtop process"
		kill -s "$sig" "$pid"
		wait_for "EXITED 0" 20
		[ "$(tmux -L "$SOCK" display -p -t tui '#{alternate_on}')" = 0 ] ||
			fail "SIG$sig to faxtop left the alternate screen on"
		expect_not "─ faxes"
	done
fi
echo "PASS"
