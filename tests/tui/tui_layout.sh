#!/bin/sh
# The list has priority at every size: at 80x24, 100x30 and 160x48 the
# 26-character ids show whole (they differ only in the middle, so a cut id
# would look like its neighbours), the terminal marker † comes before the
# code, the footer keeps ?:help and q:quit, the attempts pane takes only
# the rows the selected fax needs, and a cut-off error-codes pane says how
# many codes it hides.
. "${top_srcdir:-.}/tests/tui/lib.sh"

ID119=fax_01J9XYZQ000119KH7B3R0WXA
ID106=fax_01J9XYZQ000106KH7B3R0WXA    # failed with invalid_number (terminal)

# row_has ID TEXT: the list row of that whole id shows TEXT too (the
# attempts pane's title also names the selected id).
row_has() {
	capture | grep -F "$1" | grep -qF -- "$2" || fail "no row with $1 and '$2'"
}

TUI_COLS=80 TUI_ROWS=24 tui_start LANG=C.UTF-8 -- "$FIXTURE" longids
wait_for "faxes 120"
row_has "$ID119" "+12125550119"
expect "?:help"
expect "q:quit"
# fax 119 has one attempt: its pane is 4 rows, and the list shows 14 rows
# instead of 10, down to fax 106, whose code keeps its marker.
expect "─ attempts $ID119"
row_has "$ID106" "†invalid"
[ "$(capture | LC_ALL=C.UTF-8 wc -L)" -le 80 ] || fail "a line is wider than 80 columns"
# Three attempts: the pane grows back and the list gives the rows up.
keys / "code:no_answer" Enter
wait_for "faxes 12 filter: code:no_answer"
wait_for " 3  "
expect "─ attempts fax_01J9XYZQ000117KH7B3R0WXA"
expect "no_answer"
keys / C-u "code:invalid_number" Enter
wait_for "faxes 6 filter: code:invalid_number"
row_has "$ID106" "†invalid"

for size in 100x30 160x48; do
	cols=${size%x*}
	rows=${size#*x}
	tmux -L "$SOCK" resize-window -t tui -x "$cols" -y "$rows"
	keys / C-u "code:invalid_number" Enter
	wait_for "faxes 6 filter: code:invalid_number"
	wait_for "$ID106"
	row_has "$ID106" "†invalid"
	wait_for "q:quit"                     # once any flash is gone
	expect "?:help"
	[ "$(capture | LC_ALL=C.UTF-8 wc -L)" -le "$cols" ] || fail "a line is wider than $cols columns"
	keys Escape
	wait_for "─ faxes 120 "
	wait_for "$ID119"
	row_has "$ID119" "+12125550119"
	row_has fax_01J9XYZQ000110KH7B3R0WXA "+12125550110"
done
# At 160 columns the list shows the attempt trail.
expect " trail "
expect "no_answe"

# A short wide window: the error-codes pane has room for one code of three
# and says so.
tmux -L "$SOCK" resize-window -t tui -x 160 -y 24
wait_for "+2 more"
expect "─ error codes"
echo "PASS"
