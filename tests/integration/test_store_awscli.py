"""The aws CLI against a real `onehop store`, configured only through the environment
(AWS_ENDPOINT_URL, credentials, region): `s3 mb/cp/ls/sync/rm/rb`, a 64 MiB multipart `s3 cp`
both ways, and `s3api` for CORS, bucket policy and head-object. The CLI's botocore is newer than
Debian's and sends its default flexible checksums (aws-chunked bodies with a CRC trailer), so this
also covers the store's streaming-trailer path as a real client drives it.
"""

import hashlib
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from store_harness import Store, require_tool, run_checks  # noqa: E402

MIB = 1024 * 1024


def aws(store, *args, check=True):
    res = subprocess.run(["aws", *args], env=store.tool_env(), capture_output=True, text=True,
                         timeout=300)
    if check and res.returncode != 0:
        raise AssertionError("aws %s failed (%d): %s %s"
                             % (" ".join(args), res.returncode, res.stdout, res.stderr))
    return res


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(MIB), b""):
            h.update(block)
    return h.hexdigest()


def write_tree(root):
    files = {
        "index.html": b"<h1>hi</h1>",
        "img/cat.jpg": b"\xff\xd8\xff" + os.urandom(3000),
        "img/deep/dog.png": b"\x89PNG" + os.urandom(100),
        "docs/read me.txt": b"spaces in the name",
        "docs/plus+sign.txt": b"plus",
        "unicode/日本語.txt": "テキスト".encode(),
        "empty.bin": b"",
    }
    for rel, data in files.items():
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
    return files


def check_mb_cp_ls_rm(store, work):
    aws(store, "s3", "mb", "s3://cli-bucket")
    listed = aws(store, "s3", "ls").stdout
    assert "cli-bucket" in listed, listed
    src = os.path.join(work, "one.txt")
    with open(src, "wb") as f:
        f.write(b"hello from the aws cli\n")
    aws(store, "s3", "cp", src, "s3://cli-bucket/dir/one.txt", "--content-type", "text/plain")
    out = aws(store, "s3", "ls", "s3://cli-bucket/dir/").stdout
    assert "one.txt" in out and " 23 " in out, out
    dst = os.path.join(work, "one.copy")
    aws(store, "s3", "cp", "s3://cli-bucket/dir/one.txt", dst)
    with open(dst, "rb") as f:
        assert f.read() == b"hello from the aws cli\n"
    head = json.loads(aws(store, "s3api", "head-object", "--bucket", "cli-bucket", "--key",
                          "dir/one.txt").stdout)
    assert head["ContentLength"] == 23 and head["ContentType"] == "text/plain", head
    aws(store, "s3", "rm", "s3://cli-bucket/dir/one.txt")
    missing = aws(store, "s3api", "head-object", "--bucket", "cli-bucket", "--key", "dir/one.txt",
                  check=False)
    assert missing.returncode != 0 and "404" in missing.stderr, missing.stderr


def check_sync_tree_up_and_down(store, work):
    up = os.path.join(work, "tree-up")
    files = write_tree(up)
    aws(store, "s3", "sync", up, "s3://cli-bucket/tree/")
    out = aws(store, "s3", "ls", "--recursive", "s3://cli-bucket/tree/").stdout
    for rel in files:
        assert "tree/" + rel in out, (rel, out)
    down = os.path.join(work, "tree-down")
    aws(store, "s3", "sync", "s3://cli-bucket/tree/", down)
    for rel, data in files.items():
        with open(os.path.join(down, rel), "rb") as f:
            assert f.read() == data, rel
    aws(store, "s3", "rm", "--recursive", "s3://cli-bucket/tree/")
    assert aws(store, "s3", "ls", "--recursive", "s3://cli-bucket/tree/",
               check=False).stdout.strip() == ""


def check_multipart_cp_64mib(store, work):
    big = os.path.join(work, "big.bin")
    with open(big, "wb") as f:
        for i in range(64):
            f.write(hashlib.sha256(b"%d" % i).digest() * (MIB // 32))
    aws(store, "s3", "cp", big, "s3://cli-bucket/big/64mib.bin")
    head = json.loads(aws(store, "s3api", "head-object", "--bucket", "cli-bucket", "--key",
                          "big/64mib.bin").stdout)
    assert head["ContentLength"] == 64 * MIB, head
    assert head["ETag"].endswith('-8"'), head["ETag"]  # 8 MiB parts, the CLI's default
    back = os.path.join(work, "big.back")
    aws(store, "s3", "cp", "s3://cli-bucket/big/64mib.bin", back)
    assert sha256_file(back) == sha256_file(big)
    uploads = json.loads(aws(store, "s3api", "list-multipart-uploads", "--bucket",
                             "cli-bucket").stdout or "{}")
    assert not uploads.get("Uploads"), uploads


def check_s3api_cors(store, work):
    cors = {"CORSRules": [{"AllowedOrigins": ["http://localhost:5173"],
                           "AllowedMethods": ["GET", "PUT", "POST"],
                           "AllowedHeaders": ["*"], "ExposeHeaders": ["ETag"],
                           "MaxAgeSeconds": 3000}]}
    path = os.path.join(work, "cors.json")
    with open(path, "w") as f:
        json.dump(cors, f)
    aws(store, "s3api", "put-bucket-cors", "--bucket", "cli-bucket", "--cors-configuration",
        "file://" + path)
    got = json.loads(aws(store, "s3api", "get-bucket-cors", "--bucket", "cli-bucket").stdout)
    assert got["CORSRules"][0]["AllowedOrigins"] == ["http://localhost:5173"], got
    assert got["CORSRules"][0]["MaxAgeSeconds"] == 3000, got
    aws(store, "s3api", "delete-bucket-cors", "--bucket", "cli-bucket")
    missing = aws(store, "s3api", "get-bucket-cors", "--bucket", "cli-bucket", check=False)
    assert "NoSuchCORSConfiguration" in missing.stderr, missing.stderr


def check_s3api_bucket_policy(store, work):
    policy = {"Version": "2012-10-17", "Statement": [{
        "Sid": "PublicReadGetObject", "Effect": "Allow", "Principal": "*",
        "Action": "s3:GetObject", "Resource": "arn:aws:s3:::cli-bucket/public/*"}]}
    path = os.path.join(work, "policy.json")
    with open(path, "w") as f:
        json.dump(policy, f)
    aws(store, "s3api", "put-bucket-policy", "--bucket", "cli-bucket", "--policy",
        "file://" + path)
    got = json.loads(json.loads(aws(store, "s3api", "get-bucket-policy", "--bucket",
                                    "cli-bucket").stdout)["Policy"])
    assert got == policy, got
    src = os.path.join(work, "pub.txt")
    with open(src, "wb") as f:
        f.write(b"anyone may read")
    aws(store, "s3", "cp", src, "s3://cli-bucket/public/pub.txt")
    anon = aws(store, "s3", "cp", "--no-sign-request", "s3://cli-bucket/public/pub.txt", "-",
               check=False)
    assert anon.returncode == 0 and anon.stdout == "anyone may read", anon.stderr
    private = aws(store, "s3api", "head-object", "--no-sign-request", "--bucket", "cli-bucket",
                  "--key", "dir/none", check=False)
    assert private.returncode != 0, private.stdout


def check_rb(store, work):
    aws(store, "s3", "rb", "--force", "s3://cli-bucket")
    assert "cli-bucket" not in aws(store, "s3", "ls").stdout


def main():
    require_tool("aws")
    with Store() as store:
        work = os.path.join(store.tmp, "work")
        os.makedirs(work)
        run_checks([
            check_mb_cp_ls_rm,
            check_sync_tree_up_and_down,
            check_multipart_cp_64mib,
            check_s3api_cors,
            check_s3api_bucket_policy,
            check_rb,
        ], store, work)


if __name__ == "__main__":
    main()
