#!/usr/bin/python3
"""Real clients against the real binary: Debian's redis-py and redis-cli.

Starts kevy-server ($KEVY_SERVER) with 4 shards on a free port and drives it the way
applications and operators do: redis-py commands, pipelines and RESP3, redis-cli one-shot
commands, --pipe mass insertion and --scan.
"""
import shutil
import subprocess
import unittest

import redis

from harness import KevyServer


class RedisPyTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = KevyServer("--shards", "4")

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def setUp(self):
        self.r = redis.Redis(port=self.server.port, decode_responses=True)
        self.r.flushall()

    def test_strings_and_expiry(self):
        r = self.r
        self.assertTrue(r.set("a", "1"))
        self.assertEqual(r.get("a"), "1")
        self.assertEqual(r.incrby("a", 41), 42)
        self.assertTrue(r.set("t", "x", ex=100))
        self.assertTrue(95 <= r.ttl("t") <= 100)
        self.assertIsNone(r.set("a", "2", nx=True))
        self.assertEqual(r.getset("a", "3"), "42")
        self.assertEqual(r.append("a", "45"), 3)
        self.assertEqual(r.getrange("a", 0, 1), "34")

    def test_multi_key_across_shards(self):
        r = self.r
        mapping = {f"user:{i}": str(i) for i in range(200)}
        self.assertTrue(r.mset(mapping))
        keys = list(mapping)
        self.assertEqual(r.mget(keys), [mapping[k] for k in keys])
        self.assertEqual(r.exists(*keys[:50], keys[0]), 51)
        self.assertEqual(r.delete(*keys[:100]), 100)
        self.assertEqual(r.dbsize(), 100)
        self.assertEqual(sorted(r.keys("user:1*")), sorted(k for k in keys[100:] if k.startswith("user:1")))
        self.assertEqual(set(r.scan_iter(match="user:*", count=7)), set(keys[100:]))

    def test_pipeline_order(self):
        p = self.r.pipeline(transaction=False)
        for i in range(1000):
            p.set(f"p{i}", i)
            p.get(f"p{i}")
        out = p.execute()
        self.assertEqual(out[0::2], [True] * 1000)
        self.assertEqual(out[1::2], [str(i) for i in range(1000)])

    def test_resp3_client(self):
        r3 = redis.Redis(port=self.server.port, protocol=3, decode_responses=True) \
            if "protocol" in redis.Redis.__init__.__code__.co_varnames else None
        if r3 is None:
            self.skipTest("this redis-py has no RESP3 support")
        r3.set("k", "v")
        self.assertEqual(r3.get("k"), "v")

    def test_client_and_info(self):
        r = self.r
        r.client_setname("tester")
        self.assertEqual(r.client_getname(), "tester")
        names = [c["name"] for c in r.client_list()]
        self.assertIn("tester", names)
        info = r.info()
        self.assertIn("redis_version", info)
        self.assertEqual(info["role"], "master")
        r.set("x", 1)
        self.assertEqual(r.info("keyspace")["db0"]["keys"], 1)
        self.assertEqual(r.config_get("port")["port"], str(self.server.port))


class DataTypesTest(unittest.TestCase):
    """The collection types over TCP with 4 shards, keys deliberately spread over shards."""

    @classmethod
    def setUpClass(cls):
        cls.server = KevyServer("--shards", "4")

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def setUp(self):
        self.r = redis.Redis(port=self.server.port, decode_responses=True)
        self.r.flushall()

    def test_lists(self):
        r = self.r
        self.assertEqual(r.rpush("la", *range(10)), 10)
        self.assertEqual(r.lrange("la", 0, -1), [str(i) for i in range(10)])
        for i in range(10):  # moves between keys on (most likely) different shards
            r.lmove("la", f"lb{i % 3}", "LEFT", "RIGHT")
        self.assertEqual(r.exists("la"), 0)
        self.assertEqual(r.llen("lb0") + r.llen("lb1") + r.llen("lb2"), 10)
        self.assertEqual(r.type("lb0"), "list")
        self.assertEqual(r.object("encoding", "lb0"), "quicklist")

    def test_hashes(self):
        r = self.r
        r.hset("h", mapping={f"f{i}": i for i in range(100)})
        self.assertEqual(r.hlen("h"), 100)
        self.assertEqual(r.object("encoding", "h"), "listpack")
        r.hset("h", "big", "x" * 100)
        self.assertEqual(r.object("encoding", "h"), "hashtable")
        self.assertEqual(r.hincrby("h", "f1", 41), 42)
        self.assertTrue(r.rename("h", "h-renamed"))
        self.assertEqual(r.hget("h-renamed", "f1"), "42")
        self.assertEqual(dict(r.hscan_iter("h-renamed", count=7))["f99"], "99")

    def test_sets_across_shards(self):
        r = self.r
        for i in range(8):
            r.sadd(f"s{i}", *[i, i + 1, 100])
        self.assertEqual(r.sinter(*[f"s{i}" for i in range(8)]), {"100"})
        self.assertEqual(r.sunionstore("dst", *[f"s{i}" for i in range(8)]), 10)
        self.assertEqual(r.scard("dst"), 10)
        self.assertEqual(r.object("encoding", "dst"), "intset")
        self.assertTrue(r.smove("dst", "other", "100"))
        self.assertEqual(r.smembers("other"), {"100"})

    def test_sorted_sets_across_shards(self):
        r = self.r
        r.zadd("za", {"a": 1, "b": 2, "c": 3})
        r.zadd("zb", {"b": 10, "d": 4})
        self.assertEqual(r.zunionstore("zu", ["za", "zb"]), 4)
        self.assertEqual(r.zrange("zu", 0, -1, withscores=True),
                         [("a", 1.0), ("c", 3.0), ("d", 4.0), ("b", 12.0)])
        self.assertEqual(r.zrank("zu", "b"), 3)
        self.assertEqual(r.zrangebyscore("zu", "(1", "4"), ["c", "d"])
        self.assertEqual(r.zscore("zu", "b"), 12.0)

    def test_bitmaps_and_hyperloglog(self):
        r = self.r
        r.setbit("b1", 7, 1)
        r.setbit("b2", 6, 1)
        self.assertEqual(r.bitop("OR", "bor", "b1", "b2"), 1)
        self.assertEqual(r.bitcount("bor"), 2)
        r.pfadd("hll1", *[f"x{i}" for i in range(1000)])
        r.pfadd("hll2", *[f"x{i}" for i in range(500, 1500)])
        self.assertTrue(r.pfmerge("hll", "hll1", "hll2"))
        self.assertTrue(1450 <= r.pfcount("hll") <= 1550)
        self.assertEqual(r.pfcount("hll1", "hll2"), r.pfcount("hll"))

    def test_wrongtype(self):
        r = self.r
        r.set("str", "v")
        with self.assertRaises(redis.ResponseError) as cm:
            r.lpush("str", "x")
        self.assertIn("WRONGTYPE", str(cm.exception))


@unittest.skipUnless(shutil.which("redis-cli"), "redis-cli not installed")
class RedisCliTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = KevyServer("--shards", "4")

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def cli(self, *args, stdin=None):
        return subprocess.run(["redis-cli", "-p", str(self.server.port), *args], input=stdin,
                              capture_output=True, text=True, timeout=60).stdout

    def test_one_shot_commands(self):
        self.assertEqual(self.cli("SET", "cli", "hello").strip(), "OK")
        self.assertEqual(self.cli("GET", "cli").strip(), "hello")
        self.assertEqual(self.cli("PING").strip(), "PONG")
        self.assertIn("(error) ERR unknown command", self.cli("--no-raw", "NOSUCH"))

    def test_pipe_mass_insert_and_scan(self):
        lines = "".join(f"SET mass:{i} {i}\r\n" for i in range(5000))
        out = subprocess.run(["redis-cli", "-p", str(self.server.port), "--pipe"], input=lines,
                             capture_output=True, text=True, timeout=60).stdout
        self.assertIn("errors: 0, replies: 5000", out)
        keys = self.cli("--scan", "--pattern", "mass:*").split()
        self.assertEqual(len(keys), 5000)
        self.assertEqual(len(set(keys)), 5000)


if __name__ == "__main__":
    unittest.main(verbosity=2)
