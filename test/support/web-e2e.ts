/**
 * What the browser (e2e) suites need: the web app built by Vite, the real server on a free port
 * (in-memory adapters, a known admin from ADMIN_EMAIL/ADMIN_PASSWORD, a webhook secret, fast
 * background workers), Debian's Chromium driven by playwright-core, and WhatsApp webhook payloads
 * made from the fixtures. Not a test file itself.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';
import { pino } from 'pino';
import { type Browser, chromium } from 'playwright-core';
import type { EnsureFirstAdmin } from '../../src/application/auth/ensure-first-admin.js';
import type { UseCases } from '../../src/application/use-cases.js';
import { testConfig } from '../../src/infrastructure/config.js';
import { type App, buildApp } from '../../src/infrastructure/container.js';
import { TOKENS } from '../../src/infrastructure/tokens.js';
import { createServer, type Server } from '../../src/interfaces/http/server.js';
import { fakeHasher } from './test-ports.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** Fails with a message that says what to install (the e2e suites are never skipped). */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM_PATH}: the browser (e2e) tests need it. ` +
        "Install Debian's package with `apt-get install -y chromium` (or set CHROMIUM_PATH to a Chromium binary).",
    );
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}

/**
 * Builds src/interfaces/web with its own vite.config.ts into a fresh temporary folder (so a test run
 * never touches the dist/web a running `npm start` serves). Returns the folder.
 */
export async function buildWebApp(): Promise<string> {
  const outDir = await mkdtemp(join(tmpdir(), 'crm-web-'));
  const { build } = await import('vite');
  const previous = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production'; // vitest sets 'test'; the bundle must be React's production build
  try {
    await build({
      configFile: join(ROOT, 'src/interfaces/web/vite.config.ts'),
      mode: 'production',
      logLevel: 'warn',
      build: { outDir, emptyOutDir: true, sourcemap: false },
    });
  } finally {
    process.env.NODE_ENV = previous;
  }
  if (!existsSync(join(outDir, 'index.html')))
    throw new Error(`the Vite build wrote no index.html in ${outDir}`);
  return outDir;
}

export const E2E_ADMIN = { email: 'admin@example.com', password: 'admin password 1234' };
export const E2E_APP_SECRET = 'e2e-webhook-app-secret';

export interface E2eServer {
  app: App;
  server: Server;
  url: string;
  useCases: UseCases;
  close(): Promise<void>;
}

/** The real server on 127.0.0.1:<free port>, serving the built app at `/`. */
export async function startE2eServer(webRoot: string): Promise<E2eServer> {
  const config = testConfig({
    WHATSAPP_APP_SECRET: E2E_APP_SECRET,
    ADMIN_EMAIL: E2E_ADMIN.email,
    ADMIN_PASSWORD: E2E_ADMIN.password,
  });
  const app = await buildApp(config, {
    inMemory: true,
    logger: pino({ level: 'silent' }),
    overrides: { PasswordHasher: fakeHasher },
    workers: { inboxIntervalMs: 100, outboxIntervalMs: 100 },
  });
  await app.container.resolve<EnsureFirstAdmin>(TOKENS.EnsureFirstAdmin).execute({
    ...(config.admin.email ? { email: config.admin.email } : {}),
    ...(config.admin.password ? { password: config.admin.password } : {}),
  });
  const server = await createServer(app, { webRoot, wsPingMs: 60_000 });
  await app.start();
  const { url } = await server.listen();
  return {
    app,
    server,
    url,
    useCases: app.container.resolve<UseCases>(TOKENS.UseCases),
    close: () => server.close(),
  };
}

export async function removeDir(dir: string | undefined): Promise<void> {
  if (dir) await rm(dir, { recursive: true, force: true });
}

// ---------------------------------------------------------------------------------------------
// Webhook payloads from the fixtures

type Json = Record<string, unknown>;

async function fixture(name: string): Promise<Json> {
  return JSON.parse(await readFile(join(ROOT, 'test/fixtures/whatsapp', `${name}.json`), 'utf8')) as Json;
}

function firstValue(payload: Json): Json {
  const entry = (payload.entry as Json[])[0]!;
  return ((entry.changes as Json[])[0]!.value as Json) ?? {};
}

let counter = 0;
export function newWamid(): string {
  counter += 1;
  return `wamid.E2E${Date.now().toString(36).toUpperCase()}${counter}`;
}

const seconds = (d: Date) => String(Math.floor(d.getTime() / 1000));

/** A customer's message from a fixture (`text`, `image`, `location`...) rewritten to a new id, sender and time. */
export async function customerMessage(
  name: string,
  options: { from: string; profileName: string; at?: Date; id?: string; edit?: (message: Json) => void },
): Promise<{ payload: Json; wamid: string }> {
  const payload = await fixture(name);
  const value = firstValue(payload);
  const wamid = options.id ?? newWamid();
  const contact = (value.contacts as Json[] | undefined)?.[0];
  if (contact) {
    contact.wa_id = options.from;
    contact.profile = { name: options.profileName };
  }
  const message = (value.messages as Json[])[0]!;
  message.id = wamid;
  message.from = options.from;
  message.timestamp = seconds(options.at ?? new Date());
  options.edit?.(message);
  return { payload, wamid };
}

/** A delivery status (`sent`, `delivered`, `read`, or `failed` with the fixture's error) for one of our messages. */
export async function statusUpdate(
  wamid: string,
  status: 'sent' | 'delivered' | 'read' | 'failed',
  recipient: string,
): Promise<Json> {
  const payload = await fixture(status === 'failed' ? 'status_failed' : 'status_delivered');
  const value = firstValue(payload);
  const s = (value.statuses as Json[])[0]!;
  s.id = wamid;
  s.status = status;
  s.recipient_id = recipient;
  s.timestamp = seconds(new Date());
  const contact = (value.contacts as Json[] | undefined)?.[0];
  if (contact) contact.wa_id = recipient;
  return payload;
}

// ---------------------------------------------------------------------------------------------

/** A small RGB PNG (a soft gradient with a diagonal band), to serve as a customer's photo. */
export function samplePng(width = 160, height = 120): Buffer {
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (width * 3 + 1);
    raw[row] = 0; // filter: none
    for (let x = 0; x < width; x++) {
      const band = Math.abs(x - y * 1.3 - 10) < 14;
      const i = row + 1 + x * 3;
      raw[i] = band ? 250 : 40 + Math.round((150 * x) / width);
      raw[i + 1] = band ? 210 : 120 + Math.round((100 * y) / height);
      raw[i + 2] = band ? 90 : 170;
    }
  }
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function crc32(data: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of data) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

export async function writeSamplePng(dir: string, name: string): Promise<void> {
  await writeFile(join(dir, name), samplePng());
}
