import { describe, expect, it } from 'vitest';
import { Agent, type CreateAgentInput } from '../../../../src/domain/agent/agent.js';
import { ROLE_PERMISSIONS } from '../../../../src/domain/authorization/role-permissions.js';
import { BusinessRuleError, ValidationError } from '../../../../src/domain/shared/errors.js';
import { agentId, anAgent } from '../../../support/builders/agent.js';

const NOW = new Date('2025-03-03T15:00:00.000Z');
const LATER = new Date('2025-03-03T16:30:00.000Z');
const ID = agentId(0xa1);

const input = (overrides: Partial<CreateAgentInput> = {}): CreateAgentInput => ({
  email: 'Ana.Lopez@Example.COM ',
  passwordHash: '$argon2id$hash',
  firstName: 'Ana',
  lastName: 'López',
  ...overrides,
});

const create = (overrides: Partial<CreateAgentInput> = {}) =>
  Agent.create(input(overrides), { id: ID, now: NOW });

function validationField(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof ValidationError) return e.field;
    throw e;
  }
  return undefined;
}

describe('Agent.create', () => {
  it('applies the seed defaults', () => {
    const p = create().toPrimitives();
    expect(p).toEqual({
      id: ID,
      email: 'ana.lopez@example.com',
      passwordHash: '$argon2id$hash',
      firstName: 'Ana',
      lastName: 'López',
      role: 'agent',
      status: 'offline',
      permissions: [...ROLE_PERMISSIONS.agent],
      preferences: {
        language: 'es',
        timezone: 'America/Mexico_City',
        notifications: { email: true, push: true, sound: true },
        autoAssignment: true,
      },
      statistics: {
        totalConversations: 0,
        resolvedConversations: 0,
        averageResponseTime: 0,
        currentActiveConversations: 0,
      },
      isActive: true,
      createdAt: NOW,
      updatedAt: NOW,
      version: 0,
    });
  });

  it.each(['admin', 'supervisor', 'agent'] as const)(
    'gives a new %s the role’s default permissions',
    (role) => {
      expect(create({ role }).permissions).toEqual([...ROLE_PERMISSIONS[role]]);
    },
  );

  it('keeps explicit permissions (deduplicated) instead of the defaults', () => {
    const agent = create({
      role: 'agent',
      permissions: ['read:conversations', 'view:analytics', 'read:conversations'],
    });
    expect(agent.permissions).toEqual(['read:conversations', 'view:analytics']);
  });

  it.each([
    ['email', { email: 'not-an-email' }],
    ['email', { email: 'a b@c.com' }],
    ['firstName', { firstName: '   ' }],
    ['lastName', { lastName: '' }],
    ['firstName', { firstName: 'x'.repeat(51) }],
    ['lastName', { lastName: 'y'.repeat(51) }],
    ['role', { role: 'owner' as never }],
    ['permissions.1', { permissions: ['read:conversations', 'delete:everything'] }],
    ['passwordHash', { passwordHash: '' }],
    ['preferences.language', { preferences: { language: 'fr' } }],
    ['preferences.timezone', { preferences: { timezone: 'Mars/Olympus' } }],
    ['avatar', { avatar: 'javascript:alert(1)' }],
    ['supervisorId', { supervisorId: 'nope' }],
    ['supervisorId', { supervisorId: ID }],
  ])('refuses a bad %s', (field, overrides) => {
    expect(validationField(() => create(overrides as Partial<CreateAgentInput>))).toBe(field);
  });

  it('accepts names of exactly 50 characters', () => {
    expect(create({ firstName: 'x'.repeat(50), lastName: 'y'.repeat(50) }).firstName).toHaveLength(50);
  });

  it('merges partial preferences with the defaults', () => {
    const p = create({ preferences: { language: 'en', notifications: { sound: false } } }).toPrimitives()
      .preferences;
    expect(p).toEqual({
      language: 'en',
      timezone: 'America/Mexico_City',
      notifications: { email: true, push: true, sound: false },
      autoAssignment: true,
    });
  });
});

describe('Agent primitives', () => {
  it('round-trips through fromPrimitives/toPrimitives', () => {
    const p = create({
      phone: '+52 55 1234 5678',
      department: 'Soporte',
      supervisorId: agentId(0xb1),
    }).toPrimitives();
    expect(Agent.fromPrimitives(p).toPrimitives()).toEqual(p);
  });

  it('returns deep copies', () => {
    const agent = create();
    const p = agent.toPrimitives();
    p.preferences.notifications.email = false;
    p.permissions.push('system:admin');
    p.createdAt.setFullYear(2000);
    expect(agent.toPrimitives().preferences.notifications.email).toBe(true);
    expect(agent.permissions).not.toContain('system:admin');
    expect(agent.toPrimitives().createdAt).toEqual(NOW);
  });

  it('validates enums when rehydrating', () => {
    const p = create().toPrimitives();
    expect(validationField(() => Agent.fromPrimitives({ ...p, status: 'sleeping' as never }))).toBe('status');
    expect(validationField(() => Agent.fromPrimitives({ ...p, role: 'root' as never }))).toBe('role');
    expect(validationField(() => Agent.fromPrimitives({ ...p, permissions: ['x' as never] }))).toBe(
      'permissions.0',
    );
  });

  it('toPublic() leaves out the password hash and nothing else', () => {
    const agent = create();
    const pub = agent.toPublic();
    expect(pub).not.toHaveProperty('passwordHash');
    const { passwordHash: _h, ...rest } = agent.toPrimitives();
    expect(pub).toEqual(rest);
  });
});

describe('Agent mutators', () => {
  it('updateProfile changes, clears and validates fields, bumping updatedAt', () => {
    const agent = create({ phone: '555', department: 'Ventas' });
    agent.pullEvents();
    agent.updateProfile(
      { firstName: ' Ana María ', department: null, avatar: 'https://cdn.example.com/a.png' },
      LATER,
    );
    const p = agent.toPrimitives();
    expect(p.firstName).toBe('Ana María');
    expect(p).not.toHaveProperty('department');
    expect(p.avatar).toBe('https://cdn.example.com/a.png');
    expect(p.phone).toBe('555');
    expect(p.updatedAt).toEqual(LATER);
    expect(agent.pullEvents()).toEqual([
      {
        type: 'agent.updated',
        occurredAt: LATER,
        payload: { agentId: ID, changes: ['firstName', 'department', 'avatar'] },
      },
    ]);
    expect(validationField(() => agent.updateProfile({ lastName: 'z'.repeat(51) }, LATER))).toBe('lastName');
  });

  it('changeRole resets permissions to the new role’s defaults', () => {
    const agent = create({ permissions: ['read:conversations'] });
    agent.changeRole('supervisor', LATER);
    expect(agent.role).toBe('supervisor');
    expect(agent.permissions).toEqual([...ROLE_PERMISSIONS.supervisor]);
  });

  it('changeRole keeps explicit permissions when given', () => {
    const agent = create();
    agent.changeRole('supervisor', LATER, ['read:conversations', 'view:analytics']);
    expect(agent.permissions).toEqual(['read:conversations', 'view:analytics']);
  });

  it('setPermissions validates each permission', () => {
    const agent = create();
    agent.setPermissions(['manage:tickets'], LATER);
    expect(agent.permissions).toEqual(['manage:tickets']);
    expect(validationField(() => agent.setPermissions(['manage:tickets', 'fly'], LATER))).toBe(
      'permissions.1',
    );
    expect(agent.permissions).toEqual(['manage:tickets']);
  });

  it('setStatus changes presence and records activity', () => {
    const agent = create();
    agent.pullEvents();
    agent.setStatus('online', LATER);
    expect(agent.status).toBe('online');
    expect(agent.lastActivity).toEqual(LATER);
    expect(agent.pullEvents()).toHaveLength(1);
    agent.setStatus('online', LATER);
    expect(agent.pullEvents()).toHaveLength(0);
    expect(validationField(() => agent.setStatus('sleeping' as never, LATER))).toBe('status');
  });

  it.each(['online', 'busy', 'away'] as const)('a deactivated agent cannot go %s', (status) => {
    const agent = create();
    agent.deactivate(NOW);
    expect(() => agent.setStatus(status, LATER)).toThrow(BusinessRuleError);
    try {
      agent.setStatus(status, LATER);
    } catch (e) {
      expect((e as BusinessRuleError).code).toBe('AGENT.INACTIVE');
    }
    expect(agent.status).toBe('offline');
    expect(() => agent.setStatus('offline', LATER)).not.toThrow();
  });

  it('deactivate sets isActive false and status offline, keeping history; reactivate restores access', () => {
    const agent = anAgent().withId(ID).online().withActiveConversations(2).build();
    agent.deactivate(LATER);
    const p = agent.toPrimitives();
    expect(p.isActive).toBe(false);
    expect(p.status).toBe('offline');
    expect(p.statistics.currentActiveConversations).toBe(2);
    expect(p.email).toBe(`agent.${ID}@example.com`);
    agent.reactivate(LATER);
    expect(agent.isActive).toBe(true);
    expect(agent.status).toBe('offline');
    agent.setStatus('online', LATER);
    expect(agent.status).toBe('online');
  });

  it('updatePreferences validates language and timezone and merges the rest', () => {
    const agent = create();
    agent.pullEvents();
    agent.updatePreferences(
      { language: 'en', timezone: 'europe/madrid', notifications: { push: false } },
      LATER,
    );
    expect(agent.preferences).toEqual({
      language: 'en',
      timezone: 'Europe/Madrid',
      notifications: { email: true, push: false, sound: true },
      autoAssignment: true,
    });
    expect(agent.pullEvents()[0]?.payload).toEqual({
      agentId: ID,
      changes: ['preferences.language', 'preferences.timezone', 'preferences.notifications'],
    });
    expect(validationField(() => agent.updatePreferences({ language: 'de' }, LATER))).toBe(
      'preferences.language',
    );
    expect(validationField(() => agent.updatePreferences({ timezone: 'Nowhere/City' }, LATER))).toBe(
      'preferences.timezone',
    );
    expect(validationField(() => agent.updatePreferences({ timezone: '' }, LATER))).toBe(
      'preferences.timezone',
    );
    agent.updatePreferences({ autoAssignment: false }, LATER);
    expect(agent.preferences.autoAssignment).toBe(false);
  });

  it('changePasswordHash replaces the hash without exposing it in the event', () => {
    const agent = create();
    agent.pullEvents();
    agent.changePasswordHash('$argon2id$new', LATER);
    expect(agent.passwordHash).toBe('$argon2id$new');
    const [event] = agent.pullEvents();
    expect(JSON.stringify(event)).not.toContain('$argon2id$new');
    expect(validationField(() => agent.changePasswordHash(' ', LATER))).toBe('passwordHash');
  });

  it('recordLogin stamps lastLogin and lastActivity; refused for a deactivated agent', () => {
    const agent = create();
    agent.recordLogin(LATER);
    expect(agent.lastLogin).toEqual(LATER);
    expect(agent.lastActivity).toEqual(LATER);
    agent.deactivate(LATER);
    expect(() => agent.recordLogin(LATER)).toThrow(BusinessRuleError);
  });

  it('changeEmail normalises and validates', () => {
    const agent = create();
    agent.changeEmail(' NEW@Example.com', LATER);
    expect(agent.email).toBe('new@example.com');
    expect(validationField(() => agent.changeEmail('nope', LATER))).toBe('email');
  });

  it('setSupervisor refuses the agent themselves', () => {
    const agent = create();
    agent.setSupervisor(agentId(0xb2), LATER);
    expect(agent.supervisorId).toBe(agentId(0xb2));
    expect(validationField(() => agent.setSupervisor(ID, LATER))).toBe('supervisorId');
    agent.setSupervisor(undefined, LATER);
    expect(agent.toPrimitives()).not.toHaveProperty('supervisorId');
  });

  it('every mutator records agent.updated', () => {
    const agent = create();
    agent.pullEvents();
    agent.changeRole('admin', LATER);
    agent.setPermissions(['system:admin'], LATER);
    agent.setStatus('away', LATER);
    agent.updatePreferences({ language: 'en' }, LATER);
    agent.changePasswordHash('h2', LATER);
    agent.recordLogin(LATER);
    agent.deactivate(LATER);
    agent.reactivate(LATER);
    const events = agent.pullEvents();
    expect(events).toHaveLength(8);
    expect(new Set(events.map((e) => e.type))).toEqual(new Set(['agent.updated']));
  });
});

describe('agent builder', () => {
  it('builds the requested state', () => {
    const a = anAgent().withRole('supervisor').online().withActiveConversations(3).build();
    expect(a.role).toBe('supervisor');
    expect(a.status).toBe('online');
    expect(a.statistics.currentActiveConversations).toBe(3);
    expect(a.permissions).toEqual([...ROLE_PERMISSIONS.supervisor]);
  });
});
