#!/bin/sh
# faxsim load: N distinct, correctly signed events over C keep-alive
# connections, with a report of rate, latency percentiles and non-2xx.
. "$top_srcdir/tests/integration/lib.sh"
D=$(fax_tmpdir)
SIM=$top_builddir/sim/faxsim

start_receiver
"$SIM" load --url "$RECV_URL" --secret "$SIM_SECRET" --count 120 --connections 4 --json >"$D/r" ||
	fail "load against a healthy receiver: $(cat "$D/r")"
[ "$(jqs '[.count, .connections, .non_2xx, .errors]' <"$D/r")" = '[120,4,0,0]' ] || fail "report: $(cat "$D/r")"
jq -e '.connections_opened <= 4 and .rate > 0 and .latency_ms.p50 <= .latency_ms.p90
	and .latency_ms.p90 <= .latency_ms.p99 and .latency_ms.p99 <= .latency_ms.max' "$D/r" >/dev/null ||
	fail "keep-alive or percentiles: $(cat "$D/r")"
[ "$(recv_count)" = 120 ] || fail "receiver got $(recv_count)"
[ "$(recv_count '.verified | not')" = 0 ] || fail "unverifiable signatures"
[ "$(jq -s 'map(.id) | unique | length' "$RECV_LOG")" = 120 ] || fail "event ids not distinct"
[ "$(jq -s 'map(.fax) | unique | length' "$RECV_LOG")" = 120 ] || fail "fax ids not distinct"

# text report, rate cap, legacy scheme
start_receiver --legacy
"$SIM" load --url "$RECV_URL" --secret "$SIM_SECRET" --count 20 --connections 2 --rate 200 \
	--legacy-signatures >"$D/t" || fail "legacy load"
grep -q '^sent 20 events over 2 connections' "$D/t" || fail "text report: $(cat "$D/t")"
grep -q '^latency ms: p50 ' "$D/t" || fail "text report latency: $(cat "$D/t")"
[ "$(recv_count '.verified | not')" = 0 ] || fail "legacy signatures"

# a failing receiver: counted, exit 1
start_receiver --status 503
"$SIM" load --url "$RECV_URL" --count 10 --connections 2 --json >"$D/f" && fail "exit 0 despite 503s"
[ "$(jqs .non_2xx <"$D/f")" = 10 ] || fail "non-2xx count: $(cat "$D/f")"

# bad usage
for args in "" "--url http://192.0.2.1/x" "--url $RECV_URL --count 0" "--url $RECV_URL --connections x" \
	"--url $RECV_URL --secret whsec_!!!"; do
	"$SIM" load $args >/dev/null 2>"$D/e"
	[ $? = 2 ] || fail "load $args: expected exit 2"
	[ -s "$D/e" ] || fail "load $args: no message"
done
grep -q '!!!' "$D/e" && fail "the secret was echoed"
exit 0
