#!/bin/sh
# During an outage (every API answer a 503 or a 429) the number of requests
# stays bounded by the exponential backoff, instead of one per poll.
. "$top_srcdir/tests/integration/lib.sh"
need_python
D=$(fax_tmpdir)
use_sim_credentials

start_faxsim --seed 4 --api-errors 1.0
start_faxtop --db "$D/faxtop.db" --api-base "$SIM_URL/v1" --poll-interval 1 \
	--balance-interval 1 --verbose
# Polling every second for both the events and the balance would make
# about 20 requests in 10 s; backoff (0.5-1, 1-2, 2-4, 4-8 s…, one probe at
# a time) allows at most 2 + 5.
sleep 10
n=$(grep -c " api [A-Z]* /" "$FAXTOP_OUT.err")
[ "$n" -ge 2 ] || fail "faxtop made no requests"
[ "$n" -le 7 ] || fail "$n requests in 10 s of outage: the backoff does not hold"
grep -Eq "service_unavailable|rate_limit_exceeded" "$FAXTOP_OUT.err" || fail "the failures were not logged"
kill -0 "$FAXTOP_PID" || fail "faxtop died during the outage"
exit 0
