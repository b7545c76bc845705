import type {
  ActivityAction,
  ActivityLogPrimitives,
  EntityType,
} from '../../domain/activity/activity.types.js';
import { buildActivityEntry } from '../../domain/activity/activity-entry.js';
import type { Id } from '../../domain/shared/ids.js';
import type { Ports } from '../ports/ports.js';
import { type Actor, actorId, type RequestMeta, SYSTEM } from './actor.js';

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
  await ports.activity.append(activityEntry(ports, input, actor, meta));
}

/**
 * The audit entry `recordActivity` appends, built without writing it (for a batch written with
 * `activity.appendMany`). Without an actor, the system did it.
 */
export function activityEntry(
  ports: Pick<Ports, 'ids' | 'clock'>,
  input: ActivityInput,
  actor: Actor = SYSTEM,
  meta: RequestMeta = {},
): ActivityLogPrimitives {
  const performedBy = actorId(actor);
  return buildActivityEntry(
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
}
