#!/bin/sh
# Webhooks pipelined on one keep-alive connection are each acknowledged
# once committed, without waiting for an unrelated wake-up of the loop
# (hardening_abuse.py pipelined_webhooks).
#
# Listed in XFAIL_TESTS (tests/fuzz/fuzz.mk): it fails today. After a held
# answer, http_respond() resumes the connection's buffered requests with
# ev_feed_event(); when the answer was sent from the store's commit callback
# (an ev_prepare watcher) the next request is parsed and ingested inside that
# same prepare pass, after the store has committed, so its commit, and its
# 204, wait until the loop wakes for something else (the idle timer at the
# latest): one pipelined request per wake-up. A fix, checked against this
# test: an ev_idle watcher in struct http_server, started next to that
# ev_feed_event() and stopping itself in its callback, keeps the loop from
# blocking, so the next pass's prepare commits at once. Once fixed, this
# test passes, automake reports XPASS, and it should leave XFAIL_TESTS.
ABUSE_SCENARIOS=pipelined_webhooks
. "$top_srcdir/tests/integration/hardening_abuse.sh"
