#!/bin/sh
# The PostgreSQL store's schema: two instances starting together migrate a
# fresh database once (to the tables a team shares), a migrated database is
# left as it is, and a database newer than this faxtop is refused with the
# reason instead of being written to.
. "${top_srcdir:-.}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/pg_lib.sh"

pg_probe_setup
out=$dir/probe.out

"$PROBE" schema > "$out" 2>&1 || { cat "$out" >&2; fail "the schema probe failed"; }
[ "$(grep -c '^ready' "$out")" = 2 ] || { cat "$out" >&2; fail "both stores should be ready"; }
# An event queued before the store was connected waited for the schema.
grep -qx 'early: stored' "$out" || { cat "$out" >&2; fail "an early write did not wait"; }
[ "$(psql -qAt -c "SELECT value FROM meta WHERE key = 'schema_version'")" = 1 ] ||
	fail "schema_version is not 1"
for t in events faxes quarantine resends balance balance_samples resend_ledger \
	triage poller resend_claims; do
	psql -qAt -c "SELECT 1 FROM $t LIMIT 0" >/dev/null 2>&1 || fail "no table $t"
done
# Who did it is recorded with every team action.
for c in triage.who resend_ledger.who resends.who resend_claims.who events.stored_by; do
	n=$(psql -qAt -c "SELECT count(*) FROM information_schema.columns WHERE
		table_name = '${c%.*}' AND column_name = '${c#*.}'")
	[ "$n" = 1 ] || fail "no column $c"
done
[ "$(psql -qAt -c 'SELECT count(*) FROM poller')" = 1 ] || fail "the cursor row is missing"
# The faxes table is the store's one column list, in its order, so the
# statements made from that list serve this backend too.
"$PROBE" faxcols > "$dir/list"
psql -qAt -c "SELECT column_name FROM information_schema.columns
	WHERE table_name = 'faxes' ORDER BY ordinal_position" > "$dir/table"
cmp -s "$dir/list" "$dir/table" ||
	{ diff "$dir/list" "$dir/table" >&2; fail "the faxes table is not FAX_COLUMN_LIST"; }

# Again: nothing to do, nothing duplicated.
"$PROBE" schema > "$out" 2>&1 || { cat "$out" >&2; fail "the second schema probe failed"; }
[ "$(grep -c '^ready' "$out")" = 2 ] || { cat "$out" >&2; fail "not ready the second time"; }
[ "$(psql -qAt -c 'SELECT count(*) FROM poller')" = 1 ] || fail "the cursor row was duplicated"

# An operator's role that may read and write the tables but not create
# any (PostgreSQL 15 gives no one CREATE on the public schema by default)
# works with a migrated database. Its password goes through psql's stdin
# and the password file, never a command line.
pw=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
printf "CREATE ROLE desk LOGIN PASSWORD '%s';\n" "$pw" | psql -qAt >/dev/null ||
	fail "cannot create the role"
psql -qAt >/dev/null <<SQL || fail "cannot grant"
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO desk;
SQL
printf '127.0.0.1:%s:*:desk:%s\n' "$PGPORT" "$pw" >> "$PGPASSFILE"
PGUSER=desk "$PROBE" schema > "$out" 2>&1 || { cat "$out" >&2; fail "the desk role failed"; }
[ "$(grep -c '^ready' "$out")" = 2 ] || { cat "$out" >&2; fail "not ready as the desk role"; }
grep -qx 'early: stored' "$out" || { cat "$out" >&2; fail "the desk role could not write"; }
if grep -qF -- "$pw" "$out"; then
	fail "the password reached the output"
fi

# A newer schema: refused, and said why.
psql -qAt -c "UPDATE meta SET value = '99' WHERE key = 'schema_version'" >/dev/null
"$PROBE" schema > "$out" 2>&1 || { cat "$out" >&2; fail "the probe failed on a newer schema"; }
[ "$(grep -c '^error: .*schema version 99, newer than this faxtop' "$out")" = 2 ] ||
	{ cat "$out" >&2; fail "a newer schema was not refused"; }
grep -q '^ready' "$out" && fail "a newer schema was taken as ready"
# A write to a schema it does not understand is not reported as stored.
grep -q '^early: error .*newer than this faxtop' "$out" ||
	{ cat "$out" >&2; fail "a write to a newer schema was not refused"; }
if grep -qF -- "$PG_PASSWORD" "$out"; then
	fail "the password reached the output"
fi
echo "PASS"
