#!/bin/sh
# One faxtop per database: a second one on the same store refuses to start,
# names the first one's pid, and disturbs nothing; once the first has
# stopped, the store is free again (also after a SIGKILL).
. "$top_srcdir/tests/integration/listener_lib.sh"
start_listener
D=$(fax_tmpdir)
first=$FAXTOP_PID

rc=0
MINTFAX_WEBHOOK_SECRET=$SECRET timeout 10 "$top_builddir/app/faxtop" --headless --db "$DB" \
	--listen 127.0.0.1:0 >"$D/second.out" 2>"$D/second.err" || rc=$?
[ "$rc" = 1 ] || fail "the second faxtop exited $rc, not 1 (124: it kept running)"
grep -qF "is in use by another faxtop (pid $first)" "$D/second.err" ||
	fail "the refusal does not name the first faxtop: $(cat "$D/second.err")"
[ ! -s "$D/second.out" ] || fail "the second faxtop printed events: $(cat "$D/second.out")"

# The first goes on as before.
event evt_one_1 fax.queued fax_one_1 >"$D/e1.json"
got=$(send --secret "$SECRET" <"$D/e1.json")
expect_answer "204" "$got" "event to the first faxtop"
[ "$(sql "SELECT count(*) FROM events WHERE id = 'evt_one_1'")" = 1 ] || fail "evt_one_1 not stored"

# Stopped (SIGTERM), then killed: either way the next one starts.
stop_listener
start_listener
kill -KILL "$FAXTOP_PID"
wait "$FAXTOP_PID" 2>/dev/null
start_listener
event evt_one_2 fax.queued fax_one_2 >"$D/e2.json"
got=$(send --secret "$SECRET" <"$D/e2.json")
expect_answer "204" "$got" "event after a restart"
[ "$(sql "SELECT count(*) FROM events")" = 2 ] || fail "not both events stored"
stop_listener
echo "PASS"
