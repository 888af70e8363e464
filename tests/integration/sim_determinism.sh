#!/bin/sh
# The same seed gives the same traffic: two faxsims with one seed produce the
# same faxes (numbers, pages, attempts, outcomes), another seed does not.
. "$top_srcdir/tests/integration/lib.sh"

N=25
ARGS="--rate 60 --speed 400 --failure-share 0.3 --traffic-count $N"

# shape: the first N faxes, oldest first, without ids or times
shape()
{
	api GET '/v1/faxes?per_page=100' |
		jqs "[.data | reverse | .[:$N][] | [.to, .pages, .max_attempts, .tags, .status,
		      .error_code, [.attempts[].error_code]]]"
}
settled()
{
	api GET '/v1/faxes?per_page=100' >"$(fax_tmpdir)/s"
	[ "$(jqs "[.data | reverse | .[:$N][] | select(.status == \"delivered\" or .status == \"failed\")] | length" \
		<"$(fax_tmpdir)/s")" = "$N" ]
}

start_faxsim --seed 42 $ARGS
wait_until 30 settled || fail "first sim: $N faxes did not finish"
A=$(shape)
start_faxsim --seed 42 $ARGS
wait_until 30 settled || fail "second sim: $N faxes did not finish"
B=$(shape)
start_faxsim --seed 43 $ARGS
wait_until 30 settled || fail "third sim: $N faxes did not finish"
C=$(shape)

[ "$A" = "$B" ] || fail "same seed, different traffic:
$A
$B"
[ "$A" != "$C" ] || fail "another seed gave the same traffic"
# a lively mix: failures and deliveries both present
echo "$A" | jq -e 'map(.[4]) | (index("failed") != null) and (index("delivered") != null)' >/dev/null ||
	fail "the mix has no failures or no deliveries: $A"
exit 0
