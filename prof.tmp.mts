import 'reflect-metadata';
import { loadConfig } from './src/infrastructure/config.ts';
import { buildApp } from './src/infrastructure/container.ts';
import { TOKENS } from './src/infrastructure/tokens.ts';
import { parseWebhook } from './src/infrastructure/whatsapp/webhook-payload.ts';
import { toInboxEvents } from './src/infrastructure/whatsapp/inbox-events.ts';
const config = loadConfig({ LOG_LEVEL: 'warn', WHATSAPP_APP_SECRET: 'x' });
const app = await buildApp(config, { workers: false });
const uc: any = app.container.resolve(TOKENS.UseCases);
const N = Number(process.argv[2] ?? 3000);
const mk = (i: number) => ({ object: 'whatsapp_business_account', entry: [{ id: '1', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '1', phone_number_id: '106540352242922' }, contacts: [{ profile: { name: 'C' }, wa_id: `52155${10000000 + (i % 300)}` }], messages: [{ from: `52155${10000000 + (i % 300)}`, id: `wamid.${i}`, timestamp: String(Math.floor(Date.now()/1000)), type: 'text', text: { body: 'hola que tal' } }] } }] }] });
const bodies = Array.from({ length: N }, (_, i) => JSON.stringify(mk(i)));
let t = performance.now();
for (const b of bodies) { const ev = toInboxEvents(parseWebhook(JSON.parse(b))); await uc.webhookInbox.accept.execute(ev); }
console.log('accept per msg µs', ((performance.now() - t) * 1000 / N).toFixed(1));
t = performance.now();
let total = 0;
for (;;) { const r = await uc.webhookInbox.process.execute({ worker: 'w', limit: 200 }); total += r.processed; if (r.claimed === 0) break; }
console.log('process per msg µs', ((performance.now() - t) * 1000 / N).toFixed(1), total);
await app.stop();
