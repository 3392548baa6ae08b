// Every failure the client reports is an UploadError: one place maps the API's JSON errors, the
// storage's S3 XML errors and transport failures to a code a UI can act on.

import type { TransportResponse } from './transport';

/**
 * - `api`: the upload API refused (its `{error:{code,message}}`), `code` is the API's code.
 * - `storage`: the storage refused the bytes (S3 XML `<Code>`), `code` is `expired_url` or
 *   `storage_error`, and `s3Code` holds the XML code.
 * - `client`: refused before asking (type or size against `/api/config`), or a broken answer.
 * - `network`: no HTTP answer at all.
 * - `aborted`: the caller canceled.
 */
export type ErrorKind = 'api' | 'storage' | 'client' | 'network' | 'aborted';

/** Codes of the refusals decided locally from `/api/config` (see policy.ts). */
const LOCAL_REFUSALS = new Set(['unsupported_type', 'too_large', 'empty_file']);

export class UploadError extends Error {
  readonly kind: ErrorKind;
  readonly code: string;
  readonly status: number | undefined;
  /** Seconds to wait, from `Retry-After` (429 and 503). */
  readonly retryAfter: number | undefined;
  readonly s3Code: string | undefined;

  constructor(
    kind: ErrorKind,
    code: string,
    message: string,
    extra: { status?: number; retryAfter?: number; s3Code?: string } = {},
  ) {
    super(message);
    this.name = 'UploadError';
    this.kind = kind;
    this.code = code;
    this.status = extra.status;
    this.retryAfter = extra.retryAfter;
    this.s3Code = extra.s3Code;
  }

  /**
   * A refusal of this file (its type, size, content, rate or an expired URL) rather than a
   * failure of the system; a UI shows the first as "rejected" and the second as "error".
   */
  get rejected(): boolean {
    if (this.kind === 'client') {
      return LOCAL_REFUSALS.has(this.code);
    }
    if (this.kind === 'storage') {
      return this.status !== undefined && this.status >= 400 && this.status < 500;
    }
    return this.kind === 'api' && this.status !== undefined && this.status >= 400 && this.status < 500;
  }
}

/** `Retry-After` in seconds (delta form only; S3 and the API never send a date). */
export function parseRetryAfter(value: string | null): number | undefined {
  if (value === null || !/^\s*\d+\s*$/.test(value)) {
    return undefined;
  }
  return Number(value.trim());
}

function xmlElement(xml: string, name: string): string | undefined {
  const m = new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(xml);
  if (!m || m[1] === undefined) {
    return undefined;
  }
  return m[1]
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

/** An API answer that is not 2xx. */
export function apiError(res: TransportResponse): UploadError {
  const retryAfter = parseRetryAfter(res.header('Retry-After'));
  try {
    const body: unknown = JSON.parse(res.body);
    const err = (body as { error?: { code?: unknown; message?: unknown } }).error;
    if (err && typeof err.code === 'string') {
      const message = typeof err.message === 'string' ? err.message : err.code;
      return new UploadError('api', err.code, message, { status: res.status, retryAfter });
    }
  } catch {
    // Not JSON: a proxy's error page. Fall through to a generic error.
  }
  return new UploadError('api', res.status >= 500 ? 'server_error' : 'http_error', `the API answered ${res.status}`, {
    status: res.status,
    retryAfter,
  });
}

/** A storage answer that is not 2xx: S3's `<Error><Code>…</Code><Message>…</Message></Error>`. */
export function storageError(res: TransportResponse): UploadError {
  const s3Code = xmlElement(res.body, 'Code');
  const s3Message = xmlElement(res.body, 'Message');
  const retryAfter = parseRetryAfter(res.header('Retry-After'));
  const expired =
    (s3Code === 'AccessDenied' && /expired/i.test(s3Message ?? '')) ||
    s3Code === 'ExpiredToken' ||
    s3Code === 'RequestExpired';
  if (expired) {
    return new UploadError('storage', 'expired_url', 'the upload URL expired before the upload finished', {
      status: res.status,
      s3Code,
      retryAfter,
    });
  }
  const what = s3Code ? `${s3Code}${s3Message ? `: ${s3Message}` : ''}` : `HTTP ${res.status}`;
  return new UploadError('storage', 'storage_error', `the storage refused the upload (${what})`, {
    status: res.status,
    s3Code,
    retryAfter,
  });
}

/** Worth trying again with the same request: no answer, throttled, or a server-side failure. */
export function isTransient(e: unknown): boolean {
  if (!(e instanceof UploadError)) {
    return false;
  }
  if (e.kind === 'network') {
    return true;
  }
  if (e.kind === 'storage' || e.kind === 'api') {
    return e.status === 429 || (e.status !== undefined && e.status >= 500);
  }
  return false;
}

function formatBytes(n: number): string {
  if (n >= 1024 * 1024) {
    return `${(n / (1024 * 1024)).toFixed(n % (1024 * 1024) === 0 ? 0 : 1)} MB`;
  }
  if (n >= 1024) {
    return `${Math.round(n / 1024)} KB`;
  }
  return `${n} bytes`;
}

export { formatBytes };

/** One sentence for a person, per error. */
export function describeError(e: unknown): string {
  if (!(e instanceof UploadError)) {
    return e instanceof Error ? e.message : String(e);
  }
  switch (e.code) {
    case 'unsupported_type':
      return `This file type is not allowed. ${e.message}`;
    case 'too_large':
      return `This file is too large. ${e.message}`;
    case 'empty_file':
      return 'This file is empty.';
    case 'verification_failed':
      return `The storage did not receive a valid image: ${e.message}`;
    case 'rate_limited':
      return e.retryAfter !== undefined
        ? `Too many uploads right now; try again in ${e.retryAfter} s.`
        : 'Too many uploads right now; try again shortly.';
    case 'expired_url':
      return 'The upload link expired before the upload finished; try again.';
    case 'unauthorized':
      return 'You are not signed in, or your session expired.';
    case 'conflict':
      return `Not accepted: ${e.message}`;
    case 'storage_unavailable':
      return 'The storage is not answering; try again later.';
    case 'aborted':
      return 'Canceled.';
    case 'network_error':
      return `Network error: ${e.message}`;
    default:
      return e.message;
  }
}
