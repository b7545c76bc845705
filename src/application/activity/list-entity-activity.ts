import type { ActivityLogPrimitives, EntityType } from '../../domain/activity/activity.types.js';
import type { Id } from '../../domain/shared/ids.js';
import type { Page } from '../ports/pagination.js';
import type { Ports } from '../ports/ports.js';
import type { Actor } from '../shared/actor.js';
import { authorize } from '../shared/guards.js';
import { type PageInput, toPageRequest, type UseCaseInput } from '../shared/use-case-input.js';

export interface ListEntityActivityQuery extends UseCaseInput, PageInput {
  entityType: EntityType;
  entityId: Id;
}

/**
 * The audit trail of one entity, newest first (`activity.read`: view:analytics). An agent may
 * always read the log of their own agent record.
 */
export class ListEntityActivity {
  constructor(private readonly ports: Pick<Ports, 'activity'>) {}

  async execute(input: ListEntityActivityQuery): Promise<Page<ActivityLogPrimitives>> {
    authorizeActivityRead(input.actor, input.entityType === 'agent' ? input.entityId : undefined);
    return this.ports.activity.listByEntity(input.entityType, input.entityId, toPageRequest(input));
  }
}

/** `activity.read`, or, for the actor's own agent log, just being an active agent reading themselves. */
export function authorizeActivityRead(actor: Actor, ownAgentId: Id | undefined): void {
  if (actor.kind === 'agent' && ownAgentId === actor.id) {
    authorize(actor, 'agent.read', { kind: 'agent', id: actor.id });
    return;
  }
  authorize(actor, 'activity.read');
}
