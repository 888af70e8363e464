#!/bin/sh
# API outage: a counting proxy in front of faxsim answers every API request
# with 503 for five simulated minutes (20 s at --speed 15) while webhooks keep
# flowing and faxsim drops some of them (--drop), so only the catch-up poller
# can fill the gaps. During the outage faxtop's requests stay within what
# its exponential backoff allows (instead of two a second), the failures are
# logged, faxtop keeps acknowledging webhooks; after recovery the catch-up
# brings the store to exactly faxsim's /events.
#
# FAULT_SEED=N repeats faxsim's traffic; FAULT_OUTAGE_S sets the outage.
. "$top_srcdir/tests/integration/fault_lib.sh"
D=$(fax_tmpdir)
OUTAGE_S=${FAULT_OUTAGE_S:-20}
note "seed $SEED (FAULT_SEED=$SEED repeats this run), outage ${OUTAGE_S}s"

PORT=$(free_port)
# 5 faxes a second for 30 s at speed 15; a third of the webhooks dropped.
start_faxsim --seed "$SEED" --speed 15 --rate 20 --traffic-count 150 --auto-topup --drop 0.3 \
	--rate-limit 1000000 --webhook-url "http://127.0.0.1:$PORT/webhooks/mintfax"

SWITCH=$D/outage
PLOG=$D/proxy.log
: >"$PLOG"
start_fault_proxy "$SWITCH" "$PLOG"

start_faxtop --listen "127.0.0.1:$PORT" --db "$D/faxtop.db" --api-base "http://$PROXY/v1" \
	--poll-interval 1 --balance-interval 1
wait_until 60 grep -q '"source":"poll"' "$FAXTOP_OUT" || fail "the poller caught nothing up before the outage"
wait_until 60 grep -q '"source":"webhook"' "$FAXTOP_OUT" || fail "no webhook reached faxtop before the outage"

# The outage.
lines_before=$(wc -l <"$FAXTOP_OUT")
before=$(wc -l <"$PLOG")
touch "$SWITCH"
START=$(now)
sleep "$OUTAGE_S"
during=$(grep -c '^[0-9]* 503 ' "$PLOG")
rm -f "$SWITCH"
END=$(now)
lines_during=$(($(wc -l <"$FAXTOP_OUT") - lines_before))
bound=$($H backoff-bound "$OUTAGE_S")
naive=$(awk -v t="$OUTAGE_S" 'BEGIN { print 2 * int(t) }')
kill -0 "$FAXTOP_PID" 2>/dev/null || fail "faxtop died during the outage"
note "requests before the outage: $before; during ${OUTAGE_S}s of outage: $during" \
	"(backoff allows $bound; polling without backoff: about $naive)"
[ "$during" -ge 2 ] || fail "only $during requests in ${OUTAGE_S}s of outage: faxtop stopped probing"
[ "$during" -le "$bound" ] || fail "$during requests in ${OUTAGE_S}s of outage: the backoff does not hold (at most $bound)"
grep -Eq 'WARN api GET /[a-z/]*.*(service_unavailable|temporarily unavailable)' "$FAXTOP_OUT.err" ||
	fail "the failed requests were not logged as warnings"
[ "$lines_during" -gt 0 ] || fail "faxtop acknowledged no webhook during the API outage"

# Recovery: catch-up fills what the dropped webhooks missed.
converge "$D/faxtop.db" "after the outage"
first_ok=$(awk -v e="$END" '$1 / 1000 >= e && $2 == 200 { printf "%.3f\n", $1 / 1000; exit }' "$PLOG")
[ -n "$first_ok" ] || fail "no request succeeded after the outage"
dups=$($H printed-dups "$FAXTOP_OUT") || fail "unreadable stdout"
[ "$dups" = 0 ] || fail "$dups events were accepted twice"
grep -q "chaos: dropped" "$SIM_LOG" || fail "faxsim dropped nothing: catch-up was not exercised"
from_poll=$(grep -c '"source":"poll"' "$FAXTOP_OUT")
dropped=$(grep -c "chaos: dropped" "$SIM_LOG")
note "FIGURES seed=$SEED outage_s=$OUTAGE_S requests_during=$during bound=$bound naive=$naive" \
	"webhooks_acked_during=$lines_during dropped_webhooks=$dropped $(tail -n1 "$D/conv")" \
	"from_poll=$from_poll printed_twice=$dups" \
	"first_ok_after_s=$(since "$END" "$first_ok")" \
	"converge_s=$(since "$END" "$CONV")" \
	"after_last_fax_s=$(since "$SETTLED" "$CONV")"
finish
exit 0
