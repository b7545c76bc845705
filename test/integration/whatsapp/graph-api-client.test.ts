import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type OutboundContent, WhatsAppSendError } from '../../../src/application/ports/gateways.js';
import {
  CloudApiWhatsAppGateway,
  type CloudApiWhatsAppGatewayOptions,
  credentialsFromMap,
  singleNumberCredentials,
  WhatsAppApiError,
} from '../../../src/infrastructure/whatsapp/graph-api-client.js';
import { InvalidOutboundContentError } from '../../../src/infrastructure/whatsapp/outbound-message.js';
import { GraphApiStandIn, graphError } from '../../support/graph-api-stand-in.js';

const FIXTURES = resolve(dirname(fileURLToPath(import.meta.url)), '../../fixtures/whatsapp');
const A = { phoneNumberId: '100000000000001', accessToken: 'token-for-A' };
const B = { phoneNumberId: '200000000000002', accessToken: 'token-for-B' };
const TO = '+15551234567';

let standIn: GraphApiStandIn;
const logs: { level: string; obj: Record<string, unknown>; msg: string }[] = [];
const log = {
  debug: (obj: Record<string, unknown>, msg: string) => logs.push({ level: 'debug', obj, msg }),
  warn: (obj: Record<string, unknown>, msg: string) => logs.push({ level: 'warn', obj, msg }),
};

const gateway = (over: Partial<CloudApiWhatsAppGatewayOptions> = {}) =>
  new CloudApiWhatsAppGateway({
    graphUrl: standIn.url,
    apiVersion: 'v23.0',
    credentials: credentialsFromMap(
      { [A.phoneNumberId]: A.accessToken, [B.phoneNumberId]: B.accessToken },
      A.phoneNumberId,
    ),
    timeoutMs: 2_000,
    log,
    ...over,
  });

/** The error a promise rejects with (fails the test if it resolves). */
async function failure(promise: Promise<unknown>): Promise<WhatsAppApiError> {
  const result = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(result).toBeInstanceOf(WhatsAppApiError);
  expect(result).toBeInstanceOf(WhatsAppSendError);
  return result as WhatsAppApiError;
}

beforeAll(async () => {
  standIn = await GraphApiStandIn.start({ accounts: [A, B], version: 'v23.0' });
});
afterAll(async () => {
  await standIn.close();
});
beforeEach(() => {
  standIn.reset();
  logs.length = 0;
});

describe('CloudApiWhatsAppGateway.send against the Graph API stand-in', () => {
  const head = { messaging_product: 'whatsapp', recipient_type: 'individual', to: '15551234567' };
  const cases: [string, OutboundContent, Record<string, unknown>][] = [
    [
      'text',
      { type: 'text', body: 'Hi there', previewUrl: true },
      { type: 'text', text: { preview_url: true, body: 'Hi there' } },
    ],
    [
      'template',
      { type: 'template', name: 'ticket_update', language: 'es_MX', parameters: ['Ana', 'T-42'] },
      {
        type: 'template',
        template: {
          name: 'ticket_update',
          language: { code: 'es_MX' },
          components: [
            {
              type: 'body',
              parameters: [
                { type: 'text', text: 'Ana' },
                { type: 'text', text: 'T-42' },
              ],
            },
          ],
        },
      },
    ],
    [
      'image',
      { type: 'image', link: 'https://cdn.example/p.jpg', caption: 'Your receipt' },
      { type: 'image', image: { link: 'https://cdn.example/p.jpg', caption: 'Your receipt' } },
    ],
    [
      'document',
      { type: 'document', link: 'https://cdn.example/i.pdf', caption: 'Invoice', filename: 'invoice.pdf' },
      {
        type: 'document',
        document: { link: 'https://cdn.example/i.pdf', caption: 'Invoice', filename: 'invoice.pdf' },
      },
    ],
    [
      'audio',
      { type: 'audio', link: 'https://cdn.example/a.ogg' },
      { type: 'audio', audio: { link: 'https://cdn.example/a.ogg' } },
    ],
    [
      'video',
      { type: 'video', link: 'https://cdn.example/v.mp4', caption: 'How to' },
      { type: 'video', video: { link: 'https://cdn.example/v.mp4', caption: 'How to' } },
    ],
    [
      'location',
      { type: 'location', latitude: 52.52, longitude: 13.405, name: 'Store', address: 'Alexanderplatz 1' },
      {
        type: 'location',
        location: { latitude: 52.52, longitude: 13.405, name: 'Store', address: 'Alexanderplatz 1' },
      },
    ],
    [
      'interactive button',
      {
        type: 'interactive',
        kind: 'button',
        body: 'Did that solve it?',
        buttons: [
          { id: 'solved', title: 'Yes, thanks' },
          { id: 'agent', title: 'Talk to a person' },
        ],
      },
      {
        type: 'interactive',
        interactive: {
          type: 'button',
          body: { text: 'Did that solve it?' },
          action: {
            buttons: [
              { type: 'reply', reply: { id: 'solved', title: 'Yes, thanks' } },
              { type: 'reply', reply: { id: 'agent', title: 'Talk to a person' } },
            ],
          },
        },
      },
    ],
    [
      'interactive list',
      {
        type: 'interactive',
        kind: 'list',
        body: 'What do you need?',
        buttonText: 'Topics',
        sections: [
          {
            title: 'Orders',
            rows: [
              { id: 'track', title: 'Track', description: 'Where is it?' },
              { id: 'return', title: 'Return' },
            ],
          },
        ],
      },
      {
        type: 'interactive',
        interactive: {
          type: 'list',
          body: { text: 'What do you need?' },
          action: {
            button: 'Topics',
            sections: [
              {
                title: 'Orders',
                rows: [
                  { id: 'track', title: 'Track', description: 'Where is it?' },
                  { id: 'return', title: 'Return' },
                ],
              },
            ],
          },
        },
      },
    ],
  ];

  it.each(cases)(
    '%s: posts the exact Cloud API body with the bearer token and returns the wamid',
    async (_, content, expected) => {
      const result = await gateway().send({ to: TO, content });
      expect(result.whatsappMessageId).toMatch(/^wamid\.STANDIN\d{8}$/);
      expect(standIn.requests).toHaveLength(1);
      const [req] = standIn.requests;
      expect(req?.method).toBe('POST');
      expect(req?.path).toBe(`/v23.0/${A.phoneNumberId}/messages`);
      expect(req?.headers.authorization).toBe(`Bearer ${A.accessToken}`);
      expect(req?.headers['content-type']).toBe('application/json');
      expect(req?.body).toEqual({ ...head, ...expected });
    },
  );

  it('a reply carries context.message_id', async () => {
    await gateway().send({ to: TO, content: { type: 'text', body: 'Sure' }, replyTo: 'wamid.INBOUND1' });
    expect(standIn.requests[0]?.body).toMatchObject({ context: { message_id: 'wamid.INBOUND1' } });
  });

  it('returns messages[0].id of the real success body (send_response.json)', async () => {
    const real = JSON.parse(readFileSync(join(FIXTURES, 'send_response.json'), 'utf8'));
    standIn.failNext({ kind: 'http', status: 200, body: real });
    const result = await gateway().send({ to: TO, content: { type: 'text', body: 'x' } });
    expect(result).toEqual({
      whatsappMessageId: 'wamid.HBgLMTY1MDUwNzY1MjAVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA',
    });
  });

  it('a 2xx without a message id is a final INVALID_RESPONSE (resending could duplicate it)', async () => {
    standIn.failNext({ kind: 'http', status: 200, body: { messaging_product: 'whatsapp', messages: [] } });
    const error = await failure(gateway().send({ to: TO, content: { type: 'text', body: 'x' } }));
    expect(error).toMatchObject({ retryable: false, title: 'INVALID_RESPONSE', httpStatus: 200 });
  });

  it('invalid content fails before any request', async () => {
    const error = await gateway()
      .send({ to: TO, content: { type: 'interactive', kind: 'button', body: 'x', buttons: [] } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidOutboundContentError);
    expect(standIn.requests).toEqual([]);
  });
});

describe('CloudApiWhatsAppGateway errors', () => {
  const send = (g = gateway()) => g.send({ to: TO, content: { type: 'text', body: 'hello' } });

  it('HTTP 429 with Retry-After: retryable, with the pause', async () => {
    standIn.failNext({ kind: 'http', status: 429, body: 'slow down', headers: { 'retry-after': '3' } });
    const error = await failure(send());
    expect(error).toMatchObject({
      retryable: true,
      httpStatus: 429,
      title: 'HTTP 429',
      retryAfterMs: 3_000,
      operation: 'send',
    });
    expect(error.code).toBeUndefined();
  });

  it('HTTP 500 / 503: retryable', async () => {
    standIn.failNext({ kind: 'http', status: 500, body: 'Internal Server Error' });
    expect(await failure(send())).toMatchObject({ retryable: true, httpStatus: 500 });
    standIn.failNext({
      kind: 'http',
      status: 503,
      body: { error: { message: 'down', code: 2, type: 'OAuthException' } },
    });
    expect(await failure(send())).toMatchObject({
      retryable: true,
      httpStatus: 503,
      code: 2,
      title: 'API Service',
    });
  });

  it('131047 (24 h window closed): final, says to use a template', async () => {
    standIn.failNext(graphError(131047));
    const error = await failure(send());
    expect(error).toMatchObject({
      retryable: false,
      code: 131047,
      title: 'Re-engagement message',
      httpStatus: 400,
      fbtraceId: 'AStandIn131047',
      errorType: 'OAuthException',
    });
    expect(error.details).toContain('more than 24 hours');
    expect(error.message).toMatch(/use a template/);
  });

  it('130429 (throughput): retryable; 131056 (pair rate): retryable with at least 6 s', async () => {
    standIn.failNext(graphError(130429, { retryAfter: '2' }));
    expect(await failure(send())).toMatchObject({
      retryable: true,
      code: 130429,
      title: 'Rate limit hit',
      retryAfterMs: 2_000,
    });
    standIn.failNext(graphError(131056));
    expect(await failure(send())).toMatchObject({ retryable: true, code: 131056, retryAfterMs: 6_000 });
  });

  it('131026 (undeliverable): final', async () => {
    standIn.failNext(graphError(131026));
    expect(await failure(send())).toMatchObject({
      retryable: false,
      code: 131026,
      title: 'Message undeliverable',
    });
  });

  it('a wrong token is refused by the server with 190: final', async () => {
    const g = gateway({ credentials: singleNumberCredentials(A.phoneNumberId, 'stale-token') });
    const error = await failure(send(g));
    expect(error).toMatchObject({
      retryable: false,
      code: 190,
      httpStatus: 401,
      title: 'Access token has expired',
    });
    expect(standIn.requests[0]?.headers.authorization).toBe('Bearer stale-token');
  });

  it('an unknown business number is refused with code 100: final', async () => {
    const g = gateway({ credentials: singleNumberCredentials('999999999999999', A.accessToken) });
    expect(await failure(send(g))).toMatchObject({ retryable: false, code: 100, httpStatus: 400 });
  });

  it('timeout: a slow answer is abandoned after timeoutMs and is retryable', async () => {
    standIn.failNext({ kind: 'slow', delayMs: 3_000 });
    const started = Date.now();
    const error = await failure(send(gateway({ timeoutMs: 200 })));
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(error).toMatchObject({ retryable: true, title: 'TIMEOUT', operation: 'send' });
    expect(error.httpStatus).toBeUndefined();
  });

  it('a slow answer within the timeout still succeeds', async () => {
    standIn.failNext({ kind: 'slow', delayMs: 100 });
    await expect(send()).resolves.toMatchObject({ whatsappMessageId: expect.stringMatching(/^wamid\./) });
  });

  it('a dropped connection is a retryable NETWORK_ERROR', async () => {
    standIn.failNext({ kind: 'drop' });
    const error = await failure(send());
    expect(error).toMatchObject({ retryable: true, title: 'NETWORK_ERROR' });
    expect(error.cause).toBeDefined();
  });

  it('a server that is not there is a retryable NETWORK_ERROR', async () => {
    const g = gateway({ graphUrl: 'http://127.0.0.1:9' });
    expect(await failure(send(g))).toMatchObject({ retryable: true, title: 'NETWORK_ERROR' });
  });

  it('no credentials for the asked number: final, and nothing is sent', async () => {
    const g = gateway({ credentials: singleNumberCredentials(A.phoneNumberId, A.accessToken) });
    const error = await failure(
      g.send({ phoneNumberId: B.phoneNumberId, to: TO, content: { type: 'text', body: 'x' } }),
    );
    expect(error).toMatchObject({ retryable: false, title: 'NO_CREDENTIALS' });
    expect(standIn.requests).toEqual([]);
  });

  it('logs failures without ever logging the access token', async () => {
    standIn.failNext(graphError(130429));
    await failure(send());
    expect(logs.some((l) => l.level === 'warn' && l.obj.code === 130429)).toBe(true);
    expect(JSON.stringify(logs)).not.toContain(A.accessToken);
  });

  it('two throttled answers are retryable failures; the third attempt succeeds', async () => {
    // The back-off between attempts is the outbox's (DeliverOutboundMessages); here only the verdicts.
    standIn.failNext({ kind: 'http', status: 429, body: 'busy' }, { times: 2 });
    const g = gateway();
    let attempt = 0;
    let result: { whatsappMessageId: string } | undefined;
    while (!result) {
      attempt += 1;
      try {
        result = await send(g);
      } catch (err) {
        if (!(err instanceof WhatsAppSendError && err.retryable) || attempt >= 3) throw err;
      }
    }
    expect(attempt).toBe(3);
    expect(standIn.requests).toHaveLength(3);
  });
});

describe('CloudApiWhatsAppGateway.markRead', () => {
  it('posts the read receipt for the inbound message', async () => {
    await gateway().markRead({ whatsappMessageId: 'wamid.IN42' });
    expect(standIn.requests).toHaveLength(1);
    expect(standIn.requests[0]?.path).toBe(`/v23.0/${A.phoneNumberId}/messages`);
    expect(standIn.requests[0]?.body).toEqual({
      messaging_product: 'whatsapp',
      status: 'read',
      message_id: 'wamid.IN42',
    });
  });

  it('can show the typing indicator, and uses the asked number’s token', async () => {
    await gateway().markRead({
      phoneNumberId: B.phoneNumberId,
      whatsappMessageId: 'wamid.IN43',
      typing: true,
    });
    expect(standIn.requests[0]?.path).toBe(`/v23.0/${B.phoneNumberId}/messages`);
    expect(standIn.requests[0]?.headers.authorization).toBe(`Bearer ${B.accessToken}`);
    expect(standIn.requests[0]?.body).toEqual({
      messaging_product: 'whatsapp',
      status: 'read',
      message_id: 'wamid.IN43',
      typing_indicator: { type: 'text' },
    });
  });

  it('fails like send does', async () => {
    standIn.failNext({ kind: 'http', status: 502, body: 'bad gateway' });
    expect(await failure(gateway().markRead({ whatsappMessageId: 'wamid.X' }))).toMatchObject({
      retryable: true,
      operation: 'markRead',
    });
  });
});

describe('CloudApiWhatsAppGateway.downloadMedia', () => {
  const file = randomBytes(300 * 1024);

  it('fetches the metadata, then the file from the returned URL, both with the bearer token', async () => {
    standIn.addMedia({ id: '7654321', data: file, mimeType: 'image/jpeg', filename: 'photo.jpg' });
    const media = await gateway().downloadMedia({ mediaId: '7654321' });
    expect(media.mimeType).toBe('image/jpeg');
    expect(media.filename).toBe('photo.jpg');
    expect(media.data.equals(file)).toBe(true);
    expect(standIn.requests.map((r) => [r.method, r.path, r.headers.authorization])).toEqual([
      ['GET', '/v23.0/7654321', `Bearer ${A.accessToken}`],
      ['GET', '/media-files/7654321', `Bearer ${A.accessToken}`],
    ]);
    expect(logs.some((l) => l.msg.includes('sha256'))).toBe(false);
  });

  it('uses the token of the business number the media belongs to', async () => {
    standIn.addMedia({
      id: '888',
      data: Buffer.from('voice'),
      mimeType: 'audio/ogg',
      phoneNumberId: B.phoneNumberId,
    });
    const media = await gateway().downloadMedia({ phoneNumberId: B.phoneNumberId, mediaId: '888' });
    expect(media.data.toString()).toBe('voice');
    expect(media.filename).toBeUndefined();
    // With A's token the stand-in refuses it (190): final.
    expect(await failure(gateway().downloadMedia({ mediaId: '888' }))).toMatchObject({
      retryable: false,
      code: 190,
      operation: 'mediaInfo',
    });
  });

  it('an unknown media id is final (code 100)', async () => {
    expect(await failure(gateway().downloadMedia({ mediaId: '404404' }))).toMatchObject({
      retryable: false,
      code: 100,
    });
  });

  it('a malformed media id is refused before any request', async () => {
    expect(await failure(gateway().downloadMedia({ mediaId: '../../etc' }))).toMatchObject({
      title: 'INVALID_MEDIA_ID',
    });
    expect(standIn.requests).toEqual([]);
  });

  it('refuses media bigger than the limit from the announced size, without downloading it', async () => {
    standIn.addMedia({
      id: '111',
      data: Buffer.from('small'),
      mimeType: 'video/mp4',
      reportedFileSize: 200 * 1024 * 1024,
    });
    expect(await failure(gateway().downloadMedia({ mediaId: '111' }))).toMatchObject({
      retryable: false,
      title: 'MEDIA_TOO_LARGE',
    });
    expect(standIn.requests.map((r) => r.path)).toEqual(['/v23.0/111']);
  });

  it('stops reading a file that turns out bigger than the limit (no Content-Length)', async () => {
    standIn.addMedia({
      id: '222',
      data: file,
      mimeType: 'application/pdf',
      chunked: true,
      reportedFileSize: 10,
    });
    const error = await failure(gateway({ maxMediaBytes: 100 * 1024 }).downloadMedia({ mediaId: '222' }));
    expect(error).toMatchObject({ retryable: false, title: 'MEDIA_TOO_LARGE', operation: 'mediaDownload' });
  });

  it('refuses by Content-Length before reading', async () => {
    standIn.addMedia({ id: '333', data: file, mimeType: 'application/pdf', reportedFileSize: 10 });
    const error = await failure(gateway({ maxMediaBytes: 100 * 1024 }).downloadMedia({ mediaId: '333' }));
    expect(error).toMatchObject({ title: 'MEDIA_TOO_LARGE', operation: 'mediaDownload' });
  });

  it('an expired download URL (404 from the media host) is retryable: the next call gets a fresh URL', async () => {
    standIn.addMedia({ id: '444', data: Buffer.from('doc'), mimeType: 'application/pdf' });
    standIn.failNext({ kind: 'http', status: 404, body: 'gone' }, { path: /^\/media-files\// });
    const error = await failure(gateway().downloadMedia({ mediaId: '444' }));
    expect(error).toMatchObject({ retryable: true, httpStatus: 404, operation: 'mediaDownload' });
    await expect(gateway().downloadMedia({ mediaId: '444' })).resolves.toMatchObject({
      mimeType: 'application/pdf',
    });
  });

  it('a download slower than mediaTimeoutMs times out (retryable)', async () => {
    standIn.addMedia({ id: '555', data: Buffer.from('slow'), mimeType: 'image/png' });
    standIn.failNext({ kind: 'slow', delayMs: 3_000 }, { path: /^\/media-files\// });
    const error = await failure(gateway({ mediaTimeoutMs: 200 }).downloadMedia({ mediaId: '555' }));
    expect(error).toMatchObject({ retryable: true, title: 'TIMEOUT', operation: 'mediaDownload' });
  });
});

describe('several business numbers', () => {
  it('each number posts to its own path with its own token; no number means the default one', async () => {
    const g = gateway();
    const content: OutboundContent = { type: 'text', body: 'hi' };
    await g.send({ phoneNumberId: A.phoneNumberId, to: TO, content });
    await g.send({ phoneNumberId: B.phoneNumberId, to: TO, content });
    await g.send({ to: TO, content });
    expect(standIn.requests.map((r) => [r.path, r.headers.authorization])).toEqual([
      [`/v23.0/${A.phoneNumberId}/messages`, `Bearer ${A.accessToken}`],
      [`/v23.0/${B.phoneNumberId}/messages`, `Bearer ${B.accessToken}`],
      [`/v23.0/${A.phoneNumberId}/messages`, `Bearer ${A.accessToken}`],
    ]);
    expect(standIn.messagesTo(B.phoneNumberId)).toHaveLength(1);
  });

  it("one number's token is refused for the other number (190)", async () => {
    const crossed = gateway({
      credentials: () => ({ phoneNumberId: B.phoneNumberId, accessToken: A.accessToken }),
    });
    expect(await failure(crossed.send({ to: TO, content: { type: 'text', body: 'x' } }))).toMatchObject({
      code: 190,
    });
  });

  it('an unknown number without a default resolves to no credentials', async () => {
    const g = gateway({ credentials: credentialsFromMap({ [A.phoneNumberId]: A.accessToken }) });
    expect(await failure(g.send({ to: TO, content: { type: 'text', body: 'x' } }))).toMatchObject({
      title: 'NO_CREDENTIALS',
    });
  });
});

describe('constructor', () => {
  it('accepts a bare version number and refuses nonsense', () => {
    expect(() => gateway({ apiVersion: '23.0' })).not.toThrow();
    expect(() => gateway({ apiVersion: 'latest' })).toThrow(/apiVersion/);
    expect(() => gateway({ timeoutMs: 0 })).toThrow(/timeoutMs/);
  });
});
