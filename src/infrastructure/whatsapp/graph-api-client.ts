import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { OutboundContent, SendResult, WhatsAppGateway } from '../../application/ports/gateways.js';
import { classifyGraphError, type GraphOperation, WhatsAppApiError } from './graph-errors.js';
import { buildMessageBody, buildReadReceiptBody } from './outbound-message.js';

export type { GraphErrorClassification, GraphOperation } from './graph-errors.js';
export { classifyGraphError, GRAPH_ERROR_RULES, parseRetryAfter, WhatsAppApiError } from './graph-errors.js';

/**
 * `WhatsAppGateway` over the WhatsApp Cloud API (Graph API):
 * - `send`: `POST {graphUrl}/{version}/{phone-number-id}/messages`, returns `messages[0].id` (the wamid);
 * - `markRead`: the same endpoint with `{ status: 'read', message_id }`;
 * - `downloadMedia`: `GET /{version}/{media-id}` (metadata with a short-lived URL), then `GET url`,
 *   both with the Bearer token; bounded in size and time.
 *
 * Every failure is a `WhatsAppApiError` (a `WhatsAppSendError`): `retryable` for 429 / 5xx / network
 * errors / timeouts / throughput codes, final otherwise (see `classifyGraphError`). A send that timed
 * out may still have been accepted by WhatsApp: retrying it can deliver the message twice, which is
 * the price of at-least-once delivery.
 *
 * Several business numbers: `credentials(phoneNumberId)` gives each number its own token; with one
 * number (from the environment) use `singleNumberCredentials`.
 */

export interface WhatsAppCredentials {
  phoneNumberId: string;
  accessToken: string;
}

/** The credentials for a business number (the default number when `phoneNumberId` is undefined). */
export type CredentialsResolver = (phoneNumberId?: string) => WhatsAppCredentials | undefined;

/** One business number: used when no number is asked for, or when that very number is asked for. */
export function singleNumberCredentials(phoneNumberId: string, accessToken: string): CredentialsResolver {
  const creds = Object.freeze({ phoneNumberId, accessToken });
  return (asked) => (asked === undefined || asked === phoneNumberId ? creds : undefined);
}

/** Several business numbers, each with its token; `defaultPhoneNumberId` answers when none is asked for. */
export function credentialsFromMap(
  tokens: Readonly<Record<string, string>>,
  defaultPhoneNumberId?: string,
): CredentialsResolver {
  return (asked) => {
    const id = asked ?? defaultPhoneNumberId;
    if (id === undefined || !Object.hasOwn(tokens, id)) return undefined;
    const accessToken = tokens[id];
    return accessToken ? { phoneNumberId: id, accessToken } : undefined;
  };
}

/** The subset of a pino logger this adapter uses. */
export interface WhatsAppGatewayLogger {
  debug(obj: Record<string, unknown>, msg: string): void;
  warn(obj: Record<string, unknown>, msg: string): void;
}

export interface CloudApiWhatsAppGatewayOptions {
  /** Default `https://graph.facebook.com`; a stand-in server in tests. */
  graphUrl?: string;
  /** `v23.0` (a bare `23.0` gets its `v`). */
  apiVersion: string;
  credentials: CredentialsResolver;
  fetch?: typeof fetch;
  /** Per request (send, markRead, media metadata). Default 15 s. */
  timeoutMs?: number;
  /** For the media file download. Default 120 s. */
  mediaTimeoutMs?: number;
  /** Largest media file accepted. Default 100 MB (WhatsApp's own document limit). */
  maxMediaBytes?: number;
  log?: WhatsAppGatewayLogger;
  userAgent?: string;
}

export const DEFAULT_GRAPH_URL = 'https://graph.facebook.com';
export const DEFAULT_TIMEOUT_MS = 15_000;
export const DEFAULT_MEDIA_TIMEOUT_MS = 120_000;
export const DEFAULT_MAX_MEDIA_BYTES = 100 * 1024 * 1024;
/** Error bodies are read up to this size (they are small JSON documents). */
const MAX_ERROR_BODY_BYTES = 64 * 1024;
const MAX_JSON_BODY_BYTES = 1024 * 1024;

const sendResponseSchema = z.looseObject({
  messages: z.array(z.looseObject({ id: z.string().min(1) })).min(1),
});
const mediaInfoSchema = z.looseObject({
  url: z.string().min(1),
  mime_type: z.string().optional(),
  sha256: z.string().optional(),
  file_size: z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]).optional(),
  id: z.string().optional(),
});

interface JsonResponse {
  status: number;
  json: unknown;
}

export class CloudApiWhatsAppGateway implements WhatsAppGateway {
  readonly #graphUrl: string;
  readonly #version: string;
  readonly #credentials: CredentialsResolver;
  readonly #fetch: typeof fetch;
  readonly #timeoutMs: number;
  readonly #mediaTimeoutMs: number;
  readonly #maxMediaBytes: number;
  readonly #log: WhatsAppGatewayLogger | undefined;
  readonly #userAgent: string;

  constructor(options: CloudApiWhatsAppGatewayOptions) {
    this.#graphUrl = (options.graphUrl ?? DEFAULT_GRAPH_URL).replace(/\/+$/, '');
    const version = options.apiVersion.trim();
    if (!/^v?\d+\.\d+$/.test(version))
      throw new Error(`apiVersion must look like v23.0, got "${options.apiVersion}"`);
    this.#version = version.startsWith('v') ? version : `v${version}`;
    this.#credentials = options.credentials;
    this.#fetch = options.fetch ?? globalThis.fetch;
    this.#timeoutMs = positive(options.timeoutMs, DEFAULT_TIMEOUT_MS, 'timeoutMs');
    this.#mediaTimeoutMs = positive(options.mediaTimeoutMs, DEFAULT_MEDIA_TIMEOUT_MS, 'mediaTimeoutMs');
    this.#maxMediaBytes = positive(options.maxMediaBytes, DEFAULT_MAX_MEDIA_BYTES, 'maxMediaBytes');
    this.#log = options.log;
    this.#userAgent = options.userAgent ?? 'whatsapp-crm';
  }

  async send(input: {
    phoneNumberId?: string;
    to: string;
    content: OutboundContent;
    replyTo?: string;
  }): Promise<SendResult> {
    const body = buildMessageBody(input); // throws InvalidOutboundContentError (final) before any I/O
    const creds = this.#resolve('send', input.phoneNumberId);
    const res = await this.#postJson('send', creds, body);
    const parsed = sendResponseSchema.safeParse(res.json);
    if (!parsed.success) {
      // WhatsApp said 2xx, so the message may well be on its way: do not retry (it would be sent twice).
      throw new WhatsAppApiError('send', {
        retryable: false,
        title: 'INVALID_RESPONSE',
        message: 'WhatsApp accepted the send but its answer had no message id',
        httpStatus: res.status,
      });
    }
    const whatsappMessageId = parsed.data.messages[0]!.id;
    this.#log?.debug(
      { op: 'send', phoneNumberId: creds.phoneNumberId, type: input.content.type, whatsappMessageId },
      'whatsapp message sent',
    );
    return { whatsappMessageId };
  }

  /** Marks an inbound message read (blue ticks); `typing: true` also shows the typing indicator. */
  async markRead(input: {
    phoneNumberId?: string;
    whatsappMessageId: string;
    typing?: boolean;
  }): Promise<void> {
    const body = buildReadReceiptBody(input.whatsappMessageId, { typing: input.typing === true });
    const creds = this.#resolve('markRead', input.phoneNumberId);
    await this.#postJson('markRead', creds, body);
  }

  async downloadMedia(input: {
    phoneNumberId?: string;
    mediaId: string;
  }): Promise<{ data: Buffer; mimeType: string; filename?: string }> {
    if (!/^[A-Za-z0-9_.-]+$/.test(input.mediaId)) {
      throw new WhatsAppApiError('mediaInfo', {
        retryable: false,
        title: 'INVALID_MEDIA_ID',
        message: `not a WhatsApp media id: "${input.mediaId}"`,
      });
    }
    const creds = this.#resolve('mediaInfo', input.phoneNumberId);
    const infoUrl = `${this.#graphUrl}/${this.#version}/${encodeURIComponent(input.mediaId)}`;
    const info = await this.#requestJson('mediaInfo', creds, infoUrl, { method: 'GET' });
    const parsed = mediaInfoSchema.safeParse(info.json);
    if (!parsed.success || !isHttpUrl(parsed.data.url)) {
      throw new WhatsAppApiError('mediaInfo', {
        retryable: false,
        title: 'INVALID_RESPONSE',
        message: `media ${input.mediaId}: the Graph API answer had no download URL`,
        httpStatus: info.status,
      });
    }
    const meta = parsed.data;
    if (meta.file_size !== undefined && meta.file_size > this.#maxMediaBytes) {
      throw tooLarge(input.mediaId, meta.file_size, this.#maxMediaBytes);
    }

    const file = await this.#download(creds, meta.url, input.mediaId);
    if (meta.sha256 && !sha256Matches(file.data, meta.sha256)) {
      this.#log?.warn(
        { op: 'mediaDownload', mediaId: input.mediaId },
        'whatsapp media sha256 does not match',
      );
    }
    const result: { data: Buffer; mimeType: string; filename?: string } = {
      data: file.data,
      mimeType: meta.mime_type ?? file.contentType ?? 'application/octet-stream',
    };
    if (file.filename !== undefined) result.filename = file.filename;
    return result;
  }

  // -------------------------------------------------------------------------------------------

  #resolve(operation: GraphOperation, phoneNumberId: string | undefined): WhatsAppCredentials {
    const creds = this.#credentials(phoneNumberId);
    if (!creds?.accessToken || !creds.phoneNumberId) {
      throw new WhatsAppApiError(operation, {
        retryable: false,
        title: 'NO_CREDENTIALS',
        message: `no WhatsApp credentials for ${phoneNumberId ? `business number ${phoneNumberId}` : 'the default business number'}`,
      });
    }
    return creds;
  }

  #postJson(operation: GraphOperation, creds: WhatsAppCredentials, body: unknown): Promise<JsonResponse> {
    const url = `${this.#graphUrl}/${this.#version}/${encodeURIComponent(creds.phoneNumberId)}/messages`;
    return this.#requestJson(operation, creds, url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  }

  async #requestJson(
    operation: GraphOperation,
    creds: WhatsAppCredentials,
    url: string,
    init: { method: string; headers?: Record<string, string>; body?: string },
  ): Promise<JsonResponse> {
    return this.#withTimeout(operation, this.#timeoutMs, async (signal) => {
      const res = await this.#fetch(url, {
        method: init.method,
        headers: {
          ...init.headers,
          authorization: `Bearer ${creds.accessToken}`,
          'user-agent': this.#userAgent,
        },
        ...(init.body !== undefined ? { body: init.body } : {}),
        signal,
      });
      if (!res.ok) throw await this.#failure(operation, creds, res);
      const text = (await readBounded(res, MAX_JSON_BODY_BYTES)).toString('utf8');
      let json: unknown;
      try {
        json = text.length > 0 ? JSON.parse(text) : undefined;
      } catch {
        json = undefined;
      }
      return { status: res.status, json };
    });
  }

  async #download(
    creds: WhatsAppCredentials,
    url: string,
    mediaId: string,
  ): Promise<{ data: Buffer; contentType?: string; filename?: string }> {
    return this.#withTimeout('mediaDownload', this.#mediaTimeoutMs, async (signal) => {
      const res = await this.#fetch(url, {
        headers: { authorization: `Bearer ${creds.accessToken}`, 'user-agent': this.#userAgent },
        signal,
      });
      if (!res.ok) {
        const failure = await this.#failure('mediaDownload', creds, res);
        // The URL is short-lived: an expired one (401/403/404/410) is cured by fetching a fresh one,
        // which the next downloadMedia call does.
        if ([401, 403, 404, 410].includes(res.status) && failure.code === undefined) {
          throw new WhatsAppApiError('mediaDownload', { ...failureFields(failure), retryable: true });
        }
        throw failure;
      }
      const length = Number(res.headers.get('content-length') ?? Number.NaN);
      if (Number.isFinite(length) && length > this.#maxMediaBytes) {
        await res.body?.cancel().catch(() => {});
        throw tooLarge(mediaId, length, this.#maxMediaBytes);
      }
      const data = await readBounded(res, this.#maxMediaBytes, () =>
        tooLarge(mediaId, undefined, this.#maxMediaBytes),
      );
      const out: { data: Buffer; contentType?: string; filename?: string } = { data };
      const contentType = res.headers.get('content-type');
      if (contentType) out.contentType = contentType;
      const filename = filenameFromDisposition(res.headers.get('content-disposition'));
      if (filename) out.filename = filename;
      return out;
    });
  }

  async #failure(
    operation: GraphOperation,
    creds: WhatsAppCredentials,
    res: Response,
  ): Promise<WhatsAppApiError> {
    let body: unknown;
    try {
      const text = (await readBounded(res, MAX_ERROR_BODY_BYTES)).toString('utf8');
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    } catch {
      body = undefined; // unreadable (connection dropped, timed out): the status alone decides
    }
    const c = classifyGraphError(res.status, body, res.headers.get('retry-after'));
    const error = new WhatsAppApiError(operation, { ...c, httpStatus: res.status });
    this.#log?.warn(
      {
        op: operation,
        phoneNumberId: creds.phoneNumberId,
        httpStatus: res.status,
        code: c.code,
        title: c.title,
        retryable: c.retryable,
        fbtraceId: c.fbtraceId,
      },
      'whatsapp api call failed',
    );
    return error;
  }

  /** Runs `fn` with an AbortSignal that fires after `ms`; maps aborts and network failures to errors. */
  async #withTimeout<T>(
    operation: GraphOperation,
    ms: number,
    fn: (signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new Error(`timed out after ${ms} ms`));
    }, ms);
    try {
      return await fn(controller.signal);
    } catch (err) {
      if (err instanceof WhatsAppApiError) throw err;
      if (timedOut) {
        this.#log?.warn({ op: operation, timeoutMs: ms }, 'whatsapp api call timed out');
        throw new WhatsAppApiError(
          operation,
          {
            retryable: true,
            title: 'TIMEOUT',
            message: `WhatsApp API ${operation} timed out after ${ms} ms`,
          },
          { cause: err },
        );
      }
      const reason = describeNetworkError(err);
      this.#log?.warn({ op: operation, reason }, 'whatsapp api call failed (network)');
      throw new WhatsAppApiError(
        operation,
        { retryable: true, title: 'NETWORK_ERROR', message: `WhatsApp API ${operation} failed: ${reason}` },
        { cause: err },
      );
    } finally {
      clearTimeout(timer);
    }
  }
}

// ---------------------------------------------------------------------------------------------

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
}

function tooLarge(mediaId: string, size: number | undefined, max: number): WhatsAppApiError {
  return new WhatsAppApiError('mediaDownload', {
    retryable: false,
    title: 'MEDIA_TOO_LARGE',
    message: `media ${mediaId} is ${size !== undefined ? `${size} bytes` : 'larger than allowed'}; the limit is ${max} bytes`,
  });
}

function failureFields(e: WhatsAppApiError) {
  return {
    retryable: e.retryable,
    title: e.title ?? 'HTTP error',
    message: e.message,
    httpStatus: e.httpStatus,
    code: e.code,
    retryAfterMs: e.retryAfterMs,
  };
}

/** Reads the whole body, refusing more than `max` bytes (then `onTooLarge()` is thrown). */
async function readBounded(res: Response, max: number, onTooLarge?: () => Error): Promise<Buffer> {
  if (!res.body) return Buffer.alloc(0);
  const reader = res.body.getReader();
  const chunks: Buffer[] = [];
  let total = 0;
  while (true) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel().catch(() => {});
      if (onTooLarge) throw onTooLarge();
      break; // error bodies: keep what fits
    }
    chunks.push(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
  }
  return Buffer.concat(chunks);
}

function sha256Matches(data: Buffer, expected: string): boolean {
  const digest = createHash('sha256').update(data).digest();
  return expected.toLowerCase() === digest.toString('hex') || expected === digest.toString('base64');
}

/** `attachment; filename="a.pdf"` or `filename*=UTF-8''a%20b.pdf` → the file name. */
export function filenameFromDisposition(header: string | null): string | undefined {
  if (!header) return undefined;
  const star = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(header);
  if (star?.[1]) {
    try {
      return decodeURIComponent(star[1].trim());
    } catch {
      // fall through to the plain form
    }
  }
  const plain = /filename\s*=\s*(?:"([^"]*)"|([^;]+))/.exec(header);
  const name = (plain?.[1] ?? plain?.[2])?.trim();
  return name ? name : undefined;
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

function describeNetworkError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = (err as { cause?: unknown }).cause;
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    return `${err.message} (${typeof code === 'string' ? `${code}: ` : ''}${cause.message})`;
  }
  return err.message;
}
