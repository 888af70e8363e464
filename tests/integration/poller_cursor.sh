#!/bin/sh
# The catch-up's cursor against a fake API that misbehaves:
#   cycle     next_cursor goes A -> B -> A: the round stops with a warning
#             instead of reading for ever;
#   redirect  the cursor request answers 302: reported and retried with the
#             same cursor, never a reset to the oldest event;
#   long      a 300-byte cursor is followed and stored, not dropped;
#   huge      a 5,000-byte one is refused out loud.
. "$top_srcdir/tests/integration/lib.sh"
need_python
H="python3 $top_srcdir/tests/integration/poller_helper.py"
D=$(fax_tmpdir)
unset MINTFAX_API_BASE
XDG_CONFIG_HOME=$D/config XDG_DATA_HOME=$D/data
export XDG_CONFIG_HOME XDG_DATA_HOME

# start_fake MODE: the fake API; sets FAKE and FAKE_LOG.
start_fake()
{
	FAKE_LOG=$D/$1.requests
	: >"$FAKE_LOG"
	$H cursor-api "$1" "$D/$1.ready" "$FAKE_LOG" 2>"$D/$1.fake.err" &
	track_pid $!
	wait_ready_file "$D/$1.ready" $! 10 || fail "fake API did not start: $(cat "$D/$1.fake.err")"
	FAKE=$(head -n1 "$D/$1.ready")
}

# run MODE ARGS...: faxtop --headless, poller only, against the fake.
run()
{
	_mode=$1
	shift
	FAXTOP_OUT=$D/$_mode.out
	MINTFAX_API_KEY=mfx_test_fake MINTFAX_WEBHOOK_SECRET=$SIM_SECRET start_faxtop --db "$D/$_mode.db" --api-base "http://$FAKE/v1" \
		--balance-interval 3600 "$@"
}

events_requests()
{
	grep -c '^GET /v1/events ' "$FAKE_LOG" || true
}

stop()
{
	kill "$FAXTOP_PID" 2>/dev/null
	wait_until 10 sh -c "! kill -0 $FAXTOP_PID 2>/dev/null" || fail "faxtop did not stop"
	FAXTOP_OUT=
}

# ---- a cycling cursor: one round, a handful of requests, a warning ----
start_fake cycle
run cycle --poll-interval 3600
wait_until 20 grep -q "cursor cycles" "$FAXTOP_OUT.err" || fail "no warning about the cycling cursor"
n=$(events_requests)
[ "$n" -le 4 ] || fail "the cycling cursor was followed $n times in one round"
# The round is over: nothing more is asked until the next one (an hour away).
wait_until 20 sh -c "[ \"\$($H meta '$D/cycle.db' events_cursor)\" = cur_B ]" ||
	fail "the cursor before the cycle was not kept"
n2=$(events_requests)
[ "$n2" = "$n" ] || fail "catch-up went on after the cycle was found ($n then $n2 requests)"
stop

# ---- a redirect on the cursor request: retried, not reset ----
start_fake redirect
run redirect --poll-interval 1
wait_until 20 sh -c "[ \$(grep -c 'after=cur_R' '$FAKE_LOG') -ge 3 ]" ||
	fail "the cursor request was not retried: $(cat "$FAKE_LOG")"
# Only the very first request reads from the start: the cursor was never reset.
[ "$(grep -c 'GET /v1/events after=-' "$FAKE_LOG")" = 1 ] ||
	fail "a redirect reset the cursor: $(cat "$FAKE_LOG")"
[ "$($H meta "$D/redirect.db" events_cursor)" = cur_R ] || fail "the stored cursor moved"
grep -q "redirect" "$FAXTOP_OUT.err" || fail "the log does not say the API redirected"
grep "GET /events" "$FAXTOP_OUT.err" | grep -q "refused" && fail "a redirect is logged as refused"
stop

# ---- a 300-byte cursor: followed and stored ----
start_fake long
run long --poll-interval 3600
want=$(python3 -c 'print("cur_" + "L" * 296)')
wait_until 20 grep -q "after=$want" "$FAKE_LOG" || fail "the 300-byte cursor was not followed"
wait_until 20 sh -c "[ \"\$($H meta '$D/long.db' events_cursor)\" = cur_end ]" ||
	fail "catch-up did not get past the long cursor"
stop

# ---- a 5,000-byte cursor: refused with a warning, never silently ----
start_fake huge
run huge --poll-interval 3600
wait_until 20 grep -q "next_cursor of 5004 bytes" "$FAXTOP_OUT.err" ||
	fail "an overlong cursor was dropped without a word"
stop
exit 0
