#!/usr/bin/env python3
"""A tiny webhook receiver for faxsim's integration tests.

Verifies every request's signature independently of faxtop's C code (Python's
hmac), records one JSON line per request, and answers 204, or a failure when
told to. Standard library only.

  webhook_receiver.py --ready FILE --log FILE --secret whsec_...
                      [--legacy] [--fail-first N] [--status CODE]

--fail-first N answers 500 to the first N deliveries of each event id.
--status CODE answers CODE to everything.
"""
import argparse
import base64
import hashlib
import hmac
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def verify_standard(key, headers, body):
    wid = headers.get("webhook-id")
    ts = headers.get("webhook-timestamp")
    sig = headers.get("webhook-signature")
    if not wid or not ts or not sig:
        return False
    signed = wid.encode() + b"." + ts.encode() + b"." + body
    want = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    ok = False
    for tok in sig.split(" "):
        if tok.startswith("v1,") and hmac.compare_digest(tok[3:], want):
            ok = True
    return ok and abs(time.time() - int(ts)) <= 300


def verify_legacy(key, headers, body):
    ts = headers.get("X-Mintfax-Timestamp")
    sig = headers.get("X-Mintfax-Signature")
    if not ts or not sig:
        return False
    want = hmac.new(key, ts.encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(sig, want)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ready", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--secret", required=True)
    ap.add_argument("--legacy", action="store_true")
    ap.add_argument("--fail-first", type=int, default=0)
    ap.add_argument("--status", type=int, default=204)
    args = ap.parse_args()

    if args.legacy:
        key = args.secret.encode()
    else:
        key = base64.b64decode(args.secret[len("whsec_"):])
    lock = threading.Lock()
    seen = {}
    logf = open(args.log, "a", buffering=1)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def do_POST(self):
            n = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(n)
            verify = verify_legacy if args.legacy else verify_standard
            ok = verify(key, self.headers, body)
            try:
                ev = json.loads(body)
            except ValueError:
                ev = {}
            obj = (ev.get("data") or {}).get("object") or {}
            eid = ev.get("id", "")
            with lock:
                seen[eid] = seen.get(eid, 0) + 1
                nth = seen[eid]
                status = args.status
                if nth <= args.fail_first:
                    status = 500
                rec = {
                    "t": time.time(),
                    "path": self.path,
                    "id": eid,
                    "header_id": self.headers.get("webhook-id"),
                    "type": ev.get("type"),
                    "verified": ok,
                    "nth": nth,
                    "answered": status,
                    "fax": obj.get("id"),
                    "status": obj.get("status"),
                    "attempts": len(obj.get("attempts") or []),
                    "available": obj.get("available"),
                    "held": obj.get("held"),
                    "content_type": self.headers.get("Content-Type"),
                }
                logf.write(json.dumps(rec) + "\n")
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    with open(args.ready + ".tmp", "w") as f:
        f.write("127.0.0.1:%d\n" % srv.server_address[1])
    import os
    os.rename(args.ready + ".tmp", args.ready)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
