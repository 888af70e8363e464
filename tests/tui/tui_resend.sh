#!/bin/sh
# Resubmission: the dialog for a failed fax, the in-flight marker, the new
# id in a flash and in the list, the second confirmation for a terminal
# code, the confirmation that names an earlier resend, an API failure with
# its message and action, and bulk resend.
. "${top_srcdir:-.}/tests/tui/lib.sh"

# Fake resends answer after 2 s, long enough to see them in flight.
tui_start LANG=C.UTF-8 -- "$FIXTURE" delay=2
wait_for "faxes 120"

# Only failed faxes: the newest fax is queued.
keys r
wait_for "only failed faxes can be resent"

# A retryable code: the dialog opens on the confirm button.
keys / "status:failed code:busy" Enter
wait_for "faxes 6 filter"
keys r
wait_for "resend fax_000116"
expect "error busy (retryable)"
expect "destination busy on every attempt"
expect "idempotency key: minted and stored before sending"
expect "estimated cost \$0.07 (1 page) of \$27.60 available"
keys Enter
wait_for "resending"               # the row shows it while in flight
wait_for "fax_000116 resent as fax_resent_1"
keys Escape
wait_for "fax_resent_1"

# A terminal code: the destination is focused, the same number needs a
# second Enter, and Esc returns to editing instead of sending.
keys / C-u "code:invalid_number" Enter
wait_for "filter: code:invalid_number"
keys r
wait_for "error invalid_number (terminal)"
keys Enter
wait_for "Enter again to resend to the SAME number"
keys Escape
wait_gone "Enter again to resend"
expect "error invalid_number (terminal)"
# An invalid number is refused locally.
keys C-u "12345" Enter
wait_for "destination must be E.164"
keys C-u "+14155550100" Enter
wait_for "resent as fax_resent_2"

# The API refuses: its message (sanitised) and suggested action are shown.
keys r
wait_for "error invalid_number (terminal)"
wait_for "already resent as fax_resent_2"
keys C-u "+15550000402" Enter
wait_for "Enter again to send ANOTHER fax"
keys Enter
wait_for "insufficient_balance"
expect "top_up_balance"
expect "Balance too low"

# Bulk: every failed fax in the filter, after a confirmation with counts.
keys / C-u "status:failed code:no_answer" Enter
wait_for "faxes 12 filter"
keys R
wait_for "Resend 12 failed faxes (in the current filter)?"
expect "estimated cost"
keys Escape
wait_for "bulk resend cancelled"
# Marked faxes only, when there are marks.
keys Space Space
wait_for "2 marked"
keys R
wait_for "Resend 2 failed faxes (marked)?"
keys Enter
wait_for "bulk resend finished: 2 resent, 0 failed" 15

# q while a resend is in flight asks first; n stays.
keys / C-u "status:failed code:busy" Enter
wait_for "faxes 6 filter"
keys r
wait_for "error busy (retryable)"
# fax_000116 was resent above: the dialog names that resend and asks again.
wait_for "already resent as fax_resent_1"
keys Enter
wait_for "Enter again to send ANOTHER fax"
keys Enter q
wait_for "on the way; their results will not be shown"
keys n
wait_gone "on the way; their results will not be shown"
wait_for "resent as fax_resent_5"

# q while nothing is in flight quits at once.
keys q
wait_for "EXITED 0"
expect "quit cleanly, 5 resends"
echo "PASS"
