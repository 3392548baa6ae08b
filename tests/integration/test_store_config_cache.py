"""The store front end's cached bucket configuration and its header limit, over real HTTP.

The CORS rules and bucket policy are parsed once and cached in memory; every Put/Delete of them
(and DeleteBucket) must take effect on the very next request, which this checks after each
change with a raw request (a CORS preflight, an Origin-carrying GET, an anonymous GET).
The header limit (16 KiB by default: request line + fields + blank line) is checked at N and
N+1 bytes: N is served, N+1 is S3's 400 RequestHeaderSectionTooLarge XML document.
Writes asking for server-side encryption are refused (501 NotImplemented), not stored in clear.
"""

import http.client
import os
import socket
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from store_harness import Store, run_checks  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402

HEADER_LIMIT = 16 * 1024
POLICY = ('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*",'
          '"Action":"s3:GetObject","Resource":"arn:aws:s3:::cfg/public/*"}]}')
RULES = {"CORSRules": [{"AllowedOrigins": ["http://app.test"], "AllowedMethods": ["PUT", "GET"],
                        "AllowedHeaders": ["*"], "ExposeHeaders": ["ETag"]}]}


def raw(port, method, path, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request(method, path, headers=headers or {})
    res = conn.getresponse()
    data = res.read()
    conn.close()
    return res.status, dict((k.lower(), v) for k, v in res.getheaders()), data


def preflight(port):
    return raw(port, "OPTIONS", "/cfg/public/a.txt", headers={
        "Origin": "http://app.test", "Access-Control-Request-Method": "PUT"})[0]


def check_cors_put_delete_next_request(store):
    s3 = store.boto3_client()
    port = store.port
    assert preflight(port) == 403  # no configuration yet (and now cached as "none")
    s3.put_bucket_cors(Bucket="cfg", CORSConfiguration=RULES)
    assert preflight(port) == 200
    # An actual request with Origin gets the CORS headers from the same cached rules.
    s3.put_object(Bucket="cfg", Key="public/a.txt", Body=b"a")
    s3.put_bucket_policy(Bucket="cfg", Policy=POLICY)
    status, headers, _ = raw(port, "GET", "/cfg/public/a.txt", headers={"Origin": "http://app.test"})
    assert status == 200 and headers.get("access-control-allow-origin") == "http://app.test", \
        (status, headers)
    # A replaced configuration: the old origin is refused on the next request.
    s3.put_bucket_cors(Bucket="cfg", CORSConfiguration={"CORSRules": [{
        "AllowedOrigins": ["http://other.test"], "AllowedMethods": ["PUT"]}]})
    assert preflight(port) == 403
    status, headers, _ = raw(port, "GET", "/cfg/public/a.txt", headers={"Origin": "http://app.test"})
    assert status == 200 and "access-control-allow-origin" not in headers, headers
    s3.put_bucket_cors(Bucket="cfg", CORSConfiguration=RULES)
    assert preflight(port) == 200
    s3.delete_bucket_cors(Bucket="cfg")
    assert preflight(port) == 403
    s3.delete_bucket_policy(Bucket="cfg")


def check_policy_put_delete_next_request(store):
    s3 = store.boto3_client()
    port = store.port
    s3.put_object(Bucket="cfg", Key="public/p.txt", Body=b"public")
    assert raw(port, "GET", "/cfg/public/p.txt")[0] == 403
    s3.put_bucket_policy(Bucket="cfg", Policy=POLICY)
    status, _, data = raw(port, "GET", "/cfg/public/p.txt")
    assert status == 200 and data == b"public", (status, data)
    s3.delete_bucket_policy(Bucket="cfg")
    assert raw(port, "GET", "/cfg/public/p.txt")[0] == 403
    s3.put_bucket_policy(Bucket="cfg", Policy=POLICY)
    assert raw(port, "HEAD", "/cfg/public/p.txt")[0] == 200
    s3.delete_bucket_policy(Bucket="cfg")
    assert raw(port, "HEAD", "/cfg/public/p.txt")[0] == 403


def check_recreated_bucket_starts_clean(store):
    s3 = store.boto3_client()
    port = store.port
    s3.create_bucket(Bucket="again")
    s3.put_bucket_cors(Bucket="again", CORSConfiguration=RULES)
    status = raw(port, "OPTIONS", "/again/k", headers={
        "Origin": "http://app.test", "Access-Control-Request-Method": "PUT"})[0]
    assert status == 200
    s3.delete_bucket(Bucket="again")
    s3.create_bucket(Bucket="again")
    status = raw(port, "OPTIONS", "/again/k", headers={
        "Origin": "http://app.test", "Access-Control-Request-Method": "PUT"})[0]
    assert status == 403, status
    try:
        s3.get_bucket_cors(Bucket="again")
        raise AssertionError("expected NoSuchCORSConfiguration")
    except ClientError as e:
        assert e.response["Error"]["Code"] == "NoSuchCORSConfiguration"
    s3.delete_bucket(Bucket="again")


def send_header_of(port, total):
    head = "GET /cfg/public/none.txt HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Pad: "
    tail = "\r\nConnection: close\r\n\r\n"
    pad = total - len(head) - len(tail)
    assert pad > 0
    request = (head + "p" * pad + tail).encode()
    assert len(request) == total
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(request)
        data = b""
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    status_line, _, rest = data.partition(b"\r\n")
    return int(status_line.split()[1]), rest


def check_header_limit_n_and_n_plus_one(store):
    status, body = send_header_of(store.port, HEADER_LIMIT)
    # Within the limit: handled as a request (anonymous, no policy -> AccessDenied).
    assert status == 403 and b"<Code>AccessDenied</Code>" in body, (status, body[-400:])
    status, body = send_header_of(store.port, HEADER_LIMIT + 1)
    assert status == 400, (status, body[-400:])
    assert b"<Code>RequestHeaderSectionTooLarge</Code>" in body, body[-400:]
    assert (b"<Message>Your request header section exceeds the maximum allowed size.</Message>"
            in body), body[-400:]
    assert b"application/xml" in body.lower()


def check_server_side_encryption_refused(store):
    s3 = store.boto3_client()
    for extra in ({"ServerSideEncryption": "AES256"},
                  {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": "k"}):
        try:
            s3.put_object(Bucket="cfg", Key="sse.txt", Body=b"secret", **extra)
            raise AssertionError("expected NotImplemented for %r" % extra)
        except ClientError as e:
            assert e.response["Error"]["Code"] == "NotImplemented", e.response
            assert e.response["ResponseMetadata"]["HTTPStatusCode"] == 501
        try:
            s3.create_multipart_upload(Bucket="cfg", Key="sse.txt", **extra)
            raise AssertionError("expected NotImplemented")
        except ClientError as e:
            assert e.response["Error"]["Code"] == "NotImplemented", e.response
    try:
        s3.head_object(Bucket="cfg", Key="sse.txt")
        raise AssertionError("nothing may be stored")
    except ClientError as e:
        assert e.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    s3.put_object(Bucket="cfg", Key="plain.txt", Body=b"plain")  # without SSE: accepted


def main():
    with Store(buckets=["cfg"]) as store:
        run_checks([check_cors_put_delete_next_request, check_policy_put_delete_next_request,
                    check_recreated_bucket_starts_clean, check_header_limit_n_and_n_plus_one,
                    check_server_side_encryption_refused],
                   store)


if __name__ == "__main__":
    main()
