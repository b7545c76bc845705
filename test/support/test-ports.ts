import type {
  Clock,
  IdGenerator,
  PasswordHasher,
  PublishedEvent,
} from '../../src/application/ports/gateways.js';
import type { Ports } from '../../src/application/ports/ports.js';
import type { AgentActor } from '../../src/application/shared/actor.js';
import { Agent } from '../../src/domain/agent/agent.js';
import { AGENT_ROLES, type AgentPrimitives, type AgentRole } from '../../src/domain/agent/agent.types.js';
import { createInMemoryRepositories } from '../../src/infrastructure/container.js';
import { InProcessEventBus } from '../../src/infrastructure/events/in-process-event-bus.js';
import { SandboxWhatsAppGateway } from '../../src/infrastructure/whatsapp/sandbox-whatsapp-gateway.js';

/** A clock the test moves by hand. Starts Monday 2026-03-02 10:00 in Mexico City (16:00 UTC): inside business hours. */
export class TestClock implements Clock {
  constructor(private current = new Date('2026-03-02T16:00:00.000Z')) {}
  now(): Date {
    return new Date(this.current);
  }
  set(at: Date | string): void {
    this.current = new Date(at);
  }
  advanceMinutes(minutes: number): void {
    this.current = new Date(this.current.getTime() + minutes * 60_000);
  }
}

/** Sequential 24-hex ids, increasing like ObjectIds. */
export class CounterIds implements IdGenerator {
  #n = 0;
  next(): string {
    this.#n += 1;
    return `aa${this.#n.toString(16).padStart(22, '0')}`;
  }
}

/** Fast, obviously-not-secure hasher for unit tests (argon2 is tested in its own adapter test). */
export const fakeHasher: PasswordHasher = {
  hash: async (password) => `fake$${password}`,
  verify: async (hash, password) => hash === `fake$${password}`,
};

export interface TestPorts extends Ports {
  clock: TestClock;
  whatsapp: SandboxWhatsAppGateway;
  /** Every event published, in order. */
  published: PublishedEvent[];
}

export function makeTestPorts(overrides: Partial<Ports> = {}): TestPorts {
  const events = new InProcessEventBus();
  const published: PublishedEvent[] = [];
  events.subscribe((event) => published.push(event));
  return {
    ...createInMemoryRepositories(),
    events,
    clock: new TestClock(),
    ids: new CounterIds(),
    passwords: fakeHasher,
    whatsapp: new SandboxWhatsAppGateway(),
    ...overrides,
    published,
  } as TestPorts;
}

/** Inserts an agent of the given role (online, active) and returns its actor and record. */
export async function seedAgent(
  ports: Ports,
  role: AgentRole = 'agent',
  overrides: Partial<Pick<AgentPrimitives, 'status' | 'firstName' | 'email' | 'isActive'>> = {},
): Promise<{ actor: AgentActor; record: AgentPrimitives }> {
  if (!AGENT_ROLES.includes(role)) throw new Error(`unknown role ${role}`);
  const id = ports.ids.next();
  const agent = Agent.create(
    {
      email: overrides.email ?? `${role}-${id.slice(-6)}@example.com`,
      passwordHash: await ports.passwords.hash('correct horse battery'),
      firstName: overrides.firstName ?? role,
      lastName: 'Test',
      role,
    },
    { id, now: ports.clock.now() },
  );
  agent.setStatus(overrides.status ?? 'online', ports.clock.now());
  if (overrides.isActive === false) agent.deactivate(ports.clock.now());
  const record = agent.toPrimitives();
  await ports.agents.insert(record);
  return {
    actor: { kind: 'agent', id, role, permissions: [...record.permissions], isActive: record.isActive },
    record,
  };
}
