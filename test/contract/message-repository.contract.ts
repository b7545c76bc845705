import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MessageRepository } from '../../src/application/ports/repositories.js';
import type { MessagePrimitives } from '../../src/domain/message/message.types.js';
import { fullMessageRecord, messageRecord, minutesAfterBase, newId } from '../support/records.js';
import {
  expectDuplicate,
  expectInvalidIdRefused,
  expectNoAbsentValues,
  itPagesByKeyset,
  mirrored,
} from './contract-helpers.js';

/**
 * What every MessageRepository adapter promises (src/application/ports/repositories.ts).
 * `make` returns a fresh, empty repository; `cleanup` releases it.
 */
export function describeMessageRepositoryContract(
  name: string,
  make: () => Promise<{ repo: MessageRepository; cleanup(): Promise<void> }>,
): void {
  describe(`${name} MessageRepository contract`, () => {
    let repo: MessageRepository;
    let cleanup: () => Promise<void>;

    beforeEach(async () => {
      ({ repo, cleanup } = await make());
    });
    afterEach(async () => {
      await cleanup();
    });

    const stored = async (overrides?: Partial<MessagePrimitives>) => {
      const message = messageRecord(overrides);
      await repo.insert(message);
      return message;
    };
    /** An agent's outbound message waiting in the outbox. */
    const outboxMessage = (overrides?: Partial<MessagePrimitives>) =>
      stored({ direction: 'outbound', sender: 'agent', agentId: newId(), status: 'pending', ...overrides });

    describe('insert and find', () => {
      it('returns by id exactly what was inserted, with absent optional fields omitted (not null)', async () => {
        const message = await stored();

        const found = await repo.findById(message.id);

        expect(found).toEqual(message);
        expectNoAbsentValues(found);
        expect(found).not.toHaveProperty('whatsappMessageId');
        expect(found).not.toHaveProperty('leaseUntil');
      });

      it('stores an optional field given as undefined as absent (never null)', async () => {
        const record = { ...messageRecord(), whatsappMessageId: undefined, nextAttemptAt: undefined };
        await repo.insert(record);

        const found = await repo.findById(record.id);

        expect(found).toEqual(record);
        expect(found).not.toHaveProperty('whatsappMessageId');
        expect(found).not.toHaveProperty('nextAttemptAt');
        expectNoAbsentValues(found);
      });

      it('round-trips a record with every optional field set', async () => {
        const message = fullMessageRecord();
        await repo.insert(message);

        const found = await repo.findById(message.id);

        expect(found).toEqual(message);
        expect(found?.nextAttemptAt).toBeInstanceOf(Date);
        expectNoAbsentValues(found);
      });

      it('returns null for unknown ids and keys', async () => {
        await stored({ whatsappMessageId: 'wamid.known' });
        expect(await repo.findById(newId())).toBeNull();
        expect(await repo.findByWhatsappId('wamid.unknown')).toBeNull();
        expect(await repo.findByIdempotencyKey(newId(), 'nope')).toBeNull();
      });

      it('finds by WhatsApp message id', async () => {
        const message = await stored({ whatsappMessageId: 'wamid.HBgLMTIzNDU2Nzg5MA==' });
        await stored({ whatsappMessageId: 'wamid.other' });

        expect(await repo.findByWhatsappId('wamid.HBgLMTIzNDU2Nzg5MA==')).toEqual(message);
      });

      it("finds by an agent's idempotency key, scoped to that agent", async () => {
        const agentId = newId();
        const otherAgent = newId();
        const mine = await outboxMessage({ agentId, idempotencyKey: 'send-1' });
        const theirs = await outboxMessage({ agentId: otherAgent, idempotencyKey: 'send-1' });

        expect(await repo.findByIdempotencyKey(agentId, 'send-1')).toEqual(mine);
        expect(await repo.findByIdempotencyKey(otherAgent, 'send-1')).toEqual(theirs);
        expect(await repo.findByIdempotencyKey(agentId, 'send-2')).toBeNull();
      });

      it('refuses a duplicate WhatsApp message id (MESSAGE.DUPLICATE_WHATSAPPMESSAGEID), keeping the first', async () => {
        const first = await stored({ whatsappMessageId: 'wamid.same' });

        await expectDuplicate(
          () => repo.insert(messageRecord({ whatsappMessageId: 'wamid.same', content: 'retry' })),
          'MESSAGE.DUPLICATE_WHATSAPPMESSAGEID',
        );

        expect(await repo.findByWhatsappId('wamid.same')).toEqual(first);
        expect(await repo.countByConversation(first.conversationId)).toBe(1);
      });

      it('refuses the same idempotency key twice for one agent (MESSAGE.DUPLICATE_IDEMPOTENCYKEY)', async () => {
        const agentId = newId();
        const first = await outboxMessage({ agentId, idempotencyKey: 'k-1' });

        await expectDuplicate(
          () =>
            repo.insert(
              messageRecord({ direction: 'outbound', sender: 'agent', agentId, idempotencyKey: 'k-1' }),
            ),
          'MESSAGE.DUPLICATE_IDEMPOTENCYKEY',
        );

        expect(await repo.findByIdempotencyKey(agentId, 'k-1')).toEqual(first);
      });

      it('accepts many messages without a WhatsApp id or idempotency key (absent keys never collide)', async () => {
        const agentId = newId();
        const conversationId = newId();
        await stored({ conversationId });
        await stored({ conversationId });
        await outboxMessage({ conversationId, agentId });
        await outboxMessage({ conversationId, agentId });
        await stored({ conversationId, idempotencyKey: 'no-agent' });
        await stored({ conversationId, idempotencyKey: 'no-agent' });

        expect(await repo.countByConversation(conversationId)).toBe(6);
      });

      it('refuses a reused id (MESSAGE.DUPLICATE_ID)', async () => {
        const first = await stored();

        await expectDuplicate(() => repo.insert(messageRecord({ id: first.id })), 'MESSAGE.DUPLICATE_ID');

        expect(await repo.findById(first.id)).toEqual(first);
      });

      it('lets exactly one of two racing inserts of one WhatsApp id succeed (webhook redelivery)', async () => {
        const results = await Promise.allSettled([
          repo.insert(messageRecord({ whatsappMessageId: 'wamid.race' })),
          repo.insert(messageRecord({ whatsappMessageId: 'wamid.race' })),
        ]);

        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        expect(results.filter((r) => r.status === 'rejected')).toHaveLength(1);
      });

      it('stores a copy: changing the inserted or returned object does not change the stored message', async () => {
        const message = fullMessageRecord();
        await repo.insert(message);
        const expected = structuredClone(message);

        message.attachments[0]!.url = 'mutated';
        const found = (await repo.findById(message.id))!;
        found.template!.parameters.push('mutated');
        const listed = (await repo.listByConversation(message.conversationId, { limit: 10 })).items[0]!;
        listed.interactive!.buttons!.pop();
        const patched = (await repo.patch(message.id, { aiProcessed: true }))!;
        patched.contacts![0]!.phones.pop();

        expect(await repo.findById(message.id)).toEqual(expected);
      });
    });

    describe('batched inbound path: findByWhatsappIds and insertMany', () => {
      it('finds the messages of several WhatsApp ids in one call, skipping unknown ones', async () => {
        const a = await stored({ whatsappMessageId: 'wamid.batchA' });
        const b = await stored({ whatsappMessageId: 'wamid.batchB' });
        await stored({ whatsappMessageId: 'wamid.batchC' });

        const found = await repo.findByWhatsappIds([
          'wamid.batchB',
          'wamid.unknown',
          'wamid.batchA',
          'wamid.batchA',
        ]);

        expect(found.sort((x, y) => x.id.localeCompare(y.id))).toEqual(
          [a, b].sort((x, y) => x.id.localeCompare(y.id)),
        );
        expect(await repo.findByWhatsappIds([])).toEqual([]);
      });

      it('inserts several messages in one call, readable one by one', async () => {
        const records = [
          messageRecord({ whatsappMessageId: 'wamid.many1' }),
          messageRecord({ whatsappMessageId: 'wamid.many2' }),
          messageRecord(),
        ];

        expect(await repo.insertMany(records)).toEqual({ duplicates: [] });

        for (const record of records) expect(await repo.findById(record.id)).toEqual(record);
        expect(await repo.insertMany([])).toEqual({ duplicates: [] });
      });

      it('reports duplicates (stored before, or repeated in the call) and still stores the others', async () => {
        const first = await stored({ whatsappMessageId: 'wamid.dupStored' });
        const again = messageRecord({ whatsappMessageId: 'wamid.dupStored', content: 'retry' });
        const fresh = messageRecord({ whatsappMessageId: 'wamid.dupFresh' });
        const twinA = messageRecord({ whatsappMessageId: 'wamid.dupTwin' });
        const twinB = messageRecord({ whatsappMessageId: 'wamid.dupTwin', content: 'twin' });
        const reusedId = messageRecord({ id: first.id, whatsappMessageId: 'wamid.dupId' });

        const { duplicates } = await repo.insertMany([again, fresh, twinA, twinB, reusedId]);

        expect(duplicates.sort()).toEqual([again.id, twinB.id, reusedId.id].sort());
        expect(await repo.findByWhatsappId('wamid.dupStored')).toEqual(first);
        expect(await repo.findById(fresh.id)).toEqual(fresh);
        expect(await repo.findByWhatsappId('wamid.dupTwin')).toEqual(twinA);
        expect(await repo.findByWhatsappId('wamid.dupId')).toBeNull();
      });
    });

    describe('listByConversation', () => {
      const conversationId = newId();
      itPagesByKeyset(() => ({
        insertListed: (at) => stored({ conversationId, timestamp: at, createdAt: mirrored(at) }),
        insertUnlisted: (at) => stored({ timestamp: at }),
        list: (page) => repo.listByConversation(conversationId, page),
        sortKey: (m) => m.timestamp,
      }));
    });

    describe('patch', () => {
      it('merges the given fields, keeps the others and returns the stored message', async () => {
        const message = await stored({
          type: 'image',
          attachments: [{ type: 'image', whatsappMediaId: 'm1', storage: 'pending' }],
        });

        const attachments = [
          { type: 'image' as const, url: 'https://cdn.example.com/1.jpg', storage: 'stored' as const },
        ];
        const aiResponse = {
          confidence: 0.8,
          intent: 'greeting',
          entities: [],
          sentiment: 'neutral' as const,
        };
        const returned = await repo.patch(message.id, { attachments, aiProcessed: true, aiResponse });

        const expected = { ...message, attachments, aiProcessed: true, aiResponse };
        expect(returned).toEqual(expected);
        expect(await repo.findById(message.id)).toEqual(expected);
      });

      it('removes a field given as undefined', async () => {
        const message = await outboxMessage({
          leaseUntil: minutesAfterBase(5),
          nextAttemptAt: minutesAfterBase(1),
        });

        const returned = await repo.patch(message.id, { leaseUntil: undefined, sendAttempts: 1 });

        const { leaseUntil: _lease, ...rest } = message;
        expect(returned).toEqual({ ...rest, sendAttempts: 1 });
        const found = await repo.findById(message.id);
        expect(found).not.toHaveProperty('leaseUntil');
        expectNoAbsentValues(found);
      });

      it('returns null for a missing message', async () => {
        expect(await repo.patch(newId(), { aiProcessed: true })).toBeNull();
      });

      it("refuses another message's WhatsApp id (MESSAGE.DUPLICATE_WHATSAPPMESSAGEID) and changes nothing", async () => {
        await stored({ whatsappMessageId: 'wamid.taken' });
        const message = await outboxMessage();

        await expectDuplicate(
          () => repo.patch(message.id, { whatsappMessageId: 'wamid.taken', content: 'changed' }),
          'MESSAGE.DUPLICATE_WHATSAPPMESSAGEID',
        );

        expect(await repo.findById(message.id)).toEqual(message);
      });
    });

    describe('advanceStatus (delivery status moves forward only)', () => {
      it('applies the status and fields when the stored status is one of `from`, returning the stored message', async () => {
        const message = await outboxMessage();

        const sent = await repo.advanceStatus(message.id, ['pending'], 'sent', {
          whatsappMessageId: 'wamid.sent',
          whatsappStatus: 'sent',
          sentAt: minutesAfterBase(1),
        });

        const expected = {
          ...message,
          status: 'sent',
          whatsappMessageId: 'wamid.sent',
          whatsappStatus: 'sent',
          sentAt: minutesAfterBase(1),
        };
        expect(sent).toEqual(expected);
        expect(await repo.findById(message.id)).toEqual(expected);
        expect(await repo.findByWhatsappId('wamid.sent')).toEqual(expected);
      });

      it('walks sent → delivered → read', async () => {
        const message = await outboxMessage({ status: 'sent', whatsappMessageId: 'wamid.walk' });

        const delivered = await repo.advanceStatus(message.id, ['pending', 'sent'], 'delivered', {
          deliveredAt: minutesAfterBase(2),
          whatsappStatus: 'delivered',
        });
        const read = await repo.advanceStatus(message.id, ['pending', 'sent', 'delivered'], 'read', {
          readAt: minutesAfterBase(3),
          whatsappStatus: 'read',
        });

        expect(delivered?.status).toBe('delivered');
        expect(read).toEqual({
          ...message,
          status: 'read',
          whatsappStatus: 'read',
          deliveredAt: minutesAfterBase(2),
          readAt: minutesAfterBase(3),
        });
      });

      it('never goes backwards: a late "delivered" after "read" returns null and changes nothing', async () => {
        const message = await outboxMessage({
          status: 'read',
          whatsappStatus: 'read',
          readAt: minutesAfterBase(3),
        });

        const result = await repo.advanceStatus(message.id, ['pending', 'sent'], 'delivered', {
          deliveredAt: minutesAfterBase(4),
          whatsappStatus: 'delivered',
        });

        expect(result).toBeNull();
        expect(await repo.findById(message.id)).toEqual(message);
      });

      it('returns null for a duplicate status (already there) and for a missing message', async () => {
        const message = await outboxMessage({ status: 'delivered' });

        expect(await repo.advanceStatus(message.id, ['pending', 'sent'], 'delivered', {})).toBeNull();
        expect(await repo.advanceStatus(newId(), ['pending'], 'sent', {})).toBeNull();
        expect(await repo.findById(message.id)).toEqual(message);
      });

      it('lets only one of two racing identical transitions apply', async () => {
        const message = await outboxMessage({ status: 'sent' });

        const results = await Promise.all([
          repo.advanceStatus(message.id, ['sent'], 'delivered', { deliveredAt: minutesAfterBase(1) }),
          repo.advanceStatus(message.id, ['sent'], 'delivered', { deliveredAt: minutesAfterBase(2) }),
        ]);

        expect(results.filter((r) => r !== null)).toHaveLength(1);
        expect((await repo.findById(message.id))?.status).toBe('delivered');
      });

      it('can record a failure with its error', async () => {
        const message = await outboxMessage({ status: 'sent' });

        const failed = await repo.advanceStatus(message.id, ['pending', 'sent', 'delivered'], 'failed', {
          whatsappStatus: 'failed',
          failedAt: minutesAfterBase(1),
          whatsappError: 'Message undeliverable',
          whatsappErrorCode: 131026,
        });

        expect(failed).toMatchObject({
          status: 'failed',
          whatsappErrorCode: 131026,
          failedAt: minutesAfterBase(1),
        });
      });
    });

    describe('claimForAi (one AI processing per message)', () => {
      it('claims an unprocessed message once: aiProcessed becomes true, nothing else changes', async () => {
        const message = await stored();

        expect(await repo.claimForAi(message.id)).toBe(true);
        expect(await repo.findById(message.id)).toEqual({ ...message, aiProcessed: true });
        expect(await repo.claimForAi(message.id)).toBe(false);
      });

      it('refuses a message already processed and a missing one', async () => {
        const processed = await stored({ aiProcessed: true });
        expect(await repo.claimForAi(processed.id)).toBe(false);
        expect(await repo.claimForAi(newId())).toBe(false);
      });

      it('gives a message to exactly one of several racing claimers', async () => {
        const message = await stored();

        const results = await Promise.all(Array.from({ length: 6 }, () => repo.claimForAi(message.id)));

        expect(results.filter(Boolean)).toHaveLength(1);
      });

      it('refuses an invalid id', async () => {
        await expectInvalidIdRefused((id) => repo.claimForAi(id));
      });
    });

    describe('claimOutbound (the outbox)', () => {
      const now = minutesAfterBase(60);
      const lease = minutesAfterBase(61);

      it('claims due outbound pending messages, sets leaseUntil on them, oldest first', async () => {
        const newer = await outboxMessage({ timestamp: minutesAfterBase(10) });
        const older = await outboxMessage({ timestamp: minutesAfterBase(5) });
        const due = await outboxMessage({
          timestamp: minutesAfterBase(20),
          nextAttemptAt: minutesAfterBase(30),
          sendAttempts: 1,
        });

        const claimed = await repo.claimOutbound(now, lease, 10);

        expect(claimed).toEqual([
          { ...older, leaseUntil: lease },
          { ...newer, leaseUntil: lease },
          { ...due, leaseUntil: lease },
        ]);
        expect(await repo.findById(older.id)).toEqual({ ...older, leaseUntil: lease });
      });

      it('counts nextAttemptAt equal to now as due', async () => {
        const message = await outboxMessage({ nextAttemptAt: now });
        expect((await repo.claimOutbound(now, lease, 10)).map((m) => m.id)).toEqual([message.id]);
      });

      it('skips inbound, non-pending, not-yet-due and currently leased messages', async () => {
        await stored({ direction: 'inbound', status: 'pending' });
        await outboxMessage({ status: 'sent' });
        await outboxMessage({ status: 'failed' });
        await outboxMessage({ nextAttemptAt: minutesAfterBase(61) });
        await outboxMessage({ leaseUntil: minutesAfterBase(61) });
        const claimable = await outboxMessage();

        const claimed = await repo.claimOutbound(now, lease, 10);

        expect(claimed.map((m) => m.id)).toEqual([claimable.id]);
      });

      it('does not hand out a message again while its lease runs, but does once it has expired (leaseUntil ≤ now)', async () => {
        const message = await outboxMessage();

        expect(await repo.claimOutbound(now, lease, 10)).toHaveLength(1);
        expect(await repo.claimOutbound(minutesAfterBase(60.5), minutesAfterBase(70), 10)).toEqual([]);

        const reclaimed = await repo.claimOutbound(lease, minutesAfterBase(62), 10);
        expect(reclaimed).toEqual([{ ...message, leaseUntil: minutesAfterBase(62) }]);
      });

      it('claims at most `limit`, the oldest', async () => {
        const made: MessagePrimitives[] = [];
        for (let i = 0; i < 5; i++) made.push(await outboxMessage({ timestamp: minutesAfterBase(i) }));

        const first = await repo.claimOutbound(now, lease, 2);
        const second = await repo.claimOutbound(now, lease, 2);
        const third = await repo.claimOutbound(now, lease, 2);

        expect(first.map((m) => m.id)).toEqual([made[0]!.id, made[1]!.id]);
        expect(second.map((m) => m.id)).toEqual([made[2]!.id, made[3]!.id]);
        expect(third.map((m) => m.id)).toEqual([made[4]!.id]);
        expect(await repo.claimOutbound(now, lease, 2)).toEqual([]);
      });

      it('never gives one message to two concurrent claimers, and loses none', async () => {
        const ids = new Set<string>();
        for (let i = 0; i < 8; i++) ids.add((await outboxMessage({ timestamp: minutesAfterBase(i) })).id);

        const [a, b] = await Promise.all([
          repo.claimOutbound(now, lease, 5),
          repo.claimOutbound(now, lease, 5),
        ]);
        const rest = await repo.claimOutbound(now, lease, 10);

        const claimed = [...a!, ...b!, ...rest].map((m) => m.id);
        expect(new Set(claimed).size).toBe(claimed.length);
        expect(new Set(claimed)).toEqual(ids);
        expect(a!.length).toBeLessThanOrEqual(5);
        expect(b!.length).toBeLessThanOrEqual(5);
      });

      it('returns [] when nothing is due', async () => {
        expect(await repo.claimOutbound(now, lease, 10)).toEqual([]);
      });
    });

    describe('claimPendingMedia (the media fetcher)', () => {
      const now = minutesAfterBase(60);
      const lease = minutesAfterBase(61);
      /** A customer's image whose file is still only a WhatsApp media id. */
      const withPendingMedia = (overrides?: Partial<MessagePrimitives>) =>
        stored({
          type: 'image',
          status: 'delivered',
          attachments: [
            { type: 'image', whatsappMediaId: `m-${newId()}`, mimeType: 'image/jpeg', storage: 'pending' },
          ],
          ...overrides,
        });

      it('claims inbound messages with a pending attachment, oldest first, and leases them', async () => {
        const newer = await withPendingMedia({ timestamp: minutesAfterBase(10) });
        const older = await withPendingMedia({ timestamp: minutesAfterBase(5) });
        const retryDue = await withPendingMedia({ timestamp: minutesAfterBase(20), nextAttemptAt: now });

        const claimed = await repo.claimPendingMedia(now, lease, 10);

        expect(claimed).toEqual([
          { ...older, leaseUntil: lease },
          { ...newer, leaseUntil: lease },
          { ...retryDue, leaseUntil: lease },
        ]);
        expect(await repo.findById(older.id)).toEqual({ ...older, leaseUntil: lease });
      });

      it('skips stored and failed attachments, outbound media, messages not yet due and leased ones', async () => {
        await withPendingMedia({
          attachments: [{ type: 'image', url: 'https://x/y.jpg', storage: 'stored' }],
        });
        await withPendingMedia({
          attachments: [{ type: 'image', whatsappMediaId: 'gone', storage: 'failed' }],
        });
        await withPendingMedia({ attachments: [] });
        await withPendingMedia({
          direction: 'outbound',
          sender: 'agent',
          agentId: newId(),
          status: 'pending',
        });
        await withPendingMedia({ nextAttemptAt: minutesAfterBase(61) });
        await withPendingMedia({ leaseUntil: minutesAfterBase(61) });
        const mixed = await withPendingMedia({
          attachments: [
            { type: 'image', url: 'https://x/a.jpg', storage: 'stored' },
            { type: 'document', whatsappMediaId: 'doc-1', storage: 'pending', attempts: 2, error: 'timeout' },
          ],
        });

        const claimed = await repo.claimPendingMedia(now, lease, 10);

        expect(claimed.map((m) => m.id)).toEqual([mixed.id]);
        expect(claimed[0]?.attachments[1]).toEqual({
          type: 'document',
          whatsappMediaId: 'doc-1',
          storage: 'pending',
          attempts: 2,
          error: 'timeout',
        });
      });

      it('hands a message out again only once its lease has expired, and at most `limit` at a time', async () => {
        const a = await withPendingMedia({ timestamp: minutesAfterBase(1) });
        const b = await withPendingMedia({ timestamp: minutesAfterBase(2) });

        expect((await repo.claimPendingMedia(now, lease, 1)).map((m) => m.id)).toEqual([a.id]);
        expect((await repo.claimPendingMedia(now, lease, 5)).map((m) => m.id)).toEqual([b.id]);
        expect(await repo.claimPendingMedia(minutesAfterBase(60.5), minutesAfterBase(70), 5)).toEqual([]);
        expect((await repo.claimPendingMedia(lease, minutesAfterBase(62), 5)).map((m) => m.id)).toEqual([
          a.id,
          b.id,
        ]);
      });

      it('never gives one message to two concurrent claimers', async () => {
        const ids = new Set<string>();
        for (let i = 0; i < 6; i++) ids.add((await withPendingMedia({ timestamp: minutesAfterBase(i) })).id);

        const [x, y] = await Promise.all([
          repo.claimPendingMedia(now, lease, 4),
          repo.claimPendingMedia(now, lease, 4),
        ]);
        const rest = await repo.claimPendingMedia(now, lease, 10);

        const claimed = [...x!, ...y!, ...rest].map((m) => m.id);
        expect(new Set(claimed).size).toBe(claimed.length);
        expect(new Set(claimed)).toEqual(ids);
      });

      it('a patch that stores the file takes the message out of the queue', async () => {
        const message = await withPendingMedia();
        await repo.patch(message.id, {
          attachments: [{ type: 'image', url: 'https://cdn/x.jpg', publicId: 'p/x', storage: 'stored' }],
          leaseUntil: undefined,
        });

        expect(await repo.claimPendingMedia(now, lease, 10)).toEqual([]);
      });
    });

    describe('per-conversation count and delete', () => {
      it('countByConversation counts only that conversation', async () => {
        const conversationId = newId();
        await stored({ conversationId });
        await stored({ conversationId });
        await stored();

        expect(await repo.countByConversation(conversationId)).toBe(2);
        expect(await repo.countByConversation(newId())).toBe(0);
      });

      it('deleteByConversation deletes that conversation’s messages and returns how many', async () => {
        const conversationId = newId();
        await stored({ conversationId, whatsappMessageId: 'wamid.gone' });
        await stored({ conversationId });
        const other = await stored();

        expect(await repo.deleteByConversation(conversationId)).toBe(2);

        expect(await repo.countByConversation(conversationId)).toBe(0);
        expect(await repo.findByWhatsappId('wamid.gone')).toBeNull();
        expect(await repo.findById(other.id)).toEqual(other);
        expect(await repo.deleteByConversation(conversationId)).toBe(0);
      });
    });

    describe('id validation', () => {
      it('refuses malformed ids with ValidationError (VALIDATION.INVALID_ID) in every method taking one', async () => {
        await expectInvalidIdRefused((id) => repo.findById(id));
        await expectInvalidIdRefused((id) => repo.insert(messageRecord({ id })));
        await expectInvalidIdRefused((id) => repo.findByIdempotencyKey(id, 'k'));
        await expectInvalidIdRefused((id) => repo.listByConversation(id, { limit: 10 }));
        await expectInvalidIdRefused((id) => repo.patch(id, { aiProcessed: true }));
        await expectInvalidIdRefused((id) => repo.advanceStatus(id, ['pending'], 'sent', {}));
        await expectInvalidIdRefused((id) => repo.countByConversation(id));
        await expectInvalidIdRefused((id) => repo.deleteByConversation(id));
      });
    });
  });
}
