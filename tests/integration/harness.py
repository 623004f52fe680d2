"""Shared by the Python integration tests: start the real kevy-server (and, as the reference
peer, Debian's redis-server) on a free port, stop it cleanly or kill -9 it."""
import os
import shutil
import socket
import subprocess
import tempfile
import time

import redis

SERVER = os.environ.get("KEVY_SERVER", "build/kevy-server")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class _Process:
    """A server process on 127.0.0.1:port; `argv` is built by the subclass."""

    def __init__(self, argv, port, cwd=None, log=None, timeout=20):
        self.port = port
        self.cwd = cwd
        self.log_path = log
        out = open(log, "ab") if log else subprocess.DEVNULL
        self.proc = subprocess.Popen(argv, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
        if log:
            out.close()
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{argv[0]} exited with {self.proc.returncode}: {self.log()}")
            try:
                if self.client().ping():
                    return
            except (redis.ConnectionError, redis.BusyLoadingError):
                time.sleep(0.02)
            except redis.ResponseError as e:  # -LOADING while it loads its files
                if "LOADING" not in str(e):
                    raise
                time.sleep(0.02)
        self.proc.kill()
        raise RuntimeError(f"{argv[0]} did not start: {self.log()}")

    def client(self, **kw):
        return redis.Redis(port=self.port, **kw)

    def log(self):
        if not self.log_path or not os.path.exists(self.log_path):
            return ""
        with open(self.log_path, errors="replace") as f:
            return f.read()[-4000:]

    def stop(self):
        """SIGTERM and wait; returns the exit code."""
        if self.proc.poll() is None:
            self.proc.terminate()
        return self.proc.wait(timeout=30)

    def kill(self):
        """kill -9: no chance to flush or save."""
        if self.proc.poll() is None:
            self.proc.kill()
        return self.proc.wait(timeout=30)


class KevyServer(_Process):
    """kevy-server with its own --dir (a fresh temp dir unless `cwd` is given): a SIGTERM saves
    dump.rdb there under the default save points, which must not leak into other tests."""

    def __init__(self, *args, cwd=None, log=None, port=None, timeout=20):
        port = port or free_port()
        self.own_dir = None
        if cwd is None:
            cwd = self.own_dir = tempfile.mkdtemp(prefix="kevy-test-")
        super().__init__([SERVER, "--port", str(port), "--bind", "127.0.0.1", "--dir", cwd, *args],
                         port, cwd=cwd, log=log, timeout=timeout)

    def stop(self):
        code = super().stop()
        if self.own_dir:
            shutil.rmtree(self.own_dir, ignore_errors=True)
        return code


class RedisServer(_Process):
    """Debian's redis-server, the reference peer (tests skip when it is not installed)."""

    BIN = shutil.which("redis-server")

    def __init__(self, *args, cwd=None, log=None, port=None, timeout=20):
        port = port or free_port()
        super().__init__([self.BIN, "--port", str(port), "--bind", "127.0.0.1",
                          "--save", "", "--appendonly", "no", *args],
                         port, cwd=cwd, log=log, timeout=timeout)
