import type { AgentRole, Permission } from '../agent/agent.types.js';
import { PERMISSIONS } from '../agent/agent.types.js';

/**
 * Default permission set given to an agent when it is created or its role changes (explicit
 * permissions can still be set per agent).
 *
 * - admin: everything, including `manage:agents` (create/deactivate agents, change roles) and
 *   `system:admin` (settings, erasure of customers), the two permissions that can lock others
 *   out or destroy data.
 * - supervisor: runs the floor. Everything an agent does plus assigning/transferring
 *   conversations between agents and reading analytics. No `manage:agents` (a supervisor
 *   cannot promote themselves or create admins) and no `system:admin`.
 * - agent: works the conversations they are given or take from the queue: read them, reply,
 *   keep the customer profile and tickets up to date. Moving work between other agents
 *   (`assign:conversations`) and team-wide numbers (`view:analytics`) are left to supervisors.
 */
export const ROLE_PERMISSIONS: Readonly<Record<AgentRole, readonly Permission[]>> = Object.freeze({
  admin: Object.freeze([...PERMISSIONS]),
  supervisor: Object.freeze([
    'read:conversations',
    'write:messages',
    'assign:conversations',
    'manage:customers',
    'manage:tickets',
    'view:analytics',
  ] as const),
  agent: Object.freeze([
    'read:conversations',
    'write:messages',
    'manage:customers',
    'manage:tickets',
  ] as const),
});

/** A fresh, mutable copy of the role's default permissions. */
export const defaultPermissionsFor = (role: AgentRole): Permission[] => [...ROLE_PERMISSIONS[role]];
