#!/bin/sh
# --headless lines are valid JSON in valid UTF-8 whatever bytes an authentic
# event carries: invalid UTF-8 becomes U+FFFD in the line, while the raw body
# in the store keeps the bytes as they came.
. "$top_srcdir/tests/integration/listener_lib.sh"
D=$(fax_tmpdir)
start_listener

# A signed event with invalid UTF-8 (a lone 0xFF, a cut 3-byte sequence, an
# overlong '/') inside its strings.
event evt_utf8 fax.queued fax_utf8 | "$PY" -c '
import sys
b = sys.stdin.buffer.read()
b = b.replace(b"\"TEST\"", b"\"T\xffE\xe2\x82S\xc0\xafT\"").replace(b"\"listener\"", b"\"li\xfester\"")
sys.stdout.buffer.write(b)' >"$D/bad.json"
grep -q "$(printf '\377')" "$D/bad.json" || fail "the test body holds no invalid byte"
got=$(send --secret "$SECRET" <"$D/bad.json")
expect_answer 204 "$got" "an authentic event with invalid UTF-8"
# A plain event after it, so one line at least is certainly there.
event evt_utf8_ok fax.queued fax_utf8_ok >"$D/ok.json"
expect_answer 204 "$(send --secret "$SECRET" <"$D/ok.json")" "a plain event"
wait_until 10 grep -q '"id":"evt_utf8_ok"' "$FAXTOP_OUT" || fail "no line for the plain event"

"$PY" - "$FAXTOP_OUT" <<'PYEOF' || fail "--headless printed a line that is not strict JSON in UTF-8"
import json, sys
seen = False
for raw in open(sys.argv[1], "rb"):
    line = raw.decode("utf-8")            # strict: raises on invalid UTF-8
    ev = json.loads(line)
    if ev["id"] == "evt_utf8":
        seen = True
        obj = ev["data"]["object"]
        assert obj["csid"] == "T\ufffdE\ufffdS\ufffd\ufffdT" or "\ufffd" in obj["csid"], obj["csid"]
        assert "\ufffd" in obj["tags"]["suite"], obj["tags"]
sys.exit(0 if seen else 1)
PYEOF
# The store keeps the raw bytes.
[ "$(sql "SELECT instr(hex(raw), 'FF') > 0 FROM events WHERE id = 'evt_utf8'")" = 1 ] ||
	fail "the stored raw body lost its original bytes"
exit 0
