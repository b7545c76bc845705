import type { Page, PageRequest } from '../../application/ports/pagination.js';
import type {
  CustomerFilter,
  CustomerInteraction,
  CustomerRepository,
} from '../../application/ports/repositories.js';
import type { CustomerPrimitives, CustomerStatistics } from '../../domain/customer/customer.types.js';
import { ConcurrencyError, DuplicateError, NotFoundError } from '../../domain/shared/errors.js';
import type { Id } from '../../domain/shared/ids.js';
import { checkId, copy, ms, pageByKeyset } from './memory-support.js';

type StatisticsDelta = Parameters<CustomerRepository['incrementStatistics']>[1];

export class InMemoryCustomerRepository implements CustomerRepository {
  readonly #customers = new Map<Id, CustomerPrimitives>();
  // Unique index, like the MongoDB one on `phoneNumber`: phone → id of the customer holding it. Kept
  // in step by insert, update (a changed phone moves) and delete; the other writes never touch phones.
  readonly #byPhone = new Map<string, Id>();

  async insert(customer: CustomerPrimitives): Promise<void> {
    checkId(customer.id);
    if (this.#customers.has(customer.id)) throw new DuplicateError('customer', 'id');
    this.#assertPhoneFree(customer.phoneNumber, customer.id);
    this.#customers.set(customer.id, copy(customer));
    this.#byPhone.set(customer.phoneNumber, customer.id);
  }

  async findById(id: Id): Promise<CustomerPrimitives | null> {
    checkId(id);
    const customer = this.#customers.get(id);
    return customer ? copy(customer) : null;
  }

  async findByPhone(phoneNumber: string): Promise<CustomerPrimitives | null> {
    const customer = this.#withPhone(phoneNumber);
    return customer ? copy(customer) : null;
  }

  /** One copy per customer found (a phone asked twice counts once); unknown phones are skipped. */
  async findByPhones(phoneNumbers: string[]): Promise<CustomerPrimitives[]> {
    const found: CustomerPrimitives[] = [];
    for (const phoneNumber of new Set(phoneNumbers)) {
      const customer = this.#withPhone(phoneNumber);
      if (customer) found.push(copy(customer));
    }
    return found;
  }

  async insertMany(customers: CustomerPrimitives[]): Promise<{ duplicates: Id[] }> {
    const duplicates: Id[] = [];
    for (const customer of customers) {
      try {
        await this.insert(customer);
      } catch (error) {
        if (!(error instanceof DuplicateError)) throw error;
        duplicates.push(customer.id);
      }
    }
    return { duplicates };
  }

  async recordInteractions(entries: CustomerInteraction[]): Promise<void> {
    for (const entry of entries) {
      checkId(entry.id);
      const stored = this.#customers.get(entry.id);
      if (!stored) continue;
      const first = new Date(entry.firstAt);
      const last = new Date(entry.lastAt);
      if (stored.firstContact === undefined || first < stored.firstContact) stored.firstContact = first;
      for (const field of ['lastInteraction', 'lastMessageAt', 'updatedAt'] as const) {
        const current = stored[field];
        if (current === undefined || last > current) stored[field] = new Date(last);
      }
      await this.incrementStatistics(entry.id, entry.statistics);
      stored.version += 1;
    }
  }

  async update(customer: CustomerPrimitives): Promise<CustomerPrimitives> {
    checkId(customer.id);
    const stored = this.#customers.get(customer.id);
    if (!stored) throw new NotFoundError('customer', customer.id);
    if (stored.version !== customer.version) throw new ConcurrencyError('customer', customer.id);
    this.#assertPhoneFree(customer.phoneNumber, customer.id);
    const next = copy({ ...customer, statistics: stored.statistics, version: customer.version + 1 });
    this.#customers.set(customer.id, next);
    if (stored.phoneNumber !== next.phoneNumber) {
      this.#byPhone.delete(stored.phoneNumber);
      this.#byPhone.set(next.phoneNumber, next.id);
    }
    return copy(next);
  }

  async list(filter: CustomerFilter, page: PageRequest): Promise<Page<CustomerPrimitives>> {
    const term = filter.search?.trim().toLowerCase();
    const matching = [...this.#customers.values()].filter(
      (c) =>
        (!filter.tags?.length || filter.tags.every((tag) => c.tags.includes(tag))) &&
        (filter.segment === undefined || c.segment === filter.segment) &&
        (filter.status === undefined || c.status === filter.status) &&
        (filter.isBlocked === undefined || c.isBlocked === filter.isBlocked) &&
        (!term || matchesSearch(c, term)),
    );
    return pageByKeyset(matching, (c) => ms(c.updatedAt), page);
  }

  async setStatistics(id: Id, fields: Partial<CustomerStatistics>): Promise<void> {
    checkId(id);
    const record = this.#customers.get(id);
    if (!record) throw new NotFoundError('customer', id);
    for (const [field, value] of Object.entries(fields)) {
      if (value !== undefined) (record.statistics as unknown as Record<string, number>)[field] = value;
    }
  }

  async incrementStatistics(id: Id, delta: StatisticsDelta): Promise<void> {
    checkId(id);
    const customer = this.#customers.get(id);
    if (!customer) throw new NotFoundError('customer', id);
    const statistics = customer.statistics as unknown as Record<string, number | undefined>;
    for (const [field, by] of Object.entries(delta) as [keyof CustomerStatistics, number | undefined][]) {
      if (by !== undefined) statistics[field] = (statistics[field] ?? 0) + by;
    }
  }

  async delete(id: Id): Promise<void> {
    checkId(id);
    const stored = this.#customers.get(id);
    if (!stored) return;
    this.#customers.delete(id);
    this.#byPhone.delete(stored.phoneNumber);
  }

  #withPhone(phoneNumber: string): CustomerPrimitives | undefined {
    const id = this.#byPhone.get(phoneNumber);
    return id === undefined ? undefined : this.#customers.get(id);
  }

  #assertPhoneFree(phoneNumber: string, ownerId: Id): void {
    const holder = this.#byPhone.get(phoneNumber);
    if (holder !== undefined && holder !== ownerId) throw new DuplicateError('customer', 'phoneNumber');
  }
}

/** Case-insensitive prefix match on names, e-mail and phone (with or without the leading '+'). */
function matchesSearch(customer: CustomerPrimitives, term: string): boolean {
  const candidates = [
    customer.firstName,
    customer.lastName,
    customer.email,
    customer.phoneNumber,
    customer.phoneNumber.replace(/^\+/, ''),
  ];
  return candidates.some((value) => value?.toLowerCase().startsWith(term));
}
