"""rclone and s3cmd against a real `onehop store`: each copies a tree (unicode, spaces, '+',
nested folders, an empty file, and a file big enough for multipart with small part sizes) up
and back down, checks the copies byte for byte, lists and deletes. Their configuration files
are written into the test's temporary directory only.
"""

import hashlib
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from store_harness import Store, require_tool, run_checks  # noqa: E402

MIB = 1024 * 1024


def write_tree(root):
    files = {
        "index.html": b"<h1>hi</h1>",
        "img/cat.jpg": b"\xff\xd8\xff" + os.urandom(3000),
        "img/deep/dog.png": b"\x89PNG" + os.urandom(100),
        "docs/read me.txt": b"spaces in the name",
        "docs/plus+sign.txt": b"plus",
        "unicode/日本語 é.txt": "テキスト".encode(),
        "empty.bin": b"",
        "big/twelve.bin": b"".join(hashlib.sha256(b"%d" % i).digest() * (MIB // 32)
                                   for i in range(12)),
    }
    for rel, data in files.items():
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
    return files


def read_tree(root):
    found = {}
    for dirpath, _dirs, names in os.walk(root):
        for name in names:
            path = os.path.join(dirpath, name)
            with open(path, "rb") as f:
                found[os.path.relpath(path, root)] = f.read()
    return found


def run(store, *args):
    res = subprocess.run(list(args), env=store.tool_env(), capture_output=True, text=True,
                         timeout=300)
    if res.returncode != 0:
        raise AssertionError("%s failed (%d): %s %s"
                             % (" ".join(args), res.returncode, res.stdout[-2000:],
                                res.stderr[-2000:]))
    return res.stdout


def check_rclone(store, work):
    conf = os.path.join(work, "rclone.conf")
    with open(conf, "w") as f:
        f.write("[onehop]\ntype = s3\nprovider = Other\naccess_key_id = %s\n"
                "secret_access_key = %s\nendpoint = %s\nregion = %s\nforce_path_style = true\n"
                % (store.access_key, store.secret_key, store.endpoint, store.region))
    rclone = ["rclone", "--config", conf, "--s3-upload-cutoff", "5M", "--s3-chunk-size", "5M",
              "--retries", "1", "--low-level-retries", "1"]
    up = os.path.join(work, "rclone-up")
    files = write_tree(up)
    run(store, *rclone, "mkdir", "onehop:rclone-bucket")
    run(store, *rclone, "copy", up, "onehop:rclone-bucket/tree")
    listed = set(run(store, *rclone, "lsf", "-R", "--files-only",
                     "onehop:rclone-bucket/tree").split("\n")) - {""}
    assert listed == set(files), (listed, set(files))
    # rclone check compares sizes and MD5s (the ETag of single-part objects; multipart ones
    # carry rclone's own md5 metadata).
    run(store, *rclone, "check", up, "onehop:rclone-bucket/tree")
    down = os.path.join(work, "rclone-down")
    run(store, *rclone, "copy", "onehop:rclone-bucket/tree", down)
    assert read_tree(down) == files
    run(store, *rclone, "purge", "onehop:rclone-bucket")
    buckets = run(store, *rclone, "lsd", "onehop:")
    assert "rclone-bucket" not in buckets, buckets


def check_s3cmd(store, work):
    cfg = os.path.join(work, "s3cfg")
    host = "127.0.0.1:%d" % store.port
    with open(cfg, "w") as f:
        f.write("[default]\naccess_key = %s\nsecret_key = %s\nhost_base = %s\nhost_bucket = %s\n"
                "use_https = False\nsignature_v2 = False\nbucket_location = %s\n"
                "check_ssl_certificate = False\n"
                % (store.access_key, store.secret_key, host, host, store.region))
    s3cmd = ["s3cmd", "-c", cfg, "--multipart-chunk-size-mb=5", "--no-progress"]
    up = os.path.join(work, "s3cmd-up")
    files = write_tree(up)
    run(store, *s3cmd, "mb", "s3://s3cmd-bucket")
    run(store, *s3cmd, "sync", up + "/", "s3://s3cmd-bucket/tree/")
    listing = run(store, *s3cmd, "ls", "-r", "s3://s3cmd-bucket/tree/")
    for rel in files:
        assert "s3://s3cmd-bucket/tree/" + rel in listing, (rel, listing)
    down = os.path.join(work, "s3cmd-down")
    os.makedirs(down)
    run(store, *s3cmd, "sync", "s3://s3cmd-bucket/tree/", down + "/")
    assert read_tree(down) == files
    info = run(store, *s3cmd, "info", "s3://s3cmd-bucket/tree/big/twelve.bin")
    assert "12582912" in info, info
    run(store, *s3cmd, "del", "-r", "--force", "s3://s3cmd-bucket/tree/")
    assert run(store, *s3cmd, "ls", "-r", "s3://s3cmd-bucket/").strip() == ""
    run(store, *s3cmd, "rb", "s3://s3cmd-bucket")


def main():
    require_tool("rclone")
    require_tool("s3cmd")
    with Store() as store:
        work = os.path.join(store.tmp, "work")
        os.makedirs(work)
        run_checks([check_rclone, check_s3cmd], store, work)


if __name__ == "__main__":
    main()
