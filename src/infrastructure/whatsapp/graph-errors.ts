import { WhatsAppSendError } from '../../application/ports/gateways.js';

/**
 * What a failed Graph API call means for the caller: try again later, or give up.
 *
 * Graph error bodies look like
 * `{ error: { message, type, code, error_subcode?, error_data?: { messaging_product, details },
 *   is_transient?, error_user_title?, error_user_msg?, fbtrace_id } }`.
 * Meta advises deciding on `code` (and reading `error_data.details`), not on the HTTP status or the
 * title. So: a known code decides; an unknown code falls back to `is_transient`, then to the HTTP
 * status (429, 408 and 5xx are retryable; other statuses are not).
 *
 * Codes: https://developers.facebook.com/documentation/business-messaging/whatsapp/support/error-codes
 */

interface GraphErrorRule {
  title: string;
  retryable: boolean;
  /** Added to the message: what to do about it. */
  hint?: string;
  /** Known minimum pause before the next attempt (used when no Retry-After header came). */
  minDelayMs?: number;
}

const RETRY = (title: string, extra: Partial<GraphErrorRule> = {}): GraphErrorRule => ({
  title,
  retryable: true,
  ...extra,
});
const FINAL = (title: string, extra: Partial<GraphErrorRule> = {}): GraphErrorRule => ({
  title,
  retryable: false,
  ...extra,
});

/** The classification table, by Graph / WhatsApp error code. */
export const GRAPH_ERROR_RULES: ReadonlyMap<number, GraphErrorRule> = new Map<number, GraphErrorRule>([
  // --- Transient: Meta's side is down or overloaded -----------------------------------------
  [1, RETRY('API Unknown', { hint: 'invalid request or possible server error' })],
  [2, RETRY('API Service', { hint: 'temporary downtime or overload' })],
  [131000, RETRY('Something went wrong', { hint: 'unknown error on WhatsApp’s side' })],
  [131016, RETRY('Service unavailable')],
  [131057, RETRY('Account in maintenance mode')],
  [133004, RETRY('Server temporarily unavailable')],

  // --- Rate limits: slow down and try again -------------------------------------------------
  [4, RETRY('API Too Many Calls', { hint: 'the app reached its API call rate limit' })],
  [17, RETRY('API User Too Many Calls')],
  [32, RETRY('Page request limit reached')],
  [613, RETRY('Calls to this API have exceeded the rate limit')],
  [80007, RETRY('Rate limit issues', { hint: 'the WhatsApp Business Account reached its rate limit' })],
  [130429, RETRY('Rate limit hit', { hint: 'Cloud API throughput (messages per second) reached' })],
  // About one message every 6 s to the same user is allowed.
  [
    131056,
    RETRY('Pair rate limit hit', {
      hint: 'too many messages to this user in a short time',
      minDelayMs: 6_000,
    }),
  ],
  // Quality-based limit after messages were blocked or reported: back off hard.
  [
    131048,
    RETRY('Spam rate limit hit', { hint: 'sending is restricted by quality rating', minDelayMs: 60_000 }),
  ],

  // --- Authorization and permissions: fix the configuration --------------------------------
  [0, FINAL('AuthException', { hint: 'get a new access token' })],
  [3, FINAL('API Method', { hint: 'capability or permission missing' })],
  [10, FINAL('Permission denied')],
  [190, FINAL('Access token has expired', { hint: 'the access token is invalid or expired: replace it' })],
  [368, FINAL('Temporarily blocked for policies violations')],
  [131005, FINAL('Access denied')],
  [131031, FINAL('Account has been locked')],
  [133010, FINAL('Phone number not registered')],
  [133000, FINAL('Incomplete deregistration')],

  // --- The request itself is wrong ------------------------------------------------------------
  [33, FINAL('Parameter value is not valid', { hint: 'the business phone number may have been deleted' })],
  [100, FINAL('Invalid parameter')],
  [131008, FINAL('Required parameter is missing')],
  [131009, FINAL('Parameter value is not valid')],
  [131051, FINAL('Unsupported message type')],
  [131052, FINAL('Media download error')],
  [
    131053,
    FINAL('Media upload error', { hint: 'the media link could not be fetched or its type is not supported' }),
  ],
  [131055, FINAL('Method not allowed')],
  [135000, FINAL('Generic user error')],

  // --- The recipient cannot get this message ----------------------------------------------
  [131021, FINAL('Recipient cannot be sender')],
  [
    131026,
    FINAL('Message undeliverable', { hint: 'the number is not on WhatsApp, or cannot receive this message' }),
  ],
  [
    131047,
    FINAL('Re-engagement message', {
      hint: 'more than 24 hours since the customer last wrote: outside the customer-service window, use a template',
    }),
  ],
  [
    131049,
    FINAL('Meta chose not to deliver', { hint: 'marketing message held back for ecosystem engagement' }),
  ],
  [131050, FINAL('User stopped marketing messages')],
  [130472, FINAL("User's number is part of an experiment")],
  [130497, FINAL('Business account is restricted from messaging users in this country')],

  // --- Account / billing ------------------------------------------------------------------
  [131037, FINAL('Display name approval needed')],
  [131042, FINAL('Business eligibility payment issue')],
  [131045, FINAL('Incorrect certificate')],

  // --- Templates (132000–132069 are all final; the common ones are named) ------------------
  [132000, FINAL('Template param count mismatch')],
  [132001, FINAL('Template does not exist', { hint: 'check the template name and language' })],
  [132005, FINAL('Template hydrated text too long')],
  [132007, FINAL('Template format character policy violated')],
  [132012, FINAL('Template parameter format mismatch')],
  [132015, FINAL('Template is paused')],
  [132016, FINAL('Template is disabled')],
  [132068, FINAL('Flow is blocked')],
  [132069, FINAL('Flow is throttled')],
]);

function ruleFor(code: number): GraphErrorRule | undefined {
  const known = GRAPH_ERROR_RULES.get(code);
  if (known) return known;
  if (code >= 200 && code <= 299)
    return FINAL('API Permission', { hint: 'permission not granted or removed' });
  if (code >= 132000 && code <= 132069) return FINAL('Template error');
  return undefined;
}

export interface GraphErrorBody {
  message?: string;
  type?: string;
  code?: number;
  error_subcode?: number;
  error_data?: { details?: string } | string;
  is_transient?: boolean;
  error_user_title?: string;
  error_user_msg?: string;
  fbtrace_id?: string;
}

export interface GraphErrorClassification {
  retryable: boolean;
  /** The Graph error code, when the body had one. */
  code?: number;
  title: string;
  /** A readable sentence: code, title, details and what to do. */
  message: string;
  details?: string;
  subcode?: number;
  errorType?: string;
  fbtraceId?: string;
  /** From `Retry-After` (seconds or an HTTP date), or the code's known minimum pause. */
  retryAfterMs?: number;
}

/** Pulls the `error` object out of a response body (parsed JSON or raw text); undefined if none. */
export function graphErrorOf(body: unknown): GraphErrorBody | undefined {
  let value = body;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  if (value === null || typeof value !== 'object') return undefined;
  const error = (value as { error?: unknown }).error;
  if (error === null || typeof error !== 'object') return undefined;
  const e = error as Record<string, unknown>;
  const out: GraphErrorBody = {};
  if (typeof e.message === 'string') out.message = e.message;
  if (typeof e.type === 'string') out.type = e.type;
  const code = typeof e.code === 'string' && /^\d+$/.test(e.code) ? Number(e.code) : e.code;
  if (typeof code === 'number' && Number.isInteger(code)) out.code = code;
  if (typeof e.error_subcode === 'number') out.error_subcode = e.error_subcode;
  if (typeof e.error_data === 'string') out.error_data = e.error_data;
  else if (e.error_data && typeof e.error_data === 'object') {
    const details = (e.error_data as { details?: unknown }).details;
    out.error_data = typeof details === 'string' ? { details } : {};
  }
  if (typeof e.is_transient === 'boolean') out.is_transient = e.is_transient;
  if (typeof e.error_user_title === 'string') out.error_user_title = e.error_user_title;
  if (typeof e.error_user_msg === 'string') out.error_user_msg = e.error_user_msg;
  if (typeof e.fbtrace_id === 'string') out.fbtrace_id = e.fbtrace_id;
  return out;
}

/**
 * `Retry-After` in milliseconds: delta-seconds or an HTTP date (relative to `nowMs`). Undefined when
 * absent or unreadable; 0 and past dates give undefined (no pause asked).
 */
export function parseRetryAfter(
  header: string | null | undefined,
  nowMs: number = Date.now(),
): number | undefined {
  if (header === null || header === undefined) return undefined;
  const value = header.trim();
  if (/^\d+(\.\d+)?$/.test(value)) {
    const ms = Math.round(Number(value) * 1000);
    return ms > 0 ? ms : undefined;
  }
  const at = Date.parse(value);
  if (Number.isNaN(at)) return undefined;
  const ms = at - nowMs;
  return ms > 0 ? ms : undefined;
}

const isRetryableStatus = (status: number): boolean => status === 429 || status === 408 || status >= 500;

/**
 * Classifies a non-2xx Graph API answer. `body` is the parsed JSON (or the raw text) of the response;
 * `retryAfter` the `Retry-After` header if any.
 */
export function classifyGraphError(
  httpStatus: number,
  body: unknown,
  retryAfter?: string | null,
  nowMs: number = Date.now(),
): GraphErrorClassification {
  const error = graphErrorOf(body);
  const rule = error?.code !== undefined ? ruleFor(error.code) : undefined;
  const retryable = rule ? rule.retryable : error?.is_transient === true || isRetryableStatus(httpStatus);
  const title =
    rule?.title ??
    error?.error_user_title ??
    (error?.type ? `${error.type}` : undefined) ??
    `HTTP ${httpStatus}`;
  const details = typeof error?.error_data === 'object' ? error.error_data.details : error?.error_data;

  const headerMs = parseRetryAfter(retryAfter, nowMs);
  const retryAfterMs = retryable ? maxDefined(headerMs, rule?.minDelayMs) : undefined;

  const what = details ?? error?.error_user_msg ?? error?.message;
  const message = [
    `WhatsApp API error${error?.code !== undefined ? ` ${error.code}` : ''} (${title}, HTTP ${httpStatus})`,
    what ? `: ${what}` : '',
    rule?.hint ? ` — ${rule.hint}` : '',
  ].join('');

  const out: GraphErrorClassification = { retryable, title, message };
  if (error?.code !== undefined) out.code = error.code;
  if (details !== undefined) out.details = details;
  if (error?.error_subcode !== undefined) out.subcode = error.error_subcode;
  if (error?.type !== undefined) out.errorType = error.type;
  if (error?.fbtrace_id !== undefined) out.fbtraceId = error.fbtrace_id;
  if (retryAfterMs !== undefined) out.retryAfterMs = retryAfterMs;
  return out;
}

function maxDefined(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.max(a, b);
}

export type GraphOperation = 'send' | 'markRead' | 'mediaInfo' | 'mediaDownload';

/**
 * A failed Graph API call. It IS a `WhatsAppSendError` (the port's error: `retryable`, `code`,
 * `title`, `retryAfterMs`) with the transport details added. Thrown by send, markRead and downloadMedia.
 */
export class WhatsAppApiError extends WhatsAppSendError {
  readonly operation: GraphOperation;
  readonly httpStatus?: number;
  readonly details?: string;
  readonly subcode?: number;
  readonly errorType?: string;
  readonly fbtraceId?: string;

  constructor(
    operation: GraphOperation,
    c: Omit<GraphErrorClassification, 'message'> & { message: string; httpStatus?: number },
    options?: { cause?: unknown },
  ) {
    super(c.message, c.retryable, c.code, c.title, c.retryAfterMs);
    this.name = 'WhatsAppApiError';
    this.operation = operation;
    if (c.httpStatus !== undefined) this.httpStatus = c.httpStatus;
    if (c.details !== undefined) this.details = c.details;
    if (c.subcode !== undefined) this.subcode = c.subcode;
    if (c.errorType !== undefined) this.errorType = c.errorType;
    if (c.fbtraceId !== undefined) this.fbtraceId = c.fbtraceId;
    if (options && 'cause' in options) this.cause = options.cause;
  }
}
