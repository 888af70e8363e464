#!/usr/bin/env python3
"""Checks for the poller's integration tests (loopback only).

  poller_helper.py events-match DB SIM_ADDR KEY   exit 0 when faxtop's stored event ids
                                                   equal faxsim's GET /v1/events (all pages)
  poller_helper.py faxes-match DB SIM_ADDR KEY    exit 0 when every fax faxsim lists has
                                                   the same status in faxtop's store
  poller_helper.py meta DB KEY                    prints a meta value ("" when absent)
  poller_helper.py event-count SIM_ADDR KEY       prints how many events faxsim lists
  poller_helper.py cursor-covered DB SIM_ADDR KEY exit 0 when the stored events cursor is
                                                   one of faxsim's events and every event
                                                   up to it is in faxtop's store; prints
                                                   "stored/covered/total"
  poller_helper.py count-resent SIM_ADDR KEY FAX  faxes whose resent_from is FAX
  poller_helper.py proxy UPSTREAM READY_FILE      an HTTP proxy to faxsim that answers
                                                   404 to /v1/events (the fallback case)
  poller_helper.py cursor-api MODE READY LOG       a fake API whose /v1/events cursor
                                                   misbehaves (MODE: cycle, redirect, long,
                                                   huge); LOG gets one line per request
"""
import http.server
import json
import sqlite3
import sys
import urllib.parse

from faxtest import db_rows, envelope, get, pages, serve
from faxtest import proxy as faxtest_proxy
from listener_client import make_event








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


def event_count(addr, key):
    print(len(pages(addr, key, "/v1/events?per_page=100", "after")))
    return 0


def cursor_covered(db, addr, key):
    sim = [e["id"] for e in pages(addr, key, "/v1/events?per_page=100", "after")]
    try:
        cur = db_rows(db, "SELECT value FROM meta WHERE key = 'events_cursor'")
        mine = set(r[0] for r in db_rows(db, "SELECT id FROM events"))
    except sqlite3.Error as e:
        print("store not readable: %s" % e, file=sys.stderr)
        return 1
    if not cur:
        print("0/0/%d" % len(sim))
        return 0
    if cur[0][0] not in sim:
        print("the stored cursor %s is not one of faxsim's events" % cur[0][0], file=sys.stderr)
        return 1
    upto = sim[:sim.index(cur[0][0]) + 1]
    missing = [i for i in upto if i not in mine]
    print("%d/%d/%d" % (len(mine), len(upto), len(sim)))
    if missing:
        print("the cursor is past %d events that are not stored (first %s)"
              % (len(missing), missing[0]), file=sys.stderr)
        return 1
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


LONG_CURSOR = "cur_" + "L" * 296           # 300 bytes: once silently dropped
HUGE_CURSOR = "cur_" + "H" * 5000          # past any sane bound


def cursor_pages(mode):
    """after (None for none) -> (status, headers, body) of the fake /events."""
    def page(evt, nxt, more=True):
        items = [json.loads(make_event(evt, "fax.queued", "fax_" + evt[4:]))]
        return 200, [], json.dumps({"data": items, "has_more": more, "next_cursor": nxt})
    if mode == "cycle":       # A -> B -> A -> B ... for ever
        return {None: page("evt_c0", "cur_A"), "cur_A": page("evt_c1", "cur_B"),
                "cur_B": page("evt_c2", "cur_A")}
    if mode == "redirect":    # the second page is a redirect
        return {None: page("evt_r0", "cur_R"),
                "cur_R": (302, [("Location", "http://127.0.0.1:9/elsewhere")], "")}
    if mode == "long":        # a 300-byte cursor, then the end
        return {None: page("evt_l0", LONG_CURSOR), LONG_CURSOR: page("evt_l1", "cur_end", False),
                "cur_end": page("evt_l2", "cur_end", False)}
    if mode == "huge":        # a cursor no client should keep
        return {None: page("evt_h0", HUGE_CURSOR)}
    raise SystemExit("unknown mode " + mode)


def cursor_api(mode, ready, log):
    pages = cursor_pages(mode)

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def do_GET(self):
            url = urllib.parse.urlsplit(self.path)
            q = urllib.parse.parse_qs(url.query)
            after = q.get("after", [None])[0]
            with open(log, "a") as f:
                f.write("GET %s after=%s\n" % (url.path, after if after is not None else "-"))
            if url.path == "/v1/environment/balance":
                status, hdrs, body = 200, [], json.dumps({"available": 100000, "held": 0})
            elif url.path == "/v1/events" and after in pages:
                status, hdrs, body = pages[after]
            else:
                status, hdrs = 422, []
                body = json.dumps({"error": "validation_failed", "message": "unknown cursor",
                                   "action": "fix_request", "docs": "x", "request_id": "req_f",
                                   "context": {"errors": {"after": ["not a cursor"]}}})
            data = body.encode()
            self.send_response(status)
            for k, v in hdrs:
                self.send_header(k, v)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    serve(Handler, ready)


def main(argv):
    cmd = argv[1] if len(argv) > 1 else ""
    if cmd == "events-match" and len(argv) == 5:
        return events_match(*argv[2:])
    if cmd == "faxes-match" and len(argv) == 5:
        return faxes_match(*argv[2:])
    if cmd == "meta" and len(argv) == 4:
        return meta(*argv[2:])
    if cmd == "event-count" and len(argv) == 4:
        return event_count(*argv[2:])
    if cmd == "cursor-covered" and len(argv) == 5:
        return cursor_covered(*argv[2:])
    if cmd == "count-resent" and len(argv) == 5:
        return count_resent(*argv[2:])
    if cmd == "proxy" and len(argv) == 4:
        return proxy(*argv[2:])
    if cmd == "cursor-api" and len(argv) == 5:
        return cursor_api(*argv[2:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
