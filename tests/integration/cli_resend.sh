#!/bin/sh
# faxtop resend against faxsim: the new fax id; the same action retried with
# its idempotency key yields one new fax; a second resend of a fax is refused
# (naming the first) unless --again; a resend that timed out is retried with
# its stored key, in a later run, and makes one fax; every error status of
# the contract (401, 402, 404, 409, 422, 429/503) gives the API's message and
# action.
. "$top_srcdir/tests/integration/lib.sh"
need_python
H="python3 $top_srcdir/tests/integration/poller_helper.py"
D=$(fax_tmpdir)
FAXTOP="$top_builddir/app/faxtop"
XDG_CONFIG_HOME=$D/config
XDG_DATA_HOME=$D/data
export XDG_CONFIG_HOME XDG_DATA_HOME

start_faxsim --seed 9 --speed 200 --balance 5000
busy=$(submit_fax +15005550002 | jqs .id)
expect_status 201 "submit busy"
ok=$(submit_fax +15005550001 | jqs .id)
expect_status 201 "submit delivered"
wait_until 60 fax_is "$busy" failed || fail "$busy did not fail"
wait_until 60 fax_is "$ok" delivered || fail "$ok was not delivered"

MINTFAX_API_KEY=$SIM_KEY
export MINTFAX_API_KEY
B="--api-base $SIM_URL/v1 --db $D/audit.db"

new1=$("$FAXTOP" $B resend "$busy" --to +15005550001 --idempotency-key action-1 2>"$D/err") ||
	fail "resend failed: $(cat "$D/err")"
case $new1 in fax_*) ;; *) fail "resend printed '$new1', not a fax id" ;; esac
[ "$(api GET "/v1/faxes/$new1" | jqs .resent_from)" = "$busy" ] ||
	fail "the new fax is not linked to the original"
# The same action again (say after a network error): the same fax, not a second one.
new2=$("$FAXTOP" $B resend "$busy" --to=+15005550001 --idempotency-key=action-1 2>"$D/err") ||
	fail "the repeated resend failed: $(cat "$D/err")"
[ "$new1" = "$new2" ] || fail "the repeated action made another fax ($new1, $new2)"
[ "$($H count-resent "$SIM_ADDR" "$SIM_KEY" "$busy")" = 1 ] || fail "more than one resend exists"
# Both runs are in the local audit trail, with the key and the new fax.
[ "$(python3 -c 'import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute(
    "SELECT count(*) FROM resends WHERE fax_id = ? AND new_fax_id = ? AND idempotency_key = ?"
    " AND who LIKE ?", sys.argv[2:]).fetchone()[0])' "$D/audit.db" "$busy" "$new1" action-1 \
	"$(id -un)@%")" = 2 ] ||
	fail "the resends are not in the audit trail with who asked"

# A second resend of the same fax, without a key: refused, naming the first.
expect_fail 1 "already as $new1" "$FAXTOP" $B resend "$busy"
grep -q -- "--again" "$D/err" || fail "the refusal does not say how to resend anyway"
grep -q "key action-1" "$D/err" || fail "the refusal does not name the first resend's key"
[ "$($H count-resent "$SIM_ADDR" "$SIM_KEY" "$busy")" = 1 ] || fail "a refused resend made a fax"

expect_fail 1 "invalid_state" "$FAXTOP" $B resend "$ok" --again
grep -q "suggested action: fix_request" "$D/err" || fail "409 without its action"
expect_fail 1 "not_found" "$FAXTOP" $B resend fax_doesnotexist --again
expect_fail 1 "validation_failed" "$FAXTOP" $B resend "$busy" --to +15005550099 --again
expect_fail 1 "insufficient_balance" "$FAXTOP" $B resend "$busy" --to +15005550006 --again
grep -q "suggested action: top_up_balance" "$D/err" || fail "402 without its action"
[ "$(python3 -c 'import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute(
    "SELECT count(*) FROM resends WHERE error = ? AND new_fax_id IS NULL AND request_id LIKE ?",
    ("insufficient_balance", "req_%")).fetchone()[0])' "$D/audit.db")" = 1 ] ||
	fail "the refused resend is not in the audit trail"
expect_fail 1 "idempotency_key_reuse" "$FAXTOP" $B resend "$busy" --to +15005550003 \
	--idempotency-key action-1
MINTFAX_API_KEY=mfx_test_wrong expect_fail 1 "API key was refused" "$FAXTOP" $B resend "$busy" \
	--again
grep -q "request id: req_" "$D/err" || fail "no request id shown"

# Local mistakes never reach the API.
expect_fail 2 "usage" "$FAXTOP" $B resend
expect_fail 2 "E.164" "$FAXTOP" $B resend "$busy" --to 5551234
expect_fail 2 "1 to 5" "$FAXTOP" $B resend "$busy" --max-attempts 7
expect_fail 2 "not a fax id" "$FAXTOP" $B resend "../etc/passwd"
expect_fail 2 "unknown option" "$FAXTOP" $B resend "$busy" --frobnicate
expect_fail 2 "read-only" "$FAXTOP" $B --read-only resend "$busy"

# 5xx and 429 on every request: bounded retries with the same key, then the
# message and the command that retries the same action safely.
start_faxsim --seed 9 --api-errors 1.0
expect_fail 1 "retry it safely" "$FAXTOP" --api-base "$SIM_URL/v1" --db "$D/audit.db" \
	resend "$busy"
grep -Eq "service_unavailable|rate_limit_exceeded" "$D/err" || fail "5xx/429 not named: $(cat "$D/err")"

# A resend that times out (faxsim holds every answer 3 s, faxtop waits 1 s):
# the outcome is unknown, the key is kept; the next run, with patience,
# reuses it and gets the same fax. One fax at faxsim.
start_faxsim --seed 9 --speed 200 --slow 3000
busy2=$(submit_fax +15005550002 | jqs .id)
wait_until 60 fax_is "$busy2" failed || fail "$busy2 did not fail"
B2="--api-base $SIM_URL/v1 --db $D/slow.db"
expect_fail 1 "outcome is unknown" "$FAXTOP" $B2 --request-timeout 1 resend "$busy2"
key=$(sed -n 's/.*the key \([^ ]*\) is kept.*/\1/p' "$D/err")
[ -n "$key" ] || fail "the kept key is not named: $(cat "$D/err")"
# Another number cannot ride on the kept key: refused, nothing sent.
expect_fail 1 "no known outcome" "$FAXTOP" $B2 resend "$busy2" --to +15005550001
new3=$("$FAXTOP" $B2 --request-timeout 20 resend "$busy2" 2>"$D/err") ||
	fail "the retry failed: $(cat "$D/err")"
grep -q "reused" "$D/err" || fail "the retry did not say it reused the key: $(cat "$D/err")"
grep -q "$key" "$D/err" || fail "the retry used another key: $(cat "$D/err")"
[ "$($H count-resent "$SIM_ADDR" "$SIM_KEY" "$busy2")" = 1 ] ||
	fail "a timeout and a retry made more than one fax"
[ "$(api GET "/v1/faxes/$new3" | jqs .idempotency_key)" = "$key" ] ||
	fail "the fax was not made with the kept key"
# And now it is settled: another run refuses, --again makes a second fax.
expect_fail 1 "already as $new3" "$FAXTOP" $B2 resend "$busy2"
"$FAXTOP" $B2 --request-timeout 20 resend "$busy2" --again >"$D/out" 2>"$D/err" ||
	fail "--again failed: $(cat "$D/err")"
[ "$($H count-resent "$SIM_ADDR" "$SIM_KEY" "$busy2")" = 2 ] || fail "--again did not resend"
exit 0
