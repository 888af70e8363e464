#!/bin/sh
# faxsim's own traffic (the demo's) keeps the delivery contract (docs/CONTRACT.md#failure-codes): a fax
# that failed with a retryable code used every attempt it was allowed, and
# every failed fax has no attempt left in progress. The demo's quick early
# failures included.
. "$top_srcdir/tests/integration/lib.sh"
N=12
start_faxsim --seed 7 --rate 60 --speed 400 --failure-share 0.4 --traffic-count $N
settled()
{
	api GET '/v1/faxes?per_page=100' >"$(fax_tmpdir)/s"
	[ "$(jqs "[.data[] | select(.status == \"delivered\" or .status == \"failed\")] | length" \
		<"$(fax_tmpdir)/s")" = "$N" ]
}
wait_until 60 settled || fail "$N faxes did not finish"
F=$(fax_tmpdir)/s
[ "$(jqs '[.data[] | select(.status == "failed")] | length' <"$F")" -ge 2 ] || fail "no failures to check"
bad=$(jqs '[.data[] | select(.status == "failed")
	| select((.error_code | ascii_downcase) as $c
		| ["busy","no_answer","line_quality","timeout","internal_error"] | index($c))
	| select((.attempts | length) < (.max_attempts | tonumber))
	| {id, error_code, max_attempts, n: (.attempts | length)}]' <"$F")
[ "$bad" = "[]" ] || fail "failed with a retryable code before max_attempts: $bad"
open=$(jqs '[.data[] | select(.status == "failed" or .status == "delivered")
	| select(any(.attempts[]; .completed_at == null)) | .id]' <"$F")
[ "$open" = "[]" ] || fail "a finished fax with an attempt in progress: $open"
exit 0
