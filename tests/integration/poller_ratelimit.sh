#!/bin/sh
# The poller honours 429 Retry-After (nothing is sent before it passes) and
# paces itself from X-RateLimit-* so that a small quota is never exceeded.
. "$top_srcdir/tests/integration/lib.sh"
need_python
D=$(fax_tmpdir)
use_sim_credentials

requests() { grep -c " api [A-Z]* /" "$1" ; }

# 1. The quota is already spent when faxtop starts: its first answers are
# 429 with a Retry-After of about a minute, and it then waits.
start_faxsim --seed 2 --rate-limit 4
for i in 1 2 3 4; do api GET /v1/environment/balance >/dev/null; done
api GET /v1/environment/balance >/dev/null
expect_status 429 "the quota should be spent"
retry=$(api_header Retry-After)
[ "${retry:-0}" -ge 10 ] || fail "faxsim's Retry-After is too short for this test: $retry"
FAXTOP_OUT=$D/a.out
start_faxtop --db "$D/a.db" --api-base "$SIM_URL/v1" --poll-interval 1 --balance-interval 1 --verbose
wait_until 10 grep -q "rate_limit_exceeded" "$D/a.out.err" || fail "faxtop never saw the 429"
# Watch for a few seconds (well inside Retry-After): nothing more goes out.
n1=$(requests "$D/a.out.err")
sleep 4
n2=$(requests "$D/a.out.err")
[ "$n1" = "$n2" ] || fail "requests were sent before Retry-After passed ($n1, then $n2)"
[ "$n2" -le 2 ] || fail "$n2 requests answered 429; at most the first two may be"

# 2. A small quota with a fast poll and balance period: pacing keeps the
# requests within the quota, so no 429 ever comes back.
start_faxsim --seed 2 --rate-limit 8
FAXTOP_OUT=$D/b.out
start_faxtop --db "$D/b.db" --api-base "$SIM_URL/v1" --poll-interval 1 --balance-interval 1 --verbose
sleep 8
n=$(requests "$D/b.out.err")
[ "$n" -ge 2 ] || fail "faxtop made no requests"
[ "$n" -le 8 ] || fail "$n requests in a window with a quota of 8"
grep -q "rate_limit_exceeded" "$D/b.out.err" && fail "faxtop ran into the rate limit: $(grep -c rate_limit "$D/b.out.err") times"
exit 0
