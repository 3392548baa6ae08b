import { createHash } from 'node:crypto';

import { afterEach, describe, expect, it, vi } from 'vitest';

import { UploadError } from '../src/errors';
import { Uploader } from '../src/uploader';
import type { UploadProgress } from '../src/uploader';
import { API, expiredReply, FakeOnehop, json, makeFile, s3Error, STORE } from './fake_onehop';

function setup(options: Partial<ConstructorParameters<typeof Uploader>[0]> = {}) {
  const fake = new FakeOnehop();
  const uploader = new Uploader({ transport: fake.transport, baseUrl: API, getToken: () => 'tok', storage: null, ...options });
  return { fake, uploader };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('single uploads', () => {
  it('PUTs the bytes to the storage with exactly the signed headers, then completes', async () => {
    const { fake, uploader } = setup();
    const file = makeFile(500);
    const image = await uploader.upload(file);
    expect(image.filename).toBe('cat.png');
    const create = fake.apiCalls('POST', '/api/uploads')[0];
    expect(create?.headers?.['Authorization']).toBe('Bearer tok');
    expect(JSON.parse(create?.body as string)).toEqual({ filename: 'cat.png', contentType: 'image/png', size: 500 });
    const put = fake.storageCalls();
    expect(put).toHaveLength(1);
    expect(put[0]?.method).toBe('PUT');
    expect(put[0]?.headers).toEqual({ 'Content-Type': 'image/png' });
    expect(put[0]?.body).toBe(file);
    // The token goes to the API only, never to the storage.
    expect(JSON.stringify(put[0]?.headers)).not.toContain('tok');
    expect(fake.apiCalls('POST', '/api/uploads/u_1/complete')).toHaveLength(1);
    expect(fake.uploads.get('u_1')?.object?.length).toBe(500);
  });

  it('sends a POST form with every field and the file last when asked for POST', async () => {
    const { fake, uploader } = setup();
    await uploader.upload(makeFile(300), { method: 'POST' });
    expect(JSON.parse(fake.apiCalls('POST', '/api/uploads')[0]?.body as string).method).toBe('POST');
    const post = fake.storageCalls()[0];
    expect(post?.method).toBe('POST');
    expect(post?.url).toBe(`${STORE}/bucket`);
    const form = post?.body as FormData;
    const names = [...form.keys()];
    expect(names.at(-1)).toBe('file');
    expect(names.slice(0, -1)).toEqual(['key', 'Content-Type', 'policy', 'x-amz-signature', 'upload', 'gen']);
    expect((form.get('file') as File).size).toBe(300);
  });

  it('reports progress from upload events, and 1 only after complete succeeded', async () => {
    const { fake, uploader } = setup();
    const seen: UploadProgress[] = [];
    let completedWhenDone = false;
    await uploader.upload(makeFile(400), {
      onProgress: (p) => {
        seen.push(p);
        if (p.fraction === 1) {
          completedWhenDone = fake.apiCalls('POST', '/api/uploads/u_1/complete').length === 1;
        }
      },
    });
    const uploading = seen.filter((p) => p.phase === 'uploading').map((p) => p.bytesSent);
    expect(uploading).toContain(200);
    expect(uploading).toContain(400);
    expect(seen.filter((p) => p.phase !== 'done').every((p) => p.fraction < 1)).toBe(true);
    expect(seen.at(-1)).toMatchObject({ phase: 'done', fraction: 1, bytesSent: 400 });
    expect(completedWhenDone).toBe(true);
  });

  it('declares the SHA-256 (base64) when the API requires checksums', async () => {
    const { fake, uploader } = setup();
    fake.config.checksum = 'required';
    const file = makeFile(777);
    await uploader.upload(file);
    const expected = createHash('sha256').update(new Uint8Array(await file.arrayBuffer())).digest('base64');
    expect(JSON.parse(fake.apiCalls('POST', '/api/uploads')[0]?.body as string).sha256).toBe(expected);
    expect(fake.storageCalls()[0]?.headers?.['x-amz-checksum-sha256']).toBe(expected);
  });

  it('computes no checksum when the API makes it optional', async () => {
    const { fake, uploader } = setup();
    await uploader.upload(makeFile(10));
    expect(JSON.parse(fake.apiCalls('POST', '/api/uploads')[0]?.body as string)).not.toHaveProperty('sha256');
  });

  it('refuses a wrong type or size from /api/config without asking for an upload', async () => {
    const { fake, uploader } = setup();
    fake.config.maxSize = 100;
    await expect(uploader.upload(makeFile(10, 'a.txt', 'text/plain'))).rejects.toMatchObject({ code: 'unsupported_type', kind: 'client' });
    await expect(uploader.upload(makeFile(101))).rejects.toMatchObject({ code: 'too_large' });
    expect(fake.requests.filter((r) => r.method === 'POST')).toHaveLength(0);
    expect(fake.apiCalls('GET', '/api/config')).toHaveLength(1);
  });

  it.each([
    [415, 'unsupported_type', undefined],
    [413, 'too_large', undefined],
    [429, 'rate_limited', '30'],
    [401, 'unauthorized', undefined],
  ])("surfaces the API's %i %s as a rejection", async (status, code, retryAfter) => {
    const { fake, uploader } = setup();
    fake.intercept = (req) =>
      req.url === `${API}/api/uploads` ? json(status, { error: { code, message: 'no' } }, retryAfter ? { 'Retry-After': retryAfter } : {}) : undefined;
    const err = (await uploader.upload(makeFile(10)).catch((e: unknown) => e)) as UploadError;
    expect(err).toBeInstanceOf(UploadError);
    expect(err).toMatchObject({ kind: 'api', code, status, rejected: true });
    expect(err.retryAfter).toBe(retryAfter ? Number(retryAfter) : undefined);
    expect(fake.storageCalls()).toHaveLength(0);
  });

  it('fails with verification_failed when the API finds the object is not the image declared', async () => {
    const { fake, uploader } = setup();
    fake.intercept = (req) =>
      req.url.endsWith('/complete') ? json(422, { error: { code: 'verification_failed', message: 'not a PNG' } }) : undefined;
    await expect(uploader.upload(makeFile(10))).rejects.toMatchObject({ code: 'verification_failed', message: 'not a PNG' });
  });

  it('keeps the S3 code when the storage refuses for good, without retrying', async () => {
    const { fake, uploader } = setup();
    fake.intercept = (req) => (req.url.startsWith(STORE) ? s3Error(403, 'SignatureDoesNotMatch', 'nope') : undefined);
    await expect(uploader.upload(makeFile(10))).rejects.toMatchObject({ kind: 'storage', code: 'storage_error', s3Code: 'SignatureDoesNotMatch' });
    expect(fake.storageCalls()).toHaveLength(1);
    expect(fake.apiCalls('POST', '/api/uploads/u_1/complete')).toHaveLength(0);
  });

  it('asks for a new upload when the URL expired, and aborts the stale one', async () => {
    const { fake, uploader } = setup();
    let first = true;
    fake.intercept = (req) => {
      if (req.url.startsWith(STORE) && first) {
        first = false;
        return expiredReply();
      }
      return undefined;
    };
    const image = await uploader.upload(makeFile(10));
    expect(image.id).toBe('i_u_2');
    expect(fake.requests.filter((r) => r.method === 'POST' && r.url === `${API}/api/uploads`)).toHaveLength(2);
    await vi.waitFor(() => expect(fake.uploads.get('u_1')?.aborted).toBe(true));
  });

  it('retries a storage 503 with backoff on the timer, then succeeds', async () => {
    vi.useFakeTimers();
    const { fake, uploader } = setup({ random: () => 1 });
    let failures = 2;
    fake.intercept = (req) => (req.url.startsWith(STORE) && failures-- > 0 ? s3Error(503, 'SlowDown', 'slow') : undefined);
    const done = uploader.upload(makeFile(10));
    await vi.advanceTimersByTimeAsync(499);
    expect(fake.storageCalls()).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(fake.storageCalls()).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(999);
    expect(fake.storageCalls()).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    await expect(done).resolves.toMatchObject({ id: 'i_u_1' });
    expect(fake.storageCalls()).toHaveLength(3);
  });

  it('cancels through the AbortSignal, stops the request and aborts the upload', async () => {
    const { fake, uploader } = setup();
    fake.holdStorage = true;
    const controller = new AbortController();
    const done = uploader.upload(makeFile(10), { signal: controller.signal });
    await vi.waitFor(() => expect(fake.inFlight).toBe(1));
    controller.abort();
    await expect(done).rejects.toMatchObject({ kind: 'aborted', code: 'aborted' });
    await vi.waitFor(() => expect(fake.uploads.get('u_1')?.aborted).toBe(true));
    expect(fake.apiCalls('POST', '/api/uploads/u_1/complete')).toHaveLength(0);
  });

  it('maps a dropped connection to network_error after the retries', async () => {
    const { fake, uploader } = setup({ retry: { retries: 2, baseDelayMs: 1, maxDelayMs: 1 } });
    const { NetworkError } = await import('../src/transport');
    fake.intercept = (req) => {
      if (req.url.startsWith(STORE)) {
        throw new NetworkError('reset');
      }
      return undefined;
    };
    await expect(uploader.upload(makeFile(10))).rejects.toMatchObject({ kind: 'network', code: 'network_error', rejected: false });
    expect(fake.storageCalls()).toHaveLength(3);
  });
});
