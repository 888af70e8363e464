#!/bin/sh
# Webhooks dropped by faxsim's chaos switch are recovered by the poller's
# catch-up: faxtop's store ends up with exactly faxsim's /events. The cursor
# is kept in the store and survives a restart.
. "$top_srcdir/tests/integration/lib.sh"
need_python
H="python3 $top_srcdir/tests/integration/poller_helper.py"
D=$(fax_tmpdir)

stop_faxtop()
{
	kill "$FAXTOP_PID" 2>/dev/null
	wait_until 10 sh -c "! kill -0 $FAXTOP_PID 2>/dev/null" || fail "faxtop did not stop on SIGTERM"
}

# faxsim must know where to deliver before faxtop starts: pick the port first.
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
start_faxsim --seed 3 --speed 200 --drop 0.5 \
	--webhook-url "http://127.0.0.1:$PORT/webhooks/mintfax"
use_sim_credentials
FAXTOP_OUT=$D/run1.out
start_faxtop --listen "127.0.0.1:$PORT" --db "$D/faxtop.db" --api-base "$SIM_URL/v1" \
	--poll-interval 1 --verbose

for to in +15005550001 +15005550002 +15005550004 +15005550007 +15005550008 \
	+12125550101 +12125550102 +12125550103; do
	submit_fax "$to" >/dev/null
	expect_status 201 "submit to $to"
done
wait_until 60 all_faxes_terminal || fail "faxsim's faxes did not finish"
wait_until 30 $H events-match "$D/faxtop.db" "$SIM_ADDR" "$SIM_KEY" ||
	fail "faxtop's store did not converge to faxsim's /events"
grep -q "chaos: dropped" "$SIM_LOG" || fail "faxsim dropped nothing: catch-up was not exercised"
grep -q '"source":"poll"' "$D/run1.out" || fail "no event reached faxtop through the poller"

last=$(api GET '/v1/events?per_page=100' | jqs '.data[-1].id')
wait_until 10 sh -c "[ \"\$($H meta '$D/faxtop.db' events_cursor)\" = '$last' ]" ||
	fail "the stored cursor is not faxsim's newest event ($last)"

# Restart: the cursor comes from the store; only the new events are read.
stop_faxtop
for to in +15005550001 +15005550003; do
	submit_fax "$to" >/dev/null
	expect_status 201 "submit to $to"
done
wait_until 60 all_faxes_terminal || fail "faxsim's faxes did not finish (second round)"
FAXTOP_OUT=$D/run2.out
start_faxtop --listen "127.0.0.1:$PORT" --db "$D/faxtop.db" --api-base "$SIM_URL/v1" \
	--poll-interval 1 --verbose
wait_until 30 $H events-match "$D/faxtop.db" "$SIM_ADDR" "$SIM_KEY" ||
	fail "faxtop's store did not converge after the restart"
grep -q "catching up after $last" "$D/run2.out.err" ||
	fail "the restarted poller did not resume from the stored cursor"
grep -q "GET /events?after=$last&" "$D/run2.out.err" ||
	fail "the first catch-up after the restart did not ask for events after the cursor"
dups=$(cat "$D/run1.out" "$D/run2.out" | python3 -c '
import json, sys
ids = [json.loads(l)["id"] for l in sys.stdin if l.strip()]
print(len(ids) - len(set(ids)))')
[ "$dups" = 0 ] || fail "$dups events were accepted twice across the restart"
stop_faxtop
exit 0
