#!/bin/sh
# The PostgreSQL store when the connection drops and when the server dies:
# the operations in flight and queued fail with the reason (none is
# reported as stored when it may not be), the store reconnects by itself
# and migrates nothing twice, and every event it reported as committed is
# in the database after a crash of the server (pg_ctl stop -m immediate).
. "${top_srcdir:-.}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/pg_lib.sh"

pg_probe_setup
export PROBE_ACKED="$dir/acked"
: > "$PROBE_ACKED"

"$PROBE" outage > "$dir/out" 2>&1 &
p=$!
FAX_PIDS="$FAX_PIDS $p"
pg_wait_line "$dir/out" "ready 1"
pg_wait_line "$PROBE_ACKED" "o-5"

# The server drops the store's connection.
n=$(psql -qAt -c "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
	WHERE application_name = 'faxtop'")
[ "$n" = 1 ] || fail "not one store session to drop ($n)"
pg_wait_line "$dir/out" "down: lost"
pg_wait_line "$dir/out" "ready 2"

# The server crashes under the writes, and comes back.
before=$(wc -l < "$PROBE_ACKED")
pg_run "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop >/dev/null 2>&1 ||
	fail "cannot stop the server"
pg_wait_line "$dir/out" "down: "
# Writes keep coming while it is down: they fail, they do not vanish.
f=$(grep -c "^write failed" "$dir/out")
pg_wait_line "$dir/out" "write failed: " 20
i=0
until [ "$(grep -c "^write failed" "$dir/out")" -gt $((f + 3)) ]; do
	[ $i -lt 200 ] || fail "writes stopped failing while the server was down"
	sleep 0.1
	i=$((i + 1))
done
pg_run "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w start >/dev/null 2>&1 ||
	fail "cannot start the server again"
wait "$p" || { cat "$dir/out" >&2; fail "the probe did not recover"; }
cat "$dir/out"
grep -q "^ready 3" "$dir/out" || fail "no reconnection after the crash"
n=$(sed -n 's/^acked [0-9]*, failures \([0-9]*\)$/\1/p' "$dir/out")
[ "${n:-0}" -gt 0 ] || fail "no write failed while the server was down"
[ "$(wc -l < "$PROBE_ACKED")" -gt "$before" ] || fail "nothing was stored after the recovery"

# Every acknowledged id is there.
psql -qAt -c "SELECT id FROM events" | sort > "$dir/stored"
sort "$PROBE_ACKED" > "$dir/acked.sorted"
missing=$(comm -23 "$dir/acked.sorted" "$dir/stored" | wc -l)
echo "acknowledged $(wc -l < "$dir/acked.sorted"), stored $(wc -l < "$dir/stored"), missing $missing"
[ "$missing" = 0 ] || fail "$missing acknowledged events are not in the database"
[ "$(psql -qAt -c "SELECT value FROM meta WHERE key = 'schema_version'")" = 1 ] ||
	fail "the schema changed over the reconnections"
if grep -qF -- "$PG_PASSWORD" "$dir/out"; then
	fail "the password reached the output"
fi
if grep -q "^\(FATAL\|NOTICE\|WARNING\)" "$dir/out"; then
	fail "libpq printed a notice"
fi
echo "PASS"
