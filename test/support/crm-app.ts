/**
 * The whole service for WhatsApp integration tests: `buildApp` + the real Fastify server on an
 * ephemeral 127.0.0.1 port, with the webhook route, the background workers and the adapters chosen
 * from the environment given (in-memory by default, MongoDB with `MONGODB_URI`), plus helpers to post
 * signed webhooks and to wait for the asynchronous processing.
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import type { Ports } from '../../src/application/ports/ports.js';
import type { WebhookInbox } from '../../src/application/ports/webhook-inbox.js';
import type { UseCases } from '../../src/application/use-cases.js';
import type { MessagePrimitives } from '../../src/domain/message/message.types.js';
import { testConfig } from '../../src/infrastructure/config.js';
import { type App, type BuildAppOptions, buildApp } from '../../src/infrastructure/container.js';
import { TOKENS } from '../../src/infrastructure/tokens.js';
import type { BackgroundWorkers } from '../../src/infrastructure/workers/background-workers.js';
import { createServer, type Server } from '../../src/interfaces/http/server.js';
import { webhookEnvelope } from './webhook-payloads.js';

export const APP_SECRET = 'test-app-secret-0123456789';
export const VERIFY_TOKEN = 'test-verify-token';

export interface RunningCrm {
  app: App;
  server: Server;
  url: string;
  webhookUrl: string;
  useCases: UseCases;
  ports: Ports;
  inbox: WebhookInbox;
  workers: BackgroundWorkers | undefined;
  /** POSTs `payload` signed with the app secret (or `secret`); returns the response. */
  post(
    payload: unknown,
    options?: { secret?: string; raw?: Buffer; headers?: Record<string, string> },
  ): Promise<Response>;
  /** The stored message with this WhatsApp id, once it is there (polls; throws after `timeoutMs`). */
  stored(whatsappMessageId: string, timeoutMs?: number): Promise<MessagePrimitives>;
  stop(): Promise<void>;
}

export async function startCrm(
  options: {
    env?: Record<string, string | undefined>;
    workers?: BuildAppOptions['workers'];
    overrides?: BuildAppOptions['overrides'];
    /** Run `app.start()` (the workers). Default true; false = the process "crashes" before processing. */
    start?: boolean;
  } = {},
): Promise<RunningCrm> {
  const config = testConfig({
    WHATSAPP_APP_SECRET: APP_SECRET,
    WHATSAPP_VERIFY_TOKEN: VERIFY_TOKEN,
    ...options.env,
  });
  const app = await buildApp(config, {
    logger: pino({ level: 'silent' }),
    ...(options.workers !== undefined ? { workers: options.workers } : {}),
    ...(options.overrides ? { overrides: options.overrides } : {}),
  });
  const server = await createServer(app);
  if (options.start !== false) await app.start();
  const { url } = await server.listen();
  const webhookUrl = `${url}/webhooks/whatsapp`;
  const ports = app.container.resolve<Ports>(TOKENS.Ports);
  const running: RunningCrm = {
    app,
    server,
    url,
    webhookUrl,
    useCases: app.container.resolve<UseCases>(TOKENS.UseCases),
    ports,
    inbox: ports.webhookInbox,
    workers: app.container.isRegistered(TOKENS.BackgroundWorkers)
      ? app.container.resolve<BackgroundWorkers>(TOKENS.BackgroundWorkers)
      : undefined,
    post: (payload, o = {}) => {
      const raw = o.raw ?? Buffer.from(JSON.stringify(payload));
      return fetch(webhookUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-hub-signature-256': sign(raw, o.secret ?? APP_SECRET),
          ...o.headers,
        },
        body: raw,
      });
    },
    stored: (wamid, timeoutMs = 5_000) =>
      eventually(async () => {
        const found = await ports.messages.findByWhatsappId(wamid);
        if (!found) throw new Error(`message ${wamid} not stored yet`);
        return found;
      }, timeoutMs),
    stop: () => server.close(),
  };
  return running;
}

export function sign(raw: Buffer, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`;
}

/** Retries `check` until it resolves (or `timeoutMs` passes, then rethrows its last error). */
export async function eventually<T>(check: () => Promise<T>, timeoutMs = 5_000, everyMs = 20): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, everyMs));
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Fixtures

const FIXTURES = resolve(dirname(fileURLToPath(import.meta.url)), '../fixtures/whatsapp');

type Json = Record<string, unknown>;

/** A fixture payload (test/fixtures/whatsapp/<name>.json), deep-copied. */
export function fixture(name: string): Json {
  return JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8')) as Json;
}

let unique = 0;
/** A fresh id suffix: the fixtures share `wamid.xyzxyz` and a few phone numbers. */
export const uniqueSuffix = (): string => `${Date.now().toString(36)}${(unique++).toString(36)}`;

/** `value` of the first change of the first entry. */
export function firstValue(payload: Json): Json {
  const entry = (payload.entry as Json[])[0]!;
  return (entry.changes as Json[])[0]!.value as Json;
}

/**
 * The fixture with its first message given WhatsApp id `wamid` and, when given, sender `from`
 * (its contact too), and its business number `phoneNumberId`.
 */
export function messageFixture(
  name: string,
  opts: { wamid: string; from?: string; phoneNumberId?: string },
): Json {
  const payload = fixture(name);
  const value = firstValue(payload);
  const message = (value.messages as Json[])[0]!;
  message.id = opts.wamid;
  if (opts.from) {
    message.from = opts.from;
    for (const c of (value.contacts as Json[] | undefined) ?? []) c.wa_id = opts.from;
  }
  if (opts.phoneNumberId) (value.metadata as Json).phone_number_id = opts.phoneNumberId;
  return payload;
}

/** A status webhook for our outbound message `wamid` (shape of status_*.json). */
export function statusPayload(
  wamid: string,
  status: 'sent' | 'delivered' | 'read' | 'failed',
  opts: { recipient?: string; timestamp?: number; errors?: Json[]; phoneNumberId?: string } = {},
): Json {
  const s: Json = {
    id: wamid,
    status,
    timestamp: String(opts.timestamp ?? Math.floor(Date.now() / 1000)),
    recipient_id: opts.recipient ?? '15551234567',
  };
  if (opts.errors) s.errors = opts.errors;
  return webhookEnvelope({ statuses: [s] }, opts.phoneNumberId);
}

export { textPayload } from './webhook-payloads.js';
