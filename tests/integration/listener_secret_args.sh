#!/bin/sh
# Secrets given as flags are blanked in the process's argument list (ps,
# /proc/PID/cmdline) once parsed, with a warning that other users could read
# them until then; --webhook-secret-file and --api-key-file read them from a
# private file instead (refused while group or others can read it).
. "$top_srcdir/tests/integration/listener_lib.sh"
command -v ps >/dev/null 2>&1 || skip "ps is needed"
D=$(fax_tmpdir)
KEY=mfx_test_ArgvLeakCheck4471x
FRAG=ArgvLeakCheck
SFRAG=MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw

# An API base on loopback where nothing answers: the poller runs, and fails
# quietly, without leaving the machine.
NOAPI=http://127.0.0.1:9/v1

# ---- flags: used, then blanked, with a warning ----
start_faxtop --db "$D/a.db" --webhook-secret "$SECRET" --api-key="$KEY" --api-base "$NOAPI"
args=$(ps -ww -o args= -p "$FAXTOP_PID") || fail "ps found no faxtop"
case $args in
*"$SFRAG"* | *"$FRAG"*) fail "ps shows a secret: $args" ;;
*--webhook-secret*) ;;
*) fail "ps does not show faxtop's arguments at all: $args" ;;
esac
if tr '\0' ' ' <"/proc/$FAXTOP_PID/cmdline" | grep -q -e "$SFRAG" -e "$FRAG"; then
	fail "/proc/PID/cmdline holds a secret"
fi
grep -q "other local users could read it" "$FAXTOP_OUT.err" || fail "no warning about secrets on the command line"
# The secret was taken before it was blanked.
event evt_argv fax.queued fax_argv >"$D/e.json"
expect_answer 204 "$(send --secret "$SECRET" <"$D/e.json")" "an event signed with the secret given as a flag"
stop_listener

# ---- a secret file must be private ----
printf '%s\n' "$SECRET" >"$D/secret"
chmod 644 "$D/secret"
"$top_builddir/app/faxtop" --headless --db "$D/b.db" --webhook-secret-file "$D/secret" \
	--listen 127.0.0.1:0 >/dev/null 2>"$D/open.err"
rc=$?
[ $rc = 2 ] || fail "a group/world-readable secret file: exit status $rc, want 2"
grep -q "chmod 600" "$D/open.err" || fail "the refusal does not say how to fix it: $(cat "$D/open.err")"
grep -q "$SFRAG" "$D/open.err" && fail "the refusal quotes the secret"

chmod 600 "$D/secret"
printf '%s\n' "$KEY" >"$D/key"
chmod 600 "$D/key"
DB=$D/c.db
start_faxtop --db "$DB" --webhook-secret-file "$D/secret" --api-key-file "$D/key" --api-base "$NOAPI"
grep -q "other local users" "$FAXTOP_OUT.err" && fail "warned with no secret on the command line"
event evt_file fax.queued fax_file >"$D/f.json"
expect_answer 204 "$(send --secret "$SECRET" <"$D/f.json")" "an event signed with the secret from the file"
[ "$(sql "SELECT count(*) FROM events WHERE id = 'evt_file'")" = 1 ] || fail "the event was not stored"
stop_listener

# The key file reaches the API: faxtop status against faxsim.
SIM_KEY=$KEY
start_faxsim --seed 5
"$top_builddir/app/faxtop" --api-key-file "$D/key" --api-base "$SIM_URL/v1" status >"$D/status.out" 2>&1 ||
	fail "faxtop status with --api-key-file: $(cat "$D/status.out")"
exit 0
