// @vitest-environment jsdom
import { act, createElement } from 'react';
import { createRoot } from 'react-dom/client';
import { afterEach, describe, expect, it, vi } from 'vitest';

import { useUpload, type UseUpload } from '../src/react';
import { Uploader } from '../src/uploader';
import { API, FakeOnehop, makeFile } from './fake_onehop';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

function setup() {
  const fake = new FakeOnehop();
  const uploader = new Uploader({ transport: fake.transport, baseUrl: API, storage: null });
  return { fake, uploader };
}

describe('useUpload', () => {
  let root: ReturnType<typeof createRoot> | undefined;
  afterEach(() => {
    act(() => root?.unmount());
    root = undefined;
  });

  it('re-renders with progress and the final image', async () => {
    const { uploader } = setup();
    let api: UseUpload | undefined;
    const renders: string[] = [];
    function Probe() {
      api = useUpload(uploader);
      renders.push(api.items.map((i) => `${i.file.name}:${i.status}:${i.progress?.phase ?? '-'}`).join(','));
      return createElement('ul', null, api.items.map((i) => createElement('li', { key: i.id, 'data-status': i.status }, i.file.name)));
    }
    const container = document.createElement('div');
    root = createRoot(container);
    act(() => root!.render(createElement(Probe)));
    await act(async () => {
      api!.add([makeFile(300, 'x.png')]);
    });
    await vi.waitFor(() => expect(container.querySelector('li')?.getAttribute('data-status')).toBe('done'));
    expect(renders).toContain('x.png:uploading:uploading');
    expect(renders.at(-1)).toBe('x.png:done:done');
    expect(api!.items[0]?.image?.filename).toBe('x.png');
  });
});
