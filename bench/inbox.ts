/**
 * `npm run bench:inbox -- [messages] [customers] [batch]` (defaults 1000 100 200): the webhook inbox's
 * processing alone, on MongoDB (MONGODB_URI) or a throw-away FerretDB v1.24. Stores `messages`
 * one-text-message events from `customers` senders straight into the inbox, then processes them batch
 * by batch (ProcessWebhookInbox, the background reactions off) and prints, per batch, the time,
 * messages/s, and the database commands it sent (count and time, by command and collection) — the
 * figure the batched inbound path is built to keep flat (a dozen-odd commands per batch, whatever its
 * size). PROF_DEBUG=1 also prints the commands in flight every 3 s (a stuck server shows here).
 */
import 'reflect-metadata';
import { startFerretDb } from '../scripts/ferretdb-server.js';
import type { Ports } from '../src/application/ports/ports.js';
import type { UseCases } from '../src/application/use-cases.js';
import { loadConfig } from '../src/infrastructure/config.js';
import { buildApp } from '../src/infrastructure/container.js';
import type { MongoConnection } from '../src/infrastructure/mongo/mongo-client.js';
import { TOKENS } from '../src/infrastructure/tokens.js';
import { toInboxEvents } from '../src/infrastructure/whatsapp/inbox-events.js';
import { parseWebhook } from '../src/infrastructure/whatsapp/webhook-payload.js';
import { textPayload } from '../test/support/webhook-payloads.js';

const N = Number(process.argv[2] ?? 1000);
const CUSTOMERS = Number(process.argv[3] ?? 100);
const BATCH = Number(process.argv[4] ?? 200);
const ferret = process.env.MONGODB_URI ? undefined : await startFerretDb();
const base = process.env.MONGODB_URI ?? ferret!.uri;
const uri = `${base}${base.includes('?') ? '&' : '?'}monitorCommands=true`;
const config = loadConfig({
  NODE_ENV: 'development',
  LOG_LEVEL: 'error',
  PORT: '0',
  MONGODB_URI: uri,
  MONGODB_DB: `prof_${Date.now()}`,
  WHATSAPP_APP_SECRET: 'x',
  WHATSAPP_VERIFY_TOKEN: 'x',
});
const app = await buildApp(config, { operations: false } as never);
const mongo = app.container.resolve<MongoConnection>(TOKENS.MongoConnection);
const ports = app.container.resolve<Ports>(TOKENS.Ports);
const useCases = app.container.resolve<UseCases>(TOKENS.UseCases);
const stats = new Map<string, { n: number; ms: number }>();
const started = new Map<number, { key: string; t: number }>();
mongo.client.on('commandStarted', (e) => {
  const coll = (e.command as Record<string, unknown>)[e.commandName];
  started.set(e.requestId, {
    key: `${e.commandName} ${typeof coll === 'string' ? coll : ''}`,
    t: performance.now(),
  });
});
const done = (e: { requestId: number }) => {
  const s = started.get(e.requestId);
  if (!s) return;
  started.delete(e.requestId);
  const v = stats.get(s.key) ?? { n: 0, ms: 0 };
  v.n += 1;
  v.ms += performance.now() - s.t;
  stats.set(s.key, v);
};
mongo.client.on('commandSucceeded', done);
mongo.client.on('commandFailed', done);

function webhook(i: number) {
  const n = i % CUSTOMERS;
  return textPayload(
    `wamid.P${Date.now()}${i}`,
    `52155${String(10_000_000 + n)}`,
    'Hola, ¿me pueden ayudar con mi pedido?',
    {
      name: `Cliente ${n}`,
    },
  );
}
let t = performance.now();
for (let i = 0; i < N; i += 100) {
  const events = [];
  for (let j = i; j < Math.min(N, i + 100); j++) events.push(...toInboxEvents(parseWebhook(webhook(j))));
  await ports.webhookInbox.add(events, new Date());
}
console.log(`added ${N} in ${(performance.now() - t).toFixed(0)} ms`);
stats.clear();
let total = 0;
const t0 = performance.now();
if (process.env.PROF_DEBUG)
  setInterval(
    () =>
      console.log(
        'pending:',
        [...started.values()].map((s) => `${s.key} ${(performance.now() - s.t).toFixed(0)}ms`).join(', '),
        [...stats.entries()].map(([k, v]) => `${k}x${v.n}`).join(' '),
      ),
    3000,
  ).unref();
for (let b = 0; ; b++) {
  t = performance.now();
  const report = await useCases.webhookInbox.process.execute({ worker: 'prof', limit: BATCH });
  if (report.claimed === 0) break;
  total += report.processed;
  const ms = performance.now() - t;
  const rows = [...stats.entries()].sort((a, b) => b[1].ms - a[1].ms);
  const calls = rows.reduce((a, [, v]) => a + v.n, 0);
  console.log(
    `batch ${b}: ${report.processed}/${report.claimed} in ${ms.toFixed(0)} ms (${((report.processed / ms) * 1000).toFixed(0)} msg/s), ${calls} commands; top: ${rows
      .slice(0, 8)
      .map(([k, v]) => `${k} ×${v.n} ${v.ms.toFixed(0)}ms`)
      .join(', ')}`,
  );
  stats.clear();
}
const all = performance.now() - t0;
console.log(`processed ${total} in ${all.toFixed(0)} ms: ${((total / all) * 1000).toFixed(0)} msg/s`);
await app.stop?.();
await mongo.close();
await ferret?.stop();
process.exit(0);
