// The AWS SDK for JavaScript v3 (@aws-sdk/client-s3, lib-storage Upload, s3-request-presigner)
// against a real `onehop store`, with the SDK's default checksum settings: recent SDKs add a
// CRC32 checksum to every PUT/UploadPart (as a header or an aws-chunked trailer), so the store
// must accept and verify them as the SDK sends them.
//
// Runs `npm ci` in tests/integration/js when its node_modules is missing. Starts the binary from
// ONEHOP_BIN on a free 127.0.0.1 port with a temporary data folder and stops it with SIGTERM.

import { execFileSync, spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { crc32 } from "node:zlib";

const here = dirname(fileURLToPath(import.meta.url));
const jsDir = join(here, "js");
if (!existsSync(join(jsDir, "node_modules", "@aws-sdk", "client-s3"))) {
  execFileSync("npm", ["ci", "--no-audit", "--no-fund"], { cwd: jsDir, stdio: "inherit" });
}
const require = createRequire(join(jsDir, "package.json"));
const s3sdk = require("@aws-sdk/client-s3");
const { Upload } = require("@aws-sdk/lib-storage");
const { getSignedUrl } = require("@aws-sdk/s3-request-presigner");

const ACCESS = "AKIAONEHOPJSTEST";
const SECRET = "onehop-js-secret/key+0123456789";
const MIB = 1024 * 1024;

function startStore() {
  const bin = process.env.ONEHOP_BIN;
  if (!bin) throw new Error("ONEHOP_BIN is not set");
  const tmp = mkdtempSync(join(tmpdir(), "onehop-js-"));
  const proc = spawn(bin, ["store", "--listen", "127.0.0.1:0", "--data", join(tmp, "data"),
    "--threads", "2"], {
    env: { ...process.env, ONEHOP_STORE_ACCESS_KEY: ACCESS, ONEHOP_STORE_SECRET_KEY: SECRET },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  proc.stderr.on("data", (d) => { stderr += d; });
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error("store did not start: " + stderr)), 30000);
    proc.stdout.on("data", (d) => {
      out += d;
      const m = out.match(/listening on http:\/\/127\.0\.0\.1:(\d+)/);
      if (m) {
        clearTimeout(timer);
        resolve({ proc, tmp, port: Number(m[1]), stderr: () => stderr });
      }
    });
    proc.on("exit", (code) => reject(new Error(`store exited ${code}: ${stderr}`)));
  });
}

function stopStore(store) {
  return new Promise((resolve) => {
    if (store.proc.exitCode !== null) return resolve(store.proc.exitCode);
    store.proc.removeAllListeners("exit");
    store.proc.on("exit", (code) => resolve(code));
    store.proc.kill("SIGTERM");
  });
}

function assert(cond, message) {
  if (!cond) throw new Error("assertion failed: " + message);
}

const sha256 = (buf) => createHash("sha256").update(buf).digest("hex");

async function bodyBuffer(res) {
  return Buffer.from(await res.Body.transformToByteArray());
}

async function expectError(promise, name) {
  try {
    await promise;
  } catch (e) {
    assert(e.name === name || e.Code === name, `expected ${name}, got ${e.name}: ${e.message}`);
    return e;
  }
  throw new Error(`expected ${name}, the call succeeded`);
}

const checks = {
  async bucketsAndSmallObjects(s3) {
    await s3.send(new s3sdk.CreateBucketCommand({ Bucket: "js-bucket" }));
    const buckets = await s3.send(new s3sdk.ListBucketsCommand({}));
    assert(buckets.Buckets.some((b) => b.Name === "js-bucket"), "bucket listed");
    const put = await s3.send(new s3sdk.PutObjectCommand({
      Bucket: "js-bucket", Key: "hello/world.txt", Body: "hello from the JS SDK",
      ContentType: "text/plain", Metadata: { origin: "js" },
    }));
    assert(put.ETag === `"${createHash("md5").update("hello from the JS SDK").digest("hex")}"`,
      "etag " + put.ETag);
    const got = await s3.send(new s3sdk.GetObjectCommand({ Bucket: "js-bucket",
      Key: "hello/world.txt" }));
    assert((await bodyBuffer(got)).toString() === "hello from the JS SDK", "body");
    assert(got.ContentType === "text/plain", "content type");
    assert(got.Metadata.origin === "js", "metadata");
    const head = await s3.send(new s3sdk.HeadObjectCommand({ Bucket: "js-bucket",
      Key: "hello/world.txt" }));
    assert(head.ContentLength === 21, "length");
    // The SDK's default CRC32 arrived, was verified and stored.
    const withChecksum = await s3.send(new s3sdk.HeadObjectCommand({ Bucket: "js-bucket",
      Key: "hello/world.txt", ChecksumMode: "ENABLED" }));
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32("hello from the JS SDK"));
    assert(withChecksum.ChecksumCRC32 === crc.toString("base64"),
      "stored CRC32 " + withChecksum.ChecksumCRC32);
    await expectError(s3.send(new s3sdk.GetObjectCommand({ Bucket: "js-bucket", Key: "nope" })),
      "NoSuchKey");
  },

  async streamedPutOfUnknownLength(s3) {
    const data = randomBytes(300 * 1024);
    const upload = new Upload({
      client: s3, params: { Bucket: "js-bucket", Key: "stream/small.bin",
        Body: Readable.from([data.subarray(0, 1000), data.subarray(1000)]) },
    });
    await upload.done();
    const got = await s3.send(new s3sdk.GetObjectCommand({ Bucket: "js-bucket",
      Key: "stream/small.bin" }));
    assert(sha256(await bodyBuffer(got)) === sha256(data), "streamed body");
  },

  async libStorageMultipart(s3) {
    const data = randomBytes(12 * MIB + 12345);
    const upload = new Upload({
      client: s3, partSize: 5 * MIB, queueSize: 2,
      params: { Bucket: "js-bucket", Key: "multi/big.bin", Body: data,
        ContentType: "application/octet-stream" },
    });
    let parts = 0;
    upload.on("httpUploadProgress", () => { parts += 1; });
    const done = await upload.done();
    assert(/-3"$/.test(done.ETag), "multipart etag " + done.ETag);
    assert(parts >= 3, "progress events " + parts);
    const got = await s3.send(new s3sdk.GetObjectCommand({ Bucket: "js-bucket",
      Key: "multi/big.bin" }));
    assert(sha256(await bodyBuffer(got)) === sha256(data), "multipart body");
  },

  async listObjectsV2WithDelimiter(s3) {
    for (const key of ["list/a/1", "list/a/2", "list/b", "list/c/d/e"]) {
      await s3.send(new s3sdk.PutObjectCommand({ Bucket: "js-bucket", Key: key, Body: key }));
    }
    const page = await s3.send(new s3sdk.ListObjectsV2Command({ Bucket: "js-bucket",
      Prefix: "list/", Delimiter: "/" }));
    assert(JSON.stringify((page.Contents || []).map((o) => o.Key)) === '["list/b"]',
      "contents " + JSON.stringify(page.Contents));
    assert(JSON.stringify(page.CommonPrefixes.map((p) => p.Prefix)) ===
      '["list/a/","list/c/"]', "prefixes");
    const keys = [];
    for await (const p of s3sdk.paginateListObjectsV2({ client: s3, pageSize: 1 },
      { Bucket: "js-bucket", Prefix: "list/" })) {
      keys.push(...(p.Contents || []).map((o) => o.Key));
    }
    assert(JSON.stringify(keys) === '["list/a/1","list/a/2","list/b","list/c/d/e"]',
      "paged " + JSON.stringify(keys));
  },

  async presignedPutAndGet(s3, store) {
    const body = Buffer.from("presigned by the JS SDK");
    const putUrl = await getSignedUrl(s3, new s3sdk.PutObjectCommand({ Bucket: "js-bucket",
      Key: "presigned/a.txt", ContentType: "text/plain" }),
    { expiresIn: 300, signableHeaders: new Set(["content-type"]) });
    // The JS presigner signs only `host` unless asked; onehop's API signs the content type.
    assert(/X-Amz-SignedHeaders=content-type%3Bhost/.test(putUrl), "signed headers " + putUrl);
    let res = await fetch(putUrl, { method: "PUT", body, headers: { "Content-Type": "text/plain" } });
    assert(res.status === 200, "presigned put " + res.status + " " + await res.text());
    res = await fetch(putUrl, { method: "PUT", body, headers: { "Content-Type": "text/html" } });
    assert(res.status === 403, "changed content type must be refused: " + res.status);
    const getUrl = await getSignedUrl(s3, new s3sdk.GetObjectCommand({ Bucket: "js-bucket",
      Key: "presigned/a.txt" }), { expiresIn: 300 });
    res = await fetch(getUrl);
    assert(res.status === 200 && (await res.text()) === body.toString(), "presigned get");
    res = await fetch(`http://127.0.0.1:${store.port}/js-bucket/presigned/a.txt`);
    assert(res.status === 403, "anonymous get refused: " + res.status);
  },

  async deleteObjectsAndBucket(s3) {
    const listed = await s3.send(new s3sdk.ListObjectsV2Command({ Bucket: "js-bucket" }));
    const res = await s3.send(new s3sdk.DeleteObjectsCommand({ Bucket: "js-bucket",
      Delete: { Objects: listed.Contents.map((o) => ({ Key: o.Key })) } }));
    assert(res.Deleted.length === listed.Contents.length, "deleted all");
    await s3.send(new s3sdk.DeleteBucketCommand({ Bucket: "js-bucket" }));
    await expectError(s3.send(new s3sdk.HeadBucketCommand({ Bucket: "js-bucket" })), "NotFound");
  },
};

const store = await startStore();
let failed = [];
try {
  const s3 = new s3sdk.S3Client({
    endpoint: `http://127.0.0.1:${store.port}`, region: "us-east-1", forcePathStyle: true,
    credentials: { accessKeyId: ACCESS, secretAccessKey: SECRET }, maxAttempts: 1,
  });
  for (const [name, check] of Object.entries(checks)) {
    const start = Date.now();
    try {
      await check(s3, store);
      console.log(`ok    ${name.padEnd(45)} ${((Date.now() - start) / 1000).toFixed(2)}s`);
    } catch (e) {
      failed.push(name);
      console.log(`FAIL  ${name}\n${e.stack}`);
    }
  }
} finally {
  const code = await stopStore(store);
  if (code !== 0) {
    failed.push(`store exit code ${code}: ${store.stderr().slice(-2000)}`);
  }
  rmSync(store.tmp, { recursive: true, force: true });
}
if (failed.length) {
  console.log(`${failed.length} failed: ${failed.join(", ")}`);
  process.exit(1);
}
console.log(`all ${Object.keys(checks).length} checks passed`);
