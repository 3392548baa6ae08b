-- wrk script: the same POST with a JSON body and a Bearer token on every request.
-- Env: BENCH_TOKEN (required), BENCH_PATH (default /api/uploads),
--      BENCH_BODY (default onehop's create-upload body).
-- Only globals: no request()/response() function, so wrk pre-builds the request once and stays
-- as fast as it can be (a Lua callback per request would make wrk the bottleneck).
local token = os.getenv("BENCH_TOKEN")
if token == nil or token == "" then
  error("BENCH_TOKEN is not set")
end
wrk.method = "POST"
wrk.path = os.getenv("BENCH_PATH") or "/api/uploads"
wrk.body = os.getenv("BENCH_BODY") or '{"filename":"cat.png","contentType":"image/png","size":123456}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. token
