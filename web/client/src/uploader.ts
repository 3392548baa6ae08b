// One file from the browser to the storage: ask the API how, send the bytes straight to the
// storage (PUT, POST form or multipart, as the API says), then have the API verify and record it.

import { ApiClient } from './api';
import { isTransient, storageError, UploadError } from './errors';
import { PartUrls } from './part_urls';
import { checkFile, partRange } from './policy';
import { runPool } from './pool';
import { browserStorage, fileIdentity, type KeyValueStorage, ResumeStore } from './resume';
import { backoffDelay, type Clock, defaultRetryPolicy, realClock, type RetryPolicy, sleep } from './retry';
import { sha256Base64 } from './sha256';
import { isAbortError, NetworkError, type Transport, type TransportResponse, xhrTransport } from './transport';
import type { ApiConfig, CompletedPart, Image, MultipartPlan, PostPlan, PutPlan, UploadPlan } from './types';

export type UploadPhase = 'checking' | 'hashing' | 'uploading' | 'completing' | 'done';

export interface UploadProgress {
  phase: UploadPhase;
  /** Bytes the storage has received (for multipart: stored parts plus parts in flight). */
  bytesSent: number;
  bytesTotal: number;
  /** 0..1 for a progress bar; 1 only once the API's complete call has succeeded. */
  fraction: number;
  /** Parts found already stored when a multipart upload resumed. */
  resumedParts?: number;
}

export interface UploadOptions {
  onProgress?: (progress: UploadProgress) => void;
  signal?: AbortSignal;
  /** Defaults to the file's own type. */
  contentType?: string;
  /** Single uploads: a signed PUT (default) or a browser POST form. */
  method?: 'PUT' | 'POST';
}

export interface UploaderOptions {
  /** The API client; or give `transport`, `baseUrl` and `getToken` to build one. */
  api?: ApiClient;
  transport?: Transport;
  baseUrl?: string;
  getToken?: () => string | null | undefined;
  /** Parts of one multipart upload sent at once. */
  partConcurrency?: number;
  retry?: RetryPolicy;
  /** 'auto': a SHA-256 only when the API requires one. */
  checksum?: 'auto' | 'always' | 'never';
  /** Where multipart upload ids are kept across reloads; null: no resume. */
  storage?: KeyValueStorage | null;
  /** On cancel, keep a multipart upload for a later resume instead of aborting it. */
  keepOnAbort?: boolean;
  clock?: Clock;
  random?: () => number;
  now?: () => Date;
}

/** Expired-URL renewals per request, on top of the retries for transient failures. */
const MAX_RENEWALS = 3;
const PROGRESS_CAP = 0.99;

export class Uploader {
  readonly api: ApiClient;
  private readonly transport: Transport;
  private readonly partConcurrency: number;
  private readonly retryPolicy: RetryPolicy;
  private readonly checksum: 'auto' | 'always' | 'never';
  private readonly resume: ResumeStore;
  private readonly keepOnAbort: boolean;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly now: () => Date;

  constructor(options: UploaderOptions = {}) {
    this.transport = options.transport ?? xhrTransport;
    this.api =
      options.api ??
      new ApiClient({ transport: this.transport, baseUrl: options.baseUrl, getToken: options.getToken });
    this.partConcurrency = options.partConcurrency ?? 4;
    this.retryPolicy = options.retry ?? defaultRetryPolicy;
    this.checksum = options.checksum ?? 'auto';
    this.resume = new ResumeStore(options.storage === undefined ? browserStorage() : options.storage);
    this.keepOnAbort = options.keepOnAbort ?? false;
    this.clock = options.clock ?? realClock;
    this.random = options.random ?? Math.random;
    this.now = options.now ?? (() => new Date());
  }

  /** Uploads `file`; resolves with the recorded image or rejects with an UploadError. */
  async upload(file: File, options: UploadOptions = {}): Promise<Image> {
    try {
      return await this.run(file, options);
    } catch (e) {
      throw toUploadError(e, options.signal);
    }
  }

  private async run(file: File, options: UploadOptions): Promise<Image> {
    const { signal } = options;
    signal?.throwIfAborted();
    const progress = new ProgressReporter(file.size, options.onProgress);
    progress.emit('checking');
    const config = await this.api.config(signal);
    const contentType = options.contentType ?? file.type;
    const refusal = checkFile(file, contentType, config);
    if (refusal) {
      throw refusal;
    }
    const identity = fileIdentity(file);
    const resumed = file.size > config.multipartThreshold ? await this.findResumable(file, signal) : undefined;
    if (resumed) {
      return this.sendMultipart(file, resumed.plan, resumed.stored, progress, signal);
    }
    let sha256: string | undefined;
    if (this.wantsChecksum(config)) {
      progress.emit('hashing');
      sha256 = await sha256Base64(file, { signal });
    }
    const create = () =>
      this.api.createUpload(
        { filename: file.name, contentType, size: file.size, ...(sha256 ? { sha256 } : {}), ...(options.method ? { method: options.method } : {}) },
        signal,
      );
    const plan = await create();
    if (plan.method === 'MULTIPART') {
      this.resume.set(identity, {
        uploadId: plan.uploadId,
        partSize: plan.multipart.partSize,
        partCount: plan.multipart.partCount,
        createdAt: this.now().toISOString(),
      });
      return this.sendMultipart(file, plan, new Map(), progress, signal);
    }
    return this.sendSingle(file, plan, create, progress, signal);
  }

  private wantsChecksum(config: ApiConfig): boolean {
    if (this.checksum === 'never') {
      return false;
    }
    return this.checksum === 'always' || config.checksum === 'required';
  }

  /** A multipart upload of this very file that a previous page started, with its stored parts. */
  private async findResumable(
    file: File,
    signal?: AbortSignal,
  ): Promise<{ plan: MultipartPlan; stored: Map<number, string> } | undefined> {
    const identity = fileIdentity(file);
    const record = this.resume.get(identity, this.now());
    if (!record) {
      return undefined;
    }
    let parts;
    try {
      parts = await this.api.listParts(record.uploadId, signal);
    } catch (e) {
      if (e instanceof UploadError && e.kind === 'api' && (e.status === 404 || e.status === 409)) {
        // Completed, aborted or swept since: start over.
        this.resume.remove(identity);
        return undefined;
      }
      throw e;
    }
    const stored = new Map<number, string>();
    for (const part of parts) {
      const { start, end } = partRange(part.partNumber, record.partSize, file.size);
      if (part.partNumber >= 1 && part.partNumber <= record.partCount && part.size === end - start) {
        stored.set(part.partNumber, part.etag);
      }
    }
    const plan: MultipartPlan = {
      uploadId: record.uploadId,
      key: '',
      method: 'MULTIPART',
      multipart: { partSize: record.partSize, partCount: record.partCount },
      expiresAt: '',
    };
    return { plan, stored };
  }

  private async sendSingle(
    file: File,
    first: PutPlan | PostPlan,
    create: () => Promise<UploadPlan>,
    progress: ProgressReporter,
    signal?: AbortSignal,
  ): Promise<Image> {
    let plan = first;
    try {
      await this.withRetries(signal, async () => {
        progress.setPart(1, 0);
        progress.emit('uploading');
        const res = await this.send(singleRequest(plan, file), signal, (loaded) => {
          progress.setPart(1, Math.min(loaded, file.size));
          progress.emit('uploading');
        });
        if (!ok(res)) {
          throw storageError(res);
        }
      }, async () => {
        // A single upload's URL cannot be re-signed alone: ask for a new upload.
        const stale = plan.uploadId;
        const next = await create();
        if (next.method === 'MULTIPART') {
          throw new UploadError('client', 'bad_response', 'the API changed the upload method on a retry');
        }
        plan = next;
        void this.api.abort(stale).catch(() => undefined);
      });
      progress.setPart(1, file.size);
      progress.emit('completing');
      const image = await this.withRetries(signal, () => this.api.complete(plan.uploadId, undefined, signal));
      progress.emit('done');
      return image;
    } catch (e) {
      if (isAbortError(e) || signal?.aborted) {
        void this.api.abort(plan.uploadId).catch(() => undefined);
      }
      throw e;
    }
  }

  private async sendMultipart(
    file: File,
    plan: MultipartPlan,
    stored: Map<number, string>,
    progress: ProgressReporter,
    signal?: AbortSignal,
  ): Promise<Image> {
    const identity = fileIdentity(file);
    const { partSize, partCount } = plan.multipart;
    const etags = new Map(stored);
    for (const n of etags.keys()) {
      const { start, end } = partRange(n, partSize, file.size);
      progress.setPart(n, end - start);
    }
    progress.resumedParts = stored.size;
    const pending: number[] = [];
    for (let n = 1; n <= partCount; n++) {
      if (!etags.has(n)) {
        pending.push(n);
      }
    }
    // One failed part stops the others: their requests are aborted, not left running.
    const inner = new AbortController();
    const onOuterAbort = () => inner.abort(signal?.reason);
    signal?.addEventListener('abort', onOuterAbort, { once: true });
    const urls = new PartUrls(this.api, plan.uploadId, this.partConcurrency * 2, () =>
      pending.filter((n) => !etags.has(n)),
    );
    try {
      progress.emit('uploading');
      await runPool(pending, this.partConcurrency, async (n) => {
        try {
          etags.set(n, await this.sendPart(file, n, partSize, urls, progress, inner.signal));
        } catch (e) {
          inner.abort(e);
          throw e;
        }
      });
      progress.emit('completing');
      const parts: CompletedPart[] = [...etags.entries()]
        .sort(([a], [b]) => a - b)
        .map(([partNumber, etag]) => ({ partNumber, etag }));
      const image = await this.withRetries(signal, () => this.api.complete(plan.uploadId, parts, signal));
      this.resume.remove(identity);
      progress.emit('done');
      return image;
    } catch (e) {
      if (signal?.aborted) {
        if (!this.keepOnAbort) {
          this.resume.remove(identity);
          void this.api.abort(plan.uploadId).catch(() => undefined);
        }
      } else if (e instanceof UploadError && e.kind === 'api' && (e.status === 404 || e.code === 'verification_failed')) {
        // Nothing left to resume: the upload is gone or its object was deleted.
        this.resume.remove(identity);
      }
      throw e;
    } finally {
      signal?.removeEventListener('abort', onOuterAbort);
    }
  }

  /** One part, with its own retries and URL renewals; resolves with the part's ETag. */
  private async sendPart(
    file: File,
    partNumber: number,
    partSize: number,
    urls: PartUrls,
    progress: ProgressReporter,
    signal: AbortSignal,
  ): Promise<string> {
    const { start, end } = partRange(partNumber, partSize, file.size);
    const body = file.slice(start, end);
    let etag = '';
    await this.withRetries(
      signal,
      async () => {
        const signed = await urls.get(partNumber, signal);
        progress.setPart(partNumber, 0);
        try {
          const res = await this.send({ method: 'PUT', url: signed.url, headers: signed.headers, body }, signal, (loaded) => {
            progress.setPart(partNumber, Math.min(loaded, end - start));
            progress.emit('uploading');
          });
          if (!ok(res)) {
            throw storageError(res);
          }
          const header = res.header('ETag');
          if (!header) {
            throw new UploadError(
              'client',
              'etag_unreadable',
              "the storage's answer to a part has no readable ETag header; its CORS rule must expose ETag",
            );
          }
          etag = header;
          progress.setPart(partNumber, end - start);
          progress.emit('uploading');
        } catch (e) {
          progress.setPart(partNumber, 0);
          throw e;
        }
      },
      async () => urls.invalidate(partNumber),
    );
    return etag;
  }

  /**
   * Runs `attempt` until it succeeds: transient failures (no answer, 429, 5xx) are retried with
   * backoff up to the policy's count; an expired URL calls `renew` and tries again at once.
   */
  private async withRetries<T>(signal: AbortSignal | undefined, attempt: () => Promise<T>, renew?: () => Promise<void>): Promise<T> {
    let retries = 0;
    let renewals = 0;
    for (;;) {
      try {
        return await attempt();
      } catch (e) {
        if (signal?.aborted || isAbortError(e)) {
          throw e;
        }
        if (renew && e instanceof UploadError && e.code === 'expired_url' && renewals < MAX_RENEWALS) {
          renewals++;
          await renew();
          continue;
        }
        if (isTransient(e) && retries < this.retryPolicy.retries) {
          retries++;
          const retryAfter = e instanceof UploadError ? e.retryAfter : undefined;
          await sleep(this.clock, backoffDelay(this.retryPolicy, retries, this.random(), retryAfter), signal);
          continue;
        }
        throw e;
      }
    }
  }

  private async send(
    request: { method: string; url: string; headers?: Record<string, string>; body: Blob | FormData },
    signal: AbortSignal | undefined,
    onProgress: (loaded: number) => void,
  ): Promise<TransportResponse> {
    try {
      return await this.transport({ ...request, signal, onUploadProgress: (loaded) => onProgress(loaded) });
    } catch (e) {
      if (e instanceof NetworkError) {
        throw new UploadError('network', 'network_error', e.message);
      }
      throw e;
    }
  }
}

function ok(res: TransportResponse): boolean {
  return res.status >= 200 && res.status < 300;
}

function singleRequest(plan: PutPlan | PostPlan, file: File): { method: string; url: string; headers?: Record<string, string>; body: Blob | FormData } {
  if (plan.method === 'PUT') {
    return { method: 'PUT', url: plan.url, headers: plan.headers, body: file };
  }
  const form = new FormData();
  for (const [name, value] of Object.entries(plan.fields)) {
    form.append(name, value);
  }
  // S3 ignores every field after `file`, so it goes last.
  form.append('file', file, file.name);
  return { method: 'POST', url: plan.url, body: form };
}

function toUploadError(e: unknown, signal?: AbortSignal): UploadError {
  if (e instanceof UploadError) {
    return signal?.aborted ? new UploadError('aborted', 'aborted', 'the upload was canceled') : e;
  }
  if (isAbortError(e) || signal?.aborted) {
    return new UploadError('aborted', 'aborted', 'the upload was canceled');
  }
  if (e instanceof NetworkError) {
    return new UploadError('network', 'network_error', e.message);
  }
  return new UploadError('client', 'internal', e instanceof Error ? e.message : String(e));
}

/** Sums per-part byte counts into one progress value. */
class ProgressReporter {
  private readonly parts = new Map<number, number>();
  resumedParts = 0;

  constructor(
    private readonly total: number,
    private readonly listener?: (p: UploadProgress) => void,
  ) {}

  setPart(partNumber: number, bytes: number): void {
    this.parts.set(partNumber, bytes);
  }

  emit(phase: UploadPhase): void {
    if (!this.listener) {
      return;
    }
    let sent = 0;
    for (const b of this.parts.values()) {
      sent += b;
    }
    const fraction = phase === 'done' ? 1 : this.total > 0 ? (PROGRESS_CAP * sent) / this.total : 0;
    this.listener({
      phase,
      bytesSent: sent,
      bytesTotal: this.total,
      fraction,
      ...(this.resumedParts > 0 ? { resumedParts: this.resumedParts } : {}),
    });
  }
}
