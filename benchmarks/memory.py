#!/usr/bin/python3
"""Memory per key for small collections: kevy vs redis-server with the same data.

Loads N small hashes, sets and sorted sets (5 elements each, short members) into a fresh
server of each kind and reports INFO memory `used_memory` (and RSS) after each type, as
bytes per key. Usage: benchmarks/memory.py [--keys 100000] [--kevy build/kevy-server]
"""
import argparse
import os
import subprocess
import time

import redis

from bench_util import free_port


def start(argv):
    port = free_port()
    proc = subprocess.Popen(argv + ["--port", str(port)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, cwd="/tmp")
    r = redis.Redis(port=port)
    for _ in range(200):
        try:
            r.ping()
            return proc, r
        except redis.ConnectionError:
            time.sleep(0.05)
    raise RuntimeError("server did not start")


def load(r, kind, n):
    p = r.pipeline(transaction=False)
    for i in range(n):
        k = f"{kind}:{i}"
        if kind == "hash":
            p.hset(k, mapping={f"f{j}": f"v{j}" for j in range(5)})
        elif kind == "set":
            p.sadd(k, *[f"m{j}" for j in range(5)])
        else:
            p.zadd(k, {f"m{j}": j for j in range(5)})
        if i % 1000 == 999:
            p.execute()
    p.execute()


def used(r):
    m = r.info("memory")
    return m["used_memory"], m.get("used_memory_rss", 0)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--keys", type=int, default=100000)
    ap.add_argument("--kevy", default=os.path.join(os.path.dirname(__file__), "..", "build",
                                                   "kevy-server"))
    args = ap.parse_args()
    servers = {"kevy": [os.path.abspath(args.kevy), "--shards", "1", "--save", ""],
               "redis": ["redis-server", "--save", "", "--appendonly", "no"]}
    rows = []
    for name, argv in servers.items():
        proc, r = start(argv)
        try:
            for kind in ("hash", "set", "zset"):
                before, _ = used(r)
                load(r, kind, args.keys)
                after, rss = used(r)
                enc = r.object("encoding", f"{kind}:0")
                rows.append((name, kind, (after - before) / args.keys, rss, enc))
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    print(f"{args.keys} keys per type, 5 elements each")
    print("| server | type | encoding | used_memory bytes/key | RSS after (MB) |")
    print("|---|---|---|---|---|")
    for name, kind, per, rss, enc in rows:
        enc = enc.decode() if isinstance(enc, bytes) else enc
        print(f"| {name} | {kind} | {enc} | {per:.0f} | {rss / 1e6:.0f} |")


if __name__ == "__main__":
    main()
