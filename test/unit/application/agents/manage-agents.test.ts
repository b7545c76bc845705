import { beforeEach, describe, expect, it } from 'vitest';
import { ROLE_PERMISSIONS } from '../../../../src/domain/authorization/role-permissions.js';
import {
  DuplicateError,
  ForbiddenError,
  NotFoundError,
  ValidationError,
} from '../../../../src/domain/shared/errors.js';
import { newId, sessionRecord } from '../../../support/records.js';
import { seedAgent } from '../../../support/test-ports.js';
import { activityOf, clearPublished, publishedTypes, rejectionOf } from '../../../support/test-seeds.js';
import { type AgentFixture, agentFixture, PASSWORD } from './agent-fixture.js';

describe('CreateAgent', () => {
  let fx: AgentFixture;
  beforeEach(async () => {
    fx = await agentFixture();
  });

  it('creates the agent with a hashed password, audits without the hash, returns the public view', async () => {
    const created = await fx.uc.create.execute({
      actor: fx.admin.actor,
      email: ' Carla@Example.com ',
      password: PASSWORD,
      firstName: 'Carla',
      lastName: 'Núñez',
      role: 'supervisor',
      supervisorId: fx.admin.record.id,
    });

    expect(created).not.toHaveProperty('passwordHash');
    const stored = (await fx.ports.agents.findById(created.id))!;
    expect(stored).toMatchObject({
      email: 'carla@example.com',
      role: 'supervisor',
      supervisorId: fx.admin.record.id,
      isActive: true,
      status: 'offline',
    });
    expect([...stored.permissions].sort()).toEqual([...ROLE_PERMISSIONS.supervisor].sort());
    expect(stored.passwordHash).not.toBe(PASSWORD);
    await expect(fx.ports.passwords.verify(stored.passwordHash, PASSWORD)).resolves.toBe(true);

    const [entry] = await activityOf(fx.ports, 'agent', created.id);
    expect(entry).toMatchObject({ action: 'created', performedBy: fx.admin.actor.id });
    expect(entry?.details.changes).toContain('passwordHash');
    expect(JSON.stringify(entry)).not.toContain(stored.passwordHash);
  });

  it('refuses a short password, a taken e-mail, a supervisor that does not exist or is not a supervisor', async () => {
    const base = { actor: fx.admin.actor, firstName: 'C', lastName: 'N', password: PASSWORD };
    await expect(
      fx.uc.create.execute({ ...base, email: 'c@example.com', password: 'short-pw-11' }),
    ).rejects.toMatchObject({
      field: 'password',
      code: 'AUTH.PASSWORD_TOO_SHORT',
    });
    await fx.uc.create.execute({ ...base, email: 'c@example.com' });
    const dup = await rejectionOf(fx.uc.create.execute({ ...base, email: 'C@example.com' }));
    expect(dup).toBeInstanceOf(DuplicateError);
    expect(dup).toMatchObject({ code: 'AGENT.DUPLICATE_EMAIL' });
    await expect(
      fx.uc.create.execute({ ...base, email: 'd@example.com', supervisorId: newId() }),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      fx.uc.create.execute({ ...base, email: 'd@example.com', supervisorId: fx.ana.record.id }),
    ).rejects.toMatchObject({ field: 'supervisorId' });
    expect(await fx.ports.agents.findByEmail('d@example.com')).toBeNull();
  });

  it('refuses actors without manage:agents, and granting more than the actor holds', async () => {
    const input = { email: 'x@example.com', password: PASSWORD, firstName: 'X', lastName: 'Y' };
    await expect(fx.uc.create.execute({ ...input, actor: fx.supervisor.actor })).rejects.toBeInstanceOf(
      ForbiddenError,
    );

    const delegated = fx.withOnly(
      fx.supervisor.actor,
      'manage:agents',
      'read:conversations',
      'write:messages',
    );
    await expect(fx.uc.create.execute({ ...input, actor: delegated, role: 'admin' })).rejects.toMatchObject({
      code: 'AGENT.PRIVILEGE_ESCALATION',
    });
    await expect(
      fx.uc.create.execute({
        ...input,
        actor: delegated,
        permissions: ['read:conversations', 'system:admin'],
      }),
    ).rejects.toMatchObject({ code: 'AGENT.PRIVILEGE_ESCALATION' });
    await expect(
      fx.uc.create.execute({ ...input, actor: delegated, permissions: ['read:conversations'] }),
    ).resolves.toMatchObject({ permissions: ['read:conversations'] });
  });
});

describe('UpdateAgent', () => {
  let fx: AgentFixture;
  beforeEach(async () => {
    fx = await agentFixture();
  });

  it('changes profile, role and supervisor; audits and publishes', async () => {
    clearPublished(fx.ports);
    const saved = await fx.uc.update.execute({
      actor: fx.admin.actor,
      agentId: fx.ana.record.id,
      profile: { department: 'Cobranza', phone: null },
      role: 'supervisor',
      supervisorId: fx.supervisor.record.id,
    });
    expect(saved).not.toHaveProperty('passwordHash');
    const stored = (await fx.ports.agents.findById(fx.ana.record.id))!;
    expect(stored).toMatchObject({
      department: 'Cobranza',
      role: 'supervisor',
      supervisorId: fx.supervisor.record.id,
    });
    expect([...stored.permissions].sort()).toEqual([...ROLE_PERMISSIONS.supervisor].sort());
    const [entry] = await activityOf(fx.ports, 'agent', fx.ana.record.id);
    expect(entry).toMatchObject({ action: 'updated', performedBy: fx.admin.actor.id });
    expect(entry?.details.changes).toEqual(['department', 'permissions', 'role', 'supervisorId']);
    expect(new Set(publishedTypes(fx.ports))).toEqual(new Set(['agent.updated']));

    await fx.uc.update.execute({ actor: fx.admin.actor, agentId: fx.ana.record.id, supervisorId: null });
    expect(await fx.ports.agents.findById(fx.ana.record.id)).not.toHaveProperty('supervisorId');
  });

  it('refuses demoting the last active admin or removing their manage:agents, allows it with a second admin', async () => {
    const demote = () =>
      fx.uc.update.execute({ actor: fx.admin.actor, agentId: fx.admin.record.id, role: 'supervisor' });
    await expect(demote()).rejects.toMatchObject({ code: 'AGENT.LAST_ADMIN' });
    await expect(
      fx.uc.update.execute({
        actor: fx.admin.actor,
        agentId: fx.admin.record.id,
        permissions: ['system:admin', 'read:conversations'],
      }),
    ).rejects.toMatchObject({ code: 'AGENT.LAST_ADMIN' });
    expect((await fx.ports.agents.findById(fx.admin.record.id))?.role).toBe('admin');

    await seedAgent(fx.ports, 'admin');
    await expect(demote()).resolves.toMatchObject({ role: 'supervisor' });
  });

  it('refuses a supervisor that does not exist, a missing agent, an actor without manage:agents', async () => {
    await expect(
      fx.uc.update.execute({ actor: fx.admin.actor, agentId: fx.ana.record.id, supervisorId: newId() }),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      fx.uc.update.execute({ actor: fx.admin.actor, agentId: newId(), profile: { firstName: 'X' } }),
    ).rejects.toMatchObject({ code: 'AGENT.NOT_FOUND' });
    await expect(
      fx.uc.update.execute({ actor: fx.supervisor.actor, agentId: fx.ana.record.id, role: 'admin' }),
    ).rejects.toBeInstanceOf(ForbiddenError);
    expect((await fx.ports.agents.findById(fx.ana.record.id))?.role).toBe('agent');
  });

  it('refuses an invalid e-mail with the field', async () => {
    const err = await rejectionOf(
      fx.uc.update.execute({ actor: fx.admin.actor, agentId: fx.ana.record.id, email: 'not-an-email' }),
    );
    expect(err).toBeInstanceOf(ValidationError);
    expect(err).toMatchObject({ field: 'email' });
  });
});

describe('DeactivateAgent / ReactivateAgent', () => {
  let fx: AgentFixture;
  beforeEach(async () => {
    fx = await agentFixture();
  });

  it('deactivates, revokes every session, publishes agent.sessions_revoked; conversations stay assigned', async () => {
    await fx.ports.sessions.insert(sessionRecord({ agentId: fx.ana.record.id }));
    await fx.ports.sessions.insert(sessionRecord({ agentId: fx.ana.record.id }));
    const other = sessionRecord({ agentId: fx.supervisor.record.id });
    await fx.ports.sessions.insert(other);
    clearPublished(fx.ports);

    const result = await fx.uc.deactivate.execute({
      actor: fx.admin.actor,
      agentId: fx.ana.record.id,
      reason: 'Dejó la empresa',
    });

    expect(result.sessionsRevoked).toBe(2);
    expect(result.agent).toMatchObject({ isActive: false, status: 'offline' });
    expect(result.agent).not.toHaveProperty('passwordHash');
    expect(await fx.ports.agents.findById(fx.ana.record.id)).toMatchObject({
      isActive: false,
      status: 'offline',
    });
    expect(await fx.ports.sessions.deleteByAgent(fx.ana.record.id)).toBe(0);
    expect(await fx.ports.sessions.findByTokenHash(other.tokenHash)).not.toBeNull();
    expect((await activityOf(fx.ports, 'agent', fx.ana.record.id))[0]).toMatchObject({
      action: 'updated',
      performedBy: fx.admin.actor.id,
      details: { reason: 'Dejó la empresa', changes: ['isActive', 'status'] },
    });
    expect(publishedTypes(fx.ports)).toEqual(['agent.updated', 'agent.sessions_revoked']);
    expect(fx.ports.published[1]).toMatchObject({
      type: 'agent.sessions_revoked',
      occurredAt: fx.ports.clock.now(),
      payload: { agentId: fx.ana.record.id },
    });

    const back = await fx.uc.reactivate.execute({ actor: fx.admin.actor, agentId: fx.ana.record.id });
    expect(back).toMatchObject({ isActive: true, status: 'offline' });
    expect((await activityOf(fx.ports, 'agent', fx.ana.record.id))[0]?.details.changes).toEqual(['isActive']);
  });

  it('refuses deactivating the last active admin, allows it once another admin exists', async () => {
    const err = await rejectionOf(
      fx.uc.deactivate.execute({ actor: fx.admin.actor, agentId: fx.admin.record.id }),
    );
    expect(err).toMatchObject({ code: 'AGENT.LAST_ADMIN' });
    expect((await fx.ports.agents.findById(fx.admin.record.id))?.isActive).toBe(true);

    const second = await seedAgent(fx.ports, 'admin');
    await fx.ports.agents.update({ ...second.record, isActive: false }); // an inactive admin does not count
    await expect(
      fx.uc.deactivate.execute({ actor: fx.admin.actor, agentId: fx.admin.record.id }),
    ).rejects.toMatchObject({
      code: 'AGENT.LAST_ADMIN',
    });
    const third = await seedAgent(fx.ports, 'admin');
    await expect(
      fx.uc.deactivate.execute({ actor: third.actor, agentId: fx.admin.record.id }),
    ).resolves.toMatchObject({ agent: { isActive: false } });
  });

  it('refuses actors without manage:agents and a missing agent', async () => {
    await expect(
      fx.uc.deactivate.execute({ actor: fx.supervisor.actor, agentId: fx.ana.record.id }),
    ).rejects.toBeInstanceOf(ForbiddenError);
    await expect(
      fx.uc.reactivate.execute({ actor: fx.ana.actor, agentId: fx.ana.record.id }),
    ).rejects.toBeInstanceOf(ForbiddenError);
    await expect(
      fx.uc.deactivate.execute({ actor: fx.admin.actor, agentId: newId() }),
    ).rejects.toBeInstanceOf(NotFoundError);
    expect((await fx.ports.agents.findById(fx.ana.record.id))?.isActive).toBe(true);
  });
});
