import { beforeEach, describe, expect, it } from 'vitest';
import { ListAgentActivity } from '../../../../src/application/activity/list-agent-activity.js';
import { ListEntityActivity } from '../../../../src/application/activity/list-entity-activity.js';
import { SetOwnStatus } from '../../../../src/application/agents/set-own-status.js';
import { UpdateCustomer } from '../../../../src/application/customers/update-customer.js';
import { ForbiddenError } from '../../../../src/domain/shared/errors.js';
import { makeTestPorts, seedAgent, type TestPorts } from '../../../support/test-ports.js';
import { seedCustomer } from '../../../support/test-seeds.js';

describe('activity use cases', () => {
  let ports: TestPorts;
  let supervisor: Awaited<ReturnType<typeof seedAgent>>;
  let ana: Awaited<ReturnType<typeof seedAgent>>;
  let ben: Awaited<ReturnType<typeof seedAgent>>;
  let byEntity: ListEntityActivity;
  let byAgent: ListAgentActivity;

  beforeEach(async () => {
    ports = makeTestPorts();
    supervisor = await seedAgent(ports, 'supervisor');
    ana = await seedAgent(ports, 'agent');
    ben = await seedAgent(ports, 'agent');
    byEntity = new ListEntityActivity(ports);
    byAgent = new ListAgentActivity(ports);
  });

  it("lists an entity's trail and an agent's actions, newest first, paged", async () => {
    const customer = await seedCustomer(ports);
    const update = new UpdateCustomer(ports);
    for (const name of ['Uno', 'Dos', 'Tres']) {
      await update.execute({ actor: ana.actor, customerId: customer.id, changes: { firstName: name } });
      ports.clock.advanceMinutes(1);
    }

    const first = await byEntity.execute({
      actor: supervisor.actor,
      entityType: 'customer',
      entityId: customer.id,
      limit: 2,
    });
    expect(first.items.map((e) => e.details.after?.firstName)).toEqual(['Tres', 'Dos']);
    const rest = await byEntity.execute({
      actor: supervisor.actor,
      entityType: 'customer',
      entityId: customer.id,
      cursor: first.nextCursor!,
    });
    expect(rest.items.map((e) => e.details.after?.firstName)).toEqual(['Uno']);

    const done = await byAgent.execute({ actor: supervisor.actor, agentId: ana.record.id });
    expect(done.items).toHaveLength(3);
    expect(done.items.every((e) => e.performedBy === ana.record.id)).toBe(true);
  });

  it('lets an agent read their own logs, but not anyone else’s nor other entities', async () => {
    await new SetOwnStatus(ports).execute({ actor: ana.actor, status: 'away' });
    await new SetOwnStatus(ports).execute({ actor: ben.actor, status: 'away' });

    await expect(byAgent.execute({ actor: ana.actor, agentId: ana.record.id })).resolves.toMatchObject({
      items: [expect.objectContaining({ performedBy: ana.record.id })],
    });
    await expect(
      byEntity.execute({ actor: ana.actor, entityType: 'agent', entityId: ana.record.id }),
    ).resolves.toMatchObject({ items: [expect.objectContaining({ entityId: ana.record.id })] });

    await expect(byAgent.execute({ actor: ana.actor, agentId: ben.record.id })).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    await expect(
      byEntity.execute({ actor: ana.actor, entityType: 'agent', entityId: ben.record.id }),
    ).rejects.toBeInstanceOf(ForbiddenError);
    await expect(
      byEntity.execute({ actor: ana.actor, entityType: 'customer', entityId: ben.record.id }),
    ).rejects.toBeInstanceOf(ForbiddenError);
    // A deactivated agent cannot read even their own.
    await expect(
      byAgent.execute({ actor: { ...ana.actor, isActive: false }, agentId: ana.record.id }),
    ).rejects.toBeInstanceOf(ForbiddenError);
  });
});
