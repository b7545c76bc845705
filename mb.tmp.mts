import { parseWebhook } from './src/infrastructure/whatsapp/webhook-payload.ts';
import { toInboxEvents } from './src/infrastructure/whatsapp/inbox-events.ts';
import { InMemoryWebhookInbox } from './src/infrastructure/memory/in-memory-webhook-inbox.ts';
const mk = (i: number) => JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: '1', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '1', phone_number_id: '106540352242922' }, contacts: [{ profile: { name: 'C' }, wa_id: `52155${10000000 + (i % 300)}` }], messages: [{ from: `52155${10000000 + (i % 300)}`, id: `wamid.${i}`, timestamp: String(Math.floor(Date.now()/1000)), type: 'text', text: { body: 'hola que tal' } }] } }] }] });
const N = 20000; const bodies = Array.from({ length: N }, (_, i) => mk(i));
for (let r = 0; r < 3; r++) {
let t = performance.now(); const parsed = bodies.map(b => JSON.parse(b)); const tj = performance.now() - t;
t = performance.now(); const nw = parsed.map(p => parseWebhook(p)); const tp = performance.now() - t;
t = performance.now(); const ev = nw.map(w => toInboxEvents(w)); const te = performance.now() - t;
const inbox = new InMemoryWebhookInbox(); const now = new Date();
t = performance.now(); for (const e of ev) await inbox.add(e, now); const ta = performance.now() - t;
console.log(`json ${(tj*1000/N).toFixed(1)}µs parse ${(tp*1000/N).toFixed(1)}µs events ${(te*1000/N).toFixed(1)}µs add ${(ta*1000/N).toFixed(1)}µs`);
}
