/**
 * What the MongoDB webhook inbox does beyond the WebhookInbox contract, on a real server (FerretDB
 * v1.24 by default, or MONGODB_URI):
 * - group commit: webhooks added while an insert is in flight go to the database together, as one
 *   insertMany, each answered with its own counts once its records are stored; a group that fails
 *   for another reason than duplicates is retried webhook by webhook, so one bad webhook fails alone;
 * - the stored form: each event as relaxed Extended JSON text; records written with the event as a
 *   sub-document (before) are still read; an unreadable event names its record.
 */
import { MongoNetworkError, MongoServerError } from 'mongodb';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { InboxEvent } from '../../../src/application/ports/webhook-inbox.js';
import { InvalidDocumentError } from '../../../src/infrastructure/mongo/mongo-common.js';
import { MongoWebhookInbox } from '../../../src/infrastructure/mongo/mongo-webhook-inbox.js';
import { connectTestDb, type TestDb } from '../../support/mongo.js';

const at = new Date('2026-03-02T16:00:00.000Z');
const message = (wamid: string): InboxEvent => ({
  kind: 'message',
  key: `message:${wamid}`,
  orderKey: '5215512345678',
  message: {
    whatsappMessageId: wamid,
    from: '5215512345678',
    phoneNumberId: '106540352242922',
    timestamp: at,
    type: 'text',
    content: 'Hola',
  },
});

/** The inbox's collection, watched: each insertMany call's number of documents. */
function watchInserts(inbox: MongoWebhookInbox) {
  const records = (inbox as unknown as { records: { insertMany: (...args: unknown[]) => Promise<unknown> } })
    .records;
  const calls: number[] = [];
  const original = records.insertMany.bind(records);
  const spy = vi.spyOn(records, 'insertMany').mockImplementation((docs: unknown, ...rest: unknown[]) => {
    calls.push((docs as unknown[]).length);
    return original(docs, ...rest);
  });
  return { calls, spy, original };
}

describe('MongoWebhookInbox', () => {
  let test: TestDb;
  let inbox: MongoWebhookInbox;
  beforeEach(async () => {
    test = await connectTestDb();
    inbox = new MongoWebhookInbox(test.db);
  });
  afterEach(async () => {
    await test.close();
  });

  it('writes the webhooks that arrive during an insert together, in one insertMany after it', async () => {
    const { calls } = watchInserts(inbox);
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => inbox.add([message(`wamid.G${i}`), message(`wamid.H${i}`)], at)),
    );

    expect(answers).toEqual(Array.from({ length: 20 }, () => ({ added: 2, duplicates: 0 })));
    // The first webhook goes at once; the 19 that came meanwhile go as one command.
    expect(calls).toEqual([2, 38]);
    expect(await inbox.due(at, 100)).toHaveLength(40);
  });

  it('answers a lone webhook with one insert of its own (no waiting for company)', async () => {
    const { calls } = watchInserts(inbox);
    expect(await inbox.add([message('wamid.ALONE')], at)).toEqual({ added: 1, duplicates: 0 });
    expect(await inbox.add([message('wamid.ALONE')], at)).toEqual({ added: 0, duplicates: 1 });
    expect(calls).toEqual([1, 1]);
  });

  it('retries a failed group webhook by webhook: only the bad one fails', async () => {
    const { spy, original } = watchInserts(inbox);
    // The server refuses any command that carries the poisoned event (as it would a document it
    // cannot store); the others are stored.
    spy.mockImplementation((docs: unknown, ...rest: unknown[]) => {
      if ((docs as { _id: string }[]).some((d) => d._id === 'message:wamid.POISON'))
        return Promise.reject(new MongoServerError({ message: 'document refused', code: 2 }));
      return original(docs, ...rest);
    });
    const first = inbox.add([message('wamid.FIRST')], at);
    const group = [
      inbox.add([message('wamid.B1')], at),
      inbox.add([message('wamid.POISON')], at),
      inbox.add([message('wamid.B2'), message('wamid.FIRST')], at),
    ];
    const settled = await Promise.allSettled([first, ...group]);

    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect((settled[3] as PromiseFulfilledResult<unknown>).value).toEqual({ added: 1, duplicates: 1 });
    expect((await inbox.due(at, 10)).map((r) => r.key).sort()).toEqual([
      'message:wamid.B1',
      'message:wamid.B2',
      'message:wamid.FIRST',
    ]);
  });

  it('fails a whole group at once when the server did not answer (no retry webhook by webhook)', async () => {
    const { calls, spy, original } = watchInserts(inbox);
    let down = false;
    spy.mockImplementation((docs: unknown, ...rest: unknown[]) => {
      calls.push((docs as unknown[]).length);
      if (down) return Promise.reject(new MongoNetworkError('connection reset'));
      return original(docs, ...rest);
    });
    // The first insert is sent at once; the connection drops while the others queue behind it.
    const first = inbox.add([message('wamid.UP')], at);
    down = true;
    const group = [1, 2, 3].map((i) => inbox.add([message(`wamid.DOWN${i}`)], at));
    const settled = await Promise.allSettled([first, ...group]);

    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'rejected']);
    expect((settled[1] as PromiseRejectedResult).reason).toBeInstanceOf(MongoNetworkError);
    // One command for the first webhook, one for the group: nothing retried one by one.
    expect(calls).toEqual([1, 3]);
  });

  it('stores each event as Extended JSON text and reads back records stored with the event as a sub-document', async () => {
    const event = message('wamid.TEXT');
    await inbox.add([event], at);
    const raw = await test.db.collection('webhookinbox').findOne({ _id: 'message:wamid.TEXT' as never });
    expect(typeof raw?.event).toBe('string');
    const stored = JSON.parse(raw!.event as string) as { message: { timestamp: { $date: string } } };
    expect(new Date(stored.message.timestamp.$date)).toEqual(at);

    // A record an earlier version wrote, the event as a sub-document (dates as dates).
    await test.db.collection('webhookinbox').insertOne({
      _id: 'message:wamid.OLD' as never,
      event: message('wamid.OLD'),
      receivedAt: at,
      position: 0,
      attempts: 0,
      dueAt: at,
    });

    const records = await inbox.due(at, 10);
    expect(records.map((r) => r.event)).toEqual([event, message('wamid.OLD')]);
    expect(
      records.every((r) => r.event.kind === 'message' && r.event.message.timestamp instanceof Date),
    ).toBe(true);
  });

  it('names the record whose event cannot be read', async () => {
    await test.db.collection('webhookinbox').insertOne({
      _id: 'message:wamid.BROKEN' as never,
      event: '{"kind": "message", "key": ',
      receivedAt: at,
      position: 0,
      attempts: 0,
      dueAt: at,
    });
    const error = await inbox.due(at, 10).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidDocumentError);
    expect((error as InvalidDocumentError).documentId).toBe('message:wamid.BROKEN');
    expect((error as Error).message).toMatch(/event: not Extended JSON/);
  });
});
