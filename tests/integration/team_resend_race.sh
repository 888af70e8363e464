#!/bin/sh
# Resend claims (team mode): failed faxes (faxsim's +15005550002, busy on
# every attempt) known to the shared store; two operators on two desks run
# `faxtop resend` on the same fax at the same moment. Exactly one fax is
# made at faxsim, the other resend exits 1 naming the winner ("being resent
# by ops@deskN since HH:MM"), and the resend_claims row names the winner.
# Then the winner tries again, from its desk and from another machine, and
# the loser too: still one fax.
. "${top_srcdir:-.}/tests/integration/team_lib.sh"
use_sim_credentials
ROUNDS=3

PORT=$(pg_free_port)
start_faxsim --seed 18 --speed 200 --webhook-url "http://127.0.0.1:$PORT/webhooks/mintfax"
team_start r --listen "127.0.0.1:$PORT" --api-base "$SIM_URL/v1"
team_wait_store r
faxes=""
for i in $(seq $ROUNDS); do
	id=$(submit_fax +15005550002 | jqs .id)
	expect_status 201 "submit a fax that will fail"
	faxes="$faxes $id"
done
# failed_in_store FAX: the shared store has the event of FAX's failure.
failed_in_store()
{
	[ "$(pgq "SELECT count(*) FROM events WHERE fax_id = '$1' AND type = 'fax.failed'")" = 1 ]
}
for f in $faxes; do
	wait_until 60 failed_in_store "$f" ||
		fail "$f has not failed in the shared store ($(fax_status "$f") at faxsim)"
done

# desk N FAX...: faxtop resend as ops@deskN, its own --db, its output in
# $D/deskN.out and .err. N with a letter after it (1x) is the same
# operator on another machine: another --db.
desk()
{
	_dn=$1
	shift
	"$FAXTOP" --store "$TEAM_STORE" --operator "ops@desk${_dn%[a-z]}" --db "$D/desk$_dn.db" \
		--api-base "$SIM_URL/v1" resend "$@" >"$D/desk$_dn.out" 2>"$D/desk$_dn.err"
}

# gated GO N FAX: desk N's resend, started once the file GO exists.
gated()
{
	while [ ! -e "$1" ]; do
		sleep 0.01
	done
	shift
	desk "$@"
}

resent()
{
	python3 "$top_srcdir/tests/integration/poller_helper.py" count-resent "$SIM_ADDR" \
		"$SIM_KEY" "$1" || fail "cannot count the resends of $1 at faxsim"
}

round=0
for f in $faxes; do
	round=$((round + 1))
	go=$D/go.$round
	gated "$go" 1 "$f" &
	p1=$!
	gated "$go" 2 "$f" &
	p2=$!
	track_pid $p1
	track_pid $p2
	touch "$go"
	wait $p1
	rc1=$?
	wait $p2
	rc2=$?
	case $rc1$rc2 in
	01) win=1 lose=2 ;;
	10) win=2 lose=1 ;;
	*)
		cat "$D/desk1.out" "$D/desk1.err" "$D/desk2.out" "$D/desk2.err" >&2
		fail "round $round: exit statuses $rc1 and $rc2, not one 0 and one 1"
		;;
	esac
	new=$(cat "$D/desk$win.out")
	case $new in
	fax_*) ;;
	*) fail "round $round: the winner printed '$new', not a fax id: $(cat "$D/desk$win.err")" ;;
	esac
	[ "$(resent "$f")" = 1 ] || fail "round $round: $(resent "$f") faxes resent from $f"
	[ "$(api GET "/v1/faxes/$new" | jqs .resent_from)" = "$f" ] ||
		fail "round $round: $new is not the resend of $f"
	cat "$D/desk$lose.out" "$D/desk$lose.err" >"$D/loser"
	grep -Eq "being resent by ops@desk$win since [0-2][0-9]:[0-5][0-9]" "$D/loser" ||
		{ cat "$D/loser" >&2; fail "round $round: the loser was not told who resends it"; }
	[ "$(pgq "SELECT who FROM resend_claims WHERE fax_id = '$f'")" = "ops@desk$win" ] ||
		fail "round $round: the claim does not name ops@desk$win"
	note "round $round: ops@desk$win made $new; desk$lose: $(grep -o 'being resent by.*' \
		"$D/loser" | head -n 1)"

	# The winner again, on its desk and on another machine (nothing in
	# its cache), then the loser again: no second fax.
	for d in $win ${win}x; do
		desk $d "$f"
		rc=$?
		if [ $rc = 0 ]; then
			[ "$(cat "$D/desk$d.out")" = "$new" ] ||
				fail "round $round: the winner's resend from desk$d printed" \
					"$(cat "$D/desk$d.out")"
		fi
		note "round $round: the winner again from desk$d: exit $rc:" \
			"$(head -n 1 "$D/desk$d.err")"
	done
	desk $lose "$f" && fail "round $round: the loser's second resend succeeded"
	[ "$(resent "$f")" = 1 ] || fail "round $round: a second resend made another fax"
done
exit 0
