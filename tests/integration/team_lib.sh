# Helpers for the team-mode tests (tests/integration/team_*.sh): several
# faxtop processes on one throwaway PostgreSQL cluster (pg_lib.sh). Source
# this alone; it sources lib.sh and pg_lib.sh, skips (77) when faxtop has no
# --store yet or the server is not installed, starts the cluster and sets D.
#
#   . "${top_srcdir:-.}/tests/integration/team_lib.sh"
#   team_start a                # faxtop --headless as ops@a, its own --db
#   team_wait_store a           # its /healthz: the shared store, reachable
#   team_send spread x 100 2 "$D/x.log" "$a_ADDR" "$b_ADDR"
#
# TEAM_STORE=sqlite runs a test against each instance's own SQLite file
# instead of the shared store: every test must then fail (that is how they
# were checked to test team mode, not something that holds anyway).
. "${top_srcdir:-.}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/pg_lib.sh"
need_python
FAXTOP="$top_builddir/app/faxtop"
FAXSIM="$top_builddir/sim/faxsim"
H="python3 $top_srcdir/tests/integration/fault_helper.py"
TEAM_STORE=${TEAM_STORE:-postgresql://}
[ -x "$FAXTOP" ] || fail "faxtop not built at $FAXTOP"
"$FAXTOP" --help 2>&1 | grep -q -- '--store' ||
	skip "faxtop --help lists no --store: team mode is not wired into faxtop yet"
case $TEAM_STORE in
sqlite) TEAM_STORE_NAME=sqlite ;;
*) TEAM_STORE_NAME=postgresql ;;
esac
D=$(fax_tmpdir)
# No user configuration, no API (a test that wants faxsim's says so), the
# test secret for the listeners.
unset MINTFAX_API_KEY MINTFAX_API_BASE
MINTFAX_WEBHOOK_SECRET=$SIM_SECRET
XDG_CONFIG_HOME=$D/config
XDG_DATA_HOME=$D/data
export MINTFAX_WEBHOOK_SECRET XDG_CONFIG_HOME XDG_DATA_HOME
pg_start

# team_start NAME [ARGS...]: faxtop --headless on the shared store as
# operator ops@NAME, with its own --db ($D/NAME.db) and its stdout in
# $D/NAME.out; sets NAME_ADDR, NAME_PID and NAME_OUT.
team_start()
{
	_ts=$1
	shift
	FAXTOP_OUT=$D/$_ts.out
	start_faxtop --store "$TEAM_STORE" --operator "ops@$_ts" --db "$D/$_ts.db" "$@"
	eval "${_ts}_ADDR=\$FAXTOP_ADDR ${_ts}_PID=\$FAXTOP_PID ${_ts}_OUT=\$FAXTOP_OUT"
	FAXTOP_OUT=
}

# team_traffic NAME RATE COUNT: faxsim at speed 50 (webhook retries after
# 0.2 s, 2 s and 20.4 s), its traffic driver sending COUNT faxes at RATE a
# simulated minute (RATE / 1.2 a second), their webhooks to NAME's listener
# (NAME "-": no webhooks at all); the seed is TEAM_SEED's or the clock's,
# noted so that a run can be repeated.
team_traffic()
{
	_tt=""
	[ "$1" = - ] || eval "_tt=\"--webhook-url http://\$${1}_ADDR/webhooks/mintfax\""
	SEED=${TEAM_SEED:-$(($(date +%s) % 100000))}
	note "seed $SEED (TEAM_SEED=$SEED repeats faxsim's traffic)"
	# shellcheck disable=SC2086 # _tt is an option and its value, or nothing
	start_faxsim --seed "$SEED" --speed 50 --rate "$2" --traffic-count "$3" --auto-topup \
		--rate-limit 1000000 $_tt
}

# team_health NAME: NAME's /healthz into $D/NAME.health; false when it
# did not answer.
team_health()
{
	eval "_th=\$${1}_ADDR"
	curl -sS --max-time 10 -o "$D/$1.health" "http://$_th/healthz" 2>/dev/null
}

# team_health_is NAME JQ: NAME's /healthz answers and JQ holds for it.
team_health_is()
{
	team_health "$1" && [ "$(jqs "$2" <"$D/$1.health")" = true ]
}

# team_wait_store NAME...: each /healthz names the store under test and says
# it is reachable (20 s at most).
team_wait_store()
{
	for _tw in "$@"; do
		wait_until 20 team_health_is "$_tw" \
			".store == \"$TEAM_STORE_NAME\" and .store_ok == true" ||
			fail "$_tw: /healthz does not show the $TEAM_STORE_NAME store ready:" \
				"$(cat "$D/$_tw.health" 2>/dev/null)"
	done
}

# team_poller NAME: what NAME's /healthz says of the poller ("" if no answer).
team_poller()
{
	team_health "$1" && jqs '.poller // ""' <"$D/$1.health"
}

# pgq SQL: one query on the shared store, unaligned, no headers.
pgq()
{
	psql -qAt -c "$1"
}

# pg_event_count: events in the shared store.
pg_event_count()
{
	psql -qAt -c 'SELECT count(*) FROM events' 2>/dev/null
}

# pg_at_least N: true once the shared store holds N events.
pg_at_least()
{
	_pc=$(pg_event_count)
	[ "${_pc:-0}" -ge "$1" ]
}

# pg_ids FILE: the shared store's event ids, sorted, into FILE.
pg_ids()
{
	psql -qAt -c 'SELECT id FROM events' >"$1.tmp" || fail "cannot read the shared store"
	sort "$1.tmp" >"$1"
	rm -f "$1.tmp"
}

# out_ids OUT FILE: the event ids an instance printed (a line cut by a kill
# is skipped), sorted and unique, into FILE; $OUT_LINES is how many lines
# named an event, so a repeat shows as OUT_LINES > lines of FILE.
out_ids()
{
	jq -R -r 'fromjson? | .id // empty' "$1" >"$2.tmp" 2>/dev/null
	OUT_LINES=$(grep -c . "$2.tmp")
	sort -u "$2.tmp" >"$2"
	rm -f "$2.tmp"
}

# same_ids A B: the sorted id files A and B list the same ids.
same_ids()
{
	cmp -s "$1" "$2"
}

# missing_ids WANT HAVE: how many ids of WANT are not in HAVE (both sorted);
# a few of them on stderr.
missing_ids()
{
	comm -23 "$1" "$2" >"$1.missing"
	if [ -s "$1.missing" ]; then
		note "not there: $(head -n 5 "$1.missing" | tr '\n' ' ')"
	fi
	grep -c . "$1.missing"
}

# sim_ids FILE: every event faxsim has (GET /v1/events, every page),
# sorted, into FILE.
sim_ids()
{
	python3 - "$top_srcdir/tests/integration" "$SIM_ADDR" "$SIM_KEY" >"$1.tmp" <<'PYEOF' ||
import sys
sys.path.insert(0, sys.argv[1])
from faxtest import pages
for e in pages(sys.argv[2], sys.argv[3], "/v1/events?per_page=100", "after"):
    print(e["id"])
PYEOF
		fail "cannot list faxsim's events"
	sort "$1.tmp" >"$1"
	rm -f "$1.tmp"
}

# sim_acked FILE: event ids faxsim's deliveries got a 2xx for, sorted.
sim_acked()
{
	$H acked "$SIM_ADDR" "$SIM_KEY" >"$1.tmp" || fail "cannot read faxsim's webhook attempts"
	sort -u "$1.tmp" >"$1"
	rm -f "$1.tmp"
}

# sim_refused N FILE: ids of the events whose deliveries faxsim saw answered
# 503 at least N times, sorted, into FILE; true when there is one at least.
sim_refused()
{
	python3 - "$top_srcdir/tests/integration" "$SIM_ADDR" "$SIM_KEY" "$1" >"$2.tmp" <<'PYEOF' ||
import collections, sys
sys.path.insert(0, sys.argv[1])
from faxtest import pages
n = collections.Counter(a["event_id"] for a in
                        pages(sys.argv[2], sys.argv[3], "/v1/webhooks/attempts?per_page=100",
                              "cursor") if a.get("status_code") == 503)
for i in sorted(i for i, c in n.items() if c >= int(sys.argv[4])):
    print(i)
PYEOF
		fail "cannot read faxsim's webhook attempts"
	sort "$2.tmp" >"$2"
	rm -f "$2.tmp"
	[ -s "$2" ]
}

# sent_acked LOG FILE: ids team_send got a 2xx for, sorted and unique.
sent_acked()
{
	awk '$2 ~ /^2/ { print $1 }' "$1" | sort -u >"$2"
}

# team_send MODE PREFIX N CONNS LOG ADDR...: N signed fax.queued events of
# our own (ids evt_PREFIX_000000..., faxes fax_PREFIX_...), to the webhook
# path of each listener ADDR:
#   spread  event i goes to ADDR[i mod count], over CONNS keep-alive
#           connections per listener;
#   each    every event goes to every listener at the same moment (a barrier
#           per event), one connection each: duplicates racing.
# LOG gets one line per answer, written as it comes: "ID STATUS ERROR ADDR",
# STATUS 000 when there was no answer (refused, cut, timed out), ERROR the
# body's "error" or "-". Always exits 0: the test reads the log.
team_send()
{
	python3 - "$top_srcdir/tests/integration" "$SIM_SECRET" "$@" <<'PYEOF'
import json, os, queue, sys, threading, time
sys.path.insert(0, sys.argv[1])
from listener_client import connect, make_event, signed_headers, split_addr

secret, mode, prefix, n, conns, log = sys.argv[2], sys.argv[3], sys.argv[4], \
    int(sys.argv[5]), int(sys.argv[6]), sys.argv[7]
addrs = sys.argv[8:]
lock = threading.Lock()
out = open(log, "a")


def record(evt, status, err, addr):
    with lock:
        out.write("%s %s %s %s\n" % (evt, status, err, addr))
        out.flush()


class Sender:
    def __init__(self, addr):
        self.addr, self.conn = addr, None

    def send(self, i):
        evt, fax = "evt_%s_%06d" % (prefix, i), "fax_%s_%06d" % (prefix, i)
        body = make_event(evt, "fax.queued", fax, int(time.time()))
        h = {"Content-Type": "application/json"}
        h.update(signed_headers(secret, evt, int(time.time()), body))
        try:
            if self.conn is None:
                self.conn = connect(*split_addr(self.addr))
            self.conn.request("POST", "/webhooks/mintfax", body=body, headers=h)
            r = self.conn.getresponse()
            data = r.read()
            status = "%03d" % r.status
            try:
                err = json.loads(data).get("error") or "-"
            except Exception:
                err = "-"
            if r.getheader("Connection", "").lower() == "close":
                self.close()
        except Exception as e:
            status, err = "000", type(e).__name__
            self.close()
        record(evt, status, err, self.addr)

    def close(self):
        if self.conn is not None:
            self.conn.close()
        self.conn = None


def spread_worker(addr, q):
    s = Sender(addr)
    while True:
        try:
            i = q.get_nowait()
        except queue.Empty:
            break
        s.send(i)
    s.close()


def each_worker(addr, barrier):
    s = Sender(addr)
    for i in range(n):
        barrier.wait()
        s.send(i)
    s.close()


threads = []
if mode == "spread":
    qs = {a: queue.Queue() for a in addrs}
    for i in range(n):
        qs[addrs[i % len(addrs)]].put(i)
    for a in addrs:
        threads += [threading.Thread(target=spread_worker, args=(a, qs[a]))
                    for _ in range(conns)]
elif mode == "each":
    b = threading.Barrier(len(addrs))
    threads = [threading.Thread(target=each_worker, args=(a, b)) for a in addrs]
else:
    sys.exit("team_send: mode spread or each")
for t in threads:
    t.start()
for t in threads:
    t.join()
out.close()
PYEOF
}

# team_probe NAME TAG: one signed event evt_TAG_000000 to NAME's listener;
# prints "STATUS ERROR" and appends the answer to $D/probes.log.
team_probe()
{
	eval "_tp=\$${1}_ADDR"
	: >"$D/probe.one"
	team_send spread "$2" 1 1 "$D/probe.one" "$_tp"
	cat "$D/probe.one" >>"$D/probes.log"
	awk '{ print $2, $3 }' "$D/probe.one"
}
