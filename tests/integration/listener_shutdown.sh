#!/bin/sh
# SIGTERM while clients are connected: faxtop stops accepting, answers what
# is in flight, commits, and exits 0; everything acknowledged is stored.
. "$top_srcdir/tests/integration/listener_lib.sh"
D=$(fax_tmpdir)
start_listener

# A keep-alive run in the background while the signal arrives.
"$PY" "$LC" keepalive "$FAXTOP_ADDR" "$SECRET" 200 >"$D/ka.out" 2>"$D/ka.err" &
KA=$!
track_pid "$KA"
some_stored()
{
	[ "$(sql "SELECT count(*) FROM events")" -ge 20 ]
}
wait_until 20 some_stored || fail "no traffic before the signal"
kill -TERM "$FAXTOP_PID"
wait_until 20 sh -c "! kill -0 $FAXTOP_PID 2>/dev/null" || fail "faxtop did not exit on SIGTERM"
wait "$FAXTOP_PID"
rc=$?
[ "$rc" = 0 ] || fail "faxtop exited $rc on SIGTERM: $(tail -3 "$FAXTOP_OUT.err")"
wait "$KA" 2>/dev/null

# Every event the sender saw acknowledged (204) is in the store: the sender
# stops at its first failure, so the count it reached is a lower bound.
acked=$(cat "$D/ka.out")
[ -n "$acked" ] || fail "the sender reported nothing: $(cat "$D/ka.err")"
stored=$(sql "SELECT count(*) FROM events WHERE id LIKE 'evt_ka_%'")
[ "$stored" -ge "$acked" ] || fail "acknowledged $acked events but stored $stored"
# Nothing listens any more.
if curl -sS --max-time 5 -o /dev/null "http://$FAXTOP_ADDR/healthz" 2>/dev/null; then
	fail "still answering after exit"
fi
exit 0
