#!/bin/sh
# The real faxtop in tmux against faxsim: one resend path, one fax.
#  - resend twice: one fax at faxsim, and the second dialog names the first;
#  - that resend fails too: the case is unresolved again; a dismissal of it
#    survives a restart;
#  - a resend that times out, then a retry after a restart: the same key
#    (from the store), one fax;
#  - faxtop resend on the command line after the TUI's timed-out resend,
#    while the TUI still runs: the same key, one fax;
#  - a crash (SIGKILL) while the request is on its way, then a retry: the
#    same key, one fax.
# Faxes are counted at faxsim through its API (GET /v1/faxes).
. "${top_srcdir:-.}/tests/integration/lib.sh"
. "${top_srcdir:-.}/tests/tui/lib.sh"
trap 'rc=$?; tui_cleanup; fax_cleanup; exit $rc' EXIT
trap 'exit 1' INT TERM HUP
need_python
command -v sqlite3 >/dev/null 2>&1 || skip "sqlite3 not installed"
H="python3 $top_srcdir/tests/integration/poller_helper.py"
FAXTOP="$top_builddir/app/faxtop"
D=$(fax_tmpdir)
DB="$D/tui.db"

resent_count() {
	$H count-resent "$SIM_ADDR" "$SIM_KEY" "$1"
}

ledger_key() {
	sqlite3 -batch "$DB" "SELECT key FROM resend_ledger WHERE fax_id = '$1' AND state = '$2'"
}

# faxtop_tui TIMEOUT: the TUI against the current faxsim.
faxtop_tui() {
	tui_start LANG=C.UTF-8 MINTFAX_API_KEY=$SIM_KEY MINTFAX_WEBHOOK_SECRET=$SIM_SECRET -- \
		"$FAXTOP" --db "$DB" --api-base "$SIM_URL/v1" --listen 127.0.0.1:0 \
		--request-timeout "$1"
}

# timed_out_resend FAX: selects FAX, resends it, and waits for the answer
# that its outcome is unknown; KEPT is the key kept in the ledger.
timed_out_resend() {
	wait_for "$1" 60
	keys / C-u "$1" Enter
	wait_for "faxes 1 filter" 30
	keys r
	wait_for "resend $1"
	keys Enter
	wait_for "its key is kept (r retries it)" 60
	KEPT=$(ledger_key "$1" pending)
	[ -n "$KEPT" ] || fail "the timed-out resend of $1 left no pending key"
}

start_faxsim --seed 9 --speed 200
f1=$(submit_fax +15005550002 | jqs .id)
wait_until 60 fax_is "$f1" failed || fail "$f1 did not fail"

faxtop_tui 20
wait_for "$f1" 60
keys / "status:failed" Enter
wait_for "filter: status:failed"
keys r
wait_for "resend $f1"
expect "idempotency key: minted and stored before sending"
keys Enter
wait_for "$f1 resent as fax_"
new1=$(ledger_key "$f1" sent)
[ -n "$new1" ] || fail "no settled ledger row for $f1"
new_id=$(sqlite3 -batch "$DB" "SELECT new_fax_id FROM resend_ledger WHERE fax_id = '$f1'")
# A second r (a double press, or a second thought): the dialog names the
# first resend and asks for an explicit choice; Esc sends nothing.
keys r
wait_for "already resent as $new_id"
keys Enter
wait_for "Enter again to send ANOTHER fax"
keys Escape Escape
wait_for "resend cancelled"
[ "$(resent_count "$f1")" = 1 ] || fail "two faxes after a second resend dialog"
# The resend goes to the same busy number and fails too: the case is
# unresolved again, the chain visible in its row.
wait_until 60 fax_is "$new_id" failed || fail "$new_id did not fail"
keys / C-u "state:unresolved" Enter
wait_for "faxes 2 filter: state:unresolved" 60
wait_re "$(echo "$f1" | rev | cut -c1-10 | rev) .*→✖ [0-9][0-9]:[0-9][0-9]"
expect "unresolved 1"
# Dismissed, with a note; that survives a restart.
keys d
wait_for "dismiss, note (optional):"
keys "known bad line" Enter
wait_for "dismissed: known bad line"
wait_for "unresolved 0"
keys q
wait_for "EXITED 0"
faxtop_tui 20
wait_for "unresolved 0" 60
keys / "state:dismissed" Enter
wait_for "faxes 2 filter: state:dismissed"
keys D
wait_for "is no longer dismissed"
wait_for "unresolved 1"
keys q
wait_for "EXITED 0"

# A resend that times out: faxsim holds every answer 3 s, faxtop waits 1 s.
start_faxsim --seed 9 --speed 200 --slow 3000
f2=$(submit_fax +15005550002 | jqs .id)
f3=$(submit_fax +15005550003 | jqs .id)
f4=$(submit_fax +15005550005 | jqs .id)
wait_until 60 fax_is "$f2" failed || fail "$f2 did not fail"
wait_until 60 fax_is "$f3" failed || fail "$f3 did not fail"
wait_until 60 fax_is "$f4" failed || fail "$f4 did not fail"
rm -f "$DB" "$DB-wal" "$DB-shm"
faxtop_tui 20
wait_for "$f3" 60
wait_for "$f4" 60
wait_for "$f2" 60
keys q
wait_for "EXITED 0"
faxtop_tui 1
timed_out_resend "$f2"
key2=$KEPT
# The retry in the same run names the key it reuses.
keys r
wait_for "no known outcome"
wait_for "idempotency key: $key2 (reused)"
keys Escape
keys q
wait_for "EXITED 0"
# After a restart, with patience: the same key, the fax the first request made.
faxtop_tui 20
wait_for "$f2" 60
keys / C-u "$f2" Enter
wait_for "faxes 1 filter" 30
keys r
wait_for "idempotency key: $key2 (reused)"
keys Enter
wait_for "(the earlier key, reused)" 60
[ "$(resent_count "$f2")" = 1 ] || fail "a timeout, a restart and a retry made more than one fax"
[ "$(ledger_key "$f2" sent)" = "$key2" ] || fail "the retry did not settle the kept key"
keys q
wait_for "EXITED 0"

# The command line after the TUI: the TUI's resend of f3 times out, and
# faxtop resend, run beside the still running TUI, reuses its key.
faxtop_tui 1
timed_out_resend "$f3"
key3=$KEPT
MINTFAX_API_KEY=$SIM_KEY "$FAXTOP" --db "$DB" --api-base "$SIM_URL/v1" --request-timeout 20 \
	resend "$f3" >"$D/out" 2>"$D/err" || fail "faxtop resend after the TUI: $(cat "$D/err")"
grep -q "$key3" "$D/err" || fail "the command line did not reuse the TUI's key: $(cat "$D/err")"
[ "$(resent_count "$f3")" = 1 ] || fail "the command line after the TUI made a second fax"
[ "$(api GET "/v1/faxes/$(cat "$D/out")" | jqs .idempotency_key)" = "$key3" ] ||
	fail "the fax was not made with the TUI's key"
keys q
wait_for "EXITED 0"
# A crash (SIGKILL) while the request is on its way: the key was committed
# before the POST, so the restarted faxtop retries with it. One fax.
faxtop_tui 20
wait_for "$f4" 60
keys / C-u "$f4" Enter
wait_for "faxes 1 filter" 30
keys r
wait_for "resend $f4"
keys Enter
wait_for "resending $f4"
key4=$(ledger_key "$f4" pending)
[ -n "$key4" ] || fail "no pending key committed while the resend of $f4 was on its way"
shell=$(tmux -L "$SOCK" list-panes -t tui -F '#{pane_pid}')
pid=$(pgrep -P "$shell" -x faxtop) || pid=$(pgrep -P "$shell" -x lt-faxtop) ||
	fail "cannot find faxtop's pid under $shell"
kill -KILL "$pid"
wait_for "EXITED 137"
faxtop_tui 20
wait_for "$f4" 60
keys / C-u "$f4" Enter
wait_for "faxes 1 filter" 30
keys r
wait_for "idempotency key: $key4 (reused)"
keys Enter
wait_for "(the earlier key, reused)" 60
[ "$(resent_count "$f4")" = 1 ] || fail "a crash and a retry made more than one fax"
keys q
wait_for "EXITED 0"
echo "PASS"
