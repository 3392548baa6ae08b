import { type ApiClient, describeError, formatBytes, type Image } from '@onehop/client';
import { useCallback, useEffect, useRef, useState } from 'react';

import type { Announce } from './Announcer';

interface Props {
  api: ApiClient;
  /** Images uploaded on this page, newest first; shown without reloading the list. */
  added: Image[];
  announce: Announce;
  onAuthError: (e: unknown) => boolean;
}

const PAGE = 24;

/** Merges pages and fresh uploads, newest first, each image once. */
function merge(fresh: Image[], loaded: Image[]): Image[] {
  const seen = new Set<string>();
  const out: Image[] = [];
  for (const image of [...fresh, ...loaded]) {
    if (!seen.has(image.id)) {
      seen.add(image.id);
      out.push(image);
    }
  }
  return out;
}

export function Gallery({ api, added, announce, onAuthError }: Props) {
  const [loaded, setLoaded] = useState<Image[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [state, setState] = useState<'loading' | 'ready' | 'error'>('loading');
  const [error, setError] = useState<string | null>(null);
  const [deleted, setDeleted] = useState<Set<string>>(new Set());
  const [busy, setBusy] = useState<Set<string>>(new Set());
  const generation = useRef(0);

  const load = useCallback(
    async (from: string | null) => {
      const mine = ++generation.current;
      setState('loading');
      try {
        const page = await api.listImages({ limit: PAGE, cursor: from });
        if (mine !== generation.current) {
          return;
        }
        setLoaded((list) => (from ? merge(list, page.images) : page.images));
        setCursor(page.nextCursor);
        setState('ready');
        setError(null);
      } catch (e) {
        if (mine !== generation.current || onAuthError(e)) {
          return;
        }
        setState('error');
        setError(describeError(e));
      }
    },
    [api, onAuthError],
  );

  useEffect(() => {
    void load(null);
  }, [load]);

  async function remove(image: Image) {
    setBusy((s) => new Set(s).add(image.id));
    try {
      await api.deleteImage(image.id);
      setDeleted((s) => new Set(s).add(image.id));
      announce(`${image.filename} deleted.`);
    } catch (e) {
      if (!onAuthError(e)) {
        announce(`Could not delete ${image.filename}: ${describeError(e)}`);
      }
    } finally {
      setBusy((s) => {
        const next = new Set(s);
        next.delete(image.id);
        return next;
      });
    }
  }

  const images = merge(added, loaded).filter((i) => !deleted.has(i.id));
  return (
    <section className="card gallery" aria-labelledby="gallery-h" aria-busy={state === 'loading'}>
      <div className="list-head">
        <h2 id="gallery-h">Your images</h2>
        <button type="button" className="secondary" onClick={() => void load(null)} disabled={state === 'loading'}>
          Refresh
        </button>
      </div>
      {state === 'error' && (
        <p className="error" role="alert">
          Could not load your images: {error}
        </p>
      )}
      {state !== 'loading' && images.length === 0 && state !== 'error' && <p className="hint">No images yet.</p>}
      <ul className="gallery-grid" data-testid="gallery">
        {images.map((image) => (
          <li key={image.id} className="gallery-item" data-testid="gallery-item" data-image-id={image.id} data-filename={image.filename}>
            <a href={image.url} target="_blank" rel="noopener noreferrer" className="gallery-link">
              <img
                src={image.url}
                alt={image.filename}
                loading="lazy"
                width={image.width}
                height={image.height}
                // A signed view URL lasts minutes: reload the list when one has expired.
                onError={() => {
                  if (image.urlExpiresAt && Date.parse(image.urlExpiresAt) < Date.now()) {
                    void load(null);
                  }
                }}
              />
            </a>
            <div className="gallery-meta">
              <span className="file-name" title={image.filename}>
                {image.filename}
              </span>
              <span className="hint">
                {image.width && image.height ? `${image.width}×${image.height} · ` : ''}
                {formatBytes(image.size)}
              </span>
            </div>
            <button
              type="button"
              className="danger"
              data-testid="delete-button"
              aria-label={`Delete ${image.filename}`}
              disabled={busy.has(image.id)}
              onClick={() => void remove(image)}
            >
              Delete
            </button>
          </li>
        ))}
      </ul>
      {cursor && (
        <button type="button" className="secondary" onClick={() => void load(cursor)} disabled={state === 'loading'}>
          Load more
        </button>
      )}
    </section>
  );
}
