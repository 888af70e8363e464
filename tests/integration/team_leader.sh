#!/bin/sh
# One poller at a time (team mode): three instances on one PostgreSQL store
# poll faxsim, which sends no webhooks, so the catch-up from GET /v1/events
# is the only way in. Exactly one says "leader" in /healthz, the others
# "standby", and only the leader asks for /v1/events (each instance talks to
# faxsim through a proxy of its own that logs its requests). SIGKILL the
# leader in the middle of the traffic: another takes over within 20 s,
# carries on from the cursor in the poller table, and every event faxsim
# has ends up in the shared store once, and on the screens of the two that
# remain.
. "${top_srcdir:-.}/tests/integration/team_lib.sh"
use_sim_credentials

# 25 faxes a second for 6 s, each a few seconds long, and no webhooks.
team_traffic - 30 150
for n in a b c; do
	python3 "$top_srcdir/tests/integration/fault_helper.py" proxy "$SIM_ADDR" "$D/proxy.$n" \
		"$D/proxy.$n.log" "$D/no-such-switch" 2>"$D/proxy.$n.err" &
	await_ready "the proxy for $n" $! "$D/proxy.$n" "$D/proxy.$n.err"
	: >>"$D/proxy.$n.log"
	team_start $n --api-base "http://$(head -n 1 "$D/proxy.$n")/v1" --poll-interval 1
done
team_wait_store a b c

# roles NAMES...: each one's /healthz poller role, "name=role ..."; sets
# LEADER to the only leader ("" unless exactly one leads and the others
# stand by).
roles()
{
	ROLES=""
	LEADER=""
	_nl=0
	_ns=0
	for _r in "$@"; do
		_p=$(team_poller "$_r")
		ROLES="$ROLES $_r=$_p"
		case $_p in
		leader)
			LEADER=$_r
			_nl=$((_nl + 1))
			;;
		standby) _ns=$((_ns + 1)) ;;
		esac
	done
	[ $_nl = 1 ] && [ $((_nl + _ns)) = $# ] || LEADER=""
	[ -n "$LEADER" ]
}

# events_asked NAME: GET /v1/events requests NAME's proxy has seen.
events_asked()
{
	grep -c ' GET /v1/events' "$D/proxy.$1.log"
}

wait_until 20 roles a b c || fail "not one leader and two standbys:$ROLES"
first=$LEADER
note "roles:$ROLES"
wait_until 30 pg_at_least 30 || fail "the leader stored little: $(pg_event_count) events"
# The leader is still the same one, and only it asked faxsim for events.
roles a b c || fail "the roles changed under traffic:$ROLES"
[ "$LEADER" = "$first" ] || fail "the leader moved from $first to $LEADER with no fault"
[ "$(events_asked "$first")" -gt 0 ] || fail "the leader $first never asked for /v1/events"
for n in a b c; do
	[ "$n" = "$first" ] && continue
	[ "$(events_asked $n)" = 0 ] || fail "the standby $n asked for /v1/events"
done
[ "$(pgq 'SELECT leader FROM poller')" = "ops@$first" ] ||
	fail "the poller table names $(pgq 'SELECT leader FROM poller'), not ops@$first"
epoch1=$(pgq 'SELECT epoch FROM poller')

# SIGKILL the leader.
eval "killed=\$${first}_PID"
kill -KILL "$killed"
wait "$killed" 2>/dev/null
t0=$(date +%s.%N)
at_kill=$(pg_event_count)
rest=""
for n in a b c; do
	[ "$n" = "$first" ] || rest="$rest $n"
done
# shellcheck disable=SC2086 # rest is two names
wait_until 20 roles $rest || fail "no instance took over within 20 s:$ROLES"
t1=$(date +%s.%N)
second=$LEADER
awk -v a="$t0" -v b="$t1" 'BEGIN { printf "# takeover: %.1f s after the SIGKILL\n", b - a }' >&2
for n in $rest; do
	[ "$n" = "$second" ] && continue
	standby=$n
done
[ "$(pgq 'SELECT leader FROM poller')" = "ops@$second" ] || fail "the poller table names" \
	"$(pgq 'SELECT leader FROM poller') after the takeover, not ops@$second"
[ "$(pgq 'SELECT epoch FROM poller')" -gt "$epoch1" ] || fail "the epoch did not move on"

# Catch-up completes: the store holds exactly faxsim's events.
caught_up()
{
	$H all-terminal "$SIM_ADDR" "$SIM_KEY" || return 1
	sim_ids "$D/sim.ids"
	pg_ids "$D/pg.ids"
	same_ids "$D/sim.ids" "$D/pg.ids"
}
if ! wait_until 60 caught_up; then
	note "faxsim has $(grep -c . "$D/sim.ids") events, the store $(grep -c . "$D/pg.ids");" \
		"$(missing_ids "$D/sim.ids" "$D/pg.ids") missing"
	fail "the catch-up did not complete after the takeover"
fi
[ "$(grep -c . "$D/pg.ids")" -gt "$at_kill" ] ||
	fail "nothing was stored after the kill: the takeover was not exercised"
[ "$(pgq 'SELECT count(*) - count(DISTINCT id) FROM events')" = 0 ] || fail "an id stored twice"
[ "$(events_asked "$second")" -gt 0 ] || fail "the new leader $second never asked for /v1/events"
# The standby that stayed a standby never polled.
[ "$(events_asked "$standby")" = 0 ] || fail "the standby $standby asked for /v1/events"
# The cursor lives in the database: the leader moves it to faxsim's last event.
last=$(python3 - "$top_srcdir/tests/integration" "$SIM_ADDR" "$SIM_KEY" <<'PYEOF'
import sys
sys.path.insert(0, sys.argv[1])
from faxtest import pages
print(pages(sys.argv[2], sys.argv[3], "/v1/events?per_page=100", "after")[-1]["id"])
PYEOF
)
wait_until 20 sh -c "[ \"\$(psql -qAt -c 'SELECT cursor FROM poller')\" = '$last' ]" ||
	fail "the stored cursor $(pgq 'SELECT cursor FROM poller') is not faxsim's last event $last"

# The two that remain saw every event, whoever stored it.
screens_full()
{
	for n in $rest; do
		eval "out_ids \"\$${n}_OUT\" \"\$D/\$n.ids\""
		same_ids "$D/$n.ids" "$D/pg.ids" || return 1
	done
}
wait_until 30 screens_full || fail "an instance did not print every stored event"
note "events: $(grep -c . "$D/pg.ids"), $at_kill of them stored when the leader $first was" \
	"killed; $second took over, $standby stood by"
exit 0
