import type { ActivityAction, EntityType } from '../../domain/activity/activity.types.js';
import { buildActivityEntry } from '../../domain/activity/activity-entry.js';
import type { Id } from '../../domain/shared/ids.js';
import type { Ports } from '../ports/ports.js';
import { type Actor, actorId, type RequestMeta } from './actor.js';

export interface ActivityInput {
  entityType: EntityType;
  entityId: Id;
  action: ActivityAction;
  before?: object;
  after?: object;
  reason?: string;
}

/** Appends one audit entry: who (the actor, or the system), what changed, from where. */
export async function recordActivity(
  ports: Pick<Ports, 'activity' | 'ids' | 'clock'>,
  actor: Actor,
  meta: RequestMeta,
  input: ActivityInput,
): Promise<void> {
  const performedBy = actorId(actor);
  const entry = buildActivityEntry(
    {
      entityType: input.entityType,
      entityId: input.entityId,
      action: input.action,
      ...(input.before ? { before: input.before as Record<string, unknown> } : {}),
      ...(input.after ? { after: input.after as Record<string, unknown> } : {}),
      ...(performedBy ? { performedBy } : {}),
      ...(input.reason ? { reason: input.reason } : {}),
      ...(meta.ipAddress ? { ipAddress: meta.ipAddress } : {}),
      ...(meta.userAgent ? { userAgent: meta.userAgent } : {}),
    },
    { id: ports.ids.next(), now: ports.clock.now() },
  );
  await ports.activity.append(entry);
}
