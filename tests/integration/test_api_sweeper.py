"""Pending uploads past their lifetime are swept, objects included, also at start-up; completed
images survive a restart untouched."""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from store_harness import Store, run_checks  # noqa: E402
from api_harness import Api, hs256_token, png_bytes  # noqa: E402

store = None
api = None


def keys():
    s3 = store.boto3_client()
    return sorted(o["Key"] for o in s3.list_objects_v2(Bucket="onehop").get("Contents", []))


def check_expired_uploads_are_swept_at_start():
    token = hs256_token("sweepy")
    kept = png_bytes(9, 9)
    s, body, _ = api.upload(token, kept)
    assert s == 200, body
    kept_key = body["image"]["key"]
    abandoned = png_bytes(8, 8)
    s, created, _ = api.create(token, abandoned)
    assert s == 201, created
    s, _, _ = api.send_put(created, abandoned)
    assert s == 200
    s, mp, _ = api.create(token, b"\x89PNG" + b"\0" * (7 * 1024 * 1024))
    assert s == 201 and mp["method"] == "MULTIPART", mp
    assert created["key"] in keys()
    time.sleep(5)  # past the 2 s lifetime and the orphan scan's skew slack (another 2 s)
    api.restart()  # the sweeper's first pass runs at start
    deadline = time.monotonic() + 10
    while created["key"] in keys() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert created["key"] not in keys(), keys()
    assert kept_key in keys()
    uploads = store.boto3_client().list_multipart_uploads(Bucket="onehop").get("Uploads", [])
    assert all(u["Key"] != mp["key"] for u in uploads), uploads
    s, b, _ = api.call("POST", "/api/uploads/%s/complete" % created["uploadId"], {}, token=token)
    assert s in (404, 409), (s, b)  # 409: the signed id is still readable, and says it expired
    s, listed, _ = api.call("GET", "/api/images", token=token)
    assert [i["key"] for i in listed["images"]] == [kept_key]
    s, text, _ = api.call("GET", "/metrics")
    assert "onehop_pending_swept_total 2" in text, [l for l in text.splitlines() if "swept" in l]


def check_expired_url_is_refused_by_storage():
    token = hs256_token("late")
    data = png_bytes(3, 3)
    s, created, _ = api.create(token, data)
    assert s == 201
    time.sleep(3)
    s, b, _ = api.send_put(created, data)
    assert s == 403 and b"expired" in b.lower(), (s, b[:300])
    s, b, _ = api.call("POST", "/api/uploads/%s/complete" % created["uploadId"], {}, token=token)
    assert s in (404, 409), (s, b)


def main():
    global store, api
    sections = {"uploads": {"pending_lifetime": "2s", "multipart_threshold": "6MiB",
                            "part_size": "5MiB", "max_size": "20MiB"}}
    with Store(buckets=["onehop"]) as st, Api(st, sections) as a:
        store, api = st, a
        run_checks([check_expired_uploads_are_swept_at_start, check_expired_url_is_refused_by_storage])


if __name__ == "__main__":
    main()
