#!/bin/sh
# Webhooks pipelined on one keep-alive connection are each acknowledged
# once committed, without waiting for an unrelated wake-up of the loop
# (hardening_abuse.py pipelined_webhooks).
#
# It failed before http_server resumed buffered pipelined requests with an
# ev_idle watcher: a request parsed inside the store's commit pass waited for
# an unrelated wake-up of the loop before its own commit and 204.
ABUSE_SCENARIOS=pipelined_webhooks
. "$top_srcdir/tests/integration/hardening_abuse.sh"
