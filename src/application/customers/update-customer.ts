import { Customer, type CustomerPatch } from '../../domain/customer/customer.js';
import type { CustomerPrimitives } from '../../domain/customer/customer.types.js';
import type { Id } from '../../domain/shared/ids.js';
import type { Ports } from '../ports/ports.js';
import { authorize, requireAgent, requireCustomer } from '../shared/guards.js';
import type { UseCaseInput } from '../shared/use-case-input.js';
import { type CustomerPorts, saveCustomer } from './customer-support.js';

export interface UpdateCustomerCommand extends UseCaseInput {
  customerId: Id;
  /**
   * Profile, address, segment, source, status (not `blocked`: use BlockCustomer), preferences
   * (`preferredAgent` must exist; `null` clears it), notes; `tags` replaces the whole list and
   * `customFields` the whole map. `null` clears an optional field.
   */
  changes?: CustomerPatch;
  /** Tags added after `changes` are applied. */
  addTags?: string[];
  /** Tags removed after `addTags`. */
  removeTags?: string[];
  /** Per-key custom field edits after `changes`: a string sets the field, `null` removes it. */
  customFields?: Record<string, string | null>;
}

/**
 * Edits a customer. Every part is validated by the entity; a refused part changes nothing at all
 * (the save happens once, at the end). Nothing changed → nothing saved, audited or published.
 * Erased customers refuse every change (CUSTOMER.ERASED).
 */
export class UpdateCustomer {
  constructor(private readonly ports: CustomerPorts & Pick<Ports, 'agents'>) {}

  async execute(input: UpdateCustomerCommand): Promise<CustomerPrimitives> {
    authorize(input.actor, 'customer.write');
    const before = await requireCustomer(this.ports, input.customerId);
    authorize(input.actor, 'customer.write', { kind: 'customer', id: before.id });
    const preferredAgent = input.changes?.preferences?.preferredAgent;
    if (preferredAgent !== undefined && preferredAgent !== null)
      await requireAgent(this.ports, preferredAgent);

    const customer = Customer.fromPrimitives(before);
    const now = this.ports.clock.now();
    if (input.changes !== undefined) customer.update(input.changes, now);
    if (input.addTags?.length) customer.addTags(input.addTags, now);
    if (input.removeTags?.length) customer.removeTags(input.removeTags, now);
    for (const [key, value] of Object.entries(input.customFields ?? {}))
      customer.setCustomField(key, value, now);
    return saveCustomer(this.ports, input.actor, input.meta, { before, customer });
  }
}
