#!/bin/sh
# The dialogs are modes with their own keys: a config `bind` line rebinds a
# dialog's key without touching the list's, the dialog's last line names
# the keys in use, and help lists every dialog's keys.
. "${top_srcdir:-.}/tests/tui/lib.sh"

# x closes the bulk dialog; in the list, x is still unbound (no conflict).
cat > "$XDG_CONFIG_HOME/faxtop/config" <<CFG
bind x bulk.cancel
bind Z resend.next-field
CFG
tui_start LANG=C.UTF-8 -- "$FIXTURE"
wait_for "faxes 120"
expect_not "conflicts"
keys / "status:failed code:no_answer" Enter
wait_for "faxes 12 filter"
keys R
wait_for "Resend 12 failed faxes"
expect "Esc/n/x: cancel"
keys x
wait_for "bulk resend cancelled"
expect_not "Resend 12 failed faxes"

# The resend dialog: Z moves between its fields like Tab.
keys r
wait_for "Tab/Down/Z: next field"
keys Escape
wait_for "resend cancelled"

# Help lists the dialogs' keys under their mode, rebinding included.
keys '?'
wait_for "help (Esc to close)"
keys G                          # end (tmux sends End in its own terminal's form)
wait_for "In the bulk resend dialog"
expect "In the quit dialog"
capture | grep -q "Esc, n, x *bulk.cancel" || fail "help does not list x for bulk.cancel"
keys Escape
wait_for "─ faxes "
keys q
wait_for "EXITED 0"
echo "PASS"
