import { describe, expect, it } from 'vitest';
import type { AgentRole, Permission } from '../../../../src/domain/agent/agent.types.js';
import {
  ACTION_PERMISSIONS,
  ACTIONS,
  type Action,
  type Actor,
  AuthorizationError,
  assertAuthorized,
  authorize,
  conversationVisibilityFilter,
  type Resource,
} from '../../../../src/domain/authorization/authorize.js';
import { defaultPermissionsFor } from '../../../../src/domain/authorization/role-permissions.js';
import { ForbiddenError } from '../../../../src/domain/shared/errors.js';
import { agentId, anAgent } from '../../../support/builders/agent.js';

const ME = agentId(0x101);
const OTHER = agentId(0x102);
const THIRD = agentId(0x103);

const actor = (role: AgentRole, overrides: Partial<Actor> = {}): Actor => ({
  id: ME,
  role,
  permissions: defaultPermissionsFor(role),
  isActive: true,
  ...overrides,
});

/** Expected outcome of each action, without a resource (own record for agent.updateSelf), per role. */
const MATRIX: Record<Action, Record<AgentRole, boolean>> = {
  'conversation.read': { admin: true, supervisor: true, agent: true },
  'conversation.update': { admin: true, supervisor: true, agent: true },
  'conversation.assign': { admin: true, supervisor: true, agent: false },
  'conversation.transfer': { admin: true, supervisor: true, agent: false },
  'conversation.changeStatus': { admin: true, supervisor: true, agent: true },
  'conversation.note': { admin: true, supervisor: true, agent: true },
  'message.send': { admin: true, supervisor: true, agent: true },
  'message.read': { admin: true, supervisor: true, agent: true },
  'customer.read': { admin: true, supervisor: true, agent: true },
  'customer.write': { admin: true, supervisor: true, agent: true },
  'customer.block': { admin: true, supervisor: true, agent: true },
  'customer.erase': { admin: true, supervisor: false, agent: false },
  'ticket.read': { admin: true, supervisor: true, agent: true },
  'ticket.write': { admin: true, supervisor: true, agent: true },
  'ticket.escalate': { admin: true, supervisor: true, agent: true },
  'agent.read': { admin: true, supervisor: true, agent: true },
  'agent.manage': { admin: true, supervisor: false, agent: false },
  'agent.updateSelf': { admin: true, supervisor: true, agent: true },
  'settings.read': { admin: true, supervisor: true, agent: true },
  'settings.write': { admin: true, supervisor: false, agent: false },
  'analytics.read': { admin: true, supervisor: true, agent: false },
  'activity.read': { admin: true, supervisor: true, agent: false },
  'ai.use': { admin: true, supervisor: true, agent: true },
};

const defaultResource = (action: Action): Resource | undefined =>
  action === 'agent.updateSelf' ? { kind: 'agent', id: ME } : undefined;

const ROLES: AgentRole[] = ['admin', 'supervisor', 'agent'];

describe('authorize: permission matrix (role defaults × every action)', () => {
  it('the matrix covers every action the API exposes', () => {
    expect(Object.keys(MATRIX).sort()).toEqual([...ACTIONS].sort());
  });

  const rows = ACTIONS.flatMap((action) =>
    ROLES.map((role) => ({ action, role, allowed: MATRIX[action][role] })),
  );
  it.each(rows)('$role → $action: $allowed', ({ action, role, allowed }) => {
    const decision = authorize(actor(role), action, defaultResource(action));
    expect(decision.allowed).toBe(allowed);
    if (!decision.allowed) {
      expect(decision.reason).toBe('missing_permission');
      expect(decision.missingPermission).toBe(ACTION_PERMISSIONS[action]);
    }
  });

  it.each(ACTIONS)('an inactive admin may not %s', (action) => {
    const decision = authorize(actor('admin', { isActive: false }), action, defaultResource(action));
    expect(decision).toMatchObject({ allowed: false, reason: 'inactive' });
  });

  it.each(ACTIONS.filter((a) => ACTION_PERMISSIONS[a] !== null))(
    '%s is refused to an actor without any permission (the permission, not the role, decides)',
    (action) => {
      const decision = authorize(actor('admin', { permissions: [] }), action, defaultResource(action));
      expect(decision.allowed).toBe(false);
    },
  );

  it('follows the actor’s explicit permissions rather than the role defaults', () => {
    const readOnly = actor('agent', { permissions: ['read:conversations'] });
    expect(authorize(readOnly, 'conversation.read').allowed).toBe(true);
    expect(authorize(readOnly, 'message.send')).toMatchObject({
      allowed: false,
      reason: 'missing_permission',
      missingPermission: 'write:messages',
    });
    const analyst = actor('agent', { permissions: [...defaultPermissionsFor('agent'), 'view:analytics'] });
    expect(authorize(analyst, 'analytics.read').allowed).toBe(true);
  });

  it('maps the sensitive actions to the permissions the brief demands', () => {
    expect(ACTION_PERMISSIONS['customer.erase']).toBe('system:admin');
    expect(ACTION_PERMISSIONS['settings.write']).toBe('system:admin');
    expect(ACTION_PERMISSIONS['agent.manage']).toBe('manage:agents');
    expect(ACTION_PERMISSIONS['conversation.assign']).toBe('assign:conversations');
    expect(ACTION_PERMISSIONS['conversation.transfer']).toBe('assign:conversations');
  });
});

const CONVERSATION_ACTIONS: Action[] = [
  'conversation.read',
  'conversation.update',
  'conversation.changeStatus',
  'conversation.note',
  'message.send',
  'message.read',
  'ai.use',
];

describe('authorize: conversation scope', () => {
  const mine: Resource = { kind: 'conversation', assignedAgent: ME };
  const queue: Resource = { kind: 'conversation' };
  const theirs: Resource = { kind: 'conversation', assignedAgent: OTHER };

  it.each(CONVERSATION_ACTIONS)('an agent may %s their own and unassigned conversations', (action) => {
    expect(authorize(actor('agent'), action, mine).allowed).toBe(true);
    expect(authorize(actor('agent'), action, queue).allowed).toBe(true);
  });

  it.each(CONVERSATION_ACTIONS)('an agent may not %s a conversation assigned to someone else', (action) => {
    expect(authorize(actor('agent'), action, theirs)).toMatchObject({
      allowed: false,
      reason: 'out_of_scope',
    });
  });

  it.each(CONVERSATION_ACTIONS)('supervisors and admins may %s anyone’s conversation', (action) => {
    expect(authorize(actor('supervisor'), action, theirs).allowed).toBe(true);
    expect(authorize(actor('admin'), action, theirs).allowed).toBe(true);
  });

  it('scope is by role: an agent given assign:conversations still only reaches own + queue', () => {
    const lead = actor('agent', { permissions: [...defaultPermissionsFor('agent'), 'assign:conversations'] });
    expect(
      authorize(lead, 'conversation.transfer', { kind: 'conversation', assignedAgent: ME, assignTo: OTHER })
        .allowed,
    ).toBe(true);
    expect(
      authorize(lead, 'conversation.transfer', {
        kind: 'conversation',
        assignedAgent: OTHER,
        assignTo: THIRD,
      }),
    ).toMatchObject({ allowed: false, reason: 'out_of_scope' });
  });
});

describe('authorize: assigning and transferring', () => {
  it('lets an agent take an unassigned conversation for themselves', () => {
    expect(authorize(actor('agent'), 'conversation.assign', { kind: 'conversation', assignTo: ME })).toEqual({
      allowed: true,
    });
  });

  it('refuses an agent assigning an unassigned conversation to someone else', () => {
    expect(
      authorize(actor('agent'), 'conversation.assign', { kind: 'conversation', assignTo: OTHER }),
    ).toMatchObject({
      allowed: false,
      reason: 'missing_permission',
      missingPermission: 'assign:conversations',
    });
  });

  it('refuses an agent taking a conversation that already belongs to someone else', () => {
    const decision = authorize(actor('agent'), 'conversation.assign', {
      kind: 'conversation',
      assignedAgent: OTHER,
      assignTo: ME,
    });
    expect(decision.allowed).toBe(false);
  });

  it('refuses an agent transferring their own conversation to a colleague', () => {
    const decision = authorize(actor('agent'), 'conversation.transfer', {
      kind: 'conversation',
      assignedAgent: ME,
      assignTo: OTHER,
    });
    expect(decision).toMatchObject({ allowed: false, reason: 'missing_permission' });
  });

  it('requires being able to answer (write:messages) to take a conversation', () => {
    const reader = actor('agent', { permissions: ['read:conversations'] });
    expect(authorize(reader, 'conversation.assign', { kind: 'conversation', assignTo: ME })).toMatchObject({
      allowed: false,
      missingPermission: 'write:messages',
    });
  });

  it('lets supervisors and admins assign and transfer between other agents', () => {
    const r: Resource = { kind: 'conversation', assignedAgent: OTHER, assignTo: THIRD };
    for (const role of ['supervisor', 'admin'] as const) {
      expect(authorize(actor(role), 'conversation.assign', r).allowed).toBe(true);
      expect(authorize(actor(role), 'conversation.transfer', r).allowed).toBe(true);
    }
  });
});

describe('authorize: ticket scope', () => {
  it.each([
    ['assigned to them', { assignedAgent: ME }],
    ['unassigned', {}],
    ['whose conversation is theirs', { assignedAgent: OTHER, conversationAssignedAgent: ME }],
  ])('an agent may work a ticket %s', (_label, fields) => {
    for (const action of ['ticket.read', 'ticket.write', 'ticket.escalate'] as const) {
      expect(authorize(actor('agent'), action, { kind: 'ticket', ...fields }).allowed).toBe(true);
    }
  });

  it('an agent may not see a ticket of someone else’s conversation', () => {
    const ticket: Resource = { kind: 'ticket', assignedAgent: OTHER, conversationAssignedAgent: THIRD };
    expect(authorize(actor('agent'), 'ticket.read', ticket)).toMatchObject({
      allowed: false,
      reason: 'out_of_scope',
    });
    expect(authorize(actor('supervisor'), 'ticket.read', ticket).allowed).toBe(true);
  });
});

describe('authorize: agents', () => {
  it('agent.updateSelf is allowed for one’s own id only', () => {
    expect(
      authorize(actor('agent', { permissions: [] }), 'agent.updateSelf', { kind: 'agent', id: ME }).allowed,
    ).toBe(true);
    expect(authorize(actor('admin'), 'agent.updateSelf', { kind: 'agent', id: OTHER })).toMatchObject({
      allowed: false,
      reason: 'not_self',
    });
    expect(authorize(actor('agent'), 'agent.updateSelf')).toMatchObject({
      allowed: false,
      reason: 'not_self',
    });
  });

  it('one’s own agent record is readable without any permission', () => {
    const nobody = actor('agent', { permissions: [] });
    expect(authorize(nobody, 'agent.read', { kind: 'agent', id: ME }).allowed).toBe(true);
    expect(authorize(nobody, 'agent.read', { kind: 'agent', id: OTHER }).allowed).toBe(false);
  });

  it('agent.manage needs manage:agents even on oneself', () => {
    expect(authorize(actor('supervisor'), 'agent.manage', { kind: 'agent', id: ME }).allowed).toBe(false);
    expect(authorize(actor('admin'), 'agent.manage', { kind: 'agent', id: OTHER }).allowed).toBe(true);
  });
});

describe('authorize: resource kinds', () => {
  it('refuses a resource of the wrong kind (fails closed)', () => {
    expect(authorize(actor('admin'), 'conversation.read', { kind: 'ticket' })).toMatchObject({
      allowed: false,
      reason: 'resource_mismatch',
    });
    expect(authorize(actor('admin'), 'customer.read', { kind: 'conversation' })).toMatchObject({
      allowed: false,
      reason: 'resource_mismatch',
    });
  });
});

describe('assertAuthorized', () => {
  it('returns quietly when allowed', () => {
    expect(() =>
      assertAuthorized(actor('agent'), 'message.send', { kind: 'conversation', assignedAgent: ME }),
    ).not.toThrow();
  });

  it('throws a ForbiddenError carrying the reason', () => {
    let error: unknown;
    try {
      assertAuthorized(actor('agent'), 'settings.write');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ForbiddenError);
    expect(error).toBeInstanceOf(AuthorizationError);
    expect(error).toMatchObject({ kind: 'forbidden', code: 'AUTH.FORBIDDEN', reason: 'missing_permission' });
  });

  it('accepts an Agent entity as the actor', () => {
    const supervisor = anAgent().withRole('supervisor').build();
    expect(() => assertAuthorized(supervisor, 'analytics.read')).not.toThrow();
    const deactivated = anAgent().withRole('admin').inactive().build();
    expect(() => assertAuthorized(deactivated, 'conversation.read')).toThrow(ForbiddenError);
  });
});

describe('conversationVisibilityFilter', () => {
  it('restricts agents to their own conversations and the queue', () => {
    expect(conversationVisibilityFilter(actor('agent'))).toEqual({ visibleTo: ME });
  });

  it('shows everything to supervisors and admins', () => {
    expect(conversationVisibilityFilter(actor('supervisor'))).toEqual({ all: true });
    expect(conversationVisibilityFilter(actor('admin'))).toEqual({ all: true });
  });

  it('refuses actors who may not read conversations at all', () => {
    expect(() => conversationVisibilityFilter(actor('admin', { isActive: false }))).toThrow(ForbiddenError);
    const noRead: Permission[] = ['manage:tickets'];
    expect(() => conversationVisibilityFilter(actor('supervisor', { permissions: noRead }))).toThrow(
      ForbiddenError,
    );
  });
});
