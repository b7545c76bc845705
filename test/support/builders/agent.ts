/**
 * Builder for Agent entities in domain/application tests:
 * `anAgent().withRole('supervisor').online().withActiveConversations(3).build()`.
 * Goes through `Agent.create` (so defaults and validation are the real ones), then sets the
 * state that only the application changes (presence, counters, activity) on the primitives.
 */
import { Agent } from '../../../src/domain/agent/agent.js';
import type {
  AgentPreferences,
  AgentPrimitives,
  AgentRole,
  AgentStatus,
  Permission,
} from '../../../src/domain/agent/agent.types.js';
import type { Id } from '../../../src/domain/shared/ids.js';

let sequence = 0;

/** A deterministic, readable agent id: `a00000000000000000000001`, ... (valid 24-hex). */
export const agentId = (n: number = ++sequence): Id => `a${n.toString(16).padStart(23, '0')}`;

export const AGENT_CREATED_AT = new Date('2025-01-06T15:00:00.000Z');

export class AgentBuilder {
  #id: Id = agentId();
  #email?: string;
  #firstName = 'Ana';
  #lastName = 'López';
  #role: AgentRole = 'agent';
  #permissions?: Permission[];
  #status: AgentStatus = 'offline';
  #isActive = true;
  #preferences: Partial<AgentPreferences> = {};
  #active = 0;
  #lastActivity?: Date;
  #supervisorId?: Id;
  #createdAt = AGENT_CREATED_AT;

  withId(id: Id): this {
    this.#id = id;
    return this;
  }
  withEmail(email: string): this {
    this.#email = email;
    return this;
  }
  withName(firstName: string, lastName: string): this {
    this.#firstName = firstName;
    this.#lastName = lastName;
    return this;
  }
  withRole(role: AgentRole): this {
    this.#role = role;
    return this;
  }
  withPermissions(...permissions: Permission[]): this {
    this.#permissions = permissions;
    return this;
  }
  withStatus(status: AgentStatus): this {
    this.#status = status;
    return this;
  }
  online(): this {
    return this.withStatus('online');
  }
  offline(): this {
    return this.withStatus('offline');
  }
  busy(): this {
    return this.withStatus('busy');
  }
  away(): this {
    return this.withStatus('away');
  }
  /** Deactivated (status stays whatever was set, to test that the flag alone excludes). */
  inactive(): this {
    this.#isActive = false;
    return this;
  }
  withAutoAssignment(on: boolean): this {
    this.#preferences.autoAssignment = on;
    return this;
  }
  withActiveConversations(n: number): this {
    this.#active = n;
    return this;
  }
  withLastActivity(at: Date | undefined): this {
    this.#lastActivity = at;
    return this;
  }
  withSupervisor(id: Id): this {
    this.#supervisorId = id;
    return this;
  }
  createdAt(at: Date): this {
    this.#createdAt = at;
    return this;
  }

  buildPrimitives(): AgentPrimitives {
    const agent = Agent.create(
      {
        email: this.#email ?? `agent.${this.#id}@example.com`,
        passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA',
        firstName: this.#firstName,
        lastName: this.#lastName,
        role: this.#role,
        ...(this.#permissions ? { permissions: this.#permissions } : {}),
        ...(this.#supervisorId ? { supervisorId: this.#supervisorId } : {}),
      },
      { id: this.#id, now: this.#createdAt },
    );
    const p = agent.toPrimitives();
    p.status = this.#status;
    p.isActive = this.#isActive;
    p.preferences = { ...p.preferences, ...this.#preferences };
    p.statistics.currentActiveConversations = this.#active;
    if (this.#lastActivity) p.lastActivity = new Date(this.#lastActivity);
    return p;
  }

  build(): Agent {
    return Agent.fromPrimitives(this.buildPrimitives());
  }
}

export const anAgent = (): AgentBuilder => new AgentBuilder();
