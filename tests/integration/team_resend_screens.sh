#!/bin/sh
# Two dashboards of one team (the real faxtop in two tmux sessions) on one
# PostgreSQL store press resend on the same failed fax at the same moment:
# exactly one fax is made at faxsim, the winner's screen says so, the
# loser's names the winner ("being resent by ops@deskN since HH:MM") and
# says nothing was sent, and the detail of the fax on both desks names who
# resent it.
. "${top_srcdir:-.}/tests/integration/team_lib.sh"
. "$top_srcdir/tests/tui/lib.sh"
trap 'rc=$?; tui_cleanup; pg_stop; fax_cleanup; exit $rc' EXIT
trap 'exit 1' INT TERM HUP
use_sim_credentials

start_faxsim --seed 18 --speed 200
f=$(submit_fax +15005550002 | jqs .id)
expect_status 201 "submit a fax that will fail"
wait_until 60 fax_is "$f" failed || fail "$f did not fail"

# desk NAME: a dashboard as ops@NAME in a tmux session of its own; SOCK is
# its session.
desk()
{
	SOCK=none
	# shellcheck disable=SC2046 # pg_env's words
	tui_start LANG=C.UTF-8 MINTFAX_API_KEY=$SIM_KEY MINTFAX_WEBHOOK_SECRET=$SIM_SECRET \
		$(pg_env) -- "$FAXTOP" --store "$TEAM_STORE" --operator "ops@$1" --db "$D/$1.db" \
		--api-base "$SIM_URL/v1" --listen 127.0.0.1:0 --poll-interval 1
}
# Both desks on the failed fax, with its resend dialog open.
for n in A B; do
	desk desk$n
	eval "$n=\$SOCK"
	wait_for "$f" 60
	keys / "$f" Enter
	wait_for "faxes 1 filter: $f"
	keys r
	wait_for "resend $f"
done
# Enter on both desks at once.
tmux -L "$A" send-keys -t tui Enter &
ka=$!
tmux -L "$B" send-keys -t tui Enter &
kb=$!
wait $ka
wait $kb

# capture_of SOCK: that desk's settled screen.
capture_of()
{
	SOCK=$1
	capture
}

# outcome: sets WIN and LOSE (the sockets) and WHO (the winner's operator)
# once one screen says the fax was resent and the other that it was not.
outcome()
{
	capture_of "$A" >"$D/screen.A"
	capture_of "$B" >"$D/screen.B"
	if grep -qF "$f resent as fax_" "$D/screen.A" &&
		grep -qF "resend of $f refused, nothing was sent" "$D/screen.B"; then
		WIN=$A LOSE=$B WHO=ops@deskA LOSER_SCREEN=$D/screen.B
	elif grep -qF "$f resent as fax_" "$D/screen.B" &&
		grep -qF "resend of $f refused, nothing was sent" "$D/screen.A"; then
		WIN=$B LOSE=$A WHO=ops@deskB LOSER_SCREEN=$D/screen.A
	else
		return 1
	fi
}
if ! wait_until 30 outcome; then
	note "desk A: $(grep -F "$f" "$D/screen.A" | tail -n 1)"
	note "desk B: $(grep -F "$f" "$D/screen.B" | tail -n 1)"
	fail "not one desk resent $f and the other refused"
fi
grep -Eq "being resent by $WHO since [0-2][0-9]:[0-5][0-9]" "$LOSER_SCREEN" ||
	{ cat "$LOSER_SCREEN" >&2; fail "the loser's screen does not name $WHO"; }
n=$(python3 "$top_srcdir/tests/integration/poller_helper.py" count-resent "$SIM_ADDR" \
	"$SIM_KEY" "$f") || fail "cannot count the resends at faxsim"
[ "$n" = 1 ] || fail "$n faxes resent from $f"
note "$WHO resent $f; the other desk: $(grep -o 'being resent by [^ ]* since [0-9:]*' \
	"$LOSER_SCREEN" | head -n 1)"

# The failed fax's detail names who resent it, on both desks.
for s in $WIN $LOSE; do
	SOCK=$s
	keys Escape / C-u "$f" Enter
	wait_for "faxes 1 filter" 30
	keys Enter
	wait_re "id +$f " 10
	wait_re "resent +by $WHO at [0-9-]+ [0-9:]+" 30
	keys Escape
done
for s in $A $B; do
	SOCK=$s
	keys q
	wait_for "EXITED 0"
done
exit 0
