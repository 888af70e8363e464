#!/usr/bin/env python3
"""A webhook sender for the listener tests, independent of faxtop's C code:
signatures by Python's hmac/hashlib/base64, requests by http.client and raw
sockets. Standard library only. Every socket operation has a timeout.

  listener_client.py event ID TYPE FAX_ID [CREATED]   print an event body
  listener_client.py bigevent ID FAX_ID SIZE          a fax.queued body of SIZE bytes
  listener_client.py send ADDR [options] < body       print "STATUS BODY"
  listener_client.py check-sign SECRET BODYFILE < headers   verify `faxtop sign`
  listener_client.py keepalive ADDR SECRET N          N events, one connection
  listener_client.py slowloris ADDR SECRET            slow client cut off, others served
  listener_client.py flood ADDR                       header flood -> status
  listener_client.py oversize ADDR SECRET BYTES       big body -> status
  listener_client.py lockdb DB READY RELEASE          hold the store's write lock
  listener_client.py raw ADDR < request               raw bytes -> first status line
  listener_client.py xff ADDR XFF...                  one keep-alive connection per XFF
                                                      ("-": none), each asks GET /healthz;
                                                      then prints which are still open
  listener_client.py starve ADDR SECRET IDLE N        IDLE idle sockets from 127.0.0.2 (re-
                                                      opened as they close) while N signed
                                                      events are sent from 127.0.0.1
"""
import base64
import hashlib
import hmac
import http.client
import json
import select
import selectors
import os
import socket
import sqlite3
import sys
import time

TIMEOUT = 10


def std_key(secret):
    s = secret[len("whsec_"):] if secret.startswith("whsec_") else secret
    s += "=" * (-len(s) % 4)
    return base64.b64decode(s, validate=True)


def sign_std(secret, msg_id, ts, body):
    mac = hmac.new(std_key(secret), f"{msg_id}.{ts}.".encode() + body, hashlib.sha256)
    return "v1," + base64.b64encode(mac.digest()).decode()


def sign_legacy(secret, ts, body):
    return hmac.new(secret.encode(), f"{ts}.".encode() + body, hashlib.sha256).hexdigest()


STATUS_OF = {"fax.queued": "queued", "fax.sending": "in_progress",
             "fax.delivered": "delivered", "fax.failed": "failed"}


def make_event(evt_id, typ, fax_id, created=1747173600):
    status = STATUS_OF.get(typ, "queued")
    attempts = []
    if typ in ("fax.sending", "fax.delivered", "fax.failed"):
        done = typ != "fax.sending"
        attempts.append({
            "attempt_number": 1, "started_at": "2025-05-13T22:00:05Z",
            "completed_at": "2025-05-13T22:00:50Z" if done else None,
            "duration_ms": 45000 if done else None,
            "error_code": "busy" if typ == "fax.failed" else None,
            "error_subcode": None,
            "error_message": "Destination busy" if typ == "fax.failed" else None})
    obj = {
        "id": fax_id, "status": status, "to": "+12125551234",
        "pages": 2 if typ == "fax.delivered" else None,
        "error_code": "busy" if typ == "fax.failed" else None,
        "error_subcode": None,
        "error_message": "Destination busy" if typ == "fax.failed" else None,
        "max_attempts": 1, "attempts": attempts, "webhook_url": None,
        "tags": {"suite": "listener"}, "csid": "TEST",
        "submitted_at": "2025-05-13T22:00:05Z" if typ != "fax.queued" else None,
        "completed_at": "2025-05-13T22:00:50Z" if typ in ("fax.delivered", "fax.failed") else None,
        "created_at": "2025-05-13T22:00:00Z", "updated_at": "2025-05-13T22:00:50Z",
    }
    return json.dumps({"id": evt_id, "type": typ, "created": created,
                       "data": {"object": obj}}, separators=(",", ":")).encode()


def split_addr(addr):
    host, _, port = addr.rpartition(":")
    return host.strip("[]"), int(port)


def signed_headers(secret, msg_id, ts, body, scheme="standard"):
    if scheme == "standard":
        return {"webhook-id": msg_id, "webhook-timestamp": str(ts),
                "webhook-signature": sign_std(secret, msg_id, ts, body)}
    if scheme == "legacy":
        return {"X-Mintfax-Timestamp": str(ts),
                "X-Mintfax-Signature": sign_legacy(secret, ts, body)}
    if scheme == "legacy-t":
        return {"X-Mintfax-Signature": f"t={ts},v1={sign_legacy(secret, ts, body)}"}
    return {}


def connect(host, port):
    """An HTTPConnection with Nagle off: headers and body may leave in two
    segments, and Nagle plus delayed ACK would stall every request."""
    conn = http.client.HTTPConnection(host, port, timeout=TIMEOUT)
    conn.connect()
    conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return conn


def request(conn, method, path, body, headers):
    conn.request(method, path, body=body, headers=headers)
    r = conn.getresponse()
    data = r.read()
    return r.status, data.decode(errors="replace"), r


def cmd_event(args):
    created = int(args[3]) if len(args) > 3 else 1747173600
    sys.stdout.buffer.write(make_event(args[0], args[1], args[2], created))


def cmd_bigevent(args):
    """A fax.queued event padded (a field faxtop does not model) to SIZE bytes."""
    evt, fax, size = args[0], args[1], int(args[2])
    ev = json.loads(make_event(evt, "fax.queued", fax))
    base = len(json.dumps(ev, separators=(",", ":"))) + len(',"x_pad":""')
    ev["data"]["object"]["x_pad"] = "p" * max(0, size - base)
    sys.stdout.buffer.write(json.dumps(ev, separators=(",", ":")).encode())


def cmd_send(args):
    addr = args[0]
    opts = {"--secret": None, "--id": None, "--ts-offset": "0", "--scheme": "standard",
            "--path": "/webhooks/mintfax", "--method": "POST", "--signature": None,
            "--header": None, "--also-secret": None}
    i = 1
    extra = []
    while i < len(args):
        if args[i] not in opts:
            sys.exit(f"send: unknown option {args[i]}")
        if args[i] == "--header":
            extra.append(args[i + 1])
        else:
            opts[args[i]] = args[i + 1]
        i += 2
    body = sys.stdin.buffer.read()
    msg_id = opts["--id"]
    if msg_id is None:
        try:
            msg_id = json.loads(body)["id"]
        except Exception:
            msg_id = "evt_unparseable"
    ts = int(time.time()) + int(opts["--ts-offset"])
    headers = {"Content-Type": "application/json"}
    if opts["--secret"] and opts["--scheme"] != "none":
        headers.update(signed_headers(opts["--secret"], msg_id, ts, body, opts["--scheme"]))
    if opts["--also-secret"]:
        headers["webhook-signature"] += " " + sign_std(opts["--also-secret"], msg_id, ts, body)
    if opts["--signature"] is not None:
        headers["webhook-id"] = msg_id
        headers["webhook-timestamp"] = str(ts)
        headers["webhook-signature"] = opts["--signature"]
    for h in extra:
        name, _, value = h.partition(":")
        if value.strip() == "":
            headers.pop(name.strip(), None)
        else:
            headers[name.strip()] = value.strip()
    host, port = split_addr(addr)
    conn = connect(host, port)
    status, text, r = request(conn, opts["--method"], opts["--path"], body, headers)
    allow = r.getheader("Allow")
    conn.close()
    print(status, text.replace("\n", " "), f"allow={allow}" if allow else "")


def cmd_check_sign(args):
    """Reads faxtop sign's output on stdin; checks it with Python's hmac."""
    secret, body = args[0], open(args[1], "rb").read()
    h = {}
    for line in sys.stdin.read().splitlines():
        name, _, value = line.partition(": ")
        h[name] = value
    if set(h) != {"webhook-id", "webhook-timestamp", "webhook-signature"}:
        sys.exit(f"unexpected header set {sorted(h)}")
    want = sign_std(secret, h["webhook-id"], int(h["webhook-timestamp"]), body)
    if not hmac.compare_digest(want, h["webhook-signature"]):
        sys.exit(f"signature differs: faxtop {h['webhook-signature']} python {want}")
    print("ok")


def cmd_keepalive(args):
    """Prints how many events were acknowledged (204) in a row; exits 1 at
    the first request that was not."""
    addr, secret, n = args[0], args[1], int(args[2])
    host, port = split_addr(addr)
    conn = connect(host, port)
    sock = conn.sock
    for i in range(n):
        body = make_event(f"evt_ka_{i:05d}", "fax.queued", f"fax_ka_{i:05d}")
        try:
            status, text, r = request(conn, "POST", "/webhooks/mintfax", body,
                                      signed_headers(secret, f"evt_ka_{i:05d}",
                                                     int(time.time()), body))
        except (OSError, http.client.HTTPException) as e:
            status, text = None, repr(e)
        if status != 204:
            print(i)
            sys.exit(f"request {i}: {status} {text}")
        if conn.sock is not sock:
            print(i + 1)
            sys.exit(f"request {i}: the connection was not kept alive")
    conn.close()
    print(n)


def wait_closed(sock, limit):
    """True once the peer closes sock (recv gives b'' or a reset)."""
    end = time.monotonic() + limit
    while time.monotonic() < end:
        r, _, _ = select.select([sock], [], [], 0.2)
        if r:
            try:
                if sock.recv(4096) == b"":
                    return True
            except ConnectionResetError:
                return True
    return False


def cmd_slowloris(args):
    addr, secret = args[0], args[1]
    host, port = split_addr(addr)
    slow = socket.create_connection((host, port), timeout=TIMEOUT)
    slow.sendall(b"POST /webhooks/mintfax HTTP/1.1\r\nHost: t\r\nwebhook-id: evt_sl")
    idle = socket.create_connection((host, port), timeout=TIMEOUT)
    # Others are served while the slow client dribbles.
    served = 0
    for i in range(5):
        slow.sendall(b"o")
        body = make_event(f"evt_sl_ok_{i}", "fax.queued", f"fax_sl_{i}")
        conn = connect(host, port)
        status, text, _ = request(conn, "POST", "/webhooks/mintfax", body,
                                  signed_headers(secret, f"evt_sl_ok_{i}", int(time.time()), body))
        conn.close()
        if status != 204:
            sys.exit(f"normal request during slowloris: {status} {text}")
        served += 1
        time.sleep(0.2)
    # Dribbling bytes does not keep it alive: the request has a deadline.
    if not wait_closed(slow, 30):
        sys.exit("the slow client was not cut off")
    if not wait_closed(idle, 30):
        sys.exit("the idle client was not cut off")
    print(f"served={served} slow=closed idle=closed")


def raw_exchange(host, port, payload):
    s = socket.create_connection((host, port), timeout=TIMEOUT)
    try:
        s.sendall(payload)
    except (BrokenPipeError, ConnectionResetError):
        pass
    data = b""
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    except (ConnectionResetError, socket.timeout):
        pass
    s.close()
    return data


def cmd_flood(args):
    host, port = split_addr(args[0])
    payload = b"POST /webhooks/mintfax HTTP/1.1\r\nHost: t\r\n"
    payload += b"".join(b"X-Flood-%d: %s\r\n" % (i, b"y" * 100) for i in range(400))
    payload += b"Content-Length: 2\r\n\r\n{}"
    data = raw_exchange(host, port, payload)
    print(data.split(b"\r\n", 1)[0].decode(errors="replace"), data.split(b"\r\n\r\n", 1)[-1].decode(errors="replace"))


def cmd_oversize(args):
    addr, secret, size = args[0], args[1], int(args[2])
    host, port = split_addr(addr)
    body = b'{"id":"evt_big","pad":"' + b"x" * size + b'"}'
    hdrs = signed_headers(secret, "evt_big", int(time.time()), body)
    conn = connect(host, port)
    try:
        status, text, _ = request(conn, "POST", "/webhooks/mintfax", body, hdrs)
    except (BrokenPipeError, ConnectionResetError) as e:
        sys.exit(f"the server reset the connection before answering: {e}")
    print(status, text)


def cmd_raw(args):
    host, port = split_addr(args[0])
    data = raw_exchange(host, port, sys.stdin.buffer.read())
    print(data.split(b"\r\n", 1)[0].decode(errors="replace"))


def cmd_starve(args):
    """Prints "served=K of N, idle=M": K events answered 204 within 3 s each
    while one other client holds (and re-opens) IDLE idle connections."""
    import resource
    import threading
    addr, secret, idle, n = args[0], args[1], int(args[2]), int(args[3])
    host, port = split_addr(addr)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = idle + 64
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(want, hard), hard))
    stop = threading.Event()
    held = []
    opened = [0]

    def open_one():
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        try:
            s.bind(("127.0.0.2", 0))
            s.connect_ex((host, port))
        except OSError:
            s.close()
            return None
        opened[0] += 1
        return s

    def attacker():
        sel = selectors.DefaultSelector()
        while len(held) < idle and not stop.is_set():
            s = open_one()
            if s is None:
                break
            held.append(s)
            sel.register(s, selectors.EVENT_READ)
        # Whatever the server closes is opened again at once.
        while not stop.is_set():
            for key, _ in sel.select(0.05):
                s = key.fileobj
                try:
                    data = s.recv(1)
                except (BlockingIOError, InterruptedError):
                    continue
                except OSError:
                    data = b""
                if data:
                    continue
                sel.unregister(s)
                held.remove(s)
                s.close()
                t = open_one()
                if t is not None:
                    held.append(t)
                    sel.register(t, selectors.EVENT_READ)
        sel.close()

    t = threading.Thread(target=attacker, daemon=True)
    t.start()
    while len(held) < idle and t.is_alive():
        time.sleep(0.05)
    time.sleep(0.5)
    served, worst = 0, 0.0
    for i in range(n):
        body = make_event(f"evt_starve_{i}", "fax.queued", f"fax_starve_{i}")
        start = time.monotonic()
        try:
            conn = http.client.HTTPConnection(host, port, timeout=3, source_address=("127.0.0.1", 0))
            conn.connect()
            conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            status, _, _ = request(conn, "POST", "/webhooks/mintfax", body,
                                   signed_headers(secret, f"evt_starve_{i}", int(time.time()), body))
            conn.close()
        except (OSError, http.client.HTTPException):
            status = None
        took = time.monotonic() - start
        worst = max(worst, took)
        if status == 204 and took < 3:
            served += 1
    stop.set()
    t.join(5)
    for s in held:
        s.close()
    print(f"served={served} of {n}, idle={idle}, opened={opened[0]}, worst={worst:.2f}s")


def cmd_xff(args):
    host, port = split_addr(args[0])
    conns = []
    for x in args[1:]:
        conn = connect(host, port)
        hdrs = {} if x == "-" else {"X-Forwarded-For": x}
        status, _, _ = request(conn, "GET", "/healthz", None, hdrs)
        if status != 200:
            sys.exit(f"healthz with X-Forwarded-For {x}: {status}")
        conns.append((conn, hdrs))
    time.sleep(0.2)
    flags = []
    for conn, hdrs in conns:
        # A closed connection shows as EOF on a read that does not block.
        conn.sock.setblocking(False)
        try:
            flags.append("closed" if conn.sock.recv(1) == b"" else "open")
        except BlockingIOError:
            flags.append("open")
        except OSError:
            flags.append("closed")
        conn.close()
    print(" ".join(flags))


def cmd_lockdb(args):
    """Holds SQLite's write lock on DB (as another process would) until the
    file RELEASE appears, at most 60 s; writes READY once it holds it."""
    db, ready, release = args
    conn = sqlite3.connect(db, timeout=10, isolation_level=None)
    conn.execute("BEGIN EXCLUSIVE")
    with open(ready, "w") as f:
        f.write("locked\n")
    end = time.monotonic() + 60
    while not os.path.exists(release) and time.monotonic() < end:
        time.sleep(0.05)
    conn.execute("ROLLBACK")
    conn.close()


COMMANDS = {"event": cmd_event, "bigevent": cmd_bigevent, "send": cmd_send, "check-sign": cmd_check_sign,
            "keepalive": cmd_keepalive, "slowloris": cmd_slowloris, "flood": cmd_flood,
            "oversize": cmd_oversize, "lockdb": cmd_lockdb, "raw": cmd_raw,
            "starve": cmd_starve, "xff": cmd_xff}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        sys.exit(__doc__)
    COMMANDS[sys.argv[1]](sys.argv[2:])
