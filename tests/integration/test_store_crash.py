"""Crash safety of `onehop store`: SIGKILL it in the middle of concurrent writes, restart it on
the same data folder, and check that every object is a whole version that was written.

Each round (fixed seeds, so a failure replays the same schedule):
  * 16 boto3 clients run PUTs (0..8 MiB of random bytes, MD5 recorded), DeleteObject and
    multipart uploads (5 MiB + 1..3 MiB) against keys each thread owns and keys all threads
    share, so objects are overwritten both sequentially and concurrently;
  * at a random moment the store gets SIGKILL with requests in flight;
  * the store is restarted on the same folder and the test checks that
      - its tmp/ area was swept,
      - every key holds a version that could be the last one: the result of an operation that
        was in flight at the kill, or of an acknowledged one that no acknowledged operation
        started after it finished (prior rounds included): never partial, never lost,
      - GET bytes match the recorded MD5, size and ETag (MD5, or MD5 of the part MD5s + "-2"),
      - no key is visible that no write could have produced,
      - ListObjectsV2 lists exactly the keys GET finds, with the same sizes and ETags, and the
        objects folder holds exactly one file per listed key,
      - open multipart uploads are only ones that were created and not completed (or whose
        creation was unanswered at the kill), and they can be aborted.
The last round stops the store gracefully instead (exit 0) and checks the same things.
"""

import hashlib
import os
import random
import shutil
import sys
import tempfile
import threading
import time

os.environ.setdefault("BOTO_DISABLE_CRT", "true")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from botocore.exceptions import ClientError, EndpointConnectionError  # noqa: E402

from store_robust import StoreProcess  # noqa: E402

SEED = 20261128
KILL_ROUNDS = 4
THREADS = 16
OWNED_KEYS_PER_THREAD = 3
SHARED_KEYS = 6
MULTIPART_THREADS = 4
BUCKET = "crash"
MIB = 1 << 20
PART_SIZE = 5 * MIB  # the store's minimum for every part but the last
# Kill between these many seconds after the load starts.
KILL_WINDOW = (0.6, 2.5)
# A round's load stops after this many operations per thread, killed or not.
MAX_OPS_PER_THREAD = 200
# A request unanswered this long before the kill is a failure, not "in flight".
READ_TIMEOUT = 20


class Version:
    """One complete object content (never the bytes themselves, which may be 8 MiB)."""

    def __init__(self, md5, size, etag):
        self.md5 = md5
        self.size = size
        self.etag = etag

    def __repr__(self):
        return "Version(md5=%s, size=%d, etag=%s)" % (self.md5, self.size, self.etag)


ABSENT = "absent"


class Op:
    """One write to a key: its result (a Version or ABSENT) and when it ran. end is None while
    unacknowledged (in flight at the kill)."""

    def __init__(self, key, result, start):
        self.key = key
        self.result = result
        self.start = start
        self.end = None


def object_size(rng):
    pick = rng.random()
    if pick < 0.1:
        return 0
    if pick < 0.5:
        return rng.randint(1, 64 * 1024)
    if pick < 0.85:
        return rng.randint(64 * 1024, MIB)
    return rng.randint(MIB, 8 * MIB)


class Load:
    def __init__(self, store, round_no, keys_of_thread, shared_keys):
        self.store = store
        self.round_no = round_no
        self.keys_of_thread = keys_of_thread
        self.shared_keys = shared_keys
        self.lock = threading.Lock()
        self.ops = []
        self.errors = []
        self.uploads_created = set()
        self.uploads_completed = set()
        # Keys whose CreateMultipartUpload was sent but not answered: the store may have made
        # the upload durable just before the kill, so one unknown upload per entry is legal.
        self.creates_in_flight = []
        self.stopping = threading.Event()
        self.dropped = 0
        # The ops each thread's current call recorded.
        self.current = [[] for _ in range(THREADS)]
        self.local = threading.local()
        self.clients = [store.boto3_client(read_timeout=READ_TIMEOUT) for _ in range(THREADS)]
        # Empty bodies go through their own clients: see check_empty_put_then_put in
        # test_store_connections.py (botocore misreads the next response otherwise).
        self.empty_clients = [store.boto3_client(read_timeout=READ_TIMEOUT)
                              for _ in range(THREADS)]

    def record(self, op):
        with self.lock:
            self.ops.append(op)
        self.current[self.local.thread].append(op)

    def drop_last(self, t_ops_before):
        """Forgets ops recorded by a call that never reached the store (connection refused)."""
        with self.lock:
            for op in t_ops_before:
                if op in self.ops:
                    self.ops.remove(op)
                    self.dropped += 1

    def run_thread(self, t):
        rng = random.Random(SEED * 1000 + self.round_no * 100 + t)
        self.local.thread = t
        s3 = self.clients[t]
        for _ in range(MAX_OPS_PER_THREAD):
            if self.stopping.is_set():
                return
            key = rng.choice(self.keys_of_thread[t] if rng.random() < 0.7 else self.shared_keys)
            pick = rng.random()
            self.current[t] = []
            try:
                if pick < 0.1:
                    self.delete(s3, key)
                elif t < MULTIPART_THREADS and pick < 0.3:
                    self.multipart(s3, rng, key)
                else:
                    self.put(s3, rng, key)
            except EndpointConnectionError:
                # Refused: the store was already dead, nothing was sent.
                self.drop_last(self.current[t])
                if not self.stopping.is_set():
                    self.errors.append("thread %d: %s: connection refused before the kill"
                                       % (t, key))
                return
            except ClientError as e:
                self.errors.append("thread %d: %s: %s" % (t, key, e))
                return
            except Exception as e:  # noqa: BLE001 - connection reset / closed by the kill
                if not self.stopping.is_set():
                    self.errors.append("thread %d: %s: %r before the kill" % (t, key, e))
                return

    def put(self, s3, rng, key):
        body = rng.randbytes(object_size(rng))
        if not body:
            s3 = self.empty_clients[self.local.thread]
        md5 = hashlib.md5(body).hexdigest()
        op = Op(key, Version(md5, len(body), md5), time.monotonic())
        self.record(op)
        res = s3.put_object(Bucket=BUCKET, Key=key, Body=body)
        op.end = time.monotonic()
        if res["ETag"].strip('"') != md5:
            self.errors.append("PUT %s: ETag %s, sent MD5 %s" % (key, res["ETag"], md5))

    def delete(self, s3, key):
        op = Op(key, ABSENT, time.monotonic())
        self.record(op)
        s3.delete_object(Bucket=BUCKET, Key=key)
        op.end = time.monotonic()

    def multipart(self, s3, rng, key):
        first = rng.randbytes(PART_SIZE)
        second = rng.randbytes(rng.randint(1, 3 * MIB))
        with self.lock:
            self.creates_in_flight.append(key)
        upload = s3.create_multipart_upload(Bucket=BUCKET, Key=key)["UploadId"]
        with self.lock:
            self.creates_in_flight.remove(key)
            self.uploads_created.add(upload)
        etags = []
        for number, data in ((1, first), (2, second)):
            res = s3.upload_part(Bucket=BUCKET, Key=key, UploadId=upload, PartNumber=number,
                                 Body=data)
            etags.append(res["ETag"])
        part_md5s = [hashlib.md5(first).digest(), hashlib.md5(second).digest()]
        for got, want in zip(etags, part_md5s):
            if got.strip('"') != want.hex():
                self.errors.append("UploadPart %s: ETag %s, sent MD5 %s" % (key, got, want.hex()))
        whole = hashlib.md5(first + second).hexdigest()
        etag = hashlib.md5(b"".join(part_md5s)).hexdigest() + "-2"
        # The object changes only at Complete: a kill before it leaves no trace to expect.
        op = Op(key, Version(whole, len(first) + len(second), etag), time.monotonic())
        self.record(op)
        res = s3.complete_multipart_upload(
            Bucket=BUCKET, Key=key, UploadId=upload,
            MultipartUpload={"Parts": [{"PartNumber": n, "ETag": e}
                                       for n, e in zip((1, 2), etags)]})
        op.end = time.monotonic()
        with self.lock:
            self.uploads_completed.add(upload)
        if res["ETag"].strip('"') != etag:
            self.errors.append("Complete %s: ETag %s, expected %s" % (key, res["ETag"], etag))


def candidates(prior, ops):
    """Every state the key may legally be in: the prior state and each op's result, minus any
    superseded by an acknowledged op that started after it had finished."""
    acked_starts = [op.start for op in ops if op.end is not None]
    latest_acked_start = max(acked_starts) if acked_starts else None
    result = []
    if latest_acked_start is None:
        result.append(prior)
    for op in ops:
        if op.end is None or latest_acked_start is None or op.end >= latest_acked_start:
            result.append(op.result)
    return result


def same(state, version):
    if state is ABSENT or version is ABSENT:
        return state is version
    return (state.md5, state.size, state.etag) == (version.md5, version.size, version.etag)


def observe(s3, keys):
    """key -> Version or ABSENT, from GET of every key."""
    seen = {}
    for key in sorted(keys):
        try:
            res = s3.get_object(Bucket=BUCKET, Key=key)
        except ClientError as e:
            code = e.response["Error"]["Code"]
            assert code == "NoSuchKey", "GET %s: %s" % (key, code)
            seen[key] = ABSENT
            continue
        md5 = hashlib.md5()
        size = 0
        for chunk in res["Body"].iter_chunks(MIB):
            md5.update(chunk)
            size += len(chunk)
        assert size == res["ContentLength"], "GET %s: %d bytes of %d" % (
            key, size, res["ContentLength"])
        seen[key] = Version(md5.hexdigest(), size, res["ETag"].strip('"'))
    return seen


def list_all(s3):
    listed = {}
    token = None
    while True:
        args = {"Bucket": BUCKET, "MaxKeys": 50}
        if token:
            args["ContinuationToken"] = token
        page = s3.list_objects_v2(**args)
        for item in page.get("Contents", []):
            assert item["Key"] not in listed, "key listed twice: %s" % item["Key"]
            listed[item["Key"]] = (item["Size"], item["ETag"].strip('"'))
        if not page.get("IsTruncated"):
            return listed
        token = page["NextContinuationToken"]


def list_uploads(s3):
    uploads = []
    res = s3.list_multipart_uploads(Bucket=BUCKET, MaxUploads=1000)
    assert not res.get("IsTruncated"), "more than 1000 open uploads"
    for u in res.get("Uploads", []):
        uploads.append((u["Key"], u["UploadId"]))
    return uploads


def files_under(path):
    count = 0
    for _root, _dirs, files in os.walk(path):
        count += len(files)
    return count


def verify(store, s3, model, all_keys, load, label):
    """Checks the restarted store against the model; returns the new model."""
    tmp_entries = os.listdir(os.path.join(store.data_dir, "tmp"))
    assert tmp_entries == [], "%s: tmp/ not swept after restart: %s" % (label, tmp_entries[:10])

    ops_by_key = {}
    for op in (load.ops if load else []):
        ops_by_key.setdefault(op.key, []).append(op)
    seen = observe(s3, all_keys)
    new_model = {}
    problems = []
    for key in sorted(all_keys):
        allowed = candidates(model.get(key, ABSENT), ops_by_key.get(key, []))
        state = seen[key]
        if not any(same(state, a) for a in allowed):
            problems.append("%s: found %r, expected one of %r" % (key, state, allowed))
        if state is not ABSENT and state.md5 != state.etag and not state.etag.endswith("-2"):
            problems.append("%s: ETag %s is not the MD5 %s" % (key, state.etag, state.md5))
        new_model[key] = state
    assert not problems, "%s: %d keys in an impossible state:\n  %s" % (
        label, len(problems), "\n  ".join(problems))

    listed = list_all(s3)
    unknown = set(listed) - set(all_keys)
    assert not unknown, "%s: listing shows keys never written: %s" % (label, sorted(unknown))
    visible = {k: (v.size, v.etag) for k, v in seen.items() if v is not ABSENT}
    assert listed == visible, "%s: ListObjectsV2 %r disagrees with GET %r" % (
        label, listed, visible)
    on_disk = files_under(os.path.join(store.data_dir, "buckets", BUCKET, "objects"))
    assert on_disk == len(listed), "%s: %d object files on disk for %d listed keys" % (
        label, on_disk, len(listed))

    uploads = list_uploads(s3)
    created = load.uploads_created if load else set()
    completed = load.uploads_completed if load else set()
    unanswered_creates = list(load.creates_in_flight) if load else []
    for key, upload in uploads:
        if upload not in created and key in unanswered_creates:
            unanswered_creates.remove(key)
            continue
        assert upload in created, "%s: unknown upload %s for %s" % (label, upload, key)
        assert upload not in completed, "%s: completed upload %s still open" % (label, upload)
    for key, upload in uploads:
        s3.abort_multipart_upload(Bucket=BUCKET, Key=key, UploadId=upload)
    assert list_uploads(s3) == [], "%s: uploads left after abort" % label
    return new_model, len(uploads)


def check_crash_rounds():
    binary = os.environ.get("ONEHOP_BIN")
    tmp = tempfile.mkdtemp(prefix="onehop-crash-")
    data = os.path.join(tmp, "data")
    store = StoreProcess(binary, data, os.path.join(tmp, "store.log"), buckets=[BUCKET])
    keys_of_thread = [["t%02d/k%d" % (t, k) for k in range(OWNED_KEYS_PER_THREAD)]
                      for t in range(THREADS)]
    shared = ["shared/%d" % k for k in range(SHARED_KEYS)]
    # Keys S3 allows but a file layout must not take as paths.
    shared += ["../../escape", "a//b/", "/lead", "100%+x"]
    all_keys = [k for keys in keys_of_thread for k in keys] + shared
    model = {}
    schedule = random.Random(SEED)
    try:
        store.start()
        for round_no in range(KILL_ROUNDS + 1):
            graceful = round_no == KILL_ROUNDS
            load = Load(store, round_no, keys_of_thread, shared)
            threads = [threading.Thread(target=load.run_thread, args=(t,))
                       for t in range(THREADS)]
            started = time.monotonic()
            for th in threads:
                th.start()
            time.sleep(schedule.uniform(*KILL_WINDOW))
            load.stopping.set()
            elapsed = time.monotonic() - started
            if graceful:
                for th in threads:
                    th.join()
                store.stop()
            else:
                store.kill()
                for th in threads:
                    th.join()
            drained = time.monotonic() - started - elapsed
            assert not load.errors, "round %d: unexpected errors:\n  %s" % (
                round_no, "\n  ".join(load.errors[:20]))
            acked = sum(1 for op in load.ops if op.end is not None)
            in_flight = len(load.ops) - acked
            store.start()
            s3 = store.boto3_client()
            model, open_uploads = verify(store, s3, model, all_keys, load,
                                         "round %d" % round_no)
            present = sum(1 for v in model.values() if v is not ABSENT)
            print("round %d (%s after %.2fs, clients done %.2fs later): %d writes "
                  "acknowledged, %d in flight, %d keys present, %d open uploads aborted"
                  % (round_no, "SIGTERM" if graceful else "SIGKILL", elapsed, drained, acked,
                     in_flight, present, open_uploads), flush=True)
            assert acked > 0, "round %d: no write finished before the kill" % round_no
            if graceful:
                assert in_flight == 0, "graceful stop left %d writes unanswered" % in_flight
        store.stop()
    except BaseException:
        print("store log tail:\n" + store.log_tail(), flush=True)
        raise
    finally:
        if store.running():
            store.kill()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    from store_harness import run_checks
    run_checks([check_crash_rounds])
