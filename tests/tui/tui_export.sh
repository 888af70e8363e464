#!/bin/sh
# :export can destroy nothing. Against `faxtop --demo` on its own database:
# the database and the files beside it are refused, so is a symbolic link
# and an existing file (until :export!); ~ is expanded; the file is mode
# 0600. Against the fixture, whose faxes carry escape sequences, BEL, C1
# controls, line breaks and invalid UTF-8: the CSV and the JSON hold none of
# those bytes.
. "${top_srcdir:-.}/tests/tui/lib.sh"

FAXTOP="$top_builddir/app/faxtop"
[ -x "$FAXTOP" ] || { echo "SKIP: $FAXTOP not built"; exit 77; }
DATA="$TUI_TMP/data"
OUT="$TUI_TMP/out"
mkdir -p "$DATA" "$OUT"
DB="$DATA/faxtop.db"

tui_start LANG=C.UTF-8 HOME="$OUT" XDG_DATA_HOME="$DATA" -- \
	"$FAXTOP" --demo --listen 127.0.0.1:0 --db "$DB"
wait_for "[demo]" 20
wait_re "─ faxes [1-9][0-9]* " 30

# The live store and its companions, by any spelling.
for target in "$DB" "$DB-wal" "$DB-shm" "$DB.lock" "$DATA/../data/faxtop.db"; do
	keys : C-u "export! csv $target" Enter
	wait_for "export refused: $target is faxtop's own database"
done
[ ! -e "$DB-journal" ] || fail "an export left a file beside the store"

# A symbolic link is never followed, even with !.
ln -s "$OUT/victim.csv" "$OUT/link.csv"
keys : "export! csv $OUT/link.csv" Enter
wait_for "symbolic link"
[ ! -e "$OUT/victim.csv" ] || fail "the export followed the link"

# A new file: written, mode 0600, complete (no temporary left beside it).
keys : C-u "export csv ~/first.csv" Enter
wait_re "exported [0-9]+ faxes to $OUT/first.csv"
[ "$(stat -c %a "$OUT/first.csv")" = 600 ] || fail "the export is not mode 0600"
head -n 1 "$OUT/first.csv" | grep -q '^id,created_at,updated_at,completed_at,status,' ||
	fail "the CSV header lacks updated_at and completed_at"
ls -A "$OUT" | grep -q '^\.' && fail "a temporary file was left: $(ls -A "$OUT")"

# An existing file: refused, then replaced by :export!.
echo "precious" > "$OUT/first.csv"
keys : C-u "export csv $OUT/first.csv" Enter
wait_for "exists: :export! overwrites it"
grep -q precious "$OUT/first.csv" || fail "an existing file was overwritten without !"
keys : C-u "export! csv $OUT/first.csv" Enter
wait_re "exported [0-9]+ faxes to $OUT/first.csv"
grep -q precious "$OUT/first.csv" && fail ":export! did not replace the file"
[ "$(stat -c %a "$OUT/first.csv")" = 600 ] || fail "the replaced export is not mode 0600"

# The store was never touched: still a database, and faxtop still healthy.
keys q
wait_re "EXITED 0|quit\?"
if ! capture | grep -q "EXITED"; then
	keys y
fi
wait_for "EXITED 0"
if command -v sqlite3 >/dev/null 2>&1; then
	[ "$(sqlite3 "$DB" 'PRAGMA quick_check;')" = ok ] || fail "the store is damaged"
fi

# Hostile strings from the network: nothing a terminal acts on gets into
# the files.
tui_start LANG=C.UTF-8 -- "$FIXTURE"
wait_for "faxes 120"
keys : C-u "export csv $OUT/fixture.csv" Enter
wait_for "exported 120 faxes"
keys : C-u "export json $OUT/fixture.json" Enter
wait_for "exported 120 faxes to $OUT/fixture.json"
for f in "$OUT/fixture.csv" "$OUT/fixture.json"; do
	# C0 controls but the newline, DEL, C1 (as UTF-8), bidi controls.
	if LC_ALL=C grep -q "$(printf '[\001-\011\013-\037\177]')" "$f"; then
		fail "$f holds a control character"
	fi
	if LC_ALL=C grep -q "$(printf '\302[\200-\237]')" "$f" ||
	   LC_ALL=C grep -q "$(printf '\342\200[\252-\256\250\251]')" "$f" ||
	   LC_ALL=C grep -q "$(printf '\342\201[\246-\251]')" "$f"; then
		fail "$f holds a C1 or bidi control"
	fi
	grep -q '\\u00' "$f" && fail "$f holds an escaped control character"
	grep -q 'fax_000119' "$f" || fail "$f lacks the newest fax"
done
keys q
wait_for "EXITED 0"
echo "PASS"
