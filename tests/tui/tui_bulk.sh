#!/bin/sh
# Bulk resend you can control: faxes resent already or dismissed are
# skipped unless included; terminal codes can be left out; progress in the
# header; pause, resume and cancel by key; marks cleared on the faxes sent;
# the quit dialog says what becomes of the rest (send or drop).
. "${top_srcdir:-.}/tests/tui/lib.sh"

# bulk_then_quit DELAY: a bulk run of the 12 no_answer failures, then q in
# its middle: the dialog says how many are not sent yet.
bulk_then_quit() {
	tui_start LANG=C.UTF-8 -- "$FIXTURE" delay="$1"
	wait_for "faxes 120"
	keys / "status:failed code:no_answer" Enter
	wait_for "faxes 12 filter"
	keys R
	wait_for "Resend 12 failed faxes"
	keys Enter
	wait_for "bulk 0 of 12 sent"
	keys q
	wait_for "not sent yet."
}

# Fake resends answer after 3 s: long enough to pause a run in the middle.
tui_start LANG=C.UTF-8 -- "$FIXTURE" delay=3
wait_for "faxes 120"
keys / "status:failed code:no_answer" Enter
wait_for "faxes 12 filter"
# One resent already, one dismissed.
keys r
wait_for "resend fax_000117"
keys Enter
wait_for "fax_000117 resent as fax_resent_1" 15
keys j d "dup" Enter
wait_for "dismissed: dup"

# Marks: only the marked, and the marks of those sent are cleared.
keys j Space Space
wait_for "2 marked"
keys R
wait_for "Resend 2 failed faxes (marked)?"
keys Enter
wait_for "bulk resend finished: 2 resent, 0 failed" 30
wait_gone "2 marked"
expect_not "marked"

# The rest of the filter: those resent (3 now) and the dismissed one are
# skipped unless included.
keys R
wait_for "Resend 8 failed faxes (in the current filter)?"
expect "3 resent already, 1 dismissed: skipped (i: include them)"
keys i
wait_for "Resend 12 failed faxes"
expect "INCLUDED, another fax each"
keys i
wait_for "Resend 8 failed faxes"
keys Enter
wait_for "bulk 0 of 8 sent, 0 failed"
# Pause: nothing new starts, those on the way finish.
keys b
wait_for "bulk resend paused after"
wait_for ", PAUSED"
wait_gone "resending" 30
paused_at=$(capture | sed -n 's/.*bulk \([0-9]*\) of 8 sent.*/\1/p' | head -n1)
[ -n "$paused_at" ] && [ "$paused_at" -lt 8 ] || fail "the paused run sent everything: '$paused_at'"
keys b
wait_for "bulk resend resumed"
wait_re "bulk [0-9]+ of 8 sent, 0 failed$|bulk [0-9]+ of 8 sent, 0 failed " 30
# Cancel: the rest is dropped, the ones on the way are answered.
keys X
wait_for "bulk resend cancelled:" 30
wait_re "bulk resend cancelled: [0-9]+ resent, 0 failed, [1-9][0-9]* not sent" 30
keys q
wait_for "EXITED 0"

# Quitting in the middle: the dialog offers to send the rest or drop it.
bulk_then_quit 3
expect "s: send the remaining"
expect "d: drop them and quit"
keys d
wait_for "EXITED 0"
capture | grep -q "quit cleanly, 12 resends" && fail "the dropped ones were sent"

bulk_then_quit 1
keys s
wait_for "quitting once the remaining"
wait_for "EXITED 0" 60
expect "quit cleanly, 12 resends"
echo "PASS"
