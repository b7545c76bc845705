/**
 * A real local HTTP server (node:http on 127.0.0.1, free port) that answers like Cloudinary's
 * Upload API, for integration tests of the Cloudinary MediaStore through the real `cloudinary` SDK:
 *
 * - `POST /v1_1/:cloud/:resource_type/upload` (multipart form data): checks the cloud name, the API
 *   key and the request signature (SHA-1 of the sorted signed parameters plus the API secret, as the
 *   SDK computes it), stores the file and answers Cloudinary's JSON `{ public_id, secure_url, url,
 *   bytes, format, resource_type, width, height, duration? ... }`; `resource_type: auto` is resolved
 *   from the file's content type (audio is a `video` resource, as on Cloudinary);
 * - `POST /v1_1/:cloud/:resource_type/destroy`: `{ result: 'ok' | 'not found' }`.
 * Errors use Cloudinary's shape `{ error: { message } }`. Failures are programmable (`failNext`).
 *
 * The SDK picks http or https when it is first loaded, from `upload_prefix` in CLOUDINARY_URL: set
 * `process.env.CLOUDINARY_URL = standIn.cloudinaryUrl` BEFORE the first import of anything that
 * imports `cloudinary` (start this server in `beforeAll`, then `await import(...)`).
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StoredUpload {
  publicId: string;
  resourceType: 'image' | 'video' | 'raw';
  folder?: string;
  filename?: string;
  contentType: string;
  data: Buffer;
  /** Every form field the SDK sent (signature and api_key included). */
  fields: Record<string, string>;
}

export type CloudinaryFailure =
  | { kind: 'error'; status: number; message: string }
  | { kind: 'status'; status: number; body: string };

export class CloudinaryStandIn {
  readonly uploads = new Map<string, StoredUpload>();
  readonly destroyed: string[] = [];
  readonly #failures: CloudinaryFailure[] = [];
  #counter = 0;

  private constructor(
    private readonly server: Server,
    readonly url: string,
    readonly cloudName: string,
    readonly apiKey: string,
    readonly apiSecret: string,
  ) {}

  /** `cloudinary://key:secret@cloud?upload_prefix=http://127.0.0.1:PORT` */
  get cloudinaryUrl(): string {
    return `cloudinary://${this.apiKey}:${this.apiSecret}@${this.cloudName}?upload_prefix=${this.url}`;
  }

  static async start(
    options: { cloudName?: string; apiKey?: string; apiSecret?: string } = {},
  ): Promise<CloudinaryStandIn> {
    let standIn: CloudinaryStandIn | undefined;
    const server = createServer((req, res) => {
      standIn?.handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) sendJson(res, 500, { error: { message: String(err) } });
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    standIn = new CloudinaryStandIn(
      server,
      `http://127.0.0.1:${port}`,
      options.cloudName ?? 'standin-cloud',
      options.apiKey ?? '123456789012345',
      options.apiSecret ?? 'standin-secret',
    );
    return standIn;
  }

  failNext(failure: CloudinaryFailure, times = 1): void {
    for (let i = 0; i < times; i++) this.#failures.push(failure);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const parts = new URL(req.url ?? '/', this.url).pathname.split('/').filter(Boolean);
    // /v1_1/:cloud/:resource_type/:action
    if (req.method !== 'POST' || parts.length !== 4 || parts[0] !== 'v1_1') {
      sendJson(res, 404, { error: { message: 'Not found' } });
      return;
    }
    const [, cloud, resourceType, action] = parts as [string, string, string, string];
    if (cloud !== this.cloudName) {
      sendJson(res, 401, { error: { message: `Invalid cloud_name ${cloud}` } });
      return;
    }
    const failure = this.#failures.shift();
    if (failure?.kind === 'error') {
      sendJson(res, failure.status, { error: { message: failure.message } });
      return;
    }
    if (failure?.kind === 'status') {
      res.writeHead(failure.status, { 'content-type': 'text/plain' });
      res.end(failure.body);
      return;
    }

    const form = await new Response(raw, {
      headers: { 'content-type': String(req.headers['content-type'] ?? '') },
    }).formData();
    const fields: Record<string, string> = {};
    let file: File | undefined;
    for (const [key, value] of form.entries()) {
      if (typeof value === 'string') fields[key] = value;
      else if (key === 'file') file = value;
    }
    const problem = this.checkSignature(fields);
    if (problem) {
      sendJson(res, 401, { error: { message: problem } });
      return;
    }

    if (action === 'destroy') {
      const publicId = fields.public_id ?? '';
      const found = this.uploads.get(publicId);
      if (found && found.resourceType === resourceType) {
        this.uploads.delete(publicId);
        this.destroyed.push(publicId);
        sendJson(res, 200, { result: 'ok' });
      } else {
        sendJson(res, 200, { result: 'not found' });
      }
      return;
    }
    if (action !== 'upload') {
      sendJson(res, 404, { error: { message: `Unknown action ${action}` } });
      return;
    }
    if (!file) {
      sendJson(res, 400, { error: { message: 'Missing required parameter - file' } });
      return;
    }
    const data = Buffer.from(await file.arrayBuffer());
    const contentType = file.type || 'application/octet-stream';
    const resolved = resolveType(resourceType, fields.filename_override ?? file.name, data);
    if (!resolved) {
      sendJson(res, 400, { error: { message: `Invalid resource type ${resourceType}` } });
      return;
    }
    this.#counter += 1;
    const name = `file${String(this.#counter).padStart(4, '0')}`;
    const publicId = fields.folder ? `${fields.folder}/${name}` : name;
    const upload: StoredUpload = { publicId, resourceType: resolved.type, contentType, data, fields };
    if (fields.folder) upload.folder = fields.folder;
    if (fields.filename_override) upload.filename = fields.filename_override;
    this.uploads.set(publicId, upload);
    const path = `${this.cloudName}/${resolved.type}/upload/v1700000000/${publicId}.${resolved.format}`;
    sendJson(res, 200, {
      asset_id: createHash('md5').update(publicId).digest('hex'),
      public_id: publicId,
      version: 1700000000,
      signature: createHash('sha1').update(data).digest('hex'),
      width: resolved.type === 'raw' || resolved.audio ? undefined : 640,
      height: resolved.type === 'raw' || resolved.audio ? undefined : 480,
      format: resolved.format,
      resource_type: resolved.type,
      created_at: '2026-03-02T16:00:00Z',
      tags: [],
      bytes: data.length,
      type: 'upload',
      url: `http://res.cloudinary.com/${path}`,
      secure_url: `https://res.cloudinary.com/${path}`,
      original_filename: fields.filename_override ?? 'file',
      ...(resolved.type === 'video' ? { duration: 12.5 } : {}),
      ...(resolved.audio ? { is_audio: true } : {}),
    });
  }

  /** Cloudinary's rule: SHA-1 over the sorted `k=v` pairs (& joined) of the signed params + secret. */
  private checkSignature(fields: Record<string, string>): string | undefined {
    if (fields.api_key !== this.apiKey) return 'Invalid api_key';
    const unsigned = new Set(['file', 'cloud_name', 'resource_type', 'api_key', 'signature']);
    const toSign = Object.entries(fields)
      .filter(([k, v]) => !unsigned.has(k) && v !== '')
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => `${k}=${v}`.replace(/&/g, '%26'))
      .join('&');
    const expected = createHash('sha1')
      .update(toSign + this.apiSecret)
      .digest('hex');
    return fields.signature === expected
      ? undefined
      : `Invalid Signature ${fields.signature}. String to sign - '${toSign}'.`;
  }
}

/** What `auto` becomes, from the file's name and first bytes (enough for the tests' files). */
function resolveType(
  requested: string,
  filename: string,
  data: Buffer,
): { type: 'image' | 'video' | 'raw'; format: string; audio?: boolean } | undefined {
  const ext = filename.includes('.') ? filename.split('.').pop()!.toLowerCase() : '';
  const magic = data.subarray(0, 12).toString('latin1');
  let detected: { type: 'image' | 'video' | 'raw'; format: string; audio?: boolean };
  if (magic.startsWith('\xff\xd8\xff')) detected = { type: 'image', format: 'jpg' };
  else if (magic.startsWith('\x89PNG')) detected = { type: 'image', format: 'png' };
  else if (magic.startsWith('RIFF') && magic.slice(8, 12) === 'WEBP')
    detected = { type: 'image', format: 'webp' };
  else if (magic.startsWith('OggS')) detected = { type: 'video', format: 'ogg', audio: true };
  else if (magic.slice(4, 8) === 'ftyp') detected = { type: 'video', format: 'mp4' };
  else detected = { type: 'raw', format: ext || 'bin' };
  if (requested === 'auto') return detected;
  if (requested === 'image' || requested === 'video' || requested === 'raw')
    return { ...detected, type: requested };
  return undefined;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(text)),
  });
  res.end(text);
}
