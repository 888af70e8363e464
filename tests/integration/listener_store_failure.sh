#!/bin/sh
# The store cannot write (another process holds SQLite's write lock): the
# listener answers 503 so mintfax retries, never a 2xx for an unstored
# event, and recovers once the lock is gone. /healthz counts an event as
# accepted only once it is committed, and failed ones apart.
. "$top_srcdir/tests/integration/listener_lib.sh"
D=$(fax_tmpdir)
start_listener

event evt_sf_0 fax.queued fax_sf_0 >"$D/0.json"
expect_answer 204 "$(send --secret "$SECRET" <"$D/0.json")" "before the failure"

"$PY" "$LC" lockdb "$DB" "$D/locked" "$D/release" &
LOCK_PID=$!
track_pid "$LOCK_PID"
wait_until 10 [ -s "$D/locked" ] || fail "could not take the database lock"

event evt_sf_1 fax.sending fax_sf_0 1747173700 >"$D/1.json"
got=$(send --secret "$SECRET" <"$D/1.json")
expect_answer '503 {"error":"store_unavailable"' "$got" "while the store is locked"
h=$(curl -sS --max-time 10 "http://$FAXTOP_ADDR/healthz")
case $h in *'"status":'*) ;; *) fail "healthz while locked: $h" ;; esac
# Counted as accepted only once committed; the failure is counted apart.
[ "$(echo "$h" | jqs .events_accepted)" = 1 ] || fail "healthz counts an unstored event as accepted: $h"
[ "$(echo "$h" | jqs .events_failed)" -ge 1 ] || fail "healthz does not count the failed commit: $h"

touch "$D/release"
wait_until 10 sh -c "! kill -0 $LOCK_PID 2>/dev/null" || fail "lock holder did not exit"

# mintfax's retry of the same event now succeeds, and is stored once.
got=$(send --secret "$SECRET" <"$D/1.json")
expect_answer 204 "$got" "retry after the store recovered"
[ "$(sql "SELECT count(*) FROM events WHERE id = 'evt_sf_1'")" = 1 ] || fail "evt_sf_1 not stored once"
st=$(sql "SELECT status FROM faxes WHERE id = 'fax_sf_0'")
[ "$st" = in_progress ] || fail "fax_sf_0 is '$st' after recovery"
h=$(curl -sS --max-time 10 "http://$FAXTOP_ADDR/healthz")
case $h in *'"status":"ok"'*'"store_ok":true'*) ;; *) fail "healthz after recovery: $h" ;; esac
[ "$(echo "$h" | jqs .events_accepted)" = "$(sql "SELECT count(*) FROM events")" ] ||
	fail "healthz events_accepted differs from the events stored: $h"
kill -0 "$FAXTOP_PID" 2>/dev/null || fail "faxtop died"
exit 0
