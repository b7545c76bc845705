import { Customer } from '../../domain/customer/customer.js';
import type { CustomerPrimitives } from '../../domain/customer/customer.types.js';
import { assertMaxLength, assertNonEmpty } from '../../domain/shared/guards.js';
import type { Id } from '../../domain/shared/ids.js';
import { authorize, requireCustomer } from '../shared/guards.js';
import type { UseCaseInput } from '../shared/use-case-input.js';
import { type CustomerPorts, saveCustomer } from './customer-support.js';

export interface UnblockCustomerCommand extends UseCaseInput {
  customerId: Id;
  /** Required: why the block is lifted (audit log only). */
  reason: string;
}

/** Lifts a block (status back to active). A customer who is not blocked is returned unchanged. */
export class UnblockCustomer {
  constructor(private readonly ports: CustomerPorts) {}

  async execute(input: UnblockCustomerCommand): Promise<CustomerPrimitives> {
    authorize(input.actor, 'customer.block');
    const reason = assertNonEmpty(
      'reason',
      typeof input.reason === 'string' ? input.reason : undefined,
    ).trim();
    assertMaxLength('reason', reason, 1000);
    const before = await requireCustomer(this.ports, input.customerId);
    authorize(input.actor, 'customer.block', { kind: 'customer', id: before.id });
    const customer = Customer.fromPrimitives(before);
    customer.unblock(this.ports.clock.now());
    return saveCustomer(this.ports, input.actor, input.meta, { before, customer, reason });
  }
}
