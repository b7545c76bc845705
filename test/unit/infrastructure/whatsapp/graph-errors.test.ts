import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { WhatsAppSendError } from '../../../../src/application/ports/gateways.js';
import {
  classifyGraphError,
  GRAPH_ERROR_RULES,
  graphErrorOf,
  parseRetryAfter,
  WhatsAppApiError,
} from '../../../../src/infrastructure/whatsapp/graph-errors.js';

const FIXTURES = resolve(dirname(fileURLToPath(import.meta.url)), '../../../fixtures/whatsapp');

const body = (code: number, details = 'details here', extra: Record<string, unknown> = {}) => ({
  error: {
    message: `(#${code}) some title`,
    type: 'OAuthException',
    code,
    error_data: { messaging_product: 'whatsapp', details },
    fbtrace_id: 'Atrace',
    ...extra,
  },
});

describe('classifyGraphError: the table', () => {
  const retryable: [number, string][] = [
    [130429, 'throughput'],
    [131056, 'pair rate limit'],
    [131048, 'spam rate limit'],
    [80007, 'WABA rate limit'],
    [4, 'app rate limit'],
    [17, 'user rate limit'],
    [32, 'page rate limit'],
    [613, 'API rate limit'],
    [1, 'API unknown (transient)'],
    [2, 'API service down'],
    [131000, 'something went wrong'],
    [131016, 'service unavailable'],
    [133004, 'server temporarily unavailable'],
  ];
  const final: [number, string][] = [
    [131047, 'outside the 24 h window'],
    [131026, 'undeliverable'],
    [131051, 'unsupported type'],
    [132000, 'template param count'],
    [132001, 'template missing'],
    [132015, 'template paused'],
    [132042, 'template range (unnamed)'],
    [132069, 'flow throttled (template range)'],
    [100, 'invalid parameter'],
    [190, 'token'],
    [10, 'permission'],
    [200, 'permission range'],
    [299, 'permission range'],
    [131009, 'parameter value'],
    [131021, 'recipient is sender'],
    [131008, 'missing parameter'],
    [131050, 'opted out of marketing'],
    [368, 'policy block'],
  ];

  it.each(retryable)('code %i (%s) is retryable, even under HTTP 400', (code) => {
    expect(classifyGraphError(400, body(code))).toMatchObject({ retryable: true, code });
  });

  it.each(final)('code %i (%s) is final, even under HTTP 500', (code) => {
    expect(classifyGraphError(500, body(code))).toMatchObject({ retryable: false, code });
  });

  it('131047 says to use a template, with the details from error_data', () => {
    const c = classifyGraphError(
      400,
      body(131047, 'Message failed to send because more than 24 hours have passed'),
    );
    expect(c).toMatchObject({
      retryable: false,
      code: 131047,
      title: 'Re-engagement message',
      details: 'Message failed to send because more than 24 hours have passed',
      fbtraceId: 'Atrace',
      errorType: 'OAuthException',
    });
    expect(c.message).toContain('131047');
    expect(c.message).toContain('use a template');
    expect(c.message).toContain('more than 24 hours have passed');
    expect(c.retryAfterMs).toBeUndefined();
  });

  it('the pair rate limit waits at least 6 s, the spam limit at least a minute', () => {
    expect(classifyGraphError(400, body(131056)).retryAfterMs).toBe(6_000);
    expect(classifyGraphError(400, body(131048)).retryAfterMs).toBe(60_000);
    expect(classifyGraphError(400, body(130429)).retryAfterMs).toBeUndefined();
  });

  it('unknown codes: is_transient decides, then the HTTP status', () => {
    expect(classifyGraphError(400, body(999_999, 'x', { is_transient: true })).retryable).toBe(true);
    expect(classifyGraphError(400, body(999_999)).retryable).toBe(false);
    expect(classifyGraphError(503, body(999_999)).retryable).toBe(true);
    expect(classifyGraphError(429, body(999_999)).retryable).toBe(true);
  });

  it('no Graph body at all: 429, 408 and 5xx are retryable, other statuses are not', () => {
    for (const s of [429, 408, 500, 502, 503, 504])
      expect(classifyGraphError(s, '<html>busy</html>').retryable, String(s)).toBe(true);
    for (const s of [400, 401, 403, 404, 413])
      expect(classifyGraphError(s, undefined).retryable, String(s)).toBe(false);
    const c = classifyGraphError(502, 'Bad gateway');
    expect(c.title).toBe('HTTP 502');
    expect(c.code).toBeUndefined();
  });

  it('Retry-After (seconds or HTTP date) is kept for retryable errors and wins over a shorter known pause', () => {
    expect(classifyGraphError(429, undefined, '7').retryAfterMs).toBe(7_000);
    expect(classifyGraphError(400, body(131056), '30').retryAfterMs).toBe(30_000);
    expect(classifyGraphError(400, body(131056), '1').retryAfterMs).toBe(6_000);
    const now = Date.UTC(2026, 0, 1, 12, 0, 0);
    expect(classifyGraphError(503, undefined, 'Thu, 01 Jan 2026 12:00:20 GMT', now).retryAfterMs).toBe(
      20_000,
    );
    expect(classifyGraphError(400, body(100), '10').retryAfterMs).toBeUndefined();
  });

  it('reads the generic Graph error fixture (code 190, subcode, user title)', () => {
    const json = JSON.parse(readFileSync(join(FIXTURES, 'graph_error_response.json'), 'utf8'));
    expect(classifyGraphError(401, json)).toMatchObject({
      retryable: false,
      code: 190,
      subcode: 460,
      title: 'Access token has expired',
      fbtraceId: 'EJplcsCHuLu',
    });
    expect(classifyGraphError(401, JSON.stringify(json)).code).toBe(190);
  });

  it('every rule in the table has a title', () => {
    for (const [code, rule] of GRAPH_ERROR_RULES) expect(rule.title.length, String(code)).toBeGreaterThan(0);
  });
});

describe('graphErrorOf and parseRetryAfter', () => {
  it('accepts a numeric string code and a string error_data', () => {
    expect(graphErrorOf({ error: { code: '131047', error_data: 'plain details' } })).toEqual({
      code: 131047,
      error_data: 'plain details',
    });
    expect(graphErrorOf({ nope: 1 })).toBeUndefined();
    expect(graphErrorOf('not json')).toBeUndefined();
  });

  it('parses delta-seconds and dates; ignores junk, zero and past dates', () => {
    const now = Date.UTC(2026, 0, 1);
    expect(parseRetryAfter('2', now)).toBe(2_000);
    expect(parseRetryAfter(' 1.5 ', now)).toBe(1_500);
    expect(parseRetryAfter('0', now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:59:00 GMT', now)).toBeUndefined();
  });
});

describe('WhatsAppApiError', () => {
  it('is a WhatsAppSendError carrying the transport details', () => {
    const c = classifyGraphError(400, body(130429), '3');
    const error = new WhatsAppApiError('send', { ...c, httpStatus: 400 });
    expect(error).toBeInstanceOf(WhatsAppSendError);
    expect(error).toMatchObject({
      name: 'WhatsAppApiError',
      operation: 'send',
      retryable: true,
      code: 130429,
      title: 'Rate limit hit',
      retryAfterMs: 3_000,
      httpStatus: 400,
      fbtraceId: 'Atrace',
    });
  });
});
