import { beforeEach, describe, expect, it } from 'vitest';
import { SYSTEM } from '../../../../src/application/shared/actor.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../../../../src/domain/shared/errors.js';
import { newId } from '../../../support/records.js';
import { activityOf, clearPublished, publishedTypes } from '../../../support/test-seeds.js';
import { type AgentFixture, agentFixture } from './agent-fixture.js';

describe('SetOwnStatus / UpdateOwnPreferences', () => {
  let fx: AgentFixture;
  beforeEach(async () => {
    fx = await agentFixture();
  });

  it('sets the own presence, audited and published', async () => {
    clearPublished(fx.ports);
    fx.ports.clock.advanceMinutes(7);
    const saved = await fx.uc.setOwnStatus.execute({ actor: fx.ana.actor, status: 'away' });
    expect(saved).toMatchObject({ status: 'away', lastActivity: fx.ports.clock.now() });
    expect(await fx.ports.agents.findById(fx.ana.record.id)).toMatchObject({ status: 'away' });
    expect((await activityOf(fx.ports, 'agent', fx.ana.record.id))[0]).toMatchObject({
      action: 'updated',
      performedBy: fx.ana.actor.id,
      details: { changes: ['lastActivity', 'status'] },
    });
    expect(publishedTypes(fx.ports)).toEqual(['agent.updated']);
  });

  it('keeps a deactivated agent offline and refuses the system actor', async () => {
    const stored = (await fx.ports.agents.findById(fx.ana.record.id))!;
    await fx.ports.agents.update({ ...stored, isActive: false, status: 'offline' });
    // Even with a session still carrying isActive (the entity decides from the stored record).
    await expect(fx.uc.setOwnStatus.execute({ actor: fx.ana.actor, status: 'online' })).rejects.toMatchObject(
      {
        code: 'AGENT.INACTIVE',
      },
    );
    await expect(fx.uc.setOwnStatus.execute({ actor: SYSTEM, status: 'online' })).rejects.toBeInstanceOf(
      ForbiddenError,
    );
  });

  it('updates the own preferences and refuses invalid ones with the field', async () => {
    const saved = await fx.uc.updateOwnPreferences.execute({
      actor: fx.ana.actor,
      preferences: { language: 'en', notifications: { sound: false } },
    });
    expect(saved.preferences).toMatchObject({
      language: 'en',
      notifications: { email: true, push: true, sound: false },
    });
    expect((await activityOf(fx.ports, 'agent', fx.ana.record.id))[0]?.details.changes).toEqual([
      'preferences.language',
      'preferences.notifications.sound',
    ]);
    await expect(
      fx.uc.updateOwnPreferences.execute({ actor: fx.ana.actor, preferences: { timezone: 'Mars/Olympus' } }),
    ).rejects.toSatisfy((e) => e instanceof ValidationError && e.field === 'preferences.timezone');
  });
});

describe('ListAgents / GetAgent', () => {
  let fx: AgentFixture;
  beforeEach(async () => {
    fx = await agentFixture();
  });

  it('lists public views with filters, never a password hash', async () => {
    const page = await fx.uc.list.execute({ actor: fx.ana.actor });
    expect(page.items.map((a) => a.id).sort()).toEqual(
      [fx.admin.record.id, fx.supervisor.record.id, fx.ana.record.id].sort(),
    );
    for (const agent of page.items) expect(agent).not.toHaveProperty('passwordHash');
    const supervisors = await fx.uc.list.execute({ actor: fx.ana.actor, role: 'supervisor' });
    expect(supervisors.items.map((a) => a.id)).toEqual([fx.supervisor.record.id]);
  });

  it('gets one agent; anyone may read themselves, reading others needs read:conversations', async () => {
    const me = await fx.uc.get.execute({ actor: fx.ana.actor, agentId: fx.ana.record.id });
    expect(me).toMatchObject({ id: fx.ana.record.id, email: fx.ana.record.email });
    expect(me).not.toHaveProperty('passwordHash');

    const bare = fx.withOnly(fx.ana.actor);
    await expect(fx.uc.get.execute({ actor: bare, agentId: fx.ana.record.id })).resolves.toMatchObject({
      id: fx.ana.record.id,
    });
    await expect(fx.uc.get.execute({ actor: bare, agentId: fx.admin.record.id })).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    await expect(fx.uc.list.execute({ actor: bare })).rejects.toBeInstanceOf(ForbiddenError);
    await expect(fx.uc.get.execute({ actor: fx.admin.actor, agentId: newId() })).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });
});
