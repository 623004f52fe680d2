#!/usr/bin/python3
"""Durability of kevy's append-only file (Redis 7 multi-part layout, one incr file per shard):
kill -9 at random moments under `appendfsync always` / `everysec`, torn tails and damage in
the middle of incr files, compatibility of the directory with redis-server 7 (both ways),
-MISCONF on a full disk (a tiny tmpfs), and -LOADING while a big AOF replays.

Every test works in a directory of its own (tempfile.mkdtemp) passed as --dir."""
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import redis  # noqa: E402

from harness import SERVER, KevyServer, RedisServer, free_port  # noqa: E402

AOF_DIR = "appendonlydir"
MANIFEST = "appendonly.aof.manifest"
CHECK_AOF = shutil.which("redis-check-aof")


# ----------------------------------------------------------------------------- helpers

def aof_path(tmp, name=""):
    return os.path.join(tmp, AOF_DIR, name)


def manifest_files(tmp):
    """[(name, seq, type)] as listed in the manifest, in order."""
    out = []
    with open(aof_path(tmp, MANIFEST)) as f:
        for line in f:
            parts = line.split()
            if not parts:
                continue
            kv = dict(zip(parts[0::2], parts[1::2]))
            out.append((kv["file"], int(kv["seq"]), kv["type"]))
    return out


def incr_files(tmp):
    return [n for n, _, t in manifest_files(tmp) if t == "i"]


def frames(data):
    """Boundaries of the RESP frames of an AOF file: [(start, end, [args])]."""
    out = []
    pos = 0
    while pos < len(data):
        start = pos
        assert data[pos:pos + 1] == b"*", (pos, data[pos:pos + 20])
        eol = data.index(b"\r\n", pos)
        n = int(data[pos + 1:eol])
        pos = eol + 2
        args = []
        for _ in range(n):
            assert data[pos:pos + 1] == b"$"
            eol = data.index(b"\r\n", pos)
            ln = int(data[pos + 1:eol])
            args.append(data[eol + 2:eol + 2 + ln])
            pos = eol + 2 + ln + 2
        out.append((start, pos, args))
    return out


def frame(*args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


def snapshot(client_factory, dbs=16):
    """Every key of every db: {(db, key): (type, contents, pttl)}."""
    snap = {}
    for db in range(dbs):
        c = client_factory(db)
        for key in c.scan_iter(count=1000):
            t = c.type(key).decode()
            if t == "string":
                v = c.get(key)
            elif t == "list":
                v = tuple(c.lrange(key, 0, -1))
            elif t == "hash":
                v = tuple(sorted(c.hgetall(key).items()))
            elif t == "set":
                v = tuple(sorted(c.smembers(key)))
            elif t == "zset":
                v = tuple(c.zrange(key, 0, -1, withscores=True))
            else:
                v = None
            snap[(db, key)] = (t, v, c.pttl(key))
        c.close()
    return snap


def assert_same_keyspace(test, want, got, ttl_slack_ms=10000):
    test.assertEqual(sorted(want), sorted(got), "key sets differ")
    for k in want:
        wt, wv, wttl = want[k]
        gt, gv, gttl = got[k]
        test.assertEqual((wt, wv), (gt, gv), f"key {k}")
        if wttl < 0:
            test.assertEqual(gttl, wttl, f"TTL of {k}")
        else:
            test.assertGreater(gttl, 0, f"TTL of {k}")
            test.assertLessEqual(abs(gttl - wttl), ttl_slack_ms, f"TTL of {k}: {wttl} vs {gttl}")


class Base(unittest.TestCase):
    def mkdtemp(self):
        d = tempfile.mkdtemp(prefix="kevy-ptest-")
        self.addCleanup(shutil.rmtree, d, True)
        return d

    def kevy(self, tmp, *args, shards=1, appendonly=True, log_name="kevy.log", **kw):
        argv = ["--dir", tmp, "--shards", str(shards)]
        if appendonly:
            argv += ["--appendonly", "yes"]
        srv = KevyServer(*argv, *args, log=os.path.join(tmp, log_name), **kw)
        self.addCleanup(srv.kill)
        return srv

    def kevy_fails(self, tmp, *args, shards=1, timeout=30):
        """Starts kevy expecting start-up to fail: (exit code, output)."""
        p = subprocess.run([SERVER, "--port", str(free_port()), "--bind", "127.0.0.1",
                            "--dir", tmp, "--shards", str(shards), "--appendonly", "yes", *args],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout)
        return p.returncode, p.stdout.decode(errors="replace")


# ----------------------------------------------------------------------------- 1. crash matrix

class Writer(threading.Thread):
    """Writes iteration after iteration as fast as it can; records what was acknowledged."""

    def __init__(self, port, tag):
        super().__init__(daemon=True)
        self.port, self.tag = port, tag
        self.done = []          # (monotonic time, k): iteration k fully acknowledged
        self.incr_acked = 0     # the last value INCR replied
        self.error = None
        self.stop = threading.Event()  # or until the server goes away

    def run(self):
        t = self.tag
        c = redis.Redis(port=self.port, socket_timeout=30)
        k = 0
        try:
            while not self.stop.is_set():
                self.incr_acked = c.incr(f"ctr:{t}")
                c.rpush(f"list:{t}", k)
                c.hset(f"hash:{t}", f"f{k}", k)
                c.sadd(f"set:{t}", k)
                c.zadd(f"zset:{t}", {f"m{k}": k})
                c.set(f"str:{t}:{k}", f"v{k}")
                c.mset({f"ma:{t}:{k}": k, f"mb:{t}:{k}": k, f"mc:{t}:{k}": k})
                self.done.append((time.monotonic(), k))
                k += 1
        except (redis.ConnectionError, redis.TimeoutError, ConnectionResetError):
            pass
        except Exception as e:  # noqa: BLE001 -- reported by the test
            self.error = e


class CrashMatrixTest(Base):
    THREADS = 3

    def check_writer(self, c, tag, n, incr_min):
        """At least the first n iterations of writer `tag` are there, with no holes."""
        ctr = int(c.get(f"ctr:{tag}") or 0)
        self.assertGreaterEqual(ctr, max(n, incr_min), f"ctr:{tag}")
        lst = [int(x) for x in c.lrange(f"list:{tag}", 0, -1)]
        self.assertGreaterEqual(len(lst), n, f"list:{tag}")
        self.assertEqual(lst, list(range(len(lst))), f"list:{tag} has holes or is out of order")
        h = c.hgetall(f"hash:{tag}")
        self.assertEqual({f"f{i}".encode(): str(i).encode() for i in range(len(h))}, h)
        self.assertGreaterEqual(len(h), n, f"hash:{tag}")
        s = {int(x) for x in c.smembers(f"set:{tag}")}
        self.assertEqual(s, set(range(len(s))))
        self.assertGreaterEqual(len(s), n, f"set:{tag}")
        z = c.zrange(f"zset:{tag}", 0, -1, withscores=True)
        self.assertEqual(z, [(f"m{i}".encode(), float(i)) for i in range(len(z))])
        self.assertGreaterEqual(len(z), n, f"zset:{tag}")
        if n:
            strs = c.mget([f"str:{tag}:{i}" for i in range(n)])
            self.assertEqual(strs, [f"v{i}".encode() for i in range(n)], f"str:{tag}:*")
            for p in ("ma", "mb", "mc"):
                vals = c.mget([f"{p}:{tag}:{i}" for i in range(n)])
                self.assertEqual(vals, [str(i).encode() for i in range(n)], f"{p}:{tag}:*")

    def global_ops(self, port, stop, acked):
        """SWAPDB 2 3 and FLUSHDB of db 5 in a loop: every one starts a new epoch of files
        while the writers append."""
        c = redis.Redis(port=port, socket_timeout=30)
        c5 = redis.Redis(port=port, db=5, socket_timeout=30)
        try:
            while not stop.is_set():
                c.swapdb(2, 3)
                acked["swaps"] += 1
                c5.set("marker", acked["swaps"])
                c5.flushdb()
                time.sleep(0.02)
        except (redis.ConnectionError, redis.TimeoutError, ConnectionResetError):
            pass

    def check_global_ops(self, c, acked):
        two = redis.Redis(port=c.connection_pool.connection_kwargs["port"], db=2)
        three = redis.Redis(port=c.connection_pool.connection_kwargs["port"], db=3)
        a, b = two.get("which"), three.get("which")
        self.assertEqual(sorted([a, b]), [b"three", b"two"], "SWAPDB lost a database")
        swaps = 0 if a == b"two" else 1  # parity of the swaps on disk
        if self.fsync == "always":  # every acknowledged swap, perhaps one more
            self.assertIn(swaps, {acked["swaps"] % 2, (acked["swaps"] + 1) % 2})
        five = redis.Redis(port=two.connection_pool.connection_kwargs["port"], db=5)
        self.assertLessEqual(five.dbsize(), 1)
        acked["swaps"] = swaps  # the next round goes on from what is on disk

    def snapshot_ops(self, port, stop, started):
        """BGREWRITEAOF and BGSAVE back to back, so the kill lands mid-rewrite, mid-snapshot
        or mid-manifest-switch."""
        c = redis.Redis(port=port, socket_timeout=30)
        try:
            while not stop.is_set():
                for cmd in ("BGREWRITEAOF", "BGSAVE"):
                    try:
                        c.execute_command(cmd)
                        started[cmd] += 1
                    except redis.ResponseError:
                        pass  # one job at a time: "already in progress"
                time.sleep(0.02)
        except (redis.ConnectionError, redis.TimeoutError, ConnectionResetError):
            pass

    def crash_rounds(self, shards, fsync, rounds=2, global_ops=False, snapshots=False):
        self.fsync = fsync
        tmp = self.mkdtemp()
        rng = random.Random(shards * 1000 + len(fsync))
        expected = {}  # tag -> (iterations that must be there, INCR value that must be there)
        srv = self.kevy(tmp, "--appendfsync", fsync, shards=shards)
        ops_acked = {"swaps": 0}
        started = {"BGREWRITEAOF": 0, "BGSAVE": 0}
        if snapshots:  # enough keys that a rewrite or a snapshot takes a while
            p = srv.client().pipeline(transaction=False)
            for i in range(60000):
                p.set(f"bulk:{i}", i)
            p.execute()
        if global_ops:
            srv.client(db=2).set("which", "two")
            srv.client(db=3).set("which", "three")
        for r in range(rounds):
            writers = [Writer(srv.port, f"r{r}t{i}") for i in range(self.THREADS)]
            for w in writers:
                w.start()
            stop = threading.Event()
            if global_ops:
                ops = threading.Thread(target=self.global_ops, args=(srv.port, stop, ops_acked),
                                       daemon=True)
                ops.start()
            if snapshots:
                ops = threading.Thread(target=self.snapshot_ops, args=(srv.port, stop, started),
                                       daemon=True)
                ops.start()
            # everysec: long enough for the 2 s bound to say something
            time.sleep(rng.uniform(0.4, 1.6) if fsync == "always" else rng.uniform(2.6, 3.4))
            srv.kill()
            stop.set()
            if global_ops or snapshots:
                ops.join(30)
            for w in writers:
                w.join(30)
                self.assertIsNone(w.error, f"writer {w.tag}: {w.error!r}")
                self.assertGreater(len(w.done), 0, f"writer {w.tag} wrote nothing")
                # kill -9 is a process crash, not a power loss: a reply leaves only after its
                # write reached the file (page cache), so under everysec too every
                # acknowledged write survives (everysec bounds the loss of a machine crash).
                expected[w.tag] = (len(w.done), w.incr_acked)
            srv = self.kevy(tmp, "--appendfsync", fsync, shards=shards,
                            log_name=f"kevy{r + 1}.log")
            c = srv.client()
            for tag, (n, incr_min) in expected.items():  # earlier rounds too: no black hole
                self.check_writer(c, tag, n, incr_min)
            if global_ops:
                self.check_global_ops(c, ops_acked)
            if snapshots:
                self.assertGreater(started["BGREWRITEAOF"], 0)
                self.assertEqual(c.dbsize() >= 60000, True)
                bulk = c.mget([f"bulk:{i}" for i in range(60000)])
                self.assertEqual(bulk, [str(i).encode() for i in range(60000)])
                # the directory is one redis-check-aof accepts after the crash and the restart
                if CHECK_AOF:
                    out = subprocess.run([CHECK_AOF, aof_path(tmp, "appendonly.aof.manifest")],
                                         capture_output=True, text=True)
                    self.assertIn("All AOF files and manifest are valid", out.stdout + out.stderr)
        srv.stop()

    def test_always_1_shard(self):
        self.crash_rounds(1, "always")

    def test_always_4_shards(self):
        # Writes run on other shards than their clients': the reply waits for the owning
        # shard's fsync (Shard::Execute parks the task until its batch is durable).
        self.crash_rounds(4, "always")

    def test_everysec_1_shard(self):
        self.crash_rounds(1, "everysec")

    def test_everysec_4_shards(self):
        self.crash_rounds(4, "everysec")

    def test_epochs_under_load_always_1_shard(self):
        self.crash_rounds(1, "always", global_ops=True)

    def test_epochs_under_load_everysec_4_shards(self):
        self.crash_rounds(4, "everysec", global_ops=True)

    def manifest_switch_crash(self, point, shards):
        """kill -9 while a rewrite's manifest switch is paused at `point` (KEVY_TEST_PAUSE):
        before-manifest (the new base is in place, the manifest still names the old files) or
        after-manifest (the manifest names the new base, the old files are not deleted yet).
        Under `always` every acknowledged write must be there after the restart."""
        tmp = self.mkdtemp()
        os.environ["KEVY_TEST_PAUSE"] = f"{point}:3000"
        try:
            srv = self.kevy(tmp, "--appendfsync", "always", shards=shards)
        finally:
            del os.environ["KEVY_TEST_PAUSE"]
        p = srv.client().pipeline(transaction=False)
        for i in range(20000):
            p.set(f"bulk:{i}", i)
        p.execute()
        writers = [Writer(srv.port, f"{point}{i}") for i in range(2)]
        for w in writers:
            w.start()
        time.sleep(0.3)
        srv.client().bgrewriteaof()
        deadline = time.time() + 30
        while "KEVY_TEST_PAUSE at " + point not in srv.log() and time.time() < deadline:
            time.sleep(0.02)
        self.assertIn("KEVY_TEST_PAUSE at " + point, srv.log())
        time.sleep(0.3)  # writes keep landing in the new incr files meanwhile
        srv.kill()
        for w in writers:
            w.join(30)
            self.assertIsNone(w.error)
        srv = self.kevy(tmp, "--appendfsync", "always", shards=shards, log_name="kevy2.log")
        c = srv.client()
        self.assertEqual(c.mget([f"bulk:{i}" for i in range(20000)]),
                         [str(i).encode() for i in range(20000)])
        for w in writers:
            self.check_writer(c, w.tag, len(w.done), w.incr_acked)
        if CHECK_AOF:
            out = subprocess.run([CHECK_AOF, aof_path(tmp, "appendonly.aof.manifest")],
                                 capture_output=True, text=True)
            self.assertIn("All AOF files and manifest are valid", out.stdout + out.stderr)
        # and a later rewrite succeeds over whatever the crash left behind
        c.bgrewriteaof()
        wait_idle(self, c, "aof_rewrite_in_progress")
        self.assertEqual(c.info("persistence")["aof_last_bgrewrite_status"], "ok")
        srv.stop()

    def test_kill_before_manifest_switch_4_shards(self):
        self.manifest_switch_crash("before-manifest", 4)

    def test_kill_after_manifest_switch_1_shard(self):
        self.manifest_switch_crash("after-manifest", 1)

    def test_kill_during_rewrites_and_snapshots_always_4_shards(self):
        self.crash_rounds(4, "always", snapshots=True)

    def test_kill_during_rewrites_and_snapshots_everysec_1_shard(self):
        self.crash_rounds(1, "everysec", snapshots=True)


# ----------------------------------------------------------------------------- 2. torn tails

class TornTailTest(Base):
    N = 600

    def populate(self, shards):
        """Writes N keys (k0..k{N-1} = v0..) with the AOF on, stops, returns the dir."""
        tmp = self.mkdtemp()
        srv = self.kevy(tmp, shards=shards)
        c = srv.client()
        p = c.pipeline(transaction=False)
        for i in range(self.N):
            p.set(f"k{i}", f"v{i}" * 5)
        p.execute()
        self.assertEqual(srv.stop(), 0)
        return tmp

    def data_files(self, tmp):
        """The incr files holding SET commands: {name: (bytes, frames)}."""
        out = {}
        for name in incr_files(tmp):
            with open(aof_path(tmp, name), "rb") as f:
                data = f.read()
            fr = frames(data)
            if any(a[0].upper() == b"SET" for _, _, a in fr):
                out[name] = (data, fr)
        return out

    def keys_in(self, fr, upto):
        return {a[1] for s, e, a in fr if e <= upto and a[0].upper() == b"SET"}

    def torn_tail(self, shards):
        rng = random.Random(shards)
        for attempt in range(3):
            tmp = self.populate(shards)
            files = self.data_files(tmp)
            self.assertEqual(len(files), shards, "every shard should have written keys")
            all_keys = set()
            for data, fr in files.values():
                all_keys |= self.keys_in(fr, len(data))
            self.assertEqual(len(all_keys), self.N)
            # Cut one file (not necessarily the last one listed) inside a frame.
            name = rng.choice(sorted(files))
            data, fr = files[name]
            s, e, _ = fr[rng.randrange(len(fr) // 4, len(fr))]
            cut = rng.randrange(s + 1, e)
            with open(aof_path(tmp, name), "r+b") as f:
                f.truncate(cut)
            lost = self.keys_in(fr, len(data)) - self.keys_in(fr, cut)
            self.assertTrue(lost)
            want = all_keys - lost

            # aof-load-truncated no: refuses to start.
            code, out = self.kevy_fails(tmp, "--aof-load-truncated", "no", shards=shards)
            self.assertNotEqual(code, 0, out)
            self.assertIn(name, out)
            self.assertEqual(os.path.getsize(aof_path(tmp, name)), cut, "the file was changed")

            # default (yes): starts, cuts the tail, says so, keeps everything before the cut.
            srv = self.kevy(tmp, shards=shards, log_name="kevy2.log")
            log = srv.log()
            self.assertRegex(log, r"(?i)truncat", log)
            self.assertIn(name, log)
            self.assertEqual(os.path.getsize(aof_path(tmp, name)), s, "cut to the last whole command")
            c = srv.client()
            self.assertEqual(c.dbsize(), len(want))
            got = set(c.keys("*"))
            self.assertEqual(got, want)
            for k in rng.sample(sorted(want), 50):
                self.assertEqual(c.get(k), f"v{k.decode()[1:]}".encode() * 5)
            # writes after the repaired start-up survive another crash
            c.set("after", "1")
            c.rpush("after-list", *range(10))
            time.sleep(1.1)  # everysec (the default) may lose up to a second to a kill -9
            srv.kill()
            srv = self.kevy(tmp, shards=shards, log_name="kevy3.log")
            c = srv.client()
            self.assertNotRegex(srv.log(), r"(?i)truncat")
            self.assertEqual(c.get("after"), b"1")
            self.assertEqual(c.llen("after-list"), 10)
            self.assertEqual(c.dbsize(), len(want) + 2)
            srv.stop()

    def test_torn_tail_1_shard(self):
        self.torn_tail(1)

    def test_torn_tail_4_shards(self):
        self.torn_tail(4)

    def test_torn_tail_in_older_epoch_file(self):
        """A torn tail in an incr file that is not the newest one (a file of an older epoch):
        kevy cuts it too (each shard has its own file; Redis would only cut the last)."""
        tmp = self.populate(1)
        srv = self.kevy(tmp, log_name="kevy1.log")
        srv.client().set("newer", "x")
        srv.stop()
        files = self.data_files(tmp)
        first = incr_files(tmp)[0]
        data, fr = files[first]
        s, e, _ = fr[len(fr) // 2]
        with open(aof_path(tmp, first), "r+b") as f:
            f.truncate(s + 3)
        srv = self.kevy(tmp, log_name="kevy2.log")
        self.assertIn(first, srv.log())
        c = srv.client()
        self.assertEqual(c.get("newer"), b"x")
        self.assertEqual(set(c.keys("k*")), self.keys_in(fr, s))

    CORRUPTIONS = ("star", "dollar", "crlf", "garbage", "length")

    def corrupt(self, shards, how):
        tmp = self.populate(shards)
        files = self.data_files(tmp)
        name = sorted(files)[0]
        data, fr = files[name]
        start, end, args = fr[len(fr) // 2]
        b = bytearray(data)
        if how == "star":        # the '*' of a command in the middle
            b[start] = ord("X")
        elif how == "dollar":    # the '$' of its second argument
            b[data.index(b"$", data.index(b"$", start) + 1)] = ord("#")
        elif how == "crlf":      # the CR after its last argument
            b[end - 2] = ord("x")
        elif how == "garbage":   # text between two commands
            b[start:start] = b"hello world\r\n"
        elif how == "length":    # a non-digit in an argument length
            b[data.index(b"$", start) + 1] = ord("?")
        with open(aof_path(tmp, name), "wb") as f:
            f.write(b)
        code, out = self.kevy_fails(tmp, shards=shards)
        self.assertNotEqual(code, 0, out)
        self.assertIn(name, out)
        m = re.search(r"offset (\d+)", out)
        self.assertIsNotNone(m, out)
        # the offset of the damage: within the damaged command (Redis names a position too)
        self.assertGreaterEqual(int(m.group(1)), start, out)
        self.assertLess(int(m.group(1)), end, out)
        self.assertEqual(os.path.getsize(aof_path(tmp, name)), len(b), "a damaged file was changed")

    def test_damage_mid_file_refuses_to_start(self):
        for shards in (1, 4):
            for how in self.CORRUPTIONS:
                with self.subTest(shards=shards, how=how):
                    self.corrupt(shards, how)



class BitFlipTest(Base):
    """Random bit flips in every kind of file kevy loads: a dump.rdb and an RDB base (their
    CRC-64 catches any flip: start-up refuses, naming the file), and incr files (no checksum
    in Redis's format either: a flip is refused as damage with its offset when it breaks the
    syntax, else it loads a different value) -- never a crash."""
    FLIPS = 8

    def files_for(self, shards):
        tmp = self.mkdtemp()
        srv = self.kevy(tmp, "--save", "", shards=shards)
        c = srv.client()
        p = c.pipeline(transaction=False)
        for i in range(400):
            p.set(f"s{i}", f"v{i}" * 4)
            p.rpush(f"l{i % 7}", i)
            p.hset(f"h{i % 5}", f"f{i}", i)
            p.zadd(f"z{i % 3}", {f"m{i}": i})
        p.execute()
        c.bgrewriteaof()  # an RDB base...
        wait_idle(self, c, "aof_rewrite_in_progress", "aof_rewrite_scheduled")
        for i in range(200):  # ...and incr files after it
            c.set(f"after{i}", i)
        c.save()  # and a dump.rdb
        self.assertEqual(srv.stop(), 0)
        return tmp

    def start(self, tmp, shards, appendonly):
        """(exit code, output) of a start-up that failed, or (None, output) once it serves."""
        log = os.path.join(self.mkdtemp(), "out.log")
        with open(log, "wb") as out:
            proc = subprocess.Popen([SERVER, "--port", str(free_port()), "--bind", "127.0.0.1",
                                     "--dir", tmp, "--shards", str(shards), "--appendonly",
                                     appendonly, "--save", ""],
                                    stdout=out, stderr=subprocess.STDOUT)
        deadline = time.time() + 20
        while True:
            with open(log, errors="replace") as f:
                text = f.read()
            if proc.poll() is not None:
                return proc.returncode, text
            if "Ready to accept connections" in text:
                proc.kill()
                proc.wait()
                return None, text
            self.assertLess(time.time(), deadline, "start-up hung: " + text[-2000:])
            time.sleep(0.01)

    def flip(self, path, rng, lo=0, hi=None):
        with open(path, "rb") as f:
            data = bytearray(f.read())
        pos = rng.randrange(lo, hi if hi is not None else len(data))
        data[pos] ^= 1 << rng.randrange(8)
        with open(path, "wb") as f:
            f.write(data)
        return pos

    def check_flips(self, shards):
        rng = random.Random(100 + shards)
        tmp = self.files_for(shards)
        base = [n for n, _, t in manifest_files(tmp) if t == "b"][0]
        self.assertTrue(base.endswith(".rdb"))
        keep = self.mkdtemp()
        shutil.copytree(tmp, keep, dirs_exist_ok=True)
        targets = [("dump.rdb", "no"), (os.path.join(AOF_DIR, base), "yes")]
        targets += [(os.path.join(AOF_DIR, n), "yes") for n in incr_files(tmp)
                    if os.path.getsize(aof_path(tmp, n)) > 0]
        for name, appendonly in targets:
            for k in range(self.FLIPS):
                shutil.copytree(keep, tmp, dirs_exist_ok=True)
                path = os.path.join(tmp, name)
                pos = self.flip(path, rng)
                with self.subTest(file=name, pos=pos):
                    code, out = self.start(tmp, shards, appendonly)  # None: it started
                    self.assertNotIn(code, (-6, -11, 134, 139), out)  # no abort, no segfault
                    if name.endswith(".rdb"):
                        # the CRC catches every flip (in the 8 CRC bytes too)
                        self.assertEqual(code, 1, out)
                        self.assertIn(os.path.basename(name), out)
                    elif code is not None:
                        self.assertEqual(code, 1, out)
                        self.assertIn(os.path.basename(name), out)

    def test_bit_flips_1_shard(self):
        self.check_flips(1)

    def test_bit_flips_4_shards(self):
        self.check_flips(4)


# ----------------------------------------------------------------------------- 3. compatibility

def mixed_workload(c0, db_client, rng, transactions=True):
    """All types, expiring keys, FLUSHALL/FLUSHDB/SWAPDB, MOVE, RENAME/COPY, SPOP,
    INCRBYFLOAT, *STORE -- spread over many keys so that they land on different shards."""
    c0.set("doomed", "1")
    c0.flushall()
    for db in range(4):
        c = db_client(db)
        for i in range(30):
            c.set(f"s{i}", f"val{db}-{i}")
            c.set(f"n{i}", i * 7)
            c.rpush(f"l{i}", *[f"e{j}" for j in range(i % 5 + 1)])
            c.hset(f"h{i}", mapping={f"f{j}": f"v{j}" for j in range(i % 4 + 1)})
            c.sadd(f"si{i}", *range(i % 6 + 1))
            c.sadd(f"ss{i}", *[f"m{j}" for j in range(i % 6 + 1)])
            c.zadd(f"z{i}", {f"m{j}": j * 1.5 for j in range(i % 5 + 1)})
        c.set("big", "x" * 5000)
        c.hset("bighash", mapping={f"f{j}": "y" * 100 for j in range(200)})
        c.zadd("bigz", {f"m{j}": rng.random() for j in range(200)})
        c.sadd("bigset", *[f"m{j}" for j in range(600)])
        c.rpush("biglist", *[f"e{j}" for j in range(1000)])
        c.set("ex", "v", ex=1000)
        c.set("px", "v", px=900000)
        c.set("gone", "v", px=50)
        c.expire("s1", 2000)
        c.pexpire("l1", 3000000)
        c.expireat("h1", int(time.time()) + 4000)
        c.expire("s2", 500)
        c.persist("s2")
        c.expire("s3", -1)  # deletes
        c.incrbyfloat("n1", 1.25)
        c.incrbyfloat("float", "3.0e3")
        c.incrby("n2", 100)
        c.decr("n3")
        c.append("s4", "-appended")
        c.setrange("s5", 2, "XYZ")
        c.getdel("s6")
        c.getex("s7", ex=3000)
        c.spop("ss5")
        c.spop("si5", 2)
        c.srem("ss4", "m0")
        c.smove("ss3", "ss4", "m1")
        c.lpop("l4")
        c.rpoplpush("l3", "l9")
        c.lmove("l2", "l8", "LEFT", "RIGHT")
        c.lset("l4", 0, "replaced")
        c.ltrim("biglist", 10, 900)
        c.lrem("biglist", 0, "e20")
        c.hincrbyfloat("h2", "f0x", 2.5)
        c.hincrby("h3", "cnt", 5)
        c.hdel("h3", "f0")
        c.zincrby("z3", 2.25, "m0")
        c.zpopmin("z4")
        c.zrem("z2", "m1")
        c.rename("s8", "renamed-s8")
        c.rename("l5", "renamed-l5")
        c.renamenx("h5", "renamed-h5")
        c.copy("z5", "copied-z5")
        c.copy("ss6", "copied-ss6")
        c.sunionstore("sunion", ["ss7", "ss8", "ss9"])
        c.sinterstore("sinter", ["si7", "si8"])
        c.sdiffstore("sdiff", ["si9", "si1"])
        c.zunionstore("zunion", ["z7", "z8", "z9"])
        c.zinterstore("zinter", ["z7", "z8"], aggregate="MAX")
        c.sort("l9", alpha=True, store="sorted")
        c.bitop("OR", "bitor", "s10", "s11")
        c.setbit("bits", 100, 1)
        c.unlink("s12", "l12")
        c.delete("h12", "z12")
        c.msetnx({"msetnx-a": 1, "msetnx-b": 2})
        c.setnx("s13", "nope")
        p = c.pipeline(transaction=transactions)  # kevy has no MULTI/EXEC yet
        p.set("tx-a", "1").incr("tx-n").rpush("tx-l", "a", "b").expire("tx-a", 600)
        p.execute()
    c = db_client(0)
    c.move("s14", 3)
    c.move("s15", 3)  # exists in db 3: not moved
    c.copy("s16", "copied-to-db2", destination_db=2)
    c.swapdb(0, 1)
    db_client(2).flushdb()
    db_client(2).set("after-flushdb", "1")
    db_client(5).set("db5", "x")
    db_client(5).swapdb(5, 6)
    time.sleep(0.1)  # "gone" expired


class CompatBase(Base):
    def client_factory(self, port):
        return lambda db: redis.Redis(port=port, db=db)

    def redis(self, tmp, *args):
        srv = RedisServer("--dir", tmp, *args, log=os.path.join(tmp, "redis.log"))
        self.addCleanup(srv.kill)
        return srv

    def check_aof(self, tmp):
        p = subprocess.run([CHECK_AOF, aof_path(tmp, MANIFEST)], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=60)
        out = p.stdout.decode(errors="replace")
        self.assertEqual(p.returncode, 0, out)
        self.assertIn("is valid", out)


@unittest.skipUnless(RedisServer.BIN and CHECK_AOF, "redis-server / redis-check-aof not installed")
class CompatibilityTest(CompatBase):
    def kevy_to_redis(self, shards, fsync):
        tmp = self.mkdtemp()
        srv = self.kevy(tmp, "--appendfsync", fsync, shards=shards)
        mixed_workload(srv.client(), self.client_factory(srv.port), random.Random(shards),
                       transactions=False)
        want = snapshot(self.client_factory(srv.port))
        self.assertGreater(len(want), 500)
        srv.kill()  # no shutdown work: what is in the files must be enough
        self.check_aof(tmp)
        copy = self.mkdtemp()
        shutil.copytree(aof_path(tmp), aof_path(copy))
        r = self.redis(copy, "--appendonly", "yes")
        assert_same_keyspace(self, want, snapshot(self.client_factory(r.port)))
        r.stop()
        # and kevy itself reads its own directory back
        srv = self.kevy(tmp, shards=shards, log_name="kevy2.log")
        assert_same_keyspace(self, want, snapshot(self.client_factory(srv.port)))
        srv.stop()

    def test_kevy_to_redis_1_shard(self):
        self.kevy_to_redis(1, "always")

    def test_kevy_to_redis_4_shards(self):
        self.kevy_to_redis(4, "everysec")

    def redis_to_kevy(self, preamble):
        tmp = self.mkdtemp()
        r = self.redis(tmp, "--appendonly", "yes", "--aof-use-rdb-preamble", preamble)
        mixed_workload(r.client(), self.client_factory(r.port), random.Random(7))
        if preamble == "yes":  # an RDB base holding most of the data, then incr commands
            r.client().bgrewriteaof()
            deadline = time.time() + 30
            while r.client().info("persistence")["aof_rewrite_in_progress"] or \
                    r.client().info("persistence")["aof_rewrite_scheduled"]:
                self.assertLess(time.time(), deadline)
                time.sleep(0.05)
            c = r.client(db=3)
            c.set("after-rewrite", "1", ex=5000)
            c.rpush("after-rewrite-list", 1, 2, 3)
            c.incrbyfloat("n1", 1)
        want = snapshot(self.client_factory(r.port))
        self.assertGreater(len(want), 500)
        r.stop()
        for shards in (1, 4):
            copy = self.mkdtemp()
            shutil.copytree(aof_path(tmp), aof_path(copy))
            srv = self.kevy(copy, shards=shards)
            assert_same_keyspace(self, want, snapshot(self.client_factory(srv.port)))
            # kevy keeps appending to the directory; redis-server still reads it afterwards
            srv.client(db=9).set("kevy-was-here", shards)
            want2 = snapshot(self.client_factory(srv.port))
            srv.stop()
            self.check_aof(copy)
            r2 = self.redis(copy, "--appendonly", "yes")
            assert_same_keyspace(self, want2, snapshot(self.client_factory(r2.port)))
            r2.stop()

    def test_redis_to_kevy_plain(self):
        self.redis_to_kevy("no")

    def test_redis_to_kevy_rdb_preamble(self):
        self.redis_to_kevy("yes")


def wait_idle(test, c, *fields, timeout=60):
    """Until every INFO persistence field named is 0 (a background save/rewrite finished)."""
    deadline = time.time() + timeout
    while any(c.info("persistence").get(f) for f in fields):
        test.assertLess(time.time(), deadline, f"{fields} still running")
        time.sleep(0.05)


@unittest.skipUnless(RedisServer.BIN and CHECK_AOF, "redis-server / redis-check-aof not installed")
class RewriteAndSnapshotTest(CompatBase):
    """BGREWRITEAOF (an RDB or AOF base plus fresh incr files) and BGSAVE/SAVE (dump.rdb),
    each read back by kevy and by redis-server."""

    def bgrewriteaof(self, shards, preamble):
        tmp = self.mkdtemp()
        srv = self.kevy(tmp, "--aof-use-rdb-preamble", preamble, shards=shards)
        mixed_workload(srv.client(), self.client_factory(srv.port), random.Random(3),
                       transactions=False)
        old_incrs = incr_files(tmp)
        writers = [Writer(srv.port, f"rw{i}") for i in range(2)]  # writes during the rewrite
        for w in writers:
            w.start()
        time.sleep(0.2)
        srv.client().bgrewriteaof()
        wait_idle(self, srv.client(), "aof_rewrite_in_progress", "aof_rewrite_scheduled")
        self.assertEqual(srv.client().info("persistence")["aof_last_bgrewrite_status"], "ok")
        time.sleep(0.2)
        for w in writers:
            w.stop.set()
            w.join(30)
            self.assertIsNone(w.error)
        listed = manifest_files(tmp)
        bases = [n for n, _, t in listed if t == "b"]
        self.assertEqual(len(bases), 1, listed)
        self.assertTrue(bases[0].endswith(".rdb" if preamble == "yes" else ".aof"), bases)
        with open(aof_path(tmp, bases[0]), "rb") as f:
            self.assertEqual(f.read(5) == b"REDIS", preamble == "yes")
        for name in old_incrs:  # replaced by the base: no longer listed (history, then gone)
            self.assertNotIn(name, incr_files(tmp))
        time.sleep(1.1)  # everysec: what was acknowledged a second ago is on disk
        srv.client(db=4).set("after-rewrite", "x", ex=1000)
        time.sleep(1.1)
        want = snapshot(self.client_factory(srv.port))
        srv.kill()
        want = {k: v for k, v in want.items() if not k[1].decode().count(":rw")}
        self.check_aof(tmp)
        copy = self.mkdtemp()
        shutil.copytree(aof_path(tmp), aof_path(copy))
        srv = self.kevy(tmp, shards=shards, log_name="kevy2.log")
        got = snapshot(self.client_factory(srv.port))
        c = srv.client()
        for w in writers:  # every write acknowledged during the rewrite survived
            CrashMatrixTest.check_writer(self, c, w.tag, len(w.done), w.incr_acked)
        srv.stop()
        assert_same_keyspace(self, want, {k: v for k, v in got.items()
                                          if not k[1].decode().count(":rw")})
        r = self.redis(copy, "--appendonly", "yes")
        got = snapshot(self.client_factory(r.port))
        assert_same_keyspace(self, want, {k: v for k, v in got.items()
                                          if not k[1].decode().count(":rw")})

    def test_bgrewriteaof_rdb_base_4_shards(self):
        self.bgrewriteaof(4, "yes")

    def test_bgrewriteaof_aof_base_1_shard(self):
        self.bgrewriteaof(1, "no")

    def save(self, shards, verb):
        tmp = self.mkdtemp()
        srv = self.kevy(tmp, shards=shards, appendonly=False)
        mixed_workload(srv.client(), self.client_factory(srv.port), random.Random(5),
                       transactions=False)
        c = srv.client()
        c.execute_command(verb)
        wait_idle(self, c, "rdb_bgsave_in_progress")
        info = c.info("persistence")
        self.assertEqual(info["rdb_last_bgsave_status"], "ok")
        self.assertEqual(info["rdb_changes_since_last_save"], 0)
        want = snapshot(self.client_factory(srv.port))
        c.set("not-saved", "1")
        srv.kill()
        dump = os.path.join(tmp, "dump.rdb")
        self.assertTrue(os.path.exists(dump))
        check_rdb = shutil.which("redis-check-rdb")
        if check_rdb:
            p = subprocess.run([check_rdb, dump], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            self.assertEqual(p.returncode, 0, p.stdout.decode(errors="replace"))
        copy = self.mkdtemp()
        shutil.copy(dump, copy)
        srv = self.kevy(tmp, shards=shards, appendonly=False, log_name="kevy2.log")
        assert_same_keyspace(self, want, snapshot(self.client_factory(srv.port)))
        srv.stop()
        r = self.redis(copy)
        assert_same_keyspace(self, want, snapshot(self.client_factory(r.port)))

    def test_bgsave_4_shards(self):
        self.save(4, "BGSAVE")

    def test_save_1_shard(self):
        self.save(1, "SAVE")

    def test_dump_rdb_carries_resizedb(self):
        """SELECTDB + RESIZEDB with each database's sizes at the cut head a kevy dump.rdb (as
        Redis writes them), whatever the number of shards."""
        tmp = self.mkdtemp()
        srv = self.kevy(tmp, "--save", "", shards=4, appendonly=False)
        c0, c5 = srv.client(db=0), srv.client(db=5)
        for i in range(700):
            c0.set(f"a{i}", i)
        for i in range(130):
            c5.set(f"b{i}", i, ex=1000)
        c0.save()
        with open(os.path.join(tmp, "dump.rdb"), "rb") as f:
            data = f.read()

        def length(pos):  # RDB length encoding, 6/14/32-bit forms
            b = data[pos]
            if b >> 6 == 0:
                return b & 0x3F, pos + 1
            if b >> 6 == 1:
                return ((b & 0x3F) << 8) | data[pos + 1], pos + 2
            return int.from_bytes(data[pos + 1:pos + 5], "big"), pos + 5

        hints = {}
        pos = data.index(b"\xfe")  # the first SELECTDB, right after the AUX fields
        while data[pos] == 0xFE:
            db, pos = length(pos + 1)
            if data[pos] != 0xFB:
                break
            keys, pos = length(pos + 1)
            expires, pos = length(pos)
            hints[db] = (keys, expires)
        self.assertEqual(hints, {0: (700, 0), 5: (130, 130)})
        srv.stop()

    def test_save_progress_in_info(self):
        """current_save_keys_total / _processed while a BGSAVE and a BGREWRITEAOF run."""
        tmp = self.mkdtemp()
        srv = self.kevy(tmp, shards=2)
        c = srv.client()
        n = 400000
        lines = "".join(f"SET key:{i} {'v' * 32}\r\n" for i in range(n)).encode()
        subprocess.run(["redis-cli", "-p", str(srv.port), "--pipe"], input=lines, check=True,
                       stdout=subprocess.DEVNULL)
        self.assertEqual(c.dbsize(), n)
        for start, flag in ((c.bgsave, "rdb_bgsave_in_progress"),
                            (c.bgrewriteaof, "aof_rewrite_in_progress")):
            start()
            seen = []
            while True:
                info = c.info("persistence")
                if not info[flag]:
                    break
                seen.append((info["current_save_keys_total"], info["current_save_keys_processed"]))
            self.assertTrue(seen, f"{flag} never seen running")
            for total, done in seen:
                self.assertIn(total, (0, n))  # 0 only in the instant before the cut
                self.assertLessEqual(done, total)
            self.assertEqual(max(t for t, _ in seen), n)
            self.assertEqual([d for _, d in seen], sorted(d for _, d in seen))  # only grows
            info = c.info("persistence")
            self.assertEqual((info["current_save_keys_total"],
                              info["current_save_keys_processed"]), (0, 0))

    def test_debug_reload_and_debug_object(self):
        tmp = self.mkdtemp()
        srv = self.kevy(tmp, shards=4, appendonly=False)
        c = srv.client()
        mixed_workload(c, self.client_factory(srv.port), random.Random(11), transactions=False)
        want = snapshot(self.client_factory(srv.port))
        self.assertTrue(c.execute_command("DEBUG", "RELOAD"))
        assert_same_keyspace(self, want, snapshot(self.client_factory(srv.port)))
        self.assertTrue(os.path.exists(os.path.join(tmp, "dump.rdb")))
        c.set("dbg", "hello")
        line = c.execute_command("DEBUG", "OBJECT", "dbg")
        line = line.decode() if isinstance(line, bytes) else line
        self.assertRegex(line, r"^Value at:0x[0-9a-f]+ refcount:1 encoding:embstr "
                               r"serializedlength:6 lru:\d+ lru_seconds_idle:\d+$")
        with self.assertRaisesRegex(redis.ResponseError, "no such key"):
            c.execute_command("DEBUG", "OBJECT", "missing")
        # Loaded keys get a fresh access clock, not an idle time of decades.
        some = next(k for k in c.scan_iter(count=100))
        self.assertLess(c.object("idletime", some), 100)
        srv.stop()

    def test_redis_dump_rdb_to_kevy(self):
        tmp = self.mkdtemp()
        r = self.redis(tmp)
        mixed_workload(r.client(), self.client_factory(r.port), random.Random(9))
        r.client().save()
        want = snapshot(self.client_factory(r.port))
        r.stop()
        for shards in (1, 4):
            srv = self.kevy(tmp, shards=shards, appendonly=False, log_name=f"kevy{shards}.log")
            assert_same_keyspace(self, want, snapshot(self.client_factory(srv.port)))
            srv.stop()

    def test_big_redis_dump_rdb_every_db(self):
        """Many keys in every database (the loader's worker threads, pre-sized tables), then
        the same file damaged in the middle: refused, the message naming the file."""
        tmp = self.mkdtemp()
        r = self.redis(tmp, "--enable-debug-command", "yes")
        per_db = 12000
        want, sample = {}, {}
        for db in range(16):
            c = redis.Redis(port=r.port, db=db)
            c.execute_command("DEBUG", "POPULATE", per_db + db, f"k{db}", 24)
            c.hset(f"h{db}", mapping={"f": db, "g": "x" * 100})
            c.rpush(f"l{db}", "a", db)
            c.set(f"t{db}", "ttl", px=3600_000)
            want[db] = c.dbsize()
            keys = [f"k{db}:{i}" for i in range(0, per_db, 997)] + [f"k{db}:{per_db + db - 1}"]
            sample[db] = dict(zip(keys, c.mget(keys)))
        r.client().save()
        r.stop()
        dump = os.path.join(tmp, "dump.rdb")
        for shards in (1, 2, 4):
            with self.subTest(shards=shards):
                srv = self.kevy(tmp, shards=shards, appendonly=False, log_name=f"kevy{shards}.log")
                for db in range(16):
                    c = redis.Redis(port=srv.port, db=db)
                    self.assertEqual(c.dbsize(), want[db], f"db {db}")
                    self.assertEqual(dict(zip(sample[db], c.mget(list(sample[db])))), sample[db])
                    self.assertEqual(c.hgetall(f"h{db}"), {b"f": str(db).encode(), b"g": b"x" * 100})
                    self.assertEqual(c.lrange(f"l{db}", 0, -1), [b"a", str(db).encode()])
                    self.assertGreater(c.pttl(f"t{db}"), 3000_000)
                srv.stop()
        with open(dump, "rb") as f:
            data = f.read()
        for how in ("truncated", "garbage"):
            with self.subTest(how=how):
                half = len(data) // 2
                bad = data[:half] if how == "truncated" else \
                    data[:half] + b"\x63" * 64 + data[half + 64:]
                with open(dump, "wb") as f:
                    f.write(bad)
                for shards in (1, 4):
                    code, out = self.kevy_fails(tmp, "--appendonly", "no", shards=shards)
                    self.assertNotEqual(code, 0, out)
                    self.assertIn("Error loading dump.rdb: Bad RDB at offset", out)
                    self.assertIn("Fatal error loading the DB", out)


# ----------------------------------------------------------------------------- 4. MISCONF

@unittest.skipUnless(RedisServer.BIN and CHECK_AOF, "redis-server / redis-check-aof not installed")
class RuntimeAofTest(CompatBase):
    """CONFIG SET appendonly yes|no on a running server (Redis's startAppendOnly /
    stopAppendOnly) and BGREWRITEAOF with appendonly no."""

    def files_in_dir(self, tmp):
        return sorted(os.listdir(aof_path(tmp)))

    def assert_dir_is_manifest(self, tmp):
        """Every file in appendonlydir is listed in the manifest (no orphans left behind)."""
        listed = sorted([n for n, _, _ in manifest_files(tmp)] + [MANIFEST])
        self.assertEqual(self.files_in_dir(tmp), listed)

    def restart_keyspace(self, tmp, shards, *args):
        srv = self.kevy(tmp, *args, shards=shards, log_name="kevy-restart.log")
        got = snapshot(self.client_factory(srv.port))
        srv.stop()
        return got

    def redis_keyspace(self, tmp):
        copy = self.mkdtemp()
        shutil.copytree(aof_path(tmp), aof_path(copy))
        r = self.redis(copy, "--appendonly", "yes")
        got = snapshot(self.client_factory(r.port))
        r.stop()
        return got

    def wait_stopped_logging(self, c, tmp):
        """CONFIG SET appendonly no takes effect at the next cron tick: writes until one no
        longer grows any incr file; returns that write's key (not in the AOF)."""
        deadline = time.time() + 10
        sizes = {n: os.path.getsize(aof_path(tmp, n)) for n in incr_files(tmp)}
        i = 0
        while True:
            key = f"probe:{i}"
            c.set(key, i)
            i += 1
            now = {n: os.path.getsize(aof_path(tmp, n)) for n in incr_files(tmp)}
            if now == sizes:
                return key.encode()
            sizes = now
            self.assertLess(time.time(), deadline, "the AOF is still being written")
            time.sleep(0.05)

    def wait_logging(self, c, tmp):
        """Until the AOF is whole again: no rewrite running or scheduled, and a write grows an
        incr file the manifest lists (pending files are not listed)."""
        deadline = time.time() + 30
        i = 0
        while True:
            self.assertLess(time.time(), deadline, "the AOF never came back on")
            wait_idle(self, c, "aof_rewrite_in_progress", "aof_rewrite_scheduled")
            before = {n: os.path.getsize(aof_path(tmp, n)) for n in incr_files(tmp)}
            c.set(f"logging-probe:{i}", i)
            i += 1
            after = {n: os.path.getsize(aof_path(tmp, n)) for n in incr_files(tmp)
                     if os.path.exists(aof_path(tmp, n))}
            if any(after.get(n, 0) > size for n, size in before.items()):
                return
            time.sleep(0.05)

    def turn_on(self, shards):
        tmp = self.mkdtemp()
        srv = self.kevy(tmp, shards=shards, appendonly=False)
        c = srv.client()
        mixed_workload(c, self.client_factory(srv.port), random.Random(11), transactions=False)
        self.assertEqual(c.info("persistence")["aof_enabled"], 0)
        writers = [Writer(srv.port, f"on{i}") for i in range(2)]  # writes while it turns on
        for w in writers:
            w.start()
        time.sleep(0.2)
        self.assertTrue(c.config_set("appendonly", "yes"))
        info = c.info("persistence")
        self.assertEqual(info["aof_enabled"], 1)
        self.assertEqual(info["aof_rewrite_scheduled"] + info["aof_rewrite_in_progress"], 1, info)
        wait_idle(self, c, "aof_rewrite_in_progress", "aof_rewrite_scheduled")
        self.assertEqual(c.info("persistence")["aof_last_bgrewrite_status"], "ok")
        time.sleep(0.2)
        for w in writers:
            w.stop.set()
            w.join(30)
            self.assertIsNone(w.error)
            self.assertGreater(len(w.done), 0)
        c.set("after-on", "x")
        want = snapshot(self.client_factory(srv.port))
        srv.kill()  # no shutdown work: the files alone must hold everything acknowledged
        self.check_aof(tmp)
        self.assert_dir_is_manifest(tmp)
        bases = [n for n, _, t in manifest_files(tmp) if t == "b"]
        self.assertEqual(len(bases), 1)
        # (TTL slack: reading the writers' keys one by one takes seconds)
        assert_same_keyspace(self, want, self.restart_keyspace(tmp, shards, "--appendonly", "yes"),
                             ttl_slack_ms=60000)
        assert_same_keyspace(self, want, self.redis_keyspace(tmp), ttl_slack_ms=60000)

    def test_config_set_appendonly_yes_1_shard(self):
        self.turn_on(1)

    def test_config_set_appendonly_yes_4_shards(self):
        self.turn_on(4)

    def test_config_set_appendonly_no_then_yes(self):
        tmp = self.mkdtemp()
        srv = self.kevy(tmp, shards=4)
        c = srv.client()
        for i in range(500):
            c.set(f"old:{i}", i)
        self.assertTrue(c.config_set("appendonly", "no"))
        self.assertEqual(c.info("persistence")["aof_enabled"], 0)
        unlogged = self.wait_stopped_logging(c, tmp)
        at_stop = snapshot(self.client_factory(srv.port))
        del at_stop[(0, unlogged)]
        listed = manifest_files(tmp)
        # Off: writes go nowhere; the directory stays as it was when the AOF stopped.
        c.flushall()
        c.set("while-off", 1)
        self.assertEqual(manifest_files(tmp), listed)
        self.check_aof(tmp)
        srv.stop()
        assert_same_keyspace(self, at_stop, self.restart_keyspace(tmp, 4, "--appendonly", "yes"))

        # And on again, on a keyspace that differs from the files: the rewrite's base wins.
        srv = self.kevy(tmp, shards=4, appendonly=False, log_name="kevy3.log")
        c = srv.client()
        c.flushall()  # (it loaded the dump.rdb that the restart's SIGTERM saved)
        for i in range(300):
            c.set(f"new:{i}", i)
        self.assertTrue(c.config_set("appendonly", "yes"))
        wait_idle(self, c, "aof_rewrite_in_progress", "aof_rewrite_scheduled")
        c.set("new:after", 1)
        want = snapshot(self.client_factory(srv.port))
        srv.kill()
        self.check_aof(tmp)
        self.assert_dir_is_manifest(tmp)  # the old base and incr files are gone
        got = self.restart_keyspace(tmp, 4, "--appendonly", "yes")
        assert_same_keyspace(self, want, got)
        self.assertFalse(any(k[1].startswith(b"old:") for k in got))

    def test_on_and_off_quickly_leaves_no_orphans(self):
        tmp = self.mkdtemp()
        srv = self.kevy(tmp, shards=2)
        c = srv.client()
        for i in range(2000):
            c.set(f"k:{i}", "v" * 100)
        listed = manifest_files(tmp)
        for _ in range(5):
            c.config_set("appendonly", "no")
            time.sleep(random.random() * 0.3)
            c.config_set("appendonly", "yes")
            time.sleep(random.random() * 0.3)
        wait_idle(self, c, "aof_rewrite_in_progress", "aof_rewrite_scheduled")
        deadline = time.time() + 10
        while manifest_files(tmp) == listed:  # on: the last rewrite replaced the files
            self.assertLess(time.time(), deadline)
            time.sleep(0.05)
        c.set("last", 1)
        want = snapshot(self.client_factory(srv.port))
        srv.kill()
        self.assert_dir_is_manifest(tmp)
        self.check_aof(tmp)
        assert_same_keyspace(self, want, self.restart_keyspace(tmp, 2, "--appendonly", "yes"))

    def test_toggled_under_load_then_killed(self):
        """Writers run while appendonly goes off and on several times (4 shards, always); once
        it is on and its rewrite is done, kill -9: every acknowledged write is there."""
        tmp = self.mkdtemp()
        srv = self.kevy(tmp, "--appendfsync", "always", shards=4)
        c = srv.client()
        writers = [Writer(srv.port, f"tg{i}") for i in range(3)]
        for w in writers:
            w.start()
        rng = random.Random(7)
        for _ in range(4):
            time.sleep(rng.random() * 0.4)
            c.config_set("appendonly", "no")
            time.sleep(rng.random() * 0.4)
            c.config_set("appendonly", "yes")
        self.wait_logging(c, tmp)
        srv.kill()
        for w in writers:
            w.join(30)
            self.assertIsNone(w.error)
        self.assert_dir_is_manifest(tmp)
        self.check_aof(tmp)
        srv = self.kevy(tmp, shards=4, log_name="kevy-restart.log")
        c = srv.client()
        for w in writers:
            self.assertGreater(len(w.done), 0)
            CrashMatrixTest.check_writer(self, c, w.tag, len(w.done), w.incr_acked)

    def test_bgrewriteaof_with_appendonly_no(self):
        """As Redis 7: a base alone, listed in a manifest that both servers load."""
        tmp = self.mkdtemp()
        srv = self.kevy(tmp, shards=4, appendonly=False)
        c = srv.client()
        mixed_workload(c, self.client_factory(srv.port), random.Random(5), transactions=False)
        self.assertEqual(c.bgrewriteaof(), True)
        wait_idle(self, c, "aof_rewrite_in_progress", "aof_rewrite_scheduled")
        self.assertEqual(c.info("persistence")["aof_last_bgrewrite_status"], "ok")
        self.assertEqual([t for _, _, t in manifest_files(tmp)], ["b"])
        want = snapshot(self.client_factory(srv.port))
        c.set("not-in-the-aof", 1)  # appendonly no: not logged
        srv.kill()
        self.assert_dir_is_manifest(tmp)
        self.check_aof(tmp)
        assert_same_keyspace(self, want, self.restart_keyspace(tmp, 4, "--appendonly", "yes"))
        assert_same_keyspace(self, want, self.redis_keyspace(tmp))

    def test_turn_on_fails_when_the_directory_cannot_be_made(self):
        tmp = self.mkdtemp()
        with open(aof_path(tmp).rstrip("/"), "w") as f:  # a file where the directory goes
            f.write("x")
        srv = self.kevy(tmp, appendonly=False)
        c = srv.client()
        with self.assertRaises(redis.ResponseError) as e:
            c.config_set("appendonly", "yes")
        self.assertEqual(str(e.exception), "CONFIG SET failed (possibly related to argument "
                         "'appendonly') - Unable to turn on AOF. Check server logs.")
        self.assertEqual(c.config_get("appendonly"), {"appendonly": "no"})
        self.assertEqual(c.info("persistence")["aof_enabled"], 0)
        self.assertTrue(c.set("still", "writable"))



class MisconfTest(Base):
    def mount_tmpfs(self, size):
        if os.geteuid() != 0 or not shutil.which("mount"):
            self.skipTest("needs root to mount a tmpfs")
        mnt = self.mkdtemp()
        p = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", mnt],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        if p.returncode != 0:
            self.skipTest("cannot mount a tmpfs here: " + p.stdout.decode(errors="replace"))
        self.addCleanup(subprocess.run, ["umount", "-l", mnt])
        return mnt

    def fill_disk(self, shards, fsync):
        """A server whose AOF disk (a 2 MB tmpfs) fills up under a writer thread until writes
        get -MISCONF. Returns (server, client, tmpfs, log dir, filler path, acked, stop event,
        writer thread, writer errors)."""
        mnt = self.mount_tmpfs("2m")
        logdir = self.mkdtemp()
        srv = KevyServer("--dir", mnt, "--shards", str(shards), "--appendonly", "yes",
                         "--appendfsync", fsync, log=os.path.join(logdir, "kevy.log"))
        self.addCleanup(srv.kill)
        c = srv.client(socket_timeout=30)
        filler = os.path.join(mnt, "filler")
        with open(filler, "wb") as f:  # most of the space; removing it "repairs the disk"
            f.write(b"\0" * (1024 * 1024))
        acked = {}
        value = "v" * 16000
        stop = threading.Event()
        writer_errors = []

        def writer():  # one SET after the other; under `always` a reply may wait for the disk
            w = srv.client(socket_timeout=60)
            i = 0
            try:
                while not stop.is_set():
                    try:
                        w.set(f"k{i}", value + str(i))
                        acked[f"k{i}"] = value + str(i)
                        i += 1
                    except redis.ResponseError as e:
                        if not str(e).startswith("MISCONF"):
                            raise
                        time.sleep(0.05)
            except Exception as e:  # noqa: BLE001 -- reported by the test
                writer_errors.append(e)

        t = threading.Thread(target=writer, daemon=True)
        t.start()
        deadline = time.time() + 20
        while True:  # until the disk is full: new writes are refused
            self.assertLess(time.time(), deadline, "the disk never filled up / no MISCONF")
            try:
                # A fresh connection each time: a write accepted just before the disk filled
                # keeps its reply until the disk recovers (nothing unwritten is acknowledged).
                redis.Redis(port=srv.port, socket_timeout=2).set("probe", "x")
            except redis.TimeoutError:
                continue
            except redis.ResponseError as e:
                self.assertTrue(str(e).startswith("MISCONF Errors writing to the AOF file"), e)
                break
            time.sleep(0.05)
        return srv, c, mnt, logdir, filler, acked, stop, t, writer_errors

    def misconf(self, shards, fsync):
        srv, c, mnt, logdir, filler, acked, stop, t, writer_errors = self.fill_disk(shards, fsync)
        # still refused; reads keep working
        with self.assertRaisesRegex(redis.ResponseError, "^MISCONF"):
            c.incr("counter")
        for k in sorted(acked)[:50]:  # keys on every shard: reads that cross shards too
            self.assertEqual(c.get(k).decode(), acked[k])
        self.assertEqual(c.ping(), True)
        # the disk recovers: writes are accepted again (within a few seconds); the writer
        # stops first (its last write may still wait for its reply), so as not to fill it again
        stop.set()
        os.unlink(filler)
        deadline = time.time() + 10
        while True:
            try:
                c.set("recovered", "yes")
                break
            except redis.ResponseError as e:
                self.assertIn("MISCONF", str(e))
                self.assertLess(time.time(), deadline, "writes never recovered")
                time.sleep(0.1)
        t.join(30)
        self.assertFalse(t.is_alive(), "a write never got its reply after the disk recovered")
        self.assertEqual(writer_errors, [])
        acked["recovered"] = "yes"
        c.set("small", "1")
        acked["small"] = "1"
        srv.kill()
        srv2 = KevyServer("--dir", mnt, "--shards", str(shards), "--appendonly", "yes",
                          log=os.path.join(logdir, "kevy2.log"))
        self.addCleanup(srv2.kill)
        c = srv2.client()
        for k, v in acked.items():
            self.assertEqual((c.get(k) or b"").decode(), v, f"{k} lost after the disk recovered")
        srv2.stop()

    def test_misconf_always(self):
        self.misconf(1, "always")

    def test_misconf_everysec_4_shards(self):
        self.misconf(4, "everysec")

    def test_appendonly_no_on_a_full_disk(self):
        """Turning the AOF off ends -MISCONF: the unwritten batches are dropped (as Redis drops
        its AOF buffer) and the replies that waited for them go out."""
        srv, c, _, _, _, acked, stop, t, writer_errors = self.fill_disk(2, "always")
        with self.assertRaisesRegex(redis.ResponseError, "^MISCONF"):
            c.incr("counter")
        self.assertTrue(c.config_set("appendonly", "no"))
        deadline = time.time() + 10
        while True:
            try:
                self.assertEqual(c.incr("counter"), 1)
                break
            except redis.ResponseError as e:
                self.assertIn("MISCONF", str(e))
                self.assertLess(time.time(), deadline, "still MISCONF with appendonly no")
                time.sleep(0.1)
        stop.set()
        t.join(30)
        self.assertFalse(t.is_alive(), "a write waiting for the full disk never got its reply")
        self.assertEqual(writer_errors, [])
        self.assertEqual(c.info("persistence")["aof_last_write_status"], "ok")
        k = sorted(acked)[-1]
        self.assertEqual(c.get(k).decode(), acked[k])
        self.assertIn("unwritten AOF batches dropped", srv.log())
        srv.stop()


# ----------------------------------------------------------------------------- 5. LOADING

class LoadingTest(Base):
    KEYS = 300000

    def write_big_aof(self, tmp):
        os.makedirs(aof_path(tmp))
        name = "appendonly.aof.1.incr.aof"
        with open(aof_path(tmp, name), "wb") as f:
            f.write(frame("SELECT", 0))
            chunk = []
            for i in range(self.KEYS):
                chunk.append(frame("SET", f"key:{i}", f"value:{i}"))
                if len(chunk) == 10000:
                    f.write(b"".join(chunk))
                    chunk = []
            f.write(b"".join(chunk))
        with open(aof_path(tmp, MANIFEST), "w") as f:
            f.write(f"file {name} seq 1 type i\n")

    def test_loading(self):
        for shards in (1, 4):
            with self.subTest(shards=shards):
                tmp = self.mkdtemp()
                self.write_big_aof(tmp)
                port = free_port()
                log = open(os.path.join(tmp, "kevy.log"), "wb")
                proc = subprocess.Popen([SERVER, "--port", str(port), "--bind", "127.0.0.1",
                                         "--dir", tmp, "--shards", str(shards),
                                         "--appendonly", "yes"], stdout=log,
                                        stderr=subprocess.STDOUT)
                log.close()
                self.addCleanup(lambda p=proc: (p.poll() is None and p.kill(), p.wait()))
                saw_loading = saw_info_loading = False
                deadline = time.time() + 60
                while True:
                    self.assertIsNone(proc.poll(), "kevy exited while loading")
                    self.assertLess(time.time(), deadline, "never finished loading")
                    c = redis.Redis(port=port, socket_timeout=10)
                    try:
                        info = c.info("persistence")
                        if info.get("loading") == 1:
                            saw_info_loading = True
                        c.ping()
                        if info.get("loading") == 0:
                            break
                    except redis.BusyLoadingError:
                        saw_loading = True
                    except redis.ConnectionError:
                        time.sleep(0.005)
                    finally:
                        c.close()
                self.assertTrue(saw_loading, "no client saw -LOADING")
                self.assertTrue(saw_info_loading, "INFO never said loading:1")
                c = redis.Redis(port=port)
                self.assertEqual(c.dbsize(), self.KEYS)
                self.assertEqual(c.get(f"key:{self.KEYS - 1}"), f"value:{self.KEYS - 1}".encode())
                proc.terminate()
                proc.wait(30)


if __name__ == "__main__":
    unittest.main(verbosity=2)
