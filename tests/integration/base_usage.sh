#!/bin/sh
# A bad value on the command line is a usage error: exit status 2 and a
# message naming it, before anything starts (a bad --listen included).
. "$top_srcdir/tests/integration/lib.sh"
D=$(fax_tmpdir)
XDG_CONFIG_HOME=$D/config XDG_DATA_HOME=$D/data
export XDG_CONFIG_HOME XDG_DATA_HOME
unset MINTFAX_API_KEY MINTFAX_API_BASE MINTFAX_WEBHOOK_SECRET

usage_error()
{
	_what=$1
	shift
	"$top_builddir/app/faxtop" "$@" >"$D/out" 2>"$D/err" </dev/null
	_rc=$?
	[ "$_rc" = 2 ] || fail "$_what: exit status $_rc, want 2 ($(cat "$D/err"))"
	grep -q "^faxtop: " "$D/err" || fail "$_what: no message on stderr"
}

for addr in :99999 127.0.0.1:65536 '[::1]:99999' 127.0.0.1: 127.0.0.1:8x8 ::1:80; do
	MINTFAX_WEBHOOK_SECRET=whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw \
		usage_error "--listen $addr" --headless --listen "$addr" --db "$D/db"
	grep -q "listen must be" "$D/err" || fail "--listen $addr: $(cat "$D/err")"
done
usage_error "--fps 0" --headless --fps 0
[ ! -e "$D/db" ] || fail "a usage error created the database"
exit 0
