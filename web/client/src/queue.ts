// Many files, each with its own status and progress, a few at a time: the state a UI renders.
// Framework-free (subscribe/getSnapshot), so the React hook is a thin adapter over it.

import { UploadError } from './errors';
import type { Image } from './types';
import type { Uploader, UploadProgress } from './uploader';

export type ItemStatus = 'queued' | 'uploading' | 'done' | 'rejected' | 'error' | 'canceled';

export interface UploadItem {
  readonly id: string;
  readonly file: File;
  readonly status: ItemStatus;
  readonly progress: UploadProgress | undefined;
  readonly image: Image | undefined;
  readonly error: UploadError | undefined;
}

export interface UploadQueueOptions {
  /** Files uploading at once (each multipart file also sends parts in parallel). */
  concurrency?: number;
  onUploaded?: (image: Image, item: UploadItem) => void;
}

let nextId = 0;

export class UploadQueue {
  onUploaded: ((image: Image, item: UploadItem) => void) | undefined;
  private items: readonly UploadItem[] = [];
  private readonly controllers = new Map<string, AbortController>();
  private readonly listeners = new Set<() => void>();
  private readonly concurrency: number;

  constructor(
    private readonly uploader: Uploader,
    options: UploadQueueOptions = {},
  ) {
    this.concurrency = Math.max(1, options.concurrency ?? 3);
    this.onUploaded = options.onUploaded;
  }

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  readonly getSnapshot = (): readonly UploadItem[] => this.items;

  add(files: Iterable<File>): UploadItem[] {
    const added: UploadItem[] = [];
    for (const file of files) {
      added.push({ id: `f${++nextId}`, file, status: 'queued', progress: undefined, image: undefined, error: undefined });
    }
    this.items = [...this.items, ...added];
    this.pump();
    this.notify();
    return added;
  }

  cancel(id: string): void {
    const controller = this.controllers.get(id);
    if (controller) {
      controller.abort();
    } else if (this.find(id)?.status === 'queued') {
      this.update(id, { status: 'canceled' });
    }
  }

  /** Cancels if running, then forgets the item. */
  remove(id: string): void {
    this.controllers.get(id)?.abort();
    this.items = this.items.filter((item) => item.id !== id);
    this.notify();
  }

  /** Queues a failed or canceled file again (a multipart upload resumes where it stopped). */
  retry(id: string): void {
    const item = this.find(id);
    if (item && (item.status === 'error' || item.status === 'rejected' || item.status === 'canceled')) {
      this.update(id, { status: 'queued', progress: undefined, error: undefined });
      this.pump();
    }
  }

  clearFinished(): void {
    this.items = this.items.filter((item) => item.status === 'queued' || item.status === 'uploading');
    this.notify();
  }

  private find(id: string): UploadItem | undefined {
    return this.items.find((item) => item.id === id);
  }

  private update(id: string, patch: Partial<UploadItem>): void {
    let changed = false;
    this.items = this.items.map((item) => {
      if (item.id !== id) {
        return item;
      }
      changed = true;
      return { ...item, ...patch };
    });
    if (changed) {
      this.notify();
    }
  }

  private pump(): void {
    let running = this.controllers.size;
    for (const item of this.items) {
      if (running >= this.concurrency) {
        break;
      }
      if (item.status === 'queued') {
        running++;
        this.start(item);
      }
    }
  }

  private start(item: UploadItem): void {
    const controller = new AbortController();
    this.controllers.set(item.id, controller);
    this.update(item.id, { status: 'uploading' });
    this.uploader
      .upload(item.file, {
        signal: controller.signal,
        onProgress: (progress) => this.update(item.id, { progress }),
      })
      .then(
        (image) => {
          this.update(item.id, { status: 'done', image });
          const done = this.find(item.id);
          if (done) {
            this.onUploaded?.(image, done);
          }
        },
        (e: unknown) => {
          const error = e instanceof UploadError ? e : new UploadError('client', 'internal', String(e));
          const status: ItemStatus = error.kind === 'aborted' ? 'canceled' : error.rejected ? 'rejected' : 'error';
          this.update(item.id, { status, error });
        },
      )
      .finally(() => {
        this.controllers.delete(item.id);
        this.pump();
      });
  }

  private notify(): void {
    for (const listener of this.listeners) {
      listener();
    }
  }
}
