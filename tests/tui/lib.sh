# Shared helpers for the tmux screen tests. Each test sources this file,
# calls tui_start with a command, drives it with keys and checks captures.
# Every wait is bounded; the tmux server (own socket) dies in a trap.

: "${top_builddir:=.}"
: "${top_srcdir:=.}"
FIXTURE="$top_builddir/tests/tui/tui_fixture"

if ! command -v tmux >/dev/null 2>&1; then
	echo "SKIP: tmux not installed"
	exit 77
fi
if [ ! -x "$FIXTURE" ]; then
	echo "SKIP: $FIXTURE not built"
	exit 77
fi

SOCK_BASE="faxtop-tui-$$-$(basename "$0" .sh)"
SOCK="$SOCK_BASE-0"
SOCK_N=0
TUI_TMP=$(mktemp -d "${TMPDIR:-/tmp}/faxtop-tui.XXXXXX")
mkdir -p "$TUI_TMP/config/faxtop"
export XDG_CONFIG_HOME="$TUI_TMP/config"

tui_cleanup() {
	n=0
	while [ $n -le $SOCK_N ]; do
		tmux -L "$SOCK_BASE-$n" kill-server >/dev/null 2>&1
		n=$((n + 1))
	done
	rm -rf "$TUI_TMP"
}
trap tui_cleanup EXIT INT TERM

fail() {
	echo "FAIL: $*"
	echo "---- screen ----"
	tmux -L "$SOCK" capture-pane -p -t tui 2>/dev/null
	echo "----------------"
	exit 1
}

# tui_start [ENV=VALUE...] -- COMMAND...  (160x48 unless TUI_COLS/TUI_ROWS)
# Each start gets a fresh tmux server, so phases of a test never race.
tui_start() {
	tmux -L "$SOCK" kill-server >/dev/null 2>&1
	SOCK_N=$((SOCK_N + 1))
	SOCK="$SOCK_BASE-$SOCK_N"
	envs=""
	while [ $# -gt 0 ] && [ "$1" != "--" ]; do
		envs="$envs $1"
		shift
	done
	shift
	# tmux sets TERM itself, so the environment goes through env(1). The
	# command runs in a shell that reports how it ended, then waits so the
	# final screen (the restored terminal) can be captured.
	tmux -L "$SOCK" -f /dev/null new-session -d -s tui -x "${TUI_COLS:-160}" -y "${TUI_ROWS:-48}" \
		"env XDG_CONFIG_HOME='$XDG_CONFIG_HOME' TERM=xterm-256color $envs $* ; echo \"EXITED \$?\"; sleep 60" ||
		fail "tmux did not start"
}

# snap: the pane as tmux holds it at this instant. A frame reaches tmux in
# several writes (a resize even starts with a clear), so a snap can fall in
# the middle of one: half the old frame, half the new, or a blank screen.
snap() {
	tmux -L "$SOCK" capture-pane -p -t tui
}

# capture: a settled screen, never one read mid-frame: snaps 50 ms apart
# until two in a row agree (bounded at 5 s; a screen that never settles,
# such as a clock ticking faster than that, gives the last snap).
capture() {
	_prev=$(snap)
	_n=0
	while [ $_n -lt 100 ]; do
		sleep 0.05
		_cur=$(snap)
		[ "$_cur" = "$_prev" ] && break
		_prev=$_cur
		_n=$((_n + 1))
	done
	printf '%s\n' "$_prev"
}

keys() {
	tmux -L "$SOCK" send-keys -t tui "$@"
}

# screen_until match|gone -F|-E PATTERN SECONDS: polls settled screens
# until grep finds PATTERN (match) or no longer finds it (gone), within a
# wall-clock deadline. 0 when that happened, 1 on time-out.
screen_until() {
	_deadline=$(( $(date +%s) + $4 ))
	while :; do
		if capture | grep -q "$2" -- "$3"; then
			[ "$1" = match ] && return 0
		else
			[ "$1" = gone ] && return 0
		fi
		[ "$(date +%s)" -lt "$_deadline" ] || return 1
		sleep 0.1
	done
}

# wait_for TEXT [SECONDS]: until the screen shows TEXT (fixed string). The
# default bound, 30 s, is generous for sanitizer builds on a loaded machine;
# it only costs time when a test fails.
wait_for() {
	screen_until match -F "$1" "${2:-30}" ||
		fail "expected '$1' on screen (waited ${2:-30} s)"
}

# wait_gone TEXT [SECONDS]: until the screen no longer shows TEXT.
wait_gone() {
	screen_until gone -F "$1" "${2:-30}" ||
		fail "timed out waiting for '$1' to go away"
}

# wait_re REGEX [SECONDS]: like wait_for, with an extended regular expression.
wait_re() {
	screen_until match -E "$1" "${2:-30}" || fail "timed out waiting for /$1/"
}

# wait_file FILE: until it exists and is not empty (10 s); 0 or 1, for
# the caller to say what did not start.
wait_file() {
	i=0
	while [ $i -lt 100 ] && [ ! -s "$1" ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ -s "$1" ]
}

# expect TEXT: TEXT is on the screen now or within a frame or two. A check
# made right after a wait can meet a frame still being written, so it
# waits for the state (5 s at most) instead of judging one snapshot.
expect() {
	wait_for "$1" 5
}

expect_not() {
	if capture | grep -qF -- "$1"; then
		fail "did not expect '$1' on screen"
	fi
}

# expect_restored WHAT: the pane's terminal is usable again after WHAT: the
# alternate screen left, the cursor shown.
expect_restored() {
	[ "$(tmux -L "$SOCK" display -p -t tui '#{alternate_on}')" = 0 ] ||
		fail "$1 left the alternate screen on"
	[ "$(tmux -L "$SOCK" display -p -t tui '#{cursor_flag}')" = 1 ] ||
		fail "$1 left the cursor hidden"
}
