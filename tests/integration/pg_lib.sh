# A throwaway PostgreSQL cluster for one test (team mode, issue 18). Source
# after lib.sh:
#
#   . "$top_srcdir/tests/integration/pg_lib.sh"
#   pg_start            # exports PGHOST PGPORT PGUSER PGDATABASE PGPASSFILE
#   psql -c 'SELECT 1'
#   pg_stop             # also done by the EXIT trap
#
# The cluster lives in a temporary directory, is run by an unprivileged user
# (the Debian package's "postgres" when the test runs as root, otherwise the
# test's own user), listens on 127.0.0.1 only, on a free port, with its
# socket in that directory, and asks for a password (SCRAM) that only the
# PGPASSFILE knows. Nothing depends on a server already running, and
# everything is removed afterwards. A machine without the server skips (77).

PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
PG_DIR=""
PG_AS=""

# pg_run CMD...: runs CMD as the cluster's user.
pg_run()
{
	if [ -n "$PG_AS" ]; then
		setpriv --reuid="$PG_AS" --regid="$(id -g "$PG_AS")" --clear-groups \
			env HOME="$PG_DIR" "$@"
	else
		"$@"
	fi
}

pg_free_port()
{
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

pg_start()
{
	[ -n "$PG_BIN" ] && [ -x "$PG_BIN/initdb" ] ||
		skip "the PostgreSQL server is not installed (apt-get install postgresql)"
	command -v psql >/dev/null 2>&1 || skip "psql is not installed (postgresql-client)"
	PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/faxtop-pg.XXXXXX")
	if [ "$(id -u)" = 0 ]; then
		id postgres >/dev/null 2>&1 && PG_AS=postgres || PG_AS=nobody
		chown "$PG_AS" "$PG_DIR"
	fi
	chmod 700 "$PG_DIR"
	PG_PORT=$(pg_free_port)
	PG_PASSWORD=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
	# The password goes through a file, never the command line.
	(umask 077 && printf '%s\n' "$PG_PASSWORD" > "$PG_DIR/pw")
	[ -z "$PG_AS" ] || chown "$PG_AS" "$PG_DIR/pw"
	pg_run "$PG_BIN/initdb" -D "$PG_DIR/data" -U faxtop --pwfile="$PG_DIR/pw" \
		--auth=scram-sha-256 -E UTF8 --locale=C.UTF-8 --no-sync >"$PG_DIR/initdb.log" 2>&1 ||
		{ cat "$PG_DIR/initdb.log" >&2; fail "initdb failed"; }
	rm -f "$PG_DIR/pw"
	cat >> "$PG_DIR/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$PG_DIR'
max_connections = 40
log_min_messages = warning
CONF
	pg_run "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 start \
		>/dev/null 2>&1 || { cat "$PG_DIR/server.log" >&2; fail "the cluster did not start"; }
	# libpq's usual sources: the password file, 0600, and the environment.
	(umask 077 && printf '127.0.0.1:%s:*:faxtop:%s\n' "$PG_PORT" "$PG_PASSWORD" > "$PG_DIR/pgpass")
	PGPASSFILE="$PG_DIR/pgpass" PGHOST=127.0.0.1 PGPORT=$PG_PORT PGUSER=faxtop
	PGDATABASE=postgres
	export PGPASSFILE PGHOST PGPORT PGUSER PGDATABASE
	unset PGPASSWORD PGSERVICE PGSERVICEFILE
	psql -qAt -c "CREATE DATABASE faxtop" >/dev/null || fail "cannot create the database"
	PGDATABASE=faxtop
	export PGDATABASE
	FAX_PG_STARTED=1
}

# pg_stop: stops the cluster and removes its directory.
pg_stop()
{
	[ -n "$PG_DIR" ] || return 0
	pg_run "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w -t 30 stop >/dev/null 2>&1
	rm -rf "$PG_DIR"
	PG_DIR=""
}

trap 'rc=$?; pg_stop; fax_cleanup; exit $rc' EXIT

# pg_wait_line FILE TEXT [SECONDS]: until FILE has a line with TEXT (20 s
# unless told), for the probes' output.
pg_wait_line()
{
	_n=$(( ${3:-20} * 10 ))
	_i=0
	while ! grep -qF -- "$2" "$1" 2>/dev/null; do
		[ $_i -lt $_n ] || { cat "$1" >&2; fail "no '$2' in $(basename "$1")"; }
		sleep 0.1
		_i=$((_i + 1))
	done
}

# pg_probe_setup: for the tests that drive pg_store_probe: skips when it is
# not built, starts the cluster, sets PROBE and dir (a temporary folder).
pg_probe_setup()
{
	PROBE="$top_builddir/tests/integration/pg_store_probe"
	[ -x "$PROBE" ] || skip "$PROBE not built"
	pg_start
	dir=$(fax_tmpdir)
}

# pg_probe_race GO OUT1 WHO1 ARGS1 OUT2 WHO2 ARGS2: two probes as two
# operators; once both stores are ready, the file GO lets them go at the
# same moment; returns when both have finished (fails if either failed).
pg_probe_race()
{
	PROBE_GO=$1
	export PROBE_GO
	# shellcheck disable=SC2086 # ARGS are words
	PROBE_WHO=$3 "$PROBE" $4 > "$2" 2>&1 &
	_p1=$!
	# shellcheck disable=SC2086
	PROBE_WHO=$6 "$PROBE" $7 > "$5" 2>&1 &
	_p2=$!
	FAX_PIDS="$FAX_PIDS $_p1 $_p2"
	pg_wait_line "$2" "ready 1"
	pg_wait_line "$5" "ready 1"
	touch "$PROBE_GO"
	wait "$_p1" || { cat "$2" >&2; fail "the probe '$4' as $3 failed"; }
	wait "$_p2" || { cat "$5" >&2; fail "the probe '$7' as $6 failed"; }
}

# pg_env: libpq's environment for the cluster as NAME=VALUE words, for a
# command started through env(1) (a tmux session does not inherit ours).
pg_env()
{
	echo "PGHOST=$PGHOST PGPORT=$PGPORT PGUSER=$PGUSER PGDATABASE=$PGDATABASE" \
		"PGPASSFILE=$PGPASSFILE"
}
