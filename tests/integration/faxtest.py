"""What the Python test helpers share: faxsim's API with paging, and
read-only queries of faxtop's store (standard library only, loopback only)."""
import http.server
import json
import os
import socketserver
import sqlite3
import threading
import time
import urllib.error
import urllib.request


def get(addr, key, path):
    req = urllib.request.Request("http://%s%s" % (addr, path),
                                 headers={"Authorization": "Bearer " + key})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.load(r)


def pages(addr, key, path, cursor_param, max_pages=10000):
    """Every item of a paged list, following next_cursor until has_more is false."""
    items, cursor = [], None
    for _ in range(max_pages):
        sep = "&" if "?" in path else "?"
        p = path + (sep + cursor_param + "=" + cursor if cursor else "")
        j = get(addr, key, p)
        items += j["data"]
        if not j.get("has_more") or not j.get("next_cursor"):
            return items
        cursor = j["next_cursor"]
    raise SystemExit("too many pages")


def db_rows(db, sql, args=()):
    # Read-only, so a check never changes what faxtop recovers later.
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=10)
    try:
        return con.execute(sql, args).fetchall()
    finally:
        con.close()


def envelope(error, message, action, request_id):
    """An error envelope (docs/CONTRACT.md#api-errors), as bytes."""
    return json.dumps({"error": error, "message": message, "action": action,
                       "docs": "/errors#" + error, "request_id": request_id}).encode()


def proxy(upstream, ready, intercept=None, log=None):
    """An HTTP proxy to faxsim at UPSTREAM on a free loopback port, whose
    address is written to the file READY. intercept(method, path) may return
    (status, body) to answer a JSON error instead of faxsim; LOG, a file, gets
    one line per request: "epoch-ms status method path". Serves forever."""
    lock = threading.Lock()

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def answer(self, status, headers, body):
            self.send_response(status)
            for k, v in headers:
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            if log:
                with lock, open(log, "a") as f:
                    f.write("%d %d %s %s\n" % (int(time.time() * 1000), status,
                                               self.command, self.path))

        def forward(self):
            n = int(self.headers.get("Content-Length") or 0)
            data = self.rfile.read(n) if n else None
            canned = intercept(self.command, self.path) if intercept else None
            if canned:
                self.answer(canned[0], [("Content-Type", "application/json")], canned[1])
                return
            hdrs = {k: v for k, v in self.headers.items()
                    if k.lower() not in ("host", "content-length", "connection")}
            req = urllib.request.Request("http://%s%s" % (upstream, self.path), data=data,
                                         headers=hdrs, method=self.command)
            try:
                r = urllib.request.urlopen(req, timeout=10)
                status, rh, body = r.status, r.headers, r.read()
            except urllib.error.HTTPError as e:
                status, rh, body = e.code, e.headers, e.read()
            keep = [(k, v) for k, v in rh.items()
                    if k.lower() not in ("content-length", "connection", "transfer-encoding",
                                         "date", "server")]
            self.answer(status, keep, body)

        do_GET = do_POST = do_DELETE = forward

    serve(Handler, ready)


def serve(handler, ready):
    """Serves handler (a BaseHTTPRequestHandler) on a free loopback port,
    threaded, whose address is written to the file READY. Serves forever."""
    class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
        daemon_threads = True

    srv = Server(("127.0.0.1", 0), handler)
    with open(ready + ".tmp", "w") as f:
        f.write("127.0.0.1:%d\n" % srv.server_address[1])
    os.rename(ready + ".tmp", ready)
    srv.serve_forever()
