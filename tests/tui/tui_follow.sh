#!/bin/sh
# Live updates: follow mode keeps the newest fax selected, p pauses and
# counts what arrives, p again catches up; sort and search work on the view.
. "${top_srcdir:-.}/tests/tui/lib.sh"

tui_start LANG=C.UTF-8 -- "$FIXTURE" faxes=30 tick=0.3
wait_for "faxes 3"
# Follow mode: the selection moves on to faxes that arrive (the fixture
# starts with fax_000000..fax_000029).
wait_re "─ attempts fax_0000([3-9][0-9])"
keys p
wait_for "PAUSED: "
wait_re "PAUSED: ([3-9]|[1-9][0-9]+) new"
# While paused, faxes keep arriving (the counter grows) but the list does
# not: wait until two more have arrived, then compare.
screen=$(capture)
count=$(printf '%s\n' "$screen" | sed -n 's/.*─ faxes \([0-9]*\).*/\1/p' | head -1)
pending=$(printf '%s\n' "$screen" | sed -n 's/.*PAUSED: \([0-9]*\) new.*/\1/p' | head -1)
[ -n "$count" ] && [ -n "$pending" ] || fail "no fax count or pause counter on screen"
wait_for "PAUSED: $((pending + 2)) new"
[ "$(capture | sed -n 's/.*─ faxes \([0-9]*\).*/\1/p' | head -1)" = "$count" ] ||
	fail "the list grew while paused"
keys p
wait_gone "PAUSED"
wait_for "following the newest faxes"

# Sort cycles through the columns; S reverses.
keys s
wait_for "sorted by updated"
keys s
wait_for "sorted by status"
keys S
wait_for "sorted by status, reversed"
keys : "sort created" Enter
wait_for "sorted by created"

# Search jumps between matches without narrowing the list.
keys f "code:invalid_number" Enter
wait_for "─ attempts fax_0000"
first=$(capture | sed -n 's/.*─ attempts \(fax_[0-9]*\).*/\1/p' | head -1)
keys n
wait_gone "─ attempts $first " || fail "n did not move to another match ($first)"

# :export writes the current view.
keys : "export csv $TUI_TMP/out.csv" Enter
wait_for "exported"
head -1 "$TUI_TMP/out.csv" | grep -q '^id,created_at,updated_at,completed_at,status' || fail "bad CSV header"
keys : "theme light" Enter
wait_for "theme light"
keys : "theme nope" Enter
wait_for "theme 'nope' not found"
keys q
wait_for "EXITED 0"
echo "PASS"
