#!/usr/bin/env python3
"""Scale-out throughput: records/s from signed Discourse webhooks through the parser into the store.

Runs, on this machine, with the chorus binary given:
  embedded   one `chorus serve` (all roles, SQLite + the embedded bus)
  kafka+pg/1 api, webhook, reports and ONE parser as separate processes on `chorus dev-cluster` and a
             throwaway PostgreSQL
  kafka+pg/2 the same with TWO parser processes in the parser group

Two measurements per set-up:
  end-to-end  C clients post N webhooks as fast as they are answered; the clock stops when the last
              record is in the store (every source's items_total reaches its count)
  drain       (scale-out only) the N webhooks are posted while no parser runs; the parsers start and
              the clock runs from the first stored record to the last, so it measures parsing alone

and the CPU each process used in the measured window (utime + stime from /proc). Items go to W
workspaces (the partition key), so two parsers can share the work. PostgreSQL runs with its default
durability (fsync on) unless --pg-fast.

  bench/scale/scale_bench.py --chorus build/chorus [--items 2000] [--clients 8] [--workspaces 32]
                             [--markdown FILE]   # appends the result section to FILE
"""
import argparse
import hashlib
import hmac
import http.client
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

SECRET = "bench-webhook-secret"
ADMIN_KEY = "chadm_bench_admin"
MASTER_KEY = "5a" * 32
KAFKA_CONFIG = "consumer.session.timeout.ms=3000,consumer.heartbeat.interval.ms=500"
if os.environ.get("BENCH_KAFKA_CONFIG"):
    KAFKA_CONFIG += "," + os.environ["BENCH_KAFKA_CONFIG"]
TICK = os.sysconf("SC_CLK_TCK")


def murmur2(data):
    """Kafka's default partitioner hash (librdkafka's murmur2_random, the Java client's)."""
    seed, m = 0x9747B28C, 0x5BD1E995
    h = (seed ^ len(data)) & 0xFFFFFFFF
    i = 0
    while len(data) - i >= 4:
        k = (int.from_bytes(data[i:i + 4], "little") * m) & 0xFFFFFFFF
        k = ((k ^ (k >> 24)) * m) & 0xFFFFFFFF
        h = ((h * m) & 0xFFFFFFFF) ^ k
        i += 4
    rest = len(data) - i
    if rest == 3:
        h ^= data[i + 2] << 16
    if rest >= 2:
        h ^= data[i + 1] << 8
    if rest >= 1:
        h = ((h ^ data[i]) * m) & 0xFFFFFFFF
    h = ((h ^ (h >> 13)) * m) & 0xFFFFFFFF
    return h ^ (h >> 15)


def partition_spread(workspace_ids, partitions=4):
    counts = [0] * partitions
    for w in workspace_ids:
        counts[(murmur2(str(w).encode()) & 0x7FFFFFFF) % partitions] += 1
    return counts


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime


class Postgres:
    """A throwaway server in a temp dir, run as the postgres user when we are root."""

    def __init__(self, fast):
        bindirs = sorted(d for d in (f"/usr/lib/postgresql/{v}/bin" for v in os.listdir("/usr/lib/postgresql"))
                         if os.path.exists(d + "/initdb"))
        if not bindirs:
            sys.exit("PostgreSQL server binaries not found: install the postgresql package")
        self.bin = bindirs[-1]
        self.dir = tempfile.mkdtemp(prefix="chorus-bench-pg-")
        self.as_owner = []
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
            self.as_owner = ["runuser", "-u", "postgres", "--"]
        self.port = free_port()
        self.run("initdb", "-D", self.dir + "/data", "-U", "chorus", "-A", "trust", "-E", "UTF8", "--locale=C")
        opts = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c max_connections=200"
        if fast:
            opts += " -c fsync=off -c synchronous_commit=off"
        self.run("pg_ctl", "-D", self.dir + "/data", "-l", self.dir + "/log", "-w", "-o", opts, "start")
        self.databases = 0

    def cpu_seconds(self):
        """CPU of the postmaster and every backend it has now (connections are pooled: they persist)."""
        with open(self.dir + "/data/postmaster.pid") as f:
            postmaster = int(f.readline())
        total = cpu_seconds(postmaster)
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                with open(f"/proc/{pid}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                if int(fields[1]) == postmaster:
                    total += (int(fields[11]) + int(fields[12])) / TICK
            except (OSError, IndexError):
                pass
        return total

    def run(self, tool, *args):
        subprocess.run(self.as_owner + [f"{self.bin}/{tool}", *args], check=True, stdout=subprocess.DEVNULL)

    def database(self):
        self.databases += 1
        name = f"bench{self.databases}"
        subprocess.run(self.as_owner + [f"{self.bin}/psql", "-q", "-h", "127.0.0.1", "-p", str(self.port), "-U",
                                        "chorus", "-d", "postgres", "-c", f"CREATE DATABASE {name}"], check=True)
        return f"postgresql://chorus@127.0.0.1:{self.port}/{name}"

    def close(self):
        subprocess.run(self.as_owner + [f"{self.bin}/pg_ctl", "-D", self.dir + "/data", "-m", "fast", "-w", "stop"],
                       stdout=subprocess.DEVNULL)
        shutil.rmtree(self.dir, ignore_errors=True)


class Deployment:
    """chorus processes (and a dev-cluster) with logs in one temp dir."""

    def __init__(self, chorus, bus, store_url=None):
        self.chorus, self.bus, self.store_url = chorus, bus, store_url
        self.dir = tempfile.mkdtemp(prefix="chorus-bench-")
        self.procs, self.urls, self.brokers = {}, {}, None
        if bus == "kafka":
            log = open(f"{self.dir}/dev-cluster.log", "w")
            p = subprocess.Popen([chorus, "dev-cluster", "--brokers", "3", "--partitions", "4"],
                                 stdout=subprocess.PIPE, stderr=log, text=True)
            self.brokers = p.stdout.readline().strip()
            self.procs["dev-cluster"] = p

    def start(self, name, roles):
        data = f"{self.dir}/data-{name}"
        os.makedirs(data, exist_ok=True)
        args = [self.chorus, "serve", "--roles", roles, "--egress-allow", "127.0.0.0/8", "--listen", "127.0.0.1:0",
                "--data-dir", data]
        if self.bus == "kafka":
            args += ["--bus", "kafka", "--kafka-brokers", self.brokers, "--store", "postgres",
                     "--postgres-url", self.store_url]
        env = dict(os.environ, CHORUS_ADMIN_KEY=ADMIN_KEY, CHORUS_MASTER_KEY=MASTER_KEY,
                   CHORUS_KAFKA_CONFIG=KAFKA_CONFIG)
        log_path = f"{self.dir}/{name}.log"
        p = subprocess.Popen(args, stdout=open(log_path, "w"), stderr=subprocess.STDOUT, env=env)
        self.procs[name] = p
        deadline = time.time() + 60
        while time.time() < deadline:
            text = open(log_path).read()
            m = re.search(r"Chorus is (?:listening on (http://127\.0\.0\.1:\d+)|running)", text)
            if m:
                if m.group(1):
                    self.urls[name] = m.group(1)
                return p
            if p.poll() is not None:
                sys.exit(f"{name} exited: {text[-2000:]}")
            time.sleep(0.05)
        sys.exit(f"{name} did not start; see {log_path}")

    def stop(self, name):
        p = self.procs.pop(name)
        p.send_signal(signal.SIGTERM)
        p.wait(60)

    def close(self):
        for p in self.procs.values():
            p.send_signal(signal.SIGTERM)
        for p in self.procs.values():
            try:
                p.wait(30)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


def request(conn, method, path, body=None, headers=None):
    conn.request(method, path, body=body, headers=headers or {})
    r = conn.getresponse()
    return r.status, r.read()


class Tenants:
    """One customer with W workspaces, each with a Discourse source that takes signed webhooks."""

    def __init__(self, api_url, webhook_url, workspaces):
        self.api = http.client.HTTPConnection(api_url.split("//")[1])
        self.webhook_host = webhook_url.split("//")[1]
        status, body = request(self.api, "POST", "/v1/customers", json.dumps({"name": "bench"}),
                               {"Authorization": f"Bearer {ADMIN_KEY}"})
        assert status == 201, body
        self.key = json.loads(body)["api_key"]
        self.sources = []  # (workspace, source)
        for w in range(workspaces):
            spec = {"name": f"ws{w}", "sources": [{"type": "discourse", "name": "forum",
                                                   "config": {"base_url": "http://127.0.0.1:9"},
                                                   "webhook": {"scheme": "discourse", "secret": SECRET}}]}
            status, body = request(self.api, "POST", "/v1/workspaces", json.dumps(spec), self.auth())
            assert status == 201, body
            ws = json.loads(body)
            self.sources.append((ws["id"], ws["sources"][0]["id"]))

    def auth(self):
        return {"Authorization": f"Bearer {self.key}"}

    def stored(self):
        total = 0
        for ws, src in self.sources:
            status, body = request(self.api, "GET", f"/v1/workspaces/{ws}/sources/{src}", headers=self.auth())
            total += json.loads(body)["status"]["items_total"] if status == 200 else 0
        return total

    def post(self, ids, clients):
        """Posts post ids over `clients` keep-alive connections; returns the seconds it took."""
        failures = []

        def worker(part):
            conn = http.client.HTTPConnection(self.webhook_host)
            for i in part:
                ws, src = self.sources[i % len(self.sources)]
                body = json.dumps({"post": {"id": i, "cooked": f"<p>Post {i}: the export to CSV fails after the "
                                            f"update and the sync of project {i % 97} never finishes</p>",
                                            "created_at": "2026-03-01T10:00:00Z", "topic_id": 1,
                                            "post_number": 1}})
                sig = hmac.new(SECRET.encode(), body.encode(), hashlib.sha256).hexdigest()
                status, _ = request(conn, "POST", f"/v1/hooks/{src}", body,
                                    {"Content-Type": "application/json", "X-Discourse-Event": "post_created",
                                     "X-Discourse-Event-Signature": f"sha256={sig}"})
                if status != 202:
                    failures.append(status)

        parts = [ids[c::clients] for c in range(clients)]
        threads = [threading.Thread(target=worker, args=(p,)) for p in parts]
        start = time.time()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if failures:
            sys.exit(f"{len(failures)} webhooks were not accepted: {sorted(set(failures))}")
        return time.time() - start

    def wait_stored(self, target, timeout=600):
        """Polls until `target` records are stored; returns (time of first growth, time of completion)."""
        first, start_count = None, self.stored()
        deadline = time.time() + timeout
        while time.time() < deadline:
            n = self.stored()
            if first is None and n > start_count:
                first = time.time()
            if n >= target:
                return first or time.time(), time.time()
            time.sleep(0.1)
        sys.exit(f"only {self.stored()} of {target} records arrived in {timeout} s")


def measure(deployment, window, pg=None):
    """CPU seconds per process over `window()`, and the window's result."""
    pids = {n: p.pid for n, p in deployment.procs.items()}
    before = {n: cpu_seconds(pid) for n, pid in pids.items()}
    own_before = sum(os.times()[:2])
    pg_before = pg.cpu_seconds() if pg else 0
    result = window()
    cpu = {n: cpu_seconds(pid) - before[n] for n, pid in pids.items() if n in deployment.procs}
    cpu["load generator"] = sum(os.times()[:2]) - own_before
    if pg:
        cpu["postgres"] = pg.cpu_seconds() - pg_before
    return result, cpu


def run_embedded(args):
    d = Deployment(args.chorus, "embedded")
    try:
        d.start("chorus", "all")
        t = Tenants(d.urls["chorus"], d.urls["chorus"], args.workspaces)
        t.post(list(range(args.workspaces)), 1)  # warm-up
        t.wait_stored(args.workspaces)
        ids = list(range(args.workspaces, args.workspaces + args.items))

        def window():
            start = time.time()
            posting = t.post(ids, args.clients)
            _, done = t.wait_stored(args.workspaces + args.items)
            return posting, done - start

        (posting, total), cpu = measure(d, window)
        return {"setup": "embedded (1 process)", "posting": posting, "e2e": total, "cpu_e2e": cpu}
    finally:
        d.close()


def run_scaleout(args, pg, parsers):
    d = Deployment(args.chorus, "kafka", pg.database())
    try:
        d.start("api", "api")
        d.start("webhook", "webhook")
        d.start("reports", "reports")
        names = [f"parser-{i + 1}" for i in range(parsers)]
        for n in names:
            d.start(n, "parser")
        time.sleep(8)  # the parser group settles (the mock cluster rebalances slowly)
        t = Tenants(d.urls["api"], d.urls["webhook"], args.workspaces)
        t.post(list(range(args.workspaces)), 1)
        stored = args.workspaces
        t.wait_stored(stored)
        ids = list(range(stored, stored + args.items))

        def e2e():
            start = time.time()
            posting = t.post(ids, args.clients)
            _, done = t.wait_stored(stored + args.items)
            return posting, done - start

        (posting, total), cpu_e2e = measure(d, e2e, pg)
        stored += args.items

        # Drain: the backlog waits in Kafka while no parser runs.
        for n in names:
            d.stop(n)
        backlog = list(range(stored, stored + args.items))
        t.post(backlog, args.clients)
        for n in names:
            d.start(n, "parser")

        def drain():
            first, done = t.wait_stored(stored + args.items)
            return done - first

        drain_s, cpu_drain = measure(d, drain, pg)
        return {"setup": f"kafka+postgres ({parsers} parser{'s' if parsers > 1 else ''})", "posting": posting,
                "spread": partition_spread(ws for ws, _ in t.sources),
                "e2e": total, "drain": drain_s, "cpu_e2e": cpu_e2e, "cpu_drain": cpu_drain}
    finally:
        d.close()


def cpu_line(cpu, seconds):
    return ", ".join(f"{n} {100 * c / seconds:.0f}%" for n, c in sorted(cpu.items(), key=lambda x: -x[1]) if c > 0.01)


def report(results, args):
    cpu_model = "unknown CPU"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg()[0]
    lines = [
        "## Scale-out: webhook -> parser -> store, embedded vs Kafka + PostgreSQL (`bench/scale/scale_bench.py`)",
        "",
        f"**Run** {time.strftime('%a %b %d %H:%M:%S UTC %Y', time.gmtime())}, {cpu_model} "
        f"({os.cpu_count()} vCPUs, shared with other work; load average {load:.1f} at the end), "
        f"{platform.system()} {platform.release()}. {args.items} Discourse webhooks per measurement from "
        f"{args.clients} keep-alive clients over {args.workspaces} workspaces; Kafka is `chorus dev-cluster` "
        f"(librdkafka's mock cluster, 3 brokers, 4 partitions); PostgreSQL 15 with "
        f"{'fsync off' if args.pg_fast else 'default durability (fsync on)'}.",
        "",
        "| set-up | posting (202s/s) | end-to-end records/s | parse-only drain records/s |",
        "|---|---:|---:|---:|",
    ]
    for r in results:
        drain = f"{args.items / r['drain']:.0f}" if "drain" in r else "n/a"
        lines.append(f"| {r['setup']} | {args.items / r['posting']:.0f} | {args.items / r['e2e']:.0f} | {drain} |")
    spread = next((r["spread"] for r in results if "spread" in r), None)
    if spread:
        lines += ["", f"Workspaces per partition (the key decides): {spread}. Two parsers split the 4 partitions "
                      f"two and two (range assignor: 0+1 and 2+3), so the busier parser has {max(sum(spread[:2]), sum(spread[2:]))} of "
                      f"{sum(spread)} workspaces: that share caps what a second parser can add."]
    lines += ["", "CPU per process over each window (100% = one core; the window's length in brackets):", ""]
    for r in results:
        lines.append(f"- {r['setup']}, end-to-end ({r['e2e']:.1f} s): {cpu_line(r['cpu_e2e'], r['e2e'])}")
        if "drain" in r:
            lines.append(f"- {r['setup']}, drain ({r['drain']:.1f} s): {cpu_line(r['cpu_drain'], r['drain'])}")
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--chorus", default="build/chorus")
    ap.add_argument("--items", type=int, default=2000)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--workspaces", type=int, default=32)
    ap.add_argument("--pg-fast", action="store_true", help="run PostgreSQL with fsync off")
    ap.add_argument("--markdown", help="append the result section to this file")
    args = ap.parse_args()
    args.chorus = os.path.abspath(args.chorus)
    results = [run_embedded(args)]
    print(f"embedded done: {results[-1]['e2e']:.1f} s", file=sys.stderr)
    pg = Postgres(args.pg_fast)
    try:
        for parsers in (1, 2):
            results.append(run_scaleout(args, pg, parsers))
            print(f"{parsers} parser(s) done", file=sys.stderr)
    finally:
        pg.close()
    text = report(results, args)
    print(text)
    if args.markdown:
        with open(args.markdown, "a") as f:
            f.write("\n" + text)


if __name__ == "__main__":
    main()
