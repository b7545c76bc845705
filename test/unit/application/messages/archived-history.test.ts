import { beforeEach, describe, expect, it } from 'vitest';
import { ChangeConversationStatus } from '../../../../src/application/conversations/change-conversation-status.js';
import { EraseCustomer } from '../../../../src/application/customers/erase-customer.js';
import { GetCustomer } from '../../../../src/application/customers/get-customer.js';
import { ListMessages } from '../../../../src/application/messages/list-messages.js';
import {
  type InboundResult,
  ReceiveInboundMessage,
} from '../../../../src/application/messages/receive-inbound-message.js';
import type { AgentActor } from '../../../../src/application/shared/actor.js';
import { SYSTEM } from '../../../../src/application/shared/actor.js';
import type { InMemoryArchiveReader } from '../../../../src/infrastructure/memory/in-memory-archive-reader.js';
import { makeTestPorts, seedAgent, type TestPorts } from '../../../support/test-ports.js';

/** What the archiver does: copy to the archive, then delete the original. */
async function archive(ports: TestPorts, conversationId: string, messageIds: string[]): Promise<void> {
  const reader = ports.archive as InMemoryArchiveReader;
  for (const id of messageIds) {
    const message = (await ports.messages.findById(id))!;
    reader.archiveMessage(message);
  }
  const conversation = await ports.conversations.findById(conversationId);
  if (conversation?.status === 'closed') {
    reader.archiveConversation(conversation);
    await ports.conversations.delete(conversationId);
  }
  await ports.messages.deleteByConversation(conversationId);
}

describe('archived history stays readable where a customer is shown', () => {
  let ports: TestPorts;
  let admin: AgentActor;

  beforeEach(async () => {
    ports = makeTestPorts();
    admin = (await seedAgent(ports, 'admin', { status: 'offline' })).actor;
  });

  async function conversationWith(count: number) {
    const receive = new ReceiveInboundMessage(ports);
    let last: InboundResult | undefined;
    for (let i = 0; i < count; i++) {
      ports.clock.advanceMinutes(1);
      last = await receive.execute({
        whatsappMessageId: `wamid.H${i}`,
        from: '5215512345678',
        phoneNumberId: 'P',
        timestamp: ports.clock.now(),
        type: 'text',
        content: `mensaje ${i}`,
      });
    }
    return last!;
  }

  it('an archived conversation and its messages are listed read-only with the customer', async () => {
    const { conversation, customer } = await conversationWith(3);
    const ids = (await ports.messages.listByConversation(conversation.id, { limit: 10 })).items.map(
      (m) => m.id,
    );
    await new ChangeConversationStatus(ports).execute({
      actor: SYSTEM,
      conversationId: conversation.id,
      status: 'closed',
    });
    await archive(ports, conversation.id, ids);

    const details = await new GetCustomer(ports).execute({ actor: admin, customerId: customer.id });
    expect(details.conversations).toEqual([]);
    expect(details.archivedConversations.map((c) => c.id)).toEqual([conversation.id]);

    const history = await new ListMessages(ports).execute({
      actor: admin,
      conversationId: conversation.id,
      page: { limit: 2 },
    });
    expect(history.items.map((m) => m.content)).toEqual(['mensaje 2', 'mensaje 1']);
    const rest = await new ListMessages(ports).execute({
      actor: admin,
      conversationId: conversation.id,
      page: { limit: 2, cursor: history.nextCursor! },
    });
    expect(rest.items.map((m) => m.content)).toEqual(['mensaje 0']);
    expect(rest.nextCursor).toBeUndefined();
  });

  it('a live history continues into its archived (older) messages', async () => {
    const { conversation } = await conversationWith(2);
    const old = (await ports.messages.listByConversation(conversation.id, { limit: 10 })).items;
    await archive(
      ports,
      conversation.id,
      old.map((m) => m.id),
    );
    ports.clock.advanceMinutes(1);
    await new ReceiveInboundMessage(ports).execute({
      whatsappMessageId: 'wamid.NEW',
      from: '5215512345678',
      phoneNumberId: 'P',
      timestamp: ports.clock.now(),
      type: 'text',
      content: 'nuevo',
    });
    const list = new ListMessages(ports);
    const first = await list.execute({ actor: admin, conversationId: conversation.id, page: { limit: 5 } });
    expect(first.items.map((m) => m.content)).toEqual(['nuevo']);
    expect(first.nextCursor).toBe('a:');
    const second = await list.execute({
      actor: admin,
      conversationId: conversation.id,
      page: { limit: 5, cursor: first.nextCursor! },
    });
    expect(second.items.map((m) => m.content)).toEqual(['mensaje 1', 'mensaje 0']);
  });

  it('erasing the customer deletes their archived conversations and messages too', async () => {
    const { conversation, customer } = await conversationWith(2);
    const ids = (await ports.messages.listByConversation(conversation.id, { limit: 10 })).items.map(
      (m) => m.id,
    );
    await new ChangeConversationStatus(ports).execute({
      actor: SYSTEM,
      conversationId: conversation.id,
      status: 'closed',
    });
    await archive(ports, conversation.id, ids);
    const result = await new EraseCustomer(ports).execute({
      actor: admin,
      customerId: customer.id,
      confirm: customer.phoneNumber,
    });
    expect(result).toMatchObject({ archivedConversationsDeleted: 1, archivedMessagesDeleted: 2 });
    expect(await ports.archive.listArchivedConversationsByCustomer(customer.id)).toEqual([]);
    expect((await ports.archive.listArchivedMessages(conversation.id, { limit: 10 })).items).toEqual([]);
  });
});
