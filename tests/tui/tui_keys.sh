#!/bin/sh
# Every key press is untrusted: a few thousand pseudo-random bytes (control
# characters, escape sequences, invalid UTF-8, bound keys) go into the TUI,
# which must still be alive, drawing, and able to quit cleanly. The
# sequence is seeded, so a failure can be replayed.
. "${top_srcdir:-.}/tests/tui/lib.sh"

SEED=${TUI_KEYS_SEED:-20261123}
# q stays out of reach so that the run is not cut short by a plain quit.
cat > "$XDG_CONFIG_HOME/faxtop/config" <<CFG
bind q none
bind F10 quit
CFG
tui_start LANG=C.UTF-8 -- "$FIXTURE" tick=0.5
wait_for "faxes 12"

awk -v seed="$SEED" 'BEGIN {
	srand(seed);
	for (chunk = 0; chunk < 60; chunk++) {
		line = "";
		for (i = 0; i < 48; i++) {
			r = rand();
			if (r < 0.5)
				b = 32 + int(rand() * 95);        # printable ASCII: most bindings
			else if (r < 0.7)
				b = int(rand() * 32);             # control characters, ESC
			else
				b = 128 + int(rand() * 128);      # high bytes, invalid UTF-8
			if (b == 3 || b == 26 || b == 28 || b == 19 || b == 17)
				b = 27;                           # no job-control signals
			line = line sprintf(" %02x", b);
		}
		print line;
	}
}' > "$TUI_TMP/keys.hex"
while read -r line; do
	# shellcheck disable=SC2086
	tmux -L "$SOCK" send-keys -t tui -H $line || fail "send-keys failed"
done < "$TUI_TMP/keys.hex"
capture | grep -q "EXITED" && fail "the TUI exited under random input (seed $SEED)"

# Close whatever is open (one Escape at a time, each answered before the
# next), then check it still draws and quits cleanly.
for n in 1 2 3 4 5 6 7 8; do
	keys Escape
	capture >/dev/null
done
capture | grep -q "EXITED" && fail "the TUI exited under random input (seed $SEED)"
wait_for "─ faxes "
keys F10
# Resends may be in flight: then a dialog asks first.
wait_re "EXITED|quit\?"
if ! capture | grep -q "EXITED"; then
	keys y
fi
wait_for "EXITED 0"
echo "PASS"
