#!/bin/sh
# Webhook delivery: the 4-attempt retry schedule under --speed, every attempt
# recorded, manual retries, per-fax webhook_url, the legacy signature scheme
# and the chaos switches --drop, --duplicate and --reorder.
. "$top_srcdir/tests/integration/lib.sh"
D=$(fax_tmpdir)
B="$D/b"

# ---- retries: the receiver fails the first 3 deliveries of every event ----
start_receiver --fail-first 3
# speed 200: the gaps 10 s, 100 s, 17 min become 0.05 s, 0.5 s, 5.1 s
start_faxsim --seed 5 --speed 200 --webhook-url "$RECV_URL"
submit_fax +15005550001 >"$B"
expect_status 201 "submit"
F=$(jqs .id <"$B")
wait_until 40 recv_at_least 12 || fail "retries did not complete: $(cat "$RECV_LOG")"
wait_until 10 recv_at_least 3 '.answered == 204' || fail "no success after retries"
[ "$(recv_count '.verified | not')" = 0 ] || fail "a retry was not verifiable (re-signed?)"
# per event: attempts 1..4, the first three answered 500, ids stable
jq -s -c 'group_by(.id) | map([.[].nth]) | unique' "$RECV_LOG" | grep -qx '\[\[1,2,3,4\]\]' ||
	fail "attempt numbering per event: $(cat "$RECV_LOG")"
# lower bounds of the schedule (the sim's retry timer never fires early;
# 2 % slack for the two clocks involved)
jq -s -e 'group_by(.id) | map(sort_by(.nth) | [.[1].t - .[0].t, .[2].t - .[1].t, .[3].t - .[2].t])
	| all(.[0] >= 0.045 and .[1] >= 0.49 and .[2] >= 5.0)' "$RECV_LOG" >/dev/null ||
	fail "retry gaps shorter than the schedule: $(jq -s -c 'group_by(.id) | map(sort_by(.nth) | map(.t))' "$RECV_LOG")"
ev=$(api GET "/v1/events?type=fax.delivered" | jqs '.data[0].id')
api GET "/v1/webhooks/attempts?event_id=$ev" >"$B"
[ "$(jqs '[.data[] | [.attempt_number, .status, .status_code]] | reverse' <"$B")" = \
  '[[1,"failed",500],[2,"failed",500],[3,"failed",500],[4,"succeeded",204]]' ] ||
	fail "attempt records: $(cat "$B")"
[ "$(jqs '[.data[] | .id | startswith("wha_")] | all' <"$B")" = true ] || fail "attempt ids"
A4=$(jqs '.data[0].id' <"$B")
api GET "/v1/webhooks/attempts/$A4" >"$B"
[ "$(jqs '[.event_id, .webhook_endpoint_id, (.succeeded_at != null), .failed_at]' <"$B")" = \
  "[\"$ev\",\"webhook_default\",true,null]" ] || fail "one attempt: $(cat "$B")"
# manual retry: attempt 5, linked to its parent, delivered now
n=$(recv_count)
api POST "/v1/webhooks/attempts/$A4/retry" >"$B"
expect_status 202 "manual retry"
[ "$(jqs '[.attempt_number, .parent_attempt_id, .status]' <"$B")" = "[5,\"$A4\",\"pending\"]" ] ||
	fail "manual retry: $(cat "$B")"
A5=$(jqs .id <"$B")
wait_until 10 recv_at_least $((n + 1)) || fail "manual retry not delivered"
wait_until 10 sh -c "curl -s -H 'Authorization: Bearer $SIM_KEY' $SIM_URL/v1/webhooks/attempts/$A5 | grep -q succeeded" ||
	fail "manual retry not recorded as succeeded"
api POST /v1/webhooks/attempts/wha_unknown/retry >"$B"
expect_status 404 "retry of an unknown attempt"

# ---- an endpoint that always fails: exactly 4 automatic attempts ----
start_receiver --status 500
start_faxsim --seed 5 --speed 1000 --webhook-url "$RECV_URL"
submit_fax +15005550001 >"$B"
wait_until 30 recv_at_least 12 || fail "4 attempts per event did not arrive"
sleep 2    # 2 s real = 33 simulated minutes: no fifth attempt may come
[ "$(recv_count)" = 12 ] || fail "more than 4 attempts per event: $(recv_count)"
api GET '/v1/webhooks/attempts?status=failed&per_page=100' >"$B"
[ "$(jqs '.data | length' <"$B")" = 12 ] || fail "failed attempts listed: $(jqs '.data | length' <"$B")"
api GET '/v1/events' >"$B"
[ "$(jqs '.data | length' <"$B")" = 3 ] || fail "events kept after failed delivery"

# ---- per-fax webhook_url and the legacy scheme ----
start_receiver --legacy
R1_LOG=$RECV_LOG
R1_URL=$RECV_URL
start_receiver --legacy
start_faxsim --seed 5 --speed 500 --webhook-url "$R1_URL" --legacy-signatures
submit_fax +15005550001 -F "webhook_url=$RECV_URL" >"$B"
expect_status 201 "submit with webhook_url"
wait_until 20 recv_at_least 3 || fail "per-fax webhook_url not used"
RECV_LOG=$R1_LOG wait_until 20 recv_at_least 3 || fail "environment endpoint skipped"
[ "$(recv_count '.verified | not')" = 0 ] || fail "legacy signatures (per-fax)"
[ "$(RECV_LOG=$R1_LOG recv_count '.verified | not')" = 0 ] || fail "legacy signatures"
api GET '/v1/webhooks/attempts?endpoint=webhook_fax_override' >"$B"
[ "$(jqs '.data | length' <"$B")" = 3 ] || fail "per-fax attempts: $(cat "$B")"
# a non-loopback URL is refused, never contacted
submit_fax +15005550001 -F "webhook_url=http://192.0.2.1/hook" >"$B"
expect_status 201 "submit with a remote webhook_url"
wait_until 10 sh -c "curl -s -H 'Authorization: Bearer $SIM_KEY' '$SIM_URL/v1/webhooks/attempts?endpoint=webhook_fax_override&per_page=100' | grep -q refused" ||
	fail "remote URL not refused"

# ---- chaos: --drop 1 keeps every event for /events ----
start_receiver
start_faxsim --seed 5 --speed 500 --webhook-url "$RECV_URL" --drop 1
submit_fax +15005550001 >"$B"
F=$(jqs .id <"$B")
wait_until 20 fax_is "$F" delivered || fail "fax not delivered"
api GET '/v1/events' >"$B"
[ "$(jqs '[.data[].type] | join(",")' <"$B")" = "fax.queued,fax.sending,fax.delivered" ] ||
	fail "dropped events missing from /events: $(cat "$B")"
sleep 0.5
[ "$(recv_count)" = 0 ] || fail "--drop 1 delivered something"

# ---- chaos: --duplicate 1 delivers each event twice ----
: >"$RECV_LOG"     # the receiver appends: a fresh log, same receiver
start_faxsim --seed 5 --speed 500 --webhook-url "$RECV_URL" --duplicate 1
submit_fax +15005550001 >/dev/null
wait_until 20 recv_at_least 6 || fail "duplicates did not arrive"
jq -s -c 'group_by(.id) | map(length) | unique' "$RECV_LOG" | grep -qx '\[2\]' ||
	fail "each event twice: $(cat "$RECV_LOG")"

# ---- chaos: --reorder 5 still delivers everything ----
: >"$RECV_LOG"
start_faxsim --seed 5 --speed 500 --webhook-url "$RECV_URL" --reorder 5
for n in 1 2 3; do submit_fax +15005550001 >/dev/null; done
wait_until 20 recv_at_least 9 || fail "reordered deliveries lost: $(recv_count)"
[ "$(jq -s -c 'map(.id) | unique | length' "$RECV_LOG")" = 9 ] || fail "reorder duplicated or lost"
exit 0
