import { type CreateCustomerInput, Customer } from '../../domain/customer/customer.js';
import type { CustomerPrimitives } from '../../domain/customer/customer.types.js';
import type { Ports } from '../ports/ports.js';
import { recordActivity } from '../shared/activity.js';
import { publish } from '../shared/events.js';
import { authorize, requireAgent } from '../shared/guards.js';
import { loadSettings } from '../shared/settings.js';
import type { UseCaseInput } from '../shared/use-case-input.js';

export interface CreateCustomerCommand extends UseCaseInput, CreateCustomerInput {}

/**
 * Creates a customer by hand (the webhook creates them on the first message). The phone number is
 * normalised to E.164 with the `default_phone_region` setting; a number already taken → the
 * repository's DuplicateError (CUSTOMER.DUPLICATE_PHONENUMBER). A preferred agent must exist.
 */
export class CreateCustomer {
  constructor(
    private readonly ports: Pick<
      Ports,
      'customers' | 'agents' | 'settings' | 'activity' | 'events' | 'clock' | 'ids'
    >,
  ) {}

  async execute(input: CreateCustomerCommand): Promise<CustomerPrimitives> {
    const { actor, meta, ...fields } = input;
    authorize(actor, 'customer.write');
    const preferredAgent = fields.preferences?.preferredAgent;
    if (preferredAgent !== undefined) await requireAgent(this.ports, preferredAgent);

    const defaultRegion = (await loadSettings(this.ports)).get('default_phone_region');
    const customer = Customer.create(fields, {
      id: this.ports.ids.next(),
      now: this.ports.clock.now(),
      defaultRegion,
    });
    const created = customer.toPrimitives();
    await this.ports.customers.insert(created);
    await recordActivity(this.ports, actor, meta ?? {}, {
      entityType: 'customer',
      entityId: created.id,
      action: 'created',
      after: created,
    });
    await publish(this.ports, customer.pullEvents());
    return created;
  }
}
