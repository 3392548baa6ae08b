'use strict';
// Presigned PUT URLs per second with the AWS SDK for JavaScript v2: s3.getSignedUrl('putObject').
// v2's presigner moves every header into the query, so Content-Type is signed as a query
// parameter rather than as a signed header: the same work, a different URL shape.
process.env.AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE = '1';
const AWS = require('aws-sdk');
const { shape, keyFor, parseArgs, startTimer, report } = require('./common');

const args = parseArgs(process.argv);
const s3 = new AWS.S3({
  endpoint: shape.endpoint,
  region: shape.region,
  s3ForcePathStyle: true,
  signatureVersion: 'v4',
  accessKeyId: shape.accessKeyId,
  secretAccessKey: shape.secretAccessKey,
});
if (args.date) {
  // The v4 presigner reads the service's clock-skew-corrected date, nothing else.
  s3.getSkewCorrectedDate = () => new Date(args.date.getTime());
}

function sign(i) {
  return s3.getSignedUrl('putObject', {
    Bucket: shape.bucket,
    Key: keyFor(i),
    ContentType: shape.contentType,
    Expires: shape.expires,
  });
}

const firstUrl = sign(0);
for (let i = 1; i <= args.warmup; ++i) {
  sign(i);
}
let sink = 0;
const stop = startTimer();
for (let i = 0; i < args.count; ++i) {
  sink += sign(i).length;
}
const elapsed = stop();
if (sink === 0) {
  throw new Error('no output');
}
report('aws-sdk-js-v2', args.count, elapsed, firstUrl);
