"""`onehop presign` as a user runs it: flags, environment, errors, --stdin, --post.

Runs the real binary (env ONEHOP_BIN). Oracles: the botocore vectors in tests/data/presign
(produced by botocore, not by onehop) and, for --post, botocore itself with a frozen clock.
Every error case checks the exit status and that stderr is exactly one line.
"""

import base64
import concurrent.futures
import datetime
import json
import os
import subprocess
import sys
import unittest
import urllib.parse

ONEHOP = os.environ.get("ONEHOP_BIN", "")
TEST_DATA = os.environ.get("ONEHOP_TEST_DATA", "")

ACCESS_KEY = "AKIAIOSFODNN7EXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
DATE = "20130524T000000Z"
LOCAL = ["--endpoint", "http://127.0.0.1:9000", "--date", DATE]

EXIT_FAILURE = 1
EXIT_USAGE = 2


def base_env(**overrides):
    """The caller's environment without any AWS_* variable, plus fake credentials."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env["AWS_ACCESS_KEY_ID"] = ACCESS_KEY
    env["AWS_SECRET_ACCESS_KEY"] = SECRET_KEY
    for name, value in overrides.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def run(args, env=None, stdin=b""):
    """Runs `onehop presign ARGS`; args may hold bytes (for keys that are not UTF-8)."""
    proc = subprocess.run(
        [ONEHOP, "presign", *args],
        input=stdin,
        env=env if env is not None else base_env(),
        capture_output=True,
        timeout=120,
    )
    return proc.returncode, proc.stdout, proc.stderr


def url_path(url):
    return urllib.parse.urlsplit(url).path


def query_pairs(url):
    return urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query, keep_blank_values=True)


class CliTestCase(unittest.TestCase):
    def ok(self, args, env=None, stdin=b""):
        code, out, err = run(args, env, stdin)
        self.assertEqual(code, 0, f"{args!r}: {err.decode(errors='replace')}")
        self.assertEqual(err, b"")
        return out.decode()

    def one_url(self, args, env=None):
        out = self.ok(args, env)
        self.assertTrue(out.endswith("\n"))
        self.assertEqual(out.count("\n"), 1)
        return out[:-1]

    def fails(self, args, pattern, env=None, stdin=b"", code=EXIT_USAGE):
        """Asserts exit status `code`, nothing on stdout and one line on stderr matching `pattern`."""
        status, out, err = run(args, env, stdin)
        text = err.decode(errors="replace")
        self.assertEqual(status, code, f"{args!r}: {text}")
        if code == EXIT_USAGE:
            self.assertEqual(out, b"", f"{args!r} printed {out!r}")
        self.assertTrue(text.endswith("\n"), repr(text))
        self.assertEqual(text.count("\n"), 1, f"not one line: {text!r}")
        self.assertTrue(text.startswith("onehop presign: "), text)
        self.assertRegex(text, pattern)
        return out


class HelpTest(CliTestCase):
    def test_top_level_help_lists_presign(self):
        proc = subprocess.run([ONEHOP, "--help"], capture_output=True)
        self.assertEqual(proc.returncode, 0)
        self.assertIn("presign", proc.stdout.decode())

    def test_presign_help_documents_flags_and_environment(self):
        out = self.ok(["--help"])
        for word in [
            "--method", "PUT", "GET", "HEAD", "DELETE", "--bucket", "--key", "--stdin",
            "--endpoint", "--region", "--path-style", "--virtual-hosted", "--expires", "604800",
            "--header", "--query", "--date", "YYYYMMDDTHHMMSSZ", "--post", "--max-size",
            "--content-type", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
            "AWS_REGION", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL", "us-east-1",
            "content-length-range", "Exit status",
        ]:
            self.assertIn(word, out)

    def test_help_needs_no_credentials(self):
        self.ok(["--help"], env=base_env(AWS_ACCESS_KEY_ID=None, AWS_SECRET_ACCESS_KEY=None))


class UsageErrorTest(CliTestCase):
    def test_missing_credentials(self):
        args = ["--bucket", "bkt", "--key", "k", *LOCAL]
        self.fails(args, "AWS_ACCESS_KEY_ID is not set", env=base_env(AWS_ACCESS_KEY_ID=None))
        self.fails(args, "AWS_ACCESS_KEY_ID is not set", env=base_env(AWS_ACCESS_KEY_ID=""))
        self.fails(args, "AWS_SECRET_ACCESS_KEY is not set",
                   env=base_env(AWS_SECRET_ACCESS_KEY=None))

    def test_malformed_endpoints(self):
        for endpoint in [
            "not-a-url", "ftp://example.test", "http://", "https://", "http://host/path",
            "http://host/bucket/", "http://host:0", "http://host:65536", "http://host:123456",
            "http://user@host", "http://host?x=1", "http://host#frag", "http://ho st",
            "http://host:", "//host", "http://" + "a" * 2100,
        ]:
            with self.subTest(endpoint=endpoint):
                self.fails(["--bucket", "bkt", "--key", "k", "--endpoint", endpoint],
                           r"--endpoint .* is not an endpoint URL")

    def test_malformed_endpoint_from_environment_names_the_variable(self):
        args = ["--bucket", "bkt", "--key", "k"]
        self.fails(args, "AWS_ENDPOINT_URL_S3 .* is not an endpoint URL",
                   env=base_env(AWS_ENDPOINT_URL_S3="ftp://x"))
        self.fails(args, "AWS_ENDPOINT_URL .* is not an endpoint URL",
                   env=base_env(AWS_ENDPOINT_URL="nope"))
        # --endpoint wins, so a bad variable underneath does not matter.
        self.one_url([*args, "--endpoint", "http://127.0.0.1:9000"],
                     env=base_env(AWS_ENDPOINT_URL_S3="ftp://x", AWS_ENDPOINT_URL="nope"))

    def test_key_limits(self):
        base = ["--bucket", "bkt", *LOCAL]
        self.one_url([*base, "--key", "k" * 1024])
        self.one_url([*base, "--key", "é" * 512])  # 1024 bytes
        self.fails([*base, "--key", "k" * 1025], "1025 bytes, over S3's 1024-byte limit")
        self.fails([*base, "--key", "é" * 512 + "k"], "1025 bytes")
        # CLI11 itself refuses an empty value, before the key check.
        self.fails([*base, "--key="], "--key")

    def test_key_not_utf8(self):
        base = ["--bucket", "bkt", *LOCAL]
        for key in [b"\xff", b"a\xc3", b"\xc0\xaf", b"\xed\xa0\x80", b"\xf4\x90\x80\x80"]:
            with self.subTest(key=key):
                self.fails([*base, b"--key", key], "not valid UTF-8")

    def test_expires_range(self):
        base = ["--bucket", "bkt", "--key", "k", *LOCAL]
        self.assertIn("X-Amz-Expires=1&", self.one_url([*base, "--expires", "1"]))
        self.assertIn("X-Amz-Expires=604800&", self.one_url([*base, "--expires", "604800"]))
        for value in ["0", "604801", "-1", "99999999999"]:
            with self.subTest(value=value):
                self.fails([*base, "--expires", value], r"--expires must be 1\.\.604800")
        self.fails([*base, "--expires", "abc"], "--expires")
        self.fails([*base, "--expires", "1.5"], "--expires")

    def test_unknown_flag_and_stray_arguments(self):
        base = ["--bucket", "bkt", "--key", "k", *LOCAL]
        self.fails([*base, "--bogus"], "--bogus")
        self.fails(["--bogus"], "--bogus")
        self.fails([*base, "stray"], "stray")
        proc = subprocess.run([ONEHOP, "bogus"], capture_output=True)
        self.assertEqual(proc.returncode, EXIT_USAGE)
        self.assertEqual(proc.stderr.decode().count("\n"), 1)

    def test_required_and_exclusive_flags(self):
        self.fails(["--key", "k", *LOCAL], "--bucket is required")
        self.fails(["--bucket", "bkt", *LOCAL], "--key KEY.*--stdin")
        self.fails(["--bucket", "bkt", "--key", "k", "--stdin", *LOCAL], "either --key or --stdin")
        self.fails(["--bucket", "bkt", "--key", "k", "--method", "PATCH", *LOCAL], "PATCH")
        self.fails(["--bucket", "bkt", "--key", "k", "--path-style", "--virtual-hosted", *LOCAL],
                   "excludes")

    def test_method_is_case_insensitive(self):
        url = self.one_url(["--bucket", "bkt", "--key", "k", "--method", "get", *LOCAL])
        self.assertIn("X-Amz-Signature=", url)

    def test_bad_headers(self):
        base = ["--bucket", "bkt", "--key", "k", *LOCAL]
        for header, pattern in [
            ("NoColon", "no ':'"),
            (": value", "empty name"),
            ("Bad Name: v", "not allowed in an HTTP header name"),
            ("Bad(Name): v", "not allowed in an HTTP header name"),
            ("Host: example.test", "cannot be set"),
            ("Authorization: x", "cannot be set"),
            ("X-Amz-Date: 20130524T000000Z", "cannot be set"),
            ("x-amz-security-token: t", "cannot be set"),
            ("X-Meta: a\x01b", "control character"),
            ("X-Meta: a\x7fb", "control character"),
        ]:
            with self.subTest(header=header):
                self.fails([*base, "--header", header], pattern)
        self.fails([*base, b"--header", b"X-Meta: \xff"], "not valid UTF-8")
        self.fails([*base, "--header", "A: 1", "--header", "a: 2"], "given twice")

    def test_header_size_limit(self):
        base = ["--bucket", "bkt", "--key", "k", *LOCAL]
        prefix = "x-amz-meta-a: "
        at_limit = prefix + "v" * (8192 - len(prefix))
        self.assertEqual(len(at_limit), 8192)
        self.assertIn("x-amz-meta-a", self.one_url([*base, "--header", at_limit]))
        self.fails([*base, "--header", at_limit + "v"], "8193 bytes, over the 8192-byte limit")

    def test_bad_queries(self):
        base = ["--bucket", "bkt", "--key", "k", *LOCAL]
        for query, pattern in [
            ("=value", "empty name"),
            ("", "empty name"),
            ("X-Amz-Signature=abc", "cannot be set"),
            ("x-amz-credential=abc", "cannot be set"),
            ("X-AMZ-DATE", "cannot be set"),
        ]:
            with self.subTest(query=query):
                self.fails([*base, "--query", query], pattern)
        self.fails([*base, b"--query", b"a=\xff"], "not valid UTF-8")
        self.fails([*base, "--query", "a=1", "--query", "a=2"], "given twice")

    def test_query_size_limit(self):
        base = ["--bucket", "bkt", "--key", "k", *LOCAL]
        at_limit = "q=" + "v" * 8190
        self.assertIn("q=vvv", self.one_url([*base, "--query", at_limit]))
        self.fails([*base, "--query", at_limit + "v"], "8193 bytes, over the 8192-byte limit")

    def test_bad_dates(self):
        base = ["--bucket", "bkt", "--key", "k", "--endpoint", "http://127.0.0.1:9000"]
        for date in [
            "2013-05-24T00:00:00Z", "20130524T000000", "20130230T000000Z", "20130524T240000Z",
            "20130524T006000Z", "20130524T000060Z", "20130524 000000Z", "", "x" * 100,
        ]:
            with self.subTest(date=date):
                self.fails([*base, "--date", date], "--date must be a valid UTC time")
        self.assertIn("X-Amz-Date=20240229T235959Z",
                      self.one_url([*base, "--date", "20240229T235959Z"]))

    def test_bad_regions(self):
        base = ["--bucket", "bkt", "--key", "k", *LOCAL]
        self.one_url([*base, "--region", "r" * 64])
        for region in ["us east 1", "", "r" * 65, "eu/west", "é"]:
            with self.subTest(region=region):
                self.fails([*base, "--region", region], "region must be")
        self.fails(["--bucket", "bkt", "--key", "k", *LOCAL], "region must be",
                   env=base_env(AWS_REGION="bad region"))

    def test_bad_buckets(self):
        self.one_url(["--bucket", "b" * 63, "--key", "k", *LOCAL])
        self.one_url(["--bucket", "abc", "--key", "k", *LOCAL])
        for bucket in ["b" * 64, "ab", "Upper", "under_score", "-lead", "trail-", "a/b", "a b"]:
            with self.subTest(bucket=bucket):
                self.fails(["--bucket", bucket, "--key", "k", *LOCAL], "bucket name .* is not valid")

    def test_virtual_hosted_needs_a_host_name_and_a_dotless_bucket(self):
        self.fails(["--bucket", "a.b.c", "--key", "k", "--virtual-hosted", "--date", DATE],
                   "without '.'")
        self.fails(["--bucket", "bkt", "--key", "k", "--virtual-hosted", *LOCAL],
                   "not an IP address")

    def test_post_flag_combinations(self):
        base = ["--bucket", "bkt", "--key", "k", *LOCAL]
        self.fails([*base, "--max-size", "10"], "--max-size requires --post|--max-size.*--post")
        self.fails([*base, "--content-type", "image/png"], "--content-type.*--post")
        self.fails(["--bucket", "bkt", "--stdin", "--post", *LOCAL], "excludes")
        self.fails([*base, "--post", "--method", "GET"], "excludes")
        self.fails([*base, "--post", "--header", "A: b"], "excludes")
        self.fails([*base, "--post", "--query", "a=b"], "excludes")
        self.fails([*base, "--post", "--content-type", "image/png\x01"], "control character")

    def test_post_max_size_limit(self):
        base = ["--bucket", "bkt", "--key", "k", "--post", *LOCAL]
        json.loads(self.ok([*base, "--max-size", str(5 * 1024**3)]))
        json.loads(self.ok([*base, "--max-size", "0"]))
        self.fails([*base, "--max-size", str(5 * 1024**3 + 1)], "at most 5368709120")
        self.fails([*base, "--max-size", "-1"], "--max-size")


class EnvironmentTest(CliTestCase):
    def test_region_precedence(self):
        base = ["--bucket", "bkt", "--key", "k", "--date", DATE]
        url = self.one_url(base)
        self.assertTrue(url.startswith("https://bkt.s3.amazonaws.com/k?"), url)
        self.assertIn("%2Fus-east-1%2Fs3%2F", url)
        url = self.one_url(base, env=base_env(AWS_DEFAULT_REGION="eu-central-1"))
        self.assertTrue(url.startswith("https://bkt.s3.eu-central-1.amazonaws.com/k?"), url)
        url = self.one_url(base, env=base_env(AWS_DEFAULT_REGION="eu-central-1",
                                              AWS_REGION="eu-west-1"))
        self.assertTrue(url.startswith("https://bkt.s3.eu-west-1.amazonaws.com/k?"), url)
        url = self.one_url([*base, "--region", "ap-south-1"], env=base_env(AWS_REGION="eu-west-1"))
        self.assertTrue(url.startswith("https://bkt.s3.ap-south-1.amazonaws.com/k?"), url)
        self.assertIn("%2Fap-south-1%2Fs3%2F", url)

    def test_endpoint_precedence(self):
        base = ["--bucket", "bkt", "--key", "k", "--date", DATE]
        env = base_env(AWS_ENDPOINT_URL="http://any.test:1000")
        self.assertTrue(self.one_url(base, env).startswith("http://any.test:1000/bkt/k?"))
        env["AWS_ENDPOINT_URL_S3"] = "http://s3only.test:2000"
        self.assertTrue(self.one_url(base, env).startswith("http://s3only.test:2000/bkt/k?"))
        url = self.one_url([*base, "--endpoint", "https://flag.test"], env)
        self.assertTrue(url.startswith("https://flag.test/bkt/k?"), url)

    def test_session_token(self):
        token = "FQoGZXIvYXdzE+/token=="
        url = self.one_url(["--bucket", "bkt", "--key", "k", *LOCAL],
                           env=base_env(AWS_SESSION_TOKEN=token))
        names = [name for name, _ in query_pairs(url)]
        self.assertEqual(names[-2:], ["X-Amz-Security-Token", "X-Amz-Signature"])
        self.assertEqual(dict(query_pairs(url))["X-Amz-Security-Token"], token)
        self.assertNotIn("Security-Token", self.one_url(["--bucket", "bkt", "--key", "k", *LOCAL]))

    def test_default_addressing(self):
        def url_for(bucket, *extra):
            return self.one_url(["--bucket", bucket, "--key", "k", "--date", DATE, *extra])

        self.assertTrue(url_for("bkt").startswith("https://bkt.s3.amazonaws.com/k?"))
        self.assertTrue(url_for("a.b.c").startswith("https://s3.amazonaws.com/a.b.c/k?"))
        self.assertTrue(url_for("bkt", "--endpoint", "https://s3.eu-west-1.amazonaws.com")
                        .startswith("https://bkt.s3.eu-west-1.amazonaws.com/k?"))
        self.assertTrue(url_for("bkt", "--endpoint", "http://localhost:9000")
                        .startswith("http://localhost:9000/bkt/k?"))
        self.assertTrue(url_for("bkt", "--endpoint", "https://minio.example.test")
                        .startswith("https://minio.example.test/bkt/k?"))
        self.assertTrue(url_for("bkt", "--path-style").startswith("https://s3.amazonaws.com/bkt/k?"))
        self.assertTrue(url_for("bkt", "--endpoint", "http://localhost:9000", "--virtual-hosted")
                        .startswith("http://bkt.localhost:9000/k?"))


class SigningTest(CliTestCase):
    def test_headers_and_queries_are_signed(self):
        url = self.one_url([
            "--bucket", "bkt", "--key", "k", *LOCAL, "--header", "Content-Type:  image/png ",
            "--header", "X-Amz-Meta-Owner: alice", "--query", "partNumber=2", "--query", "uploadId=a+b",
            "--query", "uploads",
        ])
        pairs = query_pairs(url)
        self.assertEqual(pairs[:3], [("partNumber", "2"), ("uploadId", "a+b"), ("uploads", "")])
        self.assertIn("?partNumber=2&uploadId=a%2Bb&uploads=&X-Amz-Algorithm=", url)
        self.assertEqual(dict(pairs)["X-Amz-SignedHeaders"], "content-type;host;x-amz-meta-owner")

    def test_header_value_changes_the_signature(self):
        base = ["--bucket", "bkt", "--key", "k", *LOCAL]
        a = self.one_url([*base, "--header", "Content-Type: image/png"])
        b = self.one_url([*base, "--header", "Content-Type: image/jpeg"])
        self.assertNotEqual(dict(query_pairs(a))["X-Amz-Signature"],
                            dict(query_pairs(b))["X-Amz-Signature"])

    def test_aws_documentation_example_p001(self):
        with open(os.path.join(TEST_DATA, "presign", "botocore-presign.jsonl"), encoding="utf-8") as f:
            case = json.loads(f.readline())
        self.assertEqual(case["id"], "p001-getobject-virtual")
        url = self.one_url(
            ["--method", "GET", "--bucket", "examplebucket", "--key", "test.txt", "--expires", "86400",
             "--date", "20130524T000000Z"])
        self.assertEqual(url, case["expected"]["url"])
        self.assertTrue(url.endswith(
            "X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"))

    def test_every_botocore_presign_vector(self):
        """Every botocore vector the command can express, through its flags: headers as --header,
        operation parameters as --query in the URL's order. The four POST-method vectors
        (CreateMultipartUpload, CompleteMultipartUpload) are left out: the command signs PUT, GET,
        HEAD and DELETE URLs, and --post means a browser form."""
        with open(os.path.join(TEST_DATA, "presign", "botocore-presign.jsonl"), encoding="utf-8") as f:
            cases = [json.loads(line) for line in f]
        self.assertEqual(len(cases), 205)
        cases = [c for c in cases if c["method"] != "POST"]
        self.assertEqual(len(cases), 201)

        def check(case):
            args = ["--method", case["method"], "--bucket", case["bucket"], "--key=" + case["key"],
                    "--region", case["region"], "--expires", str(case["expires"]),
                    "--date", case["timestamp"],
                    "--path-style" if case["addressing_style"] == "path" else "--virtual-hosted"]
            if case["endpoint_url"]:
                args += ["--endpoint", case["endpoint_url"]]
            for name, value in case["signed_headers"].items():
                args += ["--header", f"{name}: {value}"]
            # The file's extra_query objects are not in URL order; the expected URL is.
            for name, _ in query_pairs(case["expected"]["url"]):
                if not name.startswith("X-Amz-"):
                    args += ["--query", f"{name}={case['extra_query'][name]}"]
            creds = case["credentials"]
            env = base_env(AWS_ACCESS_KEY_ID=creds["access_key_id"],
                           AWS_SECRET_ACCESS_KEY=creds["secret_access_key"],
                           AWS_SESSION_TOKEN=creds["session_token"])
            return case, run(args, env)

        # Independent processes: two at a time (the machine has two cores).
        with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
            for case, (code, out, err) in pool.map(check, cases):
                with self.subTest(case=case["id"]):
                    self.assertEqual(code, 0, err)
                    self.assertEqual(out.decode(), case["expected"]["url"] + "\n")


class StdinTest(CliTestCase):
    BASE = ["--bucket", "bkt", "--stdin", *LOCAL]

    def test_order_and_count(self):
        keys = [f"uploads/u{i % 7}/{i} ü+%&=?#[]~.jpg" for i in range(5000)]
        keys[10] = "k" * 1024
        keys[11] = "//lead/../trail/"
        out = self.ok(self.BASE, stdin=("\n".join(keys) + "\n").encode())
        lines = out.split("\n")
        self.assertEqual(lines[-1], "")
        lines = lines[:-1]
        self.assertEqual(len(lines), len(keys))
        for key, url in zip(keys, lines):
            self.assertEqual(urllib.parse.unquote(url_path(url)), "/bkt/" + key)
        # Same URL as --key for a sample (same date, same flags).
        for i in [0, 10, 11, 2500, 4999]:
            single = self.one_url(["--bucket", "bkt", "--key=" + keys[i], *LOCAL])
            self.assertEqual(lines[i], single)

    def test_last_line_without_newline_and_empty_input(self):
        out = self.ok(self.BASE, stdin=b"a\nb")
        self.assertEqual([url_path(u) for u in out.splitlines()], ["/bkt/a", "/bkt/b"])
        self.assertEqual(self.ok(self.BASE, stdin=b""), "")

    def test_carriage_return_is_part_of_the_key(self):
        out = self.ok(self.BASE, stdin=b"a\r\n")
        self.assertEqual(url_path(out.strip("\n")), "/bkt/a%0D")

    def test_large_input_crosses_read_buffers(self):
        # Over 1 MiB, with lines straddling the read boundaries.
        keys = [f"{i:07d}/" + "x" * (i % 900) for i in range(5000)]
        data = ("\n".join(keys) + "\n").encode()
        self.assertGreater(len(data), 2 * 1024 * 1024)
        lines = self.ok(self.BASE, stdin=data).splitlines()
        self.assertEqual(len(lines), len(keys))
        self.assertEqual(url_path(lines[-1]), "/bkt/" + keys[-1])
        self.assertEqual([url_path(u)[5:12] for u in lines], [k[:7] for k in keys])

    def test_line_too_long_names_the_line(self):
        out = self.fails(self.BASE, "stdin line 3: .*1024-byte limit",
                         stdin=b"a\nb\n" + b"k" * 1025 + b"\nc\n", code=EXIT_FAILURE)
        self.assertEqual([url_path(u) for u in out.decode().splitlines()], ["/bkt/a", "/bkt/b"])
        self.ok(self.BASE, stdin=b"a\nb\n" + b"k" * 1024 + b"\nc\n")

    def test_huge_line_is_refused_without_reading_it_all(self):
        out = self.fails(self.BASE, "stdin line 1: ", stdin=b"k" * (64 * 1024 * 1024),
                         code=EXIT_FAILURE)
        self.assertEqual(out, b"")

    def test_invalid_utf8_names_the_line(self):
        out = self.fails(self.BASE, "stdin line 2: the key is not valid UTF-8",
                         stdin=b"ok\nbad\xc3\nnever\n", code=EXIT_FAILURE)
        self.assertEqual(len(out.splitlines()), 1)

    def test_empty_line_names_the_line(self):
        self.fails(self.BASE, "stdin line 3: the key is empty", stdin=b"a\nb\n\nc\n",
                   code=EXIT_FAILURE)


class PostTest(CliTestCase):
    def post(self, *extra, env=None):
        return json.loads(self.ok(["--post", "--bucket", "bkt", "--key", "uploads/a b.png",
                                   "--date", DATE, *extra], env))

    def test_shape(self):
        doc = self.post("--endpoint", "http://127.0.0.1:9000", "--max-size", "1048576",
                        "--content-type", "image/png", "--expires", "600",
                        env=base_env(AWS_SESSION_TOKEN="tok"))
        self.assertEqual(list(doc), ["url", "fields"])
        self.assertEqual(doc["url"], "http://127.0.0.1:9000/bkt")
        fields = doc["fields"]
        self.assertEqual(list(fields), [
            "key", "Content-Type", "x-amz-algorithm", "x-amz-credential", "x-amz-date",
            "x-amz-security-token", "policy", "x-amz-signature"])
        self.assertEqual(fields["key"], "uploads/a b.png")
        self.assertEqual(fields["Content-Type"], "image/png")
        self.assertEqual(fields["x-amz-credential"], f"{ACCESS_KEY}/20130524/us-east-1/s3/aws4_request")
        self.assertEqual(fields["x-amz-date"], DATE)
        self.assertEqual(fields["x-amz-security-token"], "tok")
        self.assertRegex(fields["x-amz-signature"], "^[0-9a-f]{64}$")
        policy = json.loads(base64.b64decode(fields["policy"]))
        self.assertEqual(policy["expiration"], "2013-05-24T00:10:00Z")
        conditions = policy["conditions"]
        self.assertIn(["content-length-range", 0, 1048576], conditions)
        self.assertIn({"Content-Type": "image/png"}, conditions)
        self.assertIn({"bucket": "bkt"}, conditions)
        self.assertIn({"key": "uploads/a b.png"}, conditions)
        self.assertIn({"x-amz-security-token": "tok"}, conditions)

    def test_without_options_has_no_size_or_type_condition(self):
        doc = self.post()
        self.assertEqual(doc["url"], "https://bkt.s3.amazonaws.com/")
        policy = json.loads(base64.b64decode(doc["fields"]["policy"]))
        self.assertEqual(policy["expiration"], "2013-05-24T01:00:00Z")
        flat = json.dumps(policy["conditions"])
        self.assertNotIn("content-length-range", flat)
        self.assertNotIn("Content-Type", flat)
        self.assertNotIn("Content-Type", doc["fields"])

    def test_same_form_as_botocore(self):
        """botocore's generate_presigned_post with the same inputs and a frozen clock gives the
        same form, field for field (the policy base64 and the signature included)."""
        os.environ["BOTO_DISABLE_CRT"] = "true"
        import botocore.auth
        import botocore.session
        import botocore.signers
        from botocore.config import Config

        frozen = datetime.datetime(2013, 5, 24, 0, 0, 0)

        class FrozenDatetime(datetime.datetime):
            @classmethod
            def utcnow(cls):
                return frozen

        class FrozenModule:
            timedelta = datetime.timedelta
            datetime = FrozenDatetime

        # botocore reads the clock in two places: the signer (X-Amz-Date) and
        # generate_presigned_post (the policy's expiration).
        saved = botocore.auth.datetime, botocore.signers.datetime
        botocore.auth.datetime = botocore.signers.datetime = FrozenModule
        try:
            for endpoint, style, token, region in [
                ("http://127.0.0.1:9000", "path", None, "eu-west-1"),
                ("https://s3.eu-west-1.amazonaws.com", "virtual", "session-token/+=", "eu-west-1"),
                (None, "virtual", "session-token/+=", "us-east-1"),
            ]:
                client = botocore.session.get_session().create_client(
                    "s3", region_name=region, endpoint_url=endpoint,
                    aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY,
                    aws_session_token=token,
                    config=Config(signature_version="s3v4", s3={"addressing_style": style}))
                expected = client.generate_presigned_post(
                    "bkt", "uploads/ü.png", Fields={"Content-Type": "image/png"},
                    Conditions=[["content-length-range", 0, 5000], {"Content-Type": "image/png"}],
                    ExpiresIn=900)
                args = ["--post", "--bucket", "bkt", "--key", "uploads/ü.png", "--region",
                        region, "--date", DATE, "--max-size", "5000", "--content-type",
                        "image/png", "--expires", "900", f"--{'path-style' if style == 'path' else 'virtual-hosted'}"]
                if endpoint:
                    args += ["--endpoint", endpoint]
                doc = json.loads(self.ok(args, env=base_env(AWS_SESSION_TOKEN=token)))
                self.assertEqual(doc["url"], expected["url"])
                self.assertEqual(doc["fields"], expected["fields"])
        finally:
            botocore.auth.datetime, botocore.signers.datetime = saved


if __name__ == "__main__":
    if not ONEHOP or not os.access(ONEHOP, os.X_OK):
        sys.exit("ONEHOP_BIN must name the onehop binary")
    unittest.main(verbosity=1)
