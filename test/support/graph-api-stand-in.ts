/**
 * A real local HTTP server (node:http on 127.0.0.1, free port) that speaks the WhatsApp Cloud API
 * (Graph API) shapes the gateway uses, for integration tests:
 *
 * - `POST /:version/:phoneNumberId/messages`: checks the Bearer token of that business number and the
 *   body shape of every message type (and of read receipts); answers the real success body
 *   `{ messaging_product, contacts: [{ input, wa_id }], messages: [{ id }] }` or a Graph error body.
 * - `GET /:version/:mediaId`: media metadata `{ messaging_product, url, mime_type, sha256, file_size, id }`
 *   whose `url` points back here;
 * - `GET /media-files/:mediaId`: the file itself, only with a valid Bearer token.
 *
 * Failures are programmable (`failNext`): status codes with `Retry-After`, Graph error bodies
 * (`graphError(131047)`...), slow answers, dropped connections. Every request is recorded
 * (method, path, query, headers, raw and JSON body) in `requests`.
 */
import { createHash, createHmac } from 'node:crypto';
import { once } from 'node:events';
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StandInAccount {
  phoneNumberId: string;
  accessToken: string;
}

export interface StandInMedia {
  id: string;
  data: Buffer;
  mimeType: string;
  /** Only this number's token may fetch it (default: any known token). */
  phoneNumberId?: string;
  /** Sent as Content-Disposition by the download. */
  filename?: string;
  /** Reported in the metadata instead of the real size (to test size checks). */
  reportedFileSize?: number;
  /** Send the file without Content-Length (chunked), to test streaming limits. */
  chunked?: boolean;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  rawBody: Buffer;
  /** The parsed JSON body, when there was one. */
  body?: unknown;
}

export type StandInFailure =
  /** A Graph error body `{ error: { message, type, code, error_data: { details }, fbtrace_id } }`. */
  | {
      kind: 'graph-error';
      code: number;
      httpStatus?: number;
      title?: string;
      details?: string;
      type?: string;
      retryAfter?: string;
      isTransient?: boolean;
    }
  /** Any status with any body (text or JSON) and headers. */
  | {
      kind: 'http';
      status: number;
      body?: string | Record<string, unknown>;
      headers?: Record<string, string>;
    }
  /** Wait, then answer normally (or not at all if the client gave up). */
  | { kind: 'slow'; delayMs: number }
  /** Destroy the socket without answering. */
  | { kind: 'drop' };

interface QueuedFailure {
  failure: StandInFailure;
  remaining: number;
  path?: RegExp;
}

/** Typical Graph error answers for `failNext`. */
export function graphError(
  code: number,
  overrides: Partial<Extract<StandInFailure, { kind: 'graph-error' }>> = {},
) {
  const presets: Record<number, { httpStatus: number; title: string; details: string }> = {
    131047: {
      httpStatus: 400,
      title: 'Re-engagement message',
      details:
        'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
    },
    130429: {
      httpStatus: 400,
      title: 'Rate limit hit',
      details:
        'Message failed to send because there were too many messages sent from this phone number in a short period of time.',
    },
    131056: {
      httpStatus: 400,
      title: '(Business Account, Consumer Account) pair rate limit hit',
      details:
        'Message failed to send because there were too many messages sent from this phone number to the same phone number in a short period of time.',
    },
    131026: { httpStatus: 400, title: 'Message Undeliverable', details: 'Message Undeliverable.' },
    190: {
      httpStatus: 401,
      title: 'Invalid OAuth access token',
      details: 'Invalid OAuth access token - Cannot parse access token',
    },
    100: { httpStatus: 400, title: 'Invalid parameter', details: 'Invalid parameter' },
    131000: { httpStatus: 500, title: 'Something went wrong', details: 'Something went wrong' },
  };
  const preset = presets[code] ?? { httpStatus: 400, title: `Error ${code}`, details: `Error ${code}` };
  return { kind: 'graph-error' as const, code, ...preset, ...overrides };
}

export function graphErrorBody(code: number, title: string, details: string, type = 'OAuthException') {
  return {
    error: {
      message: `(#${code}) ${title}`,
      type,
      code,
      error_data: { messaging_product: 'whatsapp', details },
      fbtrace_id: `AStandIn${code}`,
    },
  };
}

const MESSAGE_TYPES = new Set([
  'text',
  'template',
  'image',
  'audio',
  'video',
  'document',
  'sticker',
  'location',
  'interactive',
  'contacts',
  'reaction',
]);

export class GraphApiStandIn {
  readonly requests: RecordedRequest[] = [];
  readonly #accounts = new Map<string, StandInAccount>();
  readonly #media = new Map<string, StandInMedia>();
  readonly #failures: QueuedFailure[] = [];
  readonly #timers = new Set<NodeJS.Timeout>();
  #counter = 0;

  private constructor(
    private readonly server: Server,
    readonly url: string,
    readonly version: string,
    accounts: StandInAccount[],
  ) {
    for (const a of accounts) this.#accounts.set(a.phoneNumberId, a);
  }

  static async start(options: { accounts: StandInAccount[]; version?: string }): Promise<GraphApiStandIn> {
    let standIn: GraphApiStandIn | undefined;
    const server = createServer((req, res) => {
      standIn?.handle(req, res).catch((err: unknown) => {
        if (!res.headersSent && !res.destroyed) {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end(`stand-in crashed: ${err instanceof Error ? err.message : String(err)}`);
        }
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    standIn = new GraphApiStandIn(
      server,
      `http://127.0.0.1:${port}`,
      options.version ?? 'v23.0',
      options.accounts,
    );
    return standIn;
  }

  /** Queue `failure` for the next `times` requests (optionally only those whose path matches). */
  failNext(failure: StandInFailure, options: { times?: number; path?: RegExp } = {}): void {
    const queued: QueuedFailure = { failure, remaining: options.times ?? 1 };
    if (options.path) queued.path = options.path;
    this.#failures.push(queued);
  }

  addMedia(media: StandInMedia): void {
    this.#media.set(media.id, media);
  }

  /** Requests to one path kind, e.g. `messagesTo('123')`. */
  messagesTo(phoneNumberId: string): RecordedRequest[] {
    return this.requests.filter(
      (r) => r.method === 'POST' && r.path === `/${this.version}/${phoneNumberId}/messages`,
    );
  }

  reset(): void {
    this.requests.length = 0;
    this.#failures.length = 0;
  }

  async close(): Promise<void> {
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // -------------------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const rawBody = await readAll(req);
    const url = new URL(req.url ?? '/', this.url);
    const record: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      rawBody,
    };
    if (rawBody.length > 0 && String(req.headers['content-type'] ?? '').includes('json')) {
      try {
        record.body = JSON.parse(rawBody.toString('utf8'));
      } catch {
        // recorded raw; the route answers 400
      }
    }
    this.requests.push(record);

    const failure = this.takeFailure(record.path);
    if (failure) {
      if (failure.kind === 'drop') {
        req.socket.destroy();
        return;
      }
      if (failure.kind === 'slow') {
        await this.sleep(failure.delayMs);
        if (res.destroyed || req.socket.destroyed) return;
      } else {
        this.answerFailure(res, failure);
        return;
      }
    }
    this.route(req, res, record);
  }

  private takeFailure(path: string): StandInFailure | undefined {
    const index = this.#failures.findIndex((f) => !f.path || f.path.test(path));
    if (index < 0) return undefined;
    const queued = this.#failures[index]!;
    queued.remaining -= 1;
    if (queued.remaining <= 0) this.#failures.splice(index, 1);
    return queued.failure;
  }

  private answerFailure(res: ServerResponse, f: Exclude<StandInFailure, { kind: 'drop' | 'slow' }>): void {
    if (f.kind === 'http') {
      const body = typeof f.body === 'string' ? f.body : JSON.stringify(f.body ?? {});
      const type = typeof f.body === 'string' ? 'text/plain' : 'application/json';
      res.writeHead(f.status, { 'content-type': type, ...f.headers });
      res.end(body);
      return;
    }
    const body = graphErrorBody(f.code, f.title ?? `Error ${f.code}`, f.details ?? `Error ${f.code}`, f.type);
    if (f.isTransient !== undefined) Object.assign(body.error, { is_transient: f.isTransient });
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (f.retryAfter !== undefined) headers['retry-after'] = f.retryAfter;
    res.writeHead(f.httpStatus ?? 400, headers);
    res.end(JSON.stringify(body));
  }

  private route(req: IncomingMessage, res: ServerResponse, record: RecordedRequest): void {
    const parts = record.path.split('/').filter(Boolean);
    if (record.method === 'GET' && parts.length === 2 && parts[0] === 'media-files') {
      this.serveMediaFile(req, res, decodeURIComponent(parts[1]!));
      return;
    }
    if (parts[0] !== this.version) {
      sendJson(
        res,
        400,
        graphErrorBody(2635, 'Deprecated or unknown API version', `unknown version ${parts[0]}`),
      );
      return;
    }
    if (record.method === 'POST' && parts.length === 3 && parts[2] === 'messages') {
      this.postMessage(req, res, parts[1]!, record);
      return;
    }
    if (record.method === 'GET' && parts.length === 2) {
      this.mediaInfo(req, res, parts[1]!);
      return;
    }
    sendJson(res, 400, graphErrorBody(100, 'Unsupported request', `Unsupported ${record.method} request.`));
  }

  private postMessage(
    req: IncomingMessage,
    res: ServerResponse,
    phoneNumberId: string,
    record: RecordedRequest,
  ): void {
    const account = this.#accounts.get(phoneNumberId);
    if (!account) {
      sendJson(
        res,
        400,
        graphErrorBody(
          100,
          'Invalid parameter',
          `Unsupported post request. Object with ID '${phoneNumberId}' does not exist`,
        ),
      );
      return;
    }
    if (bearer(req) !== account.accessToken) {
      sendJson(
        res,
        401,
        graphErrorBody(
          190,
          'Invalid OAuth access token',
          'Invalid OAuth access token - Cannot parse access token',
        ),
      );
      return;
    }
    const body = record.body;
    const problem = validateMessageBody(body);
    if (problem) {
      sendJson(res, 400, graphErrorBody(100, 'Invalid parameter', problem));
      return;
    }
    const b = body as Record<string, unknown>;
    if (b.status === 'read') {
      sendJson(res, 200, { success: true });
      return;
    }
    this.#counter += 1;
    const to = String(b.to);
    sendJson(res, 200, {
      messaging_product: 'whatsapp',
      contacts: [{ input: to, wa_id: to.replace(/\D/g, '') }],
      messages: [{ id: `wamid.STANDIN${String(this.#counter).padStart(8, '0')}` }],
    });
  }

  private knownToken(req: IncomingMessage, media?: StandInMedia): boolean {
    const token = bearer(req);
    if (token === undefined) return false;
    if (media?.phoneNumberId) return this.#accounts.get(media.phoneNumberId)?.accessToken === token;
    return [...this.#accounts.values()].some((a) => a.accessToken === token);
  }

  private mediaInfo(req: IncomingMessage, res: ServerResponse, mediaId: string): void {
    const media = this.#media.get(mediaId);
    if (!this.knownToken(req, media)) {
      sendJson(
        res,
        401,
        graphErrorBody(
          190,
          'Invalid OAuth access token',
          'Invalid OAuth access token - Cannot parse access token',
        ),
      );
      return;
    }
    if (!media) {
      sendJson(
        res,
        400,
        graphErrorBody(
          100,
          'Invalid parameter',
          `Unsupported get request. Object with ID '${mediaId}' does not exist`,
        ),
      );
      return;
    }
    sendJson(res, 200, {
      messaging_product: 'whatsapp',
      url: `${this.url}/media-files/${encodeURIComponent(media.id)}?ext=1&hash=standin`,
      mime_type: media.mimeType,
      sha256: createHash('sha256').update(media.data).digest('hex'),
      file_size: media.reportedFileSize ?? media.data.length,
      id: media.id,
    });
  }

  private serveMediaFile(req: IncomingMessage, res: ServerResponse, mediaId: string): void {
    const media = this.#media.get(mediaId);
    if (!this.knownToken(req, media)) {
      // Meta's media host answers without the Graph error envelope.
      res.writeHead(401, { 'content-type': 'text/html' });
      res.end('<html><body>Unauthorized</body></html>');
      return;
    }
    if (!media) {
      res.writeHead(404, { 'content-type': 'text/html' });
      res.end('<html><body>Not found</body></html>');
      return;
    }
    const headers: Record<string, string> = { 'content-type': media.mimeType };
    if (media.filename) headers['content-disposition'] = `attachment; filename="${media.filename}"`;
    if (!media.chunked) headers['content-length'] = String(media.data.length);
    res.writeHead(200, headers);
    if (media.chunked) {
      // Several writes without a length: the client only learns the size by reading.
      const step = 64 * 1024;
      for (let i = 0; i < media.data.length; i += step) res.write(media.data.subarray(i, i + step));
      res.end();
    } else {
      res.end(media.data);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.#timers.delete(t);
        resolve();
      }, ms);
      this.#timers.add(t);
    });
  }
}

/** POSTs `payload` to a webhook URL signed like Meta does (for webhook route tests). */
export async function postSignedWebhook(url: string, payload: unknown, appSecret: string): Promise<Response> {
  const raw = Buffer.from(JSON.stringify(payload));
  const signature = `sha256=${createHmac('sha256', appSecret).update(raw).digest('hex')}`;
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature },
    body: raw,
  });
}

// ---------------------------------------------------------------------------------------------

function bearer(req: IncomingMessage): string | undefined {
  const match = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
  return match?.[1];
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(text)),
  });
  res.end(text);
}

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);
const isText = (v: unknown): v is string => typeof v === 'string' && v.length > 0;

/** Returns a problem description (Graph's `details`), or undefined when the body is acceptable. */
export function validateMessageBody(body: unknown): string | undefined {
  if (!isObject(body)) return 'the request body must be a JSON object';
  if (body.messaging_product !== 'whatsapp')
    return "(#100) The parameter messaging_product is required and must be 'whatsapp'.";
  if (body.status === 'read') return isText(body.message_id) ? undefined : 'message_id is required';
  if (!isText(body.to) || !/^\+?\d{5,15}$/.test(body.to)) return 'to must be a phone number';
  if (body.recipient_type !== undefined && body.recipient_type !== 'individual')
    return 'recipient_type must be individual';
  if (!isText(body.type) || !MESSAGE_TYPES.has(body.type))
    return `type ${String(body.type)} is not supported`;
  if (body.context !== undefined && !(isObject(body.context) && isText(body.context.message_id))) {
    return 'context.message_id is required';
  }
  const part = body[body.type];
  if (!isObject(part)) return `the ${body.type} object is required`;
  switch (body.type) {
    case 'text':
      if (!isText(part.body)) return 'text.body is required';
      if (part.preview_url !== undefined && typeof part.preview_url !== 'boolean')
        return 'text.preview_url must be boolean';
      return undefined;
    case 'template': {
      if (!isText(part.name)) return 'template.name is required';
      if (!isObject(part.language) || !isText(part.language.code))
        return 'template.language.code is required';
      if (part.components === undefined) return undefined;
      if (!Array.isArray(part.components)) return 'template.components must be an array';
      for (const c of part.components) {
        if (!isObject(c) || !isText(c.type)) return 'template.components[].type is required';
        if (!Array.isArray(c.parameters)) return 'template.components[].parameters must be an array';
        for (const p of c.parameters)
          if (!isObject(p) || p.type !== 'text' || !isText(p.text)) return 'text parameter expected';
      }
      return undefined;
    }
    case 'image':
    case 'audio':
    case 'video':
    case 'document':
    case 'sticker':
      if (!isText(part.link) && !isText(part.id)) return `${body.type}.link or ${body.type}.id is required`;
      if ((body.type === 'audio' || body.type === 'sticker') && part.caption !== undefined) {
        return `${body.type} does not take a caption`;
      }
      if (body.type !== 'document' && part.filename !== undefined)
        return `${body.type} does not take a filename`;
      return undefined;
    case 'location':
      if (typeof part.latitude !== 'number' || typeof part.longitude !== 'number')
        return 'location needs latitude and longitude';
      return undefined;
    case 'interactive': {
      if (!isObject(part.body) || !isText(part.body.text)) return 'interactive.body.text is required';
      if (!isObject(part.action)) return 'interactive.action is required';
      const action = part.action;
      if (part.type === 'button') {
        if (!Array.isArray(action.buttons) || action.buttons.length < 1 || action.buttons.length > 3) {
          return 'interactive.action.buttons must have 1 to 3 buttons';
        }
        for (const b of action.buttons) {
          if (
            !isObject(b) ||
            b.type !== 'reply' ||
            !isObject(b.reply) ||
            !isText(b.reply.id) ||
            !isText(b.reply.title)
          ) {
            return 'each button needs type reply and reply { id, title }';
          }
          if (b.reply.title.length > 20) return 'button title is limited to 20 characters';
        }
        return undefined;
      }
      if (part.type === 'list') {
        if (!isText(action.button)) return 'interactive.action.button is required';
        if (!Array.isArray(action.sections) || action.sections.length < 1)
          return 'interactive.action.sections is required';
        let rows = 0;
        for (const s of action.sections) {
          if (!isObject(s) || !Array.isArray(s.rows) || s.rows.length < 1) return 'each section needs rows';
          for (const r of s.rows) {
            if (!isObject(r) || !isText(r.id) || !isText(r.title)) return 'each row needs id and title';
            rows += 1;
          }
        }
        if (rows > 10) return 'at most 10 rows';
        return undefined;
      }
      return `interactive.type ${String(part.type)} is not supported by the stand-in`;
    }
    default:
      return undefined;
  }
}
