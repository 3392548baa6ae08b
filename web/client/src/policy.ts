// Pure checks and arithmetic the uploader needs before and during an upload.

import { formatBytes, UploadError } from './errors';
import type { ApiConfig } from './types';

/** The API's own refusals, decided locally from `/api/config` so no request is wasted. */
export function checkFile(file: { size: number; type: string }, contentType: string, config: ApiConfig): UploadError | null {
  if (!config.allowedTypes.includes(contentType)) {
    const shown = contentType === '' ? 'an unknown type' : `content type ${contentType}`;
    return new UploadError('client', 'unsupported_type', `${shown} is not allowed; allowed: ${config.allowedTypes.join(', ')}`);
  }
  if (file.size === 0) {
    return new UploadError('client', 'empty_file', 'the file is empty');
  }
  if (file.size > config.maxSize) {
    return new UploadError('client', 'too_large', `${formatBytes(file.size)} is above the limit of ${formatBytes(config.maxSize)}`);
  }
  return null;
}

export function usesMultipart(size: number, config: ApiConfig): boolean {
  return size > config.multipartThreshold;
}

/** Byte range [start, end) of part `partNumber` (1-based); every part is `partSize` but the last. */
export function partRange(partNumber: number, partSize: number, size: number): { start: number; end: number } {
  const start = (partNumber - 1) * partSize;
  return { start, end: Math.min(size, start + partSize) };
}

export function partCountFor(size: number, partSize: number): number {
  return Math.max(1, Math.ceil(size / partSize));
}
