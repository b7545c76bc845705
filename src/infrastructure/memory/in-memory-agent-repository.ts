import type { Page, PageRequest } from '../../application/ports/pagination.js';
import type { AgentFilter, AgentRepository } from '../../application/ports/repositories.js';
import type { AgentPrimitives, AgentStatistics, AgentStatus } from '../../domain/agent/agent.types.js';
import { ConcurrencyError, DuplicateError, NotFoundError } from '../../domain/shared/errors.js';
import type { Id } from '../../domain/shared/ids.js';
import { checkId, copy, ms, pageByKeyset } from './memory-support.js';

type StatisticsDelta = Parameters<AgentRepository['incrementStatistics']>[1];

export class InMemoryAgentRepository implements AgentRepository {
  readonly #agents = new Map<Id, AgentPrimitives>();

  async insert(agent: AgentPrimitives): Promise<void> {
    checkId(agent.id);
    if (this.#agents.has(agent.id)) throw new DuplicateError('agent', 'id');
    this.#assertEmailFree(agent.email, agent.id);
    this.#agents.set(agent.id, copy(agent));
  }

  async findById(id: Id): Promise<AgentPrimitives | null> {
    checkId(id);
    const agent = this.#agents.get(id);
    return agent ? copy(agent) : null;
  }

  async findByEmail(email: string): Promise<AgentPrimitives | null> {
    const wanted = email.trim().toLowerCase();
    for (const agent of this.#agents.values()) {
      if (agent.email === wanted) return copy(agent);
    }
    return null;
  }

  async update(agent: AgentPrimitives): Promise<AgentPrimitives> {
    checkId(agent.id);
    const stored = this.#agents.get(agent.id);
    if (!stored) throw new NotFoundError('agent', agent.id);
    if (stored.version !== agent.version) throw new ConcurrencyError('agent', agent.id);
    this.#assertEmailFree(agent.email, agent.id);
    const next = copy({ ...agent, statistics: stored.statistics, version: agent.version + 1 });
    this.#agents.set(agent.id, next);
    return copy(next);
  }

  async list(filter: AgentFilter, page: PageRequest): Promise<Page<AgentPrimitives>> {
    const matching = [...this.#agents.values()].filter(
      (a) =>
        (filter.role === undefined || a.role === filter.role) &&
        (filter.status === undefined || a.status === filter.status) &&
        (filter.isActive === undefined || a.isActive === filter.isActive),
    );
    return pageByKeyset(matching, (a) => ms(a.createdAt), page);
  }

  async listOnline(): Promise<AgentPrimitives[]> {
    return [...this.#agents.values()].filter((a) => a.isActive && a.status === 'online').map(copy);
  }

  async listSupervisors(): Promise<AgentPrimitives[]> {
    return [...this.#agents.values()]
      .filter((a) => a.isActive && (a.role === 'supervisor' || a.role === 'admin'))
      .map(copy);
  }

  async count(): Promise<number> {
    return this.#agents.size;
  }

  async setStatistics(id: Id, fields: Partial<AgentStatistics>): Promise<void> {
    checkId(id);
    const record = this.#agents.get(id);
    if (!record) throw new NotFoundError('agent', id);
    for (const [field, value] of Object.entries(fields)) {
      if (value !== undefined) (record.statistics as unknown as Record<string, number>)[field] = value;
    }
  }

  async incrementStatistics(id: Id, delta: StatisticsDelta): Promise<void> {
    const agent = this.#get(id);
    const statistics = agent.statistics as unknown as Record<string, number>;
    for (const [field, by] of Object.entries(delta) as [keyof AgentStatistics, number | undefined][]) {
      if (by !== undefined) statistics[field] = (statistics[field] ?? 0) + by;
    }
  }

  async reserveConversationSlot(id: Id, max: number): Promise<boolean> {
    // Check and increment happen synchronously (no await in between): atomic in a single JS thread.
    const agent = this.#get(id);
    if (agent.statistics.currentActiveConversations >= max) return false;
    agent.statistics.currentActiveConversations += 1;
    return true;
  }

  async releaseConversationSlot(id: Id): Promise<void> {
    const agent = this.#get(id);
    if (agent.statistics.currentActiveConversations > 0) agent.statistics.currentActiveConversations -= 1;
  }

  async touch(
    id: Id,
    fields: { status?: AgentStatus; lastActivity?: Date; lastLogin?: Date },
  ): Promise<void> {
    const agent = this.#get(id);
    if (fields.status !== undefined) agent.status = fields.status;
    if (fields.lastActivity !== undefined) agent.lastActivity = new Date(fields.lastActivity);
    if (fields.lastLogin !== undefined) agent.lastLogin = new Date(fields.lastLogin);
  }

  /** The stored (mutable) agent; throws for a malformed id or a missing agent. */
  #get(id: Id): AgentPrimitives {
    checkId(id);
    const agent = this.#agents.get(id);
    if (!agent) throw new NotFoundError('agent', id);
    return agent;
  }

  #assertEmailFree(email: string, ownerId: Id): void {
    for (const other of this.#agents.values()) {
      if (other.id !== ownerId && other.email === email) throw new DuplicateError('agent', 'email');
    }
  }
}
