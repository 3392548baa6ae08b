// An in-memory stand-in for the onehop API and the storage, behind the client's Transport seam.
// It keeps what a real server would (uploads, stored parts) so tests check behaviour, and it lets
// a test inject failures per request.

import { File as NodeFile } from 'node:buffer';

import type { TransportRequest, TransportResponse } from '../src/transport';
import { NetworkError, abortError } from '../src/transport';
import type { ApiConfig } from '../src/types';

export const API = 'http://api.test';
export const STORE = 'http://store.test';

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

interface FakeUpload {
  id: string;
  filename: string;
  contentType: string;
  size: number;
  sha256?: string;
  method: 'PUT' | 'POST' | 'MULTIPART';
  partSize: number;
  partCount: number;
  stored: Map<number, { etag: string; size: number }>;
  object?: Uint8Array;
  aborted: boolean;
  /** URLs signed at this generation or later are valid (a test bumps it to expire old ones). */
  urlGeneration: number;
}

export function json(status: number, value: unknown, headers: Record<string, string> = {}): Reply {
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(value) };
}

export function s3Error(status: number, code: string, message: string): Reply {
  return {
    status,
    headers: { 'content-type': 'application/xml' },
    body: `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`,
  };
}

export const expiredReply = (): Reply => s3Error(403, 'AccessDenied', 'Request has expired');

export class FakeOnehop {
  config: ApiConfig = {
    maxSize: 100 * 1024 * 1024,
    allowedTypes: ['image/png', 'image/jpeg'],
    multipartThreshold: 1000,
    partSize: 256,
    checksum: 'optional',
    devMode: true,
  };
  readonly requests: TransportRequest[] = [];
  readonly uploads = new Map<string, FakeUpload>();
  /** Runs first for every request; a Reply (or a thrown error) replaces the fake's own answer. */
  intercept: ((req: TransportRequest) => Reply | undefined | Promise<Reply | undefined>) | undefined;
  /** Part PUTs in flight now, and the most at once. */
  inFlight = 0;
  maxInFlight = 0;
  /** Resolves each storage PUT only when released (tests of cancel and concurrency). */
  holdStorage = false;
  private held: Array<() => void> = [];
  private nextId = 0;

  readonly transport = async (req: TransportRequest): Promise<TransportResponse> => {
    this.requests.push(req);
    if (req.signal?.aborted) {
      throw abortError();
    }
    const reply = await this.answer(req);
    const headers = new Map(Object.entries(reply.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
    return { status: reply.status, header: (n) => headers.get(n.toLowerCase()) ?? null, body: reply.body ?? '' };
  };

  releaseAll(): void {
    const held = this.held;
    this.held = [];
    for (const release of held) {
      release();
    }
  }

  /** Makes every URL signed so far expire. */
  expireUrls(uploadId: string): void {
    const u = this.uploads.get(uploadId);
    if (u) {
      u.urlGeneration++;
    }
  }

  apiCalls(method: string, pathPrefix: string): TransportRequest[] {
    return this.requests.filter((r) => r.method === method && r.url.startsWith(API + pathPrefix));
  }

  storageCalls(): TransportRequest[] {
    return this.requests.filter((r) => r.url.startsWith(STORE));
  }

  private async answer(req: TransportRequest): Promise<Reply> {
    const injected = await this.intercept?.(req);
    if (injected) {
      return injected;
    }
    if (req.url.startsWith(STORE)) {
      return this.storage(req);
    }
    return this.api(req);
  }

  private api(req: TransportRequest): Reply {
    const url = new URL(req.url);
    const path = url.pathname;
    const body = typeof req.body === 'string' && req.body !== '' ? (JSON.parse(req.body) as Record<string, unknown>) : {};
    if (path === '/api/config' && req.method === 'GET') {
      return json(200, this.config);
    }
    if (path === '/api/uploads' && req.method === 'POST') {
      const size = body['size'] as number;
      const id = `u_${++this.nextId}`;
      const multipart = size > this.config.multipartThreshold;
      const method = multipart ? 'MULTIPART' : ((body['method'] as 'PUT' | 'POST' | undefined) ?? 'PUT');
      const u: FakeUpload = {
        id,
        filename: body['filename'] as string,
        contentType: body['contentType'] as string,
        size,
        sha256: body['sha256'] as string | undefined,
        method,
        partSize: this.config.partSize,
        partCount: Math.ceil(size / this.config.partSize),
        stored: new Map(),
        aborted: false,
        urlGeneration: 0,
      };
      this.uploads.set(id, u);
      const base = { uploadId: id, key: `uploads/alice/${id}.png`, expiresAt: '2030-01-01T00:00:00Z' };
      if (method === 'MULTIPART') {
        return json(201, { ...base, method, multipart: { partSize: u.partSize, partCount: u.partCount } });
      }
      if (method === 'POST') {
        return json(201, { ...base, method, url: `${STORE}/bucket`, fields: { key: base.key, 'Content-Type': u.contentType, policy: 'p', 'x-amz-signature': 's', upload: id, gen: '0' } });
      }
      const headers: Record<string, string> = { 'Content-Type': u.contentType };
      if (u.sha256) {
        headers['x-amz-checksum-sha256'] = u.sha256;
      }
      return json(201, { ...base, method, url: `${STORE}/object?upload=${id}&gen=0`, headers });
    }
    const m = /^\/api\/uploads\/([^/]+)(\/parts|\/complete)?$/.exec(path);
    if (m) {
      const u = this.uploads.get(decodeURIComponent(m[1] as string));
      if (!u || u.aborted) {
        return json(404, { error: { code: 'not_found', message: 'no such upload' } });
      }
      if (m[2] === '/parts' && req.method === 'POST') {
        const numbers = body['partNumbers'] as number[];
        return json(200, {
          parts: numbers.map((n) => ({ partNumber: n, url: `${STORE}/part?upload=${u.id}&n=${n}&gen=${u.urlGeneration}`, headers: {} })),
          expiresAt: '2030-01-01T00:00:00Z',
        });
      }
      if (m[2] === '/parts' && req.method === 'GET') {
        return json(200, { parts: [...u.stored.entries()].map(([partNumber, p]) => ({ partNumber, etag: p.etag, size: p.size })) });
      }
      if (m[2] === '/complete' && req.method === 'POST') {
        if (u.method === 'MULTIPART') {
          const parts = body['parts'] as Array<{ partNumber: number; etag: string }>;
          const complete = parts.length === u.partCount && parts.every((p, i) => p.partNumber === i + 1 && u.stored.get(p.partNumber)?.etag === p.etag);
          if (!complete) {
            return json(409, { error: { code: 'conflict', message: 'parts do not match' } });
          }
        } else if (!u.object) {
          return json(422, { error: { code: 'verification_failed', message: 'no object' } });
        }
        return json(200, { image: { id: `i_${u.id}`, key: `uploads/alice/${u.id}.png`, filename: u.filename, contentType: u.contentType, size: u.size, createdAt: '2026-11-28T13:00:00Z', url: `${STORE}/view/${u.id}` } });
      }
      if (!m[2] && req.method === 'DELETE') {
        u.aborted = true;
        return { status: 204 };
      }
    }
    return json(404, { error: { code: 'not_found', message: `no route ${req.method} ${path}` } });
  }

  private async storage(req: TransportRequest): Promise<Reply> {
    const url = new URL(req.url);
    let id: string | null;
    let gen: number;
    let blob: Blob;
    if (req.method === 'POST') {
      const form = req.body as FormData;
      id = form.get('upload') as string;
      gen = Number(form.get('gen'));
      blob = form.get('file') as Blob;
    } else {
      id = url.searchParams.get('upload');
      gen = Number(url.searchParams.get('gen'));
      blob = req.body as Blob;
    }
    const u = id ? this.uploads.get(id) : undefined;
    if (!u) {
      return s3Error(404, 'NoSuchUpload', 'no such upload');
    }
    if (gen < u.urlGeneration) {
      return expiredReply();
    }
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      req.onUploadProgress?.(Math.floor(blob.size / 2), blob.size);
      if (this.holdStorage) {
        await new Promise<void>((resolve, reject) => {
          const onAbort = () => reject(abortError());
          req.signal?.addEventListener('abort', onAbort, { once: true });
          this.held.push(() => {
            req.signal?.removeEventListener('abort', onAbort);
            resolve();
          });
        });
      }
      const bytes = new Uint8Array(await blob.arrayBuffer());
      req.onUploadProgress?.(blob.size, blob.size);
      if (url.pathname === '/part') {
        const n = Number(url.searchParams.get('n'));
        const etag = `"etag-${n}-${bytes.length}"`;
        u.stored.set(n, { etag, size: bytes.length });
        return { status: 200, headers: { ETag: etag } };
      }
      if (req.method === 'PUT' && req.headers?.['Content-Type'] !== u.contentType) {
        return s3Error(403, 'SignatureDoesNotMatch', 'content type differs');
      }
      u.object = bytes;
      return { status: req.method === 'POST' ? 204 : 200, headers: { ETag: '"whole"' } };
    } finally {
      this.inFlight--;
    }
  }
}

export function networkFailure(): never {
  throw new NetworkError('connection reset');
}

/**
 * A File of `size` bytes with a recognisable pattern. Node's File, also under jsdom, whose own
 * File cannot be read back (no arrayBuffer()).
 */
export function makeFile(size: number, name = 'cat.png', type = 'image/png', lastModified = 1_700_000_000_000): File {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) {
    bytes[i] = (i * 31 + 7) & 0xff;
  }
  return new NodeFile([bytes], name, { type, lastModified }) as unknown as File;
}

/** localStorage stand-in. */
export class MemoryStorage {
  readonly map = new Map<string, string>();
  getItem(key: string): string | null {
    return this.map.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.map.set(key, value);
  }
  removeItem(key: string): void {
    this.map.delete(key);
  }
}
