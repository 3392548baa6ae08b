-- wrk script: Uppy Companion's single-upload route, as @uppy/aws-s3 calls it
-- (GET /s3/params?filename=<name>&type=<type>; the v6 client sends no auth header and no cookie).
-- Env: BENCH_PATH overrides the path and query.
wrk.method = "GET"
wrk.path = os.getenv("BENCH_PATH") or "/s3/params?filename=cat.png&type=image%2Fpng"
