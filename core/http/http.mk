# core/http: the listener: HTTP server, proxies, signatures, the webhook route
core_libfaxcore_a_SOURCES += \
	core/http/http_server.c core/http/http_server.h core/http/http_int.h \
	core/http/http_request.c core/http/http_conn.c core/http/http_respond.c \
	core/http/http_limits.c core/http/http_parse.c core/http/http_accept.c \
	core/http/http_proxy.c core/http/http_proxy.h \
	core/http/signature.c core/http/signature.h \
	core/http/webhook.c core/http/webhook.h
tests_unit_run_unit_SOURCES += \
	tests/unit/test_signature.c \
	tests/unit/test_http_server.c \
	tests/unit/test_webhook.c
# faxtop --headless as a webhook receiver, driven by an independent Python sender.
LISTENER_TESTS = \
	tests/integration/listener_accept.sh \
	tests/integration/listener_refusals.sh \
	tests/integration/listener_connections.sh \
	tests/integration/listener_rotation.sh \
	tests/integration/listener_store_failure.sh \
	tests/integration/listener_faxsim.sh \
	tests/integration/listener_shutdown.sh \
	tests/integration/listener_one_per_db.sh \
	tests/integration/listener_host.sh \
	tests/integration/listener_body_limit.sh \
	tests/integration/listener_headless_utf8.sh \
	tests/integration/listener_secret_args.sh \
	tests/integration/listener_starvation.sh \
	tests/integration/listener_proxy.sh \
	tests/integration/listener_nginx.sh
TESTS += $(LISTENER_TESTS)
EXTRA_DIST += $(LISTENER_TESTS) \
	tests/integration/listener_lib.sh \
	tests/integration/listener_client.py
