#!/bin/sh
# Genuine events, signed independently by Python's hmac: 204 after commit,
# one JSON line on stdout, one stored row; duplicates; out-of-order events;
# both signature schemes; faxtop sign checked against Python and used with curl.
. "$top_srcdir/tests/integration/listener_lib.sh"
start_listener
D=$(fax_tmpdir)

# ---- one valid event ----
event evt_acc_1 fax.queued fax_acc_1 >"$D/q.json"
got=$(send --secret "$SECRET" <"$D/q.json")
expect_answer "204" "$got" "valid event"
[ "$(sql "SELECT count(*) FROM events WHERE id = 'evt_acc_1'")" = 1 ] || fail "evt_acc_1 not stored"
wait_until 5 grep -q '"id":"evt_acc_1"' "$FAXTOP_OUT" || fail "no stdout line for evt_acc_1"
line=$(grep '"id":"evt_acc_1"' "$FAXTOP_OUT")
for want in '"type":"fax.queued"' '"source":"webhook"' '"created":1747173600' '"data":{'; do
	case $line in *"$want"*) ;; *) fail "stdout line lacks $want: $line" ;; esac
done

# ---- duplicates: a retry with a new timestamp, and the same bytes again ----
got=$(send --secret "$SECRET" --ts-offset -5 <"$D/q.json")
expect_answer "204" "$got" "duplicate (retry)"
got=$(send --secret "$SECRET" <"$D/q.json")
expect_answer "204" "$got" "duplicate (again)"
[ "$(sql "SELECT count(*) FROM events WHERE id = 'evt_acc_1'")" = 1 ] || fail "duplicate stored twice"
sleep 0.2
[ "$(grep -c '"id":"evt_acc_1"' "$FAXTOP_OUT")" = 1 ] || fail "duplicate printed again"

# ---- out of order: delivered, then sending, then queued ----
event evt_ooo_3 fax.delivered fax_ooo 1747173800 >"$D/d.json"
event evt_ooo_2 fax.sending fax_ooo 1747173700 >"$D/s.json"
event evt_ooo_1 fax.queued fax_ooo 1747173600 >"$D/q2.json"
for f in d s q2; do
	got=$(send --secret "$SECRET" <"$D/$f.json")
	expect_answer "204" "$got" "out-of-order $f"
done
st=$(sql "SELECT status FROM faxes WHERE id = 'fax_ooo'")
[ "$st" = delivered ] || fail "out-of-order events left fax_ooo '$st', not delivered"
[ "$(sql "SELECT count(*) FROM events WHERE id LIKE 'evt_ooo_%'")" = 3 ] || fail "not all out-of-order events stored"

# ---- the legacy scheme (auto picks it by the headers) ----
event evt_leg_1 fax.queued fax_leg_1 >"$D/l.json"
got=$(send --secret "$SECRET" --scheme legacy <"$D/l.json")
expect_answer "204" "$got" "legacy hex signature"
event evt_leg_2 fax.queued fax_leg_2 >"$D/l2.json"
got=$(send --secret "$SECRET" --scheme legacy-t <"$D/l2.json")
expect_answer "204" "$got" "legacy t=,v1= signature"
[ "$(sql "SELECT count(*) FROM events WHERE id LIKE 'evt_leg_%'")" = 2 ] || fail "legacy events not stored"

# ---- faxtop sign: checked by Python, then used with curl ----
event evt_sign_1 fax.queued fax_sign_1 >"$D/sg.json"
MINTFAX_WEBHOOK_SECRET=$SECRET "$top_builddir/app/faxtop" sign --id evt_sign_1 <"$D/sg.json" >"$D/h.txt" ||
	fail "faxtop sign failed"
"$PY" "$LC" check-sign "$SECRET" "$D/sg.json" <"$D/h.txt" >/dev/null || fail "faxtop sign disagrees with Python"
code=$(curl -sS --max-time 10 -o /dev/null -w '%{http_code}' -H @"$D/h.txt" \
	-H 'Content-Type: application/json' --data-binary @"$D/sg.json" \
	"http://$FAXTOP_ADDR/webhooks/mintfax")
[ "$code" = 204 ] || fail "curl with faxtop sign headers: $code"
# The Standard Webhooks specification's published vector.
printf '{"test": 2432232314}' | "$top_builddir/app/faxtop" sign --secret "$SECRET" \
	--id msg_p5jXN8AQM9LWM0D4loKWxJek --timestamp 1614265330 >"$D/v.txt" || fail "sign (vector)"
grep -qx 'webhook-signature: v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=' "$D/v.txt" ||
	fail "sign does not reproduce the published vector: $(cat "$D/v.txt")"
# --legacy, checked by Python and accepted by the listener.
event evt_sign_2 fax.queued fax_sign_2 >"$D/sg2.json"
"$top_builddir/app/faxtop" sign --legacy --secret "$SECRET" <"$D/sg2.json" >"$D/h2.txt" || fail "sign --legacy"
ts=$(sed -n 's/^X-Mintfax-Timestamp: //p' "$D/h2.txt")
want=$("$PY" -c 'import hmac, hashlib, sys
print(hmac.new(sys.argv[1].encode(), sys.argv[2].encode() + b"." + open(sys.argv[3], "rb").read(), hashlib.sha256).hexdigest())' \
	"$SECRET" "$ts" "$D/sg2.json")
grep -qx "X-Mintfax-Signature: $want" "$D/h2.txt" || fail "sign --legacy disagrees with Python"
code=$(curl -sS --max-time 10 -o /dev/null -w '%{http_code}' -H @"$D/h2.txt" \
	--data-binary @"$D/sg2.json" "http://$FAXTOP_ADDR/webhooks/mintfax")
[ "$code" = 204 ] || fail "curl with faxtop sign --legacy headers: $code"
"$top_builddir/app/faxtop" sign --id x </dev/null >/dev/null 2>"$D/e.txt" && fail "sign without a secret succeeded"
grep -q 'secret' "$D/e.txt" || fail "sign without a secret: unclear error: $(cat "$D/e.txt")"

# ---- healthz ----
h=$(curl -sS --max-time 10 "http://$FAXTOP_ADDR/healthz")
for want in '"status":"ok"' '"events_accepted":8,' '"store_ok":true' '"last_event_age_s":'; do
	case $h in *"$want"*) ;; *) fail "healthz lacks $want: $h" ;; esac
done
exit 0
