#!/usr/bin/python3
"""RDB interoperability with redis-server 7.0 over TCP: the same commands on kevy and on
redis-server give byte-identical DUMP payloads (where the element order is the same), and a
payload from either one RESTOREs on the other with the same contents and encoding. Skips
when redis-server is not installed."""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import KevyServer, RedisServer  # noqa: E402

# (key, commands that build it, byte-equal DUMP expected)
def _dataset():
    big_list = [("x%05d" % i) * 3 for i in range(1500)]
    hash_lp = []
    for i in range(100):
        hash_lp += ["field%d" % i, "value%d" % (i * 7)]
    hash_ht = []
    for i in range(700):
        hash_ht += ["f%d" % i, "v" * (i % 9)]
    zset_lp = []
    for i, s in enumerate(["1", "1.5", "-2", "0.1", "1e20", "inf", "-inf", "3000000", "-0.5",
                           "123456.789", "2.5e-8"]):
        zset_lp += [s, "m%d" % i]
    zset_sl = []
    for i in range(300):
        zset_sl += [str(i * 0.75 - 20), "member:%d" % i]
    # Strings of every compressibility, to hold kevy's LZF to liblzf's exact output.
    lzf = []
    seed = 12345
    for i in range(60):
        alphabet = 2 + (i * 7) % 90
        n = 21 + (i * 97) % 3000
        out = bytearray()
        for _ in range(n):
            seed = (seed * 1103515245 + 12345) & 0x7FFFFFFF
            out.append(32 + (seed >> 16) % alphabet)
        if i % 3 == 0:
            out = out[: n // 4] * 4
        key = "s:lzf%d" % i
        lzf.append((key, [["SET", key, bytes(out)]], True))
    return lzf + [
        ("l:huge", [["RPUSH", "l:huge", "a", "y" * 5000, "b", "z" * 20000, "c", "w" * 9000]],
         True),
        ("s:int", [["SET", "s:int", "12345"]], True),
        ("s:neg", [["SET", "s:neg", "-99999999"]], True),
        ("s:bigint", [["SET", "s:bigint", "1234567890123456789"]], True),
        ("s:plain", [["SET", "s:plain", "hello world"]], True),
        ("s:empty", [["SET", "s:empty", ""]], True),
        ("s:bin", [["SET", "s:bin", b"\x00\x01\xff\r\n binary"]], True),
        ("s:lzf", [["SET", "s:lzf", "abcdefgh" * 200]], True),
        ("s:noise", [["SET", "s:noise", bytes((i * 131 + 7) % 251 for i in range(300))]], True),
        ("s:append", [["SET", "s:append", "123"], ["APPEND", "s:append", "45"]], True),
        ("l:small", [["RPUSH", "l:small", "a", "1", "-5", "300", "70000", "", "9999999999",
                      "-4096", "4095", "-32768", "8388607", "-2147483648", "x" * 100]], True),
        ("l:big", [["RPUSH", "l:big", *big_list]], True),
        ("h:small", [["HSET", "h:small", "f1", "v1", "n", "12", "neg", "-200", "e", ""]], True),
        ("h:lp", [["HSET", "h:lp", *hash_lp]], True),
        ("h:ht", [["HSET", "h:ht", *hash_ht]], False),
        ("h:longval", [["HSET", "h:longval", "a", "b" * 65]], False),
        ("set:i16", [["SADD", "set:i16", "1", "2", "3", "-5"]], True),
        ("set:i32", [["SADD", "set:i32", "1", "100000"]], True),
        ("set:i64", [["SADD", "set:i64", "1", str(2 ** 40)]], True),
        ("set:ht", [["SADD", "set:ht", "a", "b", "c", "1"]], False),
        ("z:lp", [["ZADD", "z:lp", *zset_lp]], True),
        ("z:sl", [["ZADD", "z:sl", *zset_sl]], True),
        ("z:long", [["ZADD", "z:long", "1", "m" * 70]], True),
    ]


def _contents(c, key):
    t = c.type(key).decode()
    if t == "string":
        return t, c.get(key)
    if t == "list":
        return t, c.lrange(key, 0, -1)
    if t == "hash":
        return t, sorted(c.hgetall(key).items())
    if t == "set":
        return t, sorted(c.smembers(key))
    if t == "zset":
        return t, c.zrange(key, 0, -1, withscores=True)
    return t, None


@unittest.skipIf(RedisServer.BIN is None, "redis-server is not installed")
class RdbInteropTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.kevy = KevyServer("--shards", "2")
        cls.redis = RedisServer()
        cls.k = cls.kevy.client()
        cls.r = cls.redis.client()
        cls.data = _dataset()
        for c in (cls.k, cls.r):
            c.flushall()
            for _, cmds, _ in cls.data:
                for cmd in cmds:
                    c.execute_command(*cmd)

    @classmethod
    def tearDownClass(cls):
        cls.kevy.stop()
        cls.redis.stop()

    def test_same_contents_same_encoding(self):
        for key, _, _ in self.data:
            with self.subTest(key=key):
                self.assertEqual(_contents(self.k, key), _contents(self.r, key))
                self.assertEqual(self.k.object("encoding", key), self.r.object("encoding", key))

    def test_dump_bytes_equal_redis(self):
        for key, _, exact in self.data:
            if not exact:
                continue
            with self.subTest(key=key):
                self.assertEqual(self.k.dump(key).hex(), self.r.dump(key).hex())

    def test_kevy_dump_restores_on_redis(self):
        for key, _, _ in self.data:
            with self.subTest(key=key):
                payload = self.k.dump(key)
                self.assertTrue(self.r.restore("fromkevy:" + key, 0, payload, replace=True))
                self.assertEqual(_contents(self.r, "fromkevy:" + key), _contents(self.k, key))
                # As redis-server encodes a RESTORE of its own payload (a restored "raw"
                # integer string becomes "int" there too).
                self.r.restore("self:" + key, 0, self.r.dump(key), replace=True)
                self.assertEqual(self.r.object("encoding", "fromkevy:" + key),
                                 self.r.object("encoding", "self:" + key))

    def test_redis_dump_restores_on_kevy(self):
        for key, _, _ in self.data:
            with self.subTest(key=key):
                payload = self.r.dump(key)
                self.assertTrue(self.k.restore("fromredis:" + key, 0, payload, replace=True))
                self.assertEqual(_contents(self.k, "fromredis:" + key), _contents(self.r, key))
                self.r.restore("self:" + key, 0, payload, replace=True)
                self.assertEqual(self.k.object("encoding", "fromredis:" + key),
                                 self.r.object("encoding", "self:" + key))

    def test_restore_ttl_and_errors_match(self):
        payload = self.r.dump("s:plain")
        for c in (self.k, self.r):
            c.delete("ttlkey")
            self.assertTrue(c.restore("ttlkey", 100000, payload))
            self.assertTrue(90000 < c.pttl("ttlkey") <= 100000)
            self.assertTrue(c.restore("ttlkey", 1, payload, replace=True, absttl=True))
            self.assertEqual(c.exists("ttlkey"), 0)
        cases = [
            ["RESTORE", "s:plain", "0", payload],
            ["RESTORE", "new", "-5", payload],
            ["RESTORE", "new", "0", b"junk"],
            ["RESTORE", "new", "0", payload[:-1] + bytes([payload[-1] ^ 1])],
            ["RESTORE", "new", "0", payload, "FREQ", "300"],
            ["RESTORE", "new", "0", payload, "IDLETIME", "-1"],
            ["RESTORE", "new", "0", payload, "NOPE"],
        ]
        for cmd in cases:
            with self.subTest(cmd=cmd[:2] + cmd[4:]):
                errs = []
                for c in (self.k, self.r):
                    with self.assertRaises(Exception) as cm:
                        c.execute_command(*cmd)
                    errs.append(str(cm.exception))
                self.assertEqual(errs[0], errs[1])


if __name__ == "__main__":
    unittest.main(verbosity=2)
