/**
 * Builder for Customer entities: `aCustomer().withPhone('+525512345678').blocked('spam').build()`.
 * Goes through `Customer.create` (real defaults and validation).
 */
import { type CreateCustomerInput, Customer } from '../../../src/domain/customer/customer.js';
import type { CustomerPrimitives } from '../../../src/domain/customer/customer.types.js';
import type { PhoneRegion } from '../../../src/domain/customer/phone-number.js';
import type { Id } from '../../../src/domain/shared/ids.js';

let sequence = 0;

/** A deterministic, readable customer id: `c00000000000000000000001`, ... (valid 24-hex). */
export const customerId = (n: number = ++sequence): Id => `c${n.toString(16).padStart(23, '0')}`;

export const CUSTOMER_CREATED_AT = new Date('2025-02-03T16:00:00.000Z');

export class CustomerBuilder {
  #id: Id = customerId();
  #input: CreateCustomerInput;
  #region: PhoneRegion = 'MX';
  #createdAt = CUSTOMER_CREATED_AT;
  #blockReason?: string;

  constructor() {
    // A distinct valid Mexico City mobile per builder.
    this.#input = { phoneNumber: `+5255${String(10_000_000 + sequence).slice(-8)}` };
  }

  withId(id: Id): this {
    this.#id = id;
    return this;
  }
  withPhone(phoneNumber: string, region: PhoneRegion = 'MX'): this {
    this.#input.phoneNumber = phoneNumber;
    this.#region = region;
    return this;
  }
  withName(firstName?: string, lastName?: string): this {
    this.#input.firstName = firstName;
    this.#input.lastName = lastName;
    return this;
  }
  withEmail(email: string): this {
    this.#input.email = email;
    return this;
  }
  withTags(...tags: string[]): this {
    this.#input.tags = tags;
    return this;
  }
  withPreferredAgent(agentId: Id): this {
    this.#input.preferences = { ...this.#input.preferences, preferredAgent: agentId };
    return this;
  }
  with(fields: Partial<CreateCustomerInput>): this {
    this.#input = { ...this.#input, ...fields };
    return this;
  }
  blocked(reason = 'Spam'): this {
    this.#blockReason = reason;
    return this;
  }
  createdAt(at: Date): this {
    this.#createdAt = at;
    return this;
  }

  build(): Customer {
    const customer = Customer.create(this.#input, {
      id: this.#id,
      now: this.#createdAt,
      defaultRegion: this.#region,
    });
    if (this.#blockReason !== undefined) customer.block(this.#blockReason, this.#createdAt);
    customer.pullEvents();
    return customer;
  }

  buildPrimitives(): CustomerPrimitives {
    return this.build().toPrimitives();
  }
}

export const aCustomer = (): CustomerBuilder => new CustomerBuilder();
