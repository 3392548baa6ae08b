export { ApiClient, type ApiClientOptions } from './api';
export { describeError, formatBytes, isTransient, UploadError, type ErrorKind } from './errors';
export { checkFile, partRange, usesMultipart } from './policy';
export { browserStorage, type KeyValueStorage, ResumeStore } from './resume';
export { backoffDelay, defaultRetryPolicy, type Clock, type RetryPolicy } from './retry';
export { Sha256, sha256Base64, toBase64, toHex } from './sha256';
export { NetworkError, xhrTransport, type Transport, type TransportRequest, type TransportResponse } from './transport';
export type * from './types';
export {
  Uploader,
  type UploaderOptions,
  type UploadOptions,
  type UploadPhase,
  type UploadProgress,
} from './uploader';

import { Uploader, type UploaderOptions } from './uploader';

/** `createUploader({getToken}).upload(file, {onProgress, signal})` -> the recorded image. */
export function createUploader(options: UploaderOptions = {}): Uploader {
  return new Uploader(options);
}
export { UploadQueue, type ItemStatus, type UploadItem, type UploadQueueOptions } from './queue';
