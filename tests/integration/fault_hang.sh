#!/bin/sh
# Hung API: faxsim is frozen with SIGSTOP for 20 s (it accepts connections
# through the kernel's backlog but never answers, and sends no webhooks).
# faxtop's requests time out (--request-timeout 1) and stay within what the
# backoff allows; its loop is never blocked: /healthz answers and a signed
# webhook is acknowledged and stored while the API hangs. After SIGCONT the
# catch-up brings the store to exactly faxsim's /events.
#
# FAULT_SEED=N repeats faxsim's traffic; FAULT_HANG_S sets the hang.
. "$top_srcdir/tests/integration/fault_lib.sh"
command -v sqlite3 >/dev/null 2>&1 || fail "the sqlite3 CLI is required for this test"
D=$(fax_tmpdir)
HANG_S=${FAULT_HANG_S:-20}
note "seed $SEED (FAULT_SEED=$SEED repeats this run), hang ${HANG_S}s"

# A frozen faxsim must not outlive the test: thaw it before the cleanup's
# SIGTERM.
trap 'rc=$?; [ -n "$SIM_PID" ] && kill -CONT "$SIM_PID" 2>/dev/null; fax_cleanup; exit $rc' EXIT

api_failures()
{
	grep -c 'WARN api [A-Z]* /' "$FAXTOP_OUT.err"
}

PORT=$(free_port)
# 5 faxes a second for 20 s at speed 15; a fifth of the webhooks dropped.
start_faxsim --seed "$SEED" --speed 15 --rate 20 --traffic-count 100 --auto-topup --drop 0.2 \
	--rate-limit 1000000 --webhook-url "http://127.0.0.1:$PORT/webhooks/mintfax"
start_faxtop --listen "127.0.0.1:$PORT" --db "$D/faxtop.db" --api-base "$SIM_URL/v1" \
	--poll-interval 1 --balance-interval 1 --connect-timeout 1 --request-timeout 1
wait_until 60 grep -q '"source":"poll"' "$FAXTOP_OUT" || fail "the poller caught nothing up before the hang"

# The hang.
fail_before=$(api_failures)
kill -STOP "$SIM_PID"
START=$(now)
# Long enough for requests to time out, then the listener must still work.
sleep 3
code=$(curl -sS --max-time 10 -o "$D/health" -w '%{http_code}' "http://$FAXTOP_ADDR/healthz") ||
	fail "/healthz did not answer while the API hung"
[ "$code" = 200 ] || fail "/healthz answered $code while the API hung"
[ "$(jqs .store_ok <"$D/health")" = true ] || fail "/healthz: $(cat "$D/health")"
code=$(probe 1)
[ "$code" = 204 ] || fail "a signed webhook was answered $code while the API hung"
[ "$(sqlite3 "$D/faxtop.db" "SELECT count(*) FROM events WHERE id = 'evt_faultprobe_1'")" = 1 ] ||
	fail "the webhook acknowledged while the API hung is not stored"
sleep "$(awk -v h="$HANG_S" 'BEGIN { print (h > 3 ? h - 3 : 0) }')"
during=$(($(api_failures) - fail_before))
kill -CONT "$SIM_PID"
END=$(now)
hung_s=$(since "$START" "$END")
kill -0 "$FAXTOP_PID" 2>/dev/null || fail "faxtop died while the API hung"
# Each probe also waits out the 1 s timeout; one more may still be in
# flight when faxsim thaws. (Without backoff: one a second.)
bound=$(($($H backoff-bound "$hung_s" 1) + 1))
note "failed requests during ${hung_s}s of hang: $during (backoff allows $bound)"
[ "$during" -ge 2 ] || fail "only $during requests failed in ${hung_s}s of hang: faxtop stopped probing"
[ "$during" -le "$bound" ] ||
	fail "$during requests failed in ${hung_s}s of hang: the backoff does not hold (at most $bound)"
grep -Eiq 'WARN api [A-Z]* /.*(timeout|timed out)' "$FAXTOP_OUT.err" ||
	fail "the timeouts were not logged as such"

# Recovery.
converge "$D/faxtop.db" "after the hang" faultprobe
dups=$($H printed-dups "$FAXTOP_OUT") || fail "unreadable stdout"
[ "$dups" = 0 ] || fail "$dups events were accepted twice"
note "FIGURES seed=$SEED hang_s=$hung_s failed_requests_during=$during bound=$bound" \
	"$(tail -n1 "$D/conv") from_poll=$(grep -c '"source":"poll"' "$FAXTOP_OUT")" \
	"printed_twice=$dups converge_s=$(since "$END" "$CONV")" \
	"after_last_fax_s=$(since "$SETTLED" "$CONV")"
finish
exit 0
