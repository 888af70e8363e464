#!/bin/sh
# One body limit: --max-body-bytes raises the event parser's limit with the
# listener's, so a genuine 1.5 MB event is stored under --max-body-bytes
# 4194304 (the parser's own limit was once fixed at 1 MiB); a body over the
# limit still gets 413.
. "$top_srcdir/tests/integration/listener_lib.sh"
D=$(fax_tmpdir)
start_listener --max-body-bytes 4194304

"$PY" "$LC" bigevent evt_big15 fax_big15 1500000 >"$D/big.json"
[ "$(wc -c <"$D/big.json")" -ge 1500000 ] || fail "the test event is too small"
got=$(send --secret "$SECRET" <"$D/big.json")
expect_answer 204 "$got" "a 1.5 MB event under --max-body-bytes 4194304"
[ "$(sql "SELECT count(*) FROM events WHERE id = 'evt_big15'")" = 1 ] || fail "the 1.5 MB event was not stored"
[ "$(sql "SELECT count(*) FROM faxes WHERE id = 'fax_big15'")" = 1 ] || fail "its fax is not in the store"
wait_until 10 grep -q '"id":"evt_big15"' "$FAXTOP_OUT" || fail "no --headless line for the 1.5 MB event"

"$PY" "$LC" bigevent evt_big5 fax_big5 5000000 >"$D/big5.json"
got=$(send --secret "$SECRET" <"$D/big5.json")
expect_answer 413 "$got" "a 5 MB event over the limit"
kill -0 "$FAXTOP_PID" 2>/dev/null || fail "faxtop died"

# The documented maximum is the most the option takes.
"$top_builddir/app/faxtop" --max-body-bytes 67108865 --headless >/dev/null 2>"$D/max.err"
[ $? = 2 ] || fail "--max-body-bytes over the maximum was not a usage error"
grep -q "67108864" "$D/max.err" || fail "the refusal does not name the maximum: $(cat "$D/max.err")"
exit 0
