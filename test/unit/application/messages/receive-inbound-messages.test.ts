import { describe, expect, it } from 'vitest';
import { ChangeConversationStatus } from '../../../../src/application/conversations/change-conversation-status.js';
import {
  type InboundMessage,
  ReceiveInboundMessage,
} from '../../../../src/application/messages/receive-inbound-message.js';
import {
  type InboundOutcome,
  ReceiveInboundMessages,
} from '../../../../src/application/messages/receive-inbound-messages.js';
import { SYSTEM } from '../../../../src/application/shared/actor.js';
import type { MessagePrimitives } from '../../../../src/domain/message/message.types.js';
import { makeTestPorts, type TestPorts } from '../../../support/test-ports.js';

function inbound(n: number, overrides: Partial<InboundMessage> = {}): InboundMessage {
  return {
    whatsappMessageId: `wamid.BATCH${n}`,
    from: '5215512345678',
    profileName: 'Ana López',
    phoneNumberId: '106540352242922',
    businessAccountId: '102290129340398',
    timestamp: new Date(Date.UTC(2026, 2, 2, 16, 0, n)),
    type: 'text',
    content: `mensaje ${n}`,
    ...overrides,
  };
}

/** A batch that mixes two customers, a reply and a reaction within the batch, and a second customer's first contact. */
function mixedBatch(): InboundMessage[] {
  return [
    inbound(1),
    inbound(2, { from: '5215587654321', profileName: 'Luis Pérez' }),
    inbound(3, { replyToWhatsappId: 'wamid.BATCH1' }),
    inbound(4, {
      type: 'reaction',
      content: '👍',
      reaction: { emoji: '👍', whatsappMessageId: 'wamid.BATCH2' },
    }),
    inbound(5, { from: '5215587654321', profileName: 'Luis Pérez' }),
    inbound(6),
  ];
}

async function stateOf(ports: TestPorts, results: InboundOutcome[]) {
  const ok = results.map((r) => {
    if (!r.ok) throw r.error;
    return r.result;
  });
  const customers = [...new Set(ok.map((r) => r.customer.id))];
  const conversations = [...new Set(ok.map((r) => r.conversation.id))];
  const strip = (m: MessagePrimitives | null) =>
    m && {
      content: m.content,
      replyTo: m.replyTo !== undefined,
      reaction: m.reaction?.messageId !== undefined,
    };
  return {
    customers: await Promise.all(
      customers.map(async (id) => {
        const c = (await ports.customers.findById(id))!;
        return { phone: c.phoneNumber, name: c.firstName, statistics: c.statistics, last: c.lastMessageAt };
      }),
    ),
    conversations: await Promise.all(
      conversations.map(async (id) => {
        const c = (await ports.conversations.findById(id))!;
        return {
          messageCount: c.messageCount,
          unreadCount: c.unreadCount,
          lastMessage: c.lastMessage?.content,
          status: c.status,
        };
      }),
    ),
    messages: await Promise.all(ok.map(async (r) => strip(await ports.messages.findById(r.message.id)))),
    created: ok.map((r) => [r.created, r.newConversation]),
    // Per customer, the order of the events (ids differ between runs; types and contents don't).
    // Across customers they interleave differently: the batch publishes a customer's after its writes.
    events: customers.map((id) =>
      ports.published
        .filter((e) => (e.payload as { customerId?: string }).customerId === id)
        .map((e) => {
          const p = e.payload as { content?: string; conversationAnswered?: boolean };
          const answered = p.conversationAnswered === undefined ? '' : `:answered=${p.conversationAnswered}`;
          return `${e.type}:${p.content ?? ''}${answered}`;
        }),
    ),
  };
}

/** An attempt that stops between storing its messages and applying them to their conversations. */
async function stoppedBeforeApplying(
  ports: TestPorts,
  receive: ReceiveInboundMessages,
  batch: InboundMessage[],
): Promise<InboundOutcome[]> {
  const updateMany = ports.conversations.updateMany.bind(ports.conversations);
  ports.conversations.updateMany = async () => {
    throw new Error('the process stopped here');
  };
  try {
    return await receive.execute(batch);
  } finally {
    ports.conversations.updateMany = updateMany;
  }
}

describe('ReceiveInboundMessages (a batch)', () => {
  it('leaves the same state, results and event order as receiving the messages one by one', async () => {
    const one = makeTestPorts();
    const single = new ReceiveInboundMessage(one);
    const sequential: InboundOutcome[] = [];
    for (const input of mixedBatch()) sequential.push({ ok: true, result: await single.execute(input) });

    const many = makeTestPorts();
    const batched = await new ReceiveInboundMessages(many).execute(mixedBatch());

    expect(await stateOf(many, batched)).toEqual(await stateOf(one, sequential));
  });

  it("says in each message.received whether an agent had answered the conversation (the response-time reaction's shortcut)", async () => {
    const ports = makeTestPorts();
    const receive = new ReceiveInboundMessages(ports);
    const answeredOf = () =>
      ports.published
        .filter((e) => e.type === 'message.received')
        .map((e) => (e.payload as { conversationAnswered?: boolean }).conversationAnswered);

    const [first] = await receive.execute([inbound(1)]);
    if (!first?.ok) throw new Error('not received');
    expect(answeredOf()).toEqual([false]);

    // An agent replies (what SendMessage leaves on the conversation), then the customer writes twice.
    const conversation = (await ports.conversations.findById(first.result.conversation.id))!;
    await ports.conversations.update({ ...conversation, lastAgentResponse: new Date() });
    await receive.execute([inbound(2), inbound(3)]);
    expect(answeredOf()).toEqual([false, true, true]);
  });

  it("runs `between` (the worker's yield to the event loop) after each customer's CPU-bound steps", async () => {
    const ports = makeTestPorts();
    let yields = 0;
    const outcomes = await new ReceiveInboundMessages(ports).execute(mixedBatch(), {
      between: async () => {
        yields += 1;
      },
    });
    expect(outcomes.every((o) => o.ok)).toBe(true);
    // Six messages of two customers: after the conversations are opened, after each message is
    // built, then per customer after its messages are applied and after its events are published.
    expect(yields).toBe(1 + 6 + 2 * 2);
  });

  it('saves each conversation once per batch, and counts each customer once', async () => {
    const ports = makeTestPorts();
    const receive = new ReceiveInboundMessages(ports);
    await receive.execute([inbound(1)]);
    const before = (await ports.conversations.list({}, { limit: 10 })).items[0]!;

    const outcomes = await receive.execute([inbound(2), inbound(3), inbound(4)]);

    const after = (await ports.conversations.findById(before.id))!;
    expect(outcomes.every((o) => o.ok)).toBe(true);
    expect(after.messageCount).toBe(4);
    expect(after.unreadCount).toBe(4);
    expect(after.lastMessage?.content).toBe('mensaje 4');
    expect(after.version).toBe(before.version + 1);
    const customer = (await ports.customers.findById(after.customerId))!;
    expect(customer.statistics.totalMessages).toBe(4);
    expect(customer.statistics.totalConversations).toBe(1);
  });

  it('stores a WhatsApp id repeated within the batch, or already stored, only once', async () => {
    const ports = makeTestPorts();
    const receive = new ReceiveInboundMessages(ports);
    const [stored] = await receive.execute([inbound(1)]);

    const outcomes = await receive.execute([inbound(1), inbound(2), inbound(2)]);

    expect(outcomes.map((o) => o.ok && o.result.created)).toEqual([false, true, false]);
    if (!stored?.ok || !outcomes[0]?.ok || !outcomes[1]?.ok || !outcomes[2]?.ok) throw new Error('failed');
    expect(outcomes[0].result.message.id).toBe(stored.result.message.id);
    expect(outcomes[2].result.message.id).toBe(outcomes[1].result.message.id);
    expect(await ports.messages.countByConversation(stored.result.conversation.id)).toBe(2);
    expect((await ports.conversations.findById(stored.result.conversation.id))?.messageCount).toBe(2);
  });

  it('fails a message with an invalid sender number alone; the rest of the batch is stored', async () => {
    const ports = makeTestPorts();
    const outcomes = await new ReceiveInboundMessages(ports).execute([
      inbound(1),
      inbound(2, { from: '12' }),
      inbound(3),
    ]);

    expect(outcomes.map((o) => o.ok)).toEqual([true, false, true]);
    if (!outcomes[0]?.ok) throw new Error('failed');
    expect(await ports.messages.countByConversation(outcomes[0].result.conversation.id)).toBe(2);
  });

  it('completes on retry a batch stopped between storing its messages and applying them (nothing lost, nothing doubled)', async () => {
    const ports = makeTestPorts();
    const receive = new ReceiveInboundMessages(ports);
    await receive.execute([inbound(1)]);
    const stopped = await stoppedBeforeApplying(ports, receive, [inbound(2), inbound(3)]);
    expect(stopped.some((o) => o.ok)).toBe(false); // the inbox keeps the events and retries them
    const received: string[] = [];
    ports.events.subscribe((event) => {
      if (event.type === 'message.received') received.push(String(event.payload.messageId));
    });

    const retried = await receive.execute([inbound(2), inbound(3)]);

    expect(retried.map((o) => o.ok && o.result.created)).toEqual([false, false]);
    if (!retried[1]?.ok) throw new Error('failed');
    const conversation = (await ports.conversations.findById(retried[1].result.conversation.id))!;
    expect(conversation).toMatchObject({ messageCount: 3, unreadCount: 3 });
    expect(conversation.lastMessage?.content).toBe('mensaje 3');
    expect(received.sort()).toEqual(retried.map((o) => (o.ok ? o.result.message.id : '')).sort());
    const customer = (await ports.customers.findById(retried[1].result.customer.id))!;
    expect(customer.statistics.totalMessages).toBe(3);

    // A later redelivery of a message received in full changes nothing.
    await receive.execute([inbound(3)]);
    await new ReceiveInboundMessage(ports).execute(inbound(2));
    expect((await ports.conversations.findById(conversation.id))?.messageCount).toBe(3);
    expect((await ports.customers.findById(customer.id))?.statistics.totalMessages).toBe(3);
    expect(received).toHaveLength(2);
  });

  it('takes the per-message path for a message the insertMany reports as a duplicate (a racing delivery)', async () => {
    const ports = makeTestPorts();
    const receive = new ReceiveInboundMessages(ports);
    const racing = new ReceiveInboundMessage(ports);
    const insertMany = ports.messages.insertMany.bind(ports.messages);
    // A concurrent delivery stores wamid.BATCH2 between the dedupe query and the insertMany.
    ports.messages.insertMany = async (records) => {
      await racing.execute(inbound(2));
      return insertMany(records);
    };

    const outcomes = await receive.execute([inbound(1), inbound(2)]);

    expect(outcomes.map((o) => o.ok && o.result.created)).toEqual([true, false]);
    if (!outcomes[0]?.ok) throw new Error('failed');
    const conversation = (await ports.conversations.findById(outcomes[0].result.conversation.id))!;
    expect(conversation.messageCount).toBe(2);
    expect(await ports.messages.countByConversation(conversation.id)).toBe(2);
  });

  it('looks messages up by WhatsApp id only for senders who would get a new customer or conversation', async () => {
    const ports = makeTestPorts();
    const receive = new ReceiveInboundMessages(ports);
    const looked: string[][] = [];
    const findByWhatsappIds = ports.messages.findByWhatsappIds.bind(ports.messages);
    ports.messages.findByWhatsappIds = async (ids) => {
      looked.push([...ids]);
      return findByWhatsappIds(ids);
    };

    await receive.execute([inbound(1), inbound(2, { from: '5215587654321' })]);
    expect(looked).toEqual([['wamid.BATCH1', 'wamid.BATCH2']]); // two first contacts
    looked.length = 0;

    // Both have an open conversation now: a new message and a redelivery cost no lookup; the
    // redelivery is refused by the insert (unique WhatsApp id) and only then read back.
    const outcomes = await receive.execute([inbound(3), inbound(2, { from: '5215587654321' })]);

    expect(outcomes.map((o) => o.ok && o.result.created)).toEqual([true, false]);
    expect(looked).toEqual([['wamid.BATCH2']]);
  });

  it('opens nothing for a redelivered message whose conversation was closed since', async () => {
    const ports = makeTestPorts();
    const receive = new ReceiveInboundMessages(ports);
    const [first] = await receive.execute([inbound(1)]);
    if (!first?.ok) throw new Error('failed');
    await new ChangeConversationStatus(ports).execute({
      actor: SYSTEM,
      conversationId: first.result.conversation.id,
      status: 'closed',
    });

    const [again] = await receive.execute([inbound(1)]);

    expect(again?.ok && again.result.created).toBe(false);
    expect(again?.ok && again.result.message.id).toBe(first.result.message.id);
    expect((await ports.conversations.list({}, { limit: 10 })).items).toHaveLength(1);
    expect((await ports.customers.findById(first.result.customer.id))?.statistics.totalConversations).toBe(1);
  });

  it("completes a stopped attempt's message before the newer messages of the same retried batch", async () => {
    const ports = makeTestPorts();
    const receive = new ReceiveInboundMessages(ports);
    await receive.execute([inbound(1)]);
    await stoppedBeforeApplying(ports, receive, [inbound(2)]); // stored, never applied

    // After the restart the inbox retries it together with a newer message of the same customer.
    const retried = await receive.execute([inbound(2), inbound(3)]);

    expect(retried.map((o) => o.ok && o.result.created)).toEqual([false, true]);
    if (!retried[1]?.ok) throw new Error('failed');
    const conversation = (await ports.conversations.findById(retried[1].result.conversation.id))!;
    expect(conversation).toMatchObject({ messageCount: 3, unreadCount: 3 });
    expect(conversation.lastMessage?.content).toBe('mensaje 3');
    expect((await ports.customers.findById(conversation.customerId))?.statistics.totalMessages).toBe(3);
  });
});
