#!/bin/sh
# Triage in the list: each failed row carries its state, the header counts
# the unresolved ones, state: filters, d dismisses with a note and D undoes
# it, U jumps to the next unresolved failure, a resend moves the case to
# resending and then resent; dismiss is absent in --read-only.
. "${top_srcdir:-.}/tests/tui/lib.sh"

tui_start LANG=C.UTF-8 -- "$FIXTURE" delay=2
wait_for "failed 24 · unresolved 24"
keys / "state:unresolved" Enter
wait_for "faxes 24 filter: state:unresolved"
expect "failed ?"

# Dismiss the selected failure with a note; it leaves the unresolved set.
keys / C-u "status:failed code:busy" Enter
wait_for "faxes 6 filter"
keys d
wait_for "dismiss, note (optional):"
keys "number retired" Enter
wait_for "fax_000116 dismissed: number retired (D undoes it)"
wait_for "failed 24 · unresolved 23"
expect "dismissed"
keys / C-u "state:dismissed" Enter
wait_for "faxes 1 filter: state:dismissed"
expect "fax_000116"
# The detail names who dismissed it, when, and the note.
keys Enter
wait_re "dismissed +by ops@fixture at [0-9-]+ [0-9:]+: number retired"
expect "case             dismissed"
keys Escape
wait_gone "by ops@fixture"
# A second d names it as done already; D undoes.
keys d
wait_for "fax_000116 is dismissed already: number retired (D undoes it)"
keys D
wait_for "fax_000116 is no longer dismissed"
wait_for "failed 24 · unresolved 24"
keys / C-u "state:dismissed" Enter
wait_for "faxes 0 filter: state:dismissed"

# U jumps to the next unresolved failure (the list is newest first; the
# newest fax is queued, so the jump lands on the newest failure).
keys / C-u Enter
wait_for "faxes 120 "
keys U
wait_for "attempts fax_000117"
keys U
wait_for "attempts fax_000116"

# A resend: resending while in flight, then resent with the new fax's own
# status and time; the case leaves the unresolved set.
keys r
wait_for "resend fax_000116"
keys Enter
wait_for "unresolved 23"
keys / "state:resending" Enter
wait_for "faxes 1 filter: state:resending"
wait_for "fax_000116 resent as fax_resent_1" 15
keys / C-u "state:resent" Enter
wait_for "faxes 1 filter: state:resent"
wait_re "fax_000116 +\+12125550116 +→○ [0-9][0-9]:[0-9][0-9]"
expect "unresolved 23"
# state: needs a known state.
keys / C-u "state:bogus" Enter
wait_for "state:bogus: unknown state"
keys Escape
keys q
wait_for "EXITED 0"

# Rebindable and in the help; read-only: dismiss and undo are refused with
# the reason.
printf 'bind x dismiss\n' >"$XDG_CONFIG_HOME/faxtop/config"
tui_start LANG=C.UTF-8 -- "$FIXTURE" --read-only
wait_for "unresolved 24"
keys ?
wait_for "next-unresolved"
expect "d, x"
keys Escape
keys / "status:failed" Enter
wait_for "faxes 24 filter"
keys x
wait_for "dismiss is unavailable: read-only"
keys D
wait_for "undismiss is unavailable: read-only"
keys q
wait_for "EXITED 0"
echo "PASS"
