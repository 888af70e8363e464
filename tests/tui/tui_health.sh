#!/bin/sh
# Bad news is pushed: every health banner appears by itself, with no key
# press, and goes away when its condition clears: a refused API key, an
# API that cannot be reached (and comes back), webhooks signed with another
# secret, a store that cannot write, a low balance and no credit at all (and
# a top-up). At 80x24.
. "${top_srcdir:-.}/tests/tui/lib.sh"

FAXTOP="$top_builddir/app/faxtop"
FAXSIM="$top_builddir/sim/faxsim"
LC="$top_srcdir/tests/integration/listener_client.py"
KEY=mfx_test_sim
SECRET=whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw
OTHER=whsec_ZmF4dG9wLWhlYWx0aC1vdGhlci1zZWNyZXQtMDE=
[ -x "$FAXTOP" ] && [ -x "$FAXSIM" ] || { echo "SKIP: faxtop or faxsim not built"; exit 77; }
command -v python3 >/dev/null 2>&1 || { echo "SKIP: python3 is needed"; exit 77; }
command -v curl >/dev/null 2>&1 || { echo "SKIP: curl is needed"; exit 77; }
unset MINTFAX_API_KEY MINTFAX_API_BASE MINTFAX_WEBHOOK_SECRET
TUI_COLS=80
TUI_ROWS=24
SIM_PID=""
stop_sim() {
	[ -n "$SIM_PID" ] && kill "$SIM_PID" 2>/dev/null && wait "$SIM_PID" 2>/dev/null
	SIM_PID=""
}
trap 'stop_sim; tui_cleanup' EXIT INT TERM

# start_sim [ARGS...]: faxsim on a free loopback port (or --listen in ARGS).
start_sim() {
	rm -f "$TUI_TMP/sim.ready"
	"$FAXSIM" --ready-file "$TUI_TMP/sim.ready" --key "$KEY" --secret "$SECRET" -q "$@" \
		>>"$TUI_TMP/sim.log" 2>&1 &
	SIM_PID=$!
	wait_file "$TUI_TMP/sim.ready" || fail "faxsim did not start: $(cat "$TUI_TMP/sim.log")"
	SIM_ADDR=$(head -n1 "$TUI_TMP/sim.ready")
}

topup() {
	curl -s -o /dev/null -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
		-d "{\"amount\": $1}" "http://$SIM_ADDR/v1/sim/topup" || fail "top-up failed"
}

run_faxtop() {
	n=$1
	shift
	mkdir -p "$TUI_TMP/d$n"
	tui_start LANG=C.UTF-8 "$@" -- "$FAXTOP" --db "$TUI_TMP/d$n/faxtop.db" \
		--listen 127.0.0.1:0 --ready-file "$TUI_TMP/d$n/ready" --balance-interval 1 \
		--poll-interval 2 $EXTRA
}
EXTRA=

# ---- a refused key: shown with its fix, no key pressed; with alert-bell
# the window title names it ----
start_sim
EXTRA=--alert-bell
run_faxtop 1 MINTFAX_API_KEY=mfx_test_not_the_right_one "MINTFAX_API_BASE=http://$SIM_ADDR/v1"
EXTRA=
wait_for "API key refused since" 20
expect "check MINTFAX_API_KEY"
expect "poller down"
title=$(tmux -L "$SOCK" display -p -t tui '#{pane_title}')
[ "$title" = "faxtop: API key refused" ] || fail "alert-bell did not set the window title: '$title'"
keys q
wait_for "EXITED 0"

# ---- an API that cannot be reached, then comes back ----
run_faxtop 2 MINTFAX_API_KEY=$KEY "MINTFAX_API_BASE=http://$SIM_ADDR/v1"
wait_for "poller ok" 20
expect_not "API unreachable"
stop_sim
wait_for "API unreachable since" 30
start_sim --listen "$SIM_ADDR"
wait_gone "API unreachable" 60
wait_for "poller ok" 30
keys q
wait_for "EXITED 0"

# ---- a low balance, then none at all, then a top-up ----
stop_sim
start_sim --balance 500
run_faxtop 3 MINTFAX_API_KEY=$KEY "MINTFAX_API_BASE=http://$SIM_ADDR/v1"
wait_for "balance LOW since" 20
expect "\$5.00 LOW"
topup 100000
wait_gone "balance LOW since" 20
expect_not " LOW"
keys q
wait_for "EXITED 0"
# The balance kept in the store is shown as old until the API answers
# (a slow one here), then as the API says.
stop_sim
start_sim --balance 700 --slow 3000
run_faxtop 3 MINTFAX_API_KEY=$KEY "MINTFAX_API_BASE=http://$SIM_ADDR/v1"
wait_for "\$1005.00 (old) avail" 20
wait_for "\$7.00 LOW" 20
expect_not "(old)"
keys q
wait_for "EXITED 0"
stop_sim
start_sim --balance 0
run_faxtop 4 MINTFAX_API_KEY=$KEY "MINTFAX_API_BASE=http://$SIM_ADDR/v1"
wait_for "OUT of credit since" 20
expect "\$0.00 OUT"
topup 5000
wait_gone "OUT of credit since" 20
keys q
wait_for "EXITED 0"
stop_sim

# ---- webhooks signed with another secret ----
run_faxtop 5 MINTFAX_WEBHOOK_SECRET=$SECRET
wait_for "listener 127.0.0.1:" 20
addr=$(head -n1 "$TUI_TMP/d5/ready")
for i in 1 2 3; do
	python3 "$LC" event "evt_other_$i" fax.queued "fax_other_$i" >"$TUI_TMP/o$i.json"
	got=$(python3 "$LC" send "$addr" --secret "$OTHER" <"$TUI_TMP/o$i.json")
	case $got in 401*) ;; *) fail "a wrongly signed webhook was answered $got" ;; esac
	[ $i = 1 ] && wait_for "1 signatures refused since" 10
done
wait_for "webhook secret unusable since" 10
expect "3 signatures refused since"
expect "from 127.0.0.1:"
expect "check MINTFAX_WEBHOOK_SECRET"
python3 "$LC" event evt_right fax.queued fax_right >"$TUI_TMP/r.json"
got=$(python3 "$LC" send "$addr" --secret "$SECRET" <"$TUI_TMP/r.json")
case $got in 204*) ;; *) fail "a rightly signed webhook was answered $got" ;; esac
wait_gone "webhook secret unusable" 10
expect "3 signatures refused since"

# ---- a store that cannot write (another process holds its lock) ----
python3 "$LC" lockdb "$TUI_TMP/d5/faxtop.db" "$TUI_TMP/locked" "$TUI_TMP/release" &
lock_pid=$!
wait_file "$TUI_TMP/locked" || fail "could not take the database lock"
python3 "$LC" event evt_locked fax.queued fax_locked >"$TUI_TMP/l.json"
got=$(python3 "$LC" send "$addr" --secret "$SECRET" <"$TUI_TMP/l.json")
case $got in 503*) ;; *) touch "$TUI_TMP/release"; fail "a webhook to a locked store: $got" ;; esac
wait_for "store not writable since" 10
expect "listener 127.0.0.1:"
touch "$TUI_TMP/release"
wait "$lock_pid"
got=$(python3 "$LC" send "$addr" --secret "$SECRET" <"$TUI_TMP/l.json")
case $got in 204*) ;; *) fail "the retry after the lock: $got" ;; esac
wait_gone "store not writable" 10
keys q
wait_for "EXITED 0"
echo "PASS"
