#!/bin/sh
# A key the API refuses is a clear start-up error for faxtop --headless (and
# the key itself never appears in its output).
. "$top_srcdir/tests/integration/lib.sh"
D=$(fax_tmpdir)
MINTFAX_WEBHOOK_SECRET=$SIM_SECRET
export MINTFAX_WEBHOOK_SECRET

start_faxsim --seed 1
for key in mfx_test_not_the_right_one mfx_live_notactivated0000; do
	out=$D/$key.out
	MINTFAX_API_KEY=$key "$top_builddir/app/faxtop" --headless --listen 127.0.0.1:0 \
		--db "$D/$key.db" --api-base "$SIM_URL/v1" >"$out" 2>"$out.err" &
	pid=$!
	track_pid $pid
	wait_until 20 sh -c "! kill -0 $pid 2>/dev/null" || fail "faxtop kept running with a refused key"
	wait $pid
	rc=$?
	[ "$rc" -ne 0 ] || fail "faxtop exited 0 with a refused key"
	grep -q "the API refused the key" "$out.err" || fail "no clear message: $(cat "$out.err")"
	grep -q "$key" "$out" "$out.err" && fail "the key was printed"
done
grep -q "not_activated\|activated" "$D/mfx_live_notactivated0000.out.err" ||
	fail "the live-key refusal does not say the account is not activated"
exit 0
