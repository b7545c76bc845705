/**
 * Stored test data for the application tests, on top of `test-ports.ts` (which seeds agents):
 * customers, conversations, messages and AI threads written straight into the in-memory
 * repositories, plus small helpers to read back what a use case audited and published.
 */
import type { Ports } from '../../src/application/ports/ports.js';
import type { AgentActor } from '../../src/application/shared/actor.js';
import type { ActivityLogPrimitives, EntityType } from '../../src/domain/activity/activity.types.js';
import type { AgentPrimitives } from '../../src/domain/agent/agent.types.js';
import type { ConversationPrimitives } from '../../src/domain/conversation/conversation.types.js';
import type { CreateCustomerInput } from '../../src/domain/customer/customer.js';
import type { CustomerPrimitives } from '../../src/domain/customer/customer.types.js';
import type { MessagePrimitives } from '../../src/domain/message/message.types.js';
import type { Id } from '../../src/domain/shared/ids.js';
import type { ConversationThreadPrimitives } from '../../src/domain/thread/conversation-thread.types.js';
import { aCustomer } from './builders/customer.js';
import { conversationRecord, messageRecord, threadRecord } from './records.js';
import type { TestPorts } from './test-ports.js';

export async function seedCustomer(
  ports: Ports,
  fields: Partial<CreateCustomerInput> = {},
): Promise<CustomerPrimitives> {
  const record = aCustomer().withId(ports.ids.next()).with(fields).buildPrimitives();
  await ports.customers.insert(record);
  return record;
}

export async function seedConversation(
  ports: Ports,
  customerId: Id,
  overrides: Partial<ConversationPrimitives> = {},
): Promise<ConversationPrimitives> {
  const record = conversationRecord({
    id: ports.ids.next(),
    customerId,
    createdAt: ports.clock.now(),
    updatedAt: ports.clock.now(),
    ...overrides,
  });
  await ports.conversations.insert(record);
  return record;
}

export async function seedMessage(
  ports: Ports,
  conversation: Pick<ConversationPrimitives, 'id' | 'customerId'>,
  overrides: Partial<MessagePrimitives> = {},
): Promise<MessagePrimitives> {
  const record = messageRecord({
    id: ports.ids.next(),
    conversationId: conversation.id,
    customerId: conversation.customerId,
    ...overrides,
  });
  await ports.messages.insert(record);
  return record;
}

export async function seedThread(
  ports: Ports,
  conversation: Pick<ConversationPrimitives, 'id' | 'customerId'>,
): Promise<ConversationThreadPrimitives> {
  const record = threadRecord({
    id: ports.ids.next(),
    conversationId: conversation.id,
    customerId: conversation.customerId,
  });
  await ports.threads.insert(record);
  return record;
}

/** The actor of a stored agent record (as an authenticated session would carry it). */
export const actorOf = (agent: AgentPrimitives): AgentActor => ({
  kind: 'agent',
  id: agent.id,
  role: agent.role,
  permissions: [...agent.permissions],
  isActive: agent.isActive,
});

/** The audit entries of an entity, newest first. */
export async function activityOf(
  ports: Ports,
  entityType: EntityType,
  entityId: Id,
): Promise<ActivityLogPrimitives[]> {
  return (await ports.activity.listByEntity(entityType, entityId, { limit: 200 })).items;
}

/** Types of the events published so far, in order; `clearPublished` forgets them. */
export const publishedTypes = (ports: TestPorts): string[] => ports.published.map((e) => e.type);
export const clearPublished = (ports: TestPorts): void => {
  ports.published.length = 0;
};

/** The rejection of `promise`, for asserting on its fields (fails when it resolves). */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected the promise to reject');
}
