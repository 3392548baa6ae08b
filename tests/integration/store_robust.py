"""Helpers for the store's robustness tests (crash, disk full, memory, connections).

store_harness.Store always starts on a fresh data folder and stops gracefully; these tests also
need to SIGKILL the store and restart it on the same folder, to run the release binary, and to
stream bodies far larger than memory. So:

  StoreProcess   one `onehop store` process on a data folder the caller owns: start() (port 0,
                 read back from the "listening on" line), kill() (SIGKILL), stop() (SIGTERM,
                 must exit 0), peak_rss_kib() (VmHWM), open_fds().
  sign()         headers for one request signed by botocore's own S3 SigV4 signer (never ours),
                 with UNSIGNED-PAYLOAD so a body can be streamed without hashing it first.
  stream_put()   PUT a body from a generator over http.client, hashing it while it is sent and
                 stopping early if the store answers before the body is finished (a 507 in the
                 middle of a body, say).
  stream_get()   GET an object into an MD5 without holding it.
"""

import hashlib
import http.client
import os
import re
import select
import signal
import subprocess
import time

os.environ.setdefault("BOTO_DISABLE_CRT", "true")

from botocore.auth import S3SigV4Auth  # noqa: E402
from botocore.awsrequest import AWSRequest  # noqa: E402
from botocore.config import Config  # noqa: E402
from botocore.credentials import Credentials  # noqa: E402

from store_harness import ACCESS_KEY, REGION, SECRET_KEY  # noqa: E402


class StoreProcess:
    """`onehop store` on `data_dir` (kept across restarts), logging stderr to `log_path`."""

    def __init__(self, binary, data_dir, log_path, buckets=(), extra_args=(), threads=2):
        if not binary or not os.path.exists(binary):
            raise RuntimeError("onehop binary not found: %r" % binary)
        self.binary = binary
        self.data_dir = data_dir
        self.log_path = log_path
        self.buckets = list(buckets)
        self.extra_args = list(extra_args)
        self.threads = threads
        self.proc = None
        self.port = None

    def start(self, timeout=30.0):
        args = [self.binary, "store", "--listen", "127.0.0.1:0", "--data", self.data_dir,
                "--region", REGION, "--threads", str(self.threads)]
        for b in self.buckets:
            args += ["--bucket", b]
        args += self.extra_args
        env = dict(os.environ)
        env["ONEHOP_STORE_ACCESS_KEY"] = ACCESS_KEY
        env["ONEHOP_STORE_SECRET_KEY"] = SECRET_KEY
        log = open(self.log_path, "a")
        try:
            self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=log, text=True,
                                         env=env)
        finally:
            log.close()
        deadline = time.monotonic() + timeout
        self.port = None
        while self.port is None:
            ready, _, _ = select.select([self.proc.stdout], [], [], 1.0)
            if ready:
                line = self.proc.stdout.readline()
                if not line:
                    self.proc.wait(timeout=10)
                    raise RuntimeError("onehop store exited (%s) before listening: %s"
                                       % (self.proc.returncode, self.log_tail()))
                match = re.search(r"listening on http://127\.0\.0\.1:(\d+)", line)
                if match:
                    self.port = int(match.group(1))
            if self.port is None and time.monotonic() > deadline:
                self.kill()
                raise RuntimeError("onehop store did not report its port: %s" % self.log_tail())
        return self

    @property
    def endpoint(self):
        return "http://127.0.0.1:%d" % self.port

    @property
    def pid(self):
        return self.proc.pid

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def kill(self):
        """SIGKILL, as a crash or power cut would stop it."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        self.proc.stdout.close()
        self.proc = None

    def stop(self, timeout=60.0):
        """SIGTERM; the graceful stop must exit 0."""
        if self.proc is None:
            return
        proc = self.proc
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill()
                raise AssertionError("onehop store did not stop within %ss of SIGTERM" % timeout)
        proc.stdout.close()
        self.proc = None
        if proc.returncode != 0:
            raise AssertionError("onehop store exited with %s: %s"
                                 % (proc.returncode, self.log_tail()))

    def status_kib(self, field):
        with open("/proc/%d/status" % self.proc.pid) as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
        raise AssertionError("no %s in /proc/%d/status" % (field, self.proc.pid))

    def peak_rss_kib(self):
        return self.status_kib("VmHWM")

    def open_sockets(self):
        """How many sockets the store holds open (its listeners included)."""
        fd_dir = "/proc/%d/fd" % self.proc.pid
        count = 0
        for name in os.listdir(fd_dir):
            try:
                if os.readlink(os.path.join(fd_dir, name)).startswith("socket:"):
                    count += 1
            except OSError:
                pass
        return count

    def log_tail(self, size=4000):
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()[-size:]
        except OSError:
            return ""

    def boto3_client(self, **config):
        import boto3
        config.setdefault("retries", {"total_max_attempts": 1})
        return boto3.client(
            "s3", endpoint_url=self.endpoint, region_name=REGION,
            aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY,
            config=Config(s3={"addressing_style": "path"}, signature_version="s3v4", **config))


_credentials = Credentials(ACCESS_KEY, SECRET_KEY)
_unsigned_payload_config = Config(s3={"payload_signing_enabled": False})


def sign(method, url, headers=None):
    """Headers (Authorization, X-Amz-Date, X-Amz-Content-SHA256: UNSIGNED-PAYLOAD) for a request,
    signed by botocore."""
    request = AWSRequest(method=method, url=url, headers=dict(headers or {}))
    request.context["client_config"] = _unsigned_payload_config
    S3SigV4Auth(_credentials, "s3", REGION).add_auth(request)
    return dict(request.headers.items())


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def header(self, name):
        return self.headers.get(name.lower())

    def __repr__(self):
        return "Response(%d, %r)" % (self.status, self.body[:300])


def _read_response(conn):
    res = conn.getresponse()
    body = res.read()
    return Response(res.status, {k.lower(): v for k, v in res.getheaders()}, body)


def stream_put(port, path, size, chunks, headers=None, timeout=120):
    """PUT `size` bytes drawn from the iterable `chunks` to `path`. Returns (Response, md5 hex of
    the bytes sent, bytes sent). Before each chunk it checks whether the store has already
    answered (it may reject a body half way, e.g. 507 on a full disk) and then stops sending;
    a reset while sending is tolerated if a response can still be read."""
    url = "http://127.0.0.1:%d%s" % (port, path)
    all_headers = {"Content-Length": str(size)}
    all_headers.update(headers or {})
    signed = sign("PUT", url, all_headers)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.putrequest("PUT", path, skip_host=False, skip_accept_encoding=True)
        for name, value in signed.items():
            conn.putheader(name, value)
        conn.endheaders()
        md5 = hashlib.md5()
        sent = 0
        try:
            for chunk in chunks:
                readable, _, _ = select.select([conn.sock], [], [], 0)
                if readable:
                    break
                conn.send(chunk)
                md5.update(chunk)
                sent += len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass
        return _read_response(conn), md5.hexdigest(), sent
    finally:
        conn.close()


def stream_get(port, path, buffer_size=1 << 20, timeout=120, after_first=None):
    """GET `path` into an MD5. Returns (status, headers, md5 hex, byte count, error body).
    `after_first` is called once after the first chunk of the body arrived."""
    url = "http://127.0.0.1:%d%s" % (port, path)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers=sign("GET", url))
        res = conn.getresponse()
        headers = {k.lower(): v for k, v in res.getheaders()}
        if res.status != 200:
            return res.status, headers, None, 0, res.read()
        md5 = hashlib.md5()
        buf = bytearray(buffer_size)
        view = memoryview(buf)
        total = 0
        while True:
            n = res.readinto(buf)
            if not n:
                break
            md5.update(view[:n])
            total += n
            if after_first is not None:
                after_first()
                after_first = None
        return res.status, headers, md5.hexdigest(), total, b""
    finally:
        conn.close()


def request(port, method, path, headers=None, body=b"", timeout=60):
    """One signed request with a small in-memory body (UNSIGNED-PAYLOAD)."""
    url = "http://127.0.0.1:%d%s" % (port, path)
    all_headers = dict(headers or {})
    if body or method in ("PUT", "POST"):
        all_headers["Content-Length"] = str(len(body))
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body or None, headers=sign(method, url, all_headers))
        return _read_response(conn)
    finally:
        conn.close()

