#!/bin/sh
# Connection handling over real sockets: many requests on one keep-alive
# connection; a slow (slowloris) client and an idle one cut off by the idle
# timeout while others are served; many concurrent clients.
. "$top_srcdir/tests/integration/listener_lib.sh"
start_listener --idle-timeout 2
D=$(fax_tmpdir)

n=$("$PY" "$LC" keepalive "$FAXTOP_ADDR" "$SECRET" 300) || fail "keep-alive run failed"
[ "$n" = 300 ] || fail "keep-alive: $n"
[ "$(sql "SELECT count(*) FROM events WHERE id LIKE 'evt_ka_%'")" = 300 ] || fail "keep-alive events not all stored"

got=$("$PY" "$LC" slowloris "$FAXTOP_ADDR" "$SECRET") || fail "slowloris: $got"
case $got in served=5*) ;; *) fail "slowloris: $got" ;; esac

# Twenty clients at once, each with its own connection.
i=0
pids=
while [ $i -lt 20 ]; do
	event "evt_par_$i" fax.queued "fax_par_$i" >"$D/p$i.json"
	send --secret "$SECRET" <"$D/p$i.json" >"$D/r$i.txt" &
	pids="$pids $!"
	i=$((i + 1))
done
# Only the clients: a bare `wait` would wait for faxtop too.
for p in $pids; do
	wait "$p"
done
i=0
while [ $i -lt 20 ]; do
	expect_answer 204 "$(cat "$D/r$i.txt")" "parallel client $i"
	i=$((i + 1))
done
[ "$(sql "SELECT count(*) FROM events WHERE id LIKE 'evt_par_%'")" = 20 ] || fail "parallel events not all stored"
kill -0 "$FAXTOP_PID" 2>/dev/null || fail "faxtop died"

# ---- IPv6 loopback, when the machine has it ----
if "$PY" -c 'import socket; s = socket.socket(socket.AF_INET6); s.bind(("::1", 0))' 2>/dev/null; then
	stop_listener
	DB="$D/v6.db"
	start_listener --listen '[::1]:0'
	case $FAXTOP_ADDR in "[::1]:"*) ;; *) fail "IPv6 listener reported '$FAXTOP_ADDR'" ;; esac
	event evt_v6 fax.queued fax_v6 >"$D/v6.json"
	expect_answer 204 "$(send --secret "$SECRET" <"$D/v6.json")" "event over IPv6"
	[ "$(sql "SELECT count(*) FROM events WHERE id = 'evt_v6'")" = 1 ] || fail "IPv6 event not stored"
	grep -q 'not a loopback' "$FAXTOP_OUT.err" && fail "warned about ::1"
else
	note "no IPv6 loopback here: IPv6 part skipped"
fi
exit 0
