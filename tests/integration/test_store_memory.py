"""The store's memory does not grow with object size or with concurrent large transfers.

The RELEASE binary ($ONEHOP_RELEASE_BIN; ASan would distort RSS) serves 16 clients that each
PUT a 256 MiB object, then GET it back, then DELETE it. The bodies are generated on the fly from
16 random 1 MiB blocks in an order unique to each object (the test never holds an object either)
and checked by MD5 both ways (ETag on PUT, bytes on GET). Barriers make all 16 PUTs, then all 16
GETs, be open at the same moment with part of their bodies sent. The store's peak resident set
(VmHWM in /proc/PID/status, or a larger VmRSS sampled every 100 ms) must stay under 64 MiB.

The data folder is a temporary folder on disk (4 GiB at the peak; `df` is checked first). On a
machine whose disk is slow or busy, ONEHOP_MEMORY_TEST_TMPFS=1 puts it on a 4.25 GiB tmpfs
instead (root only), which measures the same memory without the fsync cost.
"""

import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time

os.environ.setdefault("BOTO_DISABLE_CRT", "true")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from store_harness import run_checks  # noqa: E402
from store_robust import StoreProcess, request, stream_get, stream_put  # noqa: E402

BUCKET = "memory"
CLIENTS = 16
MIB = 1 << 20
OBJECT_MIB = 256
RSS_LIMIT_KIB = 64 * 1024
SEED = 64
BARRIER_TIMEOUT = 120
NEEDED_BYTES = CLIENTS * OBJECT_MIB * MIB + (256 * MIB)


def mem_available():
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    return 0


class Client:
    def __init__(self, index, blocks, store, put_barrier, get_barrier):
        self.index = index
        self.blocks = blocks
        self.store = store
        self.put_barrier = put_barrier
        self.get_barrier = get_barrier
        self.error = None
        self.seconds = {}

    def order(self):
        rng = random.Random(SEED * 100 + self.index)
        return [rng.randrange(len(self.blocks)) for _ in range(OBJECT_MIB)]

    def body(self):
        for i, block in enumerate(self.order()):
            yield self.blocks[block]
            if i == 0:
                self.put_barrier.wait(BARRIER_TIMEOUT)

    def run(self):
        try:
            path = "/%s/big-%02d" % (BUCKET, self.index)
            start = time.monotonic()
            res, md5, sent = stream_put(self.store.port, path, OBJECT_MIB * MIB, self.body(),
                                        timeout=300)
            self.seconds["put"] = time.monotonic() - start
            assert res.status == 200, "PUT %s: %r" % (path, res)
            assert sent == OBJECT_MIB * MIB, "PUT %s stopped after %d bytes" % (path, sent)
            assert res.header("etag").strip('"') == md5, "PUT %s: ETag %s, MD5 %s" % (
                path, res.header("etag"), md5)
            self.get_barrier.wait(BARRIER_TIMEOUT)
            start = time.monotonic()
            status, _headers, got_md5, size, err = stream_get(
                self.store.port, path, timeout=300,
                after_first=lambda: self.get_barrier.wait(BARRIER_TIMEOUT))
            self.seconds["get"] = time.monotonic() - start
            assert status == 200, "GET %s: %d %r" % (path, status, err[:300])
            assert size == OBJECT_MIB * MIB, "GET %s: %d bytes" % (path, size)
            assert got_md5 == md5, "GET %s: MD5 %s, PUT %s" % (path, got_md5, md5)
            res = request(self.store.port, "DELETE", path)
            assert res.status == 204, "DELETE %s: %r" % (path, res)
        except BaseException as e:  # noqa: BLE001 - reported by the main thread
            self.error = e
            self.put_barrier.abort()
            self.get_barrier.abort()


class RssSampler(threading.Thread):
    def __init__(self, store):
        super().__init__(daemon=True)
        self.store = store
        self.stop = threading.Event()
        self.max_rss = 0

    def run(self):
        while not self.stop.wait(0.1):
            try:
                self.max_rss = max(self.max_rss, self.store.status_kib("VmRSS"))
            except (OSError, AssertionError):
                return


def measure(store):
    rng = random.Random(SEED)
    blocks = [rng.randbytes(MIB) for _ in range(16)]
    start_rss = store.status_kib("VmRSS")
    put_barrier = threading.Barrier(CLIENTS)
    get_barrier = threading.Barrier(CLIENTS)
    clients = [Client(i, blocks, store, put_barrier, get_barrier) for i in range(CLIENTS)]
    threads = [threading.Thread(target=c.run) for c in clients]
    sampler = RssSampler(store)
    sampler.start()
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    sampler.stop.set()
    sampler.join()
    errors = [c.error for c in clients if c.error is not None]
    real = [e for e in errors if not isinstance(e, threading.BrokenBarrierError)]
    if real or errors:
        raise (real or errors)[0]
    # The kernel folds the current RSS into VmHWM lazily (on unmap and similar), so a sample can
    # exceed it: take the larger.
    peak = max(store.peak_rss_kib(), sampler.max_rss)
    total = 2 * CLIENTS * OBJECT_MIB
    put_s = max(c.seconds["put"] for c in clients)
    get_s = max(c.seconds["get"] for c in clients)
    print("store RSS: %d KiB at start, peak %d KiB (VmHWM or sampled), sampled max %d KiB; "
          "%d MiB moved in %.1fs (PUT phase %.1fs, GET phase %.1fs)"
          % (start_rss, peak, sampler.max_rss, total, elapsed, put_s, get_s), flush=True)
    assert peak < RSS_LIMIT_KIB, "peak RSS %d KiB >= %d KiB" % (peak, RSS_LIMIT_KIB)
    leftovers = os.listdir(os.path.join(store.data_dir, "tmp"))
    assert leftovers == [], "temp files left: %s" % leftovers


def check_bounded_memory():
    binary = os.environ.get("ONEHOP_RELEASE_BIN")
    assert binary and os.path.exists(binary), (
        "ONEHOP_RELEASE_BIN (%r) does not exist: build the release tree first "
        "(`make test` builds both)" % binary)
    tmp = tempfile.mkdtemp(prefix="onehop-memory-")
    mounted = False
    store = None
    try:
        if os.environ.get("ONEHOP_MEMORY_TEST_TMPFS") != "1":
            st = shutil.disk_usage(tmp)
            assert st.free > NEEDED_BYTES, "need %d MiB free in %s, have %d MiB" % (
                NEEDED_BYTES >> 20, tmp, st.free >> 20)
            data = os.path.join(tmp, "data")
        else:
            avail = mem_available()
            assert avail > NEEDED_BYTES + (2 << 30), (
                "need %d MiB of available memory for the tmpfs, have %d MiB"
                % ((NEEDED_BYTES + (2 << 30)) >> 20, avail >> 20))
            mount = os.path.join(tmp, "disk")
            os.mkdir(mount)
            proc = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%d" % NEEDED_BYTES,
                                   "tmpfs", mount], capture_output=True, text=True)
            assert proc.returncode == 0, (
                "cannot mount a tmpfs (needs root; unset ONEHOP_MEMORY_TEST_TMPFS): %s"
                % proc.stderr.strip())
            mounted = True
            data = os.path.join(mount, "data")
        store = StoreProcess(binary, data, os.path.join(tmp, "store.log"), buckets=[BUCKET])
        store.start()
        try:
            measure(store)
            store.stop()
        except BaseException:
            print("store log tail:\n" + store.log_tail(), flush=True)
            raise
    finally:
        if store is not None and store.running():
            store.kill()
        if mounted:
            subprocess.run(["umount", os.path.join(tmp, "disk")], check=False)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    run_checks([check_bounded_memory])
