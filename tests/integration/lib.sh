# Helpers for integration tests: source this file from a test script.
#
#   . "$top_srcdir/tests/integration/lib.sh"
#   start_faxsim --seed 7 --speed 200
#   api GET /v1/environment/balance
#
# Exit codes follow automake: 0 pass, 1 fail, 77 skip, 99 hard error.
# Every wait is bounded; everything started here is killed by the EXIT trap.

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
export top_srcdir top_builddir

SIM_KEY=${SIM_KEY:-mfx_test_sim}
SIM_SECRET=${SIM_SECRET:-whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw}
FAX_PIDS=""
FAX_TMP=""

fail()
{
	echo "FAIL: $*" >&2
	exit 1
}

skip()
{
	echo "SKIP: $*" >&2
	exit 77
}

note()
{
	echo "# $*" >&2
}

fax_cleanup()
{
	for p in $FAX_PIDS; do
		kill "$p" 2>/dev/null
	done
	for p in $FAX_PIDS; do
		# bounded: up to 2 s, then SIGKILL
		i=0
		while kill -0 "$p" 2>/dev/null && [ $i -lt 20 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		kill -9 "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	FAX_PIDS=""
	[ -n "$FAX_TMP" ] && rm -rf "$FAX_TMP"
}
trap 'rc=$?; fax_cleanup; exit $rc' EXIT
trap 'exit 1' INT TERM HUP

# fax_tmpdir: prints (and creates once) a scratch dir removed at exit.
fax_tmpdir()
{
	if [ -z "$FAX_TMP" ]; then
		FAX_TMP=$(mktemp -d "${TMPDIR:-/tmp}/faxtest.XXXXXX") || fail "mktemp"
	fi
	echo "$FAX_TMP"
}
# Create it now, in this shell, so $(fax_tmpdir) in subshells agrees.
fax_tmpdir >/dev/null

# track_pid PID: kill PID at exit.
track_pid()
{
	FAX_PIDS="$FAX_PIDS $1"
}

# wait_until TIMEOUT_SECONDS CMD...: polls CMD every 0.1 s; 0 once it
# succeeds, 1 when the time is up.
wait_until()
{
	_wu_limit=$(($1 * 10))
	shift
	_wu_i=0
	while [ $_wu_i -lt $_wu_limit ]; do
		if "$@"; then
			return 0
		fi
		sleep 0.1
		_wu_i=$((_wu_i + 1))
	done
	return 1
}

# wait_ready_file FILE PID TIMEOUT: waits for a non-empty line in FILE while
# PID lives.
wait_ready_file()
{
	_wr_i=0
	while [ $_wr_i -lt $(($3 * 10)) ]; do
		if [ -s "$1" ] && grep -q ':' "$1"; then
			return 0
		fi
		kill -0 "$2" 2>/dev/null || return 1
		sleep 0.1
		_wr_i=$((_wr_i + 1))
	done
	return 1
}

# await_ready WHAT PID READY-FILE LOG: tracks PID (killed at exit) and waits
# for its ready file; if it dies or takes over 10 s, shows LOG and fails.
await_ready()
{
	track_pid "$2"
	if ! wait_ready_file "$3" "$2" 10; then
		cat "$4" >&2
		fail "$1 did not become ready"
	fi
}

# start_faxsim ARGS...: starts faxsim on a free loopback port with the test
# key and secret; sets SIM_ADDR, SIM_URL, SIM_PID, SIM_LOG.
start_faxsim()
{
	_d=${D:-$(fax_tmpdir)}
	_n=${_sim_n:-0}
	_sim_n=$((_n + 1))
	_ready="$_d/faxsim.$_n.ready"
	SIM_LOG="$_d/faxsim.$_n.log"
	rm -f "$_ready"
	[ -x "$top_builddir/sim/faxsim" ] || fail "faxsim not built at $top_builddir/sim/faxsim"
	"$top_builddir/sim/faxsim" --listen 127.0.0.1:0 --ready-file "$_ready" \
		--key "$SIM_KEY" --secret "$SIM_SECRET" "$@" >"$SIM_LOG" 2>&1 &
	SIM_PID=$!
	await_ready faxsim "$SIM_PID" "$_ready" "$SIM_LOG"
	SIM_ADDR=$(head -n1 "$_ready")
	SIM_URL="http://$SIM_ADDR"
	export SIM_ADDR SIM_URL SIM_PID SIM_LOG
}

# start_faxtop ARGS...: starts faxtop headless on a free loopback port; its
# stdout goes to $FAXTOP_OUT. Sets FAXTOP_ADDR, FAXTOP_PID.
start_faxtop()
{
	_d=${D:-$(fax_tmpdir)}
	_n=${_top_n:-0}
	_top_n=$((_n + 1))
	_ready="$_d/faxtop.$_n.ready"
	FAXTOP_OUT=${FAXTOP_OUT:-$_d/faxtop.$_n.out}
	rm -f "$_ready"
	[ -x "$top_builddir/app/faxtop" ] || fail "faxtop not built at $top_builddir/app/faxtop"
	"$top_builddir/app/faxtop" --headless --listen 127.0.0.1:0 --ready-file "$_ready" \
		"$@" >"$FAXTOP_OUT" 2>"$FAXTOP_OUT.err" &
	FAXTOP_PID=$!
	await_ready faxtop "$FAXTOP_PID" "$_ready" "$FAXTOP_OUT.err"
	FAXTOP_ADDR=$(head -n1 "$_ready")
	export FAXTOP_ADDR FAXTOP_PID FAXTOP_OUT
}

# api METHOD PATH [curl args...]: a request to faxsim with the test key
# (or $API_KEY when set).
# Prints the body; the status goes to $FAX_TMP/last_status, the response
# headers to $FAX_TMP/last_headers. Returns 0 whatever the HTTP status
# (use api_status / expect_status), 1 when curl itself failed.
api()
{
	_m=$1
	_p=$2
	shift 2
	_d=${D:-$(fax_tmpdir)}
	# API_KEY overrides the key; set but empty sends no Authorization.
	_k=${API_KEY-$SIM_KEY}
	if [ -n "$_k" ]; then
		set -- -H "Authorization: Bearer $_k" "$@"
	fi
	curl -sS --max-time 10 -X "$_m" -o "$_d/last_body" -D "$_d/last_headers" \
		-w '%{http_code}' "$@" "http://$SIM_ADDR$_p" >"$_d/last_status" || return 1
	cat "$_d/last_body"
}

# api_status: the HTTP status of the last api call.
api_status()
{
	cat "$(fax_tmpdir)/last_status"
}

# api_header NAME: a header of the last api call (case-insensitive).
api_header()
{
	grep -i "^$1:" "$(fax_tmpdir)/last_headers" | head -n1 | cut -d: -f2- |
		tr -d '\r' | sed 's/^ *//'
}

# expect_status CODE WHAT: fails unless the last api call answered CODE.
expect_status()
{
	_got=$(api_status)
	[ "$_got" = "$1" ] || fail "$2: expected HTTP $1, got $_got: $(cat "$(fax_tmpdir)/last_body")"
}

# use_sim_credentials: faxtop (and what it runs) talks to faxsim with the
# test key and signing secret, taken from the environment.
use_sim_credentials()
{
	MINTFAX_API_KEY=$SIM_KEY
	MINTFAX_WEBHOOK_SECRET=$SIM_SECRET
	export MINTFAX_API_KEY MINTFAX_WEBHOOK_SECRET
}

# all_faxes_terminal: every fax faxsim lists (its first 100) has finished.
all_faxes_terminal()
{
	[ "$(api GET '/v1/faxes?per_page=100' |
		jqs 'all(.data[]; .status == "delivered" or .status == "failed")')" = true ]
}

# expect_fail RC PATTERN CMD...: CMD exits RC, says PATTERN on stderr and
# nothing on stdout (a failure prints nothing a script could take for an
# answer). Both are kept in $D/out and $D/err for more checks.
expect_fail()
{
	_rc=$1
	_pat=$2
	shift 2
	_d=${D:-$(fax_tmpdir)}
	"$@" >"$_d/out" 2>"$_d/err"
	_got=$?
	[ "$_got" = "$_rc" ] || fail "$*: exit $_got, expected $_rc: $(cat "$_d/err")"
	grep -q -- "$_pat" "$_d/err" || fail "$*: no '$_pat' in: $(cat "$_d/err")"
	[ -s "$_d/out" ] && fail "$*: printed something on stdout after a failure"
	return 0
}

# jqs FILTER: jq on stdin, compact output, strings raw (jq starts much
# faster than python3, which matters on a loaded machine).
jqs()
{
	jq -r -c "$1"
}

# need_python: python3 is part of the test environment.
need_python()
{
	command -v python3 >/dev/null 2>&1 || fail "python3 is required for this test"
}

# start_receiver [ARGS...]: the Python webhook receiver (signature checks by
# Python's hmac); sets RECV_ADDR, RECV_URL, RECV_LOG, RECV_PID.
start_receiver()
{
	need_python
	_d=${D:-$(fax_tmpdir)}
	_n=${_recv_n:-0}
	_recv_n=$((_n + 1))
	_ready="$_d/recv.$_n.ready"
	RECV_LOG="$_d/recv.$_n.jsonl"
	: >"$RECV_LOG"
	python3 "$top_srcdir/tests/integration/webhook_receiver.py" --ready "$_ready" \
		--log "$RECV_LOG" --secret "$SIM_SECRET" "$@" 2>"$_d/recv.$_n.err" &
	RECV_PID=$!
	await_ready "the webhook receiver" "$RECV_PID" "$_ready" "$_d/recv.$_n.err"
	RECV_ADDR=$(head -n1 "$_ready")
	RECV_URL="http://$RECV_ADDR/hook"
	export RECV_ADDR RECV_URL RECV_LOG RECV_PID
}

# recv_count [JQ-CONDITION]: number of received requests matching a jq
# condition on a record of webhook_receiver.py.
recv_count()
{
	jq -s "[.[] | select(${1:-true})] | length" "$RECV_LOG"
}

# recv_at_least N [CONDITION]: true once at least N records match.
recv_at_least()
{
	[ "$(recv_count "${2:-true}")" -ge "$1" ]
}

# submit_fax TO [curl args...]: POST /v1/faxes with a small document; prints
# the body (check api_status).
submit_fax()
{
	_to=$1
	shift
	_doc="$(fax_tmpdir)/doc.pdf"
	[ -f "$_doc" ] || printf '%%PDF-1.4\n%% faxsim test document\n' >"$_doc"
	api POST /v1/faxes -F "to=$_to" -F "file=@$_doc;type=application/pdf" "$@"
}

# fax_status ID: the fax's current status.
fax_status()
{
	api GET "/v1/faxes/$1" | jqs .status
}

# fax_is ID STATUS: true when the fax has that status.
fax_is()
{
	[ "$(fax_status "$1")" = "$2" ]
}
