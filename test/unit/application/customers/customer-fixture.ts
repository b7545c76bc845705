/** Customer use cases wired on the in-memory adapters, with stored agents of every role. */
import { BlockCustomer } from '../../../../src/application/customers/block-customer.js';
import { CreateCustomer } from '../../../../src/application/customers/create-customer.js';
import { EraseCustomer } from '../../../../src/application/customers/erase-customer.js';
import { GetCustomer } from '../../../../src/application/customers/get-customer.js';
import { ListCustomers } from '../../../../src/application/customers/list-customers.js';
import { UnblockCustomer } from '../../../../src/application/customers/unblock-customer.js';
import { UpdateCustomer } from '../../../../src/application/customers/update-customer.js';
import type { Ports } from '../../../../src/application/ports/ports.js';
import type { AgentActor } from '../../../../src/application/shared/actor.js';
import { makeTestPorts, seedAgent } from '../../../support/test-ports.js';

export async function customerFixture(overrides: Partial<Ports> = {}) {
  const ports = makeTestPorts(overrides);
  const admin = await seedAgent(ports, 'admin');
  const supervisor = await seedAgent(ports, 'supervisor');
  const ana = await seedAgent(ports, 'agent', { firstName: 'Ana' });
  const ben = await seedAgent(ports, 'agent', { firstName: 'Ben' });
  const uc = {
    create: new CreateCustomer(ports),
    update: new UpdateCustomer(ports),
    block: new BlockCustomer(ports),
    unblock: new UnblockCustomer(ports),
    list: new ListCustomers(ports),
    get: new GetCustomer(ports),
    erase: new EraseCustomer(ports),
  };
  const withOnly = (actor: AgentActor, ...permissions: AgentActor['permissions']): AgentActor => ({
    ...actor,
    permissions,
  });
  return { ports, admin, supervisor, ana, ben, uc, withOnly };
}

export type CustomerFixture = Awaited<ReturnType<typeof customerFixture>>;
