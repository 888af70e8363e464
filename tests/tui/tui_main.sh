#!/bin/sh
# The main screen against the fixture: the list fills, Enter shows a fax's
# attempts and detail, a filter narrows the list, help opens from the live
# keymap, resize reflows, q quits and the terminal is restored.
. "${top_srcdir:-.}/tests/tui/lib.sh"

tui_start LANG=C.UTF-8 -- "$FIXTURE"
wait_for "faxes 120"
expect "fax_000119"
expect "fax_000100"
expect "✖"                         # status symbols in UTF-8
expect "─ attempts fax_000119"
expect "─ balance"
expect "─ error codes"
expect "─ events"
expect "[sandbox]"
expect "threshold.low"             # the balance fell through the local threshold
expect "\$27.60 LOW"
expect "REFUSED"                   # a refused signature in the event log
expect "↻ "                        # between attempts: derived "retrying"
expect " retrying "

# Attempts follow the selection (fax 117 failed three times with no_answer).
keys j j
wait_for "─ attempts fax_000117"
expect " 3  "
expect "no_answer"

# Enter: the detail screen with breadcrumbs, every field, the attempts
# table and the event history; J toggles the raw JSON; Esc goes back one
# level at a time.
keys Enter
wait_for "faxes > fax_000117"
expect "attempts (3)"
expect "event history"
expect "no pickup within the carrier ring timeout"
keys J
wait_for "raw JSON"
expect '"attempt_number": 3'
# Esc goes back one level: raw JSON, then the detail, then the list.
keys Escape
wait_gone "raw JSON"
expect "faxes > fax_000117"
expect "attempts (3)"
keys Escape
wait_for "─ faxes 120"

# A filter narrows the list (24 failed faxes: 12 no_answer, 6 busy, 6 invalid_number).
keys / "status:failed" Enter
wait_for "faxes 24 filter: status:failed"
if capture | grep -q " delivered "; then fail "a delivered fax survived status:failed"; fi
keys / C-u "status:failed code:busy" Enter
wait_for "faxes 6 filter: status:failed code:busy"
keys / C-u "status:retrying" Enter
wait_for "faxes 6 filter: status:retrying"
# fax 97 failed, then got a fax.delivered: kept failed, marked "!".
keys / C-u "status:anomaly" Enter
wait_for "faxes 1 filter: status:anomaly"
expect "fax_000097"
expect " failed! "
keys / C-u "tag:team=ops !code:busy" Enter
wait_for "filter: tag:team=ops !code:busy"
# A bad filter is refused with a message and the old one stays.
keys / C-u "colour:red" Enter
wait_for "unknown field 'colour'"
expect "filter: tag:team=ops !code:busy"
keys Escape
wait_for "─ faxes 120 "

# Help is generated from the keymap.
keys '?'
wait_for "help (Esc to close)"
expect "resend-bulk"
expect "Space"
keys Escape
wait_gone "help (Esc to close)"

# Resize: small windows drop the low-priority panes, nothing spills over.
tmux -L "$SOCK" resize-window -t tui -x 80 -y 24
wait_gone "─ events"
expect "─ faxes 120"
expect "─ attempts"
[ "$(capture | LC_ALL=C.UTF-8 wc -L)" -le 80 ] || fail "a line is wider than 80 columns"
tmux -L "$SOCK" resize-window -t tui -x 50 -y 12
wait_gone "─ attempts"
expect "─ faxes 120"
tmux -L "$SOCK" resize-window -t tui -x 20 -y 5
wait_for "too small"
tmux -L "$SOCK" resize-window -t tui -x 160 -y 48
wait_for "─ events"

# Mouse, as xterm reports it (SGR): a click selects the row under it, the
# wheel scrolls three rows.
keys g
wait_for "─ attempts fax_000119"
tmux -L "$SOCK" send-keys -t tui -l "$(printf '\033[<0;6;9M\033[<0;6;9m')"
wait_for "─ attempts fax_000115"
tmux -L "$SOCK" send-keys -t tui -l "$(printf '\033[<65;6;9M')"
wait_for "─ attempts fax_000112"

# q quits (nothing in flight, so no question) and the terminal comes back.
keys q
wait_for "EXITED 0"
expect "quit cleanly"
expect_not "─ faxes"
[ "$(tmux -L "$SOCK" display -p -t tui '#{alternate_on}')" = 0 ] || fail "still on the alternate screen"
echo "PASS"
