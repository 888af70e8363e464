# core/api: the pull side: libcurl multi on libev, the API client, the poller, resends
core_libfaxcore_a_SOURCES += \
	core/api/curl_ev.c core/api/curl_ev.h \
	core/api/api_client.c core/api/api_client.h \
	core/api/api_policy.c core/api/api_policy.h \
	core/api/poller.c core/api/poller.h \
	core/api/resend.c core/api/resend.h \
	core/api/poller_cursor.c core/api/poller_cursor.h \
	core/api/poller_int.h core/api/poller_round.c core/api/poller_fetch.c
tests_unit_run_unit_SOURCES += \
	tests/unit/test_peer.c tests/unit/test_peer.h \
	tests/unit/test_curl_ev.c \
	tests/unit/test_api_client.c \
	tests/unit/test_poller.c \
	tests/unit/test_resend.c
# Integration: the poller and the API commands against faxsim over loopback.
API_INTEGRATION_TESTS = \
	tests/integration/poller_catchup.sh \
	tests/integration/poller_crash.sh \
	tests/integration/poller_fallback.sh \
	tests/integration/poller_ratelimit.sh \
	tests/integration/poller_outage.sh \
	tests/integration/poller_wrongkey.sh \
	tests/integration/poller_cursor.sh \
	tests/integration/cli_status.sh \
	tests/integration/cli_resend.sh \
	tests/integration/cli_tls.sh
TESTS += $(API_INTEGRATION_TESTS)
EXTRA_DIST += $(API_INTEGRATION_TESTS) tests/integration/poller_helper.py
