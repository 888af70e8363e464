#!/bin/sh
# RFC 9112 3.2: an HTTP/1.1 request without Host, or any request with two
# Host headers, gets 400; one Host (or HTTP/1.0 without one) is served.
. "$top_srcdir/tests/integration/listener_lib.sh"
start_listener

raw()
{
	printf "$1" | "$PY" "$LC" raw "$FAXTOP_ADDR"
}

got=$(raw 'GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n')
expect_answer "HTTP/1.1 400" "$got" "HTTP/1.1 without Host"
got=$(raw 'GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\nConnection: close\r\n\r\n')
expect_answer "HTTP/1.1 400" "$got" "two Host headers"
got=$(raw 'GET /healthz HTTP/1.0\r\nHost: a\r\nhost: a\r\n\r\n')
expect_answer "HTTP/1.1 400" "$got" "HTTP/1.0 with two Host headers"
got=$(raw 'GET /healthz HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n')
expect_answer "HTTP/1.1 200" "$got" "one Host"
got=$(raw 'GET /healthz HTTP/1.0\r\n\r\n')
expect_answer "HTTP/1.1 200" "$got" "HTTP/1.0 without Host"
exit 0
