#!/bin/sh
# The same checks against the real thing: `faxtop --demo` runs the built-in
# simulator over loopback, and the TUI shows what its webhooks and the
# poller bring in. Faxes arrive at random, so every wait is generous but
# bounded.
. "${top_srcdir:-.}/tests/tui/lib.sh"

FAXTOP="$top_builddir/app/faxtop"
[ -x "$FAXTOP" ] || { echo "SKIP: $FAXTOP not built"; exit 77; }
DATA="$TUI_TMP/data"
mkdir -p "$DATA"

tui_start LANG=C.UTF-8 XDG_DATA_HOME="$DATA" -- \
	"$FAXTOP" --demo --listen 127.0.0.1:0 --db "$DATA/faxtop.db"
wait_for "[demo]" 20
wait_re "─ faxes [1-9][0-9]* " 30
wait_re "listener 127\.0\.0\.1:[0-9]+ ok" 10

# Enter opens a fax: its attempts and its history.
keys Enter
wait_for "faxes > fax_"
wait_for "event history"
expect "attempts ("
keys Escape
wait_re "─ faxes [0-9]+ "

# A failed fax shows up sooner or later; resend it.
keys / "status:failed !code:invalid_number !code:bad_destination !code:no_route" Enter
wait_re "─ faxes [1-9][0-9]* filter: status:failed" 90
keys r
wait_re "resend fax_[A-Za-z0-9]+"
expect "idempotency key: "
keys Enter
wait_re "resent as fax_[A-Za-z0-9]+" 30
new=$(capture | sed -n 's/.*resent as \(fax_[A-Za-z0-9]*\).*/\1/p' | head -1)
keys Escape
keys / "id:$new" Enter
wait_for "─ faxes 1 filter: id:$new" 20
keys Enter
wait_for "resent from fax_" 20
keys Escape Escape

# Help, a narrow window, the ASCII-safe quit.
keys '?'
wait_for "help (Esc to close)"
keys Escape
tmux -L "$SOCK" resize-window -t tui -x 80 -y 24
wait_gone "─ events"
[ "$(capture | LC_ALL=C.UTF-8 wc -L)" -le 80 ] || fail "a line is wider than 80 columns"
keys q
wait_for "EXITED 0" 20
expect_not "─ faxes"
echo "PASS"
