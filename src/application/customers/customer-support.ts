import type { Customer } from '../../domain/customer/customer.js';
import type { CustomerPrimitives } from '../../domain/customer/customer.types.js';
import type { Ports } from '../ports/ports.js';
import type { Actor, RequestMeta } from '../shared/actor.js';
import { saveAudited } from '../shared/save-audited.js';

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
  return saveAudited(ports, actor, meta, {
    entityType: 'customer',
    before: change.before,
    entity: change.customer,
    save: (record) => ports.customers.update(record),
    ...(change.reason === undefined ? {} : { reason: change.reason }),
  });
}
