#!/bin/sh
# Crash during load: faxsim drives traffic into faxtop --headless, which is
# killed with SIGKILL at a seeded random moment, restarted on the same
# database, and killed again while its poller catches up. Every event
# acknowledged before a kill (a 2xx at faxsim, or a line on faxtop's stdout,
# printed only after the commit) must be in the database as the kill left
# it. After the last restart, faxsim's webhook retries and the catch-up
# poller bring the store to exactly faxsim's /events, with every fax in
# faxsim's status, and no event accepted twice across the three runs.
#
# FAULT_SEED=N repeats a run (the seed drives faxsim's traffic and the
# moment of the kill).
. "$top_srcdir/tests/integration/fault_lib.sh"
command -v sqlite3 >/dev/null 2>&1 || fail "the sqlite3 CLI is required for this test"
D=$(fax_tmpdir)
# 0.3 to 4.3 s after the first acknowledged event: inside the traffic burst.
DELAY=$(awk -v s="$SEED" 'BEGIN { srand(s); printf "%.2f", 0.3 + 4 * rand() }')
# 0 to 0.5 s after the first event the restarted poller caught up.
DELAY2=$(awk -v s="$SEED" 'BEGIN { srand(s); rand(); printf "%.2f", 0.5 * rand() }')
note "seed $SEED (FAULT_SEED=$SEED repeats this run): SIGKILL ${DELAY}s into the load," \
	"then ${DELAY2}s into the catch-up after the restart"

# faxsim must know where to deliver before faxtop starts: pick the port first.
PORT=$(free_port)
# 50 faxes a second for 4 s at speed 50; webhook retries after 0.2 s, 2 s
# and 20.4 s.
start_faxsim --seed "$SEED" --speed 50 --rate 60 --traffic-count 200 --auto-topup \
	--rate-limit 1000000 --webhook-url "http://127.0.0.1:$PORT/webhooks/mintfax"
run_faxtop()
{
	FAXTOP_OUT=$D/run$1.out
	start_faxtop --listen "127.0.0.1:$PORT" --db "$D/faxtop.db" --api-base "$SIM_URL/v1" \
		--poll-interval 1
}

# crash N: SIGKILL run N, then check the database exactly as the kill left
# it (WAL included) on a copy, so that the restarted faxtop does its own
# recovery of the original: every event acknowledged so far is there, and
# the file is sound. Sets n_ack, at_kill, lost_at_kill.
crash()
{
	kill -KILL "$FAXTOP_PID"
	wait "$FAXTOP_PID" 2>/dev/null
	KILL_AT=$(now)
	mkdir "$D/snap$1"
	for f in faxtop.db faxtop.db-wal faxtop.db-shm; do
		[ -f "$D/$f" ] && cp "$D/$f" "$D/snap$1/$f"
	done
	$H acked "$SIM_ADDR" "$SIM_KEY" >"$D/acked.sim" || fail "cannot read faxsim's webhook attempts"
	cat "$D"/run*.out | jqs .id 2>/dev/null | sort -u >"$D/acked.out"
	sort -u "$D/acked.sim" "$D/acked.out" >"$D/acked.all"
	n_ack=$(wc -l <"$D/acked.all")
	[ "$n_ack" -gt 0 ] || fail "nothing was acknowledged before kill $1"
	at_kill=$(sqlite3 "$D/snap$1/faxtop.db" 'SELECT count(*) FROM events') ||
		fail "the database left by kill $1 cannot be read"
	lost_at_kill=$($H missing "$D/acked.all" "$D/snap$1/faxtop.db") || fail "cannot compare"
	note "kill $1: acknowledged so far $n_ack (2xx at faxsim $(wc -l <"$D/acked.sim")," \
		"stdout lines $(wc -l <"$D/acked.out")); stored $at_kill"
	[ "$lost_at_kill" = 0 ] ||
		fail "$lost_at_kill acknowledged events are not in the database kill $1 left"
	[ "$(sqlite3 "$D/snap$1/faxtop.db" 'PRAGMA integrity_check')" = ok ] ||
		fail "the database left by kill $1 fails integrity_check"
}

# Kill 1: in the middle of the webhook load.
run_faxtop 1
wait_until 60 test -s "$D/run1.out" || fail "faxtop acknowledged nothing"
sleep "$DELAY"
crash 1
n_ack1=$n_ack
at_kill1=$at_kill

# Down for a second: the first retries meet a closed port, so the events
# of that time come back through the poller's catch-up first.
sleep 1
run_faxtop 2
# (When kill 1 came after faxsim's last event there is nothing to catch up;
# kill 2 then simply comes early in the second run.)
wall_wait 30 grep -q '"source":"poll"' "$D/run2.out" ||
	note "the restarted poller caught nothing up in 30 s"
# Kill 2: in the middle of that catch-up (its cursor must not run ahead of
# the events it stored).
sleep "$DELAY2"
crash 2
behind=$($H behind-cursor "$D/snap2/faxtop.db" "$SIM_ADDR" "$SIM_KEY") ||
	fail "cannot check the stored cursor"
[ "$behind" = 0 ] || fail "$behind events before the stored catch-up cursor are not stored"
n_ack2=$n_ack
at_kill2=$at_kill

run_faxtop 3
START2=$(now)
converge "$D/faxtop.db" "after the restart"
dups=$($H printed-dups "$D/run1.out" "$D/run2.out" "$D/run3.out") || fail "unreadable stdout"
[ "$dups" = 0 ] || fail "$dups events were accepted twice across the crash"
kill -0 "$FAXTOP_PID" 2>/dev/null || fail "the restarted faxtop died"
from_poll=$(cat "$D/run2.out" "$D/run3.out" | grep -c '"source":"poll"')
produced=$(sed -n 's/.*produced=\([0-9]*\).*/\1/p' "$D/conv" | tail -n1)
[ "$at_kill1" -lt "$produced" ] ||
	note "kill 1 came after the last event: only the acknowledged-set check was exercised"
note "FIGURES seed=$SEED kill1_after=${DELAY}s acked=$n_ack1 stored=$at_kill1" \
	"kill2_after=${DELAY2}s acked=$n_ack2 stored=$at_kill2 lost_acked=0 behind_cursor=$behind" \
	"final: $(tail -n1 "$D/conv") printed_twice=$dups from_poll_after_restarts=$from_poll" \
	"converge_s=$(since "$START2" "$CONV")" \
	"after_last_fax_s=$(since "$SETTLED" "$CONV")" \
	"down_s=$(since "$KILL_AT" "$START2")"
finish
exit 0
