// @vitest-environment jsdom
import type { ApiConfig } from '@onehop/client';
import { UploadError } from '@onehop/client';
import type { UploadItem } from '@onehop/client/react';
import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, describe, expect, it, vi } from 'vitest';

import { DropZone } from './DropZone';
import { FileRow } from './FileRow';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

const config: ApiConfig = {
  maxSize: 10 * 1024 * 1024,
  allowedTypes: ['image/png', 'image/jpeg'],
  multipartThreshold: 16 * 1024 * 1024,
  partSize: 8 * 1024 * 1024,
  checksum: 'optional',
  devMode: true,
};

let root: Root | undefined;
function render(node: React.ReactNode): HTMLElement {
  const container = document.createElement('div');
  document.body.append(container);
  root = createRoot(container);
  act(() => root!.render(node));
  return container;
}

afterEach(() => {
  act(() => root?.unmount());
  document.body.innerHTML = '';
});

describe('DropZone', () => {
  it('opens the file picker on Enter and Space, and takes many files of the allowed types', () => {
    const c = render(<DropZone config={config} onFiles={() => undefined} />);
    const zone = c.querySelector<HTMLElement>('[data-testid=drop-zone]')!;
    const input = c.querySelector<HTMLInputElement>('[data-testid=file-input]')!;
    const click = vi.spyOn(input, 'click').mockImplementation(() => undefined);
    expect(zone.getAttribute('role')).toBe('button');
    expect(zone.tabIndex).toBe(0);
    act(() => {
      zone.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
      zone.dispatchEvent(new KeyboardEvent('keydown', { key: ' ', bubbles: true }));
      zone.dispatchEvent(new KeyboardEvent('keydown', { key: 'a', bubbles: true }));
    });
    expect(click).toHaveBeenCalledTimes(2);
    expect(input.multiple).toBe(true);
    expect(input.accept).toBe('image/png,image/jpeg');
    expect(c.textContent).toContain('10 MB');
  });
});

function item(patch: Partial<UploadItem>): UploadItem {
  return {
    id: 'f1',
    file: new File([new Uint8Array(2048)], 'cat.png', { type: 'image/png' }),
    status: 'uploading',
    progress: undefined,
    image: undefined,
    error: undefined,
    ...patch,
  };
}

describe('FileRow', () => {
  const noop = () => undefined;

  it('shows upload progress as a progressbar with its value', () => {
    const c = render(
      <ul>
        <FileRow item={item({ progress: { phase: 'uploading', bytesSent: 1024, bytesTotal: 2048, fraction: 0.495 } })} onCancel={noop} onRetry={noop} onRemove={noop} />
      </ul>,
    );
    const row = c.querySelector('[data-testid=file-row]')!;
    expect(row.getAttribute('data-status')).toBe('uploading');
    const bar = c.querySelector('[data-testid=progress]')!;
    expect(bar.getAttribute('aria-valuenow')).toBe('49');
    expect(c.querySelector('button')?.getAttribute('aria-label')).toBe('Cancel cat.png');
  });

  it('shows a rate-limited file as rejected with its wait and a retry button', () => {
    const onRetry = vi.fn();
    const error = new UploadError('api', 'rate_limited', 'slow down', { status: 429, retryAfter: 30 });
    const c = render(
      <ul>
        <FileRow item={item({ status: 'rejected', error })} onCancel={noop} onRetry={onRetry} onRemove={noop} />
      </ul>,
    );
    expect(c.querySelector('[data-testid=file-row]')?.getAttribute('data-status')).toBe('rejected');
    expect(c.querySelector('[data-testid=error-message]')?.textContent).toContain('30 s');
    expect(c.querySelector('[data-testid=progress]')).toBeNull();
    act(() => c.querySelector<HTMLButtonElement>('button[aria-label="Retry cat.png"]')!.click());
    expect(onRetry).toHaveBeenCalledOnce();
  });

  it('offers no retry for a wrong type, only remove', () => {
    const error = new UploadError('client', 'unsupported_type', 'text/plain is not allowed');
    const c = render(
      <ul>
        <FileRow item={item({ status: 'rejected', error })} onCancel={noop} onRetry={noop} onRemove={noop} />
      </ul>,
    );
    const labels = [...c.querySelectorAll('button')].map((b) => b.getAttribute('aria-label'));
    expect(labels).toEqual(['Remove cat.png from the list']);
    expect(c.querySelector('[data-testid=error-message]')?.getAttribute('data-code')).toBe('unsupported_type');
  });
});
