import { type ApiConfig, describeError, type Image, type Uploader } from '@onehop/client';
import { type UploadItem, useUpload } from '@onehop/client/react';
import { useEffect, useRef } from 'react';

import type { Announce } from './Announcer';
import { DropZone } from './DropZone';
import { FileRow } from './FileRow';

interface Props {
  uploader: Uploader;
  config: ApiConfig;
  announce: Announce;
  onUploaded: (image: Image) => void;
  onAuthError: (e: unknown) => boolean;
}

export function UploadPanel({ uploader, config, announce, onUploaded, onAuthError }: Props) {
  const upload = useUpload(uploader, {
    concurrency: 3,
    onUploaded: (image) => {
      onUploaded(image);
      announce(`${image.filename} uploaded.`);
    },
  });

  // Announce each failure once, and hand a 401 to the app (back to sign-in).
  const reported = useRef(new Set<string>());
  useEffect(() => {
    for (const item of upload.items) {
      if ((item.status === 'rejected' || item.status === 'error') && !reported.current.has(item.id)) {
        reported.current.add(item.id);
        if (!onAuthError(item.error)) {
          announce(`${item.file.name}: ${describeError(item.error)}`);
        }
      }
    }
  }, [upload.items, announce, onAuthError]);

  const active = upload.items.filter((i: UploadItem) => i.status === 'queued' || i.status === 'uploading').length;
  const finished = upload.items.length - active;

  return (
    <section className="card uploads" aria-labelledby="uploads-h">
      <h2 id="uploads-h">Upload images</h2>
      <DropZone config={config} onFiles={(files) => upload.add(files)} />
      {upload.items.length > 0 && (
        <>
          <div className="list-head">
            <p>
              {active > 0 ? `${active} uploading` : 'All done'}
              {finished > 0 && active > 0 ? `, ${finished} finished` : ''}
            </p>
            {finished > 0 && (
              <button type="button" className="secondary" onClick={upload.clearFinished}>
                Clear finished
              </button>
            )}
          </div>
          <ul className="file-list" aria-label="Files">
            {upload.items.map((item) => (
              <FileRow
                key={item.id}
                item={item}
                onCancel={() => upload.cancel(item.id)}
                onRetry={() => upload.retry(item.id)}
                onRemove={() => upload.remove(item.id)}
              />
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
