#!/bin/sh
# Events in the PostgreSQL store: a batch is stored once across instances
# (the same ids sent through two connections at once are new exactly once,
# and the other instance learns they are already committed, so both can
# acknowledge), and a dashboard on another connection hears of new events
# and claims through LISTEN/NOTIFY and reads the events back byte for byte.
. "${top_srcdir:-.}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/pg_lib.sh"

pg_probe_setup

"$PROBE" dedupe > "$dir/dedupe.out" 2>&1 || { cat "$dir/dedupe.out" >&2; fail "dedupe failed"; }
grep -qx ok "$dir/dedupe.out" || fail "dedupe did not finish"
[ "$(grep -c ' already$' "$dir/dedupe.out")" = 3 ] ||
	{ cat "$dir/dedupe.out" >&2; fail "not 3 events reported as already committed"; }
[ "$(psql -qAt -c "SELECT count(*) FROM events WHERE id LIKE 'd_'")" = 4 ] ||
	fail "not 4 distinct events stored"
[ "$(psql -qAt -c "SELECT count(DISTINCT stored_by) FROM events WHERE id LIKE 'd_'")" -ge 1 ] ||
	fail "no instance recorded as the writer"

# Two processes at the same moment, 300 ids each, 200 of them in common
# (batches of 50 that overlap in flight): 400 stored, each new exactly once.
pg_probe_race "$dir/go" "$dir/a.out" ops@a "range 0-299" "$dir/b.out" ops@b "range 100-399"
na=$(sed -n 's/^new \([0-9]*\) already [0-9]*$/\1/p' "$dir/a.out")
da=$(sed -n 's/^new [0-9]* already \([0-9]*\)$/\1/p' "$dir/a.out")
nb=$(sed -n 's/^new \([0-9]*\) already [0-9]*$/\1/p' "$dir/b.out")
db=$(sed -n 's/^new [0-9]* already \([0-9]*\)$/\1/p' "$dir/b.out")
echo "writer a: $na new, $da already; writer b: $nb new, $db already"
[ "$((na + nb))" = 400 ] || fail "not 400 events new exactly once ($na + $nb)"
[ "$((da + db))" = 200 ] || fail "not 200 events reported as already committed ($da + $db)"
[ "$(psql -qAt -c "SELECT count(*) FROM events WHERE id LIKE 'r%'")" = 400 ] ||
	fail "not 400 distinct events stored"

# The largest batch, and one more event than that refused up front.
touch "$dir/go-big"
PROBE_BATCH=1000 PROBE_GO="$dir/go-big" "$PROBE" range 1000-1999 > "$dir/big.out" 2>&1 ||
	{ cat "$dir/big.out" >&2; fail "a batch of 1000 failed"; }
grep -qx "new 1000 already 0" "$dir/big.out" || { cat "$dir/big.out" >&2; fail "not 1000 new"; }

"$PROBE" follow > "$dir/follow.out" 2>&1 || { cat "$dir/follow.out" >&2; fail "follow failed"; }
grep -q '^change events:[0-9]*-[0-9]*$' "$dir/follow.out" || fail "no NOTIFY for the events"
grep -qx 'events followed' "$dir/follow.out" || fail "the dashboard did not read the events"
grep -qx 'change claim:fax-follow' "$dir/follow.out" || fail "no NOTIFY for the claim"
grep -qx ok "$dir/follow.out" || fail "follow did not finish"
echo "PASS"
