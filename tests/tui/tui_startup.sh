#!/bin/sh
# A large store is drawn before it is all read: the first frame holds the
# newest faxes, the header says the store is being read, the rest follows
# in chunks, and only then do the listener (ready file) and the poller
# start; a webhook sent after that is taken in as usual.
. "${top_srcdir:-.}/tests/tui/lib.sh"

FAXTOP="$top_builddir/app/faxtop"
LC="$top_srcdir/tests/integration/listener_client.py"
SECRET=whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw
N=60000
command -v sqlite3 >/dev/null 2>&1 || { echo "SKIP: sqlite3 (the command) is needed"; exit 77; }
command -v python3 >/dev/null 2>&1 || { echo "SKIP: python3 is needed"; exit 77; }
unset MINTFAX_API_KEY MINTFAX_API_BASE
DB="$TUI_TMP/data/faxtop.db"
mkdir -p "$TUI_TMP/data"

# One real fax through the listener, then cloned into N with SQL.
MINTFAX_WEBHOOK_SECRET=$SECRET "$FAXTOP" --headless --db "$DB" --listen 127.0.0.1:0 \
	--ready-file "$TUI_TMP/ready0" >"$TUI_TMP/seed.out" 2>&1 &
pid=$!
wait_file "$TUI_TMP/ready0" || fail "faxtop --headless did not become ready"
python3 "$LC" event evt_seed fax.queued fax_seed >"$TUI_TMP/seed.json"
got=$(python3 "$LC" send "$(head -n1 "$TUI_TMP/ready0")" --secret "$SECRET" <"$TUI_TMP/seed.json")
case $got in 204*) ;; *) kill "$pid"; fail "seed event: $got" ;; esac
kill "$pid"
wait "$pid"
sqlite3 -batch "$DB" "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $N - 1)
INSERT INTO faxes (id, status, to_number, pages, error_code, error_subcode, error_message,
 max_attempts, webhook_url, idempotency_key, csid, page_size, resolution, optimize_for,
 resent_from, submitted_at, completed_at, created_at, updated_at, attempts, tags, last_source,
 last_update)
SELECT printf('fax_bulk_%05d', i), status, to_number, pages, error_code, error_subcode,
 error_message, max_attempts, webhook_url, idempotency_key, csid, page_size, resolution,
 optimize_for, resent_from, submitted_at, completed_at, created_at - i, updated_at, attempts,
 tags, last_source, last_update FROM n, faxes WHERE faxes.id = 'fax_seed';" ||
	fail "could not fill the store"
[ "$(sqlite3 -batch "$DB" "SELECT count(*) FROM faxes")" = $N ] || fail "the store does not hold $N faxes"

tui_start LANG=C.UTF-8 FAXTOP_FRAME_LOG="$TUI_TMP/frames" MINTFAX_WEBHOOK_SECRET=$SECRET -- \
	"$FAXTOP" --db "$DB" --listen 127.0.0.1:0 --ready-file "$TUI_TMP/ready1"
wait_for "faxes $N " 60
wait_file "$TUI_TMP/ready1" || fail "the listener did not start after the store was read"

# The first frame came before the store was read, with the newest faxes.
first=$(head -n1 "$TUI_TMP/frames")
[ "${first##* }" -lt $N ] || fail "the first frame already held every fax: $first"
[ "${first##* }" -gt 0 ] || fail "the first frame held no fax: $first"
full=$(awk -v n=$N '$3 >= n { print $1; exit }' "$TUI_TMP/frames")
[ -n "$full" ] || fail "no frame held all $N faxes"
# The listener's ready file was written after the first frame.
ready_us=$(($(date -r "$TUI_TMP/ready1" +%s%N) / 1000))
[ "${first%% *}" -lt "$ready_us" ] || fail "the listener started before the first frame"
expect_not "reading the store"
expect "listener 127.0.0.1:"

# Now news comes in as usual.
python3 "$LC" event evt_after fax.queued fax_after >"$TUI_TMP/after.json"
got=$(python3 "$LC" send "$(head -n1 "$TUI_TMP/ready1")" --secret "$SECRET" <"$TUI_TMP/after.json")
case $got in 204*) ;; *) fail "event after start-up: $got" ;; esac
wait_for "faxes $((N + 1)) "
keys q
wait_for "EXITED 0" 20
echo "PASS"
