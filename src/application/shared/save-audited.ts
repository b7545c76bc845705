import type { EntityType } from '../../domain/activity/activity.types.js';
import type { DomainEvent } from '../../domain/shared/events.js';
import type { Id } from '../../domain/shared/ids.js';
import type { Ports } from '../ports/ports.js';
import { recordActivity } from './activity.js';
import type { Actor, RequestMeta } from './actor.js';
import { publish } from './events.js';

/**
 * Saves a changed aggregate (optimistic: stale → ConcurrencyError), audits it (`updated`, with
 * before/after) and publishes its events. An aggregate whose mutators recorded nothing is returned
 * as it was: no save, no audit entry, no event.
 */
export async function saveAudited<P extends { id: Id }>(
  ports: Pick<Ports, 'activity' | 'ids' | 'clock' | 'events'>,
  actor: Actor,
  meta: RequestMeta | undefined,
  change: {
    entityType: EntityType;
    before: P;
    entity: { pullEvents(): DomainEvent[]; toPrimitives(): P };
    save: (record: P) => Promise<P>;
    reason?: string;
  },
): Promise<P> {
  const events = change.entity.pullEvents();
  if (events.length === 0) return change.before;
  const saved = await change.save(change.entity.toPrimitives());
  await recordActivity(ports, actor, meta ?? {}, {
    entityType: change.entityType,
    entityId: saved.id,
    action: 'updated',
    before: change.before,
    after: saved,
    ...(change.reason === undefined ? {} : { reason: change.reason }),
  });
  await publish(ports, events);
  return saved;
}
