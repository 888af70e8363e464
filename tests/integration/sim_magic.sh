#!/bin/sh
# Every magic number of docs/CONTRACT.md#sandbox produces exactly the documented event sequence,
# webhooks signed so that Python's hmac verifies them, and the documented
# balance movements; balance.low fires on the crossing and balance.topup on
# a top-up.
. "$top_srcdir/tests/integration/lib.sh"

start_receiver
start_faxsim --seed 3 --speed 500 --webhook-url "$RECV_URL"
D=$(fax_tmpdir)
B="$D/b"

# submit NUMBER [args]: prints the new fax id
submit_id()
{
	submit_fax "$@" >"$B"
	expect_status 201 "submit $1"
	jqs .id <"$B"
}

# sequence ID: the fax's event types in /events order, comma-separated
sequence()
{
	api GET "/v1/events?per_page=100" | jqs "[.data[] | select(.data.object.id == \"$1\") | .type] | join(\",\")"
}

# Rejections first: no record, no hold, no event.
submit_fax +15005550006 >"$B"
expect_status 402 "InsufficientBalance"
submit_fax +15005550099 >"$B"
expect_status 422 "ValidationFailure"

N1=$(submit_id +15005550001)
N2=$(submit_id +15005550002)
N3=$(submit_id +15005550003)
N4=$(submit_id +15005550004)
N5=$(submit_id +15005550005)
N7=$(submit_id +15005550007)
N8=$(submit_id +15005550008 -F max_attempts=5)
N2b=$(submit_id +15005550002 -F max_attempts=1)


terminal()
{
	for f in $N1 $N2 $N3 $N4 $N5 $N7 $N8 $N2b; do
		case $(fax_status "$f") in delivered|failed) ;; *) return 1 ;; esac
	done
}
wait_until 30 terminal || fail "faxes did not finish"

expect_seq()
{
	_s=$(sequence "$1")
	[ "$_s" = "$2" ] || fail "$3: events $_s, expected $2"
}
S=fax.sending
expect_seq "$N1" "fax.queued,$S,fax.delivered" "Delivered"
expect_seq "$N2" "fax.queued,$S,$S,$S,fax.failed" "Busy"
expect_seq "$N3" "fax.queued,$S,$S,$S,fax.failed" "NoAnswer"
expect_seq "$N4" "fax.queued,$S,$S,fax.delivered" "DelayedDelivery"
expect_seq "$N5" "fax.queued,$S,$S,$S,fax.failed" "LineQualityFailure"
expect_seq "$N7" "fax.queued,$S,fax.delivered" "DeliveredMultiPage"
expect_seq "$N8" "fax.queued,$S,fax.failed" "InvalidNumber with max_attempts 5"
expect_seq "$N2b" "fax.queued,$S,fax.failed" "Busy with max_attempts 1"

check_fax()
{
	api GET "/v1/faxes/$1" >"$B"
	is_v=$(jqs "$2" <"$B")
	[ "$is_v" = "$3" ] || fail "$4: $2 is $is_v, expected $3: $(cat "$B")"
}
check_fax "$N1" '[.status, .pages, .error_code, (.attempts | length), .completed_at != null]' \
	'["delivered",1,null,1,true]' "Delivered"
check_fax "$N2" '[.status, .error_code, [.attempts[].error_code], [.attempts[].attempt_number]]' \
	'["failed","busy",["busy","busy","busy"],[1,2,3]]' "Busy"
check_fax "$N3" '[.status, .error_code, (.attempts | length)]' '["failed","no_answer",3]' "NoAnswer"
check_fax "$N4" '[.status, .error_code, (.attempts[0].error_code != null), .attempts[1].error_code]' \
	'["delivered",null,true,null]' "DelayedDelivery"
check_fax "$N5" '[.status, .error_code, (.attempts | length)]' '["failed","line_quality",3]' "LineQuality"
check_fax "$N7" '[.status, .pages]' '["delivered",3]' "DeliveredMultiPage"
check_fax "$N8" '[.status, .error_code, (.attempts | length), .max_attempts]' \
	'["failed","invalid_number",1,5]' "InvalidNumber"
# duration_ms agrees with the attempt's own timestamps (to the second: jq's
# fromdate drops the milliseconds).
check_fax "$N1" '[.attempts[0] | (.started_at != null), (.completed_at != null), (.duration_ms > 0),
	((.duration_ms - ((.completed_at | sub("\\.[0-9]+"; "") | fromdate)
		- (.started_at | sub("\\.[0-9]+"; "") | fromdate)) * 1000)
		| (if . < 0 then -. else . end) <= 1000)]' \
	'[true,true,true,true]' "attempt object"

# Captured: delivered pages 1 + 1 + 3 = 5 → 35 cents; every hold released.
api GET /v1/environment/balance >"$B"
[ "$(jqs '[.available, .held]' <"$B")" = '[4965,0]' ] || fail "balance after the scenarios: $(cat "$B")"

# Webhooks: every event delivered once, each signature verified by Python.
total=$(api GET "/v1/events?per_page=100" | jqs '.data | length')
[ "$total" = 31 ] || fail "expected 3+5+5+4+5+3+3+3 = 31 events, got $total"
wait_until 20 recv_at_least "$total" || fail "only $(recv_count) of $total webhooks arrived"
[ "$(recv_count '.verified | not')" = 0 ] || fail "signatures Python could not verify: $(cat "$RECV_LOG")"
[ "$(recv_count '.id != .header_id')" = 0 ] || fail "webhook-id differs from the body id"
[ "$(recv_count '.content_type != "application/json"')" = 0 ] || fail "Content-Type"
[ "$(recv_count "(.type == \"fax.sending\") and (.fax == \"$N2\")")" = 3 ] || fail "sending webhooks for Busy"
# the fax.sending snapshot has the current attempt open
api GET "/v1/events?type=fax.sending" >"$B"
[ "$(jqs '[.data[] | .data.object.attempts[-1].completed_at] | unique' <"$B")" = '[null]' ] ||
	fail "fax.sending snapshot has a completed current attempt"
api GET "/v1/events?type=fax.failed" >"$B"
[ "$(jqs '[.data[] | .data.object | (.error_code != null) and (.status == "failed")] | all' <"$B")" = true ] ||
	fail "fax.failed snapshots"
# the attempts API agrees: one succeeded attempt per event
api GET '/v1/webhooks/attempts?per_page=100' >"$B"
[ "$(jqs '[.data[] | select(.status == "succeeded")] | length' <"$B")" = "$total" ] ||
	fail "attempt records: $(cat "$B")"

# ---- balance.low and balance.topup ----
# Real time here, so the holds can be watched before any fax completes.
start_faxsim --seed 3 --speed 1 --webhook-url "$RECV_URL" --balance 30 --low-balance 20
submit_id +15005550001 >/dev/null        # 30 → 23: above the threshold
api GET /v1/environment/balance >"$B"
[ "$(jqs '[.available, .held]' <"$B")" = '[23,7]' ] || fail "hold of one page: $(cat "$B")"
api GET "/v1/events?type=balance.low" >"$B"
[ "$(jqs '.data | length' <"$B")" = 0 ] || fail "balance.low above the threshold"
submit_id +15005550007 >/dev/null        # 23 → 2: crosses below
api GET "/v1/events?type=balance.low" >"$B"
[ "$(jqs '.data | length' <"$B")" = 1 ] || fail "no balance.low on the crossing"
[ "$(jqs '.data[0].data.object | [.available, .held, .currency]' <"$B")" = '[2,28,"USD"]' ] ||
	fail "balance.low snapshot: $(cat "$B")"
submit_fax +15005550001 >"$B"            # 2 < 7 cents: 402
expect_status 402 "no credit left"
api POST /v1/sim/topup -d '{"amount":100}' >"$B"
expect_status 200 "topup"
api GET "/v1/events?type=balance.topup" >"$B"
[ "$(jqs '[.data[].data.object.available]' <"$B")" = '[102]' ] || fail "balance.topup: $(cat "$B")"
wait_until 20 recv_at_least 1 '.type == "balance.topup"' || fail "balance.topup not delivered"
[ "$(recv_count '(.type | startswith("balance.")) and (.verified | not)')" = 0 ] || fail "balance signatures"
exit 0
