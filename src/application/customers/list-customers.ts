import type {
  CustomerPrimitives,
  CustomerSegment,
  CustomerStatus,
} from '../../domain/customer/customer.types.js';
import type { Page } from '../ports/pagination.js';
import type { Ports } from '../ports/ports.js';
import { authorize } from '../shared/guards.js';
import { type PageInput, toPageRequest, type UseCaseInput } from '../shared/use-case-input.js';

export interface ListCustomersQuery extends UseCaseInput, PageInput {
  /** All of. */
  tags?: string[];
  segment?: CustomerSegment;
  status?: CustomerStatus;
  isBlocked?: boolean;
  /** Name, phone or e-mail. */
  search?: string;
}

/** Customers, most recently updated first, by keyset cursor. */
export class ListCustomers {
  constructor(private readonly ports: Pick<Ports, 'customers'>) {}

  async execute(input: ListCustomersQuery): Promise<Page<CustomerPrimitives>> {
    authorize(input.actor, 'customer.read');
    const search = input.search?.trim();
    return this.ports.customers.list(
      {
        ...(input.tags === undefined ? {} : { tags: input.tags.map((t) => t.trim().toLowerCase()) }),
        ...(input.segment === undefined ? {} : { segment: input.segment }),
        ...(input.status === undefined ? {} : { status: input.status }),
        ...(input.isBlocked === undefined ? {} : { isBlocked: input.isBlocked }),
        ...(search ? { search } : {}),
      },
      toPageRequest(input),
    );
  }
}
