#!/bin/sh
# --trusted-proxy: for peers in it, the client comes from X-Forwarded-For
# (read from the right, past trusted proxies) or X-Real-IP, in the logs and
# for the per-peer cap. Without it those headers are ignored: anyone can
# send them.
. "$top_srcdir/tests/integration/listener_lib.sh"
D=$(fax_tmpdir)
OTHER=whsec_ZmF4dG9wLWxlYWstY2hlY2stc2VjcmV0LTAxMjM0NTY=
event evt_px fax.queued fax_px >"$D/e.json"

# refused HEADER: a wrongly signed event with HEADER; the refusal is logged.
refused()
{
	expect_answer 401 "$(send --secret "$OTHER" --header "$1" <"$D/e.json")" "refusal with $1"
}

# ---- without --trusted-proxy ----
start_listener --max-connections-per-peer 2
refused "X-Forwarded-For: 203.0.113.7"
refused "X-Real-IP: 198.51.100.4"
wait_until 10 grep -q "webhook from 127.0.0.1:[0-9]* refused" "$FAXTOP_OUT.err" || fail "no refusal naming the TCP peer"
grep -q -e 203.0.113.7 -e 198.51.100.4 "$FAXTOP_OUT.err" && fail "forwarded headers were believed without --trusted-proxy"
# Three clients' headers, one TCP peer: the cap of 2 counts the peer.
got=$("$PY" "$LC" xff "$FAXTOP_ADDR" 198.51.100.1 198.51.100.2 198.51.100.3)
[ "$got" = "closed open open" ] || fail "without a trusted proxy, the per-peer cap: $got"
stop_listener

# ---- with --trusted-proxy ----
DB=$D/trusted.db
start_listener --max-connections-per-peer 2 --trusted-proxy 10.0.0.0/8,127.0.0.1/32
refused "X-Forwarded-For: 203.0.113.7"
refused "X-Real-IP: 198.51.100.4"
refused "X-Forwarded-For: 192.0.2.55, 10.1.2.3"
wait_until 10 grep -q "webhook from 203.0.113.7 refused" "$FAXTOP_OUT.err" || fail "X-Forwarded-For not used"
wait_until 10 grep -q "webhook from 198.51.100.4 refused" "$FAXTOP_OUT.err" || fail "X-Real-IP not used"
wait_until 10 grep -q "webhook from 192.0.2.55 refused" "$FAXTOP_OUT.err" ||
	fail "X-Forwarded-For was not read past a trusted proxy"
# Through the proxy, three clients are three peers...
got=$("$PY" "$LC" xff "$FAXTOP_ADDR" 198.51.100.1 198.51.100.2 198.51.100.3)
[ "$got" = "open open open" ] || fail "three clients behind the proxy were capped together: $got"
# ...and one client three times is one peer over its cap.
got=$("$PY" "$LC" xff "$FAXTOP_ADDR" 198.51.100.9 198.51.100.9 198.51.100.9)
[ "$got" = "closed open open" ] || fail "one client behind the proxy was not capped: $got"
# A genuine event through the proxy is stored as ever.
expect_answer 204 "$(send --secret "$SECRET" --header "X-Forwarded-For: 203.0.113.8" <"$D/e.json")" "a signed event"
kill -0 "$FAXTOP_PID" 2>/dev/null || fail "faxtop died"
exit 0
