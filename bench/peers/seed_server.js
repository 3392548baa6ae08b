'use strict';
// The seed's own server: seed/000_3c1b43d0ca167b5a.txt, "Server setup", copied as it is. Every line
// that is not the seed's is marked "added:" or "changed:", and is only what it needs to run here:
// Express itself and a JSON body parser (the seed assumes "you have setup express"), a port, the
// local store as endpoint (path style), and a real authorization check where the seed has the
// placeholder `not_allowed = true` (which would answer 403 to everyone): the HS256 JWT that
// bench/api/run.sh sends to every server, checked with jsonwebtoken, the usual Express choice.
//
// Env: PORT (3000), SEED_ENDPOINT (http://127.0.0.1:9000), SEED_BUCKET (onehop), SEED_REGION
// (us-east-1), JWT_SECRET (required unless SEED_AUTH=none), SEED_AUTH (jwt, jwt-string, none),
// AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (as in the seed).
const express = require('express'); // added
const jwt = require('jsonwebtoken'); // added
const crypto = require('node:crypto'); // added

const AWS = require("aws-sdk");
const uuid = require("uuid/v1");
// Set the values of "AWS_ACCESS_KEY_ID" and "AWS_SECRET_ACCESS_KEY"
// in the environment
const bucketRegion = process.env.SEED_REGION || 'us-east-1'; // changed: was 'ap-south-1'
// your bucket region
const bucketName = process.env.SEED_BUCKET || "onehop"; // changed: was "<YOUR-BUCKET-NAME>"
const s3 = new AWS.S3({
  accessKeyId: process.env.AWS_ACCESS_KEY_ID,
  secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY,
  signatureVersion: 'v4',
  region: bucketRegion,
  endpoint: process.env.SEED_ENDPOINT || 'http://127.0.0.1:9000', // added
  s3ForcePathStyle: true, // added
});

// added: the seed's "Maybe have a middleware" for its "Authorization checks if needed".
// SEED_AUTH picks how: `jwt` (default) verifies with the secret as a KeyObject made once, the fast
// way; `jwt-string` passes the secret string as jsonwebtoken's README does, which costs ~0.5 ms
// more per call on node 20 (verify() first tries createPublicKey() on the string and catches the
// failure: auth0/node-jsonwebtoken#966, #1046); `none` allows everyone (the seed's best case).
const seedAuth = process.env.SEED_AUTH || 'jwt';
if (!['jwt', 'jwt-string', 'none'].includes(seedAuth)) {
  throw new Error(`SEED_AUTH must be jwt, jwt-string or none, not ${seedAuth}`);
}
const jwtSecret = process.env.JWT_SECRET;
if (!jwtSecret && seedAuth !== 'none') {
  throw new Error('JWT_SECRET is required');
}
const jwtKey = seedAuth === 'jwt' ? crypto.createSecretKey(Buffer.from(jwtSecret)) : jwtSecret;
function authenticate(req, res, next) {
  if (seedAuth === 'none') {
    req.user = 'anyone';
    return next();
  }
  const header = req.headers.authorization || '';
  if (header.startsWith('Bearer ')) {
    try {
      req.user = jwt.verify(header.slice(7), jwtKey, { algorithms: ['HS256'] }).sub;
    } catch (_) {
      req.user = undefined;
    }
  }
  next();
}

const app = express(); // added
app.use(express.json()); // added: the seed reads req.body

app.post("/api/upload", authenticate, (req, res) => { // changed: authenticate added
  // Authorization checks if needed
  let not_allowed = !req.user; // changed: was `true`
  // Maybe have a middleware
  if (not_allowed) {
    return res.sendStatus(403);
  }
  const { fileType } = req.body;
  // Identifier for your image
  const imageIdentifier = `images/${uuid()}`;
  const params = {
   Bucket: bucketName,
   ContentType: fileType,
   Expires: 60,
   Key: imageIdentifier,
  };
  s3.getSignedUrl('putObject', params, (err, signedURL) => {
    if (err) {
      return res.status(500).json({
        error: "Couldn't create signed URL.",
      });
    }
    res.json({ imageIdentifier, signedURL });
  });
});

// added
const port = Number(process.env.PORT || 3000);
app.listen(port, '127.0.0.1', () => {
  process.stdout.write(`listening on 127.0.0.1:${port}\n`);
});
