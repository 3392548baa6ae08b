// Wire types of the onehop upload API (docs/api.md). Field names follow the API exactly.

/** `GET /api/config`: what a client may send, so it can refuse a file before asking. */
export interface ApiConfig {
  maxSize: number;
  allowedTypes: string[];
  multipartThreshold: number;
  partSize: number;
  /** "required": every upload must declare its SHA-256; "optional": the client may. */
  checksum: 'required' | 'optional' | 'off';
  devMode: boolean;
}

export interface CreateUploadRequest {
  filename: string;
  contentType: string;
  size: number;
  sha256?: string;
  method?: 'PUT' | 'POST';
}

interface PlanBase {
  uploadId: string;
  key: string;
  expiresAt: string;
}

export interface PutPlan extends PlanBase {
  method: 'PUT';
  url: string;
  headers: Record<string, string>;
}

export interface PostPlan extends PlanBase {
  method: 'POST';
  url: string;
  fields: Record<string, string>;
}

export interface MultipartPlan extends PlanBase {
  method: 'MULTIPART';
  multipart: { partSize: number; partCount: number };
}

/** `POST /api/uploads` answer: how the bytes must be sent. */
export type UploadPlan = PutPlan | PostPlan | MultipartPlan;

export interface SignedPart {
  partNumber: number;
  url: string;
  headers: Record<string, string>;
}

export interface SignPartsResponse {
  parts: SignedPart[];
  expiresAt: string;
}

export interface StoredPart {
  partNumber: number;
  etag: string;
  size: number;
}

export interface CompletedPart {
  partNumber: number;
  etag: string;
}

export interface Image {
  id: string;
  key: string;
  filename: string;
  contentType: string;
  size: number;
  width?: number;
  height?: number;
  sha256?: string;
  createdAt: string;
  url: string;
  urlExpiresAt?: string;
}

export interface ImagePage {
  images: Image[];
  nextCursor: string | null;
}

export interface DevToken {
  token: string;
  user: string;
  expiresAt: string;
}

/** The API's error body: `{error: {code, message}}`. */
export interface ApiErrorBody {
  error: { code: string; message: string };
}
