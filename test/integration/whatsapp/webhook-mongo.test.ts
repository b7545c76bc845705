/**
 * The webhook inbox on MongoDB (FerretDB in the default run): what the 200 promises survives the
 * process, and several nodes on one database process each event exactly once.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  eventually,
  messageFixture,
  type RunningCrm,
  startCrm,
  statusPayload,
  textPayload,
  uniqueSuffix,
} from '../../support/crm-app.js';
import { connectTestDb, type TestDb } from '../../support/mongo.js';

let t: TestDb;
let env: Record<string, string>;
let n = 0;
const newCustomer = () => `52155${String(20_000_000 + n++ * 7919).slice(-8)}`;

beforeAll(async () => {
  t = await connectTestDb();
  env = { MONGODB_URI: inject('mongoUri'), MONGODB_DB: t.db.databaseName };
});
afterAll(async () => {
  await t?.close();
});

describe('webhook inbox on MongoDB', () => {
  it('a crash between the 200 and the processing loses nothing: a new process handles the event exactly once', async () => {
    const wamid = `wamid.crash.${uniqueSuffix()}`;
    const payload = textPayload(wamid, newCustomer(), 'antes del corte');

    // Process 1 acknowledges, then dies before any worker ran (its workers never started).
    const first = await startCrm({ env, start: false });
    const res = await first.post(payload);
    expect(res.status).toBe(200);
    expect(await t.db.collection('webhookinbox').countDocuments({ _id: `message:${wamid}` as never })).toBe(
      1,
    );
    expect(await t.db.collection('messages').countDocuments({ whatsappMessageId: wamid })).toBe(0);
    await first.stop();

    // Process 2 on the same database: the event is processed once, and a redelivery of the same
    // webhook by WhatsApp (delivery is at least once) changes nothing.
    const second = await startCrm({ env, workers: { inboxIntervalMs: 50 } });
    try {
      const message = await second.stored(wamid, 10_000);
      expect(message.content).toBe('antes del corte');
      await eventually(async () =>
        expect(
          await t.db.collection('webhookinbox').countDocuments({ _id: `message:${wamid}` as never }),
        ).toBe(0),
      );
      await second.post(payload);
      await eventually(async () =>
        expect(
          await t.db.collection('webhookinbox').countDocuments({ _id: `message:${wamid}` as never }),
        ).toBe(0),
      );
      expect(await t.db.collection('messages').countDocuments({ whatsappMessageId: wamid })).toBe(1);
      expect(await second.ports.messages.countByConversation(message.conversationId)).toBe(1);
    } finally {
      await second.stop();
    }
  });

  it('two nodes on one database, webhooks spread over both and repeated: every message stored exactly once', async () => {
    const nodes: RunningCrm[] = [
      await startCrm({ env, workers: { inboxIntervalMs: 50 } }),
      await startCrm({ env, workers: { inboxIntervalMs: 50 } }),
    ];
    try {
      const customers = [newCustomer(), newCustomer(), newCustomer()];
      const ids: string[] = [];
      const posts: Promise<Response>[] = [];
      for (let i = 0; i < 12; i++) {
        const wamid = `wamid.nodes.${i}.${uniqueSuffix()}`;
        ids.push(wamid);
        const payload = textPayload(wamid, customers[i % customers.length]!, `mensaje ${i}`);
        // Each webhook reaches both nodes (Meta retried, the balancer split them).
        posts.push(nodes[0]!.post(payload), nodes[1]!.post(payload));
      }
      expect((await Promise.all(posts)).map((r) => r.status)).toEqual(posts.map(() => 200));

      for (const wamid of ids) await nodes[0]!.stored(wamid, 15_000);
      await eventually(
        async () => expect(await t.db.collection('webhookinbox').countDocuments()).toBe(0),
        15_000,
      );
      for (const wamid of ids) {
        expect(await t.db.collection('messages').countDocuments({ whatsappMessageId: wamid })).toBe(1);
      }
      // One conversation per customer, with exactly its messages counted.
      for (const customer of customers) {
        const c = await t.db.collection('customers').findOne({ phoneNumber: `+52${customer.slice(3)}` });
        const conversations = await t.db.collection('conversations').find({ customerId: c!._id }).toArray();
        expect(conversations).toHaveLength(1);
        expect(conversations[0]!.messageCount).toBe(4);
      }
    } finally {
      for (const node of nodes) await node.stop();
    }
  });

  it('every fixture type and a status through the route on MongoDB', async () => {
    const crm = await startCrm({ env, workers: { inboxIntervalMs: 50 } });
    try {
      const from = newCustomer();
      const cases = [
        ['text', 'text'],
        ['image', 'image'],
        ['document', 'document'],
        ['location', 'location'],
        ['contacts', 'contact'],
        ['interactive_list_reply', 'interactive'],
        ['reaction', 'reaction'],
      ] as const;
      const ids = cases.map(([f]) => `wamid.m.${f}.${uniqueSuffix()}`);
      for (const [i, [f]] of cases.entries())
        expect((await crm.post(messageFixture(f, { wamid: ids[i]!, from }))).status).toBe(200);
      for (const [i, [, type]] of cases.entries())
        expect((await crm.stored(ids[i]!, 10_000)).type).toBe(type);
      const image = await crm.stored(ids[1]!);
      expect(image.attachments[0]).toMatchObject({
        type: 'image',
        whatsappMediaId: '65463453',
        storage: 'pending',
      });

      // A status for a message nobody sent yet is parked in the inbox, not lost.
      await crm.post(statusPayload(`wamid.mongo.unknown.${uniqueSuffix()}`, 'delivered'));
      await eventually(async () =>
        expect(await t.db.collection('webhookinbox').countDocuments({ waitingFor: { $exists: true } })).toBe(
          1,
        ),
      );
    } finally {
      await crm.stop();
    }
  });
});
