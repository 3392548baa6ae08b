"""Shared helper for integration tests: run a real `onehop store` on 127.0.0.1.

    from store_harness import Store, run_checks
    with Store(buckets=["photos"]) as store:
        s3 = store.boto3_client()
        ...

`Store` starts the binary from $ONEHOP_BIN on a free port (port 0, read back from the
"listening on" line) with a fresh data folder in a temporary directory, gives it the credentials
through the environment (ONEHOP_STORE_ACCESS_KEY / ONEHOP_STORE_SECRET_KEY), waits until it accepts
connections, and on exit stops it with SIGTERM (a graceful stop must exit 0) and removes the data.
`tool_env()` is the environment for external clients (aws CLI and friends): credentials, region,
AWS_ENDPOINT_URL, and config files pointed into the temporary directory so the user's own
~/.aws or ~/.s3cfg never leak in.

`run_checks` runs every `check_*` function given, reports each as ok/FAIL with its traceback, and
exits 1 if any failed, so one failure does not hide the others.
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback

os.environ.setdefault("BOTO_DISABLE_CRT", "true")

ACCESS_KEY = "AKIAONEHOPINTEGRATION"
SECRET_KEY = "onehop/integration+secret-key-0123456789"
REGION = "us-east-1"


class StoreError(RuntimeError):
    pass


class Store:
    def __init__(self, buckets=(), extra_args=(), access_key=ACCESS_KEY, secret_key=SECRET_KEY,
                 region=REGION, start_timeout=30.0):
        self.buckets = list(buckets)
        self.extra_args = list(extra_args)
        self.access_key = access_key
        self.secret_key = secret_key
        self.region = region
        self.start_timeout = start_timeout
        self.proc = None
        self.port = None
        self.tmp = None
        self.data_dir = None

    # -- lifecycle

    def start_same_port(self):
        """Starts again after stop(): same data folder, same port (clients keep their endpoint)."""
        return self.start(port=self.port)

    def start(self, port=0):
        binary = os.environ.get("ONEHOP_BIN")
        if not binary or not os.path.exists(binary):
            raise StoreError("ONEHOP_BIN is not set to the onehop binary")
        if self.tmp is None:
            self.tmp = tempfile.mkdtemp(prefix="onehop-store-test-")
        self.data_dir = os.path.join(self.tmp, "data")
        self.port = None
        args = [binary, "store", "--listen", "127.0.0.1:%d" % port, "--data", self.data_dir,
                "--region", self.region, "--threads", "2"]
        for b in self.buckets:
            args += ["--bucket", b]
        args += self.extra_args
        env = dict(os.environ)
        env["ONEHOP_STORE_ACCESS_KEY"] = self.access_key
        env["ONEHOP_STORE_SECRET_KEY"] = self.secret_key
        self.stderr_path = os.path.join(self.tmp, "store.stderr")
        self._stderr = open(self.stderr_path, "a")
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self._stderr, text=True,
                                     env=env)
        deadline = time.monotonic() + self.start_timeout
        while self.port is None:
            line = self.proc.stdout.readline()
            if not line:
                self.proc.wait(timeout=5)
                raise StoreError("onehop store exited (%s) before listening: %s"
                                 % (self.proc.returncode, self.stderr_text()))
            match = re.search(r"listening on http://127\.0\.0\.1:(\d+)", line)
            if match:
                self.port = int(match.group(1))
            elif time.monotonic() > deadline:
                raise StoreError("onehop store did not report its port")
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise StoreError("onehop store does not accept connections")
                time.sleep(0.05)
        return self

    def stop(self, expect_clean_exit=True):
        if self.proc is None:
            return None
        rc = None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                rc = self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise StoreError("onehop store did not stop within 30 s of SIGTERM")
        else:
            rc = self.proc.returncode
        self.proc.stdout.close()
        self._stderr.close()
        self.proc = None
        if expect_clean_exit and rc != 0:
            raise StoreError("onehop store exited with %s: %s" % (rc, self.stderr_text()))
        return rc

    def cleanup(self):
        if self.tmp:
            shutil.rmtree(self.tmp, ignore_errors=True)
            self.tmp = None

    def __enter__(self):
        try:
            return self.start()
        except BaseException:
            self._abort()
            raise

    def __exit__(self, exc_type, exc, tb):
        try:
            if exc_type is None:
                self.stop()
            else:
                self._abort()
        finally:
            self.cleanup()
        return False

    def _abort(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.proc = None

    def stderr_text(self):
        try:
            with open(self.stderr_path) as f:
                return f.read()[-4000:]
        except OSError:
            return ""

    # -- clients

    @property
    def endpoint(self):
        return "http://127.0.0.1:%d" % self.port

    def boto3_client(self, secret_key=None, access_key=None, addressing_style="path", **config):
        import boto3
        from botocore.config import Config
        return boto3.client(
            "s3", endpoint_url=self.endpoint, region_name=self.region,
            aws_access_key_id=access_key or self.access_key,
            aws_secret_access_key=secret_key or self.secret_key,
            config=Config(s3={"addressing_style": addressing_style},
                          retries={"max_attempts": 1}, signature_version="s3v4", **config))

    def anonymous_client(self):
        import boto3
        from botocore import UNSIGNED
        from botocore.config import Config
        return boto3.client("s3", endpoint_url=self.endpoint, region_name=self.region,
                            config=Config(signature_version=UNSIGNED, retries={"max_attempts": 1},
                                          s3={"addressing_style": "path"}))

    def tool_env(self):
        """Environment for external S3 clients, isolated from the user's configuration."""
        home = os.path.join(self.tmp, "home")
        os.makedirs(home, exist_ok=True)
        env = dict(os.environ)
        for name in list(env):
            if name.startswith("AWS_"):
                del env[name]
        env.update({
            "HOME": home,
            "AWS_ACCESS_KEY_ID": self.access_key,
            "AWS_SECRET_ACCESS_KEY": self.secret_key,
            "AWS_DEFAULT_REGION": self.region,
            "AWS_REGION": self.region,
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_CONFIG_FILE": os.path.join(home, "aws-config"),
            "AWS_SHARED_CREDENTIALS_FILE": os.path.join(home, "aws-credentials"),
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_PAGER": "",
            "BOTO_DISABLE_CRT": "true",
        })
        return env

    def object_files(self):
        """Every regular file under the data folder except temporaries (for 'nothing stored')."""
        found = []
        for root, _dirs, files in os.walk(self.data_dir):
            for f in files:
                found.append(os.path.relpath(os.path.join(root, f), self.data_dir))
        return sorted(found)


def client_error(call):
    """(code, http status) of the botocore ClientError that `call` raises."""
    from botocore.exceptions import ClientError
    try:
        call()
    except ClientError as e:
        return e.response["Error"].get("Code"), e.response["ResponseMetadata"]["HTTPStatusCode"]
    raise AssertionError("expected the call to fail")


def run_checks(checks, *args):
    failed = []
    for check in checks:
        name = check.__name__
        start = time.monotonic()
        try:
            check(*args)
            print("ok    %-45s %.2fs" % (name, time.monotonic() - start), flush=True)
        except Exception:  # noqa: BLE001 - report every failure, keep going
            failed.append(name)
            print("FAIL  %s" % name, flush=True)
            traceback.print_exc()
            sys.stdout.flush()
    if failed:
        print("%d of %d checks failed: %s" % (len(failed), len(checks), ", ".join(failed)))
        sys.exit(1)
    print("all %d checks passed" % len(checks))


def require_tool(name):
    """Exits 77 (skip) with a message if an external client is not installed."""
    if shutil.which(name) is None:
        print("SKIP: %s is not installed" % name)
        sys.exit(77)
