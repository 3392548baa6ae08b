import { type ApiConfig, formatBytes } from '@onehop/client';
import { type DragEvent, type KeyboardEvent, useId, useRef, useState } from 'react';

interface Props {
  config: ApiConfig;
  onFiles: (files: File[]) => void;
}

/**
 * Drop files here, or click / press Enter or Space to open the file picker. The picker's accept
 * list comes from /api/config, but files of other types are still added (and rejected with a
 * message) so a dropped wrong file is never silently ignored.
 */
export function DropZone({ config, onFiles }: Props) {
  const input = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);
  const hintId = useId();
  const inputId = useId();

  const open = () => input.current?.click();

  function onKeyDown(e: KeyboardEvent<HTMLDivElement>) {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      open();
    }
  }

  function onDrop(e: DragEvent<HTMLDivElement>) {
    e.preventDefault();
    setOver(false);
    const files = Array.from(e.dataTransfer.files);
    if (files.length > 0) {
      onFiles(files);
    }
  }

  const types = config.allowedTypes.map((t) => t.replace(/^image\//, '').toUpperCase()).join(', ');
  return (
    <div
      className={`drop-zone${over ? ' over' : ''}`}
      role="button"
      tabIndex={0}
      aria-describedby={hintId}
      data-testid="drop-zone"
      onClick={open}
      onKeyDown={onKeyDown}
      onDragEnter={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragOver={(e) => {
        e.preventDefault();
        e.dataTransfer.dropEffect = 'copy';
      }}
      onDragLeave={(e) => {
        if (!e.currentTarget.contains(e.relatedTarget as Node | null)) {
          setOver(false);
        }
      }}
      onDrop={onDrop}
    >
      <p className="drop-title">Drop images here or choose files</p>
      <p id={hintId} className="hint">
        {types} up to {formatBytes(config.maxSize)} each. Many files at once are fine.
      </p>
      <label htmlFor={inputId} className="visually-hidden">
        Choose images to upload
      </label>
      <input
        id={inputId}
        ref={input}
        type="file"
        multiple
        accept={config.allowedTypes.join(',')}
        className="visually-hidden"
        tabIndex={-1}
        data-testid="file-input"
        onClick={(e) => e.stopPropagation()}
        onChange={(e) => {
          const files = Array.from(e.target.files ?? []);
          // Reset so choosing the same file again (to resume it) fires change again.
          e.target.value = '';
          if (files.length > 0) {
            onFiles(files);
          }
        }}
      />
    </div>
  );
}
