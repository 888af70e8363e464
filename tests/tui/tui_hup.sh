#!/bin/sh
# SIGHUP (the terminal or the ssh session closed) is an orderly stop like
# SIGTERM: the terminal is restored and faxtop --demo removes its temporary
# directory, database included.
. "${top_srcdir:-.}/tests/tui/lib.sh"

FAXTOP="$top_builddir/app/faxtop"
[ -x "$FAXTOP" ] || { echo "SKIP: faxtop not built"; exit 77; }

pane_pid() {
	ppid=$(tmux -L "$SOCK" display -p -t tui '#{pane_pid}')
	pgrep -P "$ppid" | head -1
}

tui_start LANG=C.UTF-8 -- "$FAXTOP" --demo --listen 127.0.0.1:0
wait_for "[demo]" 20
pid=$(pane_pid)
[ -n "$pid" ] || fail "no faxtop process"
# The demo's store is the database faxtop holds open.
dir=""
for f in /proc/"$pid"/fd/*; do
	t=$(readlink "$f" 2>/dev/null) || continue
	case $t in */faxtop-demo.*/faxtop.db) dir=$(dirname "$t") ;; esac
done
[ -n "$dir" ] && [ -d "$dir" ] || fail "cannot find the demo's temporary directory"
kill -s HUP "$pid"
wait_for "EXITED 0" 20
[ "$(tmux -L "$SOCK" display -p -t tui '#{alternate_on}')" = 0 ] ||
	fail "SIGHUP left the alternate screen on"
[ "$(tmux -L "$SOCK" display -p -t tui '#{cursor_flag}')" = 1 ] || fail "SIGHUP left the cursor hidden"
[ ! -e "$dir" ] || fail "SIGHUP left the demo's directory $dir behind"
echo "PASS"
