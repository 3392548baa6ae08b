// The one seam between the client and the network. Everything above it is testable with a fake;
// the real implementation uses XMLHttpRequest because fetch has no upload progress events.

export interface TransportRequest {
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: Blob | FormData | string | null;
  signal?: AbortSignal;
  /** Bytes of the request body sent so far; only for requests that carry file bytes. */
  onUploadProgress?: (loaded: number, total: number) => void;
}

export interface TransportResponse {
  status: number;
  /** A response header by case-insensitive name, or null (also when CORS does not expose it). */
  header(name: string): string | null;
  body: string;
}

/**
 * Sends one request. Resolves with any HTTP status (4xx and 5xx included); rejects only with
 * a `NetworkError` (no answer) or an `AbortError` DOMException (the signal fired).
 */
export type Transport = (request: TransportRequest) => Promise<TransportResponse>;

/** The request got no HTTP answer: offline, DNS, connection reset, or blocked by CORS. */
export class NetworkError extends Error {
  constructor(message = 'network error') {
    super(message);
    this.name = 'NetworkError';
  }
}

export function abortError(): DOMException {
  return new DOMException('the upload was canceled', 'AbortError');
}

export function isAbortError(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { name?: unknown }).name === 'AbortError';
}

function parseHeaders(raw: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of raw.trim().split(/[\r\n]+/)) {
    const colon = line.indexOf(':');
    if (colon > 0) {
      map.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
  }
  return map;
}

/** The browser transport. Cookies go with same-origin requests only (withCredentials off). */
export const xhrTransport: Transport = (request) =>
  new Promise<TransportResponse>((resolve, reject) => {
    const { signal } = request;
    if (signal?.aborted) {
      reject(abortError());
      return;
    }
    const xhr = new XMLHttpRequest();
    xhr.open(request.method, request.url, true);
    for (const [name, value] of Object.entries(request.headers ?? {})) {
      xhr.setRequestHeader(name, value);
    }
    const onAbort = () => xhr.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    const done = () => signal?.removeEventListener('abort', onAbort);
    if (request.onUploadProgress) {
      const report = request.onUploadProgress;
      xhr.upload.addEventListener('progress', (e) => {
        if (e.lengthComputable) {
          report(e.loaded, e.total);
        }
      });
    }
    xhr.addEventListener('load', () => {
      done();
      const headers = parseHeaders(xhr.getAllResponseHeaders());
      resolve({
        status: xhr.status,
        header: (name) => headers.get(name.toLowerCase()) ?? null,
        body: typeof xhr.responseText === 'string' ? xhr.responseText : '',
      });
    });
    xhr.addEventListener('error', () => {
      done();
      reject(new NetworkError(`no answer from ${new URL(request.url, location.href).origin}`));
    });
    xhr.addEventListener('timeout', () => {
      done();
      reject(new NetworkError('timed out'));
    });
    xhr.addEventListener('abort', () => {
      done();
      reject(abortError());
    });
    xhr.send(request.body ?? null);
  });
