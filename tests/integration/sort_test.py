#!/usr/bin/python3
"""SORT and SORT_RO over TCP against the real binary with 4 shards (redis-py).

The sorted keys, the keys BY/GET patterns name and the STORE destinations spread over the
shards, so most commands here take the cross-shard path. Fixed cases check the replies
directly; when Debian's redis-server is installed, the same cases and a few thousand random
SORTs over random lists, sets and sorted sets (with weight, object and hash keys) are
compared reply for reply with it.
"""
import os
import random
import threading
import time
import unittest

import redis

from harness import KevyServer, RedisServer

# Redis compares ALPHA with strcoll(): keep the reference in the C locale, as kevy is.
os.environ["LC_ALL"] = "C"


def call(r, *args):
    """The reply of a raw command, or ('error', text)."""
    try:
        return r.execute_command(*args)
    except redis.ResponseError as e:
        return ("error", str(e))


class SortTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.kevy = KevyServer("--shards", "4")

    @classmethod
    def tearDownClass(cls):
        cls.kevy.stop()

    def setUp(self):
        self.r = self.kevy.client()
        self.r.flushall()

    def test_basic_options(self):
        r = self.r
        r.rpush("l", 3, 1, 2, 10, -5)
        self.assertEqual(r.sort("l"), [b"-5", b"1", b"2", b"3", b"10"])
        self.assertEqual(r.sort("l", desc=True), [b"10", b"3", b"2", b"1", b"-5"])
        self.assertEqual(r.sort("l", alpha=True), [b"-5", b"1", b"10", b"2", b"3"])
        self.assertEqual(r.sort("l", start=1, num=2), [b"1", b"2"])
        self.assertEqual(r.sort("l", by="nosort"), [b"3", b"1", b"2", b"10", b"-5"])
        self.assertEqual(r.sort_ro("l", desc=True), [b"10", b"3", b"2", b"1", b"-5"])
        r.mset({"w_3": 1, "w_1": 2, "w_2": 3, "w_10": 4, "w_-5": 5, "o_1": "one"})
        r.hset("h_2", mapping={"f": "two"})
        self.assertEqual(r.sort("l", by="w_*"), [b"3", b"1", b"2", b"10", b"-5"])
        self.assertEqual(r.sort("l", by="w_*", get=["#", "o_*", "h_*->f"], start=1, num=2),
                         [b"1", b"one", None, b"2", None, b"two"])
        self.assertEqual(r.sort("l", by="w_*", desc=True, store="dst"), 5)
        self.assertEqual(r.lrange("dst", 0, -1), [b"-5", b"10", b"2", b"1", b"3"])
        self.assertEqual(r.sort("l", start=9, num=1, store="dst"), 0)
        self.assertEqual(r.exists("dst"), 0)

    def test_errors(self):
        r = self.r
        r.set("str", "x")
        r.rpush("bad", 1, "x")
        self.assertEqual(call(r, "SORT", "str"), ("error", "WRONGTYPE Operation against a key "
                                                  "holding the wrong kind of value"))
        self.assertEqual(call(r, "SORT", "bad"),
                         ("error", "One or more scores can't be converted into double"))
        self.assertEqual(call(r, "SORT", "bad", "FOO"), ("error", "syntax error"))
        self.assertEqual(call(r, "SORT_RO", "bad", "STORE", "d"), ("error", "syntax error"))
        self.assertEqual(call(r, "SORT", "bad", "LIMIT", "x", "1"),
                         ("error", "value is not an integer or out of range"))

    def test_store_on_every_shard_with_pipelined_reads(self):
        r = self.r
        r.rpush("src", *range(20, 0, -1))
        for i in range(1, 21):
            r.set(f"obj:{i}", f"v{i}")
        for d in range(16):
            dst = f"dst{d}"
            p = r.pipeline(transaction=False)
            p.sort("src", get="obj:*", start=0, num=3, store=dst)
            p.lrange(dst, 0, -1)
            self.assertEqual(p.execute(), [3, [b"v1", b"v2", b"v3"]])

    def test_concurrent_readers_see_old_or_new_destination(self):
        r = self.r
        r.rpush("src", *range(200))
        r.rpush("dst", "old")
        reader = self.kevy.client()
        new = [str(i).encode() for i in sorted(range(200), key=str)]
        for _ in range(30):
            p = r.pipeline(transaction=False)
            p.sort("src", alpha=True, store="dst")
            p.execute()
            got = reader.lrange("dst", 0, -1)
            self.assertIn(got, ([b"old"], new))
            r.delete("dst")
            r.rpush("dst", "old")


    def test_concurrent_writers_never_split_a_sort(self):
        """SORT BY w_* GET w_* reads weights in two rounds across shards; under the shard
        locks a concurrent MSET of all weights lands wholly before or after, so the weights
        it returns are always in order."""
        r = self.r
        n = 64
        r.rpush("src", *range(n))
        r.mset({f"w_{i}": i for i in range(n)})
        stop = threading.Event()
        errors = []

        def writer(seed):
            w = self.kevy.client()
            rnd = random.Random(seed)
            while not stop.is_set():
                perm = list(range(n))
                rnd.shuffle(perm)
                w.mset({f"w_{i}": perm[i] for i in range(n)})

        def sorter(store):
            c = self.kevy.client()
            while not stop.is_set():
                if store:
                    c.sort("src", by="w_*", get="w_*", store=store)
                    got = c.lrange(store, 0, -1)
                else:
                    got = c.sort("src", by="w_*", get="w_*")
                vals = [int(v) for v in got]
                if vals != sorted(vals) or len(vals) != n:
                    errors.append(vals)

        threads = [threading.Thread(target=writer, args=(i,)) for i in range(2)]
        threads += [threading.Thread(target=sorter, args=(st,)) for st in (None, "d1", "d2")]
        for t in threads:
            t.start()
        time.sleep(2)
        stop.set()
        for t in threads:
            t.join()
        self.assertEqual(errors[:1], [])
        self.assertTrue(r.ping())

@unittest.skipIf(RedisServer.BIN is None, "redis-server is not installed")
class SortVersusRedisTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.kevy = KevyServer("--shards", "4")
        cls.redis = RedisServer()

    @classmethod
    def tearDownClass(cls):
        cls.kevy.stop()
        cls.redis.stop()

    def setUp(self):
        self.a = self.redis.client()
        self.b = self.kevy.client()
        for c in (self.a, self.b):
            c.response_callbacks.clear()  # compare the raw replies
        self.a.flushall()
        self.b.flushall()

    def both(self, *args):
        return call(self.a, *args), call(self.b, *args)

    def same(self, *args):
        ra, rb = self.both(*args)
        self.assertEqual(ra, rb, args)
        return ra

    def test_fixed_cases(self):
        setup = [
            ("RPUSH", "l", "3", "1", "2", "10", "-5", "1.5", "", " 7", "0x10", "inf"),
            ("RPUSH", "nul", "a\x00b", "a\x00a", "a", "b"),
            ("SADD", "s", "5", "3", "9", "1"),
            ("SADD", "s2", "b", "a", "C", "10", "2"),
            ("ZADD", "z", "3", "a", "1", "b", "2", "c", "5", "d", "2", "e"),
            ("MSET", "w_3", "30", "w_1", "10", "w_2", "5", "w_10", "-1", "w_-5", "100",
             "w_1.5", "abc", "w_a", "2", "w_b", "2", "w_c", "1"),
            ("HSET", "h_3", "f", "a", "g", "b"),
            ("HSET", "h_1", "f", "c"),
            ("SET", "str", "x"),
            ("RPUSH", "bad", "1", "nan"),
        ]
        for cmd in setup:
            self.same(*cmd)
        cases = [
            ("SORT", "l"), ("SORT", "l", "DESC"), ("SORT", "l", "ALPHA"),
            ("SORT", "l", "LIMIT", "1", "2"), ("SORT", "l", "LIMIT", "-1", "2"),
            ("SORT", "l", "LIMIT", "2", "-1"), ("SORT", "l", "LIMIT", "2", "0"),
            ("SORT", "l", "LIMIT", "100", "2"),
            ("SORT", "l", "LIMIT", "9223372036854775807", "9223372036854775807"),
            ("SORT", "l", "LIMIT", "-9223372036854775808", "-9223372036854775808"),
            ("SORT", "l", "BY", "nosort", "DESC", "LIMIT", "1", "3"),
            ("SORT", "l", "BY", "w_*"), ("SORT", "l", "BY", "w_*", "ALPHA"),
            ("SORT", "l", "BY", "w_*", "DESC", "GET", "#", "GET", "w_*", "GET", "nothing"),
            ("SORT", "l", "BY", "h_*->f", "ALPHA", "GET", "h_*->g", "GET", "#"),
            ("SORT", "l", "BY", "h_*->", "GET", "h_*->"),
            ("SORT", "l", "BY", "nosort", "BY", "w_*"), ("SORT", "l", "BY", "w_*", "BY", "x"),
            ("SORT", "l", "ALPHA", "STORE", "dst"), ("LRANGE", "dst", "0", "-1"),
            ("SORT", "l", "BY", "w_*", "ALPHA", "GET", "#", "GET", "w_*", "STORE", "dst"),
            ("LRANGE", "dst", "0", "-1"),
            ("SORT", "l", "LIMIT", "0", "0", "STORE", "dst"), ("EXISTS", "dst"),
            ("SORT", "nul", "ALPHA"), ("SORT", "nul", "ALPHA", "STORE", "dn"),
            ("LRANGE", "dn", "0", "-1"),
            ("SORT", "s"), ("SORT", "s", "DESC", "LIMIT", "1", "2"),
            ("SORT", "s", "BY", "nosort"), ("SORT", "s2", "BY", "nosort", "STORE", "dst"),
            ("LRANGE", "dst", "0", "-1"), ("SORT", "s2"), ("SORT", "s2", "ALPHA", "DESC"),
            ("SORT", "z", "BY", "nosort"), ("SORT", "z", "BY", "nosort", "DESC", "LIMIT", "1", "3"),
            ("SORT", "z", "ALPHA"), ("OBJECT", "ENCODING", "z"), ("SORT", "z", "BY", "w_*"),
            ("SORT", "nokey"), ("SORT", "nokey", "STORE", "dst"), ("SORT", "str"),
            ("SORT", "str", "STORE", "dst"), ("SORT", "bad"), ("SORT", "bad", "ALPHA"),
            ("SORT", "bad", "STORE", "dst"), ("SORT", "l", "GET"), ("SORT", "l", "LIMIT", "1"),
            ("SORT", "l", "LIMIT", "a", "1"), ("SORT", "l", "FOO"), ("SORT_RO", "l", "STORE", "x"),
            ("SORT_RO", "l", "BY", "w_*", "GET", "#"), ("SORT",), ("SORT_RO",),
            ("COMMAND", "GETKEYS", "SORT", "k", "STORE", "d", "GET", "x", "STORE", "e"),
            ("COMMAND", "GETKEYS", "SORT_RO", "k"), ("COMMAND", "INFO", "sort", "sort_ro"),
            ("COMMAND", "DOCS", "sort", "sort_ro"),
        ]
        for cmd in cases:
            self.same(*cmd)

    def test_keyspace_hits_and_misses(self):
        for cmd in [("RPUSH", "l", "3", "1", "2"), ("MSET", "w_1", "1", "w_2", "2"),
                    ("CONFIG", "RESETSTAT"), ("SORT", "l", "BY", "w_*", "GET", "o_*", "GET", "#"),
                    ("SORT", "l", "BY", "w_*", "GET", "o_*", "STORE", "d"), ("SORT", "nokey"),
                    ("SORT", "l", "BY", "w_*->x", "GET", "h_*->y")]:
            self.same(*cmd)

        def stats(c):
            info = c.info("stats")
            return info["keyspace_hits"], info["keyspace_misses"]
        self.assertEqual(stats(self.redis.client()), stats(self.kevy.client()))

    def test_random_sorts(self):
        rnd = random.Random(int(os.environ.get("SORT_SEED", "7")))
        for round_ in range(12):
            self.a.flushall()
            self.b.flushall()
            self.populate(rnd)
            for _ in range(250):
                self.random_sort(rnd)

    def populate(self, rnd):
        def elem():
            k = rnd.randrange(4)
            if k == 0:
                return str(rnd.randrange(-20, 40))
            if k == 1:
                return rnd.choice("abcdefghij") + rnd.choice(["", "x", "1"])
            if k == 2:
                return f"{rnd.randrange(50)}.{rnd.randrange(10)}"
            return str(rnd.randrange(8))  # intset-friendly small integers
        pool = {elem() for _ in range(40)}
        s2 = {str(rnd.randrange(100)) for _ in range(rnd.randrange(1, 20))}
        everything = sorted(pool | s2)
        for el, u in zip(everything, rnd.sample(range(100000), len(everything))):
            # u_*: present for every element, all different (ALPHA BY with no ties).
            self.same("SET", f"u_{el}", str(u))
        for el in sorted(pool):
            if rnd.random() < 0.7:
                w = rnd.choice([str(rnd.randrange(-5, 6)), f"{rnd.uniform(-3, 3):.3f}"])
                if rnd.random() < 0.03:
                    w = "notanumber"
                self.same("SET", f"w_{el}", w)
            if rnd.random() < 0.7:
                self.same("SET", f"o_{el}", f"obj-{el}")
            if rnd.random() < 0.5:
                self.same("HSET", f"h_{el}", "f", str(rnd.randrange(10)), "g", f"hg-{el}")
            if rnd.random() < 0.1:
                self.same("RPUSH", f"o_{el}", "a list, not a string")
        pool = sorted(pool)
        for key in ("l1", "l2"):
            self.same("RPUSH", key, *[rnd.choice(pool) for _ in range(rnd.randrange(1, 30))])
        self.same("SADD", "s1", *rnd.sample(pool, rnd.randrange(1, len(pool))))
        self.same("SADD", "s2", *sorted(s2))
        zargs = []
        for el in rnd.sample(pool, rnd.randrange(1, len(pool))):
            zargs += [str(rnd.randrange(6)), el]
        self.same("ZADD", "z1", *zargs)
        self.same("SET", "str", "x")

    def random_sort(self, rnd):
        src = rnd.choice(["l1", "l2", "s1", "s2", "z1", "nokey", "str"])
        ro = rnd.random() < 0.25
        args = ["SORT_RO" if ro else "SORT", src]
        alpha = rnd.random() < 0.4
        by = None
        if rnd.random() < 0.6:
            # ALPHA BY needs values without ties: Redis's order among equals is its qsort's.
            by = rnd.choice(["u_*", "nosort"] if alpha else ["w_*", "u_*", "h_*->f", "nosort"])
        opts = []
        if by:
            opts.append(["BY", by])
        if rnd.random() < 0.4:
            opts.append(["LIMIT", str(rnd.randrange(-3, 25)), str(rnd.randrange(-3, 25))])
        for _ in range(rnd.choice([0, 0, 1, 2, 3])):
            opts.append(["GET", rnd.choice(["#", "o_*", "w_*", "u_*", "h_*->g", "h_*->f",
                                            "const"])])
        if rnd.random() < 0.5:
            opts.append([rnd.choice(["ASC", "DESC"])])
        if alpha:
            opts.append(["ALPHA"])
        dst = None
        if not ro and rnd.random() < 0.3:
            dst = rnd.choice(["d1", "d2", "d3", "{d}x", "o_a"])
            opts.append(["STORE", dst])
        rnd.shuffle(opts)
        for o in opts:
            args += o
        ra, rb = self.both(*args)
        unordered = (src in ("s1", "s2") and by == "nosort" and dst is None)
        if unordered and isinstance(ra, list) and isinstance(rb, list):
            # A set's own order is its encoding's: compare the contents (all of it, or how
            # many when LIMIT takes a part of it).
            if "LIMIT" in args:
                self.assertEqual(len(ra), len(rb), args)
            else:
                self.assertEqual(sorted(ra, key=repr), sorted(rb, key=repr), args)
        else:
            self.assertEqual(ra, rb, args)
        if dst:
            self.assertEqual(*self.both("TYPE", dst), args)
            self.assertEqual(*self.both("LRANGE", dst, "0", "-1"), args)


if __name__ == "__main__":
    unittest.main(verbosity=2)
