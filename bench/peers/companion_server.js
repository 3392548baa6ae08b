'use strict';
// Uppy Companion 6.2.2 (@uppy/companion), run as its own standalone server (what
// `npx @uppy/companion` starts: the same Express app, middleware and routes), configured through
// its documented environment variables for S3 against the local store, so that
// `GET /s3/params?filename=..&type=..` answers a presigned POST policy. Nothing of Companion is
// changed; unset variables get the defaults below.
//
// Env: PORT (3020), COMPANION_AWS_ENDPOINT (http://127.0.0.1:9000), COMPANION_AWS_BUCKET (onehop),
// COMPANION_AWS_KEY / COMPANION_AWS_SECRET (else AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY),
// any other COMPANION_* variable Companion reads.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const port = Number(process.env.PORT || 3020);
const defaults = {
  COMPANION_AWS_ENDPOINT: 'http://127.0.0.1:9000',
  COMPANION_AWS_BUCKET: 'onehop',
  COMPANION_AWS_REGION: 'us-east-1',
  COMPANION_AWS_FORCE_PATH_STYLE: 'true',
  COMPANION_AWS_KEY: process.env.AWS_ACCESS_KEY_ID,
  COMPANION_AWS_SECRET: process.env.AWS_SECRET_ACCESS_KEY,
  COMPANION_DOMAIN: `127.0.0.1:${port}`,
  COMPANION_PROTOCOL: 'http',
  COMPANION_CLIENT_ORIGINS: 'true',
  COMPANION_SECRET: 'onehop-bench-companion-secret',
  COMPANION_UPLOAD_URLS: 'http://127.0.0.1:9000/',
};
// Companion wants a writable folder for remote downloads (unused by the S3 routes): a fresh one,
// removed when the benchmark stops this server.
if (process.env.COMPANION_DATADIR === undefined) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'onehop-companion-'));
  process.env.COMPANION_DATADIR = dataDir;
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => {
      fs.rmSync(dataDir, { recursive: true, force: true });
      process.exit(0);
    });
  }
}
for (const [name, value] of Object.entries(defaults)) {
  if (process.env[name] === undefined && value !== undefined) {
    process.env[name] = value;
  }
}

// Companion is an ES module; this file stays CommonJS like the other peers.
async function main() {
  const companion = await import('@uppy/companion');
  const { default: standalone } = await import('@uppy/companion/standalone');
  // As @uppy/companion's own bin (lib/standalone/start-server.js) does.
  const { app } = standalone();
  const server = app.listen(port, '127.0.0.1', () => {
    process.stdout.write(`listening on 127.0.0.1:${port}\n`);
  });
  companion.socket(server);
}

main().catch((err) => {
  process.stderr.write(`companion_server: ${err.stack || err}\n`);
  process.exit(1);
});
