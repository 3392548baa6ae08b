"""boto3 (and raw HTTP) against a real `onehop store` on 127.0.0.1 with a free port.

Starts the binary from ONEHOP_BIN with a temporary data folder, runs the S3 operations the
store implements through botocore's own signer, and stops the process with SIGTERM at the end
(which must exit 0 after a graceful stop).
"""

import hashlib
import http.client
import os
import re
import signal
import subprocess
import sys
import tempfile
import traceback
import urllib.error
import urllib.request

os.environ.setdefault("BOTO_DISABLE_CRT", "true")

import boto3  # noqa: E402
import botocore  # noqa: E402
from botocore.config import Config  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402

ACCESS = "AKIDONEHOPTEST"
SECRET = "onehop-test-secret-key"


def start_store(data_dir):
    binary = os.environ["ONEHOP_BIN"]
    proc = subprocess.Popen(
        [binary, "store", "--listen", "127.0.0.1:0", "--data", data_dir, "--bucket", "pre",
         "--access-key", ACCESS, "--secret-key", SECRET, "--threads", "2"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    match = re.search(r"listening on http://127\.0\.0\.1:(\d+)", line)
    if not match:
        proc.kill()
        raise RuntimeError("store did not start: %r %r" % (line, proc.stderr.read()))
    return proc, int(match.group(1))


def client(port, secret=SECRET, **config):
    return boto3.client(
        "s3", endpoint_url="http://127.0.0.1:%d" % port, region_name="us-east-1",
        aws_access_key_id=ACCESS, aws_secret_access_key=secret,
        config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1},
                      signature_version="s3v4", **config))


def error_code(call):
    try:
        call()
    except ClientError as e:
        return e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"]
    raise AssertionError("expected an error")


def raw(port, method, path, headers=None, body=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request(method, path, body=body, headers=headers or {})
    res = conn.getresponse()
    data = res.read()
    conn.close()
    return res.status, dict((k.lower(), v) for k, v in res.getheaders()), data


def check_buckets(s3, port):
    s3.create_bucket(Bucket="photos")
    assert {"pre", "photos"} <= {b["Name"] for b in s3.list_buckets()["Buckets"]}
    s3.head_bucket(Bucket="photos")
    assert s3.get_bucket_location(Bucket="photos").get("LocationConstraint") in (None, "")
    assert error_code(lambda: s3.head_bucket(Bucket="missing"))[1] == 404
    assert error_code(lambda: s3.create_bucket(Bucket="photos"))[0] == "BucketAlreadyOwnedByYou"
    assert error_code(lambda: s3.list_objects_v2(Bucket="missing"))[0] == "NoSuchBucket"


def check_objects(s3, port):
    body = b"hello onehop" * 1000
    put = s3.put_object(Bucket="photos", Key="a/b.txt", Body=body, ContentType="text/plain",
                        ContentDisposition='attachment; filename="b.txt"',
                        CacheControl="max-age=60", ContentLanguage="en",
                        Metadata={"owner": "alice", "Mixed-Case": "v"})
    assert put["ETag"] == '"%s"' % hashlib.md5(body).hexdigest(), put["ETag"]
    got = s3.get_object(Bucket="photos", Key="a/b.txt")
    assert got["Body"].read() == body
    assert got["ContentType"] == "text/plain"
    assert got["ContentDisposition"] == 'attachment; filename="b.txt"'
    assert got["CacheControl"] == "max-age=60"
    assert got["ContentLanguage"] == "en"
    assert got["Metadata"] == {"owner": "alice", "mixed-case": "v"}, got["Metadata"]
    headers = got["ResponseMetadata"]["HTTPHeaders"]
    assert headers["x-content-type-options"] == "nosniff"
    assert "x-amz-request-id" in headers
    head = s3.head_object(Bucket="photos", Key="a/b.txt")
    assert head["ContentLength"] == len(body) and head["ETag"] == put["ETag"]

    # Ranges.
    part = s3.get_object(Bucket="photos", Key="a/b.txt", Range="bytes=6-11")
    assert part["Body"].read() == b"onehop" and part["ContentRange"] == "bytes 6-11/%d" % len(body)
    assert s3.get_object(Bucket="photos", Key="a/b.txt", Range="bytes=-3")["Body"].read() == b"hop"
    assert s3.get_object(Bucket="photos", Key="a/b.txt",
                         Range="bytes=11990-")["Body"].read() == body[11990:]
    assert error_code(lambda: s3.get_object(Bucket="photos", Key="a/b.txt",
                                            Range="bytes=99999-"))[0] == "InvalidRange"

    # Conditionals.
    assert error_code(lambda: s3.get_object(Bucket="photos", Key="a/b.txt",
                                            IfNoneMatch=put["ETag"]))[1] == 304
    assert error_code(lambda: s3.get_object(Bucket="photos", Key="a/b.txt",
                                            IfMatch='"00000000000000000000000000000000"'))[0] \
        == "PreconditionFailed"
    # If-None-Match: * on PUT (older botocore has no parameter for it: add the header, signed).
    def if_none_match(request, **kwargs):
        request.headers["If-None-Match"] = "*"
    s3.meta.events.register_first("before-sign.s3.PutObject", if_none_match)
    try:
        assert error_code(lambda: s3.put_object(Bucket="photos", Key="a/b.txt", Body=b"x"))[0] \
            == "PreconditionFailed"
        s3.put_object(Bucket="photos", Key="fresh", Body=b"x")
    finally:
        s3.meta.events.unregister("before-sign.s3.PutObject", if_none_match)
    assert s3.get_object(Bucket="photos", Key="a/b.txt")["Body"].read() == body

    # response-* overrides on a signed request.
    over = s3.get_object(Bucket="photos", Key="a/b.txt", ResponseContentType="image/png",
                         ResponseContentDisposition="inline")
    assert over["ContentType"] == "image/png" and over["ContentDisposition"] == "inline"

    # Checksums, verified and returned.
    s3.put_object(Bucket="photos", Key="sum", Body=b"123456789", ChecksumAlgorithm="SHA256")
    sums = s3.get_object(Bucket="photos", Key="sum", ChecksumMode="ENABLED")
    assert sums["ChecksumSHA256"] == "FeKw08M4keuw8e9gnsQZQgwg4yDOlMZfvIwzEkSOsiU=", sums
    crc = s3.put_object(Bucket="photos", Key="crc", Body=b"123456789", ChecksumAlgorithm="CRC32")
    assert crc["ChecksumCRC32"] == "y/Q5Jg==", crc

    # A wrong Content-MD5 stores nothing.
    assert error_code(lambda: s3.put_object(Bucket="photos", Key="bad-md5", Body=b"data",
                                            ContentMD5="AAAAAAAAAAAAAAAAAAAAAA=="))[0] \
        == "BadDigest"
    assert error_code(lambda: s3.head_object(Bucket="photos", Key="bad-md5"))[1] == 404

    # Keys that must never be paths.
    for key in ["../escape", "//double//slash", "/leading", "trailing/", "100% + sure é", "a/./b"]:
        s3.put_object(Bucket="photos", Key=key, Body=key.encode())
        assert s3.get_object(Bucket="photos", Key=key)["Body"].read() == key.encode(), key
    assert not os.path.exists(os.path.join(os.path.dirname(DATA_DIR), "escape"))

    assert error_code(lambda: s3.get_object(Bucket="photos", Key="nope"))[0] == "NoSuchKey"
    s3.delete_object(Bucket="photos", Key="sum")
    assert error_code(lambda: s3.head_object(Bucket="photos", Key="sum"))[1] == 404
    empty = s3.put_object(Bucket="photos", Key="empty", Body=b"")
    assert s3.get_object(Bucket="photos", Key="empty")["Body"].read() == b""
    assert empty["ETag"] == '"d41d8cd98f00b204e9800998ecf8427e"'


def check_listing(s3, port):
    for i in range(7):
        s3.put_object(Bucket="pre", Key="dir/file%d" % i, Body=b"x")
    s3.put_object(Bucket="pre", Key="dir/sub/deep", Body=b"x")
    s3.put_object(Bucket="pre", Key="top", Body=b"x")
    page = s3.list_objects_v2(Bucket="pre", Prefix="dir/", Delimiter="/")
    assert [c["Prefix"] for c in page["CommonPrefixes"]] == ["dir/sub/"]
    assert len(page["Contents"]) == 7
    keys = []
    kwargs = {"Bucket": "pre", "MaxKeys": 3}
    while True:
        page = s3.list_objects_v2(**kwargs)
        keys += [o["Key"] for o in page.get("Contents", [])]
        if not page["IsTruncated"]:
            break
        kwargs["ContinuationToken"] = page["NextContinuationToken"]
    assert keys == sorted(keys) and len(keys) == 9, keys
    assert [o["Key"] for o in s3.list_objects_v2(Bucket="pre", StartAfter="dir/sub/deep")
            ["Contents"]] == ["top"]
    paginator = s3.get_paginator("list_objects")
    assert sum(len(p.get("Contents", [])) for p in paginator.paginate(
        Bucket="pre", PaginationConfig={"PageSize": 4})) == 9
    deleted = s3.delete_objects(Bucket="pre", Delete={
        "Objects": [{"Key": "dir/file%d" % i} for i in range(7)] + [{"Key": "missing"}]})
    assert len(deleted["Deleted"]) == 8, deleted
    assert [o["Key"] for o in s3.list_objects_v2(Bucket="pre")["Contents"]] == \
        ["dir/sub/deep", "top"]
    assert error_code(lambda: s3.delete_bucket(Bucket="pre"))[0] == "BucketNotEmpty"
    s3.delete_objects(Bucket="pre", Delete={"Objects": [{"Key": "dir/sub/deep"}, {"Key": "top"}]})
    s3.delete_bucket(Bucket="pre")
    assert error_code(lambda: s3.head_bucket(Bucket="pre"))[1] == 404


def check_multipart(s3, port):
    part1 = os.urandom(5 * 1024 * 1024)
    part2 = os.urandom(1234)
    up = s3.create_multipart_upload(Bucket="photos", Key="big.bin", ContentType="image/png")
    uid = up["UploadId"]
    e1 = s3.upload_part(Bucket="photos", Key="big.bin", UploadId=uid, PartNumber=1,
                        Body=part1)["ETag"]
    e2 = s3.upload_part(Bucket="photos", Key="big.bin", UploadId=uid, PartNumber=2,
                        Body=part2)["ETag"]
    parts = s3.list_parts(Bucket="photos", Key="big.bin", UploadId=uid)["Parts"]
    assert [(p["PartNumber"], p["Size"]) for p in parts] == [(1, len(part1)), (2, len(part2))]
    uploads = s3.list_multipart_uploads(Bucket="photos")["Uploads"]
    assert [u["UploadId"] for u in uploads] == [uid]
    assert error_code(lambda: s3.complete_multipart_upload(
        Bucket="photos", Key="big.bin", UploadId=uid,
        MultipartUpload={"Parts": [{"PartNumber": 2, "ETag": e2},
                                   {"PartNumber": 1, "ETag": e1}]}))[0] == "InvalidPartOrder"
    done = s3.complete_multipart_upload(
        Bucket="photos", Key="big.bin", UploadId=uid,
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": e1}, {"PartNumber": 2, "ETag": e2}]})
    md5s = b"".join(hashlib.md5(p).digest() for p in (part1, part2))
    assert done["ETag"] == '"%s-2"' % hashlib.md5(md5s).hexdigest(), done
    got = s3.get_object(Bucket="photos", Key="big.bin")
    assert got["Body"].read() == part1 + part2 and got["ContentType"] == "image/png"

    other = s3.create_multipart_upload(Bucket="photos", Key="aborted")["UploadId"]
    s3.abort_multipart_upload(Bucket="photos", Key="aborted", UploadId=other)
    assert error_code(lambda: s3.list_parts(Bucket="photos", Key="aborted",
                                            UploadId=other))[0] == "NoSuchUpload"

    # boto3's managed transfer: 20 MiB in 8 MiB parts, streamed.
    blob = os.urandom(20 * 1024 * 1024)
    path = os.path.join(os.path.dirname(DATA_DIR), "blob")
    with open(path, "wb") as f:
        f.write(blob)
    s3.upload_file(path, "photos", "managed.bin")
    out = path + ".out"
    s3.download_file("photos", "managed.bin", out)
    with open(out, "rb") as f:
        assert f.read() == blob


def check_auth(s3, port):
    bad = client(port, secret="wrong-secret")
    try:
        bad.list_buckets()
        raise AssertionError("a wrong secret was accepted")
    except ClientError as e:
        assert e.response["Error"]["Code"] == "SignatureDoesNotMatch"
        assert e.response["Error"]["StringToSign"].startswith("AWS4-HMAC-SHA256\n"), e.response
        assert "CanonicalRequest" in e.response["Error"]
    status, _, data = raw(port, "GET", "/photos/a/b.txt")
    assert status == 403 and b"<Code>AccessDenied</Code>" in data, (status, data)
    status, _, data = raw(port, "PUT", "/photos/anon", body=b"x")
    assert status == 403, (status, data)

    url = s3.generate_presigned_url("get_object", Params={"Bucket": "photos", "Key": "a/b.txt"},
                                    ExpiresIn=300)
    with urllib.request.urlopen(url) as res:
        assert res.read().startswith(b"hello onehop")
    tampered = url.replace("a/b.txt", "a/c.txt")
    try:
        urllib.request.urlopen(tampered)
        raise AssertionError("tampered URL accepted")
    except urllib.error.HTTPError as e:
        assert e.code == 403 and b"SignatureDoesNotMatch" in e.read()

    put_url = s3.generate_presigned_url(
        "put_object", Params={"Bucket": "photos", "Key": "presigned.txt",
                              "ContentType": "text/plain"}, ExpiresIn=300)
    req = urllib.request.Request(put_url, data=b"via url", method="PUT",
                                 headers={"Content-Type": "text/plain"})
    with urllib.request.urlopen(req) as res:
        assert res.status == 200
    assert s3.get_object(Bucket="photos", Key="presigned.txt")["Body"].read() == b"via url"
    req = urllib.request.Request(put_url, data=b"via url", method="PUT",
                                 headers={"Content-Type": "text/html"})
    try:
        urllib.request.urlopen(req)
        raise AssertionError("a different Content-Type was accepted")
    except urllib.error.HTTPError as e:
        assert e.code == 403

    status, _, data = raw(port, "GET", "/photos?acl", headers={})
    assert status in (403, 501), status


def check_cors(s3, port):
    s3.put_bucket_cors(Bucket="photos", CORSConfiguration={"CORSRules": [{
        "AllowedOrigins": ["http://app.test"], "AllowedMethods": ["PUT", "GET"],
        "AllowedHeaders": ["*"], "ExposeHeaders": ["ETag"], "MaxAgeSeconds": 600}]})
    rules = s3.get_bucket_cors(Bucket="photos")["CORSRules"]
    assert rules[0]["AllowedOrigins"] == ["http://app.test"]
    status, headers, _ = raw(port, "OPTIONS", "/photos/upload.png", headers={
        "Origin": "http://app.test", "Access-Control-Request-Method": "PUT",
        "Access-Control-Request-Headers": "content-type"})
    assert status == 200 and headers["access-control-allow-origin"] == "http://app.test", headers
    status, _, _ = raw(port, "OPTIONS", "/photos/upload.png", headers={
        "Origin": "http://evil.test", "Access-Control-Request-Method": "PUT"})
    assert status == 403
    s3.delete_bucket_cors(Bucket="photos")
    assert error_code(lambda: s3.get_bucket_cors(Bucket="photos"))[0] == \
        "NoSuchCORSConfiguration"


def multipart_form(fields, filename, content):
    boundary = "----onehopboundary7MA4YWxkTrZu0gW"
    out = b""
    for name, value in fields.items():
        out += ("--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n%s\r\n"
                % (boundary, name, value)).encode()
    out += ("--%s\r\nContent-Disposition: form-data; name=\"file\"; filename=\"%s\"\r\n"
            "Content-Type: image/png\r\n\r\n" % (boundary, filename)).encode()
    out += content + ("\r\n--%s--\r\n" % boundary).encode()
    return out, "multipart/form-data; boundary=" + boundary


def check_post_and_policy(s3, port):
    post = s3.generate_presigned_post(
        "photos", "uploads/${filename}", Fields={"success_action_status": "201"},
        Conditions=[{"success_action_status": "201"}, ["starts-with", "$key", "uploads/"],
                    ["content-length-range", 1, 1000]], ExpiresIn=300)
    body, ctype = multipart_form(post["fields"], "cat.png", b"\x89PNG fake image")
    status, headers, data = raw(port, "POST", "/photos", headers={"Content-Type": ctype}, body=body)
    assert status == 201 and b"<Key>uploads/cat.png</Key>" in data, (status, data)
    got = s3.get_object(Bucket="photos", Key="uploads/cat.png")
    assert got["Body"].read() == b"\x89PNG fake image" and got["ContentType"] == "image/png"
    # Too large for the policy's content-length-range: nothing stored.
    body, ctype = multipart_form(post["fields"], "big.png", b"x" * 1001)
    status, _, data = raw(port, "POST", "/photos", headers={"Content-Type": ctype}, body=body)
    assert status == 400 and b"EntityTooLarge" in data, (status, data)
    assert error_code(lambda: s3.head_object(Bucket="photos", Key="uploads/big.png"))[1] == 404
    # A field the policy does not cover is refused.
    fields = dict(post["fields"], extra="x")
    body, ctype = multipart_form(fields, "cat2.png", b"data")
    status, _, data = raw(port, "POST", "/photos", headers={"Content-Type": ctype}, body=body)
    assert status == 403, (status, data)

    # Public read of a prefix through the bucket policy.
    s3.put_object(Bucket="photos", Key="public/p.txt", Body=b"public")
    s3.put_object(Bucket="photos", Key="private/p.txt", Body=b"private")
    assert raw(port, "GET", "/photos/public/p.txt")[0] == 403
    policy = ('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*",'
              '"Action":"s3:GetObject","Resource":"arn:aws:s3:::photos/public/*"}]}')
    s3.put_bucket_policy(Bucket="photos", Policy=policy)
    assert s3.get_bucket_policy(Bucket="photos")["Policy"] == policy
    status, headers, data = raw(port, "GET", "/photos/public/p.txt")
    assert status == 200 and data == b"public", (status, data)
    assert headers["x-content-type-options"] == "nosniff"
    # response-* overrides are ignored on anonymous requests, as S3 does.
    status, headers, _ = raw(port, "GET", "/photos/public/p.txt?response-content-type=text/html")
    assert status == 200 and headers["content-type"] != "text/html", headers
    assert raw(port, "HEAD", "/photos/public/p.txt")[0] == 200
    assert raw(port, "GET", "/photos/private/p.txt")[0] == 403
    assert raw(port, "PUT", "/photos/public/new", body=b"x")[0] == 403
    s3.delete_bucket_policy(Bucket="photos")
    assert raw(port, "GET", "/photos/public/p.txt")[0] == 403


DATA_DIR = None


def main():
    global DATA_DIR
    with tempfile.TemporaryDirectory(prefix="onehop-store-") as tmp:
        DATA_DIR = os.path.join(tmp, "data")
        proc, port = start_store(DATA_DIR)
        failed = False
        try:
            s3 = client(port)
            for check in (check_buckets, check_objects, check_listing, check_multipart,
                          check_auth, check_cors, check_post_and_policy):
                try:
                    check(s3, port)
                    print("ok   %s" % check.__name__)
                except Exception:  # report every check, then fail
                    failed = True
                    print("FAIL %s" % check.__name__)
                    traceback.print_exc()
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                code = proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                code = "timeout"
            err = proc.stderr.read()
            if code != 0:
                print("store exited with %s; stderr:\n%s" % (code, err))
                failed = True
        print("botocore", botocore.__version__)
        return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
