"""`onehop serve` against a real `onehop store`: the protocol end to end, with the storage itself
refusing what the signature does not allow, and the API refusing what is not the declared image.

Each check_* is independent; run_checks reports every one.
"""

import json
import os
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from store_harness import Store, run_checks  # noqa: E402
from api_harness import (Api, hs256_token, http_request, jpeg_header_bytes, png_bytes,  # noqa: E402
                         png_of_size, sha256_b64, JWT_SECRET)

MIB = 1024 * 1024
SECTIONS = {
    "uploads": {"max_size": "20MiB", "multipart_threshold": "6MiB", "part_size": "5MiB",
                "quota_count": 6, "quota_bytes": "100MiB"},
    "rate_limit": {"user_rate": 0.2, "user_burst": 8},
}

store = None
api = None


def s3():
    return store.boto3_client()


def object_exists(key):
    import botocore.exceptions
    try:
        s3().head_object(Bucket="onehop", Key=key)
        return True
    except botocore.exceptions.ClientError as e:
        if e.response["Error"]["Code"] in ("404", "NoSuchKey", "NotFound"):
            return False
        raise


def user(name):
    """A fresh user name per check, so quotas and rate limits do not interact."""
    return "%s-%d" % (name, int(time.time() * 1000) % 10**9)


def check_put_happy_path():
    token = hs256_token(user("alice"))
    data = png_bytes(640, 480)
    status, body, created = api.upload(token, data, filename="holiday photo é.png")
    assert status == 200, (status, body)
    image = body["image"]
    assert created["method"] == "PUT"
    assert created["headers"]["Content-Type"] == "image/png"
    assert (image["width"], image["height"]) == (640, 480), image
    assert image["size"] == len(data) and image["contentType"] == "image/png"
    assert image["filename"] == "holiday photo é.png"
    assert image["key"] == created["key"] and image["id"].startswith("i_")
    assert "/" + "alice-" in image["key"] and image["key"].startswith("uploads/")
    # The view URL is a short-lived signed GET that serves the bytes with nosniff.
    s, got, h = http_request("GET", image["url"])
    assert s == 200 and got == data, s
    assert h.get("x-content-type-options") == "nosniff"
    assert h.get("content-disposition", "").startswith("inline")
    # Completing again answers the same image.
    s, again, _ = api.call("POST", "/api/uploads/%s/complete" % created["uploadId"], {}, token=token)
    assert s == 200 and again["image"]["id"] == image["id"], (s, again)
    # Listed, fetched, deleted (object and record).
    s, listed, _ = api.call("GET", "/api/images", token=token)
    assert s == 200 and [i["id"] for i in listed["images"]] == [image["id"]], listed
    assert listed["nextCursor"] is None
    s, one, _ = api.call("GET", "/api/images/" + image["id"], token=token)
    assert s == 200 and one["image"]["key"] == image["key"]
    s, _, _ = api.call("DELETE", "/api/images/" + image["id"], token=token)
    assert s == 204
    assert not object_exists(image["key"])
    s, _, _ = api.call("GET", "/api/images/" + image["id"], token=token)
    assert s == 404


def check_jpeg_dimensions_past_a_large_exif_segment():
    # Completion reads a few KiB of the object first and more only when the header is not in
    # them: a 40 KiB EXIF segment puts this JPEG's SOF beyond the first read.
    token = hs256_token(user("camera"))
    for padding in (0, 40000):
        data = jpeg_header_bytes(4032, 3024, exif_padding=padding)
        status, body, _ = api.upload(token, data, content_type="image/jpeg", filename="p.jpg")
        assert status == 200, (padding, status, body)
        assert (body["image"]["width"], body["image"]["height"]) == (4032, 3024), body


def check_put_with_checksum():
    token = hs256_token(user("chk"))
    data = png_bytes(10, 10)
    status, body, created = api.upload(token, data, sha256=sha256_b64(data))
    assert status == 200, (status, body)
    assert body["image"]["sha256"] == sha256_b64(data)
    assert created["headers"]["x-amz-checksum-sha256"] == sha256_b64(data)
    # The same signed URL with other bytes of the same length: the storage refuses.
    other = bytearray(data)
    other[-1] ^= 1
    s, b, _ = api.send_put(created, bytes(other))
    assert s == 400 and b"BadDigest" in b, (s, b[:200])


def check_post_form_upload():
    token = hs256_token(user("poster"))
    data = png_bytes(33, 44)
    status, body, created = api.upload(token, data, method="POST")
    assert status == 200, (status, body)
    assert created["method"] == "POST" and "policy" in created["fields"]
    assert (body["image"]["width"], body["image"]["height"]) == (33, 44)


def check_default_method_from_config():
    """[uploads] default_method = "POST": a request naming no method gets a POST form; one
    naming PUT still gets PUT."""
    with Api(store, dict(SECTIONS, uploads=dict(SECTIONS.get("uploads", {}),
                                                default_method="POST"))) as posting:
        token = hs256_token(user("default-post"))
        data = png_bytes(32, 32)
        s, created, _ = posting.create(token, data)
        assert s == 201 and created["method"] == "POST" and "policy" in created["fields"], created
        s, body = posting.upload(token, data)[:2]
        assert s == 200 and body["image"]["size"] == len(data), body
        s, created, _ = posting.create(token, data, method="PUT")
        assert s == 201 and created["method"] == "PUT", created


def check_post_form_rejects_other_size():
    token = hs256_token(user("poster2"))
    data = png_bytes(8, 8)
    s, created, _ = api.create(token, data, method="POST")
    assert s == 201, created
    s, b, _ = api.send_post(created, data + b"extra")
    assert s == 400 and b"EntityTooLarge" in b, (s, b[:300])
    assert not object_exists(created["key"])


def check_multipart_upload():
    token = hs256_token(user("big"))
    data = png_of_size(13 * MIB)
    status, body, created = api.upload(token, data)
    assert status == 200, (status, body)
    assert created["method"] == "MULTIPART"
    assert created["multipart"] == {"partSize": 5 * MIB, "partCount": 3}, created["multipart"]
    assert body["image"]["size"] == len(data)
    obj = s3().get_object(Bucket="onehop", Key=created["key"])
    assert obj["Body"].read() == data


def check_multipart_resume_and_abort():
    token = hs256_token(user("resume"))
    data = png_of_size(11 * MIB)
    s, created, _ = api.create(token, data)
    assert s == 201 and created["method"] == "MULTIPART", created
    uid = created["uploadId"]
    s, signed, _ = api.call("POST", "/api/uploads/%s/parts" % uid, {"partNumbers": [1]}, token=token)
    assert s == 200
    part = signed["parts"][0]
    assert part["size"] == 5 * MIB
    # A part of another length than signed is refused by the storage.
    s, b, _ = http_request("PUT", part["url"], data[: 5 * MIB - 1], part["headers"])
    assert s in (0, 403), (s, b[:200])  # refused before the body is read (0: connection closed)
    s, b, h = http_request("PUT", part["url"], data[: 5 * MIB], part["headers"])
    assert s == 200
    s, listed, _ = api.call("GET", "/api/uploads/%s/parts" % uid, token=token)
    assert s == 200 and [p["partNumber"] for p in listed["parts"]] == [1], listed
    assert listed["parts"][0]["etag"] == h["etag"]
    # Out-of-range part numbers are refused.
    s, b, _ = api.call("POST", "/api/uploads/%s/parts" % uid, {"partNumbers": [4]}, token=token)
    assert s == 400, (s, b)
    s, _, _ = api.call("DELETE", "/api/uploads/" + uid, token=token)
    assert s == 204
    s, _, _ = api.call("GET", "/api/uploads/%s/parts" % uid, token=token)
    assert s == 404
    uploads = s3().list_multipart_uploads(Bucket="onehop").get("Uploads", [])
    assert all(u["Key"] != created["key"] for u in uploads)


def check_storage_refuses_what_was_not_signed():
    token = hs256_token(user("tamper"))
    data = png_bytes(5, 5)
    s, created, _ = api.create(token, data)
    assert s == 201
    # Bigger body than declared.
    s, b, _ = api.send_put(created, data + b"more")
    assert s == 403 and b"SignatureDoesNotMatch" in b, (s, b[:200])
    # Another content type.
    s, b, _ = api.send_put(created, data, {"Content-Type": "text/html"})
    assert s == 403, (s, b[:200])
    # Another key with the same signature.
    url = created["url"].replace(created["key"], created["key"].replace(".png", "-2.png"))
    s, b, _ = http_request("PUT", url, data, created["headers"])
    assert s == 403, (s, b[:200])
    assert not object_exists(created["key"])


def check_not_an_image_is_refused_and_deleted():
    token = hs256_token(user("liar"))
    data = b"this is plain text, not a PNG at all\n" * 10
    s, created, _ = api.create(token, data, content_type="image/png", filename="notes.png")
    assert s == 201
    s, b, _ = api.send_put(created, data)
    assert s == 200
    s, body, _ = api.call("POST", "/api/uploads/%s/complete" % created["uploadId"], {}, token=token)
    assert s == 422 and body["error"]["code"] == "verification_failed", (s, body)
    assert "png" in body["error"]["message"].lower(), body
    assert not object_exists(created["key"])
    # Completing again finds nothing to record.
    s, body, _ = api.call("POST", "/api/uploads/%s/complete" % created["uploadId"], {}, token=token)
    assert s in (404, 422), (s, body)
    s, listed, _ = api.call("GET", "/api/images", token=token)
    assert listed["images"] == []


def check_declared_type_must_match_bytes():
    token = hs256_token(user("jpegliar"))
    data = png_bytes(4, 4)
    s, created, _ = api.create(token, data, content_type="image/jpeg", filename="x.jpg")
    assert s == 201
    assert created["key"].endswith(".jpg")
    s, b, _ = api.send_put(created, data)
    assert s == 200
    s, body, _ = api.call("POST", "/api/uploads/%s/complete" % created["uploadId"], {}, token=token)
    assert s == 422, (s, body)
    assert not object_exists(created["key"])


def check_complete_before_upload_keeps_pending():
    token = hs256_token(user("early"))
    data = png_bytes(4, 4)
    s, created, _ = api.create(token, data)
    s, body, _ = api.call("POST", "/api/uploads/%s/complete" % created["uploadId"], {}, token=token)
    assert s == 422 and "not in storage" in body["error"]["message"], body
    s, b, _ = api.send_put(created, data)
    assert s == 200
    s, body, _ = api.call("POST", "/api/uploads/%s/complete" % created["uploadId"], {}, token=token)
    assert s == 200, body


def check_policy_refusals():
    token = hs256_token(user("policy"))
    s, body, _ = api.call("POST", "/api/uploads", {"filename": "a.txt", "contentType": "text/plain",
                                                   "size": 10}, token=token)
    assert s == 415 and body["error"]["code"] == "unsupported_type", body
    s, body, _ = api.call("POST", "/api/uploads", {"filename": "a.png", "contentType": "image/png",
                                                   "size": 21 * MIB}, token=token)
    assert s == 413 and body["error"]["code"] == "too_large", body
    s, body, _ = api.call("POST", "/api/uploads", {"filename": "a.png", "contentType": "image/png",
                                                   "size": 10, "extra": 1}, token=token)
    assert s == 400 and body["error"]["code"] == "invalid_request", body
    s, body, _ = api.call("POST", "/api/uploads", raw=b"{not json", token=token,
                          headers={"Content-Type": "application/json"})
    assert s == 400, body
    s, body, _ = api.call("POST", "/api/uploads", raw=b"x" * (70 * 1024), token=token,
                          headers={"Content-Type": "application/json"})
    assert s == 413, body


def check_other_users_ids_are_not_found():
    alice, bob = hs256_token(user("owner")), hs256_token(user("intruder"))
    data = png_bytes(6, 6)
    s, body, created = api.upload(alice, data)
    assert s == 200
    image_id = body["image"]["id"]
    for method, path in (("GET", "/api/images/" + image_id), ("DELETE", "/api/images/" + image_id),
                         ("POST", "/api/uploads/%s/complete" % created["uploadId"])):
        s, b, _ = api.call(method, path, {} if method == "POST" else None, token=bob)
        assert s == 404, (method, path, s, b)
    s, listed, _ = api.call("GET", "/api/images", token=bob)
    assert listed["images"] == []
    s, pending, _ = api.create(alice, data)
    s, b, _ = api.call("DELETE", "/api/uploads/" + pending["uploadId"], token=bob)
    assert s == 404
    assert object_exists(body["image"]["key"])


def check_quota_exceeded():
    token = hs256_token(user("hoarder"))
    data = png_bytes(2, 2)
    results = [api.create(token, data)[0] for _ in range(7)]
    assert results[:6] == [201] * 6, results
    s, body, _ = api.create(token, data)
    assert s in (409, 429), (s, body)
    if s == 409:
        assert body["error"]["code"] == "conflict" and "quota" in body["error"]["message"]


def check_rate_limit():
    token = hs256_token(user("hammer"))
    data = png_bytes(2, 2)
    statuses = []
    headers = None
    for _ in range(10):
        s, body, h = api.create(token, data)
        statuses.append(s)
        if s == 429:
            headers = h
            assert body["error"]["code"] == "rate_limited"
            break
    assert 429 in statuses, statuses
    assert int(headers["retry-after"]) >= 1


def check_bad_tokens():
    data = {"filename": "a.png", "contentType": "image/png", "size": 10}
    now = int(time.time())
    cases = {
        "none": None,
        "garbage": "not-a-token",
        "wrong secret": hs256_token("mallory", secret="wrong-secret-wrong-secret-wrong-secret"),
        "expired": hs256_token("mallory", exp_in=-3600),
        "alg none": hs256_token("mallory", header={"alg": "none", "typ": "JWT"}).rsplit(".", 1)[0] + ".",
        "not yet valid": hs256_token("mallory", extra={"nbf": now + 3600}),
    }
    for name, token in cases.items():
        s, body, h = api.call("POST", "/api/uploads", data, token=token)
        assert s == 401 and body["error"]["code"] == "unauthorized", (name, s, body)
    tampered = hs256_token("mallory")
    head, payload, sig = tampered.split(".")
    s, body, _ = api.call("POST", "/api/uploads", data, token=head + "." + payload + "." + sig[:-2] + "AA")
    assert s == 401, body


def check_cookie_needs_allowed_origin():
    token = hs256_token(user("cookie"))
    data = {"filename": "a.png", "contentType": "image/png", "size": 10}
    cookie = {"Cookie": "onehop_token=" + token}
    s, body, _ = api.call("POST", "/api/uploads", data, headers=dict(cookie, Origin="https://evil.example"))
    assert s == 403, (s, body)
    s, body, _ = api.call("POST", "/api/uploads", data, headers=cookie)
    assert s == 403, (s, body)
    origin = "http://127.0.0.1:%d" % api.port
    s, body, _ = api.call("POST", "/api/uploads", data, headers=dict(cookie, Origin=origin))
    assert s == 201, (s, body)
    s, body, _ = api.call("GET", "/api/images", headers=cookie)
    assert s == 200, (s, body)


def check_paging():
    token = hs256_token(user("pager"))
    ids = []
    for i in range(5):
        s, body, _ = api.upload(token, png_bytes(i + 1, 1))
        assert s == 200, body
        ids.append(body["image"]["id"])
    seen = []
    cursor = None
    while True:
        path = "/api/images?limit=2" + ("&cursor=" + urllib.parse.quote(cursor) if cursor else "")
        s, page, _ = api.call("GET", path, token=token)
        assert s == 200, page
        assert len(page["images"]) <= 2
        seen += [i["id"] for i in page["images"]]
        cursor = page["nextCursor"]
        if not cursor:
            break
    assert sorted(seen) == sorted(ids) and len(seen) == 5, (seen, ids)
    s, b, _ = api.call("GET", "/api/images?cursor=bogus", token=token)
    assert s == 400, b
    s, b, _ = api.call("GET", "/api/images?limit=0", token=token)
    assert s == 400, b


def check_operations_endpoints():
    s, body, _ = api.call("GET", "/healthz")
    assert s == 200
    s, body, _ = api.call("GET", "/readyz")
    assert s == 200 and body == {"database": "ok", "storage": "ok"}, body
    s, text, h = api.call("GET", "/metrics")
    assert s == 200 and h["content-type"].startswith("text/plain")
    assert 'onehop_http_requests_total{route="create_upload"' in text, text[:500]
    assert "onehop_uploads_completed_total" in text
    assert 'onehop_uploads_rejected_total{reason="verification_failed"}' in text
    s, cfg, _ = api.call("GET", "/api/config")
    assert s == 200 and cfg["maxSize"] == 20 * MIB and cfg["devMode"] is False, cfg
    s, body, _ = api.call("POST", "/api/dev/token", {"user": "x"})
    assert s == 404, (s, body)  # no dev route outside dev mode
    s, body, h = api.call("PUT", "/api/uploads")
    assert s == 405 and "POST" in h.get("allow", ""), (s, h)


def check_logs_hold_no_secrets():
    text = api.stderr_text()
    assert JWT_SECRET not in text
    assert store.secret_key not in text
    assert "X-Amz-Signature" not in text
    for line in text.splitlines():
        if line.startswith("{"):
            json.loads(line)


def check_persistence_and_sweeper():
    token = hs256_token(user("persist"))
    s, body, _ = api.upload(token, png_bytes(7, 7))
    assert s == 200
    image_id = body["image"]["id"]
    api.restart()
    s, listed, _ = api.call("GET", "/api/images", token=token)
    assert [i["id"] for i in listed["images"]] == [image_id], listed


def check_readyz_when_storage_down():
    store.stop()
    try:
        s, body, _ = api.call("GET", "/readyz")
        assert s == 503 and body["storage"] == "unavailable" and body["database"] == "ok", (s, body)
        token = hs256_token(user("down"))
        s, body, _ = api.call("POST", "/api/uploads/u_aaaaaaaaaaaaaaaaaaaaaaaaaa/complete", {}, token=token)
        assert s == 404, body
    finally:
        store.start_same_port()


def main():
    global store, api
    with Store(buckets=["onehop"]) as st:
        store = st
        with Api(st, SECTIONS) as a:
            api = a
            checks = [v for k, v in sorted(globals().items()) if k.startswith("check_")]
            # The storage-down check stops the store: run it last.
            checks.sort(key=lambda f: f.__name__ == "check_readyz_when_storage_down")
            return run_checks(checks)


if __name__ == "__main__":
    sys.exit(main())
