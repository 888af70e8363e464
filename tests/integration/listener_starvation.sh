#!/bin/sh
# One client cannot starve the listener: while it holds 1,100 idle sockets
# (and opens a new one for each that is closed), genuine signed webhooks from
# another address are still answered, each within 3 s. Three ways: the
# per-peer cap, the global cap (idle connections shed for new ones), and a
# process out of file descriptors (ulimit -n 256). Shedding and fd
# exhaustion are logged and counted in /healthz.
. "$top_srcdir/tests/integration/listener_lib.sh"
D=$(fax_tmpdir)
"$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.2", 0))' 2>/dev/null ||
	skip "127.0.0.2 is not usable as a loopback source here"

health()
{
	curl -sS --max-time 10 "http://$FAXTOP_ADDR/healthz"
}

# run WHAT: the attack against the running faxtop; 9 of 9 must be served.
run()
{
	got=$("$PY" "$LC" starve "$FAXTOP_ADDR" "$SECRET" 1100 9) || fail "$1: $got"
	note "$1: $got"
	case $got in served=9" "*) ;; *) fail "$1: genuine webhooks starved: $got" ;; esac
	kill -0 "$FAXTOP_PID" 2>/dev/null || fail "$1: faxtop died"
}

# ---- the per-peer cap (default 256 of 1,024) ----
start_listener
run "per-peer cap"
h=$(health)
[ "$(echo "$h" | jqs '.listener.shed')" -gt 0 ] || fail "per-peer cap: nothing shed: $h"
[ "$(sql "SELECT count(*) FROM events WHERE id LIKE 'evt_starve_%'")" = 9 ] || fail "events not stored"
wait_until 10 grep -q "idle connections shed" "$FAXTOP_OUT.err" || fail "shedding was not logged"
n=$(grep -c "idle connections shed" "$FAXTOP_OUT.err")
[ "$n" -le 3 ] || fail "the shedding log is not rate-limited ($n lines)"
stop_listener

# ---- the global cap: the peer may hold them all, idle ones are shed ----
DB=$D/global.db
start_listener --max-connections 512 --max-connections-per-peer 65536
run "global cap"
[ "$(health | jqs '.listener.shed')" -gt 0 ] || fail "global cap: nothing shed"
stop_listener

# ---- out of file descriptors ----
DB=$D/emfile.db
(
	ulimit -n 256 || exit 1
	MINTFAX_WEBHOOK_SECRET=$SECRET exec "$top_builddir/app/faxtop" --headless --listen 127.0.0.1:0 \
		--ready-file "$D/emfile.ready" --db "$DB" >"$D/emfile.out" 2>"$D/emfile.err"
) &
FAXTOP_PID=$!
track_pid "$FAXTOP_PID"
wait_ready_file "$D/emfile.ready" "$FAXTOP_PID" 10 || fail "faxtop under ulimit -n 256 did not start: $(cat "$D/emfile.err")"
FAXTOP_ADDR=$(head -n1 "$D/emfile.ready")
run "ulimit -n 256"
h=$(health)
[ "$(echo "$h" | jqs '.listener.emfile')" -gt 0 ] || fail "no fd exhaustion counted: $h"
grep -q "out of file descriptors" "$D/emfile.err" || fail "fd exhaustion was not logged"
exit 0
