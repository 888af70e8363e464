#!/bin/sh
# The triage views against the fixture with its resend chain to
# +13015550123: Enter on a code filters by it; the failures view shows the
# number that failed three times in a day and Enter filters to it; o and O
# walk between an original and its resends; y copies a fax id by OSC 52 (and
# refuses an id carrying an escape sequence); faxes unfinished past
# --stuck-after say "stuck"; the events pane shows a failure's code; the
# detail screen puts attempts before the rare fields; free text finds a tag
# as the list shows it.
. "${top_srcdir:-.}/tests/tui/lib.sh"

tui_start LANG=C.UTF-8 -- "$FIXTURE" triage --stuck-after 300
wait_for "faxes 123"
# tmux keeps what an application copies with OSC 52 as a paste buffer.
tmux -L "$SOCK" set-option -g set-clipboard on

# Help lists the new actions with their keys.
keys '?'
wait_for "help (Esc to close)"
expect "copy-id"
expect "next-resend"
expect "failures"
keys Escape
wait_gone "help (Esc to close)"

# Enter on a code in the error-codes pane: Tab to it (list, attempts,
# balance, codes), down to busy (no_answer 13, busy 8, invalid_number 6).
keys Tab Tab Tab j Enter
wait_for "faxes 8 filter: code:busy"
expect "fax_chain_r2"
expect_not "faxes > "
keys Escape
wait_for "─ faxes 123 "

# The failures view: the repeat number first, flagged.
keys F
wait_for "failures: "
expect "+13015550123"
capture | grep -F "+13015550123" | grep -qF "failed 3 times in 24h" ||
	fail "the repeat number is not flagged"
expect "by code"
# Two of the failed numbers carry escape sequences (a title change, a C1
# CSI): drawn as placeholders, they reach neither the title nor a buffer.
expect "+12125550107"
[ "$(tmux -L "$SOCK" display -p -t tui '#{pane_title}')" != "pwned" ] || fail "a number retitled the pane"
[ -z "$(tmux -L "$SOCK" list-buffers 2>/dev/null)" ] || fail "something reached the clipboard"
keys Enter
wait_for "faxes 3 filter: status:failed to:+13015550123"
keys Escape
wait_for "─ faxes 123 "
# The same view from the command line; Esc goes back to the list.
keys : "failures" Enter
wait_for "by destination"
keys Escape
wait_for "─ faxes 123 "

# o and O: from a resend to its original and along the resends.
keys / "id:fax_chain" Enter
wait_for "faxes 3 filter: id:fax_chain"
keys Enter
wait_for "faxes > fax_chain_r2"
expect "resent from fax_chain_orig"
keys o
wait_for "faxes > fax_chain_orig"
expect "resends of this fax"
keys O
wait_for "faxes > fax_chain_r1"
keys O
wait_for "faxes > fax_chain_r2"
keys O
wait_for "the last fax of this resend chain"
expect "faxes > fax_chain_r2"
keys o
wait_for "faxes > fax_chain_orig"
keys o
wait_for "this fax is an original"

# y: the id goes to the clipboard (tmux's buffer) and shows in full.
keys y
wait_for "fax_chain_orig copied (OSC 52 clipboard)"
i=0
until [ "$(tmux -L "$SOCK" show-buffer 2>/dev/null)" = "fax_chain_orig" ]; do
	i=$((i + 1))
	[ $i -lt 100 ] || fail "the clipboard holds '$(tmux -L "$SOCK" show-buffer 2>/dev/null)'"
	sleep 0.1
done
keys Escape
wait_for "─ faxes 3 filter: id:fax_chain"

# An id carrying an OSC 52 sequence of its own (fixture fax 56) is not
# copied: the clipboard keeps the last good id.
keys / C-u "id:fax_000056" Enter
wait_for "faxes 1 filter: id:fax_000056"
keys y
wait_for "not copied, it holds characters a fax id cannot have"
[ "$(tmux -L "$SOCK" show-buffer)" = "fax_chain_orig" ] || fail "a hostile id reached the clipboard"

# Stuck: in progress for more than 300 s (fax 8 is ~14 min old, fax 118
# about a minute).
keys / C-u "status:in_progress" Enter
wait_for "faxes 12 filter: status:in_progress"
wait_for "stuck "
capture | grep -F "fax_000008 " | grep -qF "stuck" || fail "fax 8 is not marked stuck"
if capture | grep -F "fax_000118 " | grep -qF "stuck"; then fail "fax 118 is marked stuck"; fi

# The events pane names the code of a fax.failed.
wait_re "fax\.failed +no_answer +fax_000117"

# The detail screen: the trail, and attempts before the rare fields.
keys / C-u "id:fax_000117" Enter
wait_for "faxes 1 filter: id:fax_000117"
keys Enter
wait_for "faxes > fax_000117"
expect "no_answer›no_answer›no_answer"
att=$(capture | grep -n "attempts (3)" | cut -d: -f1)
csid=$(capture | grep -n "│csid " | cut -d: -f1)
[ -n "$att" ] && [ -n "$csid" ] && [ "$att" -lt "$csid" ] ||
	fail "attempts (line $att) do not come before csid (line $csid)"
keys Escape
wait_for "─ faxes 1 "

# Free text matches a tag as the list shows it.
keys / C-u "team=legal" Enter
wait_for "faxes 40 filter: team=legal"

keys q
wait_for "EXITED 0"

# A terminal whose terminfo has no Ms (screen): no OSC 52, the id still
# shows whole in the flash, and nothing reaches the clipboard.
tui_start LANG=C.UTF-8 TERM=screen -- "$FIXTURE" triage
wait_for "faxes 123"
tmux -L "$SOCK" set-option -g set-clipboard on
keys y
wait_for "fax_000119 (this terminal takes no OSC 52: copy it from here)"
[ -z "$(tmux -L "$SOCK" list-buffers 2>/dev/null)" ] || fail "OSC 52 sent to a terminal without Ms"
keys q
wait_for "EXITED 0"
echo "PASS"
