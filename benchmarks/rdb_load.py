#!/usr/bin/python3
"""Start-up load time of one dump.rdb: kevy against redis-server (or several kevy builds),
alternating, each start in a fresh directory holding a copy of the file; the time is from
process start to the first PING answered (the servers answer -LOADING until then).

Usage: benchmarks/rdb_load.py FILE [--rounds 5] [--cpu 0 | --cpu -] [--shards 1]
                              [NAME=BINARY ...]
  NAME=BINARY: servers to compare (default: kevy=build/kevy-server redis=redis-server);
  a BINARY named redis-server is started as Redis, anything else as kevy with --shards.
  --cpu -: not pinned (taskset otherwise).
"""
import argparse
import os
import shutil
import statistics
import subprocess
import tempfile
import time

import redis

from bench_util import free_port


def load_once(argv, cpu, rdb):
    d = tempfile.mkdtemp(prefix="rdbload-")
    try:
        shutil.copy(rdb, os.path.join(d, "dump.rdb"))
        port = free_port()
        pin = [] if cpu == "-" else ["taskset", "-c", cpu]
        t0 = time.time()
        p = subprocess.Popen(pin + argv + ["--port", str(port), "--dir", d],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=d)
        r = redis.Redis(port=port)
        try:
            while True:
                try:
                    r.ping()
                    break
                except (redis.ConnectionError, redis.BusyLoadingError, redis.ResponseError):
                    if p.poll() is not None:
                        raise RuntimeError(f"{argv[0]} exited while loading")
                    time.sleep(0.002)
            return time.time() - t0, r.dbsize()
        finally:
            p.kill()
            p.wait()
    finally:
        shutil.rmtree(d, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("servers", nargs="*")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--cpu", default="0")
    ap.add_argument("--shards", type=int, default=1)
    args = ap.parse_intermixed_args()
    specs = args.servers or [
        "kevy=" + os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "build",
                               "kevy-server"), "redis=redis-server"]
    servers = {}
    for s in specs:
        name, binary = s.split("=", 1)
        common = ["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        if os.path.basename(binary) == "redis-server":
            servers[name] = [binary] + common
        else:
            servers[name] = [os.path.abspath(binary)] + common + ["--shards", str(args.shards)]
    times = {name: [] for name in servers}
    keys = {}
    names = list(servers)
    for rnd in range(args.rounds):
        for name in (names if rnd % 2 == 0 else names[::-1]):
            t, n = load_once(servers[name], args.cpu, args.file)
            times[name].append(t)
            keys[name] = n
    print(f"{os.path.basename(args.file)}: load seconds, medians of {args.rounds} alternating "
          f"rounds (cpu {args.cpu}, kevy --shards {args.shards})")
    for name in names:
        print(f"| {name} | {statistics.median(times[name]):.3f} | {keys[name]} keys | " +
              " ".join(f"{x:.3f}" for x in times[name]) + " |")


if __name__ == "__main__":
    main()
