#!/usr/bin/env python3
"""Writes the seed corpora under tests/fuzz/corpus/ (run from anywhere; the
output is deterministic). The payloads are the real ones: the event pages of
the mintfax docs (kept as docs-*.json; envelope per docs/CONTRACT.md#events),
the error envelope (docs/CONTRACT.md#api-errors), the /events and /faxes list
shapes (docs/CONTRACT.md#assumptions), the balance resource and snapshot
(docs/CONTRACT.md#balance), legacy envelopes (docs/CONTRACT.md#legacy),
Standard Webhooks and legacy signature headers computed with the real
algorithm, config files, and raw HTTP requests as mintfax sends them. Files
already in a corpus directory (crash reproducers, inputs libFuzzer found) are
left alone."""
import base64, hashlib, hmac, json, os, sys

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus")
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"      # faxsim's test secret
KEY = base64.b64decode(SECRET[len("whsec_"):])
OLD_SECRET = "whsec_dGhpcyBpcyB0aGUgb2xkIHNlY3JldCBrZXkh"
NOW = 1747173600                                       # the fuzz targets' clock


def put(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def js(o, pretty=False):
    return json.dumps(o, indent=2 if pretty else None, separators=None if pretty else (",", ":"))


def iso(t):
    import time
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def attempt(n, start, done=True, err=None):
    a = {"attempt_number": n, "started_at": iso(start),
         "completed_at": iso(start + 45) if done else None,
         "duration_ms": 45000 if done else None,
         "error_code": err, "error_subcode": None,
         "error_message": {"busy": "Destination busy", "no_answer": "No answer"}.get(err) if err else None}
    return a


def fax(fid, status, attempts=(), err=None, pages=2, tags=None, created=NOW - 600):
    return {"id": fid, "status": status, "to": "+12125551234", "pages": pages,
            "error_code": err, "error_subcode": None,
            "error_message": "Line busy on every attempt" if err else None,
            "max_attempts": 3, "attempts": list(attempts), "webhook_url": None,
            "idempotency_key": "idem-7f3a", "tags": tags if tags is not None else {"dept": "billing"},
            "csid": "ACME", "page_size": "letter", "resolution": "fine", "optimize_for": "text",
            "submitted_at": iso(created + 5) if status != "queued" else None,
            "completed_at": iso(created + 120) if status in ("delivered", "failed") else None,
            "created_at": iso(created), "updated_at": iso(created + 120)}


def env(eid, typ, obj, created=NOW):
    return {"id": eid, "type": typ, "created": created, "data": {"object": obj}}


F = "fax_8aZqRm4yT3vK7pNxJ2bH9c"
EVENTS = [
    env("evt_0001", "fax.queued", fax(F, "queued", pages=None)),
    env("evt_0002", "fax.sending", fax(F, "in_progress", [attempt(1, NOW - 500, done=False)])),
    env("evt_0003", "fax.sending", fax(F, "in_progress", [attempt(1, NOW - 500, err="busy"),
                                                          attempt(2, NOW - 400, done=False)])),
    env("evt_0004", "fax.delivered", fax(F, "delivered", [attempt(1, NOW - 500, err="busy"),
                                                          attempt(2, NOW - 400)])),
    env("evt_0005", "fax.failed", fax("fax_2", "failed", [attempt(1, NOW - 500, err="busy"),
                                                          attempt(2, NOW - 400, err="busy"),
                                                          attempt(3, NOW - 300, err="busy")],
                                      err="busy")),
    env("evt_0006", "balance.low", {"environment_id": "env_1", "available": 900, "held": 140,
                                    "currency": "USD"}),
    env("evt_0007", "balance.topup", {"environment_id": "env_1", "available": 10900, "held": 0,
                                      "currency": "USD"}),
    env("evt_0008", "fax.retry_scheduled", fax(F, "in_progress", [attempt(1, NOW - 500, err="no_answer")])),
    env("evt_0009", "fax.unknown_future_type", {"id": F, "status": "queued"}),
]
LEGACY = [
    {"event_id": "01H7ZK3QX1", "event": "fax.submitted", "timestamp": "2023-11-07T05:31:56Z",
     "data": {"id": "9c1a2b3d-4e5f-6789-abcd-ef0123456789", "status": "submitted",
              "to": "+15005550001", "pages": 1, "completed_at": None}},
    {"event": "fax.failed", "event_id": "01H7ZK3QX2", "timestamp": 1699335116,
     "data": {"id": "fax_01H7", "status": "failed", "to": "+15005550002", "pages": 1,
              "error_code": "LINE_BUSY", "retries_remaining": 0, "carrier": "x",
              "completed_at": "2023-11-07T05:31:56.250+00:00"}},
    {"event_id": "01H7ZK3QX3", "event": "balance.low", "timestamp": "2023-11-07T05:31:56Z",
     "data": {"available": 120, "held": 0}},
]


def seed_pages():
    """The JSON examples of the mintfax doc pages, verbatim. They were taken
    from the pages once and live in the corpus as docs-*.json (committed), so
    a clone needs nothing outside it; this rewrites them unchanged."""
    out = []
    d = os.path.join(CORPUS, "api")
    for fn in sorted(os.listdir(d)) if os.path.isdir(d) else []:
        if fn.startswith("docs-") and fn.endswith(".json"):
            with open(os.path.join(d, fn), encoding="utf-8") as f:
                out.append((fn[len("docs-"):-len(".json")], f.read()))
    return out


def api_corpus():
    for i, e in enumerate(EVENTS):
        put("api", "event-%02d-%s.json" % (i, e["type"]), js(e, pretty=(i % 2 == 0)))
    for i, e in enumerate(LEGACY):
        put("api", "legacy-%d.json" % i, js(e))
    for name, text in seed_pages():
        put("api", "docs-%s.json" % name, text)
    put("api", "events-page.json", js({"data": EVENTS[:4], "has_more": True, "next_cursor": "evt_0004"}))
    put("api", "events-page-last.json", js({"data": EVENTS[4:], "has_more": False, "next_cursor": None}))
    put("api", "events-page-empty.json", js({"data": [], "has_more": False, "next_cursor": None}))
    put("api", "faxes-page.json", js({"data": [EVENTS[3]["data"]["object"], EVENTS[4]["data"]["object"]],
                                      "has_more": True, "next_cursor": "fax_2"}))
    put("api", "fax.json", js(EVENTS[4]["data"]["object"], pretty=True))
    sub = dict(EVENTS[0]["data"]["object"])
    sub["max_attempts"] = "3"
    sub["resent_from"] = "fax_2"
    sub["tags"] = ["urgent", "q3"]
    put("api", "fax-submission.json", js(sub))
    put("api", "balance.json", js({"type": "sandbox", "available": 5000, "held": 140,
                                   "auto_top_up": {"enabled": True, "threshold_amount": 1000,
                                                   "package_id": 3}}))
    put("api", "balance-legacy.json", js({"available": 5000, "held": 0}))
    errs = [
        ("validation_failed", "fix_request", {"errors": {"to": ["must be E.164"], "file": ["required"]}}),
        ("insufficient_balance", "top_up_balance", None),
        ("unauthenticated", None, None),
        ("rate_limit_exceeded", "wait_and_retry", {"retry_after": 12}),
        ("idempotency_key_reuse", None, None),
        ("invalid_state", "fix_request", {"status": "delivered"}),
        ("service_unavailable", None, None),
    ]
    for code, action, ctx in errs:
        e = {"error": code, "message": "Something about %s." % code.replace("_", " "),
             "docs": "https://mintfax.com/docs/errors/%s" % code.replace("_", "-"),
             "request_id": "req_01J9XYZQ8KH7B3R0WXAZP8VW6F"}
        if action:
            e["action"] = action
        if ctx is not None:
            e["context"] = ctx
        put("api", "error-%s.json" % code, js(e))
    put("api", "error-relative-docs.json", js({"error": "not_found", "message": "No such fax.",
                                               "action": "fix_request", "docs": "/errors#not-found"}))
    # Hostile shapes: deep nesting, huge numbers, wrong types, NUL, bad UTF-8.
    put("api", "deep.json", "[" * 40 + "]" * 40)
    put("api", "deep-object.json", '{"data":' * 33 + "{}" + "}" * 33)
    put("api", "wrong-types.json", js({"id": 7, "type": ["fax.queued"], "created": "yesterday",
                                       "data": {"object": {"id": None, "attempts": {"0": 1},
                                                           "pages": -4, "tags": 3}}}))
    put("api", "big-numbers.json", '{"id":"evt_x","type":"balance.low","created":99999999999999999999,'
        '"data":{"object":{"available":-9223372036854775808,"held":1e308}}}')
    put("api", "bad-times.json", js(env("evt_t", "fax.sending", {
        "id": F, "status": "in_progress", "created_at": "2023-02-30T25:61:61Z",
        "attempts": [{"attempt_number": 1, "started_at": "9999-12-31T23:59:59.999999999+14:00",
                      "completed_at": "0000-01-01T00:00:00Z"}]})))
    put("api", "nul.json", b'{"id":"evt_\x00","type":"fax.queued","created":1,"data":{"object":{}}}')
    put("api", "bad-utf8.json", b'{"id":"evt_\xff\xfe","type":"fax.queued","created":1,'
        b'"data":{"object":{"id":"fax_\xc3\x28","to":"\xed\xa0\x80"}}}')
    put("api", "escapes.json", js(env("evt_e", "fax.failed", {
        "id": "fax_\u001b]0;pwned\u0007", "status": "failed", "error_code": "\u001b[31mBUSY",
        "error_message": "\u009b2J\u202e evil \ud83d\ude00"})))


def event_corpus():
    """Sequences of events (NUL-separated) applied to one model."""
    seqs = {
        "lifecycle-delivered": [EVENTS[0], EVENTS[1], EVENTS[2], EVENTS[3]],
        "out-of-order": [EVENTS[3], EVENTS[1], EVENTS[0], EVENTS[2]],
        "duplicates": [EVENTS[0], EVENTS[0], EVENTS[1], EVENTS[1]],
        "conflicting-terminal": [EVENTS[3], env("evt_x", "fax.failed", dict(EVENTS[4]["data"]["object"], id=F))],
        "failed": [EVENTS[4]],
        "balance": [EVENTS[5], EVENTS[6], EVENTS[5]],
        "legacy": LEGACY,
        "unknown": [EVENTS[8], EVENTS[7]],
    }
    for name, seq in seqs.items():
        put("event", name, b"\0".join(js(e).encode() for e in seq))


def sig_std(key, wid, ts, body):
    mac = hmac.new(key, ("%s.%s." % (wid, ts)).encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(mac).decode()


def sig_legacy(key, ts, body):
    return hmac.new(key, ("%s." % ts).encode() + body, hashlib.sha256).hexdigest()


def signature_corpus():
    """byte 0: bits 0-1 scheme (0 auto, 1 standard, 2 legacy), bit 2 two keys
    (rotation), bits 3-7 header absent (id, timestamp, signature, legacy
    signature, legacy timestamp); then id, timestamp, signature, legacy
    signature and legacy timestamp, one per line; the rest is the body."""
    body = js(EVENTS[3]).encode()
    old = base64.b64decode(OLD_SECRET[len("whsec_"):])
    wid = "evt_0004"

    def rec(flags, wid, ts, sig, lsig, lts, body):
        return bytes([flags]) + "\n".join([wid, str(ts), sig, lsig, str(lts)]).encode() + b"\n" + body

    absent_legacy = (1 << 6) | (1 << 7)
    absent_std = (1 << 3) | (1 << 4) | (1 << 5)
    put("signature", "valid-standard", rec(1 | absent_legacy, wid, NOW, sig_std(KEY, wid, NOW, body), "", "", body))
    put("signature", "valid-auto", rec(0 | absent_legacy, wid, NOW - 200, sig_std(KEY, wid, NOW - 200, body), "", "", body))
    put("signature", "valid-rotation", rec(1 | 4 | absent_legacy, wid, NOW,
                                           sig_std(old, wid, NOW, body) + " " + sig_std(KEY, wid, NOW, body), "", "", body))
    put("signature", "valid-multi-token", rec(1 | absent_legacy, wid, NOW,
                                              "v2,abc v1,AAAA " + sig_std(KEY, wid, NOW, body), "", "", body))
    put("signature", "stale", rec(1 | absent_legacy, wid, NOW - 301, sig_std(KEY, wid, NOW - 301, body), "", "", body))
    put("signature", "future", rec(1 | absent_legacy, wid, NOW + 301, sig_std(KEY, wid, NOW + 301, body), "", "", body))
    put("signature", "wrong-secret", rec(1 | absent_legacy, wid, NOW, sig_std(old, wid, NOW, body), "", "", body))
    put("signature", "bad-base64", rec(1 | absent_legacy, wid, NOW, "v1,!!!notbase64===", "", "", body))
    put("signature", "missing", rec(1 | absent_legacy | (1 << 5), wid, NOW, "", "", "", body))
    put("signature", "ts-garbage", rec(1 | absent_legacy, wid, "17471736OO", "v1,", "", "", body))
    put("signature", "ts-huge", rec(1 | absent_legacy, wid, "99999999999999999999999", "v1,x", "", "", body))
    put("signature", "ts-negative", rec(1 | absent_legacy, wid, "-1", "v1,x", "", "", body))
    put("signature", "many-tokens", rec(1 | absent_legacy, wid, NOW, " ".join(["v1,AAAA"] * 200), "", "", body))
    # The legacy scheme keys HMAC with the secret string's own bytes.
    lkey = SECRET.encode()
    put("signature", "valid-legacy", rec(2 | absent_std, "", "", "", sig_legacy(lkey, NOW, body), NOW, body))
    put("signature", "valid-legacy-auto", rec(0 | absent_std, "", "", "", sig_legacy(lkey, NOW, body), NOW, body))
    put("signature", "legacy-upper", rec(2 | absent_std, "", "", "", sig_legacy(lkey, NOW, body).upper(), NOW, body))
    put("signature", "legacy-tv1", rec(2 | absent_std, "", "", "", "t=%d, v1=%s" % (NOW, sig_legacy(lkey, NOW, body)), NOW, body))
    # Only an element's start counts as "t=", and only once (fuzzing found
    # both: a second "t=", and " t=" inside another element).
    put("signature", "legacy-two-t", rec(2 | absent_std, "", "", "", "t=1, t=%d, v1=%s" % (NOW, sig_legacy(lkey, NOW, body)), NOW, body))
    put("signature", "legacy-t-inside", rec(2 | absent_std, "", "", "", "v1=%s, x t=%s" % (sig_legacy(lkey, NOW, body), "A" * 40), NOW, body))
    put("signature", "both-schemes", rec(0, wid, NOW, sig_std(KEY, wid, NOW, body), sig_legacy(lkey, NOW, body), NOW, body))
    put("signature", "empty-body", rec(1 | absent_legacy, wid, NOW, sig_std(KEY, wid, NOW, b""), "", "", b""))


def config_corpus():
    put("config", "full", """# faxtop configuration
api-key = mfx_test_0123456789abcdef
webhook-secret = whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw
webhook-secret-old = whsec_dGhpcyBpcyB0aGUgb2xkIHNlY3JldCBrZXkh
api-base = http://127.0.0.1:8025/v1
listen = 127.0.0.1:8787
webhook-path = /webhooks/mintfax
signature-scheme = auto
timestamp-tolerance = 300
max-body-bytes = 1048576
low-balance = 2000
poll-interval = 15
theme = high-contrast
mouse = no
fps = 30
verbose = yes

bind r refresh
bind C-l redraw
bind F5 refresh
bind Enter open
""")
    put("config", "minimal", "listen = [::1]:0\n")
    put("config", "errors", "listne = 127.0.0.1:1\nfps = 1000\nmouse = maybe\nlow-balance = -2\n"
        "timestamp-tolerance = 99999999999999999999999\n= value\nkey-without-value\n")
    put("config", "quoting", 'api-base = "http://127.0.0.1:1/v1"   # comment\n'
        "theme='mono'\n\tlisten\t=\t:0\r\nwebhook-path = /a b\n")
    put("config", "binds", "".join("bind %s action%d\n" % (k, i) for i, k in
                                   enumerate(["a", "M-x", "C-", "F99", "\x1b[A", "Enter", "Space", ""])))
    put("config", "binary", b"api-key = \xff\xfe\x00mfx\nlisten = \x1b]0;x\x07\n" + b"x" * 5000 + b"\n")
    put("config", "long-line", "webhook-path = /" + "a" * 8000 + "\n")


def sanitize_corpus():
    texts = [b"plain ascii", "caf\u00e9 \u4e2d\u6587 e\u0301 \U0001f600".encode(),
             b"\x1b[31mred\x1b[0m", b"\x1b]0;title\x07after", b"\x1b]2;t\x1b\\x", b"\x1bP+q\x1b\\",
             b"\x9b2J\xc2\x9b2J", b"\xc2\x9d8;;http://x\xc2\x9c", b"\xff\xfe\xc3\x28\xed\xa0\x80\xf4\x90\x80\x80",
             b"tab\there\r\nnew\x7f", "\u202eevil\u202c \u2066x\u2069 \u2028".encode(),
             b"\x1b[" + b"9" * 300 + b"m", b"\x1b", b"\xe4\xb8"]
    for i, t in enumerate(texts):
        for flags in (1, 7, 0, 6):
            put("sanitize", "t%02d-f%d" % (i, flags), bytes([flags, 5, 0 if flags & 1 else 9]) + t)


def http_requests():
    """Raw requests as mintfax (Standard Webhooks) and curl send them."""
    body = js(EVENTS[3]).encode()
    reqs = {}

    def post(path, body, headers, ver="HTTP/1.1"):
        h = "POST %s %s\r\nHost: 127.0.0.1:8787\r\nUser-Agent: mintfax-webhooks/1.0\r\n" % (path, ver)
        h += "Content-Type: application/json\r\nContent-Length: %d\r\n" % len(body)
        for k, v in headers:
            h += "%s: %s\r\n" % (k, v)
        return h.encode() + b"\r\n" + body

    def std(wid, ts, b):
        return [("webhook-id", wid), ("webhook-timestamp", str(ts)), ("webhook-signature", sig_std(KEY, wid, ts, b))]

    reqs["valid"] = post("/webhooks/mintfax", body, std("evt_0004", NOW, body))
    reqs["valid-legacy"] = post("/webhooks/mintfax", body, [("X-Mintfax-Signature", sig_legacy(SECRET.encode(), NOW, body)),
                                                           ("X-Mintfax-Timestamp", str(NOW))])
    two = post("/webhooks/mintfax", js(EVENTS[0]).encode(), std("evt_0001", NOW, js(EVENTS[0]).encode()))
    reqs["pipelined"] = two + reqs["valid"] + b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
    reqs["healthz"] = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    reqs["not-found"] = b"GET /nope?x=%41%zz HTTP/1.1\r\nHost: x\r\n\r\n"
    reqs["wrong-method"] = b"DELETE /webhooks/mintfax HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"
    reqs["unsigned"] = post("/webhooks/mintfax", body, [])
    reqs["bad-json-signed"] = post("/webhooks/mintfax", b"{not json", std("evt_bad", NOW, b"{not json"))
    reqs["chunked"] = (b"POST /webhooks/mintfax HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                       + "".join("%s: %s\r\n" % kv for kv in std("evt_0004", NOW, body)).encode()
                       + b"\r\n" + b"%x\r\n" % len(body) + body + b"\r\n0\r\n\r\n")
    # Trailers after a chunked body (a crash once fixed in http_server, 9ffbb47).
    reqs["chunked-trailers"] = reqs["chunked"][:-2] + b"".join(
        b"X-Trailer-%d: %s\r\n" % (i, b"t" * 40) for i in range(120)) + b"\r\n"
    reqs["http10"] = post("/webhooks/mintfax", body, std("evt_0004", NOW, body), ver="HTTP/1.0")
    reqs["expect-continue"] = post("/webhooks/mintfax", body, [("Expect", "100-continue")] + std("evt_0004", NOW, body))
    reqs["too-large-cl"] = b"POST /webhooks/mintfax HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999\r\n\r\nabc"
    reqs["bad-cl"] = b"POST /webhooks/mintfax HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\nabcdefg"
    reqs["garbage"] = b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + bytes(range(256))
    reqs["truncated"] = reqs["valid"][:len(reqs["valid"]) // 2]
    reqs["header-flood"] = b"GET /healthz HTTP/1.1\r\n" + b"".join(b"X-H%d: %s\r\n" % (i, b"v" * 60) for i in range(300)) + b"\r\n"
    reqs["bare-lf"] = b"GET /healthz HTTP/1.1\nHost: x\n\n"
    reqs["upgrade"] = b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n"
    reqs["encoded-path"] = post("/webhooks/%6Dintfax", body, std("evt_0004", NOW, body))
    # 'S' + body: the target signs it (see fuzz_http.c), so mutations reach ingest.
    for i, e in enumerate(EVENTS + LEGACY):
        reqs["signed-%02d" % i] = b"S" + js(e).encode()
    reqs["signed-garbage"] = b"S{\"id\":\"evt_g\",\"type\":\"fax.sending\",\"created\":1,\"data\":{\"object\":[]}}"
    return reqs


def json_corpus():
    """The reader against json-c (fuzz_json.c): the real bodies, and the
    edges where the two could part: escapes and surrogates, numbers at and
    beyond int64, duplicate keys, depth, whitespace, truncation."""
    put("json", "events-page.json", js({"data": EVENTS[:4], "has_more": True, "next_cursor": "evt_0004"}))
    put("json", "events-page-pretty.json", js({"data": EVENTS[4:], "has_more": False, "next_cursor": None}, pretty=True))
    put("json", "legacy.json", js(LEGACY[0]))
    put("json", "escapes.json", r'["\"\\\/\b\f\n\r\t", "\u00e9\u20ac", "\ud83d\ude00", "\ud83d", "\ude00\ud83d",'
        r' "\ud83dx", "\ud83d\u0041", "\ud83d\ud83d\ude00", "\u0000", "\uDBFF\uDFFF"]')
    put("json", "raw-bytes.json", b'["\xff\xfe", "\xc3", "a\tb\x01\x7f", "\xe2\x82\xac"]')
    put("json", "numbers.json", "[0, -0, 1, -1, 9223372036854775807, 9223372036854775808, -9223372036854775808,"
        " -9223372036854775809, 18446744073709551615, 18446744073709551616, 99999999999999999999999,"
        " 1.0, -0.0, 1e3, 1E+3, 1.5e-3, 1.5e400, 123456789012345678901234567890.5]")
    put("json", "lax-numbers.json", "[00, -01, 1., 1.e3]")
    put("json", "dup-keys.json", r'{"a":1,"b":2,"a":3,"":4,"a\u0000b":5,"a":{"x":"1","y":[],"x":"2"}}')
    put("json", "literals.json", '[true, false, null, {"t":true,"f":false,"n":null}]')
    put("json", "whitespace.json", ' \t\r\n{ "a" : [ 1 , 2 ] }\n\x0b\x0c ')
    put("json", "scalar-root", "1")
    put("json", "null-root", "null")
    put("json", "deep-ok.json", "[" * 31 + "1" + "]" * 31)
    put("json", "deep-array.json", "[" * 32 + "]" * 32)
    put("json", "deep-too.json", "[" * 32 + "1" + "]" * 32)
    put("json", "truncated.json", js(EVENTS[0])[:-7])
    put("json", "trailing.json", '{"a":1} x')
    put("json", "errors.json", '{"error":"invalid_request","message":"x","context":{"errors":'
        '{"to":["bad",7,null,{"a":[1]}],"pages":"no","to":"dup"}}}')


def main():
    json_corpus()
    api_corpus()
    event_corpus()
    signature_corpus()
    config_corpus()
    sanitize_corpus()
    for name, data in http_requests().items():
        put("http", name, data)


if __name__ == "__main__":
    main()
