import { describe, expect, it, vi } from 'vitest';

import { UploadQueue } from '../src/queue';
import type { Image } from '../src/types';
import { Uploader } from '../src/uploader';
import { API, FakeOnehop, json, makeFile } from './fake_onehop';

function setup() {
  const fake = new FakeOnehop();
  const uploader = new Uploader({ transport: fake.transport, baseUrl: API, storage: null });
  return { fake, uploader };
}

describe('UploadQueue', () => {
  it('runs files a few at a time and gives each its own status', async () => {
    const { fake, uploader } = setup();
    fake.holdStorage = true;
    const queue = new UploadQueue(uploader, { concurrency: 2 });
    const uploaded: Image[] = [];
    queue.onUploaded = (image) => uploaded.push(image);
    queue.add([makeFile(10, 'a.png'), makeFile(10, 'b.png'), makeFile(10, 'c.txt', 'text/plain'), makeFile(10, 'd.png')]);
    expect(queue.getSnapshot().map((i) => i.status)).toEqual(['uploading', 'uploading', 'queued', 'queued']);
    await vi.waitFor(() => expect(fake.inFlight).toBe(2));
    fake.holdStorage = false;
    fake.releaseAll();
    await vi.waitFor(() => expect(queue.getSnapshot().map((i) => i.status)).toEqual(['done', 'done', 'rejected', 'done']));
    expect(queue.getSnapshot()[2]?.error?.code).toBe('unsupported_type');
    expect(uploaded.map((i) => i.filename).sort()).toEqual(['a.png', 'b.png', 'd.png']);
  });

  it('marks system failures as error and canceled files as canceled; retry queues again', async () => {
    const { fake, uploader } = setup();
    let fail = true;
    fake.intercept = (req) => (fail && req.url === `${API}/api/uploads` ? json(500, { error: { code: 'internal', message: 'x' } }) : undefined);
    const queue = new UploadQueue(uploader);
    const [item] = queue.add([makeFile(10)]);
    await vi.waitFor(() => expect(queue.getSnapshot()[0]?.status).toBe('error'));
    fail = false;
    queue.retry(item!.id);
    await vi.waitFor(() => expect(queue.getSnapshot()[0]?.status).toBe('done'));

    fake.holdStorage = true;
    const [second] = queue.add([makeFile(10, 'z.png')]);
    await vi.waitFor(() => expect(fake.inFlight).toBe(1));
    queue.cancel(second!.id);
    await vi.waitFor(() => expect(queue.getSnapshot()[1]?.status).toBe('canceled'));
  });
});

