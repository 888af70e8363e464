#!/bin/sh
# Resend claims in the PostgreSQL store: two operators claim the resend of
# the same fax at the same moment, from two processes; exactly one wins,
# and the other is told who holds it and since when ("being resent by
# ops@desk2 since 16:15"). A third try later is refused the same way.
. "${top_srcdir:-.}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/pg_lib.sh"

pg_probe_setup

for round in 1 2 3 4 5; do
	fax="fax-race-$round"
	pg_probe_race "$dir/go-$round" "$dir/1.out" ops@desk1 "claim $fax" \
		"$dir/2.out" ops@desk2 "claim $fax"
	won=$(cat "$dir/1.out" "$dir/2.out" | grep -cx won)
	[ "$won" = 1 ] || { cat "$dir/1.out" "$dir/2.out" >&2; fail "round $round: $won winners"; }
	winner=$(psql -qAt -c "SELECT who FROM resend_claims WHERE fax_id = '$fax'")
	if grep -qx won "$dir/1.out"; then loser="$dir/2.out"; else loser="$dir/1.out"; fi
	[ "$winner" = "ops@$(grep -qx won "$dir/1.out" && echo desk1 || echo desk2)" ] ||
		fail "round $round: the database names $winner"
	grep -Eq "^lost: being resent by $winner since [0-2][0-9]:[0-5][0-9]\$" "$loser" ||
		{ cat "$loser" >&2; fail "round $round: the loser was not told who holds it"; }
	echo "round $round: $winner won; $(grep '^lost' "$loser")"
done

# Later, from a third desk: still refused, with the holder's name.
PROBE_GO="$dir/go-1" PROBE_WHO=ops@desk3 "$PROBE" claim fax-race-1 > "$dir/3.out" 2>&1 ||
	{ cat "$dir/3.out" >&2; fail "desk3's claim failed"; }
grep -q "^lost: being resent by ops@desk[12] since" "$dir/3.out" ||
	{ cat "$dir/3.out" >&2; fail "a late claim was not refused"; }

# A claim that waits on another one still uncommitted, which then commits:
# the waiting statement's snapshot cannot see the winner's row, so the
# claim asks again and names the winner (never "won", never nothing).
{
	echo "BEGIN; INSERT INTO resend_claims (fax_id, who) VALUES ('fax-wait', 'ops@psql');"
	i=0
	while [ ! -e "$dir/commit" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
	echo "COMMIT;"
} | psql -qAt >/dev/null &
holder=$!
FAX_PIDS="$FAX_PIDS $holder"
i=0
until [ "$(psql -qAt -c "SELECT count(*) FROM pg_stat_activity
		WHERE application_name = 'psql' AND state = 'idle in transaction'")" = 1 ]; do
	[ $i -lt 200 ] || fail "the holding transaction did not start"
	sleep 0.1
	i=$((i + 1))
done
touch "$dir/go-wait"
PROBE_GO="$dir/go-wait" PROBE_WHO=ops@desk1 "$PROBE" claim fax-wait > "$dir/w.out" 2>&1 &
p1=$!
FAX_PIDS="$FAX_PIDS $p1"
i=0
until [ "$(psql -qAt -c "SELECT count(*) FROM pg_stat_activity
		WHERE application_name = 'faxtop' AND wait_event_type = 'Lock'")" = 1 ]; do
	[ $i -lt 200 ] || { touch "$dir/commit"; fail "the claim never waited on the open one"; }
	sleep 0.1
	i=$((i + 1))
done
touch "$dir/commit"
wait "$holder" || fail "the holding transaction failed"
wait "$p1" || { cat "$dir/w.out" >&2; fail "the waiting claim failed"; }
grep -q "^lost: being resent by ops@psql since" "$dir/w.out" ||
	{ cat "$dir/w.out" >&2; fail "the waiting claim did not name the winner"; }
[ "$(psql -qAt -c 'SELECT count(*) FROM resend_claims')" = 6 ] || fail "not one claim per fax"
echo "PASS"
