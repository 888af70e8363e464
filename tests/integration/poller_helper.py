#!/usr/bin/env python3
"""Checks for the poller's integration tests (loopback only).

  poller_helper.py events-match DB SIM_ADDR KEY   exit 0 when faxtop's stored event ids
                                                   equal faxsim's GET /v1/events (all pages)
  poller_helper.py faxes-match DB SIM_ADDR KEY    exit 0 when every fax faxsim lists has
                                                   the same status in faxtop's store
  poller_helper.py meta DB KEY                    prints a meta value ("" when absent)
  poller_helper.py count-resent SIM_ADDR KEY FAX  faxes whose resent_from is FAX
  poller_helper.py proxy UPSTREAM READY_FILE      an HTTP proxy to faxsim that answers
                                                   404 to /v1/events (the fallback case)
"""
import sqlite3
import sys

from faxtest import db_rows, envelope, get, pages
from faxtest import proxy as faxtest_proxy








def events_match(db, addr, key):
    sim = [e["id"] for e in pages(addr, key, "/v1/events?per_page=100", "after")]
    try:
        mine = [r[0] for r in db_rows(db, "SELECT id FROM events")]
    except sqlite3.Error as e:
        print("store not readable yet: %s" % e, file=sys.stderr)
        return 1
    if len(sim) != len(set(sim)):
        print("faxsim listed an event twice", file=sys.stderr)
        return 1
    missing, extra = set(sim) - set(mine), set(mine) - set(sim)
    if missing or extra:
        print("events: faxsim %d, faxtop %d, missing %d, extra %d"
              % (len(sim), len(mine), len(missing), len(extra)), file=sys.stderr)
        return 1
    print("events match: %d" % len(sim))
    return 0


def faxes_match(db, addr, key):
    sim = {f["id"]: f["status"] for f in pages(addr, key, "/v1/faxes?per_page=100", "cursor")}
    try:
        mine = dict(db_rows(db, "SELECT id, status FROM faxes"))
    except sqlite3.Error as e:
        print("store not readable yet: %s" % e, file=sys.stderr)
        return 1
    wrong = [i for i in sim if mine.get(i) != sim[i]]
    if wrong or not sim:
        print("faxes: faxsim %d, differing %d (e.g. %s)"
              % (len(sim), len(wrong), [(i, sim[i], mine.get(i)) for i in wrong[:3]]),
              file=sys.stderr)
        return 1
    print("faxes match: %d" % len(sim))
    return 0


def meta(db, k):
    try:
        rows = db_rows(db, "SELECT value FROM meta WHERE key = ?", (k,))
    except sqlite3.Error:
        rows = []
    print(rows[0][0] if rows else "")
    return 0


def count_resent(addr, key, fax):
    n = sum(1 for f in pages(addr, key, "/v1/faxes?per_page=100", "cursor")
            if f.get("resent_from") == fax)
    print(n)
    return 0


def proxy(upstream, ready):
    """faxsim without an Events API: /v1/events answers 404."""
    def no_events(method, path):
        if path.split("?")[0].rstrip("/") == "/v1/events" or path.startswith("/v1/events/"):
            return 404, envelope("not_found", "No such route", "fix_request", "req_proxy")
        return None

    faxtest_proxy(upstream, ready, no_events)


def main(argv):
    cmd = argv[1] if len(argv) > 1 else ""
    if cmd == "events-match" and len(argv) == 5:
        return events_match(*argv[2:])
    if cmd == "faxes-match" and len(argv) == 5:
        return faxes_match(*argv[2:])
    if cmd == "meta" and len(argv) == 4:
        return meta(*argv[2:])
    if cmd == "count-resent" and len(argv) == 5:
        return count_resent(*argv[2:])
    if cmd == "proxy" and len(argv) == 4:
        return proxy(*argv[2:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
