#!/usr/bin/env python3
"""Checks and tools for the fault tests (loopback only, standard library only).

  fault_helper.py acked SIM KEY            event ids faxsim saw a 2xx for (any attempt)
  fault_helper.py count-attempts SIM KEY CODE
                                           webhook attempts faxsim saw answered with CODE
  fault_helper.py missing IDS DB           how many ids of the file IDS (one a line) are
                                           not in DB's events table; lists a few on stderr
  fault_helper.py converged DB SIM KEY [SKIP]
                                           exit 0 when DB holds exactly faxsim's /events and
                                           every fax faxsim lists with the same status;
                                           prints the figures as one line either way; event
                                           and fax ids containing SKIP are the test's own
  fault_helper.py probe-event ID FAX_ID    a fax.queued event body created now (the test's
                                           own, to sign with faxtop sign)
  fault_helper.py behind-cursor DB SIM KEY events of faxsim's /events up to the stored
                                           catch-up cursor (meta events_cursor) that DB
                                           lacks: the poller will never ask for them again
  fault_helper.py printed-dups FILE...     events printed more than once across faxtop
                                           --headless stdout files
  fault_helper.py all-terminal SIM KEY     exit 0 when every fax faxsim lists has finished
  fault_helper.py backoff-bound SECONDS [PER_REQUEST]
                                           the most API requests an outage that long can cost
                                           faxtop: up to 4 in flight when it starts (the
                                           client's max_in_flight), then one probe per backoff
                                           period; after n failures the gate stays shut at
                                           least half of min(1 s * 2^(n-1), 60 s)
                                           (core/api/api_client.h); PER_REQUEST seconds more per
                                           probe when each failure takes that long (a timeout)
  fault_helper.py proxy UPSTREAM READY LOG SWITCH
                                           an HTTP proxy to faxsim that logs one line per
                                           request ("epoch-ms status method path") and
                                           answers 503 while the file SWITCH exists

The figures line: produced stored lost extra dup_rows faxes fax_mismatch.
"""
import json
import os
import sqlite3
import sys
import time

from faxtest import db_rows, envelope, get, pages
from faxtest import proxy as faxtest_proxy

TERMINAL = ("delivered", "failed", "canceled")








def acked(addr, key):
    ids = set()
    for a in pages(addr, key, "/v1/webhooks/attempts?per_page=100", "cursor"):
        code = a.get("status_code")
        if isinstance(code, int) and 200 <= code < 300:
            ids.add(a["event_id"])
    for i in sorted(ids):
        print(i)
    return 0


def count_attempts(addr, key, code):
    print(sum(1 for a in pages(addr, key, "/v1/webhooks/attempts?per_page=100", "cursor")
              if a.get("status_code") == int(code)))
    return 0


def missing(ids_file, db):
    with open(ids_file) as f:
        want = {l.strip() for l in f if l.strip()}
    have = {r[0] for r in db_rows(db, "SELECT id FROM events")}
    lost = sorted(want - have)
    print(len(lost))
    if lost:
        print("not stored: %s" % " ".join(lost[:5]), file=sys.stderr)
    return 0


def converged(db, addr, key, skip=None):
    sim_ev = [e["id"] for e in pages(addr, key, "/v1/events?per_page=100", "after")]
    sim_fx = {f["id"]: f["status"]
              for f in pages(addr, key, "/v1/faxes?per_page=100", "cursor")}
    try:
        rows = [r[0] for r in db_rows(db, "SELECT id FROM events")]
        mine_fx = dict(db_rows(db, "SELECT id, status FROM faxes"))
        if skip:
            rows = [i for i in rows if skip not in i]
            mine_fx = {i: v for i, v in mine_fx.items() if skip not in i}
    except sqlite3.Error as e:
        print("store not readable: %s" % e, file=sys.stderr)
        return 1
    produced, stored = set(sim_ev), set(rows)
    lost = len(produced - stored)
    extra = len(stored - produced)
    dup_rows = len(rows) - len(stored)
    wrong = [i for i in sim_fx if mine_fx.get(i) != sim_fx[i]]
    wrong += [i for i in mine_fx if i not in sim_fx]
    print("produced=%d stored=%d lost=%d extra=%d dup_rows=%d faxes=%d fax_mismatch=%d"
          % (len(produced), len(stored), lost, extra, dup_rows, len(sim_fx), len(wrong)))
    if wrong:
        i = wrong[0]
        print("e.g. fax %s: faxsim %s, store %s" % (i, sim_fx.get(i), mine_fx.get(i)),
              file=sys.stderr)
    ok = (len(sim_ev) == len(produced) and lost == 0 and extra == 0 and dup_rows == 0
          and not wrong and produced)
    return 0 if ok else 1


def behind_cursor(db, addr, key):
    rows = db_rows(db, "SELECT value FROM meta WHERE key = 'events_cursor'")
    if not rows:
        print(0)
        print("no cursor stored yet", file=sys.stderr)
        return 0
    cursor = rows[0][0]
    sim = [e["id"] for e in pages(addr, key, "/v1/events?per_page=100", "after")]
    if cursor not in sim:
        print("the stored cursor %s is not one of faxsim's events" % cursor, file=sys.stderr)
        return 1
    have = {r[0] for r in db_rows(db, "SELECT id FROM events")}
    lacking = [i for i in sim[:sim.index(cursor) + 1] if i not in have]
    print(len(lacking))
    if lacking:
        print("behind cursor %s but not stored: %s" % (cursor, " ".join(lacking[:5])),
              file=sys.stderr)
    return 0


def probe_event(evt_id, fax_id):
    now = int(time.time())
    iso = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now))
    obj = {"id": fax_id, "status": "queued", "to": "+12125551234", "pages": None,
           "error_code": None, "error_subcode": None, "error_message": None,
           "max_attempts": 1, "attempts": [], "webhook_url": None,
           "tags": {"suite": "fault"}, "created_at": iso, "updated_at": iso}
    sys.stdout.write(json.dumps({"id": evt_id, "type": "fax.queued", "created": now,
                                 "data": {"object": obj}}, separators=(",", ":")))
    return 0


def printed_dups(files):
    seen, dups = set(), 0
    for name in files:
        with open(name) as f:
            for line in f:
                if not line.strip():
                    continue
                i = json.loads(line)["id"]
                if i in seen:
                    dups += 1
                seen.add(i)
    print(dups)
    return 0


def all_terminal(addr, key):
    fx = pages(addr, key, "/v1/faxes?per_page=100", "cursor")
    return 0 if fx and all(f["status"] in TERMINAL for f in fx) else 1


def backoff_bound(seconds, per_request="0"):
    t, cost = float(seconds), float(per_request)
    n, spent, step = 1, 0.0, 1.0
    while spent + min(step, 60.0) / 2 + cost <= t:
        spent += min(step, 60.0) / 2 + cost
        n += 1
        step *= 2
    print(n + 4)
    return 0


def proxy(upstream, ready, log, switch):
    """faxsim behind an outage switch: every request answers 503 while the
    file SWITCH exists; every request is logged."""
    def outage(method, path):
        if os.path.exists(switch):
            return 503, envelope("service_unavailable", "The service is temporarily unavailable.",
                                 "retry_later", "req_fault_proxy")
        return None

    faxtest_proxy(upstream, ready, outage, log)


def main(argv):
    cmd = argv[1] if len(argv) > 1 else ""
    args = argv[2:]
    try:
        if cmd == "acked" and len(args) == 2:
            return acked(*args)
        if cmd == "count-attempts" and len(args) == 3:
            return count_attempts(*args)
        if cmd == "missing" and len(args) == 2:
            return missing(*args)
        if cmd == "converged" and len(args) in (3, 4):
            return converged(*args)
        if cmd == "probe-event" and len(args) == 2:
            return probe_event(*args)
        if cmd == "behind-cursor" and len(args) == 3:
            return behind_cursor(*args)
        if cmd == "printed-dups" and args:
            return printed_dups(args)
        if cmd == "all-terminal" and len(args) == 2:
            return all_terminal(*args)
        if cmd == "backoff-bound" and len(args) in (1, 2):
            return backoff_bound(*args)
        if cmd == "proxy" and len(args) == 4:
            return proxy(*args)
    except (OSError, ValueError, KeyError, sqlite3.Error) as e:
        print("%s: %s" % (cmd, e), file=sys.stderr)
        return 1
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
