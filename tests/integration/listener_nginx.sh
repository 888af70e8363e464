#!/bin/sh
# Through a reverse proxy (nginx), a body several MiB over --max-body-bytes
# is answered 413 and the proxy passes the 413 on, never a 502: faxtop reads
# the rest of an announced body (bounded) after answering, instead of
# closing on unread input, which would reset the proxy's connection.
# nginx runs from a temporary directory, on loopback, on a free port, as
# the test user; the test is skipped where nginx is not installed
# (tools/bootstrap test installs it).
. "$top_srcdir/tests/integration/listener_lib.sh"
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$NGINX" ] || skip "nginx is not installed"
command -v curl >/dev/null 2>&1 || fail "curl is required"
D=$(fax_tmpdir)

start_listener
PORT=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$D/nginx/tmp"
USERLINE=
[ "$(id -u)" = 0 ] && USERLINE="user $(id -un);"
cat >"$D/nginx/nginx.conf" <<CONF
$USERLINE
daemon off;
master_process off;
worker_processes 1;
pid $D/nginx/nginx.pid;
error_log $D/nginx/error.log warn;
events { worker_connections 64; }
http {
	access_log off;
	client_body_temp_path $D/nginx/tmp/body;
	proxy_temp_path $D/nginx/tmp/proxy;
	fastcgi_temp_path $D/nginx/tmp/fastcgi;
	uwsgi_temp_path $D/nginx/tmp/uwsgi;
	scgi_temp_path $D/nginx/tmp/scgi;
	client_max_body_size 64m;
	server {
		listen 127.0.0.1:$PORT;
		location / {
			proxy_pass http://$FAXTOP_ADDR;
			proxy_http_version 1.1;
			proxy_set_header Connection "";
		}
	}
}
CONF
"$NGINX" -p "$D/nginx" -e "$D/nginx/error.log" -c "$D/nginx/nginx.conf" 2>"$D/nginx/start.err" &
NGINX_PID=$!
track_pid "$NGINX_PID"
wait_until 10 curl -s -o /dev/null "http://127.0.0.1:$PORT/healthz" ||
	fail "nginx did not start: $(cat "$D/nginx/start.err" "$D/nginx/error.log" 2>/dev/null)"

# A genuine event through the proxy.
event evt_ngx fax.queued fax_ngx >"$D/e.json"
got=$("$PY" "$LC" send "127.0.0.1:$PORT" --secret "$SECRET" <"$D/e.json")
expect_answer 204 "$got" "a signed event through nginx"

# 6 MiB bodies, several times (plain and with a connection nginx reuses).
head -c $((6 * 1024 * 1024)) /dev/zero | tr '\0' 'x' >"$D/big"
i=0
while [ $i -lt 5 ]; do
	code=$(curl -sS -o "$D/big.out" -w '%{http_code}' --max-time 30 -H 'Content-Type: application/json' \
		--data-binary @"$D/big" "http://127.0.0.1:$PORT/webhooks/mintfax") || fail "curl failed"
	[ "$code" = 413 ] || fail "6 MiB through nginx: HTTP $code, want 413 ($(cat "$D/big.out"); $(tail -n 3 "$D/nginx/error.log"))"
	i=$((i + 1))
done
grep -q payload_too_large "$D/big.out" || fail "the 413 is not faxtop's: $(cat "$D/big.out")"
# And the listener still serves.
got=$("$PY" "$LC" send "127.0.0.1:$PORT" --secret "$SECRET" <"$D/e.json")
expect_answer 204 "$got" "a signed event after the big ones"
kill -0 "$FAXTOP_PID" 2>/dev/null || fail "faxtop died"
exit 0
