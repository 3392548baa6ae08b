"""boto3 against a real `onehop store`: presigned PUT/GET/POST, multipart, listings, ranges,
conditionals, and every rejection the one-hop protocol relies on (tampered, reused, expired,
anonymous, wrong secret, wrong payload, wrong type or size), each refused with S3's error code and
leaving nothing stored.

botocore is the oracle: it signs every request here (header auth, presigned URLs, POST policies),
so these checks exercise the store's verifier against the reference implementation. Time is never
read for expiry checks: an expired URL is signed with botocore's clock frozen in the past.
"""

import base64
import contextlib
import datetime
import hashlib
import http.client
import os
import sys
import unittest.mock
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from store_harness import Store, client_error, run_checks  # noqa: E402

import botocore.auth  # noqa: E402
import botocore.signers  # noqa: E402
import requests  # noqa: E402
from botocore.awsrequest import AWSRequest  # noqa: E402
from botocore.credentials import Credentials  # noqa: E402

BUCKET = "uploads"
MIB = 1024 * 1024


class _FrozenDatetime(datetime.datetime):
    frozen = datetime.datetime(2020, 1, 1, 12, 0, 0)

    @classmethod
    def utcnow(cls):
        return cls.frozen


class _FrozenModule:
    timedelta = datetime.timedelta
    datetime = _FrozenDatetime


@contextlib.contextmanager
def frozen_clock():
    """botocore's clock stopped in 2020: signing dates and POST policy expirations alike."""
    with unittest.mock.patch.object(botocore.auth, "datetime", _FrozenModule), \
            unittest.mock.patch.object(botocore.signers, "datetime", _FrozenModule):
        yield


def raw(store, method, path, headers=None, body=None):
    conn = http.client.HTTPConnection("127.0.0.1", store.port, timeout=60)
    conn.request(method, path, body=body, headers=headers or {})
    res = conn.getresponse()
    data = res.read()
    conn.close()
    return res.status, {k.lower(): v for k, v in res.getheaders()}, data


def url_request(method, url, headers=None, body=None):
    parsed = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=60)
    target = parsed.path + ("?" + parsed.query if parsed.query else "")
    conn.request(method, target, body=body, headers=headers or {})
    res = conn.getresponse()
    data = res.read()
    conn.close()
    return res.status, {k.lower(): v for k, v in res.getheaders()}, data


def error_code_of(body):
    text = body.decode("utf-8", "replace")
    start = text.find("<Code>")
    end = text.find("</Code>")
    return text[start + 6:end] if start >= 0 and end > start else text[:200]


def signed(store, method, path, body=b"", headers=None, signed_body=None, secret=None,
           host=None):
    """Header-auth SigV4 request signed by botocore over `signed_body` (default: `body`), then
    sent with `body`: botocore computes x-amz-content-sha256 itself from what it signs."""
    headers = dict(headers or {})
    url = "http://%s%s" % (host or "127.0.0.1:%d" % store.port, path)
    req = AWSRequest(method=method, url=url,
                     data=body if signed_body is None else signed_body, headers=headers)
    creds = Credentials(store.access_key, secret or store.secret_key)
    botocore.auth.S3SigV4Auth(creds, "s3", store.region).add_auth(req)
    send_headers = dict(req.headers.items())
    send_headers["Host"] = host or "127.0.0.1:%d" % store.port
    return raw(store, method, path, send_headers, body)


def absent(s3, key, bucket=BUCKET):
    code, status = client_error(lambda: s3.head_object(Bucket=bucket, Key=key))
    assert status == 404, (key, code, status)


# ---------------------------------------------------------------- presigned PUT / GET


def check_presigned_put_then_get(store, s3):
    body = b"\x89PNG\r\n\x1a\n" + os.urandom(2000)
    url = s3.generate_presigned_url(
        "put_object", Params={"Bucket": BUCKET, "Key": "img/a b+c.png", "ContentType": "image/png"},
        ExpiresIn=300)
    status, _, data = url_request("PUT", url, {"Content-Type": "image/png"}, body)
    assert status == 200, (status, data)
    get_url = s3.generate_presigned_url("get_object",
                                        Params={"Bucket": BUCKET, "Key": "img/a b+c.png"})
    status, headers, data = url_request("GET", get_url)
    assert status == 200 and data == body, status
    assert headers["content-type"] == "image/png"
    assert headers.get("x-content-type-options") == "nosniff"
    assert headers["etag"] == '"%s"' % hashlib.md5(body).hexdigest()


def check_presigned_put_rejections(store, s3):
    key = "reject/target.png"
    url = s3.generate_presigned_url(
        "put_object",
        Params={"Bucket": BUCKET, "Key": key, "ContentType": "image/png", "ContentLength": 10},
        ExpiresIn=300)
    assert "content-length" in urllib.parse.unquote(url).lower(), url
    good_headers = {"Content-Type": "image/png"}

    # Tampered signature: last hex digit changed.
    tampered = url[:-1] + ("0" if url[-1] != "0" else "1")
    status, _, data = url_request("PUT", tampered, good_headers, b"0123456789")
    assert (status, error_code_of(data)) == (403, "SignatureDoesNotMatch"), (status, data)

    # The same URL used for another key, or with another method.
    other_key = url.replace("/reject/target.png", "/reject/other.png")
    status, _, data = url_request("PUT", other_key, good_headers, b"0123456789")
    assert (status, error_code_of(data)) == (403, "SignatureDoesNotMatch"), (status, data)
    status, _, data = url_request("DELETE", url)
    assert status == 403, (status, data)

    # A Content-Type or a length other than the signed one.
    status, _, data = url_request("PUT", url, {"Content-Type": "text/html"}, b"0123456789")
    assert (status, error_code_of(data)) == (403, "SignatureDoesNotMatch"), (status, data)
    status, _, data = url_request("PUT", url, good_headers, b"0123456789abc")
    assert (status, error_code_of(data)) == (403, "SignatureDoesNotMatch"), (status, data)

    # Expired: signed with botocore's clock frozen in 2020, valid for 60 s.
    with frozen_clock():
        expired = s3.generate_presigned_url(
            "put_object", Params={"Bucket": BUCKET, "Key": key, "ContentType": "image/png"},
            ExpiresIn=60)
    assert "X-Amz-Date=20200101T120000Z" in expired
    status, _, data = url_request("PUT", expired, good_headers, b"0123456789")
    assert (status, error_code_of(data)) == (403, "AccessDenied"), (status, data)

    # Anonymous PUT, and a wrong secret.
    status, _, data = raw(store, "PUT", "/%s/%s" % (BUCKET, key), good_headers, b"0123456789")
    assert (status, error_code_of(data)) == (403, "AccessDenied"), (status, data)
    wrong = store.boto3_client(secret_key="not-the-secret")
    assert client_error(lambda: wrong.put_object(Bucket=BUCKET, Key=key, Body=b"x")) == (
        "SignatureDoesNotMatch", 403)

    # The body differs from the signed x-amz-content-sha256, or from Content-MD5.
    status, _, data = signed(store, "PUT", "/%s/%s" % (BUCKET, key), b"B" * 10,
                             signed_body=b"A" * 10)
    assert (status, error_code_of(data)) == (400, "XAmzContentSHA256Mismatch"), (status, data)
    md5 = base64.b64encode(hashlib.md5(b"A" * 10).digest()).decode()
    status, _, data = signed(store, "PUT", "/%s/%s" % (BUCKET, key), b"B" * 10,
                             headers={"Content-MD5": md5})
    assert (status, error_code_of(data)) == (400, "BadDigest"), (status, data)
    sha = base64.b64encode(hashlib.sha256(b"A" * 10).digest()).decode()
    status, _, data = signed(store, "PUT", "/%s/%s" % (BUCKET, key), b"B" * 10,
                             headers={"x-amz-checksum-sha256": sha})
    assert (status, error_code_of(data)) == (400, "BadDigest"), (status, data)

    absent(s3, key)
    absent(s3, "reject/other.png")
    listed = s3.list_objects_v2(Bucket=BUCKET, Prefix="reject/")
    assert listed["KeyCount"] == 0, listed


def check_presigned_get_rejections(store, s3):
    s3.put_object(Bucket=BUCKET, Key="private/doc.txt", Body=b"secret")
    url = s3.generate_presigned_url("get_object",
                                    Params={"Bucket": BUCKET, "Key": "private/doc.txt"})
    status, _, data = url_request("GET", url.replace("doc.txt", "doc2.txt"))
    assert (status, error_code_of(data)) == (403, "SignatureDoesNotMatch"), (status, data)
    status, _, data = url_request("GET", url.replace("X-Amz-Expires=3600", "X-Amz-Expires=7200"))
    assert (status, error_code_of(data)) == (403, "SignatureDoesNotMatch"), (status, data)
    status, _, data = raw(store, "GET", "/%s/private/doc.txt" % BUCKET)
    assert (status, error_code_of(data)) == (403, "AccessDenied"), (status, data)


# ---------------------------------------------------------------- POST object


def check_presigned_post(store, s3):
    post = s3.generate_presigned_post(
        BUCKET, "posted/${filename}",
        Fields={"Content-Type": "image/jpeg"},
        Conditions=[{"Content-Type": "image/jpeg"}, ["content-length-range", 1, 1000],
                    ["starts-with", "$key", "posted/"]],
        ExpiresIn=300)
    body = b"\xff\xd8\xff\xe0" + b"j" * 500
    res = requests.post(post["url"], data=post["fields"],
                        files={"file": ("photo.jpg", body, "image/jpeg")}, timeout=60)
    assert res.status_code == 204, (res.status_code, res.text)
    got = s3.get_object(Bucket=BUCKET, Key="posted/photo.jpg")
    assert got["Body"].read() == body
    assert got["ContentType"] == "image/jpeg"

    # success_action_status=201 answers a PostResponse document.
    post201 = s3.generate_presigned_post(
        BUCKET, "posted/201.jpg", Fields={"success_action_status": "201"},
        Conditions=[{"success_action_status": "201"}], ExpiresIn=300)
    res = requests.post(post201["url"], data=post201["fields"],
                        files={"file": ("x.jpg", b"abc")}, timeout=60)
    assert res.status_code == 201, (res.status_code, res.text)
    assert "<PostResponse>" in res.text and "<Key>posted/201.jpg</Key>" in res.text, res.text

    # Too big for content-length-range, another Content-Type, a tampered policy or signature.
    res = requests.post(post["url"], data=post["fields"],
                        files={"file": ("big.jpg", b"x" * 1001, "image/jpeg")}, timeout=60)
    assert res.status_code == 400 and "<Code>EntityTooLarge</Code>" in res.text, res.text
    fields = dict(post["fields"], **{"Content-Type": "text/html"})
    res = requests.post(post["url"], data=fields,
                        files={"file": ("evil.jpg", b"<script>", "text/html")}, timeout=60)
    assert res.status_code == 403 and "<Code>AccessDenied</Code>" in res.text, res.text
    fields = dict(post["fields"])
    policy = base64.b64decode(fields["policy"]).replace(b"1000", b"9999")
    fields["policy"] = base64.b64encode(policy).decode()
    res = requests.post(post["url"], data=fields,
                        files={"file": ("tampered.jpg", b"x" * 2000)}, timeout=60)
    assert res.status_code == 403 and "<Code>SignatureDoesNotMatch</Code>" in res.text, res.text
    fields = dict(post["fields"])
    fields["x-amz-signature"] = fields["x-amz-signature"][:-1] + (
        "0" if fields["x-amz-signature"][-1] != "0" else "1")
    res = requests.post(post["url"], data=fields, files={"file": ("sig.jpg", b"x")}, timeout=60)
    assert res.status_code == 403 and "<Code>SignatureDoesNotMatch</Code>" in res.text, res.text
    # No file part at all.
    res = requests.post(post["url"], data=post["fields"], files={"other": ("a", b"b")},
                        timeout=60)
    assert res.status_code == 400 and \
        "<Code>IncorrectNumberOfFilesInPostRequest</Code>" in res.text, res.text
    # Form fields before the file above S3's 20 KiB limit (x-ignore-* needs no condition).
    res = requests.post(post["url"], data=dict(post["fields"], **{"x-ignore-pad": "p" * 21000}),
                        files={"file": ("pad.jpg", b"x", "image/jpeg")}, timeout=60)
    assert res.status_code == 400 and \
        "<Code>MaxPostPreDataLengthExceededError</Code>" in res.text, res.text
    # A form field that no policy condition covers.
    res = requests.post(post["url"], data=dict(post["fields"], **{"x-amz-meta-sneaky": "1"}),
                        files={"file": ("sneaky.jpg", b"x", "image/jpeg")}, timeout=60)
    assert res.status_code == 403 and "<Code>AccessDenied</Code>" in res.text, res.text
    # Fields after the file part are ignored, as S3 does.
    boundary = "onehopBoundary42"
    parts = [(name, value) for name, value in post["fields"].items()]
    body = b"".join(b'--%s\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n'
                    % (boundary.encode(), n.encode(), v.encode()) for n, v in parts)
    body += (b'--%s\r\nContent-Disposition: form-data; name="file"; filename="after.jpg"\r\n'
             b"Content-Type: image/jpeg\r\n\r\nJPEGDATA\r\n" % boundary.encode())
    body += (b'--%s\r\nContent-Disposition: form-data; name="x-amz-meta-after"\r\n\r\n1\r\n'
             b"--%s--\r\n" % (boundary.encode(), boundary.encode()))
    res = requests.post(post["url"], data=body, timeout=60, headers={
        "Content-Type": "multipart/form-data; boundary=" + boundary})
    assert res.status_code == 204, (res.status_code, res.text)
    head = s3.head_object(Bucket=BUCKET, Key="posted/after.jpg")
    assert head["ContentLength"] == 8 and "after" not in head["Metadata"], head
    # Expired policy.
    with frozen_clock():
        old = s3.generate_presigned_post(BUCKET, "posted/old.jpg", ExpiresIn=60)
    assert base64.b64decode(old["fields"]["policy"]).startswith(
        b'{"expiration": "2020-01-01T12:01:00Z"'), old
    res = requests.post(old["url"], data=old["fields"], files={"file": ("old.jpg", b"x")},
                        timeout=60)
    assert res.status_code == 403 and "<Code>AccessDenied</Code>" in res.text, (
        res.status_code, res.text, old["fields"])
    for key in ("posted/big.jpg", "posted/evil.jpg", "posted/tampered.jpg", "posted/sig.jpg",
                "posted/old.jpg", "posted/pad.jpg", "posted/sneaky.jpg"):
        absent(s3, key)


# ---------------------------------------------------------------- multipart


def check_multipart_upload(store, s3):
    key = "multi/big.bin"
    parts_data = [os.urandom(5 * MIB), os.urandom(5 * MIB), os.urandom(1234)]
    up = s3.create_multipart_upload(Bucket=BUCKET, Key=key, ContentType="video/mp4")
    uid = up["UploadId"]
    etags = []
    for n, data in enumerate(parts_data, start=1):
        url = s3.generate_presigned_url(
            "upload_part", Params={"Bucket": BUCKET, "Key": key, "UploadId": uid,
                                   "PartNumber": n})
        status, headers, body = url_request("PUT", url, {}, data)
        assert status == 200, (status, body)
        assert headers["etag"] == '"%s"' % hashlib.md5(data).hexdigest()
        etags.append(headers["etag"])
    first = s3.list_parts(Bucket=BUCKET, Key=key, UploadId=uid, MaxParts=2)
    assert [p["PartNumber"] for p in first["Parts"]] == [1, 2] and first["IsTruncated"]
    rest = s3.list_parts(Bucket=BUCKET, Key=key, UploadId=uid,
                         PartNumberMarker=first["NextPartNumberMarker"])
    assert [p["PartNumber"] for p in rest["Parts"]] == [3] and not rest["IsTruncated"]
    assert rest["Parts"][0]["Size"] == 1234
    uploads = s3.list_multipart_uploads(Bucket=BUCKET)
    assert any(u["UploadId"] == uid for u in uploads.get("Uploads", []))

    done = s3.complete_multipart_upload(
        Bucket=BUCKET, Key=key, UploadId=uid,
        MultipartUpload={"Parts": [{"PartNumber": i + 1, "ETag": e} for i, e in enumerate(etags)]})
    expected = hashlib.md5(b"".join(hashlib.md5(d).digest() for d in parts_data)).hexdigest()
    assert done["ETag"] == '"%s-3"' % expected, done["ETag"]
    got = s3.get_object(Bucket=BUCKET, Key=key)
    assert got["ContentType"] == "video/mp4"
    assert got["Body"].read() == b"".join(parts_data)
    assert client_error(lambda: s3.list_parts(Bucket=BUCKET, Key=key, UploadId=uid))[0] == \
        "NoSuchUpload"


def check_multipart_abort_and_errors(store, s3):
    key = "multi/aborted.bin"
    uid = s3.create_multipart_upload(Bucket=BUCKET, Key=key)["UploadId"]
    small = [s3.upload_part(Bucket=BUCKET, Key=key, UploadId=uid, PartNumber=n,
                            Body=b"%d" % n * 100)["ETag"] for n in (1, 2)]
    # A part below 5 MiB that is not the last, parts out of order, a wrong ETag.
    assert client_error(lambda: s3.complete_multipart_upload(
        Bucket=BUCKET, Key=key, UploadId=uid,
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": small[0]},
                                   {"PartNumber": 2, "ETag": small[1]}]}))[0] == "EntityTooSmall"
    assert client_error(lambda: s3.complete_multipart_upload(
        Bucket=BUCKET, Key=key, UploadId=uid,
        MultipartUpload={"Parts": [{"PartNumber": 2, "ETag": small[1]},
                                   {"PartNumber": 1, "ETag": small[0]}]}))[0] == "InvalidPartOrder"
    assert client_error(lambda: s3.complete_multipart_upload(
        Bucket=BUCKET, Key=key, UploadId=uid,
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": '"%s"' % ("0" * 32)}]}))[0] == \
        "InvalidPart"
    assert client_error(lambda: s3.upload_part(Bucket=BUCKET, Key=key, UploadId=uid,
                                               PartNumber=10001, Body=b"x"))[1] == 400
    s3.abort_multipart_upload(Bucket=BUCKET, Key=key, UploadId=uid)
    assert client_error(lambda: s3.list_parts(Bucket=BUCKET, Key=key, UploadId=uid))[0] == \
        "NoSuchUpload"
    uploads = s3.list_multipart_uploads(Bucket=BUCKET)
    assert all(u["UploadId"] != uid for u in uploads.get("Uploads", []))
    absent(s3, key)


# ---------------------------------------------------------------- listings


LIST_KEYS = ["a/1", "a/2", "a/b/3", "a/b/4", "b/1", "c", "d.txt", "e/f/g/h", "unicode/é",
             "unicode/z", "unicode/日本", "sp ace/+plus", "pct/%2F", "x//y", "zz/"]


def check_list_objects_v2_paging(store, s3):
    s3.create_bucket(Bucket="listing")
    for key in LIST_KEYS:
        s3.put_object(Bucket="listing", Key=key, Body=key.encode())
    by_bytes = sorted(LIST_KEYS, key=lambda k: k.encode("utf-8"))

    def collect(**kwargs):
        keys, prefixes, token, pages = [], [], None, 0
        while True:
            args = dict(kwargs)
            if token:
                args["ContinuationToken"] = token
            page = s3.list_objects_v2(Bucket="listing", **args)
            pages += 1
            assert page["KeyCount"] == len(page.get("Contents", [])) + len(
                page.get("CommonPrefixes", [])), page
            keys += [o["Key"] for o in page.get("Contents", [])]
            prefixes += [p["Prefix"] for p in page.get("CommonPrefixes", [])]
            if not page["IsTruncated"]:
                return keys, prefixes, pages
            token = page["NextContinuationToken"]

    keys, prefixes, pages = collect(MaxKeys=4)
    assert keys == by_bytes and prefixes == [] and pages == 4, (keys, pages)

    keys, prefixes, pages = collect(Delimiter="/", MaxKeys=2)
    assert keys == ["c", "d.txt"], keys
    assert prefixes == ["a/", "b/", "e/", "pct/", "sp ace/", "unicode/", "x/", "zz/"], prefixes

    keys, prefixes, _ = collect(Prefix="a/", Delimiter="/", MaxKeys=1)
    assert keys == ["a/1", "a/2"] and prefixes == ["a/b/"], (keys, prefixes)

    keys, _, _ = collect(Prefix="unicode/")
    assert keys == ["unicode/z", "unicode/é", "unicode/日本"], keys

    keys, _, _ = collect(StartAfter="sp ace/+plus")
    assert keys == by_bytes[by_bytes.index("sp ace/+plus") + 1:], keys

    page = s3.list_objects_v2(Bucket="listing", Prefix="x/", Delimiter="/")
    assert [p["Prefix"] for p in page["CommonPrefixes"]] == ["x//"], page

    page = s3.list_objects_v2(Bucket="listing", MaxKeys=0)
    assert page["KeyCount"] == 0 and "Contents" not in page, page

    page = s3.list_objects_v2(Bucket="listing", Prefix="a/1", FetchOwner=True)
    assert page["Contents"][0]["Size"] == 3 and "Owner" in page["Contents"][0], page

    # ListObjects (v1) with marker paging, as s3cmd and older SDKs use it.
    v1 = s3.list_objects(Bucket="listing", MaxKeys=5)
    assert [o["Key"] for o in v1["Contents"]] == by_bytes[:5] and v1["IsTruncated"], v1
    v1 = s3.list_objects(Bucket="listing", Marker=by_bytes[4])
    assert [o["Key"] for o in v1["Contents"]] == by_bytes[5:], v1


# ---------------------------------------------------------------- ranges, conditionals, metadata


def check_ranges(store, s3):
    body = bytes(range(256)) * 4
    s3.put_object(Bucket=BUCKET, Key="range.bin", Body=body)
    for header, expected, content_range in [
            ("bytes=0-9", body[0:10], "bytes 0-9/1024"),
            ("bytes=1000-", body[1000:], "bytes 1000-1023/1024"),
            ("bytes=-24", body[-24:], "bytes 1000-1023/1024"),
            ("bytes=1020-5000", body[1020:], "bytes 1020-1023/1024")]:
        got = s3.get_object(Bucket=BUCKET, Key="range.bin", Range=header)
        assert got["Body"].read() == expected, header
        assert got["ContentRange"] == content_range, (header, got["ContentRange"])
        assert got["ResponseMetadata"]["HTTPStatusCode"] == 206
    assert client_error(lambda: s3.get_object(Bucket=BUCKET, Key="range.bin",
                                              Range="bytes=1024-")) == ("InvalidRange", 416)


def check_conditionals(store, s3):
    put = s3.put_object(Bucket=BUCKET, Key="cond.txt", Body=b"v1")
    etag = put["ETag"]
    head = s3.head_object(Bucket=BUCKET, Key="cond.txt")
    modified = head["LastModified"]
    assert s3.get_object(Bucket=BUCKET, Key="cond.txt", IfMatch=etag)["Body"].read() == b"v1"
    assert client_error(lambda: s3.get_object(Bucket=BUCKET, Key="cond.txt",
                                              IfMatch='"nope"')) == ("PreconditionFailed", 412)
    assert client_error(lambda: s3.get_object(Bucket=BUCKET, Key="cond.txt",
                                              IfNoneMatch=etag))[1] == 304
    later = modified + datetime.timedelta(days=1)
    earlier = modified - datetime.timedelta(days=1)
    assert client_error(lambda: s3.get_object(Bucket=BUCKET, Key="cond.txt",
                                              IfModifiedSince=later))[1] == 304
    assert s3.get_object(Bucket=BUCKET, Key="cond.txt", IfModifiedSince=earlier)["Body"].read()
    assert client_error(lambda: s3.get_object(Bucket=BUCKET, Key="cond.txt",
                                              IfUnmodifiedSince=earlier)) == (
        "PreconditionFailed", 412)
    # PUT with If-None-Match: * refuses to overwrite, and creates when absent.
    status, _, data = signed(store, "PUT", "/%s/cond.txt" % BUCKET, b"v2",
                             headers={"If-None-Match": "*"})
    assert (status, error_code_of(data)) == (412, "PreconditionFailed"), (status, data)
    assert s3.get_object(Bucket=BUCKET, Key="cond.txt")["Body"].read() == b"v1"
    status, _, data = signed(store, "PUT", "/%s/cond-new.txt" % BUCKET, b"new",
                             headers={"If-None-Match": "*"})
    assert status == 200, (status, data)


def check_metadata_and_overrides(store, s3):
    s3.put_object(Bucket=BUCKET, Key="meta.html", Body=b"<b>x</b>", ContentType="text/html",
                  ContentDisposition='attachment; filename="x.html"', CacheControl="max-age=60",
                  ContentLanguage="en", ContentEncoding="identity",
                  Expires=datetime.datetime(2030, 1, 1, tzinfo=datetime.timezone.utc),
                  Metadata={"owner": "alice", "Camel": "Case"})
    head = s3.head_object(Bucket=BUCKET, Key="meta.html")
    assert head["ContentType"] == "text/html"
    assert head["ContentDisposition"] == 'attachment; filename="x.html"'
    assert head["CacheControl"] == "max-age=60"
    assert head["ContentLanguage"] == "en"
    assert head["ContentEncoding"] == "identity"
    assert head["Metadata"] == {"owner": "alice", "camel": "Case"}, head["Metadata"]
    assert head["ContentLength"] == 8
    assert head["ResponseMetadata"]["HTTPHeaders"].get("x-content-type-options") == "nosniff"
    got = s3.get_object(Bucket=BUCKET, Key="meta.html", ResponseContentType="text/plain",
                        ResponseContentDisposition="inline", ResponseCacheControl="no-store")
    assert got["ContentType"] == "text/plain" and got["ContentDisposition"] == "inline"
    assert got["CacheControl"] == "no-store"


def check_keys_are_opaque(store, s3):
    keys = ["../escape", "a//b", "/lead", "trail/", "100%", "a+b", "sp ace", "日本/😀", "." , "..",
            "k" * 1024]
    for key in keys:
        s3.put_object(Bucket=BUCKET, Key=key, Body=key.encode())
    for key in keys:
        assert s3.get_object(Bucket=BUCKET, Key=key)["Body"].read() == key.encode(), key
    assert client_error(lambda: s3.put_object(Bucket=BUCKET, Key="k" * 1025, Body=b"x")) == (
        "KeyTooLongError", 400)
    for root, _dirs, files in os.walk(store.data_dir):
        for f in files + _dirs:
            assert f not in ("escape", "lead", "b") and not f.startswith("sp ace"), (root, f)


def check_delete_objects(store, s3):
    for key in ("del/1", "del/2", "del/3"):
        s3.put_object(Bucket=BUCKET, Key=key, Body=b"x")
    res = s3.delete_objects(Bucket=BUCKET, Delete={"Objects": [
        {"Key": "del/1"}, {"Key": "del/2"}, {"Key": "del/missing"}]})
    assert sorted(d["Key"] for d in res["Deleted"]) == ["del/1", "del/2", "del/missing"], res
    quiet = s3.delete_objects(Bucket=BUCKET, Delete={"Objects": [{"Key": "del/3"}],
                                                      "Quiet": True})
    assert "Deleted" not in quiet, quiet
    assert s3.list_objects_v2(Bucket=BUCKET, Prefix="del/")["KeyCount"] == 0


def check_virtual_hosted_request(store, s3):
    s3.put_object(Bucket=BUCKET, Key="vh/key.txt", Body=b"virtual")
    status, _, data = signed(store, "GET", "/vh/key.txt",
                             host="%s.localhost:%d" % (BUCKET, store.port))
    assert status == 200 and data == b"virtual", (status, data)


def check_bucket_lifecycle_and_errors(store, s3):
    s3.create_bucket(Bucket="tmp-bucket")
    s3.put_object(Bucket="tmp-bucket", Key="k", Body=b"x")
    assert client_error(lambda: s3.delete_bucket(Bucket="tmp-bucket")) == ("BucketNotEmpty", 409)
    s3.delete_object(Bucket="tmp-bucket", Key="k")
    s3.delete_bucket(Bucket="tmp-bucket")
    assert client_error(lambda: s3.head_bucket(Bucket="tmp-bucket"))[1] == 404
    assert client_error(lambda: s3.get_object(Bucket=BUCKET, Key="nothing-here")) == (
        "NoSuchKey", 404)
    assert client_error(lambda: s3.get_bucket_acl(Bucket=BUCKET)) == ("NotImplemented", 501)
    status, _, data = signed(store, "PUT", "/Invalid_Bucket")
    assert (status, error_code_of(data)) == (400, "InvalidBucketName"), (status, data)


def check_cors_and_policy_via_api(store, s3):
    s3.create_bucket(Bucket="web")
    s3.put_bucket_cors(Bucket="web", CORSConfiguration={"CORSRules": [{
        "AllowedOrigins": ["https://app.example.com"], "AllowedMethods": ["PUT", "POST"],
        "AllowedHeaders": ["*"], "ExposeHeaders": ["ETag"], "MaxAgeSeconds": 600}]})
    rules = s3.get_bucket_cors(Bucket="web")["CORSRules"]
    assert rules[0]["AllowedOrigins"] == ["https://app.example.com"], rules
    status, headers, _ = raw(store, "OPTIONS", "/web/upload.png", {
        "Origin": "https://app.example.com", "Access-Control-Request-Method": "PUT",
        "Access-Control-Request-Headers": "content-type"})
    assert status == 200, status
    assert headers["access-control-allow-origin"] == "https://app.example.com"
    assert "PUT" in headers["access-control-allow-methods"]
    assert headers["access-control-max-age"] == "600"
    status, _, data = raw(store, "OPTIONS", "/web/upload.png", {
        "Origin": "https://evil.test", "Access-Control-Request-Method": "PUT"})
    assert status == 403, (status, data)
    # The actual request exposes ETag to the page.
    url = s3.generate_presigned_url("put_object", Params={"Bucket": "web", "Key": "c.txt"})
    status, headers, _ = url_request("PUT", url, {"Origin": "https://app.example.com"}, b"c")
    assert status == 200 and headers.get("access-control-expose-headers") == "ETag", headers

    s3.put_object(Bucket="web", Key="public/a.txt", Body=b"public")
    s3.put_object(Bucket="web", Key="private/b.txt", Body=b"private")
    anon = store.anonymous_client()
    assert client_error(lambda: anon.get_object(Bucket="web", Key="public/a.txt"))[1] == 403
    policy = ('{"Version":"2012-10-17","Statement":[{"Sid":"PublicRead","Effect":"Allow",'
              '"Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::web/public/*"}]}')
    s3.put_bucket_policy(Bucket="web", Policy=policy)
    assert s3.get_bucket_policy(Bucket="web")["Policy"] == policy
    assert anon.get_object(Bucket="web", Key="public/a.txt")["Body"].read() == b"public"
    assert client_error(lambda: anon.get_object(Bucket="web", Key="private/b.txt"))[1] == 403
    assert client_error(lambda: anon.put_object(Bucket="web", Key="public/x", Body=b"x"))[1] == 403
    assert client_error(lambda: s3.put_bucket_policy(Bucket="web", Policy=policy.replace(
        "Allow", "Deny")))[0] in ("NotImplemented", "MalformedPolicy")
    assert client_error(lambda: s3.put_bucket_policy(Bucket="web", Policy="{nope"))[0] == \
        "MalformedPolicy"
    s3.delete_bucket_policy(Bucket="web")
    assert client_error(lambda: anon.get_object(Bucket="web", Key="public/a.txt"))[1] == 403


def main():
    with Store(buckets=[BUCKET]) as store:
        s3 = store.boto3_client()
        run_checks([
            check_presigned_put_then_get,
            check_presigned_put_rejections,
            check_presigned_get_rejections,
            check_presigned_post,
            check_multipart_upload,
            check_multipart_abort_and_errors,
            check_list_objects_v2_paging,
            check_ranges,
            check_conditionals,
            check_metadata_and_overrides,
            check_keys_are_opaque,
            check_delete_objects,
            check_virtual_hosted_request,
            check_bucket_lifecycle_and_errors,
            check_cors_and_policy_via_api,
        ], store, s3)


if __name__ == "__main__":
    main()
