import { describe, expect, it } from 'vitest';
import { AssignConversation } from '../../../../src/application/conversations/assign-conversation.js';
import { ChangeConversationStatus } from '../../../../src/application/conversations/change-conversation-status.js';
import { MarkConversationRead } from '../../../../src/application/conversations/mark-conversation-read.js';
import { ReceiveInboundMessage } from '../../../../src/application/messages/receive-inbound-message.js';
import { ConcurrencyError } from '../../../../src/domain/shared/errors.js';
import { makeTestPorts, seedAgent, type TestPorts } from '../../../support/test-ports.js';
import { setSetting } from '../operations/operations-fixture.js';

/** A conversation in the queue, with one unread customer message. */
async function queued(ports: TestPorts) {
  await setSetting(ports, 'auto_assignment_enabled', false);
  const { conversation } = await new ReceiveInboundMessage(ports).execute({
    whatsappMessageId: 'wamid.RETRY1',
    from: '5215512345678',
    phoneNumberId: '106540352242922',
    timestamp: new Date('2026-03-02T16:00:00Z'),
    type: 'text',
    content: 'Hola',
  });
  return conversation;
}

/** The next `times` saves of the conversation find it just changed by a background writer (a tag added). */
function backgroundWriteBeforeSave(ports: TestPorts, times: number) {
  const update = ports.conversations.update.bind(ports.conversations);
  let left = times;
  ports.conversations.update = async (record) => {
    if (left > 0) {
      left -= 1;
      const current = (await ports.conversations.findById(record.id))!;
      await update({ ...current, tags: [...current.tags, `background-${left}`] });
    }
    return update(record);
  };
}

describe("an agent's command on a conversation changed meanwhile by something else", () => {
  it('is applied to the fresh state instead of failing (mark read, assign, resolve)', async () => {
    const ports = makeTestPorts();
    const admin = await seedAgent(ports, 'admin');
    const agent = await seedAgent(ports, 'agent');
    const conversation = await queued(ports);

    backgroundWriteBeforeSave(ports, 1);
    const read = await new MarkConversationRead(ports).execute({
      actor: admin.actor,
      conversationId: conversation.id,
    });
    expect(read.unreadCount).toBe(0);
    expect(read.tags).toContain('background-0'); // the background change is kept

    backgroundWriteBeforeSave(ports, 2);
    const assigned = await new AssignConversation(ports).execute({
      actor: admin.actor,
      conversationId: conversation.id,
      agentId: agent.record.id,
    });
    expect(assigned).toMatchObject({ status: 'assigned', assignedAgent: agent.record.id });
    // The slot reserved by each failed attempt was given back: one conversation counted.
    expect((await ports.agents.findById(agent.record.id))?.statistics.currentActiveConversations).toBe(1);

    backgroundWriteBeforeSave(ports, 1);
    const resolved = await new ChangeConversationStatus(ports).execute({
      actor: agent.actor,
      conversationId: conversation.id,
      status: 'resolved',
    });
    expect(resolved.status).toBe('resolved');
    const log = await ports.activity.listByEntity('conversation', conversation.id, { limit: 20 });
    expect(log.items.filter((e) => e.action === 'resolved')).toHaveLength(1); // audited once
  });

  it('gives up after three conflicts in a row with ConcurrencyError', async () => {
    const ports = makeTestPorts();
    const admin = await seedAgent(ports, 'admin');
    const conversation = await queued(ports);

    backgroundWriteBeforeSave(ports, 3);
    await expect(
      new MarkConversationRead(ports).execute({ actor: admin.actor, conversationId: conversation.id }),
    ).rejects.toBeInstanceOf(ConcurrencyError);
  });
});
