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

capture() {
	tmux -L "$SOCK" capture-pane -p -t tui
}

keys() {
	tmux -L "$SOCK" send-keys -t tui "$@"
}

# wait_for TEXT [SECONDS]: until the screen shows TEXT (fixed string). The
# default bound, 30 s, is generous for sanitizer builds on a loaded machine;
# it only costs time when a test fails.
wait_for() {
	i=0
	limit=$(( ${2:-30} * 10 ))
	while [ $i -lt $limit ]; do
		if capture | grep -qF -- "$1"; then
			return 0
		fi
		sleep 0.1
		i=$((i + 1))
	done
	fail "timed out waiting for '$1'"
}

# wait_gone TEXT [SECONDS]: until the screen no longer shows TEXT.
wait_gone() {
	i=0
	limit=$(( ${2:-30} * 10 ))
	while [ $i -lt $limit ]; do
		if ! capture | grep -qF -- "$1"; then
			return 0
		fi
		sleep 0.1
		i=$((i + 1))
	done
	fail "timed out waiting for '$1' to go away"
}

expect() {
	capture | grep -qF -- "$1" || fail "expected '$1' on screen"
}

expect_not() {
	if capture | grep -qF -- "$1"; then
		fail "did not expect '$1' on screen"
	fi
}

# wait_re REGEX [SECONDS]: like wait_for, with an extended regular expression.
wait_re() {
	i=0
	limit=$(( ${2:-30} * 10 ))
	while [ $i -lt $limit ]; do
		if capture | grep -qE -- "$1"; then
			return 0
		fi
		sleep 0.1
		i=$((i + 1))
	done
	fail "timed out waiting for /$1/"
}
