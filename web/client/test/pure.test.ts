import { createHash, randomBytes } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import { apiError, describeError, isTransient, storageError, UploadError } from '../src/errors';
import { checkFile, partCountFor, partRange } from '../src/policy';
import { runPool } from '../src/pool';
import { backoffDelay, defaultRetryPolicy } from '../src/retry';
import { Sha256, sha256Base64, toBase64, toHex } from '../src/sha256';
import type { TransportResponse } from '../src/transport';
import type { ApiConfig } from '../src/types';

const config: ApiConfig = {
  maxSize: 1000,
  allowedTypes: ['image/png', 'image/jpeg'],
  multipartThreshold: 500,
  partSize: 200,
  checksum: 'optional',
  devMode: false,
};

function response(status: number, body: string, headers: Record<string, string> = {}): TransportResponse {
  const map = new Map(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return { status, body, header: (n) => map.get(n.toLowerCase()) ?? null };
}

describe('checkFile', () => {
  it('accepts an allowed type at exactly the size limit', () => {
    expect(checkFile({ size: 1000, type: 'image/png' }, 'image/png', config)).toBeNull();
  });
  it('refuses one byte over the limit as too_large', () => {
    const e = checkFile({ size: 1001, type: 'image/png' }, 'image/png', config);
    expect(e?.code).toBe('too_large');
    expect(e?.rejected).toBe(true);
  });
  it('refuses a type not in allowedTypes, naming the allowed ones', () => {
    const e = checkFile({ size: 10, type: 'text/plain' }, 'text/plain', config);
    expect(e?.code).toBe('unsupported_type');
    expect(e?.message).toContain('text/plain');
    expect(e?.message).toContain('image/png, image/jpeg');
  });
  it('refuses an empty file and a file without a type', () => {
    expect(checkFile({ size: 0, type: 'image/png' }, 'image/png', config)?.code).toBe('empty_file');
    expect(checkFile({ size: 5, type: '' }, '', config)?.code).toBe('unsupported_type');
  });
});

describe('parts', () => {
  it('cuts a file into partSize pieces with a short last part', () => {
    expect(partCountFor(1001, 200)).toBe(6);
    expect(partRange(1, 200, 1001)).toEqual({ start: 0, end: 200 });
    expect(partRange(6, 200, 1001)).toEqual({ start: 1000, end: 1001 });
    expect(partRange(5, 200, 1000)).toEqual({ start: 800, end: 1000 });
  });
});

describe('backoffDelay', () => {
  it('doubles per retry, with jitter between half and all of it', () => {
    const p = { retries: 3, baseDelayMs: 500, maxDelayMs: 10_000 };
    expect([1, 2, 3].map((r) => backoffDelay(p, r, 1))).toEqual([500, 1000, 2000]);
    expect([1, 2, 3].map((r) => backoffDelay(p, r, 0))).toEqual([250, 500, 1000]);
  });
  it('is capped, and a longer Retry-After wins', () => {
    const p = { retries: 10, baseDelayMs: 500, maxDelayMs: 3000 };
    expect(backoffDelay(p, 8, 1)).toBe(3000);
    expect(backoffDelay(defaultRetryPolicy, 1, 1, 7)).toBe(7000);
    expect(backoffDelay(defaultRetryPolicy, 3, 1, 1)).toBe(2000);
  });
});

describe('errors', () => {
  it("maps the API's JSON error with its Retry-After", () => {
    const e = apiError(response(429, '{"error":{"code":"rate_limited","message":"slow down"}}', { 'Retry-After': '12' }));
    expect(e).toMatchObject({ kind: 'api', code: 'rate_limited', status: 429, retryAfter: 12, message: 'slow down' });
    expect(e.rejected).toBe(true);
    expect(isTransient(e)).toBe(true);
    expect(describeError(e)).toContain('12 s');
  });
  it('maps a non-JSON 502 to a transient server error', () => {
    const e = apiError(response(502, '<html>bad gateway</html>'));
    expect(e.code).toBe('server_error');
    expect(e.rejected).toBe(false);
    expect(isTransient(e)).toBe(true);
  });
  it('maps an expired presigned URL to expired_url', () => {
    const e = storageError(
      response(403, '<?xml version="1.0"?><Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>'),
    );
    expect(e).toMatchObject({ kind: 'storage', code: 'expired_url', s3Code: 'AccessDenied', status: 403 });
    expect(isTransient(e)).toBe(false);
    expect(describeError(e)).toMatch(/expired/);
  });
  it('keeps any other S3 code and its message', () => {
    const e = storageError(response(403, '<Error><Code>SignatureDoesNotMatch</Code><Message>a &amp; b</Message></Error>'));
    expect(e.code).toBe('storage_error');
    expect(e.s3Code).toBe('SignatureDoesNotMatch');
    expect(e.message).toContain('SignatureDoesNotMatch: a & b');
    expect(e.rejected).toBe(true);
  });
  it('treats storage 503 SlowDown as transient, not a rejection', () => {
    const e = storageError(response(503, '<Error><Code>SlowDown</Code><Message>x</Message></Error>'));
    expect(isTransient(e)).toBe(true);
    expect(e.rejected).toBe(false);
  });
  it('treats a network failure as an error, not a rejection', () => {
    const e = new UploadError('network', 'network_error', 'reset');
    expect(e.rejected).toBe(false);
    expect(isTransient(e)).toBe(true);
  });
});

describe('Sha256', () => {
  const sizes = [0, 1, 3, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 1000, 65_537];
  it.each(sizes)('matches node:crypto for %i bytes fed in uneven chunks', (size) => {
    const data = new Uint8Array(randomBytes(size));
    const h = new Sha256();
    let offset = 0;
    let step = 1;
    while (offset < size) {
      h.update(data.subarray(offset, offset + step));
      offset += step;
      step = (step * 7 + 3) % 97 || 1;
    }
    expect(toHex(h.digest())).toBe(createHash('sha256').update(data).digest('hex'));
  });
  it('has the FIPS 180-4 "abc" value', () => {
    expect(toHex(new Sha256().update(new TextEncoder().encode('abc')).digest())).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });
  it('gives the base64 form S3 expects, by WebCrypto and by streaming', async () => {
    const data = new Uint8Array(randomBytes(4 * 1024 * 1024 + 5));
    const expected = createHash('sha256').update(data).digest('base64');
    const blob = new Blob([data]);
    expect(await sha256Base64(blob)).toBe(expected);
    const seen: number[] = [];
    expect(await sha256Base64(blob, { streaming: true, onProgress: (n) => seen.push(n) })).toBe(expected);
    expect(seen.at(-1)).toBe(data.length);
    expect(seen).toEqual([4 * 1024 * 1024, data.length]);
  });
  it('stops when aborted', async () => {
    const c = new AbortController();
    c.abort();
    await expect(sha256Base64(new Blob([new Uint8Array(10)]), { streaming: true, signal: c.signal })).rejects.toMatchObject({
      name: 'AbortError',
    });
  });
  it('encodes base64 like Buffer', () => {
    const bytes = new Uint8Array(randomBytes(33));
    expect(toBase64(bytes)).toBe(Buffer.from(bytes).toString('base64'));
  });
});

describe('runPool', () => {
  it('never runs more than the limit and runs every item', async () => {
    let running = 0;
    let most = 0;
    const done: number[] = [];
    await runPool([1, 2, 3, 4, 5, 6, 7, 8, 9], 4, async (n) => {
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, 1));
      running--;
      done.push(n);
    });
    expect(most).toBe(4);
    expect(done.sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
  it('starts nothing after a failure and rethrows it', async () => {
    const started: number[] = [];
    await expect(
      runPool([1, 2, 3, 4], 1, async (n) => {
        started.push(n);
        if (n === 2) {
          throw new Error('boom');
        }
      }),
    ).rejects.toThrow('boom');
    expect(started).toEqual([1, 2]);
  });
});
