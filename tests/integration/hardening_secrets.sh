#!/bin/sh
# Secrets never leak (issue 8): faxtop --headless runs against faxsim with a
# known API key and webhook secret; traffic goes both ways (signed webhooks
# accepted, forged/stale/unsigned ones refused, catch-up polls, balance
# reads, a refused resend, a wrong key, an undecodable secret, `faxtop
# sign`, `faxtop status`), then stdout, stderr, the log file, every table of
# the SQLite store (and the raw database and WAL bytes), and `faxtop --help`
# are searched for the key, the secret and distinctive fragments of both.
# Also: a config file holding a secret is refused while group or others can
# read it and accepted once it is private; the running process has core
# dumps off.
. "$top_srcdir/tests/integration/lib.sh"
need_python
command -v sqlite3 >/dev/null 2>&1 || skip "sqlite3 (the command) is needed to dump the store"

LC="$top_srcdir/tests/integration/listener_client.py"
PY=${PYTHON:-python3}
[ -z "${PYTHON:-}" ] && [ -x /usr/bin/python3 ] && PY=/usr/bin/python3
D=$(fax_tmpdir)
unset MINTFAX_API_KEY MINTFAX_API_BASE MINTFAX_WEBHOOK_SECRET
XDG_CONFIG_HOME="$D/config"
XDG_DATA_HOME="$D/data"
export XDG_CONFIG_HOME XDG_DATA_HOME

# The values looked for, and fragments that would betray a partial print.
KEY=mfx_test_K3yLeakCheck7781zQ
SECRET=whsec_ZmF4dG9wLWxlYWstY2hlY2stc2VjcmV0LTAxMjM0NTY=
SECRET_B64=ZmF4dG9wLWxlYWstY2hlY2stc2VjcmV0LTAxMjM0NTY
WRONG_KEY=mfx_test_Wr0ngK3yLeakCheck55
BAD_SECRET='whsec_!!B4dS3cretLeakCheck!!'
FRAGMENTS="$KEY K3yLeakCheck7781 $SECRET $SECRET_B64 LWxlYWstY2hlY2st $WRONG_KEY Wr0ngK3yLeakCheck
B4dS3cretLeakCheck"

SIM_KEY=$KEY
SIM_SECRET=$SECRET
start_faxsim --seed 11 --speed 200
API_KEY=$KEY
DB="$D/store/faxtop.db"
LOG="$D/faxtop.log"
FAXTOP_OUT="$D/headless.out"
MINTFAX_API_KEY=$KEY MINTFAX_WEBHOOK_SECRET=$SECRET start_faxtop --db "$DB" --log-file "$LOG" \
	--api-base "$SIM_URL/v1" --poll-interval 1 --balance-interval 1 --verbose
note "faxtop at $FAXTOP_ADDR, faxsim at $SIM_ADDR"

# Core dumps are off while the secrets are held.
core=$(awk '/^Max core file size/ { print $5 }' "/proc/$FAXTOP_PID/limits" 2>/dev/null || echo '?')
[ "$core" = 0 ] || fail "core dumps are not disabled (soft limit '$core')"

# Genuine traffic: faxes whose webhooks come to faxtop (signed by faxsim),
# delivered and failed, plus what the poller catches up on.
URL="http://$FAXTOP_ADDR/webhooks/mintfax"
for to in +15005550001 +15005550005 +15005550004 +15005550001; do
	submit_fax "$to" -F "webhook_url=$URL" >/dev/null || fail "submit to faxsim"
	expect_status 201 "submit $to"
done
submit_fax +15005550001 >/dev/null   # no webhook: only the poller sees it
wait_until 30 sh -c "[ \$(grep -c '^{' '$FAXTOP_OUT') -ge 12 ]" ||
	fail "faxtop saw $(grep -c '^{' "$FAXTOP_OUT") events, expected at least 12"
FAX=$(api GET '/v1/faxes?per_page=1' | jqs '.data[0].id')
[ -n "$FAX" ] && [ "$FAX" != null ] || fail "no fax listed by faxsim"

# Refused requests: forged, stale, unsigned, wrong path, garbage.
body=$("$PY" "$LC" event evt_forged fax.delivered "$FAX")
for args in "--secret whsec_dGhpcyBpcyBub3QgdGhlIHNlY3JldCBhdCBhbGwh" \
	"--secret $SECRET --ts-offset -4000" "--secret $SECRET --scheme none" \
	"--secret $SECRET --signature v1,$SECRET_B64" "--secret $SECRET --path /nope"; do
	# shellcheck disable=SC2086
	got=$(printf '%s' "$body" | "$PY" "$LC" send "$FAXTOP_ADDR" $args) || fail "send $args"
	case $got in
	401* | 404*) ;;
	*) fail "forged request ($args) answered: $got" ;;
	esac
done
printf '{"id":"evt_x",' | "$PY" "$LC" send "$FAXTOP_ADDR" --secret "$SECRET" >/dev/null ||
	fail "send unparseable"
"$PY" "$LC" flood "$FAXTOP_ADDR" >/dev/null || true

# The command-line tools, with errors.
run_tool()
{
	_name=$1
	shift
	"$@" >"$D/tool-$_name.out" 2>"$D/tool-$_name.err" </dev/null
	echo $? >"$D/tool-$_name.rc"
}
run_tool status env MINTFAX_API_KEY=$KEY "$top_builddir/app/faxtop" --api-base "$SIM_URL/v1" status
[ "$(cat "$D/tool-status.rc")" = 0 ] || fail "faxtop status: $(cat "$D/tool-status.err")"
run_tool statusjson env MINTFAX_API_KEY=$KEY "$top_builddir/app/faxtop" --api-base "$SIM_URL/v1" \
	--verbose status --json
run_tool wrongkey env MINTFAX_API_KEY=$WRONG_KEY "$top_builddir/app/faxtop" \
	--api-base "$SIM_URL/v1" status
[ "$(cat "$D/tool-wrongkey.rc")" != 0 ] || fail "a wrong key was not reported"
run_tool resend env MINTFAX_API_KEY=$KEY "$top_builddir/app/faxtop" --api-base "$SIM_URL/v1" \
	resend fax_does_not_exist
[ "$(cat "$D/tool-resend.rc")" != 0 ] || fail "resend of an unknown fax succeeded"
run_tool keyflag "$top_builddir/app/faxtop" --api-key "$KEY" --api-base "$SIM_URL/v1" status
printf '%s' "$body" >"$D/body.json"
"$top_builddir/app/faxtop" sign --secret "$SECRET" --id evt_1 --timestamp 1747173600 \
	<"$D/body.json" >"$D/tool-sign.out" 2>"$D/tool-sign.err" || fail "faxtop sign"
grep -q '^webhook-signature: v1,' "$D/tool-sign.out" || fail "faxtop sign printed no signature"
# While faxtop sign waits for its body, its command line no longer shows the
# secret (both --secret VALUE and --secret=VALUE).
mkfifo "$D/sign.fifo"
# signing_blind PID: PID runs faxtop sign (its --id is there) without the secret.
signing_blind()
{
	tr '\0' ' ' <"/proc/$1/cmdline" >"$D/sign.cmdline" 2>/dev/null || return 1
	grep -q -- '--id evt_2' "$D/sign.cmdline" && ! grep -q -- "$SECRET" "$D/sign.cmdline"
}
for form in split joined; do
	exec 3<>"$D/sign.fifo"
	if [ $form = split ]; then
		"$top_builddir/app/faxtop" sign --secret "$SECRET" --id evt_2 <"$D/sign.fifo" 3>&- \
			>"$D/sign.$form.out" 2>&1 &
	else
		"$top_builddir/app/faxtop" sign --secret="$SECRET" --id evt_2 <"$D/sign.fifo" 3>&- \
			>"$D/sign.$form.out" 2>&1 &
	fi
	SIGN_PID=$!
	track_pid $SIGN_PID
	wait_until 5 signing_blind $SIGN_PID ||
		fail "faxtop sign ($form) left its secret in /proc/PID/cmdline"
	printf '%s' "$body" >&3
	exec 3>&-
	wait $SIGN_PID || fail "faxtop sign ($form) failed: $(cat "$D/sign.$form.out")"
	grep -q '^webhook-signature: v1,' "$D/sign.$form.out" || fail "faxtop sign ($form) signed nothing"
done
run_tool badsecret env MINTFAX_WEBHOOK_SECRET="$BAD_SECRET" "$top_builddir/app/faxtop" --headless \
	--listen 127.0.0.1:0 --db "$D/bad.db" --signature-scheme standard
[ "$(cat "$D/tool-badsecret.rc")" != 0 ] || fail "an undecodable secret was accepted"
[ -s "$D/tool-badsecret.err" ] || fail "an undecodable secret was refused without a message"
run_tool help env MINTFAX_API_KEY=$KEY MINTFAX_WEBHOOK_SECRET=$SECRET "$top_builddir/app/faxtop" --help
run_tool helpflag "$top_builddir/app/faxtop" --api-key "$KEY" --webhook-secret "$SECRET" --help
grep -q -- '--webhook-secret' "$D/tool-help.out" || fail "faxtop --help printed no options"

# A config file holding a secret must be private.
CFG="$D/config.private"
printf 'webhook-secret = %s\nlisten = 127.0.0.1:0\n' "$SECRET" >"$CFG"
chmod 644 "$CFG"
run_tool cfg644 "$top_builddir/app/faxtop" --config "$CFG" --headless --db "$D/cfg.db" \
	--ready-file "$D/cfg.ready"
[ "$(cat "$D/tool-cfg644.rc")" != 0 ] || fail "a config file with a secret and mode 644 was accepted"
grep -qiE 'permission|private|readable|chmod|mode' "$D/tool-cfg644.err" ||
	fail "the refusal of a 644 config does not say why: $(cat "$D/tool-cfg644.err")"
chmod 640 "$CFG"
run_tool cfg640 "$top_builddir/app/faxtop" --config "$CFG" --headless --db "$D/cfg.db" \
	--ready-file "$D/cfg.ready"
[ "$(cat "$D/tool-cfg640.rc")" != 0 ] || fail "a config file with a secret and mode 640 was accepted"
chmod 600 "$CFG"
"$top_builddir/app/faxtop" --config "$CFG" --headless --db "$D/cfg.db" --ready-file "$D/cfg.ready" \
	>"$D/cfg600.out" 2>"$D/cfg600.err" &
CFG_PID=$!
track_pid $CFG_PID
wait_ready_file "$D/cfg.ready" $CFG_PID 10 ||
	fail "a private config file was not accepted: $(cat "$D/cfg600.err")"
kill $CFG_PID

# Let faxtop finish cleanly so the store is complete.
stored=$(sqlite3 -batch -noheader "$DB" 'SELECT count(*) FROM events' 2>/dev/null || echo 0)
kill "$FAXTOP_PID"
wait_until 10 sh -c "! kill -0 $FAXTOP_PID 2>/dev/null" || fail "faxtop did not stop on SIGTERM"
[ "$stored" -ge 12 ] || fail "the store holds $stored events, expected at least 12"
[ -s "$LOG" ] || fail "the log file is empty"
grep -q 401 "$LOG" "$FAXTOP_OUT.err" 2>/dev/null || grep -qi 'refus\|signature' "$LOG" ||
	fail "the refusals were not logged"

# Every table, dumped, and the raw bytes of the database files.
sqlite3 -batch "$DB" .dump >"$D/store.dump" || fail "cannot dump the store"
[ -s "$D/store.dump" ] || fail "empty store dump"

[ -n "${KEEP_TMP:-}" ] && cp -r "$D" "$KEEP_TMP"
# search FILE...: reports every fragment found; returns how many.
search()
{
	_n=0
	for _f in "$@"; do
		[ -f "$_f" ] || continue
		for _s in $FRAGMENTS; do
			if grep -a -q -F -- "$_s" "$_f"; then
				echo "LEAK: '$_s' found in $_f:" >&2
				grep -a -n -F -- "$_s" "$_f" | head -n 3 | cut -c1-300 >&2
				_n=$((_n + 1))
			fi
		done
	done
	return $_n
}

# The search itself must be able to fail.
printf 'x %s y\n' "$SECRET_B64" >"$D/control"
if search "$D/control" 2>/dev/null; then
	fail "the leak search does not find a planted secret"
fi

leaks=0
search "$FAXTOP_OUT" "$FAXTOP_OUT.err" "$LOG" "$D/store.dump" "$DB" "$DB-wal" \
	"$D"/tool-*.out "$D"/tool-*.err "$D/cfg600.out" "$D/cfg600.err" || leaks=$?
[ $leaks -eq 0 ] || fail "$leaks secret leaks"
note "searched $(ls "$D"/tool-*.out "$D"/tool-*.err | wc -l) tool outputs, stdout ($(grep -c '^{' "$FAXTOP_OUT") events), stderr, log ($(wc -l <"$LOG") lines), store ($stored events): no secret"
exit 0
