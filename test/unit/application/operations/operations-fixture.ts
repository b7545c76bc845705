/** Shared set-up of the operations tests: ports on memory adapters, agents, a customer, settings. */
import type { Ports } from '../../../../src/application/ports/ports.js';
import type { AgentPrimitives } from '../../../../src/domain/agent/agent.types.js';
import type { ConversationPrimitives } from '../../../../src/domain/conversation/conversation.types.js';
import type { SettingKey } from '../../../../src/domain/settings/setting-definitions.js';
import { InMemoryJobLock } from '../../../../src/infrastructure/memory/in-memory-job-lock.js';
import { makeTestPorts, seedAgent, type TestPorts } from '../../../support/test-ports.js';
import { seedConversation, seedCustomer } from '../../../support/test-seeds.js';

export const minutesAgo = (ports: Ports, minutes: number): Date =>
  new Date(ports.clock.now().getTime() - minutes * 60_000);

export async function setSetting(ports: Ports, key: SettingKey, value: unknown): Promise<void> {
  await ports.settings.put({
    id: ports.ids.next(),
    key,
    value,
    category: 'general',
    isEditable: true,
    createdAt: ports.clock.now(),
    updatedAt: ports.clock.now(),
  });
}

export async function operationsFixture() {
  const base = makeTestPorts();
  // Locks on the test clock, so once-markers and leases follow it.
  const ports: TestPorts = Object.assign(base, { jobLocks: new InMemoryJobLock(base.clock) });
  const admin = await seedAgent(ports, 'admin');
  const supervisor = await seedAgent(ports, 'supervisor', { firstName: 'Sofia' });
  const otherSupervisor = await seedAgent(ports, 'supervisor', { firstName: 'Otto' });
  const ana = await seedAgent(ports, 'agent', { firstName: 'Ana' });
  // Ana's escalations go to Sofia.
  const anaRecord: AgentPrimitives = await ports.agents.update({
    ...ana.record,
    supervisorId: supervisor.record.id,
  });
  const customer = await seedCustomer(ports);

  /** A conversation of Ana's whose customer has waited `waitingMinutes` for an answer. */
  async function awaitingConversation(
    waitingMinutes: number,
    overrides: Partial<ConversationPrimitives> = {},
  ): Promise<ConversationPrimitives> {
    const since = minutesAgo(ports, waitingMinutes);
    return seedConversation(ports, customer.id, {
      status: 'assigned',
      assignedAgent: ana.record.id,
      priority: 'urgent', // 30 business minutes to the first response, 240 to resolution
      createdAt: since,
      updatedAt: since,
      lastCustomerMessage: since,
      awaitingResponseSince: since,
      messageCount: 1,
      unreadCount: 1,
      ...overrides,
    });
  }

  const eventsOf = (type: string) => ports.published.filter((e) => e.type === type);

  return {
    ports,
    admin,
    supervisor,
    otherSupervisor,
    ana: { ...ana, record: anaRecord },
    customer,
    awaitingConversation,
    eventsOf,
  };
}
