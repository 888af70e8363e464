#!/bin/sh
# Rate limits (docs/CONTRACT.md#rate-limits), --slow with idempotency "in progress" (docs/CONTRACT.md#idempotency), and
# --api-errors.
. "$top_srcdir/tests/integration/lib.sh"
D=$(fax_tmpdir)
B="$D/b"

# ---- rate limit: 5 per minute ----
start_faxsim --seed 1 --rate-limit 5
for i in 1 2 3 4 5; do
	api GET /v1/environment/balance >"$B"
	expect_status 200 "request $i"
	[ "$(api_header X-RateLimit-Remaining)" = $((5 - i)) ] ||
		fail "X-RateLimit-Remaining after $i: $(api_header X-RateLimit-Remaining)"
done
api GET /v1/environment/balance >"$B"
expect_status 429 "sixth request"
[ "$(jqs '.error + "/" + .action' <"$B")" = rate_limit_exceeded/wait_and_retry ] || fail "429 envelope"
ra=$(api_header Retry-After)
case $ra in [1-9]|[1-5][0-9]|60) ;; *) fail "Retry-After '$ra'" ;; esac
[ "$(api_header X-RateLimit-Remaining)" = 0 ] || fail "Remaining on a 429"
[ "$(api_header X-RateLimit-Limit)" = 5 ] || fail "Limit on a 429"
[ -n "$(api_header X-Request-Id)" ] || fail "X-Request-Id on a 429"
api POST /v1/faxes >"$B"
expect_status 429 "still limited"
# another key has its own window
API_KEY=mfx_test_other api GET /v1/environment/balance >"$B"
expect_status 401 "another key is not limited by this one"

# ---- --slow: a keyed request in flight is "in progress" ----
start_faxsim --seed 1 --slow 2500
submit_fax +15005550001 -H 'Idempotency-Key: slow-1' >"$D/first" &
first=$!
sleep 1
submit_fax +15005550001 -H 'Idempotency-Key: slow-1' >"$B"
expect_status 409 "same key while the first is in flight"
[ "$(jqs .error <"$B")" = idempotency_key_in_progress ] || fail "in-progress code: $(cat "$B")"
wait "$first"
id1=$(jqs .id <"$D/first")
case $id1 in fax_*) ;; *) fail "first slow submit: $(cat "$D/first")" ;; esac
submit_fax +15005550001 -H 'Idempotency-Key: slow-1' >"$B"
expect_status 201 "replay after the first finished"
[ "$(jqs .id <"$B")" = "$id1" ] || fail "replay id"

# ---- --api-errors 1: every answer is a 503 or a 429, in the envelope ----
start_faxsim --seed 1 --api-errors 1
seen=""
for i in 1 2 3 4 5 6 7 8; do
	api GET /v1/environment/balance >"$B"
	st=$(api_status)
	case $st in
	503) [ "$(jqs .error <"$B")" = service_unavailable ] || fail "503 code" ;;
	429) [ "$(jqs .error <"$B")" = rate_limit_exceeded ] || fail "429 code"
	     [ -n "$(api_header Retry-After)" ] || fail "chaos 429 without Retry-After" ;;
	*) fail "--api-errors 1 answered $st" ;;
	esac
	seen="$seen $st"
done
case $seen in *503*) ;; *) fail "never 503: $seen" ;; esac
case $seen in *429*) ;; *) fail "never 429: $seen" ;; esac
# chaos never creates anything
[ "$(curl -s -o /dev/null -w '%{http_code}' "$SIM_URL/v1/faxes")" = 401 ] || fail "auth before chaos"
exit 0
