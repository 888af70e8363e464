# Helpers for the listener tests (faxtop --headless as a webhook receiver).
# Source after nothing else: it sources lib.sh itself.
. "$top_srcdir/tests/integration/lib.sh"
need_python
command -v sqlite3 >/dev/null 2>&1 || skip "sqlite3 (the command) is needed to inspect the store"

LC="$top_srcdir/tests/integration/listener_client.py"
# The system interpreter starts in a fraction of a second; a pyenv shim can
# take seconds per call, and these tests call Python often. $PYTHON wins.
PY=${PYTHON:-python3}
if [ -z "$PYTHON" ] && [ -x /usr/bin/python3 ]; then
	PY=/usr/bin/python3
fi
SECRET=whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw
# Keep the poller off (no API key: it would go to the internet) and any
# user config out.
unset MINTFAX_API_KEY MINTFAX_API_BASE MINTFAX_WEBHOOK_SECRET
XDG_CONFIG_HOME="$(fax_tmpdir)/config"
XDG_DATA_HOME="$(fax_tmpdir)/data"
export XDG_CONFIG_HOME XDG_DATA_HOME
DB="$(fax_tmpdir)/db/faxtop.db"

# start_listener ARGS...: faxtop --headless with $SECRET and $DB.
start_listener()
{
	MINTFAX_WEBHOOK_SECRET=$SECRET start_faxtop --db "$DB" "$@"
}

# send [listener_client send options] < BODY: prints "STATUS BODY".
send()
{
	"$PY" "$LC" send "$FAXTOP_ADDR" "$@"
}

# event ID TYPE FAX_ID [CREATED]: a well-formed event body.
event()
{
	"$PY" "$LC" event "$@"
}

# expect_answer WANT GOT WHAT: GOT starts with WANT.
expect_answer()
{
	case "$2" in
	"$1"*) ;;
	*) fail "$3: expected '$1…', got '$2'" ;;
	esac
}

# sql QUERY: one value from the store.
sql()
{
	sqlite3 -batch -noheader "$DB" "$1"
}

# stdout_lines: events faxtop printed (one JSON line each).
stdout_lines()
{
	grep -c '^{' "$FAXTOP_OUT" || true
}

# stop_listener: ends the current faxtop (SIGTERM, bounded wait) so another
# can start with other options.
stop_listener()
{
	kill "$FAXTOP_PID" 2>/dev/null
	wait_until 10 sh -c "! kill -0 $FAXTOP_PID 2>/dev/null" || kill -9 "$FAXTOP_PID" 2>/dev/null
	wait "$FAXTOP_PID" 2>/dev/null
	FAXTOP_OUT=
}
