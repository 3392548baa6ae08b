// Retry timing, kept pure (delay from attempt number and a random draw) so tests can check it,
// plus an abortable sleep on an injectable clock.

import { abortError } from './transport';

export interface RetryPolicy {
  /** Retries after the first attempt (3: up to four tries in all). */
  retries: number;
  /** Delay before the first retry, doubled for each further one. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const defaultRetryPolicy: RetryPolicy = { retries: 3, baseDelayMs: 500, maxDelayMs: 10_000 };

/**
 * Delay before retry number `retry` (1-based): exponential, with jitter between half and all of
 * it so that parts failing together do not retry together. A server's `Retry-After` wins when it
 * asks for longer.
 */
export function backoffDelay(policy: RetryPolicy, retry: number, random: number, retryAfterSeconds?: number): number {
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  const jittered = Math.round(exponential * (0.5 + 0.5 * random));
  if (retryAfterSeconds !== undefined) {
    return Math.max(jittered, retryAfterSeconds * 1000);
  }
  return jittered;
}

export interface Clock {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realClock: Clock = {
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortError());
      return;
    }
    const onAbort = () => {
      clock.clearTimeout(handle);
      reject(abortError());
    };
    const handle = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
