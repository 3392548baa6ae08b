"""Live cross-check: `onehop presign` against botocore's generate_presigned_url, byte for byte.

Draws random inputs with a fixed seed: keys with unicode and every reserved character, `..`,
`//`, leading and trailing `/`, 1024-byte keys; random signed headers (content-type,
content-length, content-md5, x-amz-checksum-sha256, x-amz-meta-*, ...); random expiries in
1..604800; random regions, endpoints, credentials (with and without a session token), signing
times; both addressing styles; PUT, GET, HEAD and DELETE; extra query parameters. Each input is
signed by botocore (Debian's python3-botocore, pure-Python signer, BOTO_DISABLE_CRT=true, clock
frozen by patching botocore.auth.datetime) and by the onehop binary (env ONEHOP_BIN), and the two
URLs must be identical.

Inputs that share flags are grouped: one onehop process per group signs the group's keys through
--stdin (keys holding a newline go through --key instead), so ~1,100 inputs cost ~110 processes.

Two choices follow botocore only where botocore's own choice is not visible in the inputs:
- The operation parameters (partNumber, uploadId, response-*, versionId) are passed to onehop
  with --query in the order botocore's serializer put them in the URL. onehop keeps the order it
  is given; S3 does not care about the order (the canonical query is sorted), only the URL text
  does.
- With no endpoint and virtual-hosted addressing outside us-east-1, botocore 1.29 writes the
  legacy global host (`bucket.s3.amazonaws.com`) while onehop writes the regional one
  (`bucket.s3.<region>.amazonaws.com`, which also works for opt-in regions). For those inputs
  botocore is given that regional endpoint explicitly; the signature covers the host either way.
"""

import base64
import concurrent.futures
import datetime
import os
import random
import string
import subprocess
import sys
import unittest
import urllib.parse

os.environ["BOTO_DISABLE_CRT"] = "true"

import botocore.auth  # noqa: E402
import botocore.session  # noqa: E402
from botocore.config import Config  # noqa: E402

ONEHOP = os.environ.get("ONEHOP_BIN", "")
SEED = 20261128
GROUPS = 90
SINGLE_KEY_GROUPS = 16
MIN_INPUTS = 1000

REGIONS = ["us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1", "eu-north-1",
           "ap-southeast-2", "ap-northeast-1", "sa-east-1", "ca-central-1", "af-south-1",
           "me-south-1"]
CUSTOM_ENDPOINTS = ["http://127.0.0.1:9000", "http://localhost:4580", "https://s3.example.test",
                    "http://objects.internal.test:8080", "https://minio.example.test:9443",
                    "http://10.0.0.7:7480"]
RESERVED = "!#$&'()*+,/:;=?@[]% "
UNICODE = ["ü", "é", "日本語", "😀", "e\u0301", "Ω", "\u00a0", "ß", "中", "Ж", "\u200b", "🏳️‍🌈"]
CONTENT_TYPES = ["image/png", "image/jpeg", "application/octet-stream", "text/plain; charset=utf-8",
                 "multipart/mixed; boundary=\"a b\"", "video/mp4", "application/json"]


class _FrozenDatetime(datetime.datetime):
    frozen = datetime.datetime(2013, 5, 24)

    @classmethod
    def utcnow(cls):
        return cls.frozen


class _FrozenModule:
    timedelta = datetime.timedelta
    datetime = _FrozenDatetime


def random_text(rng, size, alphabet):
    return "".join(rng.choice(alphabet) for _ in range(size))


def utf8_len(text):
    return len(text.encode("utf-8"))


def random_key(rng, allow_newline=False):
    """A key of 1..1024 UTF-8 bytes built from words, unicode, reserved characters and path
    oddities."""
    shape = rng.random()
    if shape < 0.06:
        # Exactly 1024 bytes, with multi-byte characters near the end.
        head = random_text(rng, 1024 - 8, string.ascii_letters + "/._-")
        return head + "ü" * 4
    if shape < 0.10:
        return rng.choice(["..", ".", "/", "//", "/..", "../", "a/../b", "./a", "~", "%", "+", " "])
    parts = []
    for _ in range(rng.randint(1, 8)):
        piece = rng.random()
        if piece < 0.3:
            parts.append(random_text(rng, rng.randint(1, 12), string.ascii_letters + string.digits))
        elif piece < 0.5:
            parts.append(rng.choice(UNICODE))
        elif piece < 0.75:
            parts.append(random_text(rng, rng.randint(1, 4), RESERVED + "-._~"))
        elif piece < 0.85:
            parts.append(rng.choice(["..", "//", "/", "./", "%2F", "%25", "+", "\t"]))
        else:
            parts.append(random_text(rng, rng.randint(1, 30), string.printable[:94]))
    key = "".join(parts)
    if rng.random() < 0.15:
        key = "/" + key
    if rng.random() < 0.15:
        key = key + "/"
    if allow_newline:
        key = key + rng.choice(["\n", "\r\n", "\nx"])
    while utf8_len(key) > 1024:
        key = key[:-1]
    return key or "k"


def random_bucket(rng, dotted):
    middle_alphabet = string.ascii_lowercase + string.digits + "-"
    size = rng.choice([3, 8, 20, 63])
    edge = string.ascii_lowercase + string.digits
    if dotted and size >= 5:
        labels = []
        remaining = size
        while remaining > 0:
            n = min(remaining, rng.randint(1, 10))
            labels.append(random_text(rng, n, edge))
            remaining -= n + 1
        name = ".".join(labels)[:size]
        return name if name[-1] != "." else name[:-1] + "a"
    if size <= 2:
        return random_text(rng, size, edge)
    return rng.choice(edge) + random_text(rng, size - 2, middle_alphabet) + rng.choice(edge)


def random_value(rng):
    """A header or query value: printable ASCII, unicode and runs of spaces, no edge spaces."""
    pieces = [random_text(rng, rng.randint(1, 10), string.ascii_letters + string.digits + "-_.,;=/+")]
    for _ in range(rng.randint(0, 3)):
        pieces.append(rng.choice([" ", "  ", "   ", "(", ")", "\"", "'", "&", "?", "#", "%", "~"]))
        pieces.append(random_text(rng, rng.randint(1, 8), string.ascii_letters))
    return "".join(pieces)


def random_query_value(rng):
    return random_value(rng) + rng.choice(["", "ü", "日本", "😀", "%20", "+", "=", "&x=y"])


def random_base64(rng, size):
    return base64.b64encode(bytes(rng.getrandbits(8) for _ in range(size))).decode()


def random_expiry(rng):
    return rng.choice([1, 2, 60, 3600, 86400, 604799, 604800, rng.randint(1, 604800)])


def random_date(rng):
    start = datetime.datetime(2000, 1, 1)
    return start + datetime.timedelta(seconds=rng.randint(0, 100 * 365 * 86400))


# Operation parameters: botocore name -> (wire name, value generator). Only parameters that
# botocore passes through unchanged (no SSE-C key hashing, no timestamps).
def header_params(rng, operation):
    pool = {
        "PutObject": [
            ("ContentType", lambda: rng.choice(CONTENT_TYPES)),
            ("ContentLength", lambda: rng.choice([0, 1, 12, 1048576, 5 * 1024**3, rng.randint(0, 10**10)])),
            ("ContentMD5", lambda: random_base64(rng, 16)),
            ("ChecksumSHA256", lambda: random_base64(rng, 32)),
            ("Metadata", lambda: {random_text(rng, rng.randint(1, 12), string.ascii_lowercase + string.digits + "-"):
                                  random_value(rng) for _ in range(rng.randint(1, 3))}),
            ("CacheControl", lambda: rng.choice(["no-cache", "max-age=31536000, immutable"])),
            ("ContentDisposition", lambda: "attachment; filename=\"" + random_value(rng) + "\""),
            ("ContentEncoding", lambda: rng.choice(["gzip", "br", "identity"])),
            ("ContentLanguage", lambda: rng.choice(["en-US", "fr", "de-CH"])),
            ("ACL", lambda: rng.choice(["private", "public-read"])),
            ("StorageClass", lambda: rng.choice(["STANDARD", "STANDARD_IA"])),
            ("Tagging", lambda: "project=" + random_text(rng, 5, string.ascii_lowercase) + "&tier=gold"),
            ("ServerSideEncryption", lambda: "AES256"),
        ],
        "UploadPart": [
            ("ContentLength", lambda: rng.randint(5 * 1024**2, 5 * 1024**3)),
            ("ContentMD5", lambda: random_base64(rng, 16)),
            ("ChecksumSHA256", lambda: random_base64(rng, 32)),
        ],
        "GetObject": [
            ("Range", lambda: f"bytes={rng.randint(0, 99)}-{rng.randint(100, 10**6)}"),
            ("IfMatch", lambda: "\"" + random_text(rng, 32, "0123456789abcdef") + "\""),
            ("IfNoneMatch", lambda: "\"" + random_text(rng, 32, "0123456789abcdef") + "\""),
            ("ExpectedBucketOwner", lambda: random_text(rng, 12, string.digits)),
        ],
        "HeadObject": [
            ("Range", lambda: f"bytes=0-{rng.randint(0, 10**6)}"),
            ("IfMatch", lambda: "\"" + random_text(rng, 32, "0123456789abcdef") + "\""),
            ("ExpectedBucketOwner", lambda: random_text(rng, 12, string.digits)),
        ],
        "DeleteObject": [
            ("MFA", lambda: "arn:aws:iam::123456789012:mfa/user " + random_text(rng, 6, string.digits)),
            ("ExpectedBucketOwner", lambda: random_text(rng, 12, string.digits)),
        ],
    }[operation]
    chosen = rng.sample(pool, rng.randint(0, min(len(pool), 4)))
    return {name: make() for name, make in chosen}


def query_params(rng, operation):
    pool = {
        "PutObject": [],
        "UploadPart": [],
        "GetObject": [
            ("ResponseCacheControl", lambda: random_query_value(rng)),
            ("ResponseContentDisposition", lambda: "attachment; filename=\"" + random_query_value(rng) + "\""),
            ("ResponseContentEncoding", lambda: rng.choice(["gzip", "identity"])),
            ("ResponseContentLanguage", lambda: rng.choice(["en", "fr-CA"])),
            ("ResponseContentType", lambda: rng.choice(CONTENT_TYPES)),
            ("VersionId", lambda: random_base64(rng, rng.randint(8, 48))),
            ("PartNumber", lambda: rng.randint(1, 10000)),
        ],
        "HeadObject": [
            ("VersionId", lambda: random_base64(rng, rng.randint(8, 48))),
            ("PartNumber", lambda: rng.randint(1, 10000)),
        ],
        "DeleteObject": [
            ("VersionId", lambda: random_query_value(rng)),
        ],
    }[operation]
    chosen = rng.sample(pool, rng.randint(0, min(len(pool), 3)))
    params = {name: make() for name, make in chosen}
    if operation == "UploadPart":
        params["PartNumber"] = rng.randint(1, 10000)
        params["UploadId"] = random_query_value(rng)
    return params


def random_group(rng, index, single_key):
    method = rng.choice(["PUT", "GET", "HEAD", "DELETE"])
    operation = {"PUT": "PutObject", "GET": "GetObject", "HEAD": "HeadObject",
                 "DELETE": "DeleteObject"}[method]
    if method == "PUT" and rng.random() < 0.3:
        operation = "UploadPart"
    region = rng.choice(REGIONS)
    endpoint_kind = rng.random()
    if endpoint_kind < 0.3:
        endpoint = None
    elif endpoint_kind < 0.45:
        endpoint = f"https://s3.{region}.amazonaws.com"
    else:
        endpoint = rng.choice(CUSTOM_ENDPOINTS)
    host = urllib.parse.urlsplit(endpoint).hostname if endpoint else "s3.amazonaws.com"
    is_ip = host.replace(".", "").isdigit()
    style = "path" if is_ip or rng.random() < 0.5 else "virtual"
    bucket = random_bucket(rng, dotted=(style == "path" and rng.random() < 0.3))
    token = None
    if rng.random() < 0.5:
        token = random_text(rng, rng.randint(16, 400), string.ascii_letters + string.digits + "+/=")
    group = {
        "index": index,
        "method": method,
        "operation": operation,
        "region": region,
        "endpoint": endpoint,
        "style": style,
        "bucket": bucket,
        "access_key_id": rng.choice(["AKIA", "ASIA"]) + random_text(rng, 16, string.ascii_uppercase + string.digits),
        "secret_access_key": random_text(rng, 40, string.ascii_letters + string.digits + "+/"),
        "session_token": token,
        "expires": random_expiry(rng),
        "date": random_date(rng),
        "headers": header_params(rng, operation),
        "query": query_params(rng, operation),
    }
    if single_key:
        group["keys"] = [random_key(rng, allow_newline=True)]
    else:
        group["keys"] = [random_key(rng) for _ in range(rng.randint(4, 20))]
    return group


_SESSION = []


def _session():
    # One session for every client: it loads the S3 model once.
    if not _SESSION:
        _SESSION.append(botocore.session.get_session())
    return _SESSION[0]


def botocore_urls(group):
    endpoint = group["endpoint"]
    if endpoint is None and group["style"] == "virtual" and group["region"] != "us-east-1":
        endpoint = f"https://s3.{group['region']}.amazonaws.com"  # see the module docstring
    client = _session().create_client(
        "s3",
        region_name=group["region"],
        endpoint_url=endpoint,
        aws_access_key_id=group["access_key_id"],
        aws_secret_access_key=group["secret_access_key"],
        aws_session_token=group["session_token"],
        config=Config(signature_version="s3v4", s3={"addressing_style": group["style"]}),
    )
    method_name = client.meta.method_to_api_mapping
    api_to_method = {v: k for k, v in method_name.items()}
    _FrozenDatetime.frozen = group["date"]
    urls = []
    for key in group["keys"]:
        params = {"Bucket": group["bucket"], "Key": key, **group["headers"], **group["query"]}
        urls.append(client.generate_presigned_url(
            api_to_method[group["operation"]], Params=params, ExpiresIn=group["expires"]))
    return client, urls


def wire_names(client, operation):
    """botocore's model: parameter name -> (location, wire name)."""
    shape = client.meta.service_model.operation_model(operation).input_shape
    return {name: (member.serialization.get("location"), member.serialization.get("name"))
            for name, member in shape.members.items()}


def onehop_args(group, client, first_url):
    args = ["presign", "--method", group["method"], "--bucket", group["bucket"],
            "--region", group["region"], "--expires", str(group["expires"]),
            "--date", group["date"].strftime("%Y%m%dT%H%M%SZ"),
            "--path-style" if group["style"] == "path" else "--virtual-hosted"]
    if group["endpoint"]:
        args += ["--endpoint", group["endpoint"]]
    wire = wire_names(client, group["operation"])
    for name, value in group["headers"].items():
        location, wire_name = wire[name]
        if location == "headers":  # Metadata: a prefix and one header per entry
            for meta_name, meta_value in value.items():
                args += ["--header", f"{wire_name}{meta_name}: {meta_value}"]
        else:
            args += ["--header", f"{wire_name}: {value}"]
    by_wire = {wire[name][1]: value for name, value in group["query"].items()}
    query = urllib.parse.urlsplit(first_url).query
    for pair in query.split("&"):
        wire_name = urllib.parse.unquote(pair.split("=", 1)[0])
        if wire_name in by_wire:
            args += ["--query", f"{wire_name}={by_wire[wire_name]}"]
    return args


def onehop_env(group):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env["AWS_ACCESS_KEY_ID"] = group["access_key_id"]
    env["AWS_SECRET_ACCESS_KEY"] = group["secret_access_key"]
    if group["session_token"]:
        env["AWS_SESSION_TOKEN"] = group["session_token"]
    return env


def run_onehop(job):
    group, args = job
    if len(group["keys"]) == 1 and ("\n" in group["keys"][0] or rng_single(group)):
        proc = subprocess.run([ONEHOP, *args, "--key=" + group["keys"][0]], env=onehop_env(group),
                              capture_output=True, timeout=300)
    else:
        stdin = "".join(key + "\n" for key in group["keys"]).encode("utf-8")
        proc = subprocess.run([ONEHOP, *args, "--stdin"], input=stdin, env=onehop_env(group),
                              capture_output=True, timeout=300)
    return group, proc


def rng_single(group):
    # Half of the one-key groups use --key even without a newline, so both paths see every shape.
    return group["index"] % 2 == 0


class PresignBotocoreCrossCheck(unittest.TestCase):
    def test_random_inputs_match_botocore_byte_for_byte(self):
        rng = random.Random(SEED)
        groups = [random_group(rng, i, single_key=False) for i in range(GROUPS)]
        groups += [random_group(rng, GROUPS + i, single_key=True) for i in range(SINGLE_KEY_GROUPS)]
        inputs = sum(len(g["keys"]) for g in groups)
        self.assertGreaterEqual(inputs, MIN_INPUTS)

        saved = botocore.auth.datetime
        botocore.auth.datetime = _FrozenModule
        try:
            jobs = []
            expected = {}
            for group in groups:
                client, urls = botocore_urls(group)
                expected[group["index"]] = urls
                jobs.append((group, onehop_args(group, client, urls[0])))
        finally:
            botocore.auth.datetime = saved

        coverage = {"session_token": 0, "virtual": 0, "path": 0, "1024_byte_keys": 0, "headers": 0,
                    "query": 0, "stdin_groups": 0}
        compared = 0
        with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
            for group, proc in pool.map(run_onehop, jobs):
                label = f"group {group['index']} ({group['operation']}, {group['style']}, " \
                        f"{group['endpoint']}, {len(group['keys'])} keys)"
                self.assertEqual(proc.returncode, 0, f"{label}: {proc.stderr.decode(errors='replace')}")
                got = proc.stdout.decode("utf-8").split("\n")
                self.assertEqual(got[-1], "", label)
                got = got[:-1]
                want = expected[group["index"]]
                self.assertEqual(len(got), len(want), label)
                for key, mine, theirs in zip(group["keys"], got, want):
                    self.assertEqual(mine, theirs, f"{label}, key {key!r}")
                    compared += 1
                coverage["session_token"] += bool(group["session_token"])
                coverage[group["style"]] += 1
                coverage["1024_byte_keys"] += sum(utf8_len(k) == 1024 for k in group["keys"])
                coverage["headers"] += bool(group["headers"])
                coverage["query"] += bool(group["query"])
                coverage["stdin_groups"] += len(group["keys"]) > 1
        self.assertEqual(compared, inputs)
        # The draw must have reached every feature it is meant to test.
        for feature, count in coverage.items():
            self.assertGreater(count, 0, feature)
        print(f"\n{compared} URLs identical to botocore's across {len(groups)} flag sets: {coverage}",
              file=sys.stderr)


if __name__ == "__main__":
    if not ONEHOP or not os.access(ONEHOP, os.X_OK):
        sys.exit("ONEHOP_BIN must name the onehop binary")
    unittest.main(verbosity=1)
