#!/bin/sh
# faxsim's REST API over loopback: every endpoint and its error paths, auth,
# the error envelope, idempotency, /events paging.
. "$top_srcdir/tests/integration/lib.sh"

start_faxsim --seed 11 --speed 500 --rate-limit 1000
D=$(fax_tmpdir)
B="$D/b"
# is FILTER EXPECTED WHAT: the jq FILTER of the last body equals EXPECTED.
is()
{
	_v=$(jqs "$1" <"$B")
	[ "$_v" = "$2" ] || fail "$3: $1 is '$_v', expected '$2' in $(cat "$B")"
}

# ---- auth and the envelope ----
API_KEY= api GET /v1/faxes >"$B"
expect_status 401 "no key"
is .error unauthenticated "no key"
rid=$(jqs .request_id <"$B")
[ "$rid" = "$(api_header X-Request-Id)" ] || fail "request_id $rid differs from X-Request-Id"
case $rid in req_??????????????????????????) ;; *) fail "request id shape: $rid" ;; esac
is '[has("error","message","action","docs","request_id")] | all' true "envelope fields"
API_KEY=mfx_test_other api GET /v1/faxes >"$B"
expect_status 401 "unknown key"
API_KEY=mfx_live_abc api GET /v1/faxes >"$B"
expect_status 403 "live key"
is '.error + "/" + .action' account_not_activated/activate_account "live key"
API_KEY=mfx_acct_abc api GET /v1/environment/balance >"$B"
expect_status 403 "account key"
is .error forbidden_key_kind "account key"
curl -sS -o /dev/null -w '%{http_code}' -H "Authorization: Basic eDp5" "$SIM_URL/v1/faxes" |
	grep -qx 401 || fail "Basic auth accepted"
grep -q "mfx_live_abc" "$SIM_LOG" && fail "a key reached the log"

# ---- routing ----
api GET /v1/nothing >"$B"
expect_status 404 "unknown route"
is .error not_found "404 code"
api PUT /v1/faxes >"$B"
expect_status 405 "PUT /v1/faxes"
[ "$(api_header Allow)" = "GET, POST" ] || fail "Allow header: $(api_header Allow)"
# Every path of the route table with a method it does not take: 405 and the
# methods it does take, in the documented order.
while read -r m p allow; do
	api "$m" "$p" >"$B"
	expect_status 405 "$m $p"
	[ "$(api_header Allow)" = "$allow" ] || fail "$m $p: Allow is '$(api_header Allow)', expected '$allow'"
done <<'EOT'
PATCH /v1/faxes/fax_x GET, DELETE
GET /v1/faxes/fax_x/resend POST
POST /v1/environment/balance GET
DELETE /v1/events GET
POST /v1/events/evt_x GET
POST /v1/webhooks/attempts GET
DELETE /v1/webhooks/attempts/wha_x GET
GET /v1/webhooks/attempts/wha_x/retry POST
GET /v1/sim/topup POST
EOT
# Paths next to the table's: 404, whatever the method.
for p in /v1 /v2/faxes /v1/faxes/fax_x/other /v1/faxes/fax_x/resend/more /v1/environment \
	/v1/environment/balance/x /v1/events/evt_x/x /v1/webhooks /v1/webhooks/other \
	/v1/webhooks/attempts/wha_x/other /v1/sim /v1/sim/topup/x /v1/a/b/c/d/e/f; do
	api POST "$p" >"$B"
	expect_status 404 "POST $p"
	is .error not_found "POST $p"
done
# Empty segments fold away, as before: //v1//faxes is /v1/faxes.
api PUT //v1//faxes/ >"$B"
expect_status 405 "PUT //v1//faxes/"
api GET /v1/environment/balance >"$B"
expect_status 200 "balance"
is '[.available, .held, .type, .currency]' '[5000,0,"sandbox","USD"]' "initial balance"
[ "$(api_header X-RateLimit-Limit)" = 1000 ] || fail "X-RateLimit-Limit on a 200"
[ -n "$(api_header X-RateLimit-Remaining)" ] || fail "X-RateLimit-Remaining missing"
[ -n "$(api_header X-RateLimit-Reset)" ] || fail "X-RateLimit-Reset missing"

# ---- submit: validation and rejections ----
api POST /v1/faxes -F to=12345 -F max_attempts=6 -F page_size=huge >"$B"
expect_status 422 "invalid submit"
is '.context.errors | keys' '["file","max_attempts","page_size","to"]' "context.errors"
is '.error + "/" + .action' validation_failed/fix_request "422 envelope"
api POST /v1/faxes -H 'Content-Type: application/json' -d '{"to":"+15005550001"}' >"$B"
expect_status 422 "JSON submit"
jqs '.context.errors.body[0]' <"$B" | grep -q multipart || fail "JSON submit message: $(cat "$B")"
api POST /v1/faxes -H 'Content-Type: multipart/form-data; boundary=zz' --data-binary 'garbage' >"$B"
expect_status 422 "malformed multipart"
printf -- '--zz\r\nContent-Disposition: form-data; name="to"\r\n\r\n+1500' >"$D/trunc"
api POST /v1/faxes -H 'Content-Type: multipart/form-data; boundary=zz' --data-binary "@$D/trunc" >"$B"
expect_status 422 "truncated multipart"
jqs .message <"$B" | grep -q "closing boundary" || fail "truncated multipart message: $(cat "$B")"
submit_fax +15005550099 >"$B"
expect_status 422 "ValidationFailure number"
is '.context.errors | keys' '["to"]' "099 errors"
submit_fax +15005550006 >"$B"
expect_status 402 "InsufficientBalance number"
is '.error + "/" + .action' insufficient_balance/top_up_balance "402 envelope"
[ "$(api GET /v1/faxes | jqs '.data | length')" = 0 ] || fail "a rejection created a record"
[ "$(api GET /v1/events | jqs '.data | length')" = 0 ] || fail "a rejection fired an event"
[ "$(api GET /v1/environment/balance | jqs '[.available, .held]')" = '[5000,0]' ] ||
	fail "a rejection moved money"

# ---- submit, get, list ----
submit_fax +15005550001 -F tags=dept=billing -F 'tags[case]=7' -F csid=ACME -F max_attempts=2 >"$B"
expect_status 201 "submit"
F1=$(jqs .id <"$B")
is '[.status, .to, .tags]' '["queued","+15005550001",{"dept":"billing","case":"7"}]' "submission"
jqs .created_at <"$B" | grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T' || fail "created_at"
submit_fax +15005550008 >"$B"
F2=$(jqs .id <"$B")
submit_fax +15005550007 -F tags=dept=claims >"$B"
F3=$(jqs .id <"$B")
api GET "/v1/faxes/$F1" >"$B"
expect_status 200 "get"
is '[.id, .csid, .max_attempts, .page_size]' "[\"$F1\",\"ACME\",2,\"letter\"]" "GET fax"
api GET /v1/faxes/fax_doesnotexist >"$B"
expect_status 404 "unknown fax"
api GET '/v1/faxes/..%2f..%2fetc' >"$B"
expect_status 404 "malformed fax id"
wait_until 20 fax_is "$F1" delivered || fail "F1 not delivered"
wait_until 20 fax_is "$F2" failed || fail "F2 not failed"
wait_until 20 fax_is "$F3" delivered || fail "F3 not delivered"
api GET /v1/faxes >"$B"
is '[.data[].id]' "[\"$F3\",\"$F2\",\"$F1\"]" "list newest first"
is '[.has_more, .next_cursor]' '[false,null]' "list tail"
api GET '/v1/faxes?per_page=2' >"$B"
is '[(.data | length), .has_more]' '[2,true]' "page 1"
cur=$(jqs .next_cursor <"$B")
api GET "/v1/faxes?per_page=2&cursor=$cur" >"$B"
is '[[.data[].id], .has_more]' "[[\"$F1\"],false]" "page 2"
api GET '/v1/faxes?status=failed' >"$B"
is '[.data[].id]' "[\"$F2\"]" "status filter"
api GET '/v1/faxes?tag%5Bdept%5D=claims' >"$B"
is '[.data[].id]' "[\"$F3\"]" "tag filter"
api GET '/v1/faxes?to=%2B15005550001' >"$B"
is '[.data[].id]' "[\"$F1\"]" "to filter"
api GET '/v1/faxes?error_code=invalid_number' >"$B"
is '[.data[].id]' "[\"$F2\"]" "error_code filter"
api GET '/v1/faxes?created_after=2999-01-01T00:00:00Z' >"$B"
is '.data | length' 0 "created_after filter"
for q in per_page=0 per_page=101 per_page=x status=sending created_before=yesterday cursor=bogus \
	 to=12 'per_page=%zz'; do
	api GET "/v1/faxes?$q" >"$B"
	expect_status 422 "GET /v1/faxes?$q"
	is .error validation_failed "GET /v1/faxes?$q"
done

# ---- resend and delete ----
api POST "/v1/faxes/$F1/resend" >"$B"
expect_status 409 "resend of a delivered fax"
is '.error + "/" + .action' invalid_state/fix_request "409 envelope"
api POST "/v1/faxes/$F2/resend" -H 'Content-Type: application/json' -d '{"max_attempts":9}' >"$B"
expect_status 422 "resend with a bad body"
is '.context.errors | keys' '["max_attempts"]' "resend errors"
api POST "/v1/faxes/$F2/resend" -H 'Content-Type: application/json' -d '{"to":' >"$B"
expect_status 422 "resend with malformed JSON"
api POST "/v1/faxes/$F2/resend" -H 'Content-Type: application/json' -d '{"to":"+15005550001"}' >"$B"
expect_status 201 "resend"
is '[.resent_from, .to, .status]' "[\"$F2\",\"+15005550001\",\"queued\"]" "resend body"
R1=$(jqs .id <"$B")
[ "$R1" != "$F2" ] || fail "resend reused the id"
api POST "/v1/faxes/$F3/resend" >"$B"
expect_status 409 "resend of a delivered fax"
api POST /v1/faxes/fax_nope/resend >"$B"
expect_status 404 "resend of an unknown fax"
api DELETE "/v1/faxes/$F1" >"$B"
expect_status 204 "DELETE of a delivered fax"
api GET "/v1/faxes/$F1" >"$B"
expect_status 404 "GET after DELETE"
api DELETE "/v1/faxes/$F1" >"$B"
expect_status 404 "second DELETE"

# ---- idempotency ----
submit_fax +15005550001 -H 'Idempotency-Key: key-1' >"$B"
expect_status 201 "first keyed submit"
[ "$(api_header X-Idempotency-Key)" = key-1 ] || fail "X-Idempotency-Key not echoed"
K1=$(jqs .id <"$B")
submit_fax +15005550001 -H 'Idempotency-Key: key-1' >"$B"
expect_status 201 "replayed submit"
is .id "$K1" "replay gave another fax"
[ "$(api_header Idempotent-Replayed)" = true ] || fail "replay not marked"
api GET "/v1/faxes?to=%2B15005550001" >"$B"
is "[.data[] | select(.idempotency_key == \"key-1\")] | length" 1 "replay created a second fax"
submit_fax +15005550007 -H 'Idempotency-Key: key-1' >"$B"
expect_status 409 "same key, other body"
is '.error' idempotency_key_reuse "reuse code"
long=$(printf '%0256d' 0)
submit_fax +15005550001 -H "Idempotency-Key: $long" >"$B"
expect_status 422 "256-character key"

# ---- top-up and balance ----
before=$(api GET /v1/environment/balance | jqs .available)
api POST /v1/sim/topup -H 'Content-Type: application/json' -d '{"amount":500}' >"$B"
expect_status 200 "topup"
is .available $((before + 500)) "topup amount"
api POST /v1/sim/topup -d '{"amount":-5}' >"$B"
expect_status 422 "negative topup"
api POST /v1/sim/topup -d 'nope' >"$B"
expect_status 422 "malformed topup"

# ---- /events ----
api GET '/v1/events?per_page=3' >"$B"
expect_status 200 "events"
is '[(.data | length), .has_more, .data[0].type]' '[3,true,"fax.queued"]' "events page 1"
after=$(jqs .next_cursor <"$B")
is '.data[2].id' "$after" "next_cursor is the last id"
all=$(api GET /v1/events | jqs '[.data[].id][3:]')
rest=$(api GET "/v1/events?after=$after" | jqs '[.data[].id]')
[ "$all" = "$rest" ] || fail "after is not exclusive or skips: $rest vs $all"
api GET '/v1/events?type=fax.delivered' >"$B"
is '[.data[].type] | unique' '["fax.delivered"]' "type filter"
api GET '/v1/events' >"$B"
is '[.data[].created] | . == sort' true "events in created order"
for q in after=evt_unknown type=fax.nope per_page=1000 per_page=0; do
	api GET "/v1/events?$q" >"$B"
	expect_status 422 "GET /v1/events?$q"
done
eid=$(api GET '/v1/events?per_page=1' | jqs '.data[0].id')
api GET "/v1/events/$eid" >"$B"
is .id "$eid" "GET /v1/events/ID"

# ---- /webhooks/attempts without an endpoint: none ----
api GET /v1/webhooks/attempts >"$B"
is '.data | length' 0 "attempts without URL"
api GET /v1/webhooks/attempts/wha_nope >"$B"
expect_status 404 "unknown attempt"
api GET '/v1/webhooks/attempts?status=weird' >"$B"
expect_status 422 "attempt status filter"

# the sim is still healthy after all of that
api GET /v1/environment/balance >"$B"
expect_status 200 "still alive"
kill -0 "$SIM_PID" || fail "faxsim died"

# SIGTERM ends it cleanly
kill -TERM "$SIM_PID"
wait "$SIM_PID"
rc=$?
[ $rc = 0 ] || fail "faxsim exited $rc on SIGTERM"
grep -q "faxsim stopping" "$SIM_LOG" || fail "no shutdown line"

# the command line: --help lists every option with defaults; bad values exit 2
"$top_builddir/sim/faxsim" --help >"$D/help" || fail "--help"
for o in --listen --ready-file --webhook-url --secret --key --seed --rate --speed --duplicate \
	 --drop --reorder --api-errors --slow --legacy-signatures --balance --low-balance --rate-limit; do
	grep -q -- "$o" "$D/help" || fail "--help does not list $o"
done
grep -q "default" "$D/help" || fail "--help shows no defaults"
for bad in "--speed 0" "--drop 1.5" "--seed -1" "--reorder x" "--key mfx_live_x" "--nope"; do
	"$top_builddir/sim/faxsim" --listen 127.0.0.1:0 $bad >/dev/null 2>"$D/err" &&
		fail "faxsim $bad started"
	[ -s "$D/err" ] || fail "faxsim $bad: no message"
done
exit 0
