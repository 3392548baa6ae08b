"""Presigned PUT URLs per second with botocore's generate_presigned_url (pure-Python signer).

Same request shape as bench/peers/common.js. Run with /usr/bin/python3 (Debian's botocore) and
BOTO_DISABLE_CRT=true. Prints the same two lines as the JS peers.
"""

import argparse
import datetime
import os
import sys
import time

os.environ.setdefault("BOTO_DISABLE_CRT", "true")

import botocore.auth  # noqa: E402
import botocore.session  # noqa: E402
from botocore.config import Config  # noqa: E402

SHAPE = {
    "endpoint": "http://127.0.0.1:9000",
    "region": "us-east-1",
    "bucket": "bench-bucket",
    "content_type": "image/jpeg",
    "expires": 3600,
    "access_key_id": "AKIAIOSFODNN7EXAMPLE",
    "secret_access_key": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
}


def key_for(i):
    return f"uploads/u{i % 1000}/img-{i}.jpg"


class _FrozenDatetime(datetime.datetime):
    frozen = None

    @classmethod
    def utcnow(cls):
        return cls.frozen


class _FrozenModule:
    datetime = _FrozenDatetime


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=20000)
    parser.add_argument("--warmup", type=int, default=500)
    parser.add_argument("--date", help="YYYYMMDDTHHMMSSZ: freeze botocore's signing clock")
    args = parser.parse_args()

    if args.date:
        # botocore.auth reads the clock only through datetime.datetime.utcnow().
        _FrozenDatetime.frozen = datetime.datetime.strptime(args.date, "%Y%m%dT%H%M%SZ")
        botocore.auth.datetime = _FrozenModule

    session = botocore.session.get_session()
    client = session.create_client(
        "s3",
        region_name=SHAPE["region"],
        endpoint_url=SHAPE["endpoint"],
        aws_access_key_id=SHAPE["access_key_id"],
        aws_secret_access_key=SHAPE["secret_access_key"],
        config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
    )

    def sign(i):
        return client.generate_presigned_url(
            "put_object",
            Params={"Bucket": SHAPE["bucket"], "Key": key_for(i), "ContentType": SHAPE["content_type"]},
            ExpiresIn=SHAPE["expires"],
        )

    first_url = sign(0)
    for i in range(1, args.warmup + 1):
        sign(i)
    sink = 0
    start, start_cpu = time.perf_counter(), time.process_time()
    for i in range(args.count):
        sink += len(sign(i))
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - start_cpu
    if sink == 0:
        raise SystemExit("no output")
    sys.stdout.write(f"first_url {first_url}\n")
    sys.stdout.write(
        f"contender botocore count {args.count} seconds {seconds:.6f} cpu_seconds {cpu_seconds:.6f} "
        f"urls_per_second {args.count / seconds:.0f} urls_per_cpu_second {args.count / cpu_seconds:.0f}\n"
    )


if __name__ == "__main__":
    main()
