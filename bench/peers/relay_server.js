'use strict';
// The "2-hop" design the seed argues against: the browser sends the image to the app server,
// which sends it on to S3. An Express route that authenticates the caller (the same HS256 JWT
// check as seed_server.js) and streams the request body to the store with the AWS SDK for
// JavaScript v2's `s3.upload` (what the usual tutorials and multer-s3 use). It is the cheapest
// honest 2-hop server: a raw body (no multipart/form-data parsing, no temp file), so the CPU it
// costs per upload is a lower bound for the 2-hop design.
//
// POST /api/upload with the image as the body, its type as Content-Type and a Bearer JWT.
// -> 201 {"imageIdentifier": "images/<user>/<uuid>"} once the store has the object.
//
// Env: PORT (3001), RELAY_ENDPOINT (http://127.0.0.1:9000), RELAY_BUCKET (onehop), RELAY_REGION
// (us-east-1), JWT_SECRET (required), AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY.
const crypto = require('node:crypto');
const express = require('express');
const jwt = require('jsonwebtoken');
const AWS = require('aws-sdk');
const uuid = require('uuid/v1');

if (!process.env.JWT_SECRET) {
  throw new Error('JWT_SECRET is required');
}
// A KeyObject made once: jsonwebtoken is ~0.5 ms slower per call with the plain string
// (auth0/node-jsonwebtoken#966), which would be charged to the 2-hop design unfairly.
const jwtKey = crypto.createSecretKey(Buffer.from(process.env.JWT_SECRET));
const bucketName = process.env.RELAY_BUCKET || 'onehop';
const s3 = new AWS.S3({
  accessKeyId: process.env.AWS_ACCESS_KEY_ID,
  secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY,
  signatureVersion: 'v4',
  region: process.env.RELAY_REGION || 'us-east-1',
  endpoint: process.env.RELAY_ENDPOINT || 'http://127.0.0.1:9000',
  s3ForcePathStyle: true,
});

function userOf(req) {
  const header = req.headers.authorization || '';
  if (!header.startsWith('Bearer ')) {
    return undefined;
  }
  try {
    return jwt.verify(header.slice(7), jwtKey, { algorithms: ['HS256'] }).sub;
  } catch (_) {
    return undefined;
  }
}

const app = express();
app.post('/api/upload', (req, res) => {
  const user = userOf(req);
  if (!user) {
    return res.sendStatus(403);
  }
  const imageIdentifier = `images/${user}/${uuid()}`;
  // The request stream is the body: the SDK reads it in (up to one 5 MiB part at a time) and
  // sends it on, so the image passes through this process once.
  s3.upload({ Bucket: bucketName, Key: imageIdentifier, Body: req,
              ContentType: req.headers['content-type'] || 'application/octet-stream' },
            (err) => {
              if (err) {
                return res.status(502).json({ error: `upload to storage failed: ${err.code}` });
              }
              res.status(201).json({ imageIdentifier });
            });
});

const port = Number(process.env.PORT || 3001);
app.listen(port, '127.0.0.1', () => {
  process.stdout.write(`listening on 127.0.0.1:${port}\n`);
});
