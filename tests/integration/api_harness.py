"""Shared helper for the upload API's integration tests: a real `onehop serve` in front of a real
`onehop store`, both on 127.0.0.1, plus a small JSON client and image makers.

    from store_harness import Store, run_checks
    from api_harness import Api, hs256_token, png_bytes
    with Store(buckets=["onehop"]) as store, Api(store, {"uploads": {...}}) as api:
        status, body, headers = api.call("POST", "/api/uploads", {...}, token=api.token("alice"))

`Api` writes a onehop.toml (the sections given are merged over the test defaults), starts
`$ONEHOP_BIN serve --config FILE --listen 127.0.0.1:0`, reads the port from its "listening on"
line, and stops it with SIGTERM on exit (a graceful stop must exit 0). `restart()` keeps the
database. Only the standard library is used for HTTP, so what the tests send is exactly what a
plain client sends.
"""

import base64
import hashlib
import hmac
import json
import os
import re
import signal
import socket
import struct
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
import zlib

JWT_SECRET = "integration-test-jwt-secret-0123456789abcdef"


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def hs256_token(sub, secret=JWT_SECRET, exp_in=3600, extra=None, header=None):
    now = int(time.time())
    claims = {"sub": sub, "iat": now, "exp": now + exp_in}
    if extra:
        claims.update(extra)
    head = header or {"alg": "HS256", "typ": "JWT"}
    signing_input = (b64url(json.dumps(head).encode()) + "." +
                     b64url(json.dumps(claims).encode()))
    sig = hmac.new(secret.encode(), signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + b64url(sig)


def _chunk(kind, data):
    return (struct.pack(">I", len(data)) + kind + data +
            struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


def png_bytes(width=3, height=2, padding=0):
    """A valid PNG; `padding` bytes of random data in a private ancillary chunk make it big."""
    raw = b"".join(b"\x00" + b"\x80\x40\x20" * width for _ in range(height))
    out = b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
    if padding:
        out += _chunk(b"prVt", os.urandom(padding))
    out += _chunk(b"IDAT", zlib.compress(raw)) + _chunk(b"IEND", b"")
    return out


def jpeg_header_bytes(width, height, exif_padding=0):
    """The header of a baseline JPEG (SOI, an APP1 "Exif" segment of `exif_padding` bytes, SOF0
    with the dimensions, EOI): what a dimension probe reads. Large EXIF segments (camera
    thumbnails) push the SOF far from the start, as in real photos."""
    out = b"\xff\xd8"
    if exif_padding:
        payload = b"Exif\x00\x00" + os.urandom(exif_padding)
        assert len(payload) + 2 <= 0xFFFF
        out += b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload
    components = b"".join(bytes([i, 0x11, 0]) for i in (1, 2, 3))
    sof = struct.pack(">BHHB", 8, height, width, 3) + components
    out += b"\xff\xc0" + struct.pack(">H", len(sof) + 2) + sof
    return out + b"\xff\xd9"


def png_of_size(total, width=16, height=9):
    """A valid PNG of exactly `total` bytes."""
    base = len(png_bytes(width, height))
    pad = total - base - 12  # the private chunk's length, type and CRC
    assert pad >= 0, "too small for a padded PNG"
    data = png_bytes(width, height, pad)
    assert len(data) == total
    return data


def sha256_b64(data):
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


def toml_value(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return str(v)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    return json.dumps(str(v))


def http_request(method, url, body=None, headers=None, timeout=30):
    """(status, body bytes, headers dict with lower-case names) for any status."""
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, resp.read(), {k.lower(): v for k, v in resp.headers.items()}
    except urllib.error.HTTPError as e:
        return e.code, e.read(), {k.lower(): v for k, v in e.headers.items()}
    except (urllib.error.URLError, ConnectionError) as e:
        # The server answered (and closed) before the whole body was sent: a storage refusing a
        # signed request early. Status 0: no response the client could read.
        reason = getattr(e, "reason", e)
        if isinstance(reason, (BrokenPipeError, ConnectionResetError)):
            return 0, b"", {}
        raise


def multipart_form(fields, file_bytes, file_content_type):
    boundary = "----onehoptest" + os.urandom(8).hex()
    parts = []
    for name, value in fields.items():
        parts.append(("--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n%s\r\n"
                      % (boundary, name, value)).encode())
    parts.append(("--%s\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x\"\r\n"
                  "Content-Type: %s\r\n\r\n" % (boundary, file_content_type)).encode())
    parts.append(file_bytes + b"\r\n")
    parts.append(("--%s--\r\n" % boundary).encode())
    return b"".join(parts), "multipart/form-data; boundary=" + boundary


class ApiError(RuntimeError):
    pass


class Api:
    def __init__(self, store, sections=None, bucket="onehop", start_timeout=30.0):
        self.store = store
        self.sections = sections or {}
        self.bucket = bucket
        self.start_timeout = start_timeout
        self.tmp = tempfile.mkdtemp(prefix="onehop-api-test-")
        self.proc = None
        self.port = None

    def config_text(self):
        sections = {
            "api": {"threads": 2},
            "storage": {"endpoint": self.store.endpoint, "bucket": self.bucket,
                        "region": self.store.region, "access_key_id": self.store.access_key,
                        "secret_access_key": self.store.secret_key},
            "auth": {"jwt_secret": JWT_SECRET},
            "database": {"path": os.path.join(self.tmp, "onehop.db")},
            "rate_limit": {"ip_rate": 10000, "ip_burst": 10000, "user_rate": 1000,
                           "user_burst": 1000},
            "log": {"format": "json", "level": "info"},
        }
        for name, values in self.sections.items():
            sections.setdefault(name, {}).update(values)
        lines = []
        for name, values in sections.items():
            lines.append("[%s]" % name)
            for k, v in values.items():
                lines.append("%s = %s" % (k, toml_value(v)))
            lines.append("")
        return "\n".join(lines)

    def start(self):
        binary = os.environ.get("ONEHOP_BIN")
        if not binary or not os.path.exists(binary):
            raise ApiError("ONEHOP_BIN is not set to the onehop binary")
        config = os.path.join(self.tmp, "onehop.toml")
        with open(config, "w") as f:
            f.write(self.config_text())
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "ONEHOP_"))}
        env["ONEHOP_BIN"] = binary
        self.stderr_path = os.path.join(self.tmp, "serve.stderr")
        self._stderr = open(self.stderr_path, "a")
        self.proc = subprocess.Popen([binary, "serve", "--config", config, "--listen",
                                      "127.0.0.1:0"], stdout=subprocess.PIPE,
                                     stderr=self._stderr, text=True, env=env)
        deadline = time.monotonic() + self.start_timeout
        self.port = None
        while self.port is None:
            line = self.proc.stdout.readline()
            if not line:
                self.proc.wait(timeout=5)
                raise ApiError("onehop serve exited (%s) before listening: %s"
                               % (self.proc.returncode, self.stderr_text()))
            m = re.search(r"listening on http://127\.0\.0\.1:(\d+)", line)
            if m:
                self.port = int(m.group(1))
            elif time.monotonic() > deadline:
                raise ApiError("onehop serve did not report its port")
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise ApiError("onehop serve does not accept connections")
                time.sleep(0.05)
        return self

    def stop(self, expect_clean_exit=True):
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                rc = self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise ApiError("onehop serve did not stop within 30 s of SIGTERM")
        else:
            rc = self.proc.returncode
        self.proc.stdout.close()
        self._stderr.close()
        self.proc = None
        if expect_clean_exit and rc != 0:
            raise ApiError("onehop serve exited with %s: %s" % (rc, self.stderr_text()))
        return rc

    def restart(self):
        self.stop()
        return self.start()

    def stderr_text(self):
        try:
            with open(self.stderr_path) as f:
                return f.read()[-6000:]
        except OSError:
            return ""

    def __enter__(self):
        try:
            return self.start()
        except BaseException:
            if self.proc is not None and self.proc.poll() is None:
                self.proc.kill()
            raise

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.stop()
        elif self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        return False

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.port

    def token(self, user):
        return hs256_token(user)

    def call(self, method, path, body=None, token=None, headers=None, raw=None):
        """(status, parsed JSON or text, headers)."""
        h = dict(headers or {})
        data = raw
        if body is not None:
            data = json.dumps(body).encode()
            h.setdefault("Content-Type", "application/json")
        if token:
            h["Authorization"] = "Bearer " + token
        status, payload, resp_headers = http_request(method, self.url + path, data, h)
        ctype = resp_headers.get("content-type", "")
        parsed = payload.decode(errors="replace")
        if ctype.startswith("application/json") and payload:
            parsed = json.loads(payload)
        return status, parsed, resp_headers

    # -- the protocol, as a client does it

    def create(self, token, data, content_type="image/png", filename="cat.png", **extra):
        body = {"filename": filename, "contentType": content_type, "size": len(data)}
        body.update(extra)
        return self.call("POST", "/api/uploads", body, token=token)

    def send_put(self, created, data, override_headers=None):
        headers = dict(created["headers"])
        headers.update(override_headers or {})
        return http_request("PUT", created["url"], data, headers)

    def send_post(self, created, data, content_type=None):
        form, ctype = multipart_form(created["fields"], data,
                                     content_type or created["fields"].get("Content-Type", ""))
        return http_request("POST", created["url"], form, {"Content-Type": ctype})

    def upload(self, token, data, content_type="image/png", filename="cat.png", **extra):
        """create + PUT/POST/multipart + complete; returns (status, body) of complete."""
        status, created, _ = self.create(token, data, content_type, filename, **extra)
        if status != 201:
            raise ApiError("create: %s %s" % (status, created))
        complete_body = {}
        if created["method"] == "PUT":
            s, b, _ = self.send_put(created, data)
            if s != 200:
                raise ApiError("PUT: %s %s" % (s, b))
        elif created["method"] == "POST":
            s, b, _ = self.send_post(created, data)
            if s not in (200, 201, 204):
                raise ApiError("POST: %s %s" % (s, b))
        else:
            mp = created["multipart"]
            numbers = list(range(1, mp["partCount"] + 1))
            s, signed, _ = self.call("POST", "/api/uploads/%s/parts" % created["uploadId"],
                                     {"partNumbers": numbers}, token=token)
            if s != 200:
                raise ApiError("parts: %s %s" % (s, signed))
            parts = []
            for p in signed["parts"]:
                n = p["partNumber"]
                chunk = data[(n - 1) * mp["partSize"]: n * mp["partSize"]]
                s, b, h = http_request("PUT", p["url"], chunk, p["headers"])
                if s != 200:
                    raise ApiError("part %d: %s %s" % (n, s, b))
                parts.append({"partNumber": n, "etag": h["etag"]})
            complete_body = {"parts": parts}
        s, b, _ = self.call("POST", "/api/uploads/%s/complete" % created["uploadId"],
                            complete_body, token=token)
        return s, b, created
