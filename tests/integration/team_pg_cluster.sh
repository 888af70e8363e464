#!/bin/sh
# The throwaway PostgreSQL cluster that team-mode tests run against: it
# answers on 127.0.0.1 only, as an unprivileged user, with a password that
# only the PGPASSFILE (0600) holds, and leaves nothing behind.
. "${top_srcdir:-.}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/pg_lib.sh"

pg_start
[ "$(psql -qAt -c 'SELECT 1')" = 1 ] || fail "the cluster does not answer"
[ "$(psql -qAt -c 'SHOW listen_addresses')" = 127.0.0.1 ] || fail "not on loopback only"
owner=$(ps -o user= -p "$(head -n 1 "$PG_DIR/data/postmaster.pid")")
[ "$owner" != root ] || fail "the server runs as root"
[ "$(stat -c %a "$PGPASSFILE")" = 600 ] || fail "the password file is readable by others"
# Without the password file the server refuses: nothing is open by default.
if PGPASSFILE=/dev/null psql -qAt -w -c 'SELECT 1' >/dev/null 2>&1; then
	fail "the cluster accepted a connection without the password"
fi
dir=$PG_DIR
port=$PGPORT
pg_stop
[ ! -e "$dir" ] || fail "the cluster's directory is left behind"
if psql -qAt -w -h 127.0.0.1 -p "$port" -c 'SELECT 1' >/dev/null 2>&1; then
	fail "the cluster still answers after pg_stop"
fi
echo "PASS"
