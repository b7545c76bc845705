import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Webhook authenticity checks for the WhatsApp Cloud API.
 *
 * - Every webhook POST carries `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body, keyed
 *   with the app secret>`. It must be checked on the exact bytes received (before any JSON parsing:
 *   re-serialising changes the bytes, e.g. `\u00e9` escapes and key order).
 * - The subscription handshake is a GET with `hub.mode=subscribe`, `hub.verify_token` and
 *   `hub.challenge`; the challenge is echoed back when the token matches.
 */

const SIGNATURE_PREFIX = 'sha256=';
/** 32 bytes of SHA-256, as 64 hex digits. */
const SIGNATURE_HEX = /^[0-9a-f]{64}$/i;

/** The value Meta sends in `X-Hub-Signature-256` for `rawBody` (useful for tests and tools). */
export function signWebhookBody(rawBody: Buffer | string, appSecret: string): string {
  return SIGNATURE_PREFIX + createHmac('sha256', appSecret).update(rawBody).digest('hex');
}

/**
 * True only when `header` is `sha256=<64 hex digits>` and equals the HMAC-SHA256 of `rawBody` under
 * `appSecret`. Missing, malformed, wrongly prefixed or wrong-length headers, and an empty secret,
 * give false (never a throw). The digests are compared in constant time.
 */
export function verifyWebhookSignature(
  rawBody: Buffer,
  header: string | undefined,
  appSecret: string,
): boolean {
  if (typeof header !== 'string' || appSecret.length === 0 || !Buffer.isBuffer(rawBody)) return false;
  const value = header.trim();
  // The prefix is fixed by Meta; accept it case-insensitively, the hex digits too.
  if (value.slice(0, SIGNATURE_PREFIX.length).toLowerCase() !== SIGNATURE_PREFIX) return false;
  const hex = value.slice(SIGNATURE_PREFIX.length);
  if (!SIGNATURE_HEX.test(hex)) return false;
  const received = Buffer.from(hex, 'hex');
  const expected = createHmac('sha256', appSecret).update(rawBody).digest();
  // timingSafeEqual throws on different lengths: check first (both are 32 here by construction).
  if (received.length !== expected.length) return false;
  return timingSafeEqual(received, expected);
}

/** Query of the handshake GET; values may be repeated (arrays) or absent. */
export type HandshakeQuery = Record<string, unknown>;

/**
 * The `hub.challenge` to echo back when `hub.mode` is `subscribe` and `hub.verify_token` equals
 * `verifyToken`; null otherwise (answer 403). The token comparison is constant-time (both sides are
 * hashed first, so their lengths leak nothing). An empty `verifyToken` never matches.
 */
export function verifyHandshake(query: HandshakeQuery, verifyToken: string): string | null {
  if (verifyToken.length === 0 || query === null || typeof query !== 'object') return null;
  const mode = single(query['hub.mode']);
  const token = single(query['hub.verify_token']);
  const challenge = single(query['hub.challenge']);
  if (mode !== 'subscribe' || token === undefined || challenge === undefined || challenge.length === 0) {
    return null;
  }
  return constantTimeEqual(token, verifyToken) ? challenge : null;
}

function single(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return undefined; // absent, or repeated (an array): refuse rather than guess
}

function constantTimeEqual(a: string, b: string): boolean {
  const da = createHash('sha256').update(a, 'utf8').digest();
  const db = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(da, db);
}
