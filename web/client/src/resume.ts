// What survives a page reload so a multipart upload can go on where it stopped: the upload id,
// keyed by what identifies the same file when the user adds it again.

export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export interface FileIdentity {
  name: string;
  size: number;
  lastModified: number;
  type: string;
}

export interface ResumeRecord {
  uploadId: string;
  partSize: number;
  partCount: number;
  /** When the upload was created (ISO 8601); records older than `maxAgeMs` are dropped. */
  createdAt: string;
}

const PREFIX = 'onehop.upload:';

/** The server sweeps uploads never completed long before this; it only bounds the clutter. */
export const RESUME_MAX_AGE_MS = 7 * 24 * 3600 * 1000;

export function fileIdentity(file: File): FileIdentity {
  return { name: file.name, size: file.size, lastModified: file.lastModified, type: file.type };
}

export class ResumeStore {
  constructor(private readonly storage: KeyValueStorage | null) {}

  private static key(id: FileIdentity): string {
    return PREFIX + JSON.stringify([id.name, id.size, id.lastModified, id.type]);
  }

  get(id: FileIdentity, now: Date): ResumeRecord | undefined {
    const raw = this.read(ResumeStore.key(id));
    if (raw === null) {
      return undefined;
    }
    try {
      const r = JSON.parse(raw) as Partial<ResumeRecord>;
      const valid =
        typeof r.uploadId === 'string' &&
        typeof r.partSize === 'number' &&
        typeof r.partCount === 'number' &&
        typeof r.createdAt === 'string';
      if (valid && now.getTime() - Date.parse(r.createdAt as string) < RESUME_MAX_AGE_MS) {
        return r as ResumeRecord;
      }
    } catch {
      // A corrupt entry is the same as none.
    }
    this.remove(id);
    return undefined;
  }

  set(id: FileIdentity, record: ResumeRecord): void {
    try {
      this.storage?.setItem(ResumeStore.key(id), JSON.stringify(record));
    } catch {
      // Storage full or denied (private mode): the upload works, it just cannot resume.
    }
  }

  remove(id: FileIdentity): void {
    try {
      this.storage?.removeItem(ResumeStore.key(id));
    } catch {
      // As above.
    }
  }

  private read(key: string): string | null {
    try {
      return this.storage?.getItem(key) ?? null;
    } catch {
      return null;
    }
  }
}

/** localStorage when the page has it (not in workers, not when denied). */
export function browserStorage(): KeyValueStorage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}
