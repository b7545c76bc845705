import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  signWebhookBody,
  verifyHandshake,
  verifyWebhookSignature,
} from '../../../../src/infrastructure/whatsapp/signature.js';

const SECRET = 'app-secret-123';
const body = Buffer.from(
  '{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[]}],"name":"Zoë"}',
);
const hmacHex = (raw: Buffer | string, secret: string) =>
  createHmac('sha256', secret).update(raw).digest('hex');

describe('verifyWebhookSignature', () => {
  it('accepts the sha256= HMAC of the exact raw body under the app secret', () => {
    expect(verifyWebhookSignature(body, `sha256=${hmacHex(body, SECRET)}`, SECRET)).toBe(true);
  });

  it('signWebhookBody produces what Meta sends', () => {
    expect(signWebhookBody(body, SECRET)).toBe(`sha256=${hmacHex(body, SECRET)}`);
    expect(verifyWebhookSignature(body, signWebhookBody(body, SECRET), SECRET)).toBe(true);
  });

  it('accepts upper-case hex digits', () => {
    expect(verifyWebhookSignature(body, `sha256=${hmacHex(body, SECRET).toUpperCase()}`, SECRET)).toBe(true);
  });

  it('refuses a signature made with another secret', () => {
    expect(verifyWebhookSignature(body, `sha256=${hmacHex(body, 'other-secret')}`, SECRET)).toBe(false);
  });

  it('refuses a tampered body (one byte changed)', () => {
    const signature = `sha256=${hmacHex(body, SECRET)}`;
    const tampered = Buffer.from(body);
    tampered[tampered.length - 3] = tampered[tampered.length - 3]! ^ 1;
    expect(verifyWebhookSignature(tampered, signature, SECRET)).toBe(false);
  });

  it('refuses a body that was re-serialized (different bytes, same JSON)', () => {
    const reserialized = Buffer.from(JSON.stringify(JSON.parse(body.toString('utf8')), null, 2));
    expect(verifyWebhookSignature(reserialized, `sha256=${hmacHex(body, SECRET)}`, SECRET)).toBe(false);
  });

  it('refuses a missing or empty header', () => {
    expect(verifyWebhookSignature(body, undefined, SECRET)).toBe(false);
    expect(verifyWebhookSignature(body, '', SECRET)).toBe(false);
  });

  it('refuses a wrong prefix (sha1=, none) even with the right digest', () => {
    const hex = hmacHex(body, SECRET);
    expect(verifyWebhookSignature(body, `sha1=${hex}`, SECRET)).toBe(false);
    expect(verifyWebhookSignature(body, hex, SECRET)).toBe(false);
    expect(verifyWebhookSignature(body, `sha256:${hex}`, SECRET)).toBe(false);
  });

  it('refuses digests of a different length and non-hex digests (without throwing)', () => {
    const hex = hmacHex(body, SECRET);
    expect(verifyWebhookSignature(body, `sha256=${hex.slice(0, -2)}`, SECRET)).toBe(false);
    expect(verifyWebhookSignature(body, `sha256=${hex}00`, SECRET)).toBe(false);
    expect(verifyWebhookSignature(body, `sha256=${'z'.repeat(64)}`, SECRET)).toBe(false);
    expect(verifyWebhookSignature(body, 'sha256=', SECRET)).toBe(false);
  });

  it('refuses everything when the app secret is empty', () => {
    expect(verifyWebhookSignature(body, `sha256=${hmacHex(body, '')}`, '')).toBe(false);
  });

  it('verifies an empty body too', () => {
    const empty = Buffer.alloc(0);
    expect(verifyWebhookSignature(empty, `sha256=${hmacHex(empty, SECRET)}`, SECRET)).toBe(true);
  });
});

describe('verifyHandshake', () => {
  const query = (over: Record<string, unknown> = {}) => ({
    'hub.mode': 'subscribe',
    'hub.verify_token': 'verify-me',
    'hub.challenge': '1158201444',
    ...over,
  });

  it('returns the challenge when the mode is subscribe and the token matches', () => {
    expect(verifyHandshake(query(), 'verify-me')).toBe('1158201444');
  });

  it('returns null for a wrong token, including a prefix or a longer token', () => {
    expect(verifyHandshake(query({ 'hub.verify_token': 'wrong' }), 'verify-me')).toBeNull();
    expect(verifyHandshake(query({ 'hub.verify_token': 'verify' }), 'verify-me')).toBeNull();
    expect(verifyHandshake(query({ 'hub.verify_token': 'verify-me-too' }), 'verify-me')).toBeNull();
  });

  it('returns null for another mode, a missing token or challenge', () => {
    expect(verifyHandshake(query({ 'hub.mode': 'unsubscribe' }), 'verify-me')).toBeNull();
    expect(verifyHandshake(query({ 'hub.verify_token': undefined }), 'verify-me')).toBeNull();
    expect(verifyHandshake(query({ 'hub.challenge': undefined }), 'verify-me')).toBeNull();
    expect(verifyHandshake(query({ 'hub.challenge': '' }), 'verify-me')).toBeNull();
    expect(verifyHandshake({}, 'verify-me')).toBeNull();
  });

  it('returns null for repeated parameters (arrays)', () => {
    expect(
      verifyHandshake(query({ 'hub.verify_token': ['verify-me', 'verify-me'] }), 'verify-me'),
    ).toBeNull();
  });

  it('never matches when no verify token is configured', () => {
    expect(verifyHandshake(query({ 'hub.verify_token': '' }), '')).toBeNull();
  });
});
