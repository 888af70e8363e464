#!/bin/sh
# The poller's leadership in the PostgreSQL store: one instance leads, the
# other stands by; when the leader's session is killed (pg_terminate_backend)
# or its process is (SIGKILL), the server releases the advisory lock and the
# standby takes over within 15 s, carrying on from the cursor the old
# leader committed; the old leader's epoch can no longer move the cursor.
. "${top_srcdir:-.}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/pg_lib.sh"

pg_probe_setup

PROBE_WHO=ops@a "$PROBE" lead > "$dir/a.out" 2>&1 &
a=$!
FAX_PIDS="$FAX_PIDS $a"
pg_wait_line "$dir/a.out" "leader 1 cursor="
pg_wait_line "$dir/a.out" "advanced cursor-ops@a-1"
PROBE_WHO=ops@b "$PROBE" lead > "$dir/b.out" 2>&1 &
b=$!
FAX_PIDS="$FAX_PIDS $b"
pg_wait_line "$dir/b.out" "standby: another instance is the poller"
[ "$(psql -qAt -c 'SELECT leader, epoch, cursor FROM poller')" = "ops@a|1|cursor-ops@a-1" ] ||
	fail "the cursor row does not name the leader"

# Kill the leader's session: the lock goes with it.
t0=$(date +%s.%N)
n=$(psql -qAt -c "SELECT count(pg_terminate_backend(pid)) FROM pg_locks
	WHERE locktype = 'advisory' AND classid = 1717663860 AND objid = 2 AND granted")
[ "$n" = 1 ] || fail "not exactly one session holds the poller's lock ($n)"
pg_wait_line "$dir/b.out" "leader 2 cursor=cursor-ops@a-1" 15
t=$(date +%s.%N)
pg_wait_line "$dir/a.out" "lost: "
pg_wait_line "$dir/b.out" "advanced cursor-ops@b-2"
# a reconnects, stands by, and its old epoch is refused.
pg_wait_line "$dir/a.out" "stale refused: no longer the poller"
grep -q "stale ACCEPTED" "$dir/a.out" && fail "a stale leader moved the cursor"

# SIGKILL the new leader's process: its sessions die with it.
t1=$(date +%s.%N)
kill -9 "$b"
wait "$b" 2>/dev/null
pg_wait_line "$dir/a.out" "leader 3 cursor=cursor-ops@b-2" 15
t2=$(date +%s.%N)
pg_wait_line "$dir/a.out" "advanced cursor-ops@a-3"
[ "$(psql -qAt -c 'SELECT leader, epoch, cursor FROM poller')" = "ops@a|3|cursor-ops@a-3" ] ||
	fail "the cursor row did not follow the takeover"
# Every leader stored its event before moving the cursor past it.
[ "$(psql -qAt -c "SELECT count(*) FROM events WHERE id LIKE 'ev-cursor-%'")" = 3 ] ||
	fail "a leader's events are missing"
awk -v a="$t0" -v b="$t" -v t1="$t1" -v c="$t2" 'BEGIN { printf "takeover after a killed session: %.2f s; after a killed process: %.2f s\n", b - a, c - t1 }'
echo "PASS"
