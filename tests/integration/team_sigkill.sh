#!/bin/sh
# SIGKILL a receiver under load (team mode): receivers a and b on one
# PostgreSQL store take our own signed events over 4 connections each, and a
# takes faxsim's traffic as well; a is killed in the middle of it. Every
# event that got a 2xx from either (our log, faxsim's webhook attempts) is
# in the shared store, as the kill left it and once the load is over; b,
# which carried on, printed every stored event, a's included; and a,
# restarted on the cache the kill left, fills it from the shared store.
. "${top_srcdir:-.}/tests/integration/team_lib.sh"

team_start a
team_start b
team_wait_store a b
# 50 faxes a second into a.
team_traffic a 60 300
: >"$D/send.log"
team_send spread load 4000 4 "$D/send.log" "$a_ADDR" "$b_ADDR" &
sender=$!
track_pid $sender

# acked_from_a N: a has answered N of our events 2xx.
acked_from_a()
{
	[ "$(grep -c " 2[0-9][0-9] .* $a_ADDR\$" "$D/send.log")" -ge "$1" ]
}
wait_until 30 acked_from_a 300 || fail "a acknowledged too little: $(grep -c . "$D/send.log")"
kill -KILL "$a_PID"
wait "$a_PID" 2>/dev/null

# What was acknowledged is read before the store is, so all of it was
# committed before the store is read.
acked()
{
	sent_acked "$D/send.log" "$D/$1.sent"
	sim_acked "$D/$1.sim"
	sort -u "$D/$1.sent" "$D/$1.sim" >"$D/$1.acked"
}
acked kill
pg_ids "$D/kill.pg"
n=$(missing_ids "$D/kill.acked" "$D/kill.pg")
note "at the kill: acknowledged $(grep -c . "$D/kill.acked") (ours $(grep -c . "$D/kill.sent")," \
	"faxsim's $(grep -c . "$D/kill.sim")), stored $(grep -c . "$D/kill.pg")"
[ "$n" = 0 ] || fail "$n acknowledged events are not in the shared store after the SIGKILL"

# The load was still going when a died: some of ours to a went unanswered.
wait_until 60 sh -c "! kill -0 $sender 2>/dev/null" || fail "the sender did not finish"
wait $sender
lost_to_a=$(grep -c " 000 .* $a_ADDR\$" "$D/send.log")
[ "$lost_to_a" -gt 0 ] || fail "no request to a failed: the kill did not come under load"
[ "$(grep -c " 2[0-9][0-9] .* $b_ADDR\$" "$D/send.log")" = 2000 ] ||
	fail "b did not acknowledge all of its share"
acked end
pg_ids "$D/end.pg"
[ "$(missing_ids "$D/end.acked" "$D/end.pg")" = 0 ] ||
	fail "acknowledged events are missing from the shared store after the load"
[ "$(pgq 'SELECT count(*) - count(DISTINCT id) FROM events')" = 0 ] || fail "an id stored twice"

# b follows the store: it printed everything there, a's events included.
b_saw_all()
{
	pg_ids "$D/end.pg"
	out_ids "$b_OUT" "$D/b.ids"
	same_ids "$D/b.ids" "$D/end.pg"
}
wait_until 30 b_saw_all || fail "b did not print every stored event:" \
	"$(missing_ids "$D/end.pg" "$D/b.ids") missing"
kill -0 "$b_PID" 2>/dev/null || fail "b died"

# a again, on the cache the kill left: it reads what it missed from the
# shared store, so its cache ends up holding everything there.
team_start a
cache_full()
{
	python3 - "$top_srcdir/tests/integration" "$D/a.db" >"$D/a.cache" <<'PYEOF' || return 1
import sys
sys.path.insert(0, sys.argv[1])
from faxtest import db_rows
for (i,) in db_rows(sys.argv[2], "SELECT id FROM events"):
    print(i)
PYEOF
	sort "$D/a.cache" >"$D/a.cache.ids"
	same_ids "$D/a.cache.ids" "$D/end.pg"
}
wait_until 30 cache_full || fail "a's cache after the restart lacks" \
	"$(missing_ids "$D/end.pg" "$D/a.cache.ids") events of the shared store"
note "ours unanswered by a after the kill: $lost_to_a; stored: $(grep -c . "$D/end.pg")"
exit 0
