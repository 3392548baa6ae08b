"""`onehop upload` against `onehop dev`: small and multipart-sized files, a rejected file, an
interrupted connection (a proxy in front of the API resets chosen requests once), --json, the
token from the environment, usage errors and Ctrl-C."""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from store_harness import run_checks  # noqa: E402
from api_harness import png_bytes, png_of_size  # noqa: E402
from test_api_dev import Dev  # noqa: E402

MIB = 1024 * 1024

dev = None
state = {}


class FaultyProxy:
    """An HTTP/1.1 proxy in front of the API. For each request line matching one of `faults`
    (regex -> how many times), it resets the client's connection instead of forwarding, that many
    times; `stall` (regex -> seconds) delays matching requests before forwarding them."""

    def __init__(self, upstream_port, faults=None, stall=None):
        self.upstream = ("127.0.0.1", upstream_port)
        self.faults = dict(faults or {})
        self.stall = dict(stall or {})
        self.seen = []
        self.resets = 0
        self.lock = threading.Lock()
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.port

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    @staticmethod
    def _read_message(sock, buf):
        """(head bytes, body bytes, rest) of one HTTP message with Content-Length, or None."""
        while b"\r\n\r\n" not in buf:
            chunk = sock.recv(65536)
            if not chunk:
                return None
            buf += chunk
        head, rest = buf.split(b"\r\n\r\n", 1)
        m = re.search(rb"(?im)^content-length:\s*(\d+)", head)
        length = int(m.group(1)) if m else 0
        while len(rest) < length:
            chunk = sock.recv(65536)
            if not chunk:
                return None
            rest += chunk
        return head + b"\r\n\r\n", rest[:length], rest[length:]

    def _should_reset(self, line):
        with self.lock:
            self.seen.append(line)
            for pattern, left in self.faults.items():
                if left > 0 and re.search(pattern, line):
                    self.faults[pattern] = left - 1
                    self.resets += 1
                    return True
        return False

    def _serve(self, client):
        upstream = socket.create_connection(self.upstream)
        buf = b""
        try:
            while True:
                msg = self._read_message(client, buf)
                if msg is None:
                    return
                head, body, buf = msg
                line = head.split(b"\r\n", 1)[0].decode("latin-1")
                if self._should_reset(line):
                    # RST rather than FIN: what a dropped network path looks like to the client.
                    client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\0\0\0\0\0\0\0")
                    return
                for pattern, seconds in self.stall.items():
                    if re.search(pattern, line):
                        time.sleep(seconds)
                upstream.sendall(head + body)
                resp = self._read_message(upstream, b"")
                if resp is None:
                    return
                rhead, rbody, _ = resp
                client.sendall(rhead + rbody)
        except OSError:
            pass
        finally:
            client.close()
            upstream.close()

    def close(self):
        self.sock.close()


def run_cli(args, env_extra=None, token=True, timeout=300):
    env = {k: v for k, v in os.environ.items() if k != "ONEHOP_TOKEN"}
    env.update(env_extra or {})
    cmd = [os.environ["ONEHOP_BIN"], "upload"] + args
    if token:
        cmd += ["--token", state["token"]]
    p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def images():
    s, listed, _ = dev.call("GET", "/api/images?limit=100", token=state["token"])
    assert s == 200, listed
    return listed["images"]


def write(name, data):
    path = os.path.join(state["dir"], name)
    with open(path, "wb") as f:
        f.write(data)
    return path


def check_small_multipart_and_rejected_files():
    files = [write("small%d.png" % i, png_bytes(4 + i, 3)) for i in range(3)]
    big = write("big.png", png_of_size(40 * MIB))
    fake = write("fake.png", b"this is a text file, not an image\n" * 10)
    rc, out, err = run_cli(files + [big, fake, "--api", dev.url])
    assert rc == 1, (rc, out, err)
    # Not a terminal: a start and an end line per file, failures on stderr with the API's reason.
    for name in ["small0.png", "small1.png", "small2.png", "big.png"]:
        assert re.search(r"(?m)^done   %s \(" % re.escape(name), out), out
    assert re.search(r"(?m)^start  fake\.png", out), out
    assert "\x1b[" not in out, out
    assert re.search(r"failed .*fake\.png: .*verification_failed", err), err
    assert re.search(r"(?m)^4 uploaded, 1 failed \(40\.0 MiB in [\d.]+ s\)$", out), out
    listed = {i["filename"]: i for i in images()}
    for i, path in enumerate(files):
        assert listed["small%d.png" % i]["size"] == os.path.getsize(path), listed
        assert listed["small%d.png" % i]["width"] == 4 + i
    assert listed["big.png"]["size"] == 40 * MIB, listed["big.png"]
    assert listed["big.png"]["contentType"] == "image/png"
    assert "fake.png" not in listed


def check_json_lines_and_token_from_environment():
    path = write("env.png", png_bytes(7, 7))
    missing = os.path.join(state["dir"], "does-not-exist.png")
    rc, out, err = run_cli([path, missing, "--api", dev.url, "--json"], token=False,
                           env_extra={"ONEHOP_TOKEN": state["token"]})
    assert rc == 1, (rc, out, err)
    lines = [json.loads(line) for line in out.splitlines()]
    assert len(lines) == 2, out
    by_file = {entry["file"]: entry for entry in lines}
    assert by_file[path]["ok"] is True and by_file[path]["imageId"], by_file
    assert by_file[missing]["ok"] is False
    assert "No such file" in by_file[missing]["error"], by_file
    assert "1 uploaded, 1 failed" in err, err
    assert by_file[path]["imageId"] in [i["id"] for i in images()]


def check_unauthorized_and_usage_errors():
    path = write("noauth.png", png_bytes(3, 3))
    rc, out, err = run_cli([path, "--api", dev.url], token=False)
    assert rc == 1, (rc, out, err)
    assert "unauthorized" in err, err
    rc, out, err = run_cli([path], token=False)
    assert rc == 2, (rc, out, err)
    rc, out, err = run_cli([path, "--api", "not a url"], token=False)
    assert rc == 2, (rc, out, err)
    rc, out, err = run_cli([path, "--api", dev.url, "--concurrency", "0"])
    assert rc == 2, (rc, out, err)


def check_interrupted_connections_are_retried():
    # The first create, the first part-signing call and the first completion each lose their
    # connection: every file must still be uploaded, once.
    proxy = FaultyProxy(dev.port, faults={r"^POST /api/uploads HTTP": 1,
                                          r"^POST /api/uploads/[^/ ]+/parts ": 1,
                                          r"^POST /api/uploads/[^/ ]+/complete ": 2})
    try:
        small = write("retry-small.png", png_bytes(5, 5))
        big = write("retry-big.png", png_of_size(20 * MIB))
        rc, out, err = run_cli([small, big, "--api", proxy.url, "--retries", "3"])
        assert rc == 0, (rc, out, err)
        assert proxy.resets == 4, (proxy.resets, proxy.seen)
        assert re.search(r"(?m)^2 uploaded, 0 failed", out), out
        names = [i["filename"] for i in images()]
        assert names.count("retry-small.png") == 1 and names.count("retry-big.png") == 1, names
    finally:
        proxy.close()


def check_retries_exhausted_report_the_reason():
    proxy = FaultyProxy(dev.port, faults={r"^POST /api/uploads HTTP": 100})
    try:
        path = write("never.png", png_bytes(5, 5))
        rc, out, err = run_cli([path, "--api", proxy.url, "--retries", "1"])
        assert rc == 1, (rc, out, err)
        assert proxy.resets == 2, proxy.seen
        assert "never.png" in err and "after 2 attempts" in err, err
    finally:
        proxy.close()


def check_ctrl_c_aborts_and_deletes():
    # Completion is held back long enough to interrupt the run while the upload is pending.
    proxy = FaultyProxy(dev.port, stall={r"^POST /api/uploads/[^/ ]+/complete ": 30})
    try:
        path = write("interrupted.png", png_bytes(6, 6))
        cmd = [os.environ["ONEHOP_BIN"], "upload", path, "--api", proxy.url, "--token",
               state["token"]]
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 30
        while not any("/complete" in line for line in proxy.seen):
            assert time.monotonic() < deadline and p.poll() is None, proxy.seen
            time.sleep(0.05)
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=30)
        assert p.returncode == 130, (p.returncode, out, err)
        deletes = [line for line in proxy.seen if line.startswith("DELETE /api/uploads/")]
        assert len(deletes) == 1, proxy.seen
        assert "interrupted.png" not in [i["filename"] for i in images()]
    finally:
        proxy.close()


def main():
    global dev
    tmp = tempfile.mkdtemp(prefix="onehop-upload-cli-test-")
    try:
        state["dir"] = tmp
        dev = Dev(os.path.join(tmp, "data")).start()
        state["token"] = dev.token_line()
        assert state["token"], dev.lines
        try:
            run_checks([check_small_multipart_and_rejected_files,
                        check_json_lines_and_token_from_environment,
                        check_unauthorized_and_usage_errors,
                        check_interrupted_connections_are_retried,
                        check_retries_exhausted_report_the_reason,
                        check_ctrl_c_aborts_and_deletes])
        finally:
            if dev.proc and dev.proc.poll() is None:
                dev.stop()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
