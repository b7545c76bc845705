/**
 * `MediaStore` on Cloudinary (the `cloudinary` v2 SDK): files go up with `upload_stream`
 * (`resource_type: 'auto'`, one folder per conversation under `rootFolder`), come back as their
 * HTTPS delivery URL, with a thumbnail URL for images and videos (a Cloudinary transformation, built
 * locally with `cloudinary.url`, nothing is uploaded twice) and the duration of audio and video.
 *
 * Configuration: `CLOUDINARY_URL=cloudinary://<api_key>:<api_secret>@<cloud_name>`. The SDK decides
 * between http and https once, when it is first loaded, from the `upload_prefix` of the
 * CLOUDINARY_URL in the environment; the composition root therefore imports this file lazily, and
 * only when CLOUDINARY_URL is set (tests point `upload_prefix` at a local stand-in).
 *
 * Without CLOUDINARY_URL there is no MediaStore at all: inbound attachments keep their WhatsApp
 * media id with `storage: 'pending'` (see src/infrastructure/workers/README.md).
 */
import { v2 as cloudinary, type UploadApiResponse } from 'cloudinary';
import type { MediaStore, StoredMedia } from '../../application/ports/gateways.js';

export interface CloudinaryMediaStoreOptions {
  /** `cloudinary://key:secret@cloud` (optionally `?upload_prefix=...`). */
  url: string;
  /** Folder every upload goes under. Default `whatsapp-crm`. */
  rootFolder?: string;
  /** Per upload. Default 120 s. */
  timeoutMs?: number;
}

/** Longest side of the thumbnails (a `c_limit` transformation: never upscaled). */
const THUMBNAIL_SIZE = 320;

/** A failed upload or delete, with Cloudinary's own message and HTTP status. */
export class MediaStoreError extends Error {
  constructor(
    message: string,
    readonly httpStatus?: number,
  ) {
    super(message);
    this.name = 'MediaStoreError';
  }
}

export class CloudinaryMediaStore implements MediaStore {
  readonly #rootFolder: string;
  readonly #timeoutMs: number;

  constructor(options: CloudinaryMediaStoreOptions) {
    const parsed = parseCloudinaryUrl(options.url);
    cloudinary.config({
      cloud_name: parsed.cloudName,
      api_key: parsed.apiKey,
      api_secret: parsed.apiSecret,
      secure: true,
      ...(parsed.uploadPrefix ? { upload_prefix: parsed.uploadPrefix } : {}),
    });
    this.#rootFolder = (options.rootFolder ?? 'whatsapp-crm').replace(/^\/+|\/+$/g, '');
    this.#timeoutMs = options.timeoutMs ?? 120_000;
  }

  store(input: { data: Buffer; mimeType: string; filename?: string; folder: string }): Promise<StoredMedia> {
    const folder = [this.#rootFolder, input.folder.replace(/^\/+|\/+$/g, '')].filter(Boolean).join('/');
    return new Promise<StoredMedia>((resolve, reject) => {
      const stream = cloudinary.uploader.upload_stream(
        {
          resource_type: 'auto',
          folder,
          timeout: this.#timeoutMs,
          ...(input.filename ? { filename_override: input.filename } : {}),
        },
        (error, result) => {
          if (error || !result) {
            reject(toError(error, 'upload failed'));
            return;
          }
          resolve(this.#stored(result, input.mimeType));
        },
      );
      stream.on('error', (err: unknown) => reject(toError(err, 'upload failed')));
      stream.end(input.data);
    });
  }

  async delete(publicId: string): Promise<void> {
    // The public id alone does not say which resource type holds it: try each (audio is 'video').
    for (const resourceType of ['image', 'video', 'raw'] as const) {
      let result: { result?: string } | undefined;
      try {
        result = (await cloudinary.uploader.destroy(publicId, {
          resource_type: resourceType,
          invalidate: true,
        })) as { result?: string } | undefined;
      } catch (error) {
        throw toError(error, `delete of ${publicId} failed`);
      }
      if (result?.result === 'ok') return;
    }
    // 'not found' under every type: already gone, which is what was asked.
  }

  #stored(result: UploadApiResponse, mimeType: string): StoredMedia {
    const stored: StoredMedia = {
      url: result.secure_url || result.url,
      publicId: result.public_id,
      size: result.bytes,
      mimeType,
    };
    const isVideo = result.resource_type === 'video' && !mimeType.startsWith('audio/');
    if (result.resource_type === 'image' || isVideo) {
      stored.thumbnailUrl = cloudinary.url(result.public_id, {
        resource_type: result.resource_type,
        secure: true,
        ...(isVideo ? { format: 'jpg' } : {}),
        transformation: [{ width: THUMBNAIL_SIZE, height: THUMBNAIL_SIZE, crop: 'limit' }],
      });
    }
    if (typeof result.duration === 'number' && Number.isFinite(result.duration))
      stored.duration = result.duration;
    return stored;
  }
}

export function parseCloudinaryUrl(url: string): {
  cloudName: string;
  apiKey: string;
  apiSecret: string;
  uploadPrefix?: string;
} {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error('CLOUDINARY_URL must look like cloudinary://key:secret@cloud');
  }
  if (parsed.protocol !== 'cloudinary:' || !parsed.username || !parsed.password || !parsed.hostname) {
    throw new Error('CLOUDINARY_URL must look like cloudinary://key:secret@cloud');
  }
  const uploadPrefix = parsed.searchParams.get('upload_prefix') ?? undefined;
  return {
    cloudName: parsed.hostname,
    apiKey: decodeURIComponent(parsed.username),
    apiSecret: decodeURIComponent(parsed.password),
    ...(uploadPrefix ? { uploadPrefix } : {}),
  };
}

function toError(error: unknown, what: string): MediaStoreError {
  if (error instanceof MediaStoreError) return error;
  const e = (error ?? {}) as { message?: unknown; http_code?: unknown; error?: { message?: unknown } };
  const message =
    typeof e.message === 'string'
      ? e.message
      : typeof e.error?.message === 'string'
        ? e.error.message
        : String(error);
  const status = typeof e.http_code === 'number' ? e.http_code : undefined;
  return new MediaStoreError(`Cloudinary ${what}: ${message}`, status);
}
