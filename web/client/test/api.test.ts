import { describe, expect, it } from 'vitest';

import { ApiClient } from '../src/api';
import { NetworkError, type TransportRequest, type TransportResponse } from '../src/transport';

function client(reply: (req: TransportRequest) => { status: number; body?: string } | Error, token: string | null = 't0k') {
  const seen: TransportRequest[] = [];
  const api = new ApiClient({
    baseUrl: 'http://api.test/',
    getToken: () => token,
    transport: async (req): Promise<TransportResponse> => {
      seen.push(req);
      const r = reply(req);
      if (r instanceof Error) {
        throw r;
      }
      return { status: r.status, body: r.body ?? '', header: () => null };
    },
  });
  return { api, seen };
}

describe('ApiClient', () => {
  it('lists images with limit and cursor, sending the bearer token', async () => {
    const { api, seen } = client(() => ({ status: 200, body: '{"images":[],"nextCursor":null}' }));
    await expect(api.listImages({ limit: 24, cursor: 'a b' })).resolves.toEqual({ images: [], nextCursor: null });
    expect(seen[0]?.url).toBe('http://api.test/api/images?limit=24&cursor=a+b');
    expect(seen[0]?.headers?.['Authorization']).toBe('Bearer t0k');
    expect(seen[0]?.headers).not.toHaveProperty('Content-Type');
  });

  it('sends no Authorization without a token (cookie sessions)', async () => {
    const { api, seen } = client(() => ({ status: 204 }), null);
    await api.deleteImage('i_1');
    expect(seen[0]?.method).toBe('DELETE');
    expect(seen[0]?.headers).not.toHaveProperty('Authorization');
  });

  it('posts JSON bodies', async () => {
    const { api, seen } = client(() => ({ status: 200, body: '{"parts":[],"expiresAt":"x"}' }));
    await api.signParts('u_1', [1, 2]);
    expect(seen[0]?.url).toBe('http://api.test/api/uploads/u_1/parts');
    expect(seen[0]?.headers?.['Content-Type']).toBe('application/json');
    expect(JSON.parse(seen[0]?.body as string)).toEqual({ partNumbers: [1, 2] });
  });

  it('fetches /api/config once, but again after a failure', async () => {
    let calls = 0;
    const { api } = client(() => (++calls === 1 ? new NetworkError('down') : { status: 200, body: '{"maxSize":1}' }));
    await expect(api.config()).rejects.toMatchObject({ kind: 'network', code: 'network_error' });
    await expect(api.config()).resolves.toMatchObject({ maxSize: 1 });
    await api.config();
    expect(calls).toBe(2);
  });

  it('maps a 401 and refuses a 200 that is not JSON', async () => {
    const { api } = client((req) =>
      req.url.endsWith('/api/images') ? { status: 401, body: '{"error":{"code":"unauthorized","message":"expired"}}' } : { status: 200, body: '<html>' },
    );
    await expect(api.listImages()).rejects.toMatchObject({ kind: 'api', code: 'unauthorized', status: 401 });
    await expect(api.listParts('u_1')).rejects.toMatchObject({ code: 'bad_response' });
  });
});
