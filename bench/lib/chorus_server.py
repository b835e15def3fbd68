"""A throwaway `chorus serve` for whole-system benchmarks: a fresh data directory, a free loopback port, an
admin key, and JSON calls to its API."""
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request

ADMIN = "bench-admin-key-0123456789abcdef"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ChorusServer:
    """`with ChorusServer(binary) as srv:` starts the server and stops it (and removes its data) at the end."""

    def __init__(self, chorus, extra_args=(), prefix="chorus-bench-"):
        self.chorus = chorus
        self.extra_args = list(extra_args)
        self.tmp = tempfile.mkdtemp(prefix=prefix)
        self.base = "http://127.0.0.1:%d" % free_port()
        self.process = None

    def __enter__(self):
        env = dict(os.environ, CHORUS_ADMIN_KEY=ADMIN)
        self.process = subprocess.Popen(
            [self.chorus, "serve", "--data-dir", os.path.join(self.tmp, "data"),
             "--listen", self.base.removeprefix("http://")] + self.extra_args,
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(200):
            try:
                urllib.request.urlopen(self.base + "/healthz", timeout=1)
                return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("chorus serve did not answer /healthz within 20 s")

    def __exit__(self, *exc):
        if self.process:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def call(self, method, path, key, body=None, timeout=120):
        req = urllib.request.Request(self.base + path, method=method,
                                     data=None if body is None else json.dumps(body).encode(),
                                     headers={"Authorization": "Bearer " + key})
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return json.loads(r.read() or b"null")

    def customer_key(self, name="bench"):
        return self.call("POST", "/v1/customers", ADMIN, {"name": name})["api_key"]

    def import_file(self, key, ws, src, path):
        subprocess.run([self.chorus, "import", "--server", self.base, "--key", key, "--workspace", str(ws),
                        "--source", str(src), path], check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
