#!/usr/bin/env python3
"""Hostile clients for tests/integration/hardening_abuse.sh. Standard
library only; every socket has a timeout and every loop a bound.

  hardening_abuse.py ADDR SECRET IDLE_TIMEOUT [SCENARIO...]

Runs each scenario against faxtop's listener and prints one line per
scenario; exits non-zero with the reason at the first misbehaviour. The
genuine events it sends are counted on the last line ("accepted=N")."""
import base64
import hashlib
import hmac
import json
import select
import socket
import sys
import time

TIMEOUT = 10
ADDR, SECRET, IDLE = sys.argv[1], sys.argv[2], float(sys.argv[3])
ONLY = sys.argv[4:]
HOST, _, PORT = ADDR.rpartition(":")
PORT = int(PORT)
accepted = 0
seq = 0


def fail(msg):
    print(f"FAIL: {msg}", file=sys.stderr)
    sys.exit(1)


def sign(msg_id, ts, body):
    s = SECRET[len("whsec_"):]
    key = base64.b64decode(s + "=" * (-len(s) % 4))
    mac = hmac.new(key, f"{msg_id}.{ts}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(mac).decode()


def event_body(evt_id, fax_id, extra=None):
    obj = {"id": fax_id, "status": "queued", "to": "+12125551234", "pages": None,
           "max_attempts": 3, "attempts": [], "tags": {"suite": "abuse"},
           "created_at": "2025-05-13T22:00:00Z", "updated_at": "2025-05-13T22:00:00Z"}
    if extra:
        obj.update(extra)
    return json.dumps({"id": evt_id, "type": "fax.queued", "created": int(time.time()),
                       "data": {"object": obj}}, separators=(",", ":")).encode()


def signed_request(body, msg_id, extra_headers=b""):
    ts = int(time.time())
    return (b"POST /webhooks/mintfax HTTP/1.1\r\nHost: faxtop\r\n"
            b"Content-Type: application/json\r\nContent-Length: %d\r\n"
            b"webhook-id: %s\r\nwebhook-timestamp: %d\r\nwebhook-signature: %s\r\n%s\r\n"
            % (len(body), msg_id.encode(), ts, sign(msg_id, ts, body).encode(), extra_headers)
            + body)


def connect():
    s = socket.create_connection((HOST, PORT), timeout=TIMEOUT)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def read_responses(s, want, limit=TIMEOUT):
    """Reads until `want` complete responses arrived or the peer closed.
    Returns (list of (status, body), closed)."""
    buf = b""
    out = []
    closed = False
    end = time.monotonic() + limit
    while len(out) < want and time.monotonic() < end:
        head_end = buf.find(b"\r\n\r\n")
        if head_end >= 0:
            head = buf[:head_end].decode("latin-1")
            status = int(head.split(" ", 2)[1])
            clen = 0
            for line in head.split("\r\n")[1:]:
                k, _, v = line.partition(":")
                if k.strip().lower() == "content-length":
                    clen = int(v.strip())
            if len(buf) >= head_end + 4 + clen:
                out.append((status, buf[head_end + 4:head_end + 4 + clen]))
                buf = buf[head_end + 4 + clen:]
                continue
        if closed:
            break
        r, _, _ = select.select([s], [], [], 0.2)
        if r:
            try:
                chunk = s.recv(65536)
            except (ConnectionResetError, socket.timeout):
                chunk = b""
            if not chunk:
                closed = True
            buf += chunk
    return out, closed


def exchange(payload, want=1, half_close=True):
    """Sends payload and reads up to `want` answers. A half-closed client
    is only owed the answer to the request in hand, so pipelining tests
    keep the write side open."""
    s = connect()
    try:
        s.sendall(payload)
    except (BrokenPipeError, ConnectionResetError):
        pass
    try:
        if half_close:
            s.shutdown(socket.SHUT_WR)
    except OSError:
        pass
    out, _ = read_responses(s, want)
    s.close()
    return out


def genuine(tag):
    """One real event on its own connection; must be acknowledged."""
    global accepted, seq
    seq += 1
    evt = f"evt_abuse_{tag}_{seq}"
    out = exchange(signed_request(event_body(evt, f"fax_abuse_{seq}"), evt))
    if not out or out[0][0] != 204:
        fail(f"genuine event during {tag}: {out}")
    accepted += 1


def wait_closed(s, limit):
    end = time.monotonic() + limit
    while time.monotonic() < end:
        r, _, _ = select.select([s], [], [], 0.2)
        if r:
            try:
                if s.recv(4096) == b"":
                    return True
            except (ConnectionResetError, socket.timeout):
                return True
    return False


def slowloris(n=500):
    slow = []
    for i in range(n):
        try:
            s = connect()
        except OSError as e:
            fail(f"slowloris: connection {i} refused: {e}")
        s.sendall(b"POST /webhooks/mintfax HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        slow.append(s)
    started = time.monotonic()
    # Genuine webhooks still succeed while every slow client dribbles.
    for i in range(10):
        for s in slow[i::10]:
            try:
                s.send(b"a")
            except OSError:
                pass
        genuine("slowloris")
    # The slow ones are cut off by the idle timeout, bytes or not.
    open_ = 0
    for s in slow:
        left = max(0.1, IDLE + 10 - (time.monotonic() - started))
        if not wait_closed(s, left):
            open_ += 1
        s.close()
    if open_:
        fail(f"slowloris: {open_} of {n} slow connections still open after {IDLE + 10:.0f} s")
    print(f"slowloris: {n} slow connections cut off, 10 genuine events served meanwhile")


def header_flood():
    payload = b"POST /webhooks/mintfax HTTP/1.1\r\nHost: x\r\n"
    payload += b"".join(b"X-F%d: %s\r\n" % (i, b"z" * 50) for i in range(5000))
    payload += b"\r\n"
    out = exchange(payload)
    if not out or out[0][0] != 431:
        fail(f"header flood: expected 431, got {out[:1]}")
    one = b"GET /healthz HTTP/1.1\r\nX-Big: " + b"q" * (200 * 1024) + b"\r\n\r\n"
    out = exchange(one)
    if not out or out[0][0] != 431:
        fail(f"one huge header: expected 431, got {out[:1]}")
    print("header flood: 431 for 5000 headers and for one 200 KiB header")


def big_body():
    body = b'{"id":"evt_big","pad":"' + b"x" * (10 * 1024 * 1024) + b'"}'
    t0 = time.monotonic()
    out = exchange(signed_request(body, "evt_big"))
    if not out or out[0][0] != 413:
        fail(f"10 MB body: expected 413, got {out[:1]}")
    chunked = (b"POST /webhooks/mintfax HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
               b"webhook-id: evt_c\r\nwebhook-timestamp: 1\r\nwebhook-signature: v1,x\r\n\r\n")
    chunked += (b"100000\r\n" + b"y" * 0x100000 + b"\r\n") * 10 + b"0\r\n\r\n"
    out = exchange(chunked)
    if not out or out[0][0] != 413:
        fail(f"10 MB chunked body: expected 413, got {out[:1]}")
    print(f"10 MB bodies: 413 (Content-Length and chunked) in {time.monotonic() - t0:.1f} s")


def hostile_json():
    cases = [
        ("deep-array", b"[" * 200000 + b"]" * 200000, (400, 413)),
        ("deep-object", b'{"a":' * 100000 + b"1" + b"}" * 100000, (400, 413)),
        ("deep-in-event", event_body("evt_deep", "fax_deep", {"tags": None})
         .replace(b'"tags":null', b'"tags":' + b'{"a":' * 60 + b'1' + b'}' * 60), (400, 204)),
        ("huge-string", event_body("evt_hugestr", "fax_hugestr",
                                   {"error_message": "m" * (900 * 1024)}), (204, 400)),
        ("many-attempts", event_body("evt_attempts", "fax_attempts", {"attempts": [
            {"attempt_number": i, "started_at": "2025-05-13T22:00:00Z", "completed_at": None}
            for i in range(1, 15000)]}), (204, 400)),
        ("many-tags", event_body("evt_tags", "fax_tags",
                                 {"tags": {f"k{i}": "v" for i in range(40000)}}), (204, 400)),
        ("bad-utf8", event_body("evt_utf8", "fax_utf8").replace(
            b'"+12125551234"', b'"+1\xff\xfe\xc3\x28\xed\xa0\x80\x1b]0;owned\x07"'), (204, 400)),
        ("nul-byte", event_body("evt_nul", "fax_nul").replace(b"abuse", b"ab\x00se"), (400,)),
        ("not-json", b"\xff\xfe\x00garbage", (400,)),
        ("empty", b"", (400,)),
        ("huge-number", event_body("evt_num", "fax_num").replace(b'"max_attempts":3',
                                                                  b'"max_attempts":' + b"9" * 5000), (400, 204)),
    ]
    for name, body, ok in cases:
        if len(body) > 1024 * 1024:
            ok = ok + (413,)
        out = exchange(signed_request(body, f"msg_{name}"))
        if not out or out[0][0] not in ok:
            fail(f"hostile JSON {name}: expected one of {ok}, got {out[:1]}")
        genuine(name)
    print(f"hostile JSON: {len(cases)} signed bodies answered sensibly, genuine events after each")


def truncated():
    full = signed_request(event_body("evt_trunc", "fax_trunc"), "evt_trunc")
    for cut in (5, 40, len(full) // 2, len(full) - 1):
        s = connect()
        s.sendall(full[:cut])
        s.close()
    # Stopping mid-request without closing: the idle timeout ends it.
    s = connect()
    s.sendall(full[:len(full) - 3])
    if not wait_closed(s, IDLE + 10):
        fail("a truncated request was held open past the idle timeout")
    s.close()
    genuine("truncated")
    print("truncated requests: dropped or timed out, service continues")


def pipelined_garbage():
    a = signed_request(event_body("evt_pipe_a", "fax_pipe_a"), "evt_pipe_a")
    out = exchange(a + b"\x00\x01GARBAGE \xff\r\n\r\n" + a, want=2, half_close=False)
    if not out or out[0][0] != 204:
        fail(f"pipelined garbage: the valid first request got {out[:1]}")
    if len(out) > 1 and out[1][0] != 400:
        fail(f"pipelined garbage: the garbage got {out[1][0]}, expected 400")
    global accepted
    accepted += 1
    out = exchange(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n" * 50, want=50, half_close=False)
    if len(out) != 50 or any(st != 200 for st, _ in out):
        fail(f"50 pipelined /healthz: {[st for st, _ in out]}")
    for junk in (b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03" + bytes(range(200)),
                 b"GET / HTTP/9.9\r\n\r\n", b"POST /webhooks/mintfax HTTP/1.1\r\nContent-Length: -5\r\n\r\n",
                 b"POST /webhooks/mintfax HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                 b"\r\n" * 10000, b"GET /" + b"%" * 10000 + b" HTTP/1.1\r\n\r\n"):
        exchange(junk)
    genuine("garbage")
    print("pipelined garbage: the valid request before it answered, then 400; 50 pipelined /healthz answered")


def pipelined_webhooks(n=20):
    """Events pipelined on one connection are each answered after their
    commit, without waiting for some other wake-up of the loop."""
    global accepted
    many = b"".join(signed_request(event_body(f"evt_pipe_{i}", f"fax_pipe_{i}"), f"evt_pipe_{i}")
                    for i in range(n))
    s = connect()
    s.sendall(many)
    t0 = time.monotonic()
    out, _ = read_responses(s, n, limit=IDLE * 0.9)
    s.close()
    if len(out) != n or any(st != 204 for st, _ in out):
        fail(f"{n} pipelined events: {len(out)} answered within {IDLE * 0.9:.1f} s "
             f"(statuses {[st for st, _ in out]})")
    accepted += n
    print(f"pipelined webhooks: {n} acknowledged in {time.monotonic() - t0:.2f} s")


SCENARIOS = [slowloris, header_flood, big_body, hostile_json, truncated, pipelined_garbage,
             pipelined_webhooks]
for sc in SCENARIOS:
    if not ONLY or sc.__name__ in ONLY:
        sc()
print(f"accepted={accepted}")
