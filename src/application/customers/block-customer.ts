import { Customer } from '../../domain/customer/customer.js';
import type { CustomerPrimitives } from '../../domain/customer/customer.types.js';
import type { Id } from '../../domain/shared/ids.js';
import { authorize, requireCustomer } from '../shared/guards.js';
import type { UseCaseInput } from '../shared/use-case-input.js';
import { type CustomerPorts, saveCustomer } from './customer-support.js';

export interface BlockCustomerCommand extends UseCaseInput {
  customerId: Id;
  /** Required (kept on the customer as blockReason and in the audit log). */
  reason: string;
}

/** Blocks a customer: no AI replies, no auto-assignment; their messages are still stored. */
export class BlockCustomer {
  constructor(private readonly ports: CustomerPorts) {}

  async execute(input: BlockCustomerCommand): Promise<CustomerPrimitives> {
    authorize(input.actor, 'customer.block');
    const before = await requireCustomer(this.ports, input.customerId);
    authorize(input.actor, 'customer.block', { kind: 'customer', id: before.id });
    const customer = Customer.fromPrimitives(before);
    customer.block(input.reason, this.ports.clock.now());
    return saveCustomer(this.ports, input.actor, input.meta, {
      before,
      customer,
      reason: input.reason.trim(),
    });
  }
}
