"""`onehop store --config FILE`: [store] from onehop.toml, keys from the environment, flags win.

Starts the binary from ONEHOP_BIN with only a config file (listen on port 0, data folder, buckets,
region from the file), and checks with boto3 that the file's buckets exist, that the environment's
ONEHOP_STORE_ACCESS_KEY / ONEHOP_STORE_SECRET_KEY win over the file's keys, that explicit flags win
over the file, and that a bad or missing file stops the command with exit 2 and one line naming
the file, the line and the key.
"""

import os
import re
import signal
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from store_harness import client_error, run_checks  # noqa: E402

os.environ.setdefault("BOTO_DISABLE_CRT", "true")

FILE_ACCESS = "AKIAFROMTHEFILE"
FILE_SECRET = "secret-from-the-file-0123456789"
ENV_ACCESS = "AKIAFROMTHEENV"
ENV_SECRET = "secret/from+the-environment-0123456789"
REGION = "eu-central-1"


def write_config(tmp, name, text):
    path = os.path.join(tmp, name)
    with open(path, "w") as f:
        f.write(text)
    return path


def base_config(data_dir):
    return """# written by test_store_config.py
[store]
listen = "127.0.0.1:0"
data = "%s"
buckets = ["from-file", "second-bucket"]
region = "%s"
access_key = "%s"
secret_key = "%s"
threads = 2
max_object_size = "1MiB"
""" % (data_dir, REGION, FILE_ACCESS, FILE_SECRET)


def store_env(with_keys=True):
    env = dict(os.environ)
    for name in list(env):
        if name.startswith("ONEHOP_STORE_") or name.startswith("AWS_"):
            del env[name]
    if with_keys:
        env["ONEHOP_STORE_ACCESS_KEY"] = ENV_ACCESS
        env["ONEHOP_STORE_SECRET_KEY"] = ENV_SECRET
    return env


class Running:
    """A store started with `args`; reads the port from the "listening on" line."""

    def __init__(self, args, env):
        binary = os.environ.get("ONEHOP_BIN")
        if not binary or not os.path.exists(binary):
            raise RuntimeError("ONEHOP_BIN is not set to the onehop binary")
        self.proc = subprocess.Popen([binary, "store"] + args, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, env=env)
        self.port = None
        while self.port is None:
            line = self.proc.stdout.readline()
            if not line:
                self.proc.wait(timeout=10)
                raise RuntimeError("store exited (%s) before listening: %s"
                                   % (self.proc.returncode, self.proc.stderr.read()))
            match = re.search(r"listening on http://127\.0\.0\.1:(\d+) \(data (.*), region (.*)\)",
                              line)
            if match:
                self.port = int(match.group(1))
                self.region = match.group(3)

    def client(self, access, secret):
        import boto3
        from botocore.config import Config
        return boto3.client(
            "s3", endpoint_url="http://127.0.0.1:%d" % self.port, region_name=REGION,
            aws_access_key_id=access, aws_secret_access_key=secret,
            config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1},
                          signature_version="s3v4"))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            rc = self.proc.wait(timeout=30)
        else:
            rc = self.proc.returncode
        err = self.proc.stderr.read()
        self.proc.stdout.close()
        self.proc.stderr.close()
        if exc[0] is None and rc != 0:
            raise AssertionError("store exited with %s: %s" % (rc, err))
        return False


def run_failing(args, env):
    binary = os.environ["ONEHOP_BIN"]
    proc = subprocess.run([binary, "store"] + args, capture_output=True, text=True, env=env,
                          timeout=60)
    return proc.returncode, proc.stdout, proc.stderr


def check_buckets_from_the_file_and_keys_from_the_environment(tmp):
    data_dir = os.path.join(tmp, "data1")
    config = write_config(tmp, "store1.toml", base_config(data_dir))
    with Running(["--config", config], store_env()) as store:
        assert store.region == REGION, store.region
        s3 = store.client(ENV_ACCESS, ENV_SECRET)
        names = sorted(b["Name"] for b in s3.list_buckets()["Buckets"])
        assert names == ["from-file", "second-bucket"], names
        s3.put_object(Bucket="from-file", Key="a.txt", Body=b"hello")
        assert s3.get_object(Bucket="from-file", Key="a.txt")["Body"].read() == b"hello"
        # The environment's keys replaced the file's.
        code, status = client_error(
            lambda: store.client(FILE_ACCESS, FILE_SECRET).list_buckets())
        assert (code, status) == ("InvalidAccessKeyId", 403), (code, status)
        # max_object_size from the file: 1 MiB + 1 byte is refused.
        code, _ = client_error(lambda: s3.put_object(Bucket="from-file", Key="big",
                                                     Body=b"x" * (1024 * 1024 + 1)))
        assert code == "EntityTooLarge", code
    assert os.path.isdir(os.path.join(data_dir, "buckets", "from-file"))


def check_file_keys_without_environment(tmp):
    config = write_config(tmp, "store2.toml", base_config(os.path.join(tmp, "data2")))
    with Running(["--config", config], store_env(with_keys=False)) as store:
        s3 = store.client(FILE_ACCESS, FILE_SECRET)
        names = sorted(b["Name"] for b in s3.list_buckets()["Buckets"])
        assert names == ["from-file", "second-bucket"], names


def check_explicit_flags_win_over_the_file(tmp):
    config = write_config(tmp, "store3.toml", base_config(os.path.join(tmp, "data3")))
    flag_data = os.path.join(tmp, "data3-flag")
    args = ["--config", config, "--bucket", "from-flag", "--region", "us-west-2",
            "--data", flag_data, "--access-key", "AKIAFROMAFLAG", "--secret-key",
            "secret-from-a-flag-0123"]
    with Running(args, store_env()) as store:
        assert store.region == "us-west-2", store.region
        import boto3
        from botocore.config import Config
        s3 = boto3.client("s3", endpoint_url="http://127.0.0.1:%d" % store.port,
                          region_name="us-west-2", aws_access_key_id="AKIAFROMAFLAG",
                          aws_secret_access_key="secret-from-a-flag-0123",
                          config=Config(s3={"addressing_style": "path"},
                                        retries={"max_attempts": 1}, signature_version="s3v4"))
        names = [b["Name"] for b in s3.list_buckets()["Buckets"]]
        assert names == ["from-flag"], names
    assert os.path.isdir(os.path.join(flag_data, "buckets", "from-flag"))


def check_bad_file_exits_2_naming_line_and_key(tmp):
    config = write_config(tmp, "bad.toml", "[store]\nlisten = \"127.0.0.1:0\"\n\n"
                                           "max_object_size = \"10 Mb\"\n")
    rc, out, err = run_failing(["--config", config], store_env())
    assert rc == 2, (rc, err)
    assert out == "", out
    assert err.count("\n") == 1, err
    assert err.startswith("onehop store: %s:4: [store] max_object_size: unknown size unit 'Mb'"
                          % config), err

    config = write_config(tmp, "typo.toml", "[store]\nbucket = [\"x\"]\n")
    rc, _, err = run_failing(["--config", config], store_env())
    assert rc == 2 and "%s:2: [store] unknown key 'bucket'" % config in err, (rc, err)


def check_missing_file_exits_2(tmp):
    missing = os.path.join(tmp, "nope.toml")
    rc, _, err = run_failing(["--config", missing], store_env())
    assert rc == 2, (rc, err)
    assert err == ("onehop store: cannot read config file '%s': No such file or directory\n"
                   % missing), err


def check_data_still_required_without_a_config(tmp):
    rc, _, err = run_failing(["--listen", "127.0.0.1:0"], store_env())
    assert rc == 2 and "--data is required" in err, (rc, err)


def check_environment_overrides_the_file(tmp):
    config = write_config(tmp, "store4.toml", base_config(os.path.join(tmp, "data4")))
    env = store_env()
    env["ONEHOP_STORE_BUCKETS"] = "env-one,env-two"
    env["ONEHOP_STORE_REGION"] = "ap-south-1"
    with Running(["--config", config], env) as store:
        assert store.region == "ap-south-1", store.region
        import boto3
        from botocore.config import Config
        s3 = boto3.client("s3", endpoint_url="http://127.0.0.1:%d" % store.port,
                          region_name="ap-south-1", aws_access_key_id=ENV_ACCESS,
                          aws_secret_access_key=ENV_SECRET,
                          config=Config(s3={"addressing_style": "path"},
                                        retries={"max_attempts": 1}, signature_version="s3v4"))
        names = sorted(b["Name"] for b in s3.list_buckets()["Buckets"])
        assert names == ["env-one", "env-two"], names


def main():
    try:
        import boto3  # noqa: F401
    except ImportError:
        print("SKIP: boto3 is not installed")
        return 77
    with tempfile.TemporaryDirectory(prefix="onehop-store-config-") as tmp:
        run_checks([
            check_buckets_from_the_file_and_keys_from_the_environment,
            check_file_keys_without_environment,
            check_explicit_flags_win_over_the_file,
            check_environment_overrides_the_file,
            check_bad_file_exits_2_naming_line_and_key,
            check_missing_file_exits_2,
            check_data_still_required_without_a_config,
        ], tmp)
    return 0


if __name__ == "__main__":
    sys.exit(main())
