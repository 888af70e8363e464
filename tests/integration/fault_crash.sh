#!/bin/sh
# Crash during load: faxsim drives traffic into faxtop --headless, which is
# killed with SIGKILL at a seeded random moment. Every event acknowledged
# before the kill (a 2xx at faxsim, or a line on faxtop's stdout, printed
# only after the commit) must be in the database as the kill left it. After
# a restart on the same database, faxsim's webhook retries and the catch-up
# poller bring the store to exactly faxsim's /events, with every fax in
# faxsim's status, and no event accepted twice across the two runs.
#
# FAULT_SEED=N repeats a run (the seed drives faxsim's traffic and the
# moment of the kill).
. "$top_srcdir/tests/integration/lib.sh"
need_python
command -v sqlite3 >/dev/null 2>&1 || fail "the sqlite3 CLI is required for this test"
H="python3 $top_srcdir/tests/integration/fault_helper.py"
D=$(fax_tmpdir)
SEED=${FAULT_SEED:-$(($(date +%s) % 100000))}
# 0.3 to 4.3 s after the first acknowledged event: inside the traffic burst.
DELAY=$(awk -v s="$SEED" 'BEGIN { srand(s); printf "%.2f", 0.3 + 4 * rand() }')
note "seed $SEED (FAULT_SEED=$SEED repeats this run), SIGKILL ${DELAY}s into the load"

MINTFAX_API_KEY=$SIM_KEY
MINTFAX_WEBHOOK_SECRET=$SIM_SECRET
export MINTFAX_API_KEY MINTFAX_WEBHOOK_SECRET

now() { date +%s.%N; }

# faxsim must know where to deliver before faxtop starts: pick the port first.
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# 50 faxes a second for 4 s at speed 50; webhook retries after 0.2 s, 2 s
# and 20.4 s.
start_faxsim --seed "$SEED" --speed 50 --rate 60 --traffic-count 200 --auto-topup \
	--rate-limit 1000000 --webhook-url "http://127.0.0.1:$PORT/webhooks/mintfax"
FAXTOP_OUT=$D/run1.out
start_faxtop --listen "127.0.0.1:$PORT" --db "$D/faxtop.db" --api-base "$SIM_URL/v1" \
	--poll-interval 1
wait_until 60 test -s "$D/run1.out" || fail "faxtop acknowledged nothing"
sleep "$DELAY"
kill -KILL "$FAXTOP_PID"
wait "$FAXTOP_PID" 2>/dev/null
KILL_AT=$(now)

# The database exactly as the kill left it (WAL included), checked on a copy
# so that the restarted faxtop does its own recovery of the original.
mkdir "$D/snap"
for f in faxtop.db faxtop.db-wal faxtop.db-shm; do
	[ -f "$D/$f" ] && cp "$D/$f" "$D/snap/$f"
done
$H acked "$SIM_ADDR" "$SIM_KEY" >"$D/acked.sim" || fail "cannot read faxsim's webhook attempts"
jqs .id <"$D/run1.out" 2>/dev/null | sort -u >"$D/acked.out"
sort -u "$D/acked.sim" "$D/acked.out" >"$D/acked.all"
n_sim=$(wc -l <"$D/acked.sim")
n_out=$(wc -l <"$D/acked.out")
n_ack=$(wc -l <"$D/acked.all")
[ "$n_ack" -gt 0 ] || fail "nothing was acknowledged before the kill"
at_kill=$(sqlite3 "$D/snap/faxtop.db" 'SELECT count(*) FROM events') ||
	fail "the database left by the kill cannot be read"
lost_at_kill=$($H missing "$D/acked.all" "$D/snap/faxtop.db") || fail "cannot compare"
note "acknowledged before the kill: $n_ack (2xx at faxsim $n_sim, stdout lines $n_out); stored: $at_kill"
[ "$lost_at_kill" = 0 ] ||
	fail "$lost_at_kill acknowledged events are not in the database the kill left"
[ "$(sqlite3 "$D/snap/faxtop.db" 'PRAGMA integrity_check')" = ok ] ||
	fail "the database left by the kill fails integrity_check"

# Down for a second: the first retries meet a closed port.
sleep 1
FAXTOP_OUT=$D/run2.out
start_faxtop --listen "127.0.0.1:$PORT" --db "$D/faxtop.db" --api-base "$SIM_URL/v1" \
	--poll-interval 1
START2=$(now)
wait_until 120 $H all-terminal "$SIM_ADDR" "$SIM_KEY" || fail "faxsim's faxes did not finish"
if ! wait_until 120 $H converged "$D/faxtop.db" "$SIM_ADDR" "$SIM_KEY" >"$D/conv" 2>&1; then
	$H converged "$D/faxtop.db" "$SIM_ADDR" "$SIM_KEY" >&2
	fail "the store did not converge to faxsim's /events after the restart"
fi
CONV=$(now)
dups=$($H printed-dups "$D/run1.out" "$D/run2.out") || fail "unreadable stdout"
[ "$dups" = 0 ] || fail "$dups events were accepted twice across the crash"
kill -0 "$FAXTOP_PID" 2>/dev/null || fail "the restarted faxtop died"
from_poll=$(grep -c '"source":"poll"' "$D/run2.out")
produced=$(sed -n 's/.*produced=\([0-9]*\).*/\1/p' "$D/conv" | tail -n1)
[ "$at_kill" -lt "$produced" ] ||
	note "the kill came after the last event: only the acknowledged-set check was exercised"
note "FIGURES seed=$SEED kill_after=${DELAY}s acked_before_kill=$n_ack" \
	"stored_at_kill=$at_kill lost_acked=$lost_at_kill $(tail -n1 "$D/conv")" \
	"printed_twice=$dups restart_from_poll=$from_poll" \
	"converge_s=$(awk -v a="$START2" -v b="$CONV" 'BEGIN { printf "%.1f", b - a }')" \
	"down_s=$(awk -v a="$KILL_AT" -v b="$START2" 'BEGIN { printf "%.1f", b - a }')"
exit 0
