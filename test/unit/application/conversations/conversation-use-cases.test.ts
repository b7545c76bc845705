import { beforeEach, describe, expect, it } from 'vitest';
import { AddInternalNote } from '../../../../src/application/conversations/add-internal-note.js';
import { AssignConversation } from '../../../../src/application/conversations/assign-conversation.js';
import { ChangeConversationStatus } from '../../../../src/application/conversations/change-conversation-status.js';
import { GetConversation } from '../../../../src/application/conversations/get-conversation.js';
import { ListConversations } from '../../../../src/application/conversations/list-conversations.js';
import { MarkConversationRead } from '../../../../src/application/conversations/mark-conversation-read.js';
import { RecordSatisfaction } from '../../../../src/application/conversations/record-satisfaction.js';
import { TransferConversation } from '../../../../src/application/conversations/transfer-conversation.js';
import { UpdateConversation } from '../../../../src/application/conversations/update-conversation.js';
import { ReceiveInboundMessage } from '../../../../src/application/messages/receive-inbound-message.js';
import type { AgentActor } from '../../../../src/application/shared/actor.js';
import { makeTestPorts, seedAgent, type TestPorts } from '../../../support/test-ports.js';

describe('conversation use cases', () => {
  let ports: TestPorts;
  let supervisor: AgentActor;
  let ana: AgentActor;
  let beto: AgentActor;
  let seq = 0;

  /** A new customer writes: an unassigned conversation (nobody is online yet). */
  async function newConversation(): Promise<string> {
    seq += 1;
    const r = await new ReceiveInboundMessage(ports).execute({
      whatsappMessageId: `wamid.C${seq}`,
      from: `52155100000${String(seq).padStart(2, '0')}`,
      phoneNumberId: 'PHONE_A',
      timestamp: ports.clock.now(),
      type: 'text',
      content: 'Hola',
    });
    return r.conversation.id;
  }

  beforeEach(async () => {
    seq = 0;
    ports = makeTestPorts();
    supervisor = (await seedAgent(ports, 'supervisor', { status: 'offline' })).actor;
    ana = (await seedAgent(ports, 'agent', { status: 'offline', firstName: 'Ana' })).actor;
    beto = (await seedAgent(ports, 'agent', { status: 'offline', firstName: 'Beto' })).actor;
  });

  const stats = async (id: string) => (await ports.agents.findById(id))!.statistics;

  it('lets an agent take an unassigned conversation, but not assign it to someone else', async () => {
    const id = await newConversation();
    const assign = new AssignConversation(ports);
    await expect(assign.execute({ actor: ana, conversationId: id, agentId: beto.id })).rejects.toMatchObject({
      code: 'AUTH.FORBIDDEN',
    });
    const taken = await assign.execute({ actor: ana, conversationId: id, agentId: ana.id });
    expect(taken).toMatchObject({ status: 'assigned', assignedAgent: ana.id, assignedBy: ana.id });
    expect(await stats(ana.id)).toMatchObject({ currentActiveConversations: 1, totalConversations: 1 });
    const log = await ports.activity.listByEntity('conversation', id, { limit: 5 });
    expect(log.items[0]).toMatchObject({ action: 'assigned', performedBy: ana.id });
    expect(log.items[0]?.details.changes).toEqual(expect.arrayContaining(['assignedAgent', 'status']));
  });

  it('never puts an agent over max_conversations_per_agent when assignments race', async () => {
    const settings = await ports.settings.get('max_conversations_per_agent');
    expect(settings).toBeNull(); // defaults apply: put an explicit small limit
    await ports.settings.put({
      id: ports.ids.next(),
      key: 'max_conversations_per_agent',
      value: 2,
      category: 'general',
      isEditable: true,
      createdAt: ports.clock.now(),
      updatedAt: ports.clock.now(),
    });
    const ids = await Promise.all([
      newConversation(),
      newConversation(),
      newConversation(),
      newConversation(),
    ]);
    const assign = new AssignConversation(ports);
    const results = await Promise.allSettled(
      ids.map((conversationId) => assign.execute({ actor: supervisor, conversationId, agentId: ana.id })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(2);
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(refused.map((r) => r.reason.code)).toEqual(['AGENT.AT_CAPACITY', 'AGENT.AT_CAPACITY']);
    expect((await stats(ana.id)).currentActiveConversations).toBe(2);
  });

  it('transfers between agents and keeps both counters right', async () => {
    const id = await newConversation();
    await new AssignConversation(ports).execute({ actor: supervisor, conversationId: id, agentId: ana.id });
    const moved = await new TransferConversation(ports).execute({
      actor: supervisor,
      conversationId: id,
      toAgentId: beto.id,
      reason: 'shift end',
    });
    expect(moved.assignedAgent).toBe(beto.id);
    expect((await stats(ana.id)).currentActiveConversations).toBe(0);
    expect(await stats(beto.id)).toMatchObject({ currentActiveConversations: 1, totalConversations: 1 });
    expect(ports.published.some((e) => e.type === 'conversation.transferred')).toBe(true);
  });

  it('resolving frees the slot and counts the resolution; reopening by the customer takes it back', async () => {
    const id = await newConversation();
    await new AssignConversation(ports).execute({ actor: ana, conversationId: id, agentId: ana.id });
    const resolved = await new ChangeConversationStatus(ports).execute({
      actor: ana,
      conversationId: id,
      status: 'resolved',
      notes: 'sent tracking',
    });
    expect(resolved).toMatchObject({
      status: 'resolved',
      resolvedBy: ana.id,
      resolutionNotes: 'sent tracking',
    });
    expect(await stats(ana.id)).toMatchObject({ currentActiveConversations: 0, resolvedConversations: 1 });
    const log = await ports.activity.listByEntity('conversation', id, { limit: 1 });
    expect(log.items[0]?.action).toBe('resolved');

    await new ReceiveInboundMessage(ports).execute({
      whatsappMessageId: 'wamid.again',
      from: '5215510000001',
      phoneNumberId: 'PHONE_A',
      timestamp: ports.clock.now(),
      type: 'text',
      content: 'Una duda más',
    });
    expect((await ports.conversations.findById(id))?.status).toBe('assigned');
  });

  it('refuses an illegal transition with a typed error', async () => {
    const id = await newConversation();
    await new ChangeConversationStatus(ports).execute({
      actor: supervisor,
      conversationId: id,
      status: 'closed',
    });
    await expect(
      new ChangeConversationStatus(ports).execute({ actor: supervisor, conversationId: id, status: 'open' }),
    ).rejects.toMatchObject({ code: 'CONVERSATION.ILLEGAL_TRANSITION' });
  });

  it('shows an agent their own conversations and the queue, never another agent’s', async () => {
    const mine = await newConversation();
    const theirs = await newConversation();
    const queued = await newConversation();
    const assign = new AssignConversation(ports);
    await assign.execute({ actor: ana, conversationId: mine, agentId: ana.id });
    await assign.execute({ actor: beto, conversationId: theirs, agentId: beto.id });
    const list = new ListConversations(ports);
    const seen = (await list.execute({ actor: ana, filter: {}, page: { limit: 50 } })).items.map((c) => c.id);
    expect(seen.sort()).toEqual([mine, queued].sort());
    expect(
      (await list.execute({ actor: ana, filter: { assignedAgent: beto.id }, page: { limit: 50 } })).items,
    ).toEqual([]);
    expect((await list.execute({ actor: supervisor, filter: {}, page: { limit: 50 } })).items).toHaveLength(
      3,
    );
    await expect(
      new GetConversation(ports).execute({ actor: ana, conversationId: theirs }),
    ).rejects.toMatchObject({ code: 'AUTH.FORBIDDEN' });
    await expect(
      new GetConversation(ports).execute({ actor: ana, conversationId: 'ffffffffffffffffffffffff' }),
    ).rejects.toMatchObject({
      code: 'CONVERSATION.NOT_FOUND',
    });
  });

  it('updates priority, tags and the AI switch with an audit entry', async () => {
    const id = await newConversation();
    await new AssignConversation(ports).execute({ actor: ana, conversationId: id, agentId: ana.id });
    const updated = await new UpdateConversation(ports).execute({
      actor: ana,
      conversationId: id,
      priority: 'high',
      tags: ['envio', 'urgente'],
      isAIEnabled: false,
    });
    expect(updated).toMatchObject({ priority: 'high', tags: ['envio', 'urgente'], isAIEnabled: false });
    const log = await ports.activity.listByEntity('conversation', id, { limit: 1 });
    expect(log.items[0]?.details.changes).toEqual(
      expect.arrayContaining(['priority', 'tags', 'isAIEnabled']),
    );
  });

  it('adds internal notes and marks the conversation read on WhatsApp', async () => {
    const id = await newConversation();
    await new AssignConversation(ports).execute({ actor: ana, conversationId: id, agentId: ana.id });
    const noted = await new AddInternalNote(ports).execute({
      actor: ana,
      conversationId: id,
      content: 'Cliente frecuente',
    });
    expect(noted.internalNotes).toHaveLength(1);
    expect(noted.internalNotes[0]).toMatchObject({
      agent: ana.id,
      content: 'Cliente frecuente',
      isVisible: false,
    });
    const read = await new MarkConversationRead(ports).execute({ actor: ana, conversationId: id });
    expect(read.unreadCount).toBe(0);
    expect(ports.whatsapp.reads.map((r) => r.whatsappMessageId)).toEqual([`wamid.C${seq}`]);
  });

  it('records satisfaction only after resolution, feeding the customer score', async () => {
    const id = await newConversation();
    const record = new RecordSatisfaction(ports);
    await expect(record.execute({ actor: supervisor, conversationId: id, rating: 5 })).rejects.toMatchObject({
      kind: 'rule',
    });
    await new ChangeConversationStatus(ports).execute({
      actor: supervisor,
      conversationId: id,
      status: 'resolved',
    });
    await expect(record.execute({ actor: supervisor, conversationId: id, rating: 6 })).rejects.toMatchObject({
      kind: 'validation',
    });
    const saved = await record.execute({
      actor: supervisor,
      conversationId: id,
      rating: 4,
      comment: 'rápido',
    });
    expect(saved.customerSatisfaction?.rating).toBe(4);
    const customer = await ports.customers.findById(saved.customerId);
    expect(customer?.statistics.satisfactionScore).toBe(4);
  });
});
