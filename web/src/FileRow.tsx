import { describeError, formatBytes } from '@onehop/client';
import type { UploadItem } from '@onehop/client/react';
import { useEffect, useState } from 'react';

interface Props {
  item: UploadItem;
  onCancel: () => void;
  onRetry: () => void;
  onRemove: () => void;
}

/** data-status for the browser tests: a queued file counts as uploading. */
function testStatus(item: UploadItem): string {
  return item.status === 'queued' ? 'uploading' : item.status;
}

function phaseText(item: UploadItem): string {
  const p = item.progress;
  switch (item.status) {
    case 'queued':
      return 'Waiting…';
    case 'uploading':
      if (!p || p.phase === 'checking') {
        return 'Starting…';
      }
      if (p.phase === 'hashing') {
        return 'Computing checksum…';
      }
      if (p.phase === 'completing') {
        return 'Verifying…';
      }
      return `${Math.floor(p.fraction * 100)}%${p.resumedParts ? ` (resumed, ${p.resumedParts} parts already stored)` : ''}`;
    case 'done':
      return 'Uploaded';
    case 'canceled':
      return 'Canceled';
    case 'rejected':
      return 'Rejected';
    case 'error':
      return 'Failed';
  }
}

/** Worth another try: a failure of the system, a cancel, a rate limit or an expired URL. */
function retryable(item: UploadItem): boolean {
  if (item.status === 'error' || item.status === 'canceled') {
    return true;
  }
  return item.status === 'rejected' && (item.error?.code === 'rate_limited' || item.error?.code === 'expired_url');
}

/** A local preview while the file uploads: an object URL, revoked when the row goes. */
function usePreview(file: File): string | null {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    if (!file.type.startsWith('image/') || typeof URL.createObjectURL !== 'function') {
      return undefined;
    }
    const u = URL.createObjectURL(file);
    setUrl(u);
    return () => URL.revokeObjectURL(u);
  }, [file]);
  return url;
}

export function FileRow({ item, onCancel, onRetry, onRemove }: Props) {
  const preview = usePreview(item.file);
  // A file named .png that is not one: no broken-image icon.
  const [broken, setBroken] = useState(false);
  const running = item.status === 'queued' || item.status === 'uploading';
  const fraction = item.status === 'done' ? 1 : (item.progress?.fraction ?? 0);
  const percent = Math.floor(fraction * 100);
  const name = item.file.name;
  return (
    <li className={`file-row status-${item.status}`} data-testid="file-row" data-status={testStatus(item)} data-filename={name}>
      <div className="thumb" aria-hidden="true">
        {preview && !broken ? <img src={preview} alt="" onError={() => setBroken(true)} /> : <span className="thumb-empty" />}
      </div>
      <div className="file-main">
        <div className="file-line">
          <span className="file-name" title={name}>
            {name}
          </span>
          <span className="file-size">{formatBytes(item.file.size)}</span>
        </div>
        {(running || item.status === 'done') && (
          <progress
            data-testid="progress"
            max={100}
            value={percent}
            aria-label={`Upload of ${name}`}
            aria-valuenow={percent}
            aria-valuemin={0}
            aria-valuemax={100}
          />
        )}
        <p className="file-status">{phaseText(item)}</p>
        {item.error && item.status !== 'canceled' && (
          <p className="error" data-testid="error-message" data-code={item.error.code}>
            {describeError(item.error)}
          </p>
        )}
      </div>
      <div className="file-actions">
        {running && (
          <button type="button" className="secondary" onClick={onCancel} aria-label={`Cancel ${name}`}>
            Cancel
          </button>
        )}
        {retryable(item) && (
          <button type="button" className="secondary" onClick={onRetry} aria-label={`Retry ${name}`}>
            Retry
          </button>
        )}
        {!running && (
          <button type="button" className="secondary" onClick={onRemove} aria-label={`Remove ${name} from the list`}>
            Remove
          </button>
        )}
      </div>
    </li>
  );
}
