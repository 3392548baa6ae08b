"""Uppy's Companion-style S3 routes (docs/uppy.md) on a real `onehop serve` in front of a real
`onehop store`, driven exactly as @uppy/aws-s3 6.3.1 drives them in `companionEndpoint` mode
(s3-client/CompanionS3.ts): the same paths, query encoding (URLSearchParams), JSON bodies
(JSON.stringify: no spaces) and headers (none but `content-type: application/json` on POST, plus
what a browser adds: Cookie and, on a same-origin POST/DELETE, Origin). Parts are PUT to the
storage without Content-Type, as a sliced Blob is.

Each check_* is independent; run_checks reports every one.
"""

import http.client
import json
import os
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from store_harness import Store, run_checks  # noqa: E402
from api_harness import Api, hs256_token, multipart_form, png_bytes, png_of_size  # noqa: E402

MIB = 1024 * 1024
MAX_SIZE = 12 * MIB  # Uppy's 5 MiB parts: at most 3
SECTIONS = {
    "uploads": {"max_size": "12MiB", "quota_bytes": "40MiB", "quota_count": 100},
}

store = None
api = None


def user(name):
    """A fresh user name per check, so quotas and rate limits do not interact."""
    return "%s-%d" % (name, int(time.time() * 1000) % 10**9)


def raw_request(method, url, body=None, headers=None):
    """(status, reason, body bytes, lower-case headers), sending exactly the headers given (plus
    Host and Content-Length): urllib would add a Content-Type that Uppy does not send."""
    u = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
    try:
        target = u.path + ("?" + u.query if u.query else "")
        conn.request(method, target, body=body, headers=headers or {})
        resp = conn.getresponse()
        data = resp.read()
        return resp.status, resp.reason, data, {k.lower(): v for k, v in resp.getheaders()}
    finally:
        conn.close()


class Uppy:
    """The browser's side of CompanionS3.ts, for one user and one way of authenticating."""

    def __init__(self, token, via="cookie", origin=None):
        self.token = token
        self.via = via  # "cookie" (same-origin page) or "path" (companionEndpoint = /uppy/<token>)
        self.origin = origin if origin is not None else api.url

    @property
    def endpoint(self):
        if self.via == "path":
            return api.url + "/uppy/" + self.token
        return api.url

    def fetch(self, method, path, body=None):
        """fetch(`${companionEndpoint}/s3${path}`): (status, parsed JSON or text, headers)."""
        headers = {}
        data = None
        if body is not None:
            data = json.dumps(body, separators=(",", ":")).encode()
            headers["content-type"] = "application/json"
        if self.via == "cookie":
            headers["Cookie"] = "onehop_token=" + self.token
            if method in ("POST", "DELETE") and self.origin:
                headers["Origin"] = self.origin
        status, _, payload, h = raw_request(method, self.endpoint + "/s3" + path, data, headers)
        parsed = payload.decode(errors="replace")
        if h.get("content-type", "").startswith("application/json") and payload:
            parsed = json.loads(payload)
        return status, parsed, h

    @staticmethod
    def q(key):
        return urllib.parse.urlencode({"key": key})

    @staticmethod
    def uid(upload_id):
        return urllib.parse.quote(upload_id, safe="")

    def create(self, filename="cat.png", type_="image/png", metadata=None):
        meta = metadata if metadata is not None else {"name": filename, "type": type_,
                                                      "relativePath": None}
        return self.fetch("POST", "/multipart", {"filename": filename, "metadata": meta,
                                                 "type": type_})

    def sign(self, upload_id, key, n):
        return self.fetch("GET", "/multipart/%s/%s?%s" % (self.uid(upload_id), n, self.q(key)))

    def batch(self, upload_id, key, numbers):
        query = urllib.parse.urlencode({"key": key, "partNumbers": ",".join(map(str, numbers))})
        return self.fetch("GET", "/multipart/%s/batch?%s" % (self.uid(upload_id), query))

    def list(self, upload_id, key):
        return self.fetch("GET", "/multipart/%s?%s" % (self.uid(upload_id), self.q(key)))

    def complete(self, upload_id, key, parts):
        return self.fetch("POST", "/multipart/%s/complete?%s" % (self.uid(upload_id), self.q(key)),
                          {"parts": [{"PartNumber": n, "ETag": e} for n, e in parts]})

    def abort(self, upload_id, key):
        return self.fetch("DELETE", "/multipart/%s?%s" % (self.uid(upload_id), self.q(key)))

    @staticmethod
    def put_part(url, chunk):
        """The part PUT: no Content-Type; the ETag read and its quotes stripped (sanitizeETag)."""
        status, _, body, h = raw_request("PUT", url, chunk, {})
        assert status == 200, (status, body[:300])
        return h["etag"].strip('"')

    def upload(self, data, filename="cat.png", type_="image/png", part_size=5 * MIB):
        """The whole multipart flow; returns (status, body) of complete and the created upload."""
        s, created, _ = self.create(filename, type_)
        assert s == 200, (s, created)
        parts = []
        for i in range(0, max(len(data), 1), part_size):
            n = i // part_size + 1
            s, signed, _ = self.sign(created["uploadId"], created["key"], n)
            assert s == 200, (s, signed)
            parts.append((n, self.put_part(signed["url"], data[i:i + part_size])))
        s, body, _ = self.complete(created["uploadId"], created["key"], parts)
        return s, body, created


def images_of(token):
    s, listed, _ = api.call("GET", "/api/images", token=token)
    assert s == 200, listed
    return listed["images"]


def object_exists(key):
    import botocore.exceptions
    try:
        store.boto3_client().head_object(Bucket="onehop", Key=key)
        return True
    except botocore.exceptions.ClientError as e:
        if e.response["Error"]["Code"] in ("404", "NoSuchKey", "NotFound"):
            return False
        raise


def storage_multipart_keys():
    uploads = store.boto3_client().list_multipart_uploads(Bucket="onehop").get("Uploads", [])
    return {u["Key"] for u in uploads}


def assert_uppy_error(status, body, expected_status, code):
    assert status == expected_status, (status, body)
    assert isinstance(body, dict), body
    assert body["error"]["code"] == code, body
    assert body["message"] == body["error"]["message"] and body["message"], body


# ---- the happy paths

def check_multipart_two_parts_cookie_auth():
    token = hs256_token(user("alice"))
    uppy = Uppy(token)
    data = png_of_size(7 * MIB, 320, 200)
    s, created, _ = uppy.create("holiday photo é.png", "image/png")
    assert s == 200, (s, created)
    assert set(created) >= {"key", "uploadId", "bucket"}, created
    assert created["uploadId"].startswith("u_") and created["bucket"] == "onehop"
    key = created["key"]
    assert key.startswith("uploads/alice-") and key.endswith(".png"), key

    # Part 1 signed alone, part 2 through the batch route.
    s, one, _ = uppy.sign(created["uploadId"], key, 1)
    assert s == 200 and set(one) == {"url", "expires"}, (s, one)
    assert 0 < one["expires"] <= 900, one
    assert "X-Amz-SignedHeaders=host&" in one["url"] and "checksum" not in one["url"], one["url"]
    s, batch, _ = uppy.batch(created["uploadId"], key, [2])
    assert s == 200 and list(batch["presignedUrls"]) == ["2"], (s, batch)
    etag1 = Uppy.put_part(one["url"], data[:5 * MIB])
    etag2 = Uppy.put_part(batch["presignedUrls"]["2"], data[5 * MIB:])

    # List (what a resume does): S3's names, quoted ETags, sizes.
    s, listed, _ = uppy.list(created["uploadId"], key)
    assert s == 200, (s, listed)
    assert [(p["PartNumber"], p["ETag"], p["Size"]) for p in listed] == [
        (1, '"%s"' % etag1, 5 * MIB), (2, '"%s"' % etag2, 2 * MIB)], listed

    # Complete with one unquoted and one quoted ETag, as a resumed upload sends them.
    s, done, _ = uppy.complete(created["uploadId"], key, [(1, etag1), (2, '"%s"' % etag2)])
    assert s == 200, (s, done)
    assert done["key"] == key and done["bucket"] == "onehop", done
    assert done["location"] == "%s/onehop/%s" % (store.endpoint, key), done
    image = done["image"]
    assert (image["width"], image["height"], image["size"]) == (320, 200, len(data)), image
    assert image["filename"] == "holiday photo é.png" and image["contentType"] == "image/png"

    # The image is in the gallery, viewable, and completing again answers the same.
    assert [i["id"] for i in images_of(token)] == [image["id"]]
    s, _, got, _ = raw_request("GET", images_of(token)[0]["url"])
    assert s == 200 and got == data
    s, again, _ = uppy.complete(created["uploadId"], key, [(1, etag1), (2, etag2)])
    assert s == 200 and again["image"]["id"] == image["id"], (s, again)
    assert key not in storage_multipart_keys()


def check_small_image_one_part_and_metadata_ignored():
    token = hs256_token(user("small"))
    uppy = Uppy(token)
    s, created, _ = uppy.create("Cat.PNG", "image/png", {"name": "Cat.PNG", "caption": {"x": [1]},
                                                         "relativePath": "a/b/Cat.PNG"})
    assert s == 200, created
    data = png_bytes(5, 4)
    s, signed, _ = uppy.sign(created["uploadId"], created["key"], 1)
    assert s == 200
    etag = Uppy.put_part(signed["url"], data)
    s, done, _ = uppy.complete(created["uploadId"], created["key"], [(1, etag)])
    assert s == 200, (s, done)
    assert done["image"]["size"] == len(data) and done["image"]["filename"] == "Cat.PNG", done


def check_token_in_path():
    token = hs256_token(user("pathy"))
    uppy = Uppy(token, via="path")
    s, done, created = uppy.upload(png_bytes(8, 8))
    assert s == 200, (s, done)
    assert [i["key"] for i in images_of(token)] == [created["key"]]
    # A bad token in the path is 401, and the path token is not a way around user scoping.
    bad = Uppy(token[:-3] + "AAA", via="path")
    s, body, _ = bad.create()
    assert s == 401, (s, body)
    other = Uppy(hs256_token(user("pathy-other")), via="path")
    s, body, _ = other.list(created["uploadId"], created["key"])
    assert s == 404, (s, body)


def check_abort():
    token = hs256_token(user("aborter"))
    uppy = Uppy(token)
    s, created, _ = uppy.create()
    assert s == 200
    s, signed, _ = uppy.sign(created["uploadId"], created["key"], 1)
    Uppy.put_part(signed["url"], png_bytes(4, 4))
    assert created["key"] in storage_multipart_keys()
    s, body, _ = uppy.abort(created["uploadId"], created["key"])
    assert s == 200 and body == {}, (s, body)
    assert created["key"] not in storage_multipart_keys()
    s, body, _ = uppy.list(created["uploadId"], created["key"])
    assert_uppy_error(s, body, 404, "not_found")
    s, body, _ = uppy.sign(created["uploadId"], created["key"], 1)
    assert s == 404, body
    assert images_of(token) == []


# ---- scoping: ids belong to users, keys to ids

def check_another_users_upload_is_404():
    alice = Uppy(hs256_token(user("alice2")))
    bob = Uppy(hs256_token(user("bob")))
    s, created, _ = alice.create()
    assert s == 200
    uid, key = created["uploadId"], created["key"]
    s, signed, _ = alice.sign(uid, key, 1)
    etag = Uppy.put_part(signed["url"], png_bytes(6, 6))
    for s, body, _ in (bob.sign(uid, key, 1), bob.batch(uid, key, [1]), bob.list(uid, key),
                       bob.complete(uid, key, [(1, etag)]), bob.abort(uid, key)):
        assert_uppy_error(s, body, 404, "not_found")
    # Nothing of alice's was touched.
    s, done, _ = alice.complete(uid, key, [(1, etag)])
    assert s == 200, (s, done)


def check_wrong_or_missing_key():
    uppy = Uppy(hs256_token(user("keys")))
    s, created, _ = uppy.create()
    assert s == 200
    uid, key = created["uploadId"], created["key"]
    other_key = key.rsplit("/", 1)[0] + "/other.png"
    for s, body, _ in (uppy.sign(uid, other_key, 1), uppy.batch(uid, other_key, [1]),
                       uppy.list(uid, other_key), uppy.complete(uid, other_key, [(1, "e")]),
                       uppy.abort(uid, other_key)):
        assert_uppy_error(s, body, 404, "not_found")
    # No key at all: 400, as Companion.
    s, body, _ = uppy.fetch("GET", "/multipart/%s/1" % uid)
    assert_uppy_error(s, body, 400, "invalid_request")
    s, body, _ = uppy.fetch("GET", "/multipart/%s?key=a&key=b" % uid)
    assert_uppy_error(s, body, 400, "invalid_request")
    # An unknown id of the right shape.
    s, body, _ = uppy.list("u_" + "a" * 26, key)
    assert_uppy_error(s, body, 404, "not_found")
    # The upload still works with its own key.
    s, body, _ = uppy.list(uid, key)
    assert s == 200 and body == [], (s, body)


# ---- what completion refuses

def check_not_an_image_is_422_and_deleted():
    token = hs256_token(user("liar"))
    uppy = Uppy(token)
    s, created, _ = uppy.create("evil.png", "image/png")
    assert s == 200
    s, signed, _ = uppy.sign(created["uploadId"], created["key"], 1)
    etag = Uppy.put_part(signed["url"], b"<script>alert(1)</script>" * 100)
    s, body, _ = uppy.complete(created["uploadId"], created["key"], [(1, etag)])
    assert_uppy_error(s, body, 422, "verification_failed")
    assert not object_exists(created["key"])
    s, body, _ = uppy.complete(created["uploadId"], created["key"], [(1, etag)])
    assert s == 404, (s, body)
    assert images_of(token) == []


def check_too_big_is_422_and_deleted():
    token = hs256_token(user("big"))
    uppy = Uppy(token)
    s, created, _ = uppy.create("big.png", "image/png")
    assert s == 200
    # Three parts are allowed (12 MiB / 5 MiB), but the parts are bigger than Uppy's.
    data = png_of_size(MAX_SIZE + 1)
    half = len(data) // 2
    parts = []
    for n, chunk in ((1, data[:half]), (2, data[half:])):
        s, signed, _ = uppy.sign(created["uploadId"], created["key"], n)
        assert s == 200, signed
        parts.append((n, Uppy.put_part(signed["url"], chunk)))
    s, body, _ = uppy.complete(created["uploadId"], created["key"], parts)
    assert_uppy_error(s, body, 422, "verification_failed")
    assert "limit" in body["message"], body
    assert not object_exists(created["key"])
    assert images_of(token) == []
    # Exactly the limit passes.
    s, done, _ = uppy.upload(png_of_size(MAX_SIZE))
    assert s == 200 and done["image"]["size"] == MAX_SIZE, (s, done)


def check_part_numbers_and_bodies():
    uppy = Uppy(hs256_token(user("parts")))
    s, created, _ = uppy.create()
    uid, key = created["uploadId"], created["key"]
    for n in (0, 4, 99999):  # 1..ceil(12 MiB / 5 MiB) = 3
        s, body, _ = uppy.sign(uid, key, n)
        assert_uppy_error(s, body, 400, "invalid_request")
    s, body, _ = uppy.sign(uid, key, 3)
    assert s == 200, body
    s, body, _ = uppy.batch(uid, key, [1, 4])
    assert_uppy_error(s, body, 400, "invalid_request")
    s, body, _ = uppy.batch(uid, key, [1, 1])
    assert_uppy_error(s, body, 400, "invalid_request")
    s, body, _ = uppy.fetch("GET", "/multipart/%s/batch?%s" % (uid, Uppy.q(key)))
    assert_uppy_error(s, body, 400, "invalid_request")
    s, body, _ = uppy.batch(uid, key, [3, 1, 2])
    assert s == 200 and sorted(body["presignedUrls"]) == ["1", "2", "3"], body
    # Complete: PartNumber must be a number; at least one part; not above the limit.
    for parts in ([{"PartNumber": "1", "ETag": "e"}], [], [{"PartNumber": 4, "ETag": "e"}]):
        s, body, _ = uppy.fetch("POST", "/multipart/%s/complete?%s" % (uid, Uppy.q(key)),
                                {"parts": parts})
        assert_uppy_error(s, body, 400, "invalid_request")
    # Parts the storage never received: refused by the storage, the upload stays.
    s, body, _ = uppy.complete(uid, key, [(1, "0" * 32)])
    assert_uppy_error(s, body, 422, "verification_failed")
    s, body, _ = uppy.list(uid, key)
    assert s == 200, body


def check_create_policy():
    uppy = Uppy(hs256_token(user("policy")))
    for type_ in ("image/svg+xml", "text/html", "application/octet-stream", ""):
        s, body, _ = uppy.create("x.svg", type_)
        assert_uppy_error(s, body, 415, "unsupported_type")
    s, body, _ = uppy.fetch("POST", "/multipart", {"type": "image/png"})
    assert_uppy_error(s, body, 400, "invalid_request")
    s, body, _ = uppy.fetch("POST", "/multipart", {"filename": "a.png"})
    assert_uppy_error(s, body, 400, "invalid_request")
    s, body, _ = uppy.create("a\u0001.png", "image/png")
    assert_uppy_error(s, body, 400, "invalid_request")
    # Upper-case types are the same type.
    s, body, _ = uppy.create("a.jpg", "IMAGE/JPEG")
    assert s == 200 and body["key"].endswith(".jpg"), (s, body)


def check_quota_reserves_max_size_until_completion():
    # 40 MiB of quota, 12 MiB reserved per upload in flight: three fit, the fourth does not.
    token = hs256_token(user("quota"))
    uppy = Uppy(token)
    created = []
    for _ in range(3):
        s, c, _ = uppy.create()
        assert s == 200, c
        created.append(c)
    s, body, _ = uppy.create()
    assert_uppy_error(s, body, 409, "conflict")
    # Aborting one frees its reservation.
    s, _, _ = uppy.abort(created[0]["uploadId"], created[0]["key"])
    assert s == 200
    s, c, _ = uppy.create()
    assert s == 200, c
    # Completing one keeps only its real size: two more uploads fit again.
    small = png_bytes(4, 4)
    s, signed, _ = uppy.sign(c["uploadId"], c["key"], 1)
    etag = Uppy.put_part(signed["url"], small)
    s, done, _ = uppy.complete(c["uploadId"], c["key"], [(1, etag)])
    assert s == 200, done
    s, c2, _ = uppy.create()
    assert s == 200, c2
    s, body, _ = uppy.create()
    assert s == 409, (s, body)


# ---- authentication

def check_cookie_auth_needs_allowed_origin():
    token = hs256_token(user("cookie"))
    for origin in ("", "https://evil.example"):
        s, body, _ = Uppy(token, origin=origin).create()
        assert s == 403, (origin, s, body)
    uppy = Uppy(token)
    s, created, _ = uppy.create()
    assert s == 200, created
    # GETs carry no Origin from a same-origin fetch, and need none.
    s, body, _ = Uppy(token, origin="").sign(created["uploadId"], created["key"], 1)
    assert s == 200, body
    s, body, _ = Uppy(token, origin="https://evil.example").abort(created["uploadId"],
                                                                    created["key"])
    assert s == 403, body
    # No credentials at all.
    s, _, _, _ = raw_request("POST", api.url + "/s3/multipart",
                             b'{"filename":"a.png","type":"image/png"}',
                             {"content-type": "application/json"})
    assert s == 401
    s, _, _, _ = raw_request("GET", api.url + "/s3/params?filename=a.png&type=image%2Fpng")
    assert s == 401


# ---- GET /s3/params: the single-request POST form

def check_params_post_form():
    token = hs256_token(user("poster"))
    uppy = Uppy(token)
    query = urllib.parse.urlencode({"filename": "cat photo.png", "type": "image/png",
                                    "metadata[name]": "cat photo.png",
                                    "metadata[relativePath]": "null"})
    s, params, _ = uppy.fetch("GET", "/params?" + query)
    assert s == 200, (s, params)
    assert params["method"] == "POST" and params["url"] == store.endpoint + "/onehop", params
    fields = params["fields"]
    assert fields["key"].startswith("uploads/poster-") and "${filename}" not in fields["key"]
    assert "file" not in fields and "success_action_redirect" not in fields
    assert fields["success_action_status"] == "201"

    # Too big for the policy: the storage refuses it.
    form, ctype = multipart_form(fields, png_of_size(MAX_SIZE + 1), "image/png")
    try:
        s, _, body, _ = raw_request("POST", params["url"], form, {"Content-Type": ctype})
        assert s == 400 and b"EntityTooLarge" in body, (s, body[:300])
    except (BrokenPipeError, ConnectionResetError):
        pass  # the store may answer and close before the whole body is sent
    assert not object_exists(fields["key"])
    # Another type: refused too.
    changed = dict(fields, **{"Content-Type": "text/html"})
    form, ctype = multipart_form(changed, png_bytes(3, 3), "text/html")
    s, _, body, _ = raw_request("POST", params["url"], form, {"Content-Type": ctype})
    assert s == 403, (s, body[:300])

    data = png_bytes(12, 10)
    form, ctype = multipart_form(fields, data, "image/png")
    s, _, body, _ = raw_request("POST", params["url"], form, {"Content-Type": ctype})
    assert s == 201, (s, body[:300])
    assert object_exists(fields["key"])
    # Uppy stops here. A page that wants the image recorded completes it with the uploadId.
    s, done, _ = uppy.fetch("POST", "/multipart/%s/complete?%s" % (params["uploadId"],
                                                                   Uppy.q(fields["key"])), {})
    assert s == 200, (s, done)
    assert done["image"]["size"] == len(data) and done["image"]["filename"] == "cat photo.png"
    assert [i["key"] for i in images_of(token)] == [fields["key"]]

    s, body, _ = uppy.fetch("GET", "/params?type=image%2Fpng")
    assert_uppy_error(s, body, 400, "invalid_request")
    s, body, _ = uppy.fetch("GET", "/params?filename=a.svg&type=image%2Fsvg%2Bxml")
    assert_uppy_error(s, body, 415, "unsupported_type")


def main():
    global store, api
    with Store(buckets=["onehop"]) as st:
        store = st
        with Api(st, SECTIONS) as a:
            api = a
            checks = [v for k, v in sorted(globals().items()) if k.startswith("check_")]
            return run_checks(checks)


if __name__ == "__main__":
    sys.exit(main())
