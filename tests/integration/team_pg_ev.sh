#!/bin/sh
# core/pg_ev against a real PostgreSQL: queries in order with parameters,
# an error that leaves the connection usable, LISTEN/NOTIFY from another
# session, and a server that goes away and comes back (queries fail with
# the reason meanwhile, the connection comes back by itself, and no message
# carries the password).
. "${top_srcdir:-.}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/pg_lib.sh"

PROBE="$top_builddir/tests/integration/pg_ev_probe"
[ -x "$PROBE" ] || skip "$PROBE not built"
pg_start
out=$(fax_tmpdir)/probe.out

# wait_line FILE TEXT: until FILE has a line with TEXT (20 s at most).
wait_line()
{
	i=0
	while ! grep -qF -- "$2" "$1" 2>/dev/null; do
		[ $i -lt 200 ] || { cat "$1" >&2; fail "no '$2' from the probe"; }
		sleep 0.1
		i=$((i + 1))
	done
}

"$PROBE" basic > "$out" 2>&1 &
pid=$!
FAX_PIDS="$FAX_PIDS $pid"
wait_line "$out" "ok"
wait_line "$out" "notify faxtop_probe from-self"
psql -qAt -c "NOTIFY faxtop_probe, 'from-psql'" >/dev/null || fail "psql NOTIFY failed"
wait "$pid" || { cat "$out" >&2; fail "the basic probe failed"; }
grep -q "notify faxtop_probe from-psql" "$out" || fail "another session's NOTIFY did not arrive"

err=$(fax_tmpdir)/probe.err
"$PROBE" outage > "$out" 2> "$err" &
pid=$!
FAX_PIDS="$FAX_PIDS $pid"
wait_line "$out" "up 127.0.0.1:$PGPORT/faxtop"
pg_run "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || fail "cannot stop"
wait_line "$out" "down: "
pg_run "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w start >/dev/null 2>&1 ||
	fail "cannot start again"
wait "$pid" || { cat "$out" "$err" >&2; fail "the probe did not see the server come back"; }
[ "$(grep -c '^up ' "$out")" -ge 2 ] || fail "no second 'up'"
n=$(sed -n 's/^failures //p' "$out")
[ "${n:-0}" -gt 0 ] || fail "no query failed while the server was down"
if grep -qF -- "$PG_PASSWORD" "$out" "$err"; then
	fail "the password reached the output"
fi
# libpq's own notices ("terminating connection…") must not reach stderr: under
# the TUI they would draw over the screen. The reason in our own "down:" line
# may quote the server ("FATAL:  terminating connection…"), so only stderr is
# searched, and the probe's own messages there are left out.
if grep -v '^pg_ev_probe: ' "$err" | grep -q "FATAL\|NOTICE\|WARNING"; then
	cat "$err" >&2
	fail "libpq printed a notice"
fi
echo "PASS"
