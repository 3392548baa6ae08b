// Signed part URLs, fetched in batches just before they are needed (they expire in minutes) and
// fetched again when the storage says one has expired.

import type { ApiClient } from './api';
import type { SignedPart } from './types';

/** The API signs at most this many parts per call. */
export const MAX_PARTS_PER_SIGN_CALL = 100;

export class PartUrls {
  private readonly cache = new Map<number, SignedPart>();
  private readonly inflight = new Map<number, Promise<void>>();

  /**
   * @param upcoming parts still to upload, in order: a batch signs the asked-for part and the
   *   next ones from this list, so one API call serves several parts.
   */
  constructor(
    private readonly api: ApiClient,
    private readonly uploadId: string,
    private readonly batchSize: number,
    private readonly upcoming: () => number[],
  ) {}

  async get(partNumber: number, signal?: AbortSignal): Promise<SignedPart> {
    for (;;) {
      const cached = this.cache.get(partNumber);
      if (cached) {
        return cached;
      }
      const pending = this.inflight.get(partNumber);
      if (pending) {
        await pending;
        continue;
      }
      await this.fetchBatch(partNumber, signal);
      const signed = this.cache.get(partNumber);
      if (!signed) {
        throw new Error(`the API did not sign part ${partNumber}`);
      }
      return signed;
    }
  }

  /** Forget a URL the storage refused as expired. */
  invalidate(partNumber: number): void {
    this.cache.delete(partNumber);
  }

  private fetchBatch(first: number, signal?: AbortSignal): Promise<void> {
    const limit = Math.min(this.batchSize, MAX_PARTS_PER_SIGN_CALL);
    const batch = [first];
    for (const n of this.upcoming()) {
      if (batch.length >= limit) {
        break;
      }
      if (n !== first && !this.cache.has(n) && !this.inflight.has(n)) {
        batch.push(n);
      }
    }
    const request = this.api.signParts(this.uploadId, batch, signal).then((res) => {
      for (const part of res.parts) {
        this.cache.set(part.partNumber, part);
      }
    });
    const settled = request.finally(() => {
      for (const n of batch) {
        this.inflight.delete(n);
      }
    });
    // Waiters on other parts of the batch only need to know it settled; the asker sees the error.
    const quiet = settled.catch(() => undefined);
    for (const n of batch) {
      this.inflight.set(n, quiet);
    }
    return settled;
  }
}
