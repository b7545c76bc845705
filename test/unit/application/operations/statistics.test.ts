import { describe, expect, it } from 'vitest';
import { AssignConversation } from '../../../../src/application/conversations/assign-conversation.js';
import { ChangeConversationStatus } from '../../../../src/application/conversations/change-conversation-status.js';
import { RecordSatisfaction } from '../../../../src/application/conversations/record-satisfaction.js';
import { ReceiveInboundMessage } from '../../../../src/application/messages/receive-inbound-message.js';
import { SendMessage } from '../../../../src/application/messages/send-message.js';
import { SYSTEM } from '../../../../src/application/shared/actor.js';
import { RecomputeStatistics } from '../../../../src/application/statistics/recompute-statistics.js';
import { measureResponses } from '../../../../src/application/statistics/response-times.js';
import {
  responseStatisticsInput,
  UpdateResponseStatistics,
} from '../../../../src/application/statistics/update-response-statistics.js';
import { CreateTicket } from '../../../../src/application/tickets/create-ticket.js';
import { operationsFixture, setSetting } from './operations-fixture.js';

/** A small, realistic history through the real use cases, with the statistics subscriber wired as the workers wire it. */
async function historyFixture() {
  const f = await operationsFixture();
  await setSetting(f.ports, 'auto_assignment_enabled', false);
  const stats = new UpdateResponseStatistics(f.ports);
  const pending: Promise<unknown>[] = [];
  f.ports.events.subscribe((event) => {
    // As EventReactions passes them: a customer's message with what its event says of it.
    const input = responseStatisticsInput(event);
    if (input) pending.push(stats.execute(input));
  });
  const settle = async () => {
    while (pending.length > 0) await Promise.all(pending.splice(0));
  };
  const receive = new ReceiveInboundMessage(f.ports);
  const send = new SendMessage(f.ports);
  let n = 0;
  const customerWrites = (text: string) =>
    receive.execute({
      whatsappMessageId: `wamid.${++n}`,
      from: f.customer.phoneNumber.replace('+', ''),
      phoneNumberId: '106540352242922',
      timestamp: f.ports.clock.now(),
      type: 'text',
      content: text,
    });
  const anaWrites = (conversationId: string, text: string) =>
    send.execute({ actor: f.ana.actor, conversationId, message: { type: 'text', content: text } });
  /** The customer writes first; an admin gives the conversation to Ana. Returns the conversation id. */
  const openedWithAna = async (text: string) => {
    const conversationId = (await customerWrites(text)).conversation.id;
    await new AssignConversation(f.ports).execute({
      actor: f.admin.actor,
      conversationId,
      agentId: f.ana.record.id,
    });
    return conversationId;
  };
  return { ...f, settle, customerWrites, anaWrites, openedWithAna };
}

describe('response times as things happen', () => {
  it("keeps the agent's and the customer's average response time current from message.sent / message.received", async () => {
    const f = await historyFixture();
    const conversationId = await f.openedWithAna('Hola, necesito ayuda');
    f.ports.clock.advanceMinutes(4);
    await f.anaWrites(conversationId, '¡Hola! ¿En qué te ayudo?'); // agent: 4 minutes
    f.ports.clock.advanceMinutes(10);
    await f.customerWrites('Mi pedido no llegó'); // customer: 10 minutes
    f.ports.clock.advanceMinutes(8);
    await f.anaWrites(conversationId, 'Lo reviso'); // agent: 8 minutes
    await f.anaWrites(conversationId, 'Ya salió'); // answers nothing
    await f.settle();

    const ana = await f.ports.agents.findById(f.ana.record.id);
    expect(ana?.statistics).toMatchObject({ averageResponseTime: 6, responseCount: 2 });
    const customer = await f.ports.customers.findById(f.customer.id);
    expect(customer?.statistics).toMatchObject({
      averageResponseTime: 10,
      responseCount: 1,
      totalMessages: 2,
      totalConversations: 1,
    });

    // The same message handled again (another node): counted once.
    const last = (await f.ports.messages.listByConversation(conversationId, { limit: 1 })).items[0]!;
    expect((await new UpdateResponseStatistics(f.ports).execute({ messageId: last.id })).outcome).toBe(
      'none',
    );
    const replies = (await f.ports.messages.listByConversation(conversationId, { limit: 10 })).items.filter(
      (m) => m.content === 'Lo reviso',
    );
    expect((await new UpdateResponseStatistics(f.ports).execute({ messageId: replies[0]!.id })).outcome).toBe(
      'already_counted',
    );
  });

  it("decides a customer's message in a conversation nobody has answered from its event, else with one read (its conversation)", async () => {
    const f = await historyFixture();
    const received: Record<string, unknown>[] = [];
    f.ports.events.subscribe((event) => {
      if (event.type === 'message.received') received.push(event.payload);
    });
    const conversationId = await f.openedWithAna('Hola');
    const stored = (await f.ports.messages.listByConversation(conversationId, { limit: 1 })).items[0]!;
    // The publisher says whether anyone had answered when the message was stored.
    expect(received.at(-1)).toMatchObject({ messageId: stored.id, conversationAnswered: false });
    const reads: string[] = [];
    const spy = <T extends object>(name: string, repo: T, method: keyof T) => {
      const original = (repo[method] as (...args: unknown[]) => unknown).bind(repo);
      (repo as Record<keyof T, unknown>)[method] = (...args: unknown[]) => {
        reads.push(name);
        return original(...args);
      };
    };
    spy('conversation', f.ports.conversations, 'findById');
    spy('message', f.ports.messages, 'findById');
    const stats = new UpdateResponseStatistics(f.ports);

    const fromEvent = await stats.execute({
      messageId: stored.id,
      received: { conversationId, type: 'text', answered: false },
    });
    expect(fromEvent.outcome).toBe('none');
    expect(reads).toEqual([]);

    // An event that does not say (another publisher): the conversation is read.
    const unanswered = await stats.execute({
      messageId: stored.id,
      received: { conversationId, type: 'text' },
    });
    expect(unanswered.outcome).toBe('none');
    expect(reads).toEqual(['conversation']);

    // Once Ana has answered, the customer's next message says so and is measured as before.
    f.ports.clock.advanceMinutes(2);
    await f.anaWrites(conversationId, 'Hola, ¿en qué te ayudo?');
    f.ports.clock.advanceMinutes(5);
    await f.customerWrites('Mi pedido no llegó');
    await f.settle();
    expect(received.at(-1)).toMatchObject({ conversationAnswered: true });
    expect((await f.ports.customers.findById(f.customer.id))?.statistics).toMatchObject({
      averageResponseTime: 5,
      responseCount: 1,
    });
  });

  it('measures a reply to a run longer than the first short read from the oldest message of the run', async () => {
    const f = await historyFixture();
    const conversationId = await f.openedWithAna('Hola');
    for (let i = 0; i < 14; i++) {
      f.ports.clock.advanceMinutes(1);
      await f.customerWrites(`¿Hay alguien? ${i}`); // none of these answers anything: no reply yet
    }
    f.ports.clock.advanceMinutes(1);
    await f.anaWrites(conversationId, 'Perdón la demora'); // 15 minutes after "Hola"
    for (let i = 0; i < 12; i++) {
      f.ports.clock.advanceMinutes(1);
      await f.anaWrites(conversationId, `Detalle ${i}`);
    }
    f.ports.clock.advanceMinutes(3);
    await f.customerWrites('Gracias'); // 15 minutes after "Perdón la demora"
    await f.settle();

    expect((await f.ports.agents.findById(f.ana.record.id))?.statistics).toMatchObject({
      averageResponseTime: 15,
      responseCount: 1,
    });
    expect((await f.ports.customers.findById(f.customer.id))?.statistics).toMatchObject({
      averageResponseTime: 15,
      responseCount: 1,
    });
  });

  it('measures like the conversation does: the oldest unanswered message, reactions and system messages aside', () => {
    const at = (m: number) => new Date(Date.UTC(2026, 2, 2, 16, m));
    const msg = (
      id: string,
      direction: 'inbound' | 'outbound',
      sender: 'customer' | 'agent' | 'ai' | 'system',
      minute: number,
      type = 'text',
    ) => ({
      id: id.padStart(24, '0'),
      direction,
      sender,
      type: type as 'text',
      timestamp: at(minute),
      ...(sender === 'agent' ? { agentId: 'b'.repeat(24) } : {}),
    });
    const responses = measureResponses([
      msg('1', 'inbound', 'customer', 0),
      msg('2', 'inbound', 'customer', 3),
      msg('3', 'inbound', 'customer', 4, 'reaction'),
      msg('4', 'outbound', 'system', 5),
      msg('5', 'outbound', 'agent', 10),
      msg('6', 'outbound', 'ai', 12),
      msg('7', 'inbound', 'customer', 30),
    ]);
    expect(responses).toEqual([
      { messageId: '5'.padStart(24, '0'), minutes: 10, by: 'agent', agentId: 'b'.repeat(24) },
      { messageId: '7'.padStart(24, '0'), minutes: 20, by: 'customer' },
    ]);
  });
});

describe('RecomputeStatistics', () => {
  it('agrees with the live counters after a normal day, then repairs drift and reports it per entity', async () => {
    const f = await historyFixture();
    const conversationId = await f.openedWithAna('Hola');
    f.ports.clock.advanceMinutes(6);
    await f.anaWrites(conversationId, 'Hola, dime');
    f.ports.clock.advanceMinutes(3);
    await f.customerWrites('Gracias, ya está');
    await new ChangeConversationStatus(f.ports).execute({
      actor: f.ana.actor,
      conversationId,
      status: 'resolved',
    });
    await new RecordSatisfaction(f.ports).execute({ actor: SYSTEM, conversationId, rating: 5 });
    await new CreateTicket(f.ports).execute({
      actor: f.admin.actor,
      customerId: f.customer.id,
      subject: 'Factura',
      description: 'Necesito la factura',
      category: 'billing',
    });
    await f.settle();

    const clean = await new RecomputeStatistics(f.ports).execute({ actor: f.admin.actor, dryRun: true });
    expect(clean.drift).toEqual([]);
    expect(clean).toMatchObject({ conversations: 1, tickets: 1, messages: 3 });

    // Drift: a lost increment and a wrong average.
    await f.ports.customers.setStatistics(f.customer.id, { totalMessages: 7, totalTickets: 0 });
    await f.ports.agents.setStatistics(f.ana.record.id, { averageResponseTime: 99 });

    const dry = await new RecomputeStatistics(f.ports).execute({ actor: f.admin.actor, dryRun: true });
    expect(dry.drift).toEqual(
      expect.arrayContaining([
        {
          entity: 'customer',
          id: f.customer.id,
          fields: ['totalMessages', 'totalTickets'],
          stored: { totalMessages: 7, totalTickets: 0 },
          recomputed: { totalMessages: 2, totalTickets: 1 },
        },
        {
          entity: 'agent',
          id: f.ana.record.id,
          fields: ['averageResponseTime'],
          stored: { averageResponseTime: 99 },
          recomputed: { averageResponseTime: 6 },
        },
      ]),
    );
    expect(dry.drift).toHaveLength(2);
    expect(dry.updated).toBe(0);
    expect((await f.ports.customers.findById(f.customer.id))?.statistics.totalMessages).toBe(7);

    const fixed = await new RecomputeStatistics(f.ports).execute({
      actor: SYSTEM,
      meta: { ipAddress: '127.0.0.1', userAgent: 'crm-cli' },
    });
    expect(fixed.updated).toBe(2);
    expect((await f.ports.customers.findById(f.customer.id))?.statistics).toMatchObject({
      totalConversations: 1,
      totalMessages: 2,
      totalTickets: 1,
      averageResponseTime: 3,
      satisfactionScore: 5,
      satisfactionCount: 1,
    });
    expect((await f.ports.agents.findById(f.ana.record.id))?.statistics).toMatchObject({
      totalConversations: 1,
      resolvedConversations: 1,
      currentActiveConversations: 0,
      averageResponseTime: 6,
    });
    const [audit] = (await f.ports.activity.listByEntity('customer', f.customer.id, { limit: 1 })).items;
    expect(audit).toMatchObject({ action: 'updated', ipAddress: '127.0.0.1', userAgent: 'crm-cli' });
    expect((await new RecomputeStatistics(f.ports).execute({ actor: SYSTEM })).drift).toEqual([]);
  });

  it('is for admins only', async () => {
    const f = await operationsFixture();
    await expect(new RecomputeStatistics(f.ports).execute({ actor: f.ana.actor })).rejects.toMatchObject({
      code: 'AUTH.FORBIDDEN',
    });
  });
});
