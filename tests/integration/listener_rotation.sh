#!/bin/sh
# Secret rotation (--webhook-secret-old): either secret verifies, a third
# does not; a header carrying both signatures passes. Scheme pinning:
# --signature-scheme standard refuses a legacy-signed request, legacy
# refuses a standard one.
. "$top_srcdir/tests/integration/listener_lib.sh"
D=$(fax_tmpdir)
OLD=whsec_c2VjcmV0LW9mLWEtcm90YXRlZC1lbmRwb2ludA==
OTHER=whsec_b3RoZXItc2VjcmV0LW5vdC1jb25maWd1cmVk
start_listener --webhook-secret-old "$OLD"

event evt_rot_1 fax.queued fax_rot_1 >"$D/1.json"
event evt_rot_2 fax.queued fax_rot_2 >"$D/2.json"
event evt_rot_3 fax.queued fax_rot_3 >"$D/3.json"
event evt_rot_4 fax.queued fax_rot_4 >"$D/4.json"
expect_answer 204 "$(send --secret "$SECRET" <"$D/1.json")" "new secret"
expect_answer 204 "$(send --secret "$OLD" <"$D/2.json")" "old secret"
expect_answer 204 "$(send --secret "$OTHER" --also-secret "$SECRET" <"$D/3.json")" "two tokens, one good"
expect_answer '401 {"error":"signature_mismatch"' "$(send --secret "$OTHER" <"$D/4.json")" "unknown secret"
[ "$(sql "SELECT count(*) FROM events WHERE id LIKE 'evt_rot_%'")" = 3 ] || fail "rotation: wrong events stored"
grep -q 'c2VjcmV0LW9mLWEtcm90YXRlZC1lbmRwb2ludA' "$FAXTOP_OUT.err" && fail "the old secret reached the log"
stop_listener

# ---- scheme pinned to standard: legacy headers are not looked at ----
DB="$D/std.db"
start_listener --signature-scheme standard
expect_answer '401 {"error":"missing_header"' "$(send --secret "$SECRET" --scheme legacy <"$D/4.json")" \
	"legacy request with --signature-scheme standard"
expect_answer 204 "$(send --secret "$SECRET" <"$D/4.json")" "standard request with --signature-scheme standard"
stop_listener

# ---- legacy only, with a legacy-format secret (not base64) ----
DB="$D/legacy.db"
SECRET=whsec_test_3JzE9rYNm2VbQ8P6KxLf1WdGa4Tc
start_listener --signature-scheme legacy
expect_answer 204 "$(send --secret "$SECRET" --scheme legacy <"$D/1.json")" "legacy scheme"
expect_answer '401' "$(send --secret "$SECRET" --scheme legacy --ts-offset -400 <"$D/2.json")" "stale legacy"
stop_listener

# ---- a standard-only listener refuses a secret that does not decode ----
if MINTFAX_WEBHOOK_SECRET=$SECRET "$top_builddir/app/faxtop" --headless --listen 127.0.0.1:0 \
	--db "$D/bad.db" --signature-scheme standard >/dev/null 2>"$D/bad.err"; then
	fail "faxtop started with a secret that does not decode"
fi
grep -q 'base64' "$D/bad.err" || fail "unclear error for a bad secret: $(cat "$D/bad.err")"
grep -q '3JzE9rYNm2VbQ8P6KxLf1WdGa4Tc' "$D/bad.err" && fail "the bad secret was echoed"
exit 0
