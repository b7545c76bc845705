import type { Customer } from '../../domain/customer/customer.js';
import type { CustomerPrimitives } from '../../domain/customer/customer.types.js';
import type { Ports } from '../ports/ports.js';
import { recordActivity } from '../shared/activity.js';
import type { Actor, RequestMeta } from '../shared/actor.js';
import { publish } from '../shared/events.js';

export type CustomerPorts = Pick<Ports, 'customers' | 'activity' | 'ids' | 'clock' | 'events'>;

/**
 * Saves a changed customer (optimistic: stale → ConcurrencyError), audits it (`updated`) and
 * publishes its events. A customer whose mutators recorded nothing is returned as it was.
 */
export async function saveCustomer(
  ports: CustomerPorts,
  actor: Actor,
  meta: RequestMeta | undefined,
  change: { before: CustomerPrimitives; customer: Customer; reason?: string },
): Promise<CustomerPrimitives> {
  const events = change.customer.pullEvents();
  if (events.length === 0) return change.before;
  const saved = await ports.customers.update(change.customer.toPrimitives());
  await recordActivity(ports, actor, meta ?? {}, {
    entityType: 'customer',
    entityId: saved.id,
    action: 'updated',
    before: change.before,
    after: saved,
    ...(change.reason === undefined ? {} : { reason: change.reason }),
  });
  await publish(ports, events);
  return saved;
}
