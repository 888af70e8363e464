#!/bin/sh
# Two dashboards of one team (the real faxtop in two tmux sessions) on one
# throwaway PostgreSQL store, against faxsim:
#  - a fax that failed shows on both, whichever of them caught up, and the
#    other one's header says its poller stands by;
#  - a dismissal on desk A shows on desk B at once, naming ops@deskA, and
#    its undoing too;
#  - the shared store stops: both show the banner with no key pressed (and
#    a webhook is answered 503); it comes back: the banner goes by itself.
. "${top_srcdir:-.}/tests/integration/fault_lib.sh"
. "${top_srcdir:-.}/tests/integration/pg_lib.sh"
. "${top_srcdir:-.}/tests/tui/lib.sh"
trap 'rc=$?; tui_cleanup; fax_cleanup; exit $rc' EXIT
trap 'exit 1' INT TERM HUP
FAXTOP="$top_builddir/app/faxtop"
"$FAXTOP" --help | grep -q -- "--store" || skip "faxtop has no --store"
D=$(fax_tmpdir)
pg_start
start_faxsim --seed 5 --speed 200
f1=$(submit_fax +15005550002 | jqs .id)
wait_until 60 fax_is "$f1" failed || fail "$f1 did not fail"

# desk NAME: a dashboard of the team in a tmux session of its own.
desk() {
	SOCK=none
	tui_start LANG=C.UTF-8 MINTFAX_API_KEY=$SIM_KEY MINTFAX_WEBHOOK_SECRET=$SIM_SECRET \
		PGHOST=$PGHOST PGPORT=$PGPORT PGUSER=$PGUSER PGDATABASE=$PGDATABASE \
		PGPASSFILE=$PGPASSFILE -- \
		"$FAXTOP" --store postgresql:// --operator "ops@$1" --db "$D/$1.db" \
		--api-base "$SIM_URL/v1" --listen 127.0.0.1:0 --ready-file "$D/$1.ready" \
		--poll-interval 1
}
desk deskA
A=$SOCK
desk deskB
B=$SOCK

for s in $A $B; do
	SOCK=$s
	wait_for "$f1" 60
	keys / "status:failed" Enter
	wait_for "faxes 1 filter: status:failed"
done

# One of them catches up; the other says it stands by.
i=0
while :; do
	n=0
	for s in $A $B; do
		SOCK=$s
		capture | grep -q "poller standby" && n=$((n + 1))
	done
	[ $n = 1 ] && break
	[ $i -lt 100 ] || fail "$n desks say 'poller standby', not one"
	sleep 0.2
	i=$((i + 1))
done

SOCK=$A
keys d
wait_for "dismiss, note (optional):"
keys "wrong number" Enter
wait_for "$f1 dismissed: wrong number"
SOCK=$B
wait_for "dismissed" 20
keys Enter
wait_re "dismissed +by ops@deskA at [0-9-]+ [0-9:]+: wrong number"
keys Escape
SOCK=$A
keys D
wait_for "$f1 is no longer dismissed"
SOCK=$B
wait_gone "dismissed" 20

# The store goes away: the banner on both, with no key pressed, and the
# webhook listener refuses to take what it cannot store.
pg_run "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || fail "cannot stop"
for s in $A $B; do
	SOCK=$s
	wait_for "shared store unreachable" 20
done
FAXTOP_ADDR=$(head -n1 "$D/deskA.ready")
code=$(probe 1)
[ "$code" = 503 ] || fail "a webhook with the store down was answered $code, not 503"
grep -q store_unavailable "$D/probe.body" || fail "the 503 does not say store_unavailable"
pg_run "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w start >/dev/null 2>&1 ||
	fail "cannot start again"
for s in $A $B; do
	SOCK=$s
	wait_gone "shared store unreachable" 40
done
# Taken again, and on the other desk too.
i=0
until [ "$(probe 2)" = 204 ]; do
	[ $i -lt 60 ] || fail "no 204 once the store is back"
	sleep 0.5
	i=$((i + 1))
done
SOCK=$B
keys / C-u Enter
wait_for "fax_faultprobe_2" 20
for s in $A $B; do
	SOCK=$s
	keys q
	wait_for "EXITED 0"
done
echo PASS
