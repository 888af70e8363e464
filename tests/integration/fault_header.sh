#!/bin/sh
# The header shows the faults: faxtop's TUI runs in tmux behind a proxy to
# faxsim while traffic flows. When every API answer is a 503 the header says
# "poller degraded" or "poller down" (with the reason), and "poller ok"
# again after recovery; when the store cannot write (its file-size limit
# lowered with prlimit, SIGXFSZ ignored) it says "listener DOWN", and
# "listener ok" once writes work again. Afterwards the store still converges
# to faxsim's /events.
#
# FAULT_SEED=N repeats faxsim's traffic.
. "$top_srcdir/tests/integration/fault_lib.sh"
command -v tmux >/dev/null 2>&1 || skip "tmux is not installed"
command -v prlimit >/dev/null 2>&1 || skip "prlimit(1) is not installed"
D=$(fax_tmpdir)
note "seed $SEED (FAULT_SEED=$SEED repeats this run)"
SOCK="faxtop-fault-$$"
trap 'rc=$?; tmux -L "$SOCK" kill-server >/dev/null 2>&1; fax_cleanup; exit $rc' EXIT

screen()
{
	tmux -L "$SOCK" capture-pane -p -t fault 2>/dev/null
}

# shows REGEX: the screen's first lines (the header) match REGEX.
shows()
{
	screen | head -n 3 >"$D/header"
	grep -Eq -- "$1" "$D/header"
}

expect_header()
{
	wall_wait "$2" shows "$1" ||
		fail "$3; the header shows: $(cat "$D/header")"
	note "header: $(head -n1 "$D/header" | sed 's/  */ /g')"
}

PORT=$(free_port)
# 10 faxes a second for 30 s at speed 30.
start_faxsim --seed "$SEED" --speed 30 --rate 20 --traffic-count 300 --auto-topup \
	--rate-limit 1000000 --webhook-url "http://127.0.0.1:$PORT/webhooks/mintfax"
SWITCH=$D/outage
start_fault_proxy "$SWITCH" "$D/proxy.log"

# The script execs faxtop, so the pid it records is faxtop's; SIGXFSZ is
# ignored so that writes past the lowered limit fail instead of killing it.
printf '%s\n' "trap '' XFSZ" "echo \$\$ >'$D/faxtop.pid'" \
	"MINTFAX_API_KEY='$SIM_KEY' MINTFAX_WEBHOOK_SECRET='$SIM_SECRET' XDG_CONFIG_HOME='$D'" \
	"export MINTFAX_API_KEY MINTFAX_WEBHOOK_SECRET XDG_CONFIG_HOME" \
	"exec '$top_builddir/app/faxtop' --listen 127.0.0.1:$PORT --db '$D/faxtop.db' \\" \
	"	--api-base 'http://$PROXY/v1' --poll-interval 1 --balance-interval 1 \\" \
	"	--ready-file '$D/faxtop.ready' --log-file '$D/faxtop.log' 2>'$D/tui.err'" >"$D/run.sh"
tmux -L "$SOCK" -f /dev/null new-session -d -s fault -x 200 -y 40 \
	"env TERM=xterm-256color LANG=C.UTF-8 sh '$D/run.sh'" || fail "tmux did not start"
wait_until 20 test -s "$D/faxtop.pid" || fail "the pane did not start: $(screen)"
PID=$(cat "$D/faxtop.pid")
track_pid "$PID"
wait_ready_file "$D/faxtop.ready" "$PID" 20 || fail "faxtop did not start: $(screen)"
[ "$(cat "/proc/$PID/comm" 2>/dev/null)" = faxtop ] || fail "pid $PID is not faxtop"
expect_header 'listener [^ ]+ ok' 30 "the listener is not shown healthy"
expect_header 'poller ok' 30 "the poller is not shown healthy"

# API outage.
touch "$SWITCH"
expect_header 'poller (degraded|down)' 30 "the header does not show the API outage"
grep -q 'temporarily unavailable' "$D/header" || note "the header does not show the reason: $(cat "$D/header")"
sleep 5
expect_header 'poller down' 30 "five seconds of 503s do not show the poller down"
rm -f "$SWITCH"
# The next probe comes after the current backoff (at most a minute).
expect_header 'poller ok' 90 "the header does not show the API back"
! grep -q 'temporarily unavailable' "$D/header" ||
	fail "the header keeps the outage's reason next to 'poller ok': $(cat "$D/header")"

# Store failure: every write fails (EFBIG). A limit at the WAL's size is not
# enough since the WAL starts over from its beginning after a checkpoint.
[ -e "$D/faxtop.db-wal" ] || fail "no WAL next to the database"
prlimit --pid "$PID" --fsize=1:unlimited || fail "prlimit refused"
# A signed webhook of our own makes sure a commit is tried even if faxsim's
# traffic is over by now.
N_PROBE=0
probe_shows()
{
	N_PROBE=$((N_PROBE + 1))
	probe "$N_PROBE" >/dev/null
	shows "$1"
}
FAXTOP_ADDR=127.0.0.1:$PORT
wall_wait 60 probe_shows 'listener [^ ]+ DOWN' ||
	fail "the header does not show the broken store; it shows: $(cat "$D/header")"
note "header: $(head -n1 "$D/header" | sed 's/  */ /g')"
[ -s "$D/probe.503" ] || fail "a webhook to the broken store was not answered 503"
sleep 2
kill -0 "$PID" 2>/dev/null || fail "faxtop died with the store broken"
prlimit --pid "$PID" --fsize=unlimited:unlimited || fail "prlimit refused"
expect_header 'listener [^ ]+ ok' 60 "the header does not show the store back"

converge "$D/faxtop.db" "after the faults" faultprobe
# q quits cleanly (the terminal is restored, the store closed).
tmux -L "$SOCK" send-keys -t fault q
wait_until 20 sh -c "! kill -0 $PID 2>/dev/null" || fail "faxtop did not quit on q"
note "FIGURES seed=$SEED $(tail -n1 "$D/conv")" \
	"proxy_503=$(grep -c '^[0-9]* 503 ' "$D/proxy.log")"
finish
exit 0
