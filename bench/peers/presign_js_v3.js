'use strict';
// Presigned PUT URLs per second with the AWS SDK for JavaScript v3:
// getSignedUrl(client, new PutObjectCommand(...)) from @aws-sdk/s3-request-presigner.
const { S3Client, PutObjectCommand } = require('@aws-sdk/client-s3');
const { getSignedUrl } = require('@aws-sdk/s3-request-presigner');
const { shape, keyFor, parseArgs, startTimer, report } = require('./common');

const args = parseArgs(process.argv);

const client = new S3Client({
  endpoint: shape.endpoint,
  region: shape.region,
  forcePathStyle: true,
  credentials: { accessKeyId: shape.accessKeyId, secretAccessKey: shape.secretAccessKey },
  // Without this, v3 adds a CRC32 of the empty body to every PutObject URL, which no other
  // contender computes and which a real upload would fail.
  requestChecksumCalculation: 'WHEN_REQUIRED',
});
// v3 signs only host unless told; the others sign Content-Type, so v3 does too.
const signableHeaders = new Set(['content-type']);

function sign(i) {
  const command = new PutObjectCommand({
    Bucket: shape.bucket,
    Key: keyFor(i),
    ContentType: shape.contentType,
  });
  const options = { expiresIn: shape.expires, signableHeaders };
  if (args.date) {
    options.signingDate = args.date;
  }
  return getSignedUrl(client, command, options);
}

async function main() {
  const firstUrl = await sign(0);
  for (let i = 1; i <= args.warmup; ++i) {
    await sign(i);
  }
  let sink = 0;
  const stop = startTimer();
  for (let i = 0; i < args.count; ++i) {
    sink += (await sign(i)).length;
  }
  const elapsed = stop();
  if (sink === 0) {
    throw new Error('no output');
  }
  report('aws-sdk-js-v3', args.count, elapsed, firstUrl);
}

main().catch((err) => {
  process.stderr.write(`${err.stack || err}\n`);
  process.exit(1);
});
