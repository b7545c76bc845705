import { beforeEach, describe, expect, it } from 'vitest';
import { DeliverOutboundMessages } from '../../../../src/application/messages/deliver-outbound-messages.js';
import type { InboundMessage } from '../../../../src/application/messages/receive-inbound-message.js';
import { SendMessage } from '../../../../src/application/messages/send-message.js';
import {
  clampInboxBatch,
  type InboxEvent,
  MAX_INBOX_BATCH,
} from '../../../../src/application/ports/webhook-inbox.js';
import { AcceptWebhookEvents } from '../../../../src/application/webhook-inbox/accept-webhook-events.js';
import {
  MAX_INBOX_ATTEMPTS,
  ProcessWebhookInbox,
  STATUS_WAIT_LIMIT_MS,
  WEBHOOK_INBOX_JOB,
} from '../../../../src/application/webhook-inbox/process-webhook-inbox.js';
import { ReleaseWaitingStatuses } from '../../../../src/application/webhook-inbox/release-waiting-statuses.js';
import { makeTestPorts, seedAgent, type TestPorts } from '../../../support/test-ports.js';

const ALICE = '5215512345678';
const BOB = '5215587654321';

const message = (
  wamid: string,
  from: string,
  content: string,
  extra: Partial<InboundMessage> = {},
): InboxEvent => ({
  kind: 'message',
  key: `message:${wamid}`,
  orderKey: from,
  message: {
    whatsappMessageId: wamid,
    from,
    phoneNumberId: 'PHONE_A',
    businessAccountId: 'WABA',
    timestamp: new Date('2026-03-02T15:59:00Z'),
    type: 'text',
    content,
    ...extra,
  },
});
const status = (wamid: string, s: 'sent' | 'delivered' | 'read' | 'failed', at: Date): InboxEvent => ({
  kind: 'status',
  key: `status:${wamid}:${s}`,
  orderKey: ALICE,
  status: { whatsappMessageId: wamid, status: s, timestamp: at },
});

describe('ProcessWebhookInbox', () => {
  let ports: TestPorts;
  let accept: AcceptWebhookEvents;
  let process: ProcessWebhookInbox;

  beforeEach(() => {
    ports = makeTestPorts();
    accept = new AcceptWebhookEvents(ports);
    process = new ProcessWebhookInbox(ports);
  });
  const counts = () => ports.webhookInbox.counts(ports.clock.now());

  it('stores each message once, empties the inbox, and keeps one customer’s messages in order', async () => {
    await accept.execute([
      message('wamid.a1', ALICE, 'primero'),
      message('wamid.b1', BOB, 'hola'),
      message('wamid.a2', ALICE, 'segundo'),
      message('wamid.a3', ALICE, 'tercero'),
    ]);

    const report = await process.execute({ worker: 'w1' });

    expect(report).toMatchObject({ claimed: 4, processed: 4, waiting: 0, retried: 0, dead: 0, dropped: 0 });
    expect(await counts()).toEqual({ due: 0, waiting: 0, dead: 0 });
    const a3 = await ports.messages.findByWhatsappId('wamid.a3');
    const conversation = await ports.conversations.findById(a3!.conversationId);
    expect(conversation?.messageCount).toBe(3);
    expect(conversation?.lastMessage?.content).toBe('tercero');
    expect((await process.execute({ worker: 'w1' })).claimed).toBe(0);
  });

  it('a message processed twice (redelivered after it left the inbox) is stored once', async () => {
    await accept.execute([message('wamid.x', ALICE, 'una vez')]);
    await process.execute({ worker: 'w1' });
    await accept.execute([message('wamid.x', ALICE, 'una vez')]);

    expect(await process.execute({ worker: 'w1' })).toMatchObject({ claimed: 1, processed: 1 });
    const stored = await ports.messages.findByWhatsappId('wamid.x');
    expect(await ports.messages.countByConversation(stored!.conversationId)).toBe(1);
  });

  it('another worker gets nothing while one holds the inbox job lock', async () => {
    await accept.execute([message('wamid.a1', ALICE, 'x')]);
    await ports.jobLocks.tryAcquire(WEBHOOK_INBOX_JOB, 'w1', 30_000);

    expect((await process.execute({ worker: 'w2' })).claimed).toBe(0);
    expect((await process.execute({ worker: 'w1' })).processed).toBe(1);
    // Once w1 lets go (a stopping node), w2 takes over at once.
    await accept.execute([message('wamid.a2', ALICE, 'y')]);
    await process.release('w1');
    expect((await process.execute({ worker: 'w2' })).processed).toBe(1);
  });

  describe('statuses', () => {
    let replyId: string;
    let deliver: DeliverOutboundMessages;

    beforeEach(async () => {
      const { actor } = await seedAgent(ports, 'agent');
      await accept.execute([message('wamid.in', ALICE, 'hola')]);
      await process.execute({ worker: 'w1' });
      const inbound = await ports.messages.findByWhatsappId('wamid.in');
      const sent = await new SendMessage(ports).execute({
        actor,
        conversationId: inbound!.conversationId,
        message: { type: 'text', content: 'respuesta' },
      });
      replyId = sent.message.id;
      deliver = new DeliverOutboundMessages(ports);
    });

    it('apply forward only, whatever the order they come in', async () => {
      await deliver.execute();
      const wamid = (await ports.messages.findById(replyId))!.whatsappMessageId!;
      const t = ports.clock.now();
      await accept.execute([status(wamid, 'read', new Date(t.getTime() + 3_000))]);
      await accept.execute([
        status(wamid, 'delivered', new Date(t.getTime() + 2_000)),
        status(wamid, 'sent', t),
      ]);

      const report = await process.execute({ worker: 'w1' });

      expect(report).toMatchObject({ claimed: 3, processed: 3 });
      expect(await ports.messages.findById(replyId)).toMatchObject({ status: 'read' });
    });

    it('one for a message whose WhatsApp id is not known yet waits, and applies once it is released', async () => {
      await accept.execute([status('wamid.SOON', 'delivered', ports.clock.now())]);

      const first = await process.execute({ worker: 'w1' });

      expect(first).toMatchObject({ claimed: 1, processed: 0, waiting: 1 });
      expect(await counts()).toEqual({ due: 0, waiting: 1, dead: 0 });
      // Not due again before its back-off...
      expect((await process.execute({ worker: 'w1' })).claimed).toBe(0);
      // ...unless its message gets that id: then ReleaseWaitingStatuses makes it due now.
      await ports.messages.patch(replyId, {
        whatsappMessageId: 'wamid.SOON',
        status: 'sent',
        sentAt: ports.clock.now(),
      });
      expect(await new ReleaseWaitingStatuses(ports).execute('wamid.SOON')).toBe(1);
      const second = await process.execute({ worker: 'w1' });
      expect(second).toMatchObject({ claimed: 1, processed: 1, waiting: 0 });
      expect(await ports.messages.findById(replyId)).toMatchObject({ status: 'delivered' });
      expect(await counts()).toEqual({ due: 0, waiting: 0, dead: 0 });
    });

    it('one that stays unknown is retried on a growing back-off, then dropped after STATUS_WAIT_LIMIT_MS', async () => {
      await accept.execute([status('wamid.NEVER', 'delivered', ports.clock.now())]);
      const dueTimes: number[] = [];
      let report = await process.execute({ worker: 'w1' });
      while (report.dropped === 0) {
        const records = await ports.webhookInbox.due(new Date(8.64e15), 10);
        dueTimes.push(records[0]!.dueAt!.getTime() - ports.clock.now().getTime());
        ports.clock.set(records[0]!.dueAt!);
        report = await process.execute({ worker: 'w1' });
      }
      expect(dueTimes.slice(0, 4)).toEqual([2_000, 4_000, 8_000, 16_000]);
      expect(Math.max(...dueTimes)).toBe(5 * 60_000);
      expect(report.failures[0]).toMatchObject({ key: 'status:wamid.NEVER:delivered', outcome: 'dropped' });
      expect(await counts()).toEqual({ due: 0, waiting: 0, dead: 0 });
      expect(ports.clock.now().getTime()).toBeGreaterThanOrEqual(
        Date.parse('2026-03-02T16:00:00Z') + STATUS_WAIT_LIMIT_MS,
      );
    });
  });

  describe('failures', () => {
    it('a domain refusal (the event can never be stored) leaves the record dead at once, with the reason', async () => {
      await accept.execute([message('wamid.bad', '972987654321', 'x'), message('wamid.ok', BOB, 'y')]);

      const report = await process.execute({ worker: 'w1' });

      expect(report).toMatchObject({ claimed: 2, processed: 1, dead: 1 });
      expect(report.failures).toEqual([
        { key: 'message:wamid.bad', outcome: 'dead', error: expect.stringContaining('phoneNumber') },
      ]);
      expect(await counts()).toEqual({ due: 0, waiting: 0, dead: 1 });
      expect(await ports.messages.findByWhatsappId('wamid.ok')).not.toBeNull();
    });

    it('a transient failure is retried with back-off; after MAX_INBOX_ATTEMPTS it is dead, never dropped', async () => {
      const findByPhone = ports.customers.findByPhone.bind(ports.customers);
      const findByPhones = ports.customers.findByPhones.bind(ports.customers);
      let failures = Number.POSITIVE_INFINITY;
      // The customer lookup fails (the single path's findByPhone, the batch path's findByPhones).
      ports.customers.findByPhone = async (phone) => {
        if (failures-- > 0) throw new Error('connection reset');
        return findByPhone(phone);
      };
      ports.customers.findByPhones = async (phones) => {
        if (failures-- > 0) throw new Error('connection reset');
        return findByPhones(phones);
      };
      await accept.execute([message('wamid.flaky', ALICE, 'x')]);

      const first = await process.execute({ worker: 'w1' });
      expect(first).toMatchObject({ claimed: 1, retried: 1 });
      expect(first.failures[0]).toMatchObject({ outcome: 'retry', error: 'Error: connection reset' });
      expect((await process.execute({ worker: 'w1' })).claimed).toBe(0); // backing off

      for (let attempt = 2; attempt <= MAX_INBOX_ATTEMPTS; attempt++) {
        ports.clock.advanceMinutes(10);
        await process.execute({ worker: 'w1' });
      }
      expect(await counts()).toEqual({ due: 0, waiting: 0, dead: 1 });

      // A retry that then succeeds stores the message.
      failures = 1;
      await accept.execute([message('wamid.flaky2', BOB, 'y')]);
      await process.execute({ worker: 'w1' });
      ports.clock.advanceMinutes(1);
      expect(await process.execute({ worker: 'w1' })).toMatchObject({ claimed: 1, processed: 1 });
      expect(await ports.messages.findByWhatsappId('wamid.flaky2')).not.toBeNull();
    });
  });
});

describe('clampInboxBatch', () => {
  it('keeps a batch size between 1 and MAX_INBOX_BATCH, whole', () => {
    expect(clampInboxBatch(500)).toBe(500);
    expect(clampInboxBatch(MAX_INBOX_BATCH + 1)).toBe(MAX_INBOX_BATCH);
    expect(clampInboxBatch(0)).toBe(1);
    expect(clampInboxBatch(Number.NaN)).toBe(1);
    expect(clampInboxBatch(7.9)).toBe(7);
  });
});
