'use strict';
// The client side of bench/api/cpu_per_upload.sh: N uploads of one file, C at a time, through
// either design, with keep-alive connections. Exits non-zero if any upload fails.
//
//   node upload_client.js relay  URL FILE N C TOKEN   2-hop: POST URL (/api/upload) with the file as
//                                                   body; the app server sends it on to the store.
//   node upload_client.js onehop URL FILE N C TOKEN   1-hop: POST URL/api/uploads (create), PUT the
//                                                   bytes to the returned url with the returned
//                                                   headers, POST URL/api/uploads/{id}/complete.
//
// Prints one line: `uploads N failed F seconds S`.
const fs = require('node:fs');
const http = require('node:http');

const [mode, baseUrl, file, countArg, concurrencyArg, token] = process.argv.slice(2);
if (!['relay', 'onehop'].includes(mode) || !token) {
  process.stderr.write('usage: node upload_client.js relay|onehop URL FILE N C TOKEN\n');
  process.exit(2);
}
const body = fs.readFileSync(file);
const count = Number(countArg);
const concurrency = Number(concurrencyArg);
const contentType = 'image/png';
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency * 2 });

// One HTTP request; resolves {status, text} and never rejects on an HTTP status.
function send(method, url, headers, payload) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, agent }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString() }));
    });
    req.setTimeout(60000, () => req.destroy(new Error(`${method} ${url}: timed out`)));
    req.on('error', reject);
    req.end(payload);
  });
}

function expect(step, answer, status) {
  if (answer.status !== status) {
    throw new Error(`${step}: HTTP ${answer.status} ${answer.text.slice(0, 300)}`);
  }
  return answer.text ? JSON.parse(answer.text) : {};
}

const auth = { Authorization: `Bearer ${token}` };

async function relayUpload() {
  const answer = await send('POST', `${baseUrl}/api/upload`,
                            { ...auth, 'Content-Type': contentType, 'Content-Length': body.length }, body);
  expect('relay upload', answer, 201);
}

async function onehopUpload(i) {
  const create = JSON.stringify({ filename: `bench-${i}.png`, contentType, size: body.length });
  const upload = expect('create', await send('POST', `${baseUrl}/api/uploads`, {
    ...auth, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(create),
  }, create), 201);
  if (upload.method !== 'PUT') {
    throw new Error(`create: expected a PUT upload, got ${upload.method}`);
  }
  // Exactly the headers the API signed (Content-Length may be among them, in any case).
  const headers = {};
  for (const [name, value] of Object.entries(upload.headers || {})) {
    headers[name.toLowerCase()] = value;
  }
  headers['content-length'] = body.length;
  const put = await send('PUT', upload.url, headers, body);
  if (put.status !== 200) {
    throw new Error(`PUT to storage: HTTP ${put.status} ${put.text.slice(0, 300)}`);
  }
  expect('complete', await send('POST', `${baseUrl}/api/uploads/${encodeURIComponent(upload.uploadId)}/complete`,
                                { ...auth, 'Content-Type': 'application/json', 'Content-Length': 2 }, '{}'), 200);
}

async function main() {
  const one = mode === 'relay' ? relayUpload : onehopUpload;
  let next = 0;
  let failed = 0;
  const started = process.hrtime.bigint();
  async function worker() {
    while (next < count) {
      const i = next++;
      try {
        await one(i);
      } catch (err) {
        failed++;
        process.stderr.write(`upload ${i}: ${err.message}\n`);
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  process.stdout.write(`uploads ${count} failed ${failed} seconds ${seconds.toFixed(3)}\n`);
  agent.destroy();
  process.exitCode = failed ? 1 : 0;
}

main().catch((err) => {
  process.stderr.write(`upload_client: ${err.stack || err}\n`);
  process.exit(1);
});
