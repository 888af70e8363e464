#!/bin/sh
# Replays every seed corpus through its fuzz target (see tests/fuzz/fuzz.mk):
# each corpus file, and every crash reproducer saved there, must run clean.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"

rc=0
ran=0
for dir in "$top_srcdir"/tests/fuzz/corpus/*/; do
	name=$(basename "$dir")
	bin="$top_builddir/tests/fuzz/fuzz_$name"
	if [ ! -x "$bin" ]; then
		# Targets join the build as the modules they test land.
		echo "# no target built for corpus $name: skipped" >&2
		continue
	fi
	# -runs=0 makes a libFuzzer binary replay too; the standalone driver
	# ignores options.
	if ! "$bin" -runs=0 "$dir" >"fuzz_replay_$name.log" 2>&1; then
		tail -n 40 "fuzz_replay_$name.log" >&2
		echo "FAIL: $name corpus" >&2
		rc=1
	else
		tail -n 1 "fuzz_replay_$name.log" >&2
		ran=$((ran + 1))
	fi
	rm -f "fuzz_replay_$name.log"
done
[ $ran -gt 0 ] || { echo "FAIL: no corpus replayed" >&2; exit 1; }
exit $rc
