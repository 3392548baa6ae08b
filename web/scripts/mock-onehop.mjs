#!/usr/bin/env node
// A stand-in for `onehop dev` for front-end work and for checking the built app in a browser
// while the real server is not at hand: the API on PORT (serving web/dist too) and an in-memory
// "storage" on PORT+1, a different origin, so CORS, upload progress and ETag exposure are real.
// It signs nothing and checks no signature: it is not a model of the security, only of the
// protocol's shape (docs/api.md). Usage: node scripts/mock-onehop.mjs [port]   (default 8787)

import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const port = Number(process.argv[2] ?? 8787);
const storePort = port + 1;
const api = `http://127.0.0.1:${port}`;
const store = `http://127.0.0.1:${storePort}`;
const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const config = {
  maxSize: 64 * 1024 * 1024,
  allowedTypes: ['image/jpeg', 'image/png', 'image/gif', 'image/webp', 'image/avif'],
  multipartThreshold: 6 * 1024 * 1024,
  partSize: 5 * 1024 * 1024,
  checksum: process.env.MOCK_CHECKSUM ?? 'optional',
  devMode: true,
};
const uploads = new Map();
const objects = new Map();
const images = [];
const id = (p) => `${p}_${randomBytes(8).toString('hex')}`;
const expires = () => new Date(Date.now() + 15 * 60 * 1000).toISOString().replace(/\.\d+Z$/, 'Z');

function send(res, status, body, headers = {}) {
  res.writeHead(status, headers);
  res.end(body);
}
const json = (res, status, value, headers = {}) =>
  send(res, status, JSON.stringify(value), { 'Content-Type': 'application/json', ...headers });
const fail = (res, status, code, message, headers) => json(res, status, { error: { code, message } }, headers);

async function body(req) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  return Buffer.concat(chunks);
}

function user(req) {
  const auth = req.headers.authorization ?? '';
  const m = /^Bearer dev\.(.+)$/.exec(auth) ?? /(?:^|; )onehop_token=dev\.([^;]+)/.exec(req.headers.cookie ?? '');
  return m ? decodeURIComponent(m[1]) : null;
}

const magic = [
  ['image/png', [0x89, 0x50, 0x4e, 0x47]],
  ['image/jpeg', [0xff, 0xd8, 0xff]],
  ['image/gif', [0x47, 0x49, 0x46]],
];
function looksLike(type, bytes) {
  const sig = magic.find(([t]) => t === type)?.[1];
  return !sig || sig.every((b, i) => bytes[i] === b);
}

function record(u, bytes) {
  if (bytes.length !== u.size) return `size ${bytes.length} differs from the declared ${u.size}`;
  if (!looksLike(u.contentType, bytes)) return `the bytes are not ${u.contentType}`;
  const image = {
    id: `i_${u.id.slice(2)}`, key: u.key, filename: u.filename, contentType: u.contentType, size: u.size,
    createdAt: new Date().toISOString(), url: `${store}/${u.key}`, owner: u.owner,
  };
  images.unshift(image);
  u.image = image;
  return null;
}

async function handleApi(req, res) {
  const url = new URL(req.url, api);
  const path = url.pathname;
  if (path === '/api/config') return json(res, 200, config);
  if (path === '/api/dev/token' && req.method === 'POST') {
    const { user: name } = JSON.parse((await body(req)).toString() || '{}');
    if (typeof name !== 'string' || !/^[\w.-]{1,64}$/.test(name)) return fail(res, 400, 'invalid_request', 'user: 1..64 of [A-Za-z0-9_.-]');
    const token = `dev.${name}`;
    return json(res, 200, { token, user: name, expiresAt: expires() }, {
      'Set-Cookie': `onehop_token=${token}; Path=/; HttpOnly; SameSite=Strict`,
    });
  }
  if (path.startsWith('/api/') || path.startsWith('/s3/')) {
    const who = user(req);
    if (!who) return fail(res, 401, 'unauthorized', 'no credentials');
    if (path === '/api/uploads' && req.method === 'POST') {
      const b = JSON.parse((await body(req)).toString());
      if (!config.allowedTypes.includes(b.contentType)) return fail(res, 415, 'unsupported_type', `content type ${b.contentType} is not allowed`);
      if (b.size > config.maxSize) return fail(res, 413, 'too_large', `${b.size} bytes is above ${config.maxSize}`);
      if (b.filename?.startsWith('ratelimit')) return fail(res, 429, 'rate_limited', 'slow down', { 'Retry-After': '30' });
      const u = { id: id('u'), owner: who, filename: b.filename, contentType: b.contentType, size: b.size, parts: new Map() };
      u.key = `uploads/${who}/${u.id.slice(2)}${extname(b.filename)}`;
      uploads.set(u.id, u);
      const base = { uploadId: u.id, key: u.key, expiresAt: expires() };
      if (b.size > config.multipartThreshold) {
        u.partSize = config.partSize;
        return json(res, 201, { ...base, method: 'MULTIPART', multipart: { partSize: config.partSize, partCount: Math.ceil(b.size / config.partSize) } });
      }
      if (b.method === 'POST') {
        return json(res, 201, { ...base, method: 'POST', url: `${store}/`, fields: { key: u.key, 'Content-Type': u.contentType, policy: 'mock', 'x-amz-signature': 'mock' } });
      }
      const headers = { 'Content-Type': u.contentType };
      if (b.sha256) headers['x-amz-checksum-sha256'] = b.sha256;
      return json(res, 201, { ...base, method: 'PUT', url: `${store}/${u.key}?X-Amz-Expires=900`, headers });
    }
    const m = /^\/api\/uploads\/([^/]+)(\/parts|\/complete)?$/.exec(path);
    if (m) {
      const u = uploads.get(m[1]);
      if (!u || u.owner !== who) return fail(res, 404, 'not_found', 'no such upload');
      if (m[2] === '/parts' && req.method === 'POST') {
        const { partNumbers } = JSON.parse((await body(req)).toString());
        return json(res, 200, {
          parts: partNumbers.map((n) => ({ partNumber: n, url: `${store}/${u.key}?partNumber=${n}&uploadId=${u.id}`, headers: {} })),
          expiresAt: expires(),
        });
      }
      if (m[2] === '/parts') {
        return json(res, 200, { parts: [...u.parts].map(([partNumber, p]) => ({ partNumber, etag: p.etag, size: p.bytes.length })) });
      }
      if (m[2] === '/complete') {
        if (u.image) return json(res, 200, { image: u.image });
        const b = JSON.parse((await body(req)).toString() || '{}');
        let bytes = objects.get(u.key);
        if (b.parts) {
          bytes = Buffer.concat(b.parts.map((p) => u.parts.get(p.partNumber)?.bytes ?? Buffer.alloc(0)));
          objects.set(u.key, bytes);
        }
        const wrong = bytes ? record(u, bytes) : 'no object';
        if (wrong) {
          objects.delete(u.key);
          return fail(res, 422, 'verification_failed', wrong);
        }
        uploads.delete(u.id);
        return json(res, 200, { image: u.image });
      }
      uploads.delete(u.id);
      return send(res, 204, '');
    }
    // Companion-style routes for @uppy/aws-s3 (cookie auth; docs/uppy.md).
    if (path === '/s3/multipart' && req.method === 'POST') {
      const b = JSON.parse((await body(req)).toString());
      if (!config.allowedTypes.includes(b.type)) return json(res, 400, { error: `content type ${b.type} is not allowed` });
      const u = { id: id('u'), owner: who, filename: b.filename, contentType: b.type, size: 0, parts: new Map() };
      u.key = `uploads/${who}/${u.id.slice(2)}${extname(b.filename)}`;
      uploads.set(u.id, u);
      return json(res, 200, { key: u.key, uploadId: u.id, bucket: 'onehop' });
    }
    const s3 = /^\/s3\/multipart\/([^/]+)(?:\/(\d+|complete))?$/.exec(path);
    if (s3) {
      const u = uploads.get(decodeURIComponent(s3[1]));
      if (!u || u.owner !== who) return json(res, 404, { error: 'no such upload' });
      if (s3[2] === 'complete') {
        const { parts } = JSON.parse((await body(req)).toString());
        const bytes = Buffer.concat(parts.map((p) => u.parts.get(p.PartNumber)?.bytes ?? Buffer.alloc(0)));
        u.size = bytes.length;
        objects.set(u.key, bytes);
        const wrong = record(u, bytes);
        if (wrong) return json(res, 422, { error: wrong });
        uploads.delete(u.id);
        return json(res, 200, { location: `${store}/${u.key}`, key: u.key, bucket: 'onehop' });
      }
      if (s3[2]) {
        return json(res, 200, { url: `${store}/${u.key}?partNumber=${s3[2]}&uploadId=${u.id}`, expires: 900 });
      }
      if (req.method === 'DELETE') {
        uploads.delete(u.id);
        return json(res, 200, {});
      }
      return json(res, 200, [...u.parts].map(([n, p]) => ({ PartNumber: n, ETag: p.etag, Size: p.bytes.length })));
    }
    if (path === '/api/images') {
      return json(res, 200, { images: images.filter((i) => i.owner === who), nextCursor: null });
    }
    const im = /^\/api\/images\/([^/]+)$/.exec(path);
    if (im && req.method === 'DELETE') {
      const i = images.findIndex((x) => x.id === im[1] && x.owner === who);
      if (i < 0) return fail(res, 404, 'not_found', 'no such image');
      objects.delete(images[i].key);
      images.splice(i, 1);
      return send(res, 204, '');
    }
    return fail(res, 404, 'not_found', `no route ${req.method} ${path}`);
  }
  // Static files from web/dist, like onehop serve.
  let file = normalize(decodeURIComponent(path)).replace(/^(\.\.[/\\])+/, '');
  if (file.endsWith('/')) file += 'index.html';
  try {
    const data = await readFile(join(dist, file)).catch(() => readFile(join(dist, file, 'index.html')));
    const types = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml' };
    const headers = { 'Content-Type': types[extname(file) || '.html'] ?? 'application/octet-stream' };
    if (headers['Content-Type'].startsWith('text/html')) {
      // The policy onehop serve sends (src/api/static_files.cpp), so a CSP violation shows here too.
      headers['Content-Security-Policy'] =
        `default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' blob: data: ${store}; ` +
        `connect-src 'self' ${store}; object-src 'none'; base-uri 'none'; frame-ancestors 'none'`;
    }
    return send(res, 200, data, headers);
  } catch {
    return send(res, 404, 'not found');
  }
}

const cors = {
  'Access-Control-Allow-Origin': api,
  'Access-Control-Allow-Methods': 'GET, PUT, POST, HEAD',
  'Access-Control-Allow-Headers': 'content-type, x-amz-checksum-sha256',
  'Access-Control-Expose-Headers': 'ETag',
};

async function handleStore(req, res) {
  const url = new URL(req.url, store);
  if (req.method === 'OPTIONS') return send(res, 204, '', { ...cors, 'Access-Control-Max-Age': '600' });
  const key = decodeURIComponent(url.pathname.slice(1));
  if (req.method === 'GET') {
    const data = objects.get(key);
    if (!data) return send(res, 404, '<Error><Code>NoSuchKey</Code><Message>no such key</Message></Error>', cors);
    const u = images.find((i) => i.key === key);
    return send(res, 200, data, { ...cors, 'Content-Type': u?.contentType ?? 'application/octet-stream' });
  }
  const data = await body(req);
  const partNumber = url.searchParams.get('partNumber');
  if (partNumber) {
    const u = uploads.get(url.searchParams.get('uploadId'));
    if (!u) return send(res, 404, '<Error><Code>NoSuchUpload</Code><Message>no such upload</Message></Error>', cors);
    const etag = `"${randomBytes(8).toString('hex')}"`;
    u.parts.set(Number(partNumber), { etag, bytes: data });
    return send(res, 200, '', { ...cors, ETag: etag });
  }
  if (req.method === 'POST') {
    // multipart/form-data: take the last part (the file) the crude way.
    const boundary = /boundary=(.+)$/.exec(req.headers['content-type'] ?? '')?.[1];
    const text = data.toString('latin1');
    const k = /name="key"\r\n\r\n([^\r]*)/.exec(text)?.[1];
    const fileStart = text.indexOf('\r\n\r\n', text.lastIndexOf('name="file"')) + 4;
    const fileEnd = text.lastIndexOf(`\r\n--${boundary}`);
    objects.set(k, data.subarray(fileStart, fileEnd));
    return send(res, 204, '', cors);
  }
  objects.set(key, data);
  return send(res, 200, '', { ...cors, ETag: '"mock"' });
}

const wrap = (h) => (req, res) => h(req, res).catch((e) => send(res, 500, String(e)));
createServer(wrap(handleApi)).listen(port, '127.0.0.1');
createServer(wrap(handleStore)).listen(storePort, '127.0.0.1');
console.log(`mock onehop: app and API ${api}/, storage ${store}/`);
