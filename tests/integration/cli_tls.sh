#!/bin/sh
# TLS verification is on: a server with an unknown certificate is refused,
# and --cacert trusts a private CA. openssl s_server stands in for the API
# (it answers any GET with an HTML page, which faxtop then refuses to read).
. "$top_srcdir/tests/integration/lib.sh"
need_python
command -v openssl >/dev/null 2>&1 || skip "openssl command not installed"
D=$(fax_tmpdir)
XDG_CONFIG_HOME=$D/config
MINTFAX_API_KEY=mfx_test_tls0123456789
export XDG_CONFIG_HOME MINTFAX_API_KEY

openssl req -x509 -newkey rsa:2048 -nodes -keyout "$D/key.pem" -out "$D/cert.pem" -days 1 \
	-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 >"$D/req.log" 2>&1 ||
	skip "cannot make a test certificate: $(cat "$D/req.log")"
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
openssl s_server -accept "127.0.0.1:$PORT" -cert "$D/cert.pem" -key "$D/key.pem" -www -quiet \
	>"$D/server.log" 2>&1 &
track_pid $!
wait_until 10 python3 -c "import socket; socket.create_connection(('127.0.0.1', $PORT), 1)" ||
	fail "openssl s_server did not start: $(cat "$D/server.log")"
BASE="https://127.0.0.1:$PORT/v1"

"$top_builddir/app/faxtop" --api-base "$BASE" status >"$D/out" 2>"$D/err"
[ $? = 1 ] || fail "an unknown certificate was accepted"
grep -qi "certificate" "$D/err" || fail "the refusal does not name the certificate: $(cat "$D/err")"

"$top_builddir/app/faxtop" --api-base "$BASE" --cacert "$D/cert.pem" status >"$D/out" 2>"$D/err"
[ $? = 1 ] || fail "an HTML answer was taken for the API"
grep -qi "certificate" "$D/err" && fail "--cacert did not make the certificate trusted: $(cat "$D/err")"
grep -q "unreadable answer\|HTTP" "$D/err" || fail "the TLS connection did not get an answer: $(cat "$D/err")"

"$top_builddir/app/faxtop" --api-base "$BASE" --cacert "$D/missing.pem" status >"$D/out" 2>"$D/err"
[ $? = 2 ] || fail "a missing CA bundle is a configuration error"
grep -q "missing.pem" "$D/err" || fail "the missing CA bundle is not named"
exit 0
