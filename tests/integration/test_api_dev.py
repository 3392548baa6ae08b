"""`onehop dev`: one process, the store and the API on 127.0.0.1, no config file, dev tokens,
the bucket's CORS rules for the page's origin, and everything kept across a restart."""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from store_harness import run_checks  # noqa: E402
from api_harness import http_request, png_bytes  # noqa: E402
import json  # noqa: E402


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Dev:
    def __init__(self, data):
        self.data = data
        self.port = free_port()
        self.store_port = free_port()
        self.proc = None
        self.lines = []

    def start(self):
        args = [os.environ["ONEHOP_BIN"], "dev", "--data", self.data, "--port", str(self.port),
                "--store-port", str(self.store_port)]
        web = os.path.join(os.environ.get("ONEHOP_SOURCE_DIR", ""), "web", "dist")
        if os.path.exists(os.path.join(web, "index.html")):
            args += ["--web-dir", web]
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "ONEHOP_UP"))}
        self.stderr = open(os.path.join(os.path.dirname(self.data), "dev.stderr"), "a")
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self.stderr, text=True,
                                     env=env)
        self.lines = []
        deadline = time.monotonic() + 30
        while True:
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError("onehop dev exited: %s" % self.proc.wait())
            self.lines.append(line)
            if line.startswith("Stop with"):
                break
            if time.monotonic() > deadline:
                raise RuntimeError("onehop dev did not finish starting")
        return self

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        rc = self.proc.wait(timeout=30)
        self.proc.stdout.close()
        self.stderr.close()
        assert rc == 0, rc

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.port

    def token_line(self):
        for line in self.lines:
            m = re.search(r"dev token \(user \"dev\"\): (\S+)", line)
            if m:
                return m.group(1)
        return None

    def call(self, method, path, body=None, token=None, headers=None):
        h = dict(headers or {})
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            h["Content-Type"] = "application/json"
        if token:
            h["Authorization"] = "Bearer " + token
        s, payload, rh = http_request(method, self.url + path, data, h)
        if rh.get("content-type", "").startswith("application/json") and payload:
            return s, json.loads(payload), rh
        return s, payload, rh


dev = None
state = {}


def check_prints_url_and_token():
    text = "".join(dev.lines)
    assert "http://127.0.0.1:%d/" % dev.port in text, text
    assert dev.token_line(), text


def check_dev_token_and_upload():
    s, body, h = dev.call("POST", "/api/dev/token", {"user": "alice"})
    assert s == 200 and body["user"] == "alice", (s, body)
    assert "onehop_token=" in h.get("set-cookie", "") and "HttpOnly" in h["set-cookie"]
    token = body["token"]
    s, cfg, _ = dev.call("GET", "/api/config")
    assert cfg["devMode"] is True
    data = png_bytes(20, 10)
    s, created, _ = dev.call("POST", "/api/uploads", {"filename": "a.png", "contentType": "image/png",
                                                      "size": len(data)}, token=token)
    assert s == 201, created
    assert created["url"].startswith("http://127.0.0.1:%d/" % dev.store_port), created["url"]
    s, b, _ = http_request("PUT", created["url"], data, created["headers"])
    assert s == 200, (s, b)
    s, done, _ = dev.call("POST", "/api/uploads/%s/complete" % created["uploadId"], {}, token=token)
    assert s == 200 and done["image"]["width"] == 20, done
    state["token"] = token
    state["image"] = done["image"]["id"]


def check_store_cors_allows_the_page():
    s, b, h = http_request("OPTIONS", "http://127.0.0.1:%d/onehop/uploads/x.png" % dev.store_port,
                           None, {"Origin": dev.url, "Access-Control-Request-Method": "PUT",
                                  "Access-Control-Request-Headers": "content-type"})
    assert s == 200, (s, b)
    assert h.get("access-control-allow-origin") == dev.url, h
    s, b, h = http_request("OPTIONS", "http://127.0.0.1:%d/onehop/uploads/x.png" % dev.store_port,
                           None, {"Origin": "https://evil.example",
                                  "Access-Control-Request-Method": "PUT"})
    assert s == 403, (s, h)


def check_web_app_served_when_built():
    web = os.path.join(os.environ.get("ONEHOP_SOURCE_DIR", ""), "web", "dist", "index.html")
    s, body, h = dev.call("GET", "/")
    if not os.path.exists(web):
        print("  (web/dist not built: only the 404 is checked)")
        assert s == 404
        return
    assert s == 200 and h["content-type"].startswith("text/html"), (s, h)
    assert "connect-src 'self' http://127.0.0.1:%d" % dev.store_port in h["content-security-policy"]


def check_restart_keeps_everything():
    dev.stop()
    dev.start()
    s, listed, _ = dev.call("GET", "/api/images", token=state["token"])
    assert s == 200, listed
    assert [i["id"] for i in listed["images"]] == [state["image"]], listed


def main():
    global dev
    if not os.path.exists(os.environ["ONEHOP_BIN"]):
        print("skipped: %s is not built" % os.environ["ONEHOP_BIN"])
        sys.exit(77)
    tmp = tempfile.mkdtemp(prefix="onehop-dev-test-")
    try:
        dev = Dev(os.path.join(tmp, "data")).start()
        try:
            run_checks([check_prints_url_and_token, check_dev_token_and_upload,
                        check_store_cors_allows_the_page, check_web_app_served_when_built,
                        check_restart_keeps_everything])
        finally:
            if dev.proc and dev.proc.poll() is None:
                dev.stop()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
