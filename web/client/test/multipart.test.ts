import { afterEach, describe, expect, it, vi } from 'vitest';

import { Uploader } from '../src/uploader';
import type { UploadProgress } from '../src/uploader';
import { API, expiredReply, FakeOnehop, json, makeFile, MemoryStorage, s3Error, STORE } from './fake_onehop';

const PART = 256;
const SIZE = PART * 10 + 10; // 11 parts, the last one 10 bytes

function setup(options: Partial<ConstructorParameters<typeof Uploader>[0]> = {}) {
  const fake = new FakeOnehop();
  const storage = new MemoryStorage();
  const uploader = new Uploader({ transport: fake.transport, baseUrl: API, storage, random: () => 1, ...options });
  return { fake, storage, uploader };
}

const partPuts = (fake: FakeOnehop, n?: number) =>
  fake.storageCalls().filter((r) => r.url.includes('/part?') && (n === undefined || new URL(r.url).searchParams.get('n') === String(n)));

afterEach(() => {
  vi.useRealTimers();
});

describe('multipart uploads', () => {
  it('is chosen above the threshold: parts of partSize, sliced right, completed with every ETag in order', async () => {
    const { fake, uploader } = setup();
    const image = await uploader.upload(makeFile(SIZE));
    expect(image.size).toBe(SIZE);
    const puts = partPuts(fake);
    expect(puts).toHaveLength(11);
    const sizes = new Map(puts.map((r) => [Number(new URL(r.url).searchParams.get('n')), (r.body as Blob).size]));
    expect(sizes.get(1)).toBe(PART);
    expect(sizes.get(11)).toBe(10);
    const sent = JSON.parse(fake.apiCalls('POST', '/api/uploads/u_1/complete')[0]?.body as string);
    expect(sent.parts.map((p: { partNumber: number }) => p.partNumber)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(sent.parts[10].etag).toBe('"etag-11-10"');
  });

  it('sends the right bytes in each part', async () => {
    const { fake, uploader } = setup();
    const file = makeFile(SIZE);
    await uploader.upload(file);
    const whole = new Uint8Array(await file.arrayBuffer());
    const part3 = partPuts(fake, 3)[0]?.body as Blob;
    expect(new Uint8Array(await part3.arrayBuffer())).toEqual(whole.slice(2 * PART, 3 * PART));
  });

  it('sends at most 4 parts at once and signs URLs in batches', async () => {
    const { fake, uploader } = setup();
    fake.holdStorage = true;
    const done = uploader.upload(makeFile(SIZE));
    for (let released = 0; released < 11; ) {
      await vi.waitFor(() => expect(fake.inFlight).toBeGreaterThan(0));
      await new Promise((r) => setTimeout(r, 5));
      expect(fake.inFlight).toBeLessThanOrEqual(4);
      released += fake.inFlight;
      fake.releaseAll();
    }
    await done;
    expect(fake.maxInFlight).toBe(4);
    const signCalls = fake.apiCalls('POST', '/api/uploads/u_1/parts');
    expect(signCalls.length).toBeLessThan(11);
    const signed = signCalls.flatMap((r) => JSON.parse(r.body as string).partNumbers as number[]);
    expect(new Set(signed).size).toBe(11);
  });

  it('retries a failing part 3 times with growing backoff, then succeeds', async () => {
    vi.useFakeTimers();
    const { fake, uploader } = setup({ partConcurrency: 1 });
    let failures = 3;
    fake.intercept = (req) => (req.url.includes('/part?') && req.url.includes('n=2&') && failures-- > 0 ? s3Error(500, 'InternalError', 'x') : undefined);
    const done = uploader.upload(makeFile(SIZE));
    await vi.advanceTimersByTimeAsync(0);
    expect(partPuts(fake, 2)).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(500);
    expect(partPuts(fake, 2)).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(999);
    expect(partPuts(fake, 2)).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(partPuts(fake, 2)).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(2000);
    expect(partPuts(fake, 2)).toHaveLength(4);
    await expect(done).resolves.toMatchObject({ size: SIZE });
  });

  it('gives up on a part after 3 retries, stops the other parts and keeps the upload for a resume', async () => {
    vi.useFakeTimers();
    const { fake, storage, uploader } = setup();
    fake.intercept = (req) => (req.url.includes('n=5&') && req.url.startsWith(STORE) ? s3Error(500, 'InternalError', 'x') : undefined);
    const done = uploader.upload(makeFile(SIZE)).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(10_000);
    const err = await done;
    expect(err).toMatchObject({ kind: 'storage', code: 'storage_error', status: 500, rejected: false });
    expect(partPuts(fake, 5)).toHaveLength(4);
    expect(fake.apiCalls('POST', '/api/uploads/u_1/complete')).toHaveLength(0);
    expect(fake.uploads.get('u_1')?.aborted).toBe(false);
    expect(storage.map.size).toBe(1);
  });

  it('re-requests a URL the storage calls expired, without counting it as a failure', async () => {
    const { fake, uploader } = setup({ partConcurrency: 1, retry: { retries: 0, baseDelayMs: 1, maxDelayMs: 1 } });
    let expiredOnce = false;
    fake.intercept = (req) => {
      if (!expiredOnce && req.url.includes('n=7&')) {
        expiredOnce = true;
        fake.expireUrls('u_1');
        return expiredReply();
      }
      return undefined;
    };
    await uploader.upload(makeFile(SIZE));
    const puts7 = partPuts(fake, 7);
    expect(puts7).toHaveLength(2);
    expect(puts7[0]?.url).toContain('gen=0');
    expect(puts7[1]?.url).toContain('gen=1');
    const resigned = fake.apiCalls('POST', '/api/uploads/u_1/parts').map((r) => JSON.parse(r.body as string).partNumbers as number[]);
    expect(resigned.filter((batch) => batch.includes(7))).toHaveLength(2);
    // Parts 8.. were signed before the expiry; the fake refuses them too, and they are renewed as well.
    expect(fake.uploads.get('u_1')?.stored.size).toBe(11);
  });

  it('resumes after a reload: lists stored parts, uploads only the missing ones, completes with all', async () => {
    const first = setup({ partConcurrency: 1 });
    let puts = 0;
    first.fake.intercept = (req) => {
      if (req.url.includes('/part?') && ++puts === 5) {
        return s3Error(400, 'BadDigest', 'simulated failure of part 5');
      }
      return undefined;
    };
    const file = makeFile(SIZE);
    await expect(first.uploader.upload(file)).rejects.toMatchObject({ s3Code: 'BadDigest' });
    expect(first.fake.uploads.get('u_1')?.stored.size).toBe(4);
    // "Reload": a new uploader on the same storage and server; the user adds the same file again.
    first.fake.intercept = undefined;
    const second = new Uploader({ transport: first.fake.transport, baseUrl: API, storage: first.storage });
    const before = first.fake.requests.length;
    const progress: UploadProgress[] = [];
    const image = await second.upload(makeFile(SIZE), { onProgress: (p) => progress.push(p) });
    expect(image.id).toBe('i_u_1');
    const later = first.fake.requests.slice(before);
    expect(later.some((r) => r.method === 'POST' && r.url === `${API}/api/uploads`)).toBe(false);
    expect(later.some((r) => r.method === 'GET' && r.url === `${API}/api/uploads/u_1/parts`)).toBe(true);
    const sentParts = later.filter((r) => r.url.includes('/part?')).map((r) => Number(new URL(r.url).searchParams.get('n')));
    expect(sentParts.sort((a, b) => a - b)).toEqual([5, 6, 7, 8, 9, 10, 11]);
    expect(progress.find((p) => p.phase === 'uploading')).toMatchObject({ bytesSent: 4 * PART, resumedParts: 4 });
    expect(first.storage.map.size).toBe(0);
  });

  it('starts over when the remembered upload is gone', async () => {
    const { fake, storage, uploader } = setup();
    const file = makeFile(SIZE);
    storage.setItem(
      `onehop.upload:${JSON.stringify([file.name, file.size, file.lastModified, file.type])}`,
      JSON.stringify({ uploadId: 'u_gone', partSize: PART, partCount: 11, createdAt: new Date().toISOString() }),
    );
    await uploader.upload(file);
    expect(fake.apiCalls('GET', '/api/uploads/u_gone/parts')).toHaveLength(1);
    expect(partPuts(fake)).toHaveLength(11);
    expect(storage.map.size).toBe(0);
  });

  it('does not resume a different file with the same name', async () => {
    const { fake, storage, uploader } = setup();
    await uploader.upload(makeFile(SIZE, 'a.png')).catch(() => undefined);
    storage.map.clear();
    storage.setItem(
      `onehop.upload:${JSON.stringify(['a.png', SIZE, 1, 'image/png'])}`,
      JSON.stringify({ uploadId: 'u_1', partSize: PART, partCount: 11, createdAt: new Date().toISOString() }),
    );
    await uploader.upload(makeFile(SIZE, 'a.png', 'image/png', 2));
    expect(fake.apiCalls('GET', '/api/uploads/u_1/parts')).toHaveLength(0);
  });

  it('cancels: aborts parts in flight, aborts the upload at the API, forgets the resume record', async () => {
    const { fake, storage, uploader } = setup();
    fake.holdStorage = true;
    const controller = new AbortController();
    const done = uploader.upload(makeFile(SIZE), { signal: controller.signal });
    await vi.waitFor(() => expect(fake.inFlight).toBe(4));
    expect(storage.map.size).toBe(1);
    controller.abort();
    await expect(done).rejects.toMatchObject({ kind: 'aborted' });
    expect(fake.inFlight).toBe(0);
    await vi.waitFor(() => expect(fake.uploads.get('u_1')?.aborted).toBe(true));
    expect(storage.map.size).toBe(0);
    expect(partPuts(fake)).toHaveLength(4);
  });

  it('explains a missing ETag (the CORS rule does not expose it)', async () => {
    const { fake, uploader } = setup();
    fake.intercept = (req) => (req.url.includes('/part?') ? { status: 200 } : undefined);
    await expect(uploader.upload(makeFile(SIZE))).rejects.toMatchObject({ code: 'etag_unreadable' });
  });

  it('forgets the upload when verification fails (the object is deleted)', async () => {
    const { fake, storage, uploader } = setup();
    fake.intercept = (req) =>
      req.url.endsWith('/complete') ? json(422, { error: { code: 'verification_failed', message: 'not a PNG' } }) : undefined;
    await expect(uploader.upload(makeFile(SIZE))).rejects.toMatchObject({ code: 'verification_failed', rejected: true });
    expect(storage.map.size).toBe(0);
  });
});
