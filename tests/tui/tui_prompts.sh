#!/bin/sh
# Prompts and hints: a pre-filled filter is replaced by the first typed
# character, Up recalls earlier filters, Tab completes field names,
# statuses and commands, a search says "n of m" (or that nothing matches),
# and the footer's hints follow the focused pane.
. "${top_srcdir:-.}/tests/tui/lib.sh"

tui_start LANG=C.UTF-8 -- "$FIXTURE"
wait_for "faxes 120"

# Pre-filled text is replaced, not appended to.
keys / "status:failed" Enter
wait_for "faxes 24 filter: status:failed"
keys /
wait_for "filter: status:failed"
keys "code:busy" Enter
wait_for "filter: code:busy"
expect_not "status:failedcode"

# Up recalls the earlier filters.
keys / Up Up Enter
wait_for "faxes 24 filter: status:failed"

# Tab completes a field name and a status.
keys / C-u "!cod" Tab
wait_for "filter: !code:"
keys C-u "status:fa" Tab Enter
wait_for "faxes 24 filter: status:failed"
keys / C-u "sta" Tab "de" Tab Enter
wait_for "filter: status:delivered"
# ... and commands and their words.
keys : "so" Tab "cr" Tab Enter
wait_for "sorted by created"
keys Escape
wait_for "filter cleared"

# A search says where the match stands, and when nothing matches.
keys f "status:failed" Enter
wait_re "match 1 of [0-9]+ for 'status:failed'"
keys n
wait_re "match 2 of [0-9]+ for 'status:failed'"
keys f C-u "to:+999999" Enter
wait_for "no fax in view matches 'to:+999999'"

# The footer's hints follow the focused pane (once the message is gone).
keys Escape
wait_for "resend-bulk"
keys Tab
wait_for "next-pane"
expect_not "resend-bulk"
keys BTab
wait_for "resend-bulk"
keys q
wait_for "EXITED 0"
echo "PASS"
