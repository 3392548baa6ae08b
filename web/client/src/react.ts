// `useUpload`: the upload queue as React state. Import from '@onehop/client/react'.

import { useMemo, useRef, useSyncExternalStore } from 'react';

import { UploadQueue, type UploadItem, type UploadQueueOptions } from './queue';
import type { Uploader } from './uploader';

export type { ItemStatus, UploadItem } from './queue';

export interface UseUpload {
  items: readonly UploadItem[];
  add(files: Iterable<File>): UploadItem[];
  cancel(id: string): void;
  remove(id: string): void;
  retry(id: string): void;
  clearFinished(): void;
}

/**
 * Uploads files with `uploader`, `concurrency` at a time, and re-renders on every status and
 * progress change. `onUploaded` may change between renders; the latest one is called.
 */
export function useUpload(uploader: Uploader, options: UploadQueueOptions = {}): UseUpload {
  const queueRef = useRef<{ uploader: Uploader; queue: UploadQueue } | null>(null);
  if (queueRef.current === null || queueRef.current.uploader !== uploader) {
    queueRef.current = { uploader, queue: new UploadQueue(uploader, options) };
  }
  const queue = queueRef.current.queue;
  queue.onUploaded = options.onUploaded;
  const items = useSyncExternalStore(queue.subscribe, queue.getSnapshot, queue.getSnapshot);
  return useMemo(
    () => ({
      items,
      add: (files: Iterable<File>) => queue.add(files),
      cancel: (id: string) => queue.cancel(id),
      remove: (id: string) => queue.remove(id),
      retry: (id: string) => queue.retry(id),
      clearFinished: () => queue.clearFinished(),
    }),
    [items, queue],
  );
}
