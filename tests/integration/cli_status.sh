#!/bin/sh
# faxtop status [--json] against faxsim: balance, counts and recent failures;
# refused keys, an unreachable API and usage mistakes give clear messages
# and non-zero exit statuses.
. "$top_srcdir/tests/integration/lib.sh"
need_python
D=$(fax_tmpdir)
FAXTOP="$top_builddir/app/faxtop"
XDG_CONFIG_HOME=$D/config
export XDG_CONFIG_HOME

start_faxsim --seed 5 --speed 200 --balance 5000
for to in +15005550001 +15005550002 +15005550008; do
	submit_fax "$to" >/dev/null
	expect_status 201 "submit to $to"
done
wait_until 60 all_faxes_terminal || fail "faxsim's faxes did not finish"
available=$(api GET /v1/environment/balance | jqs .available)

MINTFAX_API_KEY=$SIM_KEY
export MINTFAX_API_KEY
"$FAXTOP" --api-base "$SIM_URL/v1" status >"$D/text" 2>"$D/err" ||
	fail "faxtop status failed: $(cat "$D/err")"
grep -q "3 in total" "$D/text" || fail "no total in: $(cat "$D/text")"
grep -q "delivered 1, failed 2" "$D/text" || fail "wrong counts in: $(cat "$D/text")"
grep -q "invalid_number" "$D/text" || fail "the invalid_number failure is not listed"
grep -q "busy" "$D/text" || fail "the busy failure is not listed"
grep -q "balance" "$D/text" || fail "no balance line"

"$FAXTOP" --api-base "$SIM_URL/v1" status --json >"$D/json" 2>"$D/err" ||
	fail "faxtop status --json failed: $(cat "$D/err")"
[ "$(jqs .faxes.by_status.failed <"$D/json")" = 2 ] || fail "json: failed count"
[ "$(jqs .faxes.by_status.delivered <"$D/json")" = 1 ] || fail "json: delivered count"
[ "$(jqs .balance.available <"$D/json")" = "$available" ] || fail "json: balance"
[ "$(jqs '[.recent_failures[].error_code] | sort' <"$D/json")" = \
	'["busy","invalid_number"]' ] || fail "json: recent failures"
[ "$(jqs .environment <"$D/json")" = sandbox ] || fail "json: environment"

# Global options after the command; failures newest first (busy ends after
# its three attempts, long after invalid_number); today's summary; LOW.
"$FAXTOP" status --api-base "$SIM_URL/v1" --low-balance 1000000 >"$D/text2" 2>"$D/err" ||
	fail "faxtop status --api-base URL failed: $(cat "$D/err")"
grep -q "recent failures (newest first)" "$D/text2" || fail "no order said: $(cat "$D/text2")"
busy_line=$(grep -n " busy " "$D/text2" | head -1 | cut -d: -f1)
inv_line=$(grep -n " invalid_number " "$D/text2" | head -1 | cut -d: -f1)
[ -n "$busy_line" ] && [ -n "$inv_line" ] && [ "$busy_line" -lt "$inv_line" ] ||
	fail "failures are not newest first: $(cat "$D/text2")"
grep -q "today        3 sent, 1 delivered, 2 failed, delivery rate 33%" "$D/text2" ||
	fail "no summary of today: $(cat "$D/text2")"
grep -q "LOW (below \$10000.00)" "$D/text2" || fail "no LOW flag: $(cat "$D/text2")"
grep -q "LOW" "$D/text" && fail "LOW flag above the threshold: $(cat "$D/text")"
"$FAXTOP" status --json --api-base="$SIM_URL/v1" --low-balance 1000000 >"$D/json2" ||
	fail "faxtop status --json --api-base=URL failed"
[ "$(jqs .balance.low <"$D/json2")" = true ] || fail "json: no low flag"
[ "$(jqs .balance.low <"$D/json")" = false ] || fail "json: low flag above the threshold"
[ "$(jqs .today.sent <"$D/json2")" = 3 ] || fail "json: today"
[ "$(jqs '.recent_failures[0].error_code' <"$D/json2")" = busy ] || fail "json: order"

# Under --json errors are JSON on stdout too, with the same exit statuses.
json_fail()
{
	_rc=$1
	_code=$2
	shift 2
	"$@" >"$D/out" 2>"$D/err"
	_got=$?
	[ "$_got" = "$_rc" ] || fail "$*: exit $_got, expected $_rc"
	[ "$(jqs .error.code <"$D/out")" = "$_code" ] || fail "$*: stdout is not the error: $(cat "$D/out")"
}
MINTFAX_API_KEY=mfx_test_wrong json_fail 1 unauthenticated \
	"$FAXTOP" --api-base "$SIM_URL/v1" status --json
json_fail 1 network_error "$FAXTOP" status --json --api-base "http://127.0.0.1:1/v1"
json_fail 2 usage "$FAXTOP" --api-base "$SIM_URL/v1" status --json --bogus
env -u MINTFAX_API_KEY "$FAXTOP" --api-base "$SIM_URL/v1" status --json >"$D/out" 2>"$D/err"
[ $? = 2 ] || fail "json: a missing key is a usage error"
[ "$(jqs .error.code <"$D/out")" = no_api_key ] || fail "json: missing key: $(cat "$D/out")"

# Every refusal is explained.
MINTFAX_API_KEY=mfx_test_wrong expect_fail 1 "API key was refused" \
	"$FAXTOP" --api-base "$SIM_URL/v1" status
MINTFAX_API_KEY=mfx_live_notyet expect_fail 1 "not activated" \
	"$FAXTOP" --api-base "$SIM_URL/v1" status
MINTFAX_API_KEY=mfx_acct_account expect_fail 1 "environment key" \
	"$FAXTOP" --api-base "$SIM_URL/v1" status
expect_fail 1 "cannot reach the API" "$FAXTOP" --api-base "http://127.0.0.1:1/v1" status
grep -q "$SIM_KEY" "$D/err" && fail "the API key was printed"
env -u MINTFAX_API_KEY "$FAXTOP" --api-base "$SIM_URL/v1" status >"$D/out" 2>"$D/err"
[ $? = 2 ] || fail "a missing key is a usage error"
grep -q "no API key" "$D/err" || fail "a missing key is not explained: $(cat "$D/err")"
expect_fail 2 "unexpected argument" "$FAXTOP" --api-base "$SIM_URL/v1" status --bogus
exit 0
