import type { ActivityLogPrimitives } from '../../domain/activity/activity.types.js';
import type { Id } from '../../domain/shared/ids.js';
import type { Page } from '../ports/pagination.js';
import type { Ports } from '../ports/ports.js';
import { type PageInput, toPageRequest, type UseCaseInput } from '../shared/use-case-input.js';
import { authorizeActivityRead } from './list-entity-activity.js';

export interface ListAgentActivityQuery extends UseCaseInput, PageInput {
  /** Entries performed by this agent. */
  agentId: Id;
}

/** What one agent did, newest first (`activity.read`; an agent may read their own). */
export class ListAgentActivity {
  constructor(private readonly ports: Pick<Ports, 'activity'>) {}

  async execute(input: ListAgentActivityQuery): Promise<Page<ActivityLogPrimitives>> {
    authorizeActivityRead(input.actor, input.agentId);
    return this.ports.activity.listByAgent(input.agentId, toPageRequest(input));
  }
}
