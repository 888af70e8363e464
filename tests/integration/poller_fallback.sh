#!/bin/sh
# When GET /events answers 404 the poller falls back to GET /faxes plus
# GET /faxes/{id} for unfinished faxes, and still converges to faxsim's fax
# states. faxsim always serves /events, so a small proxy hides it.
. "$top_srcdir/tests/integration/lib.sh"
need_python
H="python3 $top_srcdir/tests/integration/poller_helper.py"
D=$(fax_tmpdir)

# No --webhook-url: every webhook is lost, only polling can see anything.
start_faxsim --seed 11 --speed 20
$H proxy "$SIM_ADDR" "$D/proxy.ready" 2>"$D/proxy.err" &
track_pid $!
wait_ready_file "$D/proxy.ready" $! 10 || fail "proxy did not start: $(cat "$D/proxy.err")"
PROXY=$(head -n1 "$D/proxy.ready")

use_sim_credentials
# Slow faxes that exist before faxtop starts; faxes created later move the
# list's created_after window past them, so only per-fax refreshes can
# follow them to the end.
for to in +15005550002 +15005550003; do
	submit_fax "$to" >/dev/null
	expect_status 201 "submit to $to"
done
start_faxtop --db "$D/faxtop.db" --api-base "http://$PROXY/v1" --poll-interval 1 \
	--stale-after 1 --verbose
sleep 6
for to in +15005550001 +15005550008 +15005550007; do
	submit_fax "$to" >/dev/null
	expect_status 201 "submit to $to"
done
wait_until 60 all_faxes_terminal || fail "faxsim's faxes did not finish"
wait_until 60 $H faxes-match "$D/faxtop.db" "$SIM_ADDR" "$SIM_KEY" ||
	fail "faxtop's fax states did not converge through the /faxes fallback"
grep -q "falling back to GET /faxes" "$FAXTOP_OUT.err" || fail "the fallback was not announced"
grep -q "GET /faxes?per_page=100&created_after=" "$FAXTOP_OUT.err" ||
	fail "later lists did not ask only for faxes created since the watermark"
grep -Eq "GET /faxes/fax_[A-Za-z0-9]+: HTTP 200" "$FAXTOP_OUT.err" ||
	fail "no unfinished fax was refreshed on its own"
exit 0
