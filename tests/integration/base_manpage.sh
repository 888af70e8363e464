#!/bin/sh
# docs/faxtop.1 must be what tools/mkman makes from the option table today.
# Regenerate it with: make update-man
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"

mkman="$top_builddir/tools/mkman"
page="$top_srcdir/docs/faxtop.1"
[ -x "$mkman" ] || { echo "FAIL: $mkman not built (make check builds it)" >&2; exit 99; }
out=$(mktemp "${TMPDIR:-/tmp}/faxtop-man.XXXXXX") || exit 99
trap 'rm -f "$out"' EXIT

"$mkman" >"$out" || { echo "FAIL: $mkman failed" >&2; exit 1; }
if ! diff -u "$page" "$out" >&2; then
	echo "FAIL: docs/faxtop.1 is out of date with the option table in core/base/options.h;" >&2
	echo "      regenerate it with: make update-man   (then commit docs/faxtop.1)" >&2
	exit 1
fi
# Groff must read it without complaint, when groff is there.
if command -v groff >/dev/null 2>&1; then
	warn=$(groff -man -Tutf8 -ww -z "$page" 2>&1)
	[ -z "$warn" ] || { echo "FAIL: groff warns: $warn" >&2; exit 1; }
fi
exit 0
