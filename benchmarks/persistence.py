#!/usr/bin/python3
"""Durability costs of kevy against redis-server, same machine, same run, alternating.

For each server (pinned to SERVER_CPU; redis-benchmark on CLIENT_CPU):
  1. load N keys (SET key:i with a 32-byte value, through redis-cli --pipe);
  2. p99 of SET (P1, 50 connections, random keys) for a fixed number of requests -- once
     without and once during back-to-back BGREWRITEAOFs (appendonly yes, everysec; median
     rewrite time reported), and the peak RSS during the rewrites against the RSS before
     (Redis: the server plus its fork child, whose copy-on-write pages are what the host has
     to provide);
  3. BGSAVE wall time (polled INFO) and the load time of the resulting dump.rdb at start-up
     (process start to the first PING answered).
Usage: benchmarks/persistence.py [--keys 1000000] [--rounds 1] [--kevy build/kevy-server]

--bgsave-loop measures instead the p99 of SET while BGSAVEs run back to back (appendonly no):
load N keys, p99 / p99.9 / max without a save, then the same while a thread starts a BGSAVE, waits for it to end
and starts the next until the benchmark is over. kevy's coordinator writes the dump, so its
clients see whatever the file I/O costs its loop. `--kevy-old PATH` adds a second kevy binary
(e.g. a build of an older commit) to the same alternating rounds; `--no-redis` leaves Redis out.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import tempfile
import threading
import time

import redis

from bench_util import free_port


def rss_kb(pid):
    total = 0
    pids = [pid]
    try:  # Redis's fork child counts too
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            pids += [int(x) for x in f.read().split()]
    except OSError:
        pass
    for p in pids:
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total


class Server:
    def __init__(self, argv, cpu, d):
        self.port = free_port()
        self.dir = d
        self.t0 = time.time()
        self.proc = subprocess.Popen(["taskset", "-c", str(cpu)] + argv +
                                     ["--port", str(self.port), "--dir", d],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=d)
        self.r = redis.Redis(port=self.port)
        while True:
            try:
                self.r.ping()
                break
            except (redis.ConnectionError, redis.BusyLoadingError):
                time.sleep(0.005)
            except redis.ResponseError:
                time.sleep(0.005)
        self.ready_s = time.time() - self.t0

    def stop(self):
        self.proc.kill()
        self.proc.wait()


def load(port, n):
    lines = "".join(f"SET key:{i} {'v' * 32}\r\n" for i in range(n)).encode()
    subprocess.run(["redis-cli", "-p", str(port), "--pipe"], input=lines, check=True,
                   stdout=subprocess.DEVNULL)


def bench_p99(port, cpu, requests):
    out = subprocess.run(["taskset", "-c", str(cpu), "redis-benchmark", "-p", str(port), "-t",
                          "set", "-n", str(requests), "-c", "50", "-r", "1000000", "-P", "1",
                          "--csv"], capture_output=True, text=True).stdout
    row = [l for l in out.splitlines() if l.startswith('"SET"')][0]
    f = [x.strip('"') for x in row.split(",")]
    return float(f[1]), float(f[6])  # req/s, p99 ms


def bench_latency(port, cpu, requests):
    """SET P1, 50 connections: req/s, p99, p99.9 and max latency in ms."""
    out = subprocess.run(["taskset", "-c", str(cpu), "redis-benchmark", "-p", str(port), "-t",
                          "set", "-n", str(requests), "-c", "50", "-r", "1000000", "-P", "1",
                          "--precision", "3"], capture_output=True, text=True).stdout
    res = {}
    dist = []  # (cumulative %, ms) of "Latency by percentile distribution"
    lines = out.replace("\r", "\n").splitlines()
    for i, line in enumerate(lines):
        line = line.strip()
        if line.endswith(")") and "% <= " in line:
            pct, rest = line.split("% <= ")
            dist.append((float(pct), float(rest.split()[0])))
        elif line.startswith("throughput summary:"):
            res["rps"] = float(line.split()[2])
        elif line.startswith("avg") and "p99" in line:
            names, values = line.split(), lines[i + 1].split()
            res["p99"] = float(values[names.index("p99")])
            res["max"] = float(values[names.index("max")])
    res["p999"] = next(ms for pct, ms in dist if pct >= 99.9)
    return res


def wait_flag(r, field):
    while int(r.info("persistence")[field]):
        time.sleep(0.01)


def one(name, argv, args):
    d = tempfile.mkdtemp(prefix=f"pbench-{name}-")
    res = {}
    try:
        s = Server(argv + ["--appendonly", "yes", "--appendfsync", "everysec", "--save", ""],
                   args.server_cpu, d)
        load(s.port, args.keys)
        assert s.r.dbsize() == args.keys
        res["rps_base"], res["p99_base"] = bench_p99(s.port, args.client_cpu, args.requests)
        rss0 = rss_kb(s.proc.pid)
        peak = [rss0]
        stop = threading.Event()

        rewrites = []

        def sample():
            while not stop.is_set():
                peak[0] = max(peak[0], rss_kb(s.proc.pid))
                time.sleep(0.005)

        def rewriter():  # back to back, so that the whole measurement runs during rewrites
            r = redis.Redis(port=s.port)
            while not stop.is_set():
                t0 = time.time()
                r.bgrewriteaof()
                time.sleep(0.01)
                while any(int(r.info("persistence")[f]) for f in
                          ("aof_rewrite_in_progress", "aof_rewrite_scheduled")):
                    time.sleep(0.005)
                rewrites.append(time.time() - t0)

        threads = [threading.Thread(target=sample), threading.Thread(target=rewriter)]
        for th in threads:
            th.start()
        time.sleep(0.05)
        res["rps_rw"], res["p99_rw"] = bench_p99(s.port, args.client_cpu, args.requests)
        stop.set()
        for th in threads:
            th.join()
        res["rewrites"] = len(rewrites)
        res["rewrite_s"] = statistics.median(rewrites)
        res["rss0_mb"], res["rss_peak_mb"] = rss0 / 1024, peak[0] / 1024
        t0 = time.time()
        s.r.bgsave()
        time.sleep(0.01)
        wait_flag(s.r, "rdb_bgsave_in_progress")
        res["bgsave_s"] = time.time() - t0
        s.stop()
        # Load time of that dump.rdb (appendonly no).
        s = Server(argv + ["--appendonly", "no", "--save", ""], args.server_cpu, d)
        res["load_s"] = s.ready_s
        res["loaded"] = s.r.dbsize()
        s.stop()
    finally:
        shutil.rmtree(d, ignore_errors=True)
    return res


def bgsave_loop(name, argv, args):
    d = tempfile.mkdtemp(prefix=f"pbench-{name}-")
    res = {}
    try:
        s = Server(argv + ["--appendonly", "no", "--save", ""], args.server_cpu, d)
        load(s.port, args.keys)
        assert s.r.dbsize() == args.keys
        for k, v in bench_latency(s.port, args.client_cpu, args.requests).items():
            res[k + "_base"] = v
        stop = threading.Event()
        saves = []
        errors = []

        def saver():
            r = redis.Redis(port=s.port)
            while not stop.is_set():
                t0 = time.time()
                r.bgsave()
                time.sleep(0.01)
                while int(r.info("persistence")["rdb_bgsave_in_progress"]):
                    time.sleep(0.01)
                if r.info("persistence")["rdb_last_bgsave_status"] != "ok":
                    errors.append("bgsave failed")
                saves.append(time.time() - t0)

        th = threading.Thread(target=saver)
        th.start()
        time.sleep(0.05)
        for k, v in bench_latency(s.port, args.client_cpu, args.requests).items():
            res[k + "_save"] = v
        stop.set()
        th.join()
        assert not errors, errors
        res["bgsaves"] = len(saves)
        res["bgsave_s"] = statistics.median(saves) if saves else 0.0
        s.stop()
    finally:
        shutil.rmtree(d, ignore_errors=True)
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--keys", type=int, default=1000000)
    ap.add_argument("--requests", type=int, default=200000)
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--server-cpu", type=int, default=0)
    ap.add_argument("--client-cpu", type=int, default=1)
    ap.add_argument("--kevy", default=os.path.join(os.path.dirname(__file__), "..", "build",
                                                   "kevy-server"))
    ap.add_argument("--kevy-old", help="a second kevy binary to compare (label kevy-old)")
    ap.add_argument("--no-redis", action="store_true")
    ap.add_argument("--bgsave-loop", action="store_true",
                    help="p99 during back-to-back BGSAVEs instead of during a BGREWRITEAOF")
    ap.add_argument("--shards", type=int, default=1)
    args = ap.parse_args()
    kevy_args = ["--bind", "127.0.0.1", "--shards", str(args.shards)]
    servers = {"kevy": [os.path.abspath(args.kevy)] + kevy_args}
    if args.kevy_old:
        servers["kevy-old"] = [os.path.abspath(args.kevy_old)] + kevy_args
    if not args.no_redis:
        servers["redis"] = ["redis-server", "--bind", "127.0.0.1"]
    run = bgsave_loop if args.bgsave_loop else one
    runs = {name: [] for name in servers}
    for rnd in range(args.rounds):
        names = list(servers)
        for name in (names if rnd % 2 == 0 else names[::-1]):
            r = run(name, servers[name], args)
            print(name, {k: round(v, 3) for k, v in r.items()}, flush=True)
            runs[name].append(r)
    if args.bgsave_loop:
        keys = ["p99_base", "p99_save", "p999_base", "p999_save", "max_base", "max_save",
                "rps_base", "rps_save", "bgsaves", "bgsave_s"]
    else:
        keys = ["p99_base", "p99_rw", "rps_base", "rps_rw", "rewrites", "rewrite_s", "rss0_mb",
                "rss_peak_mb", "bgsave_s", "load_s"]
    print(f"\n{args.keys} keys, SET P1 50 connections {args.requests} requests; medians of "
          f"{args.rounds} round(s)\n")
    print("| | " + " | ".join(keys) + " |")
    print("|---" * (len(keys) + 1) + "|")
    for name in runs:
        print(f"| {name} | " + " | ".join(
            f"{statistics.median(x[k] for x in runs[name]):.3f}" for k in keys) + " |")


if __name__ == "__main__":
    main()
