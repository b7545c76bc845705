import { beforeEach, describe, expect, it } from 'vitest';
import { ChangeConversationStatus } from '../../../../src/application/conversations/change-conversation-status.js';
import {
  type InboundMessage,
  type InboundResult,
  ReceiveInboundMessage,
} from '../../../../src/application/messages/receive-inbound-message.js';
import { ReceiveInboundMessages } from '../../../../src/application/messages/receive-inbound-messages.js';
import { SYSTEM } from '../../../../src/application/shared/actor.js';
import { ticketRecord } from '../../../support/records.js';
import { makeTestPorts, seedAgent, type TestPorts } from '../../../support/test-ports.js';

let n = 0;
function inbound(overrides: Partial<InboundMessage> = {}): InboundMessage {
  n += 1;
  return {
    whatsappMessageId: `wamid.TEST${n}`,
    from: '5215512345678',
    profileName: 'Ana López',
    phoneNumberId: '106540352242922',
    businessAccountId: '102290129340398',
    timestamp: new Date('2026-03-02T16:00:00Z'),
    type: 'text',
    content: 'Hola, necesito ayuda con mi pedido',
    ...overrides,
  };
}

interface Receiver {
  execute(input: InboundMessage): Promise<InboundResult>;
}

/** The batch path with a batch of one: its outcome unwrapped (an error thrown, as the single path does). */
function batchOfOne(ports: TestPorts): Receiver {
  const batch = new ReceiveInboundMessages(ports);
  return {
    async execute(input) {
      const [outcome] = await batch.execute([input]);
      if (!outcome) throw new Error('no outcome');
      if (!outcome.ok) throw outcome.error;
      return outcome.result;
    },
  };
}

describe.each([
  ['ReceiveInboundMessage', (ports: TestPorts): Receiver => new ReceiveInboundMessage(ports)],
  ['ReceiveInboundMessages (a batch of one)', batchOfOne],
])('%s', (_name, make) => {
  let ports: TestPorts;
  let receive: Receiver;

  beforeEach(() => {
    ports = makeTestPorts();
    receive = make(ports);
  });

  it('creates the customer (E.164, profile name), a conversation and the message on first contact', async () => {
    const result = await receive.execute(inbound());
    expect(result.created).toBe(true);
    expect(result.newConversation).toBe(true);
    expect(result.customer.phoneNumber).toBe('+525512345678');
    expect(result.customer.firstName).toBe('Ana');
    expect(result.customer.statistics.totalMessages).toBe(1);
    expect(result.customer.statistics.totalConversations).toBe(1);
    expect(result.conversation.whatsappData).toEqual({
      phoneNumberId: '106540352242922',
      businessAccountId: '102290129340398',
    });
    expect(result.conversation.messageCount).toBe(1);
    expect(result.conversation.unreadCount).toBe(1);
    expect(result.conversation.lastMessage?.from).toBe('customer');
    const stored = await ports.messages.findByWhatsappId(result.message.whatsappMessageId!);
    expect(stored?.direction).toBe('inbound');
    expect(stored?.conversationId).toBe(result.conversation.id);
    expect(ports.published.map((e) => e.type)).toEqual(
      expect.arrayContaining(['conversation.created', 'message.received', 'conversation.updated']),
    );
    const log = await ports.activity.listByEntity('customer', result.customer.id, { limit: 10 });
    expect(log.items[0]?.action).toBe('created');
  });

  it('stores a redelivered WhatsApp message only once', async () => {
    const message = inbound();
    const first = await receive.execute(message);
    const again = await receive.execute(message);
    expect(again.created).toBe(false);
    expect(again.message.id).toBe(first.message.id);
    expect(await ports.messages.countByConversation(first.conversation.id)).toBe(1);
    const conversation = await ports.conversations.findById(first.conversation.id);
    expect(conversation?.messageCount).toBe(1);
  });

  it('completes on retry a message stored by an attempt that stopped before applying it', async () => {
    const first = await receive.execute(inbound({ timestamp: new Date('2026-03-02T16:00:00Z') }));
    const ticket = ticketRecord({
      conversationId: first.conversation.id,
      customerId: first.customer.id,
      status: 'waiting_customer',
    });
    await ports.tickets.insert(ticket);
    const message = inbound({ timestamp: new Date('2026-03-02T16:05:00Z'), content: 'Sigo esperando' });
    const { update, updateMany } = ports.conversations;
    const stop = async () => {
      throw new Error('the process stopped here');
    };
    ports.conversations.update = stop;
    ports.conversations.updateMany = stop;
    await expect(receive.execute(message)).rejects.toThrow('the process stopped here');
    ports.conversations.update = update;
    ports.conversations.updateMany = updateMany;
    expect((await ports.conversations.findById(first.conversation.id))?.messageCount).toBe(1);

    const retried = await receive.execute(message);

    expect(retried.created).toBe(false);
    expect(retried.conversation).toMatchObject({ messageCount: 2, unreadCount: 2 });
    expect(retried.conversation.lastMessage?.content).toBe('Sigo esperando');
    expect(retried.customer.statistics.totalMessages).toBe(2);
    expect(ports.published.filter((e) => e.type === 'message.received')).toHaveLength(2);
    expect((await ports.tickets.findById(ticket.id))?.status).not.toBe('waiting_customer'); // the customer answered
    await receive.execute(message); // and once complete, a redelivery changes nothing
    expect((await ports.conversations.findById(first.conversation.id))?.messageCount).toBe(2);
  });

  it('handles concurrent deliveries of the same new customer without splitting them', async () => {
    const results = await Promise.all([
      receive.execute(inbound({ whatsappMessageId: 'wamid.A' })),
      receive.execute(inbound({ whatsappMessageId: 'wamid.B' })),
      receive.execute(inbound({ whatsappMessageId: 'wamid.A' })),
    ]);
    const customers = new Set(results.map((r) => r.customer.id));
    expect(customers.size).toBe(1);
    const conversationIds = new Set(results.map((r) => r.conversation.id));
    expect(conversationIds.size).toBe(1);
    expect(await ports.messages.countByConversation(results[0]!.conversation.id)).toBe(2);
  });

  it('maps the legacy Mexican 521 prefix and the plain form onto one customer', async () => {
    const a = await receive.execute(inbound({ from: '5215512345678' }));
    const b = await receive.execute(inbound({ from: '525512345678' }));
    expect(b.customer.id).toBe(a.customer.id);
  });

  it('auto-assigns a new conversation to an online agent and counts it', async () => {
    const { record: agent } = await seedAgent(ports, 'agent');
    const result = await receive.execute(inbound());
    expect(result.conversation.assignedAgent).toBe(agent.id);
    expect(result.conversation.status).toBe('assigned');
    const stored = await ports.agents.findById(agent.id);
    expect(stored?.statistics.currentActiveConversations).toBe(1);
    expect(stored?.statistics.totalConversations).toBe(1);
  });

  it('queues the conversation of a blocked customer without assigning it, but stores the message', async () => {
    await seedAgent(ports, 'agent');
    const first = await receive.execute(inbound());
    const customer = (await ports.customers.findById(first.customer.id))!;
    await ports.customers.update({ ...customer, isBlocked: true, status: 'blocked', blockReason: 'abuse' });
    await new ChangeConversationStatus(ports).execute({
      actor: SYSTEM,
      conversationId: first.conversation.id,
      status: 'closed',
    });
    const second = await receive.execute(inbound());
    expect(second.newConversation).toBe(true);
    expect(second.conversation.assignedAgent).toBeUndefined();
    expect(await ports.messages.countByConversation(second.conversation.id)).toBe(1);
  });

  it('reopens a resolved conversation and opens a new one after close', async () => {
    const first = await receive.execute(inbound());
    const change = new ChangeConversationStatus(ports);
    await change.execute({ actor: SYSTEM, conversationId: first.conversation.id, status: 'resolved' });
    const reopened = await receive.execute(inbound());
    expect(reopened.conversation.id).toBe(first.conversation.id);
    expect(reopened.conversation.status).toBe('open');

    await change.execute({ actor: SYSTEM, conversationId: first.conversation.id, status: 'closed' });
    const fresh = await receive.execute(inbound());
    expect(fresh.newConversation).toBe(true);
    expect(fresh.conversation.id).not.toBe(first.conversation.id);
    const customer = await ports.customers.findById(first.customer.id);
    expect(customer?.statistics.totalConversations).toBe(2);
    expect(customer?.statistics.totalMessages).toBe(3);
  });

  it('links a reaction to the message it reacts to without counting it as a question', async () => {
    const first = await receive.execute(inbound());
    const reaction = await receive.execute(
      inbound({
        type: 'reaction',
        content: '👍',
        reaction: { emoji: '👍', whatsappMessageId: first.message.whatsappMessageId! },
      }),
    );
    expect(reaction.message.reaction?.messageId).toBe(first.message.id);
    const conversation = await ports.conversations.findById(first.conversation.id);
    expect(conversation?.messageCount).toBe(1);
  });

  it('keeps media as an attachment waiting to be stored, and replyTo from the context id', async () => {
    const first = await receive.execute(inbound());
    const image = await receive.execute(
      inbound({
        type: 'image',
        content: 'mira',
        media: { id: 'MEDIA1', mimeType: 'image/jpeg' },
        replyToWhatsappId: first.message.whatsappMessageId,
      }),
    );
    expect(image.message.attachments).toEqual([
      { type: 'image', whatsappMediaId: 'MEDIA1', mimeType: 'image/jpeg', storage: 'pending' },
    ]);
    expect(image.message.replyTo).toBe(first.message.id);
  });

  it('refuses a sender that is not a phone number', async () => {
    await expect(receive.execute(inbound({ from: 'not-a-number' }))).rejects.toMatchObject({
      code: 'VALIDATION.INVALID_PHONE',
    });
  });
});
