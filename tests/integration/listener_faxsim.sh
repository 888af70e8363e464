#!/bin/sh
# faxsim's webhook traffic at high speed, with duplicates and reordering,
# into faxtop's listener alone (no poller): at the end faxtop's store holds
# exactly the events faxsim's /v1/events lists, each once, and every fax
# ends in the state faxsim reports.
. "$top_srcdir/tests/integration/listener_lib.sh"
D=$(fax_tmpdir)
SECRET=$SIM_SECRET
start_listener
start_faxsim --webhook-url "http://$FAXTOP_ADDR/webhooks/mintfax" --seed 42 --speed 300 \
	--rate 120 --traffic-count 40 --duplicate 0.2 --reorder 4 --auto-topup

# sim_event_ids: every event id faxsim has, oldest first, following the cursor.
sim_event_ids()
{
	"$PY" - "$SIM_ADDR" "$SIM_KEY" <<'PYEOF'
import http.client, json, sys
addr, key = sys.argv[1], sys.argv[2]
host, _, port = addr.rpartition(":")
after, ids = None, []
for _ in range(1000):
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    path = "/v1/events?per_page=100" + (f"&after={after}" if after else "")
    conn.request("GET", path, headers={"Authorization": f"Bearer {key}"})
    r = conn.getresponse()
    page = json.loads(r.read())
    conn.close()
    if r.status != 200:
        sys.exit(f"/v1/events: {r.status} {page}")
    ids += [e["id"] for e in page["data"]]
    if not page["has_more"] or not page["next_cursor"]:
        break
    after = page["next_cursor"]
print("\n".join(ids))
PYEOF
}

# settled: faxsim has emitted events for all 40 faxes, every fax is terminal
# there, and faxtop stored the same set.
settled()
{
	sim_event_ids | sort >"$D/sim.ids" || return 1
	sql 'SELECT id FROM events' | sort >"$D/top.ids"
	[ "$(grep -c '^evt_' "$D/sim.ids")" -gt 0 ] || return 1
	[ "$(grep -c . "$D/sim.ids")" = "$(grep -c . "$D/top.ids")" ] || return 1
	cmp -s "$D/sim.ids" "$D/top.ids" || return 1
	t=$(sql "SELECT count(*) FROM faxes WHERE status IN ('delivered', 'failed')")
	[ "$t" -ge 40 ]
}
if ! wait_until 180 settled; then
	note "faxsim events: $(grep -c . "$D/sim.ids"), faxtop events: $(grep -c . "$D/top.ids")"
	diff "$D/sim.ids" "$D/top.ids" | head -20 >&2
	fail "faxtop's store did not converge on faxsim's events"
fi

# Each stored once, and every fax in the state faxsim reports.
[ "$(sql 'SELECT count(*) - count(DISTINCT id) FROM events')" = 0 ] || fail "an event stored twice"
"$PY" - "$SIM_ADDR" "$SIM_KEY" "$DB" <<'PYEOF' || fail "fax states differ"
import http.client, json, sqlite3, sys
addr, key, db = sys.argv[1:4]
host, _, port = addr.rpartition(":")
rows = sqlite3.connect(f"file:{db}?mode=ro", uri=True).execute("SELECT id, status FROM faxes").fetchall()
bad = 0
for fax_id, status in rows:
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    conn.request("GET", f"/v1/faxes/{fax_id}", headers={"Authorization": f"Bearer {key}"})
    r = conn.getresponse()
    sim = json.loads(r.read())
    conn.close()
    if r.status != 200 or sim["status"] != status:
        print(f"{fax_id}: faxtop {status}, faxsim {sim.get('status')}", file=sys.stderr)
        bad += 1
sys.exit(1 if bad else 0)
PYEOF
note "events: $(grep -c . "$D/top.ids"); faxtop stdout lines: $(stdout_lines)"
kill -0 "$FAXTOP_PID" 2>/dev/null || fail "faxtop died"
exit 0
