#!/bin/sh
# The shared store goes away (team mode): PostgreSQL is killed (pg_ctl stop
# -m immediate) under faxsim's traffic into a receiver with no API, so
# nothing but faxsim's redeliveries can fill the gap. While it is down,
# webhooks are answered 503 store_unavailable (faxsim's too) and /healthz
# says store_ok false; once it is back, the receiver recovers by itself (a
# probe is answered 204 again, /healthz says ok), every event acknowledged
# before, during or after the outage is in the store, and faxsim's retries
# of the refused deliveries bring the store to exactly faxsim's events
# (the outage lasts until some event was refused three times, so its last
# retry, 20 s later, is the one that stores it).
. "${top_srcdir:-.}/tests/integration/team_lib.sh"

team_start a
team_wait_store a
# 25 faxes a second for 12 s: an outage of a few seconds is within the
# patience of faxsim's retries.
team_traffic a 30 300
wait_until 30 pg_at_least 20 || fail "faxsim's traffic did not reach the store"
[ "$(team_probe a before)" = "204 -" ] || fail "a probe before the outage: $(cat "$D/probe.one")"

pg_run "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop >/dev/null 2>&1 ||
	fail "cannot stop the server"
t0=$(date +%s.%N)
wait_until 20 team_health_is a '.store_ok == false' ||
	fail "/healthz does not show the store down: $(cat "$D/a.health")"
i=0
probe_503()
{
	i=$((i + 1))
	[ "$(team_probe a down$i)" = "503 store_unavailable" ]
}
wait_until 20 probe_503 || fail "no 503 store_unavailable while the store is down: $(cat "$D/probe.one")"
# Down until faxsim has had an event refused three times (its tries at 0,
# 0.2 s and 2.2 s): only its last try, 20.4 s later, can store that one.
wait_until 30 sim_refused 3 "$D/refused" || fail "faxsim's deliveries were not refused 3 times"
# None of the probes sent while it was down was acknowledged.
if grep '^evt_down[0-9]*_000000 2' "$D/probes.log" >&2; then
	fail "a webhook was acknowledged while the store was down"
fi

pg_run "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w start >/dev/null 2>&1 ||
	fail "cannot start the server again"
t1=$(date +%s.%N)
j=0
probe_204()
{
	j=$((j + 1))
	[ "$(team_probe a after$j)" = "204 -" ]
}
wait_until 30 probe_204 || fail "a did not recover once the store was back: $(cat "$D/probe.one")"
t2=$(date +%s.%N)
wait_until 10 team_health_is a '.store_ok == true' ||
	fail "/healthz still shows the store down: $(cat "$D/a.health")"
awk -v a="$t0" -v b="$t1" -v c="$t2" 'BEGIN {
	printf "# down %.1f s; answering 204 again %.1f s after the restart\n", b - a, c - b }' >&2

# Faxsim's retries fill the gap: the store ends with exactly faxsim's
# events (and our probes), and every refused delivery's event is there.
converged()
{
	$H all-terminal "$SIM_ADDR" "$SIM_KEY" || return 1
	sim_ids "$D/sim.ids"
	pg_ids "$D/pg.ids"
	grep -v '^evt_\(before\|down\|after\)[0-9]*_' "$D/pg.ids" >"$D/pg.sim.ids"
	same_ids "$D/sim.ids" "$D/pg.sim.ids"
}
if ! wait_until 90 converged; then
	note "faxsim has $(grep -c . "$D/sim.ids") events, the store $(grep -c . "$D/pg.sim.ids") of" \
		"them; $(missing_ids "$D/sim.ids" "$D/pg.sim.ids") missing"
	fail "faxsim's redeliveries did not bring the store to faxsim's events"
fi
sent_acked "$D/probes.log" "$D/probes.acked"
sim_acked "$D/sim.acked"
sort -u "$D/probes.acked" "$D/sim.acked" >"$D/acked"
[ "$(missing_ids "$D/acked" "$D/pg.ids")" = 0 ] || fail "acknowledged events are missing"
[ "$(pgq 'SELECT count(*) - count(DISTINCT id) FROM events')" = 0 ] || fail "an id stored twice"
[ "$(missing_ids "$D/refused" "$D/pg.ids")" = 0 ] || fail "events refused 3 times are missing"
n503=$($H count-attempts "$SIM_ADDR" "$SIM_KEY" 503)
kill -0 "$a_PID" 2>/dev/null || fail "a died"
note "faxsim's deliveries refused with 503: $n503, $(grep -c . "$D/refused") events three" \
	"times; events: $(grep -c . "$D/sim.ids"), all stored; acknowledged: $(grep -c . "$D/acked")"
exit 0
