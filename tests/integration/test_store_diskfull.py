"""`onehop store` on a full disk: an 8 MiB tmpfs holds the data folder.

  * PUTs of 512 KiB until one fails: it must be HTTP 507 with an S3 XML error
    (Code InsufficientStorage), and the failed key is neither listed nor readable, tmp/ holds
    no leftover, and every earlier object reads back intact;
  * the same through boto3 with a small object (the whole body is sent before the answer);
  * an UploadPart that cannot fit gets 507 and leaves no part behind;
  * a single PUT larger than the whole disk, after room was made, gets 507 and leaves the free
    space as it was (no temp file);
  * after deleting objects PUTs succeed again, and everything survives a restart.

Needs root for `mount -t tmpfs`; fails with a clear message when the mount is refused.
"""

import hashlib
import os
import random
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

os.environ.setdefault("BOTO_DISABLE_CRT", "true")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from botocore.exceptions import ClientError  # noqa: E402

from store_harness import run_checks  # noqa: E402
from store_robust import StoreProcess, request, stream_put  # noqa: E402

BUCKET = "full"
DISK_BYTES = 8 << 20
OBJECT_BYTES = 512 << 10
CHUNK = 64 << 10
SEED = 507


def chunks_of(data):
    return [data[i:i + CHUNK] for i in range(0, len(data), CHUNK)] or [b""]


def error_code(body):
    root = ET.fromstring(body)
    assert root.tag == "Error", "not an S3 error document: %r" % body[:300]
    return root.findtext("Code")


def free_bytes(path):
    st = os.statvfs(path)
    return st.f_bavail * st.f_frsize


class DiskFull:
    def __init__(self, store, mount):
        self.store = store
        self.mount = mount
        self.s3 = store.boto3_client()
        self.rng = random.Random(SEED)
        self.objects = {}  # key -> md5 hex of the bytes PUT with a 200

    def put(self, key, size):
        body = self.rng.randbytes(size)
        res, md5, _sent = stream_put(self.store.port, "/%s/%s" % (BUCKET, key), size,
                                     chunks_of(body))
        if res.status == 200:
            assert res.header("etag").strip('"') == md5, res.headers
            self.objects[key] = md5
        return res

    def fill(self, prefix, limit=64):
        """PUTs until the first failure, which it returns with the number of successes."""
        for i in range(limit):
            res = self.put("%s/%03d" % (prefix, i), OBJECT_BYTES)
            if res.status != 200:
                return res, i
        raise AssertionError("%d PUTs of %d bytes fit on an %d-byte disk"
                             % (limit, OBJECT_BYTES, DISK_BYTES))

    def expect_507(self, res, what):
        assert res.status == 507, "%s: HTTP %d %r" % (what, res.status, res.body[:300])
        assert res.header("content-type") in ("application/xml", "text/xml"), res.headers
        code = error_code(res.body)
        assert code == "InsufficientStorage", "%s: error code %s" % (what, code)

    def listed(self):
        keys = {}
        token = None
        while True:
            args = {"Bucket": BUCKET}
            if token:
                args["ContinuationToken"] = token
            page = self.s3.list_objects_v2(**args)
            for item in page.get("Contents", []):
                keys[item["Key"]] = item["ETag"].strip('"')
            if not page.get("IsTruncated"):
                return keys
            token = page["NextContinuationToken"]

    def absent(self, key):
        try:
            self.s3.head_object(Bucket=BUCKET, Key=key)
        except ClientError as e:
            return e.response["ResponseMetadata"]["HTTPStatusCode"] == 404
        return False

    def check_consistent(self, label):
        listed = self.listed()
        assert listed == self.objects, "%s: listing %s != acknowledged PUTs %s" % (
            label, sorted(listed), sorted(self.objects))
        for key, md5 in self.objects.items():
            body = self.s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()
            assert hashlib.md5(body).hexdigest() == md5, "%s: %s corrupted" % (label, key)
        leftovers = os.listdir(os.path.join(self.store.data_dir, "tmp"))
        assert leftovers == [], "%s: temp files left: %s" % (label, leftovers)

    def delete(self, keys):
        for key in keys:
            self.s3.delete_object(Bucket=BUCKET, Key=key)
            del self.objects[key]


def run(store, mount):
    d = DiskFull(store, mount)

    # 1. Fill the disk with raw streamed PUTs.
    res, fitted = d.fill("a")
    d.expect_507(res, "PUT number %d" % (fitted + 1))
    assert fitted >= 4, "only %d objects of %d bytes fit on %d bytes" % (
        fitted, OBJECT_BYTES, DISK_BYTES)
    failed_key = "a/%03d" % fitted
    assert d.absent(failed_key), "the failed PUT left a visible object"
    d.check_consistent("after the first 507")
    print("%d objects of %d KiB fit, then 507; %d bytes free" % (
        fitted, OBJECT_BYTES >> 10, free_bytes(mount)), flush=True)

    # 2. boto3 sees the error as InsufficientStorage too (a body small enough to be sent
    # whole before the answer): fill the last crumbs first.
    small = 0
    while True:
        body = d.rng.randbytes(32 << 10)
        key = "small/%03d" % small
        try:
            d.s3.put_object(Bucket=BUCKET, Key=key, Body=body)
        except ClientError as e:
            assert e.response["ResponseMetadata"]["HTTPStatusCode"] == 507, e.response
            assert e.response["Error"]["Code"] == "InsufficientStorage", e.response
            assert d.absent(key)
            break
        d.objects[key] = hashlib.md5(body).hexdigest()
        small += 1
        assert small < 300, "32 KiB PUTs never filled the disk"
    d.check_consistent("after boto3's 507")

    # 3. A multipart part that does not fit.
    upload = d.s3.create_multipart_upload(Bucket=BUCKET, Key="mp")["UploadId"]
    part = d.rng.randbytes(1 << 20)
    res, _md5, _sent = stream_put(
        store.port, "/%s/mp?partNumber=1&uploadId=%s" % (BUCKET, upload), len(part),
        chunks_of(part))
    d.expect_507(res, "UploadPart on a full disk")
    parts = d.s3.list_parts(Bucket=BUCKET, Key="mp", UploadId=upload).get("Parts", [])
    assert parts == [], "a failed part is listed: %r" % parts
    d.s3.abort_multipart_upload(Bucket=BUCKET, Key="mp", UploadId=upload)
    d.check_consistent("after the failed part")

    # 4. Make room: PUTs work again.
    d.delete(sorted(d.objects)[:6])
    res = d.put("again/0", OBJECT_BYTES)
    assert res.status == 200, "PUT after deleting objects: %r" % res
    d.check_consistent("after making room")

    # 5. One PUT bigger than the disk: 507, and the space it took is given back.
    before = free_bytes(mount)
    res = d.put("huge", DISK_BYTES + (1 << 20))
    d.expect_507(res, "PUT larger than the disk")
    assert d.absent("huge")
    after = free_bytes(mount)
    assert after >= before - (64 << 10), "free space fell from %d to %d after a failed PUT" % (
        before, after)
    d.check_consistent("after the huge PUT")
    res = d.put("again/1", OBJECT_BYTES)
    assert res.status == 200, "PUT after the failed huge PUT: %r" % res

    # 6. Everything acknowledged survives a restart; nothing failed appears.
    store.stop()
    store.start()
    d.s3 = store.boto3_client()
    d.check_consistent("after restart")
    res = request(store.port, "DELETE", "/%s/again/1" % BUCKET)
    assert res.status == 204, res
    del d.objects["again/1"]
    d.check_consistent("after a delete on the restarted store")


def check_disk_full():
    binary = os.environ.get("ONEHOP_BIN")
    tmp = tempfile.mkdtemp(prefix="onehop-diskfull-")
    mount = os.path.join(tmp, "disk")
    os.mkdir(mount)
    mounted = False
    store = None
    try:
        proc = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%d" % DISK_BYTES, "tmpfs",
                               mount], capture_output=True, text=True)
        assert proc.returncode == 0, (
            "cannot mount an %d-byte tmpfs (this test needs root): %s"
            % (DISK_BYTES, proc.stderr.strip()))
        mounted = True
        store = StoreProcess(binary, os.path.join(mount, "data"),
                             os.path.join(tmp, "store.log"), buckets=[BUCKET])
        store.start()
        try:
            run(store, mount)
            store.stop()
        except BaseException:
            print("store log tail:\n" + store.log_tail(), flush=True)
            raise
    finally:
        if store is not None and store.running():
            store.kill()
        if mounted:
            subprocess.run(["umount", mount], check=False)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    run_checks([check_disk_full])
