import type { Page, PageRequest } from '../../application/ports/pagination.js';
import type { ActivityLogRepository } from '../../application/ports/repositories.js';
import type { ActivityLogPrimitives, EntityType } from '../../domain/activity/activity.types.js';
import { DuplicateError } from '../../domain/shared/errors.js';
import type { Id } from '../../domain/shared/ids.js';
import { checkId, copy, ms, pageByKeyset } from './memory-support.js';

export class InMemoryActivityLogRepository implements ActivityLogRepository {
  readonly #entries = new Map<Id, ActivityLogPrimitives>();

  async append(entry: ActivityLogPrimitives): Promise<void> {
    checkId(entry.id);
    if (this.#entries.has(entry.id)) throw new DuplicateError('activity', 'id');
    this.#entries.set(entry.id, copy(entry));
  }

  async appendMany(entries: ActivityLogPrimitives[]): Promise<void> {
    for (const entry of entries) await this.append(entry);
  }

  async listByEntity(
    entityType: EntityType,
    entityId: Id,
    page: PageRequest,
  ): Promise<Page<ActivityLogPrimitives>> {
    checkId(entityId);
    const matching = [...this.#entries.values()].filter(
      (e) => e.entityType === entityType && e.entityId === entityId,
    );
    return pageByKeyset(matching, (e) => ms(e.timestamp), page);
  }

  async listByAgent(agentId: Id, page: PageRequest): Promise<Page<ActivityLogPrimitives>> {
    checkId(agentId);
    const matching = [...this.#entries.values()].filter((e) => e.performedBy === agentId);
    return pageByKeyset(matching, (e) => ms(e.timestamp), page);
  }
}
