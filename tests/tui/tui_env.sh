#!/bin/sh
# Terminal environments: NO_COLOR (no colour, statuses still readable by
# symbol and word), a non-UTF-8 locale (ASCII line drawing and symbols),
# hostile strings that never reach the terminal raw, read-only mode, a
# live environment, and config key bindings with a conflict.
. "${top_srcdir:-.}/tests/tui/lib.sh"

# ---- NO_COLOR ----
tui_start LANG=C.UTF-8 NO_COLOR=1 -- "$FIXTURE"
wait_for "faxes 120"
expect "✖"
expect " failed "
capture_e=$(tmux -L "$SOCK" capture-pane -p -e -t tui)
if printf '%s' "$capture_e" | grep -qE '\[([0-9;]*;)?(3[0-7]|9[0-7]|4[0-7]|10[0-7]|38;5;[0-9]+|48;5;[0-9]+)(;[0-9;]*)?m'; then
	fail "colour escape sequences with NO_COLOR set"
fi
keys q
wait_for "EXITED 0"

# ---- LANG=C: ASCII only ----
tui_start LANG=C LC_ALL=C -- "$FIXTURE"
wait_for "faxes 120"
expect "+- faxes 120"
expect "| x "
if capture | LC_ALL=C grep -q "$(printf '[\200-\377]')"; then
	fail "non-ASCII bytes on screen in the C locale"
fi
keys q
wait_for "EXITED 0"

# ---- hostile strings ----
tui_start LANG=C.UTF-8 -- "$FIXTURE"
wait_for "faxes 120"
keys / "id:fax_000107" Enter
wait_for "faxes 1 filter"
keys Enter
wait_for "faxes > fax_000107"
expect "note"
title=$(tmux -L "$SOCK" display -p -t tui '#{pane_title}')
case "$title" in *pwned*) fail "an OSC sequence retitled the terminal" ;; esac
[ -z "$(tmux -L "$SOCK" list-buffers)" ] || fail "an OSC 52 sequence reached the clipboard"
expect "attempts (3)"              # a clear-screen sequence would have wiped this
expect "$(printf '\357\277\275')"  # the placeholder stands in for the unsafe bytes
keys Escape Escape q
wait_for "EXITED 0"

# ---- read-only and a live key ----
tui_start LANG=C.UTF-8 -- "$FIXTURE" --read-only live
wait_for "faxes 120"
expect "READ-ONLY"
expect "LIVE: real faxes, real money"
expect_not "r:resend"
keys / "status:failed" Enter
wait_for "faxes 24"
keys r
wait_for "resend is unavailable: read-only mode"
keys '?'
wait_for "[unavailable: read-only mode"
keys Escape q
wait_for "EXITED 0"

# ---- --no-mouse: clicks are not taken ----
tui_start LANG=C.UTF-8 -- "$FIXTURE" --no-mouse
wait_for "─ attempts fax_000119"
tmux -L "$SOCK" send-keys -t tui -l "$(printf '\033[<0;6;9M\033[<0;6;9m')"
keys j
wait_for "─ attempts fax_000118"   # one down from the top: the click did nothing
keys q
wait_for "EXITED 0"

# ---- a broken theme file: file:line in the message, the default theme used ----
printf 'normal default default\nfax.failed redish\n' > "$TUI_TMP/broken.theme"
tui_start LANG=C.UTF-8 -- "$FIXTURE" --theme "$TUI_TMP/broken.theme"
wait_for "broken.theme:2: 'redish' is neither a colour nor an attribute"
expect "using the default theme"
expect "faxes 120"
keys q
wait_for "EXITED 0"

# ---- an 8-colour terminal: 256-colour roles degrade, colour stays ----
tui_start LANG=C.UTF-8 TERM=xterm -- "$FIXTURE"
wait_for "faxes 120"
capture_e=$(tmux -L "$SOCK" capture-pane -p -e -t tui)
if printf '%s' "$capture_e" | grep -qE '\[([0-9;]*;)?(38|48);5;'; then
	fail "256-colour sequences on an 8-colour terminal"
fi
printf '%s' "$capture_e" | grep -qE '\[([0-9;]*;)?3[0-7](;[0-9;]*)?m' || fail "no colour at all on an 8-colour terminal"
# grey (the dim role) would be bold black there, invisible on many
# terminals: it is drawn as normal text instead
if printf '%s' "$capture_e" | grep -qE '\[([0-9;]*;)?30(;[0-9;]*)?m'; then
	fail "black text on an 8-colour terminal"
fi
keys q
wait_for "EXITED 0"

# ---- high-contrast fills whole cells, not just behind the text ----
printf 'theme = high-contrast\n' >"$XDG_CONFIG_HOME/faxtop/config"
tui_start LANG=C.UTF-8 -- "$FIXTURE"
wait_for "faxes 120"
if tmux -L "$SOCK" capture-pane -p -e -t tui | grep -qE '\[([0-9;]*;)?49(;[0-9;]*)?m'; then
	fail "cells left on the terminal's default background with high-contrast"
fi
keys q
wait_for "EXITED 0"
rm -f "$XDG_CONFIG_HOME/faxtop/config"

# ---- bindings from the config file, with a conflict and a typo ----
cat > "$XDG_CONFIG_HOME/faxtop/config" <<CFG
bind x help
bind x quit
bind y teleport
bind Hyper-z quit
CFG
tui_start LANG=C.UTF-8 -- "$FIXTURE"
wait_for "faxes 120"
keys '?'
wait_for "help (Esc to close)"
wait_for "key x bound to quit conflicts with help"
expect "unknown action 'teleport'"
expect "unknown key 'Hyper-z'"
expect "Symbols:"
keys Escape
keys x
wait_for "EXITED 0"
echo "PASS"
