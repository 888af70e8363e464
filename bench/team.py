#!/usr/bin/python3
"""Team mode's benchmarks (issue 18), `make bench-team`: webhook ingest into
the PostgreSQL store with one and with two receivers, beside faxtop on its
SQLite store in the same run and under the same load (bench/loadgen:
random ids, 3 to 5 events per fax); and the latency from a webhook posted
to one receiver to the moment another instance's model holds the event
(its --headless line, printed once the event is in that instance's cache:
what its screen draws next frame), at 500 events/s.

A throwaway PostgreSQL cluster of its own, in a temporary directory, run by
an unprivileged user, on a free loopback port; removed at the end.
Environment: as bench/suite.py (top_srcdir, top_builddir), plus
BENCH_TEAM_EVENTS (20000) and BENCH_TEAM_RUNS (2)."""

import json
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import suite as S  # noqa: E402  (its helpers: start, stop, loadgen, records)

EVENTS = int(os.environ.get("BENCH_TEAM_EVENTS", "20000"))
RUNS = int(os.environ.get("BENCH_TEAM_RUNS", "2"))
PG_BIN = sorted((os.path.join("/usr/lib/postgresql", v, "bin")
                 for v in os.listdir("/usr/lib/postgresql")), key=lambda p: [
    int(x) if x.isdigit() else x for x in p.split("/")[-2].split(".")])[-1] \
    if os.path.isdir("/usr/lib/postgresql") else None


class Cluster:
    """initdb, start, a database per run, stop, remove."""

    def __init__(self):
        # Not under S.WORK: the cluster's user must reach its directory.
        self.dir = tempfile.mkdtemp(prefix="faxtop-bench-pg.", dir="/tmp")
        self.user = None
        if os.getuid() == 0:
            self.user = pwd.getpwnam("postgres")
            os.chown(self.dir, self.user.pw_uid, self.user.pw_gid)
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        self.port = s.getsockname()[1]
        s.close()
        self.password = os.urandom(12).hex()
        pw = os.path.join(self.dir, "pw")
        with open(os.open(pw, os.O_WRONLY | os.O_CREAT, 0o600), "w") as f:
            f.write(self.password + "\n")
        if self.user:
            os.chown(pw, self.user.pw_uid, self.user.pw_gid)
        self.run([os.path.join(PG_BIN, "initdb"), "-D", self.data, "-U", "faxtop",
                  "--pwfile=" + pw, "--auth=scram-sha-256", "-E", "UTF8",
                  "--locale=C.UTF-8", "--no-sync"])
        os.unlink(pw)
        with open(os.path.join(self.data, "postgresql.conf"), "a") as f:
            f.write("listen_addresses = '127.0.0.1'\nport = %d\n"
                    "unix_socket_directories = '%s'\nmax_connections = 40\n"
                    % (self.port, self.dir))
        self.run([os.path.join(PG_BIN, "pg_ctl"), "-D", self.data, "-l",
                  os.path.join(self.dir, "log"), "-w", "start"])
        self.pgpass = os.path.join(S.WORK, "pgpass")
        with open(os.open(self.pgpass, os.O_WRONLY | os.O_CREAT, 0o600), "w") as f:
            f.write("127.0.0.1:%d:*:faxtop:%s\n" % (self.port, self.password))

    @property
    def data(self):
        return os.path.join(self.dir, "data")

    def run(self, argv):
        pre = []
        if self.user:
            pre = ["setpriv", "--reuid=%d" % self.user.pw_uid,
                   "--regid=%d" % self.user.pw_gid, "--clear-groups"]
        subprocess.run(pre + argv, check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, cwd=self.dir)

    def env(self, db="postgres"):
        return {"PGHOST": "127.0.0.1", "PGPORT": str(self.port), "PGUSER": "faxtop",
                "PGDATABASE": db, "PGPASSFILE": self.pgpass}

    def psql(self, sql, db="postgres"):
        return subprocess.run(["psql", "-qAt", "-c", sql], env=S.env(**self.env(db)),
                              check=True, capture_output=True, text=True).stdout.strip()

    def fresh(self, name):
        self.psql("DROP DATABASE IF EXISTS %s" % name)
        self.psql("CREATE DATABASE %s" % name)
        return name

    def stop(self):
        try:
            self.run([os.path.join(PG_BIN, "pg_ctl"), "-D", self.data, "-m", "fast", "-w",
                      "stop"])
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


def start_team(pg, db, d, name, extra=(), out=subprocess.DEVNULL):
    os.makedirs(d, exist_ok=True)
    ready = os.path.join(d, name + ".ready")
    p = S.start([S.FAXTOP, "--headless", "--store", "postgresql://", "--operator",
                 "bench@" + name, "--db", os.path.join(d, name + ".db"), "--listen",
                 "127.0.0.1:0", "--ready-file", ready] + list(extra),
                env=S.env(**pg.env(db)), stdout=out,
                stderr=open(os.path.join(d, name + ".err"), "w"))
    addr = S.wait_file(ready, proc=p)
    # The listener answers 503 until the shared store is ready.
    end = time.time() + 30
    while time.time() < end:
        try:
            with socket.create_connection(tuple(addr.rsplit(":", 1))) as c:
                c.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                if b'"store_ok":true' in c.recv(4096):
                    return p, addr
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError("%s: the shared store never became ready" % name)


def loadgen_async(addr, label, tag, count, conns, rate=None, sent_log=None):
    box = {}

    def go():
        box["res"] = S.run_loadgen(addr, label, tag, count, conns, rate=rate,
                                   sent_log=sent_log)
    t = threading.Thread(target=go)
    t.start()
    return t, box


def ingest(pg, mode, r):
    """One closed-loop run: rate, latency, and the CPU of every receiver."""
    d = S.fresh_dir("team-%s-%d" % (mode, r))
    procs = []
    if mode == "sqlite":
        p, addr = S.start_faxtop_headless(d)
        procs.append((p, addr))
    else:
        db = pg.fresh("bench_%s_%d" % (mode.replace("-", "_"), r))
        for i in range(1 if mode == "pg-1" else 2):
            procs.append(start_team(pg, db, d, "rx%d" % i))
    for i, (p, addr) in enumerate(procs):
        S.warm_up(addr, "w%s%d%d" % (mode, r, i))
    c0 = [S.cpu_ticks(p.pid) for p, _ in procs]
    t0 = time.time()
    share = EVENTS // len(procs)
    runs = [loadgen_async(addr, mode, "t%s%d%d" % (mode, r, i), share, 32)
            for i, (_, addr) in enumerate(procs)]
    for t, _ in runs:
        t.join()
    wall = time.time() - t0
    res = {"bench": "team_ingest", "mode": mode, "run": r, "events": share * len(procs),
           "ok": sum(b["res"]["ok"] for _, b in runs),
           "rate": sum(b["res"]["ok"] for _, b in runs) / wall,
           "p99_ms": max(b["res"]["p99_ms"] for _, b in runs),
           "p50_ms": max(b["res"]["p50_ms"] for _, b in runs),
           "cpu_s": sum((S.cpu_ticks(p.pid) - c) / S.HZ for (p, _), c in zip(procs, c0)),
           "load": os.getloadavg()[0]}
    if mode != "sqlite":
        res["stored"] = int(pg.psql("SELECT count(*) FROM events", db))
    for p, _ in procs:
        S.stop(p)
    S.record(**res)
    S.log("team ingest %s: %.0f events/s, p99 %.1f ms, %.1f CPU s, load %.1f"
          % (mode, res["rate"], res["p99_ms"], res["cpu_s"], res["load"]))
    return res


def latency(pg, r, rate=500, seconds=20):
    """Receiver A takes the webhooks; instance B follows the store. For
    each event: B's line time minus the time the load generator sent it."""
    d = S.fresh_dir("team-latency-%d" % r)
    db = pg.fresh("bench_latency_%d" % r)
    a, addr = start_team(pg, db, d, "a")
    b, _ = start_team(pg, db, d, "b", out=subprocess.PIPE)
    seen = {}

    def reader():
        for line in b.stdout:
            now = int(time.time() * 1e6)
            try:
                seen.setdefault(json.loads(line)["id"], now)
            except (ValueError, KeyError, TypeError):
                pass
    t = threading.Thread(target=reader, daemon=True)
    t.start()
    S.warm_up(addr, "wlat%d" % r)
    sent_log = os.path.join(d, "sent")
    S.run_loadgen(addr, "latency", "lat%d" % r, rate * seconds, 8, rate=rate, sent_log=sent_log)
    time.sleep(2)
    lat = []
    missing = 0
    with open(sent_log) as f:
        for line in f:
            eid, us = line.split()
            if eid in seen:
                lat.append((seen[eid] - int(us)) / 1000.0)
            else:
                missing += 1
    S.stop(a)
    S.stop(b)
    lat.sort()
    res = {"bench": "team_latency", "run": r, "rate": rate, "n": len(lat), "missing": missing,
           "p50_ms": S.pct(lat, 50), "p99_ms": S.pct(lat, 99), "max_ms": lat[-1] if lat else None,
           "load": os.getloadavg()[0]}
    S.record(**res)
    S.log("team latency at %d/s: p50 %.1f ms, p99 %.1f ms, max %.1f ms, %d missing"
          % (rate, res["p50_ms"], res["p99_ms"], res["max_ms"] or 0, missing))
    return res


def main():
    if not PG_BIN:
        sys.exit("bench-team: the PostgreSQL server is not installed")
    os.makedirs(S.RESULTS_DIR, exist_ok=True)
    pg = Cluster()
    rows = []
    try:
        for r in range(RUNS):
            for mode in ("sqlite", "pg-1", "pg-2"):
                rows.append(ingest(pg, mode, r))
            rows.append(latency(pg, r))
    finally:
        for p in list(S.children):
            S.stop(p)
        pg.stop()
        shutil.rmtree(S.WORK, ignore_errors=True)
    print("| run | what | events/s | ack p50 ms | ack p99 ms | CPU s | load |")
    print("|---|---|---|---|---|---|---|")
    for x in rows:
        if x["bench"] == "team_ingest":
            print("| %d | ingest, %s | %.0f | %.1f | %.1f | %.1f | %.1f |"
                  % (x["run"], x["mode"], x["rate"], x["p50_ms"], x["p99_ms"], x["cpu_s"],
                     x["load"]))
        else:
            print("| %d | receiver → other instance, %d/s | (p50 %.1f ms) | | %.1f (max %.1f) "
                  "| | %.1f |" % (x["run"], x["rate"], x["p50_ms"], x["p99_ms"],
                                  x["max_ms"] or 0, x["load"]))


if __name__ == "__main__":
    main()
