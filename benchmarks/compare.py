#!/usr/bin/python3
"""End-to-end comparison of kevy-server and redis-server, in one run, alternating.

Each round starts a fresh server (kevy first in odd rounds, redis first in even ones), pinned
to SERVER_CPU with taskset, and runs each workload with the load generator pinned to
CLIENT_CPU: redis-benchmark (or memtier_benchmark when it is on the PATH and --tool memtier),
random keys over a key space (-r), SET before GET so GETs read real values, which the script
then checks (keyspace hit ratio from INFO and a sample of values read back).

Reported per server and workload: throughput (requests/s), p50 and p99 latency (ms), and the
server's CPU seconds per million requests (utime+stime of the server process over the run,
from /proc/PID/stat) -- on a 2-core machine the load generator saturates first, so CPU per
request is the figure that tells servers apart. Medians over rounds, and kevy/redis ratios.

Usage: benchmarks/compare.py [--rounds 3] [--requests 1000000] [--clients 50]
                             [--pipelines 1,16] [--tests set,get] [--shards 1]
                             [--server-cpu 0] [--client-cpu 1] [--kevy build/kevy-server]
                             [--markdown out.md] [--kevy-args "..."] [--redis-args "..."]
                             [--variants "name:args;name:args"]

--variants runs every server under several configurations in the same rounds (alternating
servers within each), the args going to both servers, e.g. the durability comparison:
  --variants "none:;everysec:--appendonly yes --appendfsync everysec;always:--appendonly yes --appendfsync always"
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import redis

from bench_util import free_port

CLK_TCK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # fields[0] is state (field 3): utime is field 14, stime 15.
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


class Server:
    def __init__(self, name, argv, cpu):
        self.name = name
        self.port = free_port()
        # A fresh working directory each time (AOF files with --appendonly yes).
        self.dir = tempfile.mkdtemp(prefix=f"bench-{name}-")
        self.proc = subprocess.Popen(
            ["taskset", "-c", str(cpu)] + argv + ["--port", str(self.port), "--dir", self.dir],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=self.dir)
        deadline = time.time() + 10
        while True:
            try:
                if redis.Redis(port=self.port).ping():
                    break
            except redis.ConnectionError:
                if time.time() > deadline:
                    raise RuntimeError(f"{name} did not start")
                time.sleep(0.05)
        self.pid = self.proc.pid

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


def run_redis_benchmark(port, test, args, cpu):
    cmd = ["taskset", "-c", str(cpu), "redis-benchmark", "-p", str(port), "-c", str(args.clients),
           "-n", str(args.requests), "-P", str(test["pipeline"]), "-r", str(args.keyspace),
           "-d", str(args.data_size), "-t", test["cmd"], "--csv", "-q"]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        cols = [c.strip('"') for c in line.split(",")]
        if cols and cols[0].upper().startswith(test["cmd"].upper()) and len(cols) >= 7:
            return {"rps": float(cols[1]), "p50": float(cols[4]), "p99": float(cols[6])}
    raise RuntimeError("could not parse redis-benchmark output:\n" + out)


def run_memtier(port, test, args, cpu):
    ratio = "1:0" if test["cmd"] == "set" else "0:1"
    per_client = max(1, args.requests // args.clients)
    cmd = ["taskset", "-c", str(cpu), "memtier_benchmark", "-s", "127.0.0.1", "-p", str(port),
           "--protocol=redis", "-t", "1", "-c", str(args.clients), "--pipeline",
           str(test["pipeline"]), "--ratio", ratio, "--key-pattern", "R:R", "--key-minimum", "1",
           "--key-maximum", str(args.keyspace), "-d", str(args.data_size), "-n", str(per_client),
           "--hide-histogram", "--print-percentiles", "50,99"]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        if line.startswith("Totals"):
            cols = line.split()
            # Totals Ops/sec Hits/sec Misses/sec AvgLatency p50 p99 KB/sec
            return {"rps": float(cols[1]), "p50": float(cols[5]), "p99": float(cols[6])}
    raise RuntimeError("could not parse memtier output:\n" + out)


def verify(port, args):
    """GETs must have read real values: hit ratio and a sample read back."""
    r = redis.Redis(port=port)
    info = r.info("stats")
    hits, misses = info.get("keyspace_hits", 0), info.get("keyspace_misses", 0)
    sample = 0
    for key in r.scan_iter(count=100):
        v = r.get(key)
        if v is None or len(v) != args.data_size:
            raise RuntimeError(f"bad value read back for {key!r}: {v!r}")
        sample += 1
        if sample >= 200:
            break
    return hits / max(1, hits + misses), sample


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--requests", type=int, default=1000000)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--pipelines", default="1,16")
    ap.add_argument("--tests", default="set,get")
    ap.add_argument("--keyspace", type=int, default=100000)
    ap.add_argument("--data-size", type=int, default=16)
    ap.add_argument("--shards", type=int, default=1)
    ap.add_argument("--server-cpu", type=int, default=0)
    ap.add_argument("--client-cpu", type=int, default=1)
    ap.add_argument("--kevy", default=os.path.join(os.path.dirname(__file__), "..", "build", "kevy-server"))
    ap.add_argument("--kevy-args", default="")
    ap.add_argument("--redis-args", default="")
    ap.add_argument("--tool", choices=["auto", "redis-benchmark", "memtier"], default="auto")
    ap.add_argument("--markdown", help="also write the result table to this file")
    ap.add_argument("--variants", default="",
                    help='"name:args;name:args": configurations given to both servers')
    args = ap.parse_args()
    variants = [("", "")]
    if args.variants:
        variants = [tuple(v.split(":", 1)) for v in args.variants.split(";")]

    tool = args.tool
    if tool == "auto":
        tool = "memtier" if shutil.which("memtier_benchmark") else "redis-benchmark"
    runner = run_memtier if tool == "memtier" else run_redis_benchmark
    servers = {
        "kevy": [os.path.abspath(args.kevy), "--bind", "127.0.0.1", "--shards", str(args.shards),
                 "--save", ""] + args.kevy_args.split(),
        "redis": ["redis-server", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
                 + args.redis_args.split(),
    }
    tests = [{"cmd": c, "pipeline": int(p)} for p in args.pipelines.split(",")
             for c in args.tests.split(",")]
    results = {}  # (variant, server, cmd, pipeline) -> list of dicts
    for rnd in range(args.rounds):
        order = ["kevy", "redis"] if rnd % 2 == 0 else ["redis", "kevy"]
        for vname, vargs in variants:
            for name in order:
                srv = Server(name, servers[name] + vargs.split(), args.server_cpu)
                try:
                    for t in tests:
                        before = cpu_seconds(srv.pid)
                        res = runner(srv.port, t, args, args.client_cpu)
                        res["cpu_per_m"] = (cpu_seconds(srv.pid) - before) / args.requests * 1e6
                        results.setdefault((vname, name, t["cmd"], t["pipeline"]), []).append(res)
                        print(f"round {rnd + 1} {vname} {name:5s} {t['cmd']:3s} P{t['pipeline']:<3d} "
                              f"{res['rps']:>11.0f} req/s  p50 {res['p50']:.3f} ms  "
                              f"p99 {res['p99']:.3f} ms  cpu {res['cpu_per_m']:.3f} s/M", flush=True)
                    if "get" in args.tests:
                        ratio, n = verify(srv.port, args)
                        print(f"round {rnd + 1} {vname} {name:5s} verified {n} values, "
                              f"GET hit ratio {ratio:.3f}")
                finally:
                    srv.stop()

    med = lambda xs: statistics.median(xs)
    vcol = len(variants) > 1
    lines = [f"tool: {tool}; {args.clients} connections, {args.requests} requests per test, "
             f"{args.data_size}-byte values, random keys over {args.keyspace}; kevy --shards "
             f"{args.shards}; servers on CPU {args.server_cpu}, load generator on CPU "
             f"{args.client_cpu}; medians of {args.rounds} alternating rounds", "",
             ("| config " if vcol else "") +
             "| test | pipeline | kevy req/s | redis req/s | ratio | kevy p50/p99 ms | redis p50/p99 ms "
             "| kevy CPU s/M req | redis CPU s/M req | CPU ratio |",
             ("|---" if vcol else "") + "|---|---|---|---|---|---|---|---|---|---|"]
    for vname, _ in variants:
        for t in tests:
            k = results[(vname, "kevy", t["cmd"], t["pipeline"])]
            r = results[(vname, "redis", t["cmd"], t["pipeline"])]
            kr, rr = med([x["rps"] for x in k]), med([x["rps"] for x in r])
            kc, rc = med([x["cpu_per_m"] for x in k]), med([x["cpu_per_m"] for x in r])
            lines.append(
                (f"| {vname} " if vcol else "") +
                f"| {t['cmd'].upper()} | {t['pipeline']} | {kr:,.0f} | {rr:,.0f} | {kr / rr:.2f} | "
                f"{med([x['p50'] for x in k]):.3f} / {med([x['p99'] for x in k]):.3f} | "
                f"{med([x['p50'] for x in r]):.3f} / {med([x['p99'] for x in r]):.3f} | "
                f"{kc:.3f} | {rc:.3f} | {kc / rc if rc else float('nan'):.2f} |")
    text = "\n".join(lines)
    print()
    print(text)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(text + "\n")


if __name__ == "__main__":
    sys.exit(main())
