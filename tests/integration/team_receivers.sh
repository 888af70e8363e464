#!/bin/sh
# Two receivers on one PostgreSQL store (team mode): faxsim load spread over
# both (one run each, at once) and duplicates sent to both at the same
# moment. Every event is stored once; every event answered 2xx is in the
# shared store (a duplicate is answered 2xx by both, once one of them has
# committed it); and both instances, each with its own --db, print every
# event once, whichever received it: both dashboards see everything.
. "${top_srcdir:-.}/tests/integration/team_lib.sh"
N_LOAD=400
N_DUP=150

team_start a
team_start b
team_wait_store a b

# faxsim load seeds its ids from the clock in ms: the second run starts
# once the first has stored something, so the two never share a seed.
"$FAXSIM" load --url "http://$a_ADDR/webhooks/mintfax" --count $N_LOAD --connections 4 \
	--json >"$D/load.a" 2>&1 &
la=$!
track_pid $la
wait_until 20 pg_at_least 1 || fail "nothing from the load reached the shared store"
"$FAXSIM" load --url "http://$b_ADDR/webhooks/mintfax" --count $N_LOAD --connections 4 \
	--json >"$D/load.b" 2>&1 &
lb=$!
track_pid $lb
team_send each dup $N_DUP 1 "$D/dup.log" "$a_ADDR" "$b_ADDR"
wait $la || fail "the load on a had answers other than 2xx: $(cat "$D/load.a")"
wait $lb || fail "the load on b had answers other than 2xx: $(cat "$D/load.b")"
for r in a b; do
	[ "$(jqs '[.count, .non_2xx, .errors]' <"$D/load.$r")" = "[$N_LOAD,0,0]" ] ||
		fail "load on $r: $(cat "$D/load.$r")"
done

# Each duplicate was answered by both receivers, 2xx both times.
[ "$(grep -c . "$D/dup.log")" = $((2 * N_DUP)) ] || fail "not every duplicate was answered"
if grep -qv '^evt_dup_[0-9]* 2' "$D/dup.log"; then
	grep -v '^evt_dup_[0-9]* 2' "$D/dup.log" | head -n 5 >&2
	fail "a duplicate was not answered 2xx by both receivers"
fi

# Stored once each, and every acknowledged event is there.
want=$((2 * N_LOAD + N_DUP))
[ "$(pgq 'SELECT count(*) - count(DISTINCT id) FROM events')" = 0 ] || fail "an id stored twice"
[ "$(pgq "SELECT count(*) FROM events WHERE id LIKE 'evt\\_dup\\_%'")" = $N_DUP ] ||
	fail "not $N_DUP duplicates stored once each"
[ "$(pg_event_count)" = $want ] ||
	fail "$(pg_event_count) events in the shared store, $want acknowledged"
pg_ids "$D/pg.ids"
sent_acked "$D/dup.log" "$D/dup.acked"
[ "$(missing_ids "$D/dup.acked" "$D/pg.ids")" = 0 ] || fail "acknowledged duplicates are missing"
note "stored by: $(pgq "SELECT stored_by || ' ' || count(*) FROM events GROUP BY stored_by" |
	tr '\n' ' ')"

# Both instances followed the shared store: each printed every event, once.
both_saw_all()
{
	for r in a b; do
		out_ids "$D/$r.out" "$D/$r.ids"
		same_ids "$D/$r.ids" "$D/pg.ids" || return 1
		[ "$OUT_LINES" = $want ] || return 1
	done
}
if ! wait_until 30 both_saw_all; then
	for r in a b; do
		out_ids "$D/$r.out" "$D/$r.ids"
		note "$r printed $OUT_LINES lines, $(grep -c . "$D/$r.ids") events;" \
			"$(missing_ids "$D/pg.ids" "$D/$r.ids") of the store's not among them"
	done
	fail "the two instances did not both print every stored event exactly once"
fi
for r in a b; do
	eval "kill -0 \$${r}_PID" 2>/dev/null || fail "$r died"
done
note "$want events, $N_DUP of them sent to both receivers: stored once, printed by both"
exit 0
