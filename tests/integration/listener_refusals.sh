#!/bin/sh
# Every refusal over real HTTP: 401 by reason (missing header, bad base64,
# wrong secret, stale and future timestamps), 413, 431, 404, 405, and
# authentic-but-malformed JSON → 400 with the body quarantined. Nothing
# refused reaches the store.
. "$top_srcdir/tests/integration/listener_lib.sh"
start_listener --max-body-bytes 4096
D=$(fax_tmpdir)
WRONG=whsec_c2VjcmV0LW9mLWEtcm90YXRlZC1lbmRwb2ludA==

event evt_ref_1 fax.queued fax_ref_1 >"$D/q.json"

got=$(send <"$D/q.json")
expect_answer '401 {"error":"missing_header"' "$got" "no signature headers"
got=$(send --secret "$SECRET" --header 'webhook-timestamp:' <"$D/q.json")
expect_answer '401 {"error":"missing_header"' "$got" "no webhook-timestamp"
got=$(send --signature 'v1,%%%not-base64%%%' <"$D/q.json")
expect_answer '401 {"error":"malformed_header"' "$got" "bad base64"
got=$(send --signature 'v2,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=' <"$D/q.json")
expect_answer '401 {"error":"malformed_header"' "$got" "no v1 token"
got=$(send --secret "$WRONG" <"$D/q.json")
expect_answer '401 {"error":"signature_mismatch"' "$got" "wrong secret"
got=$(send --secret "$SECRET" --ts-offset -400 <"$D/q.json")
expect_answer '401 {"error":"stale_timestamp"' "$got" "stale timestamp"
got=$(send --secret "$SECRET" --ts-offset 400 <"$D/q.json")
expect_answer '401 {"error":"future_timestamp"' "$got" "future timestamp"
got=$(send --secret "$SECRET" --header 'webhook-timestamp: yesterday' <"$D/q.json")
expect_answer '401 {"error":"' "$got" "non-numeric timestamp"
# A well-formed signature that is simply wrong.
got=$(send --signature 'v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=' <"$D/q.json")
expect_answer '401 {"error":"signature_mismatch"' "$got" "wrong signature"

# ---- size limits ----
got=$("$PY" "$LC" oversize "$FAXTOP_ADDR" "$SECRET" 8192)
expect_answer '413 {"error":"payload_too_large"' "$got" "oversized body"
got=$("$PY" "$LC" flood "$FAXTOP_ADDR")
expect_answer 'HTTP/1.1 431' "$got" "header flood"

# ---- routes ----
got=$(send --secret "$SECRET" --path /webhooks/other <"$D/q.json")
expect_answer '404 {"error":"not_found"' "$got" "wrong path"
got=$(send --secret "$SECRET" --method PUT <"$D/q.json")
expect_answer '405 {"error":"method_not_allowed"' "$got" "wrong method"
case $got in *allow=POST*) ;; *) fail "405 without Allow: POST: $got" ;; esac
code=$(curl -sS --max-time 10 -o /dev/null -w '%{http_code}' "http://$FAXTOP_ADDR/webhooks/mintfax")
[ "$code" = 405 ] || fail "GET on the webhook path: $code"

# Nothing refused was stored or printed.
[ "$(sql 'SELECT count(*) FROM events')" = 0 ] || fail "a refused event was stored"
[ "$(stdout_lines)" = 0 ] || fail "a refused event was printed"
grep -q 'refused: signature_mismatch' "$FAXTOP_OUT.err" || fail "refusal not logged"
grep -q 'from 127\.0\.0\.1:[0-9]* refused' "$FAXTOP_OUT.err" || fail "refusal logged without the peer"
grep -q 'c2VjcmV0LW9mLWEtcm90YXRlZC1lbmRwb2ludA\|MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' "$FAXTOP_OUT.err" &&
	fail "a secret reached the log"

# ---- authentic but malformed JSON: 400 and quarantined ----
printf '{"id": "evt_broken", "type": "fax.queued", ' >"$D/bad.json"
got=$(send --secret "$SECRET" --id evt_broken <"$D/bad.json")
expect_answer '400 {"error":"invalid_event"' "$got" "malformed JSON"
printf '{"id": "evt_notype", "created": 1, "data": {}}' >"$D/bad2.json"
got=$(send --secret "$SECRET" --id evt_notype <"$D/bad2.json")
expect_answer '400 {"error":"invalid_event"' "$got" "event without a type"
quarantined_two()
{
	[ "$(sql 'SELECT count(*) FROM quarantine')" = 2 ]
}
wait_until 5 quarantined_two || fail "malformed bodies not quarantined"
[ "$(sql 'SELECT count(*) FROM events')" = 0 ] || fail "a malformed event was stored"

# The listener is still healthy and serving.
got=$(send --secret "$SECRET" <"$D/q.json")
expect_answer '204' "$got" "valid event after the refusals"
exit 0
