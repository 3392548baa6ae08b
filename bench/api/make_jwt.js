'use strict';
// Prints an HS256 JWT (RFC 7519) with `sub` and `exp`, signed by hand with node:crypto so the
// benchmark does not depend on the JWT library of any contender.
// Usage: node make_jwt.js SECRET [SUB=bench-user] [TTL_SECONDS=3600]
const crypto = require('node:crypto');

const [secret, sub = 'bench-user', ttl = '3600'] = process.argv.slice(2);
if (!secret) {
  process.stderr.write('usage: node make_jwt.js SECRET [SUB] [TTL_SECONDS]\n');
  process.exit(2);
}
const b64url = (data) => Buffer.from(data).toString('base64url');
const header = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
const payload = b64url(JSON.stringify({ sub, exp: Math.floor(Date.now() / 1000) + Number(ttl) }));
const signature = crypto.createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
process.stdout.write(`${header}.${payload}.${signature}\n`);
