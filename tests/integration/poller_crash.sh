#!/bin/sh
# A crash in the middle of catch-up loses nothing. The poller asks for the
# next page while the previous one is being committed, but the stored
# cursor must never be ahead of the stored events: faxtop is killed (-9)
# while it reads a backlog of missed events, every event up to the cursor
# it left behind must be in its store, and a restart reads on from there
# until the store holds exactly faxsim's /events, none accepted twice.
. "$top_srcdir/tests/integration/lib.sh"
need_python
H="python3 $top_srcdir/tests/integration/poller_helper.py"
D=$(fax_tmpdir)

# Every webhook dropped: all of faxsim's events are missed. Each answer is
# slowed down so that the catch-up lasts long enough to be interrupted.
start_faxsim --seed 7 --drop 1 --rate 20000 --speed 100 --traffic-count 300 \
	--balance 100000000 --low-balance 0 --rate-limit 1000000 --slow 60
use_sim_credentials

settled()
{
	n=$($H event-count "$SIM_ADDR" "$SIM_KEY") || return 1
	[ "$n" -ge 900 ] && [ "$n" = "$(cat "$D/count" 2>/dev/null)" ] && return 0
	echo "$n" >"$D/count"
	sleep 1
	return 1
}
wait_until 120 settled || fail "faxsim's traffic did not finish"
total=$(cat "$D/count")

lines()
{
	[ "$(wc -l <"$FAXTOP_OUT")" -ge "$1" ]
}

FAXTOP_OUT=$D/run1.out
start_faxtop --db "$D/faxtop.db" --api-base "$SIM_URL/v1" --poll-interval 1 --verbose
wait_until 60 lines 300 || fail "catch-up did not start"
kill -9 "$FAXTOP_PID"
wait "$FAXTOP_PID" 2>/dev/null
covered=$($H cursor-covered "$D/faxtop.db" "$SIM_ADDR" "$SIM_KEY") ||
	fail "after the crash the stored cursor is ahead of the stored events ($covered)"
echo "killed with stored/covered/total events: $covered"
upto=$(echo "$covered" | cut -d/ -f2)
[ "$upto" -gt 0 ] || fail "no page was committed before the crash ($covered)"
[ "$upto" -lt "$total" ] ||
	fail "catch-up had finished before the crash ($covered): nothing was interrupted"
cur=$($H meta "$D/faxtop.db" events_cursor)

FAXTOP_OUT=$D/run2.out
start_faxtop --db "$D/faxtop.db" --api-base "$SIM_URL/v1" --poll-interval 1 --verbose
wait_until 120 $H events-match "$D/faxtop.db" "$SIM_ADDR" "$SIM_KEY" ||
	fail "after the restart faxtop's store did not converge to faxsim's /events"
grep -q "catching up after $cur" "$D/run2.out.err" ||
	fail "the restarted poller did not resume from the stored cursor"
dups=$(cat "$D/run1.out" "$D/run2.out" | python3 -c '
import json, sys
ids = []
for l in sys.stdin:
    try:
        ids.append(json.loads(l)["id"])
    except ValueError:
        pass   # the line the kill cut short
print(len(ids) - len(set(ids)))')
[ "$dups" = 0 ] || fail "$dups events were accepted twice across the crash"
kill "$FAXTOP_PID"
exit 0
