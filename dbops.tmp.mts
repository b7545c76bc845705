import 'reflect-metadata';
import { loadConfig } from './src/infrastructure/config.ts';
import { buildApp } from './src/infrastructure/container.ts';
import { TOKENS } from './src/infrastructure/tokens.ts';
import { parseWebhook } from './src/infrastructure/whatsapp/webhook-payload.ts';
import { toInboxEvents } from './src/infrastructure/whatsapp/inbox-events.ts';
const db = 'dbops_' + Math.random().toString(36).slice(2, 8);
const config = loadConfig({ LOG_LEVEL: 'warn', WHATSAPP_APP_SECRET: 'x', MONGODB_URI: 'mongodb://127.0.0.1:27099/', MONGODB_DB: db });
const app = await buildApp(config, { workers: false, operations: process.argv[3] === 'ops' ? undefined : false } as any);

const counts = new Map<string, number>(); let total = 0; let ms = 0;
const started = new Map<number, number>();
const { Collection, FindCursor } = await import('mongodb');
for (const m of ['findOne','insertOne','insertMany','updateOne','updateMany','findOneAndUpdate','deleteOne','deleteMany','countDocuments','replaceOne','findOneAndReplace']) {
  const orig = (Collection.prototype as any)[m];
  (Collection.prototype as any)[m] = async function (...args: any[]) { const k = `${m} ${this.collectionName}`; counts.set(k, (counts.get(k) ?? 0) + 1); total++; const t0 = performance.now(); try { return await orig.apply(this, args); } finally { ms += performance.now() - t0; } };
}
const origFind = (Collection.prototype as any).find;
(Collection.prototype as any).find = function (...args: any[]) { const k = `find ${this.collectionName}`; counts.set(k, (counts.get(k) ?? 0) + 1); total++; return origFind.apply(this, args); };
await app.start();
const uc: any = app.container.resolve(TOKENS.UseCases);
const { ProcessWebhookInbox } = await import('./src/application/webhook-inbox/process-webhook-inbox.ts');
uc.webhookInbox.process = new ProcessWebhookInbox(app.container.resolve(TOKENS.Ports) as any, { concurrency: Number(process.env.CONC ?? 8) });
const N = Number(process.argv[2] ?? 50);
const mk = (i: number) => ({ object: 'whatsapp_business_account', entry: [{ id: '1', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '1', phone_number_id: '106540352242922' }, contacts: [{ profile: { name: 'C' }, wa_id: `52155${10000000 + (i % 10)}` }], messages: [{ from: `52155${10000000 + (i % 10)}`, id: `wamid.${i}`, timestamp: String(Math.floor(Date.now()/1000)), type: 'text', text: { body: 'hola que tal' } }] } }] }] });
// warm: create customers
for (let i = 0; i < 10; i++) await uc.webhookInbox.accept.execute(toInboxEvents(parseWebhook(mk(100000 + i))));
while ((await uc.webhookInbox.process.execute({ worker: 'w', limit: 200 })).claimed > 0);
await new Promise(r => setTimeout(r, 500));
counts.clear(); total = 0; ms = 0;
let t = performance.now();
for (let i = 0; i < N; i++) await uc.webhookInbox.accept.execute(toInboxEvents(parseWebhook(mk(i))));
console.log('accept ms/msg', ((performance.now() - t) / N).toFixed(2), 'cmds/msg', (total / N).toFixed(1));
counts.clear(); total = 0; ms = 0;
t = performance.now();
while ((await uc.webhookInbox.process.execute({ worker: 'w', limit: 200 })).claimed > 0);
const el = performance.now() - t;
await new Promise(r => setTimeout(r, 1000));
console.log('process ms/msg', (el / N).toFixed(2), 'cmds/msg', (total / N).toFixed(1), 'db ms/msg', (ms / N).toFixed(2));
console.log([...counts.entries()].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${(v / N).toFixed(2)} ${k}`).join('\n'));
await app.stop();
const { MongoClient } = await import('mongodb'); const c = new MongoClient('mongodb://127.0.0.1:27099/'); await c.connect(); await c.db(db).dropDatabase(); await c.close();
