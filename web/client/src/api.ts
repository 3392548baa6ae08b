// The upload API's routes (docs/api.md) as typed calls over a Transport.

import { apiError, UploadError } from './errors';
import { NetworkError, type Transport } from './transport';
import type {
  ApiConfig,
  CompletedPart,
  CreateUploadRequest,
  DevToken,
  Image,
  ImagePage,
  SignPartsResponse,
  StoredPart,
  UploadPlan,
} from './types';

export interface ApiClientOptions {
  transport: Transport;
  /** Origin and path prefix of the API; '' for the page's own origin. */
  baseUrl?: string;
  /** The bearer token (JWT or API key) for each call; none: rely on the same-origin cookie. */
  getToken?: () => string | null | undefined;
}

export class ApiClient {
  private readonly transport: Transport;
  private readonly baseUrl: string;
  private readonly getToken: () => string | null | undefined;
  private configPromise: Promise<ApiConfig> | undefined;

  constructor(options: ApiClientOptions) {
    this.transport = options.transport;
    this.baseUrl = (options.baseUrl ?? '').replace(/\/+$/, '');
    this.getToken = options.getToken ?? (() => null);
  }

  /** `GET /api/config`, fetched once and shared. */
  config(signal?: AbortSignal): Promise<ApiConfig> {
    if (!this.configPromise) {
      this.configPromise = this.call<ApiConfig>('GET', '/api/config', undefined, signal);
      this.configPromise.catch(() => {
        this.configPromise = undefined;
      });
    }
    return this.configPromise;
  }

  devToken(user: string, signal?: AbortSignal): Promise<DevToken> {
    return this.call<DevToken>('POST', '/api/dev/token', { user }, signal);
  }

  createUpload(request: CreateUploadRequest, signal?: AbortSignal): Promise<UploadPlan> {
    return this.call<UploadPlan>('POST', '/api/uploads', request, signal);
  }

  signParts(uploadId: string, partNumbers: number[], signal?: AbortSignal): Promise<SignPartsResponse> {
    return this.call<SignPartsResponse>('POST', `/api/uploads/${encodeURIComponent(uploadId)}/parts`, { partNumbers }, signal);
  }

  async listParts(uploadId: string, signal?: AbortSignal): Promise<StoredPart[]> {
    const res = await this.call<{ parts: StoredPart[] }>('GET', `/api/uploads/${encodeURIComponent(uploadId)}/parts`, undefined, signal);
    return res.parts;
  }

  async complete(uploadId: string, parts?: CompletedPart[], signal?: AbortSignal): Promise<Image> {
    const body = parts ? { parts } : {};
    const res = await this.call<{ image: Image }>('POST', `/api/uploads/${encodeURIComponent(uploadId)}/complete`, body, signal);
    return res.image;
  }

  async abort(uploadId: string, signal?: AbortSignal): Promise<void> {
    await this.call<void>('DELETE', `/api/uploads/${encodeURIComponent(uploadId)}`, undefined, signal);
  }

  listImages(options: { limit?: number; cursor?: string | null } = {}, signal?: AbortSignal): Promise<ImagePage> {
    const query = new URLSearchParams();
    if (options.limit !== undefined) {
      query.set('limit', String(options.limit));
    }
    if (options.cursor) {
      query.set('cursor', options.cursor);
    }
    const qs = query.toString();
    return this.call<ImagePage>('GET', `/api/images${qs ? `?${qs}` : ''}`, undefined, signal);
  }

  async deleteImage(id: string, signal?: AbortSignal): Promise<void> {
    await this.call<void>('DELETE', `/api/images/${encodeURIComponent(id)}`, undefined, signal);
  }

  private async call<T>(method: string, path: string, body: unknown, signal?: AbortSignal): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    const token = this.getToken();
    if (token) {
      headers['Authorization'] = `Bearer ${token}`;
    }
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
    }
    let res;
    try {
      res = await this.transport({
        method,
        url: this.baseUrl + path,
        headers,
        body: body === undefined ? null : JSON.stringify(body),
        signal,
      });
    } catch (e) {
      if (e instanceof NetworkError) {
        throw new UploadError('network', 'network_error', e.message);
      }
      throw e;
    }
    if (res.status < 200 || res.status >= 300) {
      throw apiError(res);
    }
    if (res.status === 204 || res.body === '') {
      return undefined as T;
    }
    try {
      return JSON.parse(res.body) as T;
    } catch {
      throw new UploadError('client', 'bad_response', `the API answered ${method} ${path} with invalid JSON`, {
        status: res.status,
      });
    }
  }
}
