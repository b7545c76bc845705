import type { Agent } from '../../domain/agent/agent.js';
import type { AgentPrimitives, Permission } from '../../domain/agent/agent.types.js';
import { BusinessRuleError, ForbiddenError, ValidationError } from '../../domain/shared/errors.js';
import type { Id } from '../../domain/shared/ids.js';
import type { Ports } from '../ports/ports.js';
import type { Actor, RequestMeta } from '../shared/actor.js';
import { requireAgent } from '../shared/guards.js';
import { saveAudited } from '../shared/save-audited.js';

export const AGENT_USE_CASE_ERROR_CODES = {
  /** Deactivating or demoting the last active admin would leave nobody able to manage the system. */
  LAST_ADMIN: 'AGENT.LAST_ADMIN',
  /** Granting a permission (or the admin role) the acting agent does not hold. */
  PRIVILEGE_ESCALATION: 'AGENT.PRIVILEGE_ESCALATION',
} as const;

export const lastAdmin = (agentId: Id): BusinessRuleError =>
  new BusinessRuleError(
    AGENT_USE_CASE_ERROR_CODES.LAST_ADMIN,
    'This is the last active admin: make someone else admin first',
    { agentId },
  );

export type AgentPorts = Pick<Ports, 'agents' | 'activity' | 'ids' | 'clock' | 'events'>;

/**
 * Saves a changed agent (optimistic: stale → ConcurrencyError), audits it (`updated`) and
 * publishes its events. An agent whose mutators recorded nothing is returned as it was.
 */
export async function saveAgent(
  ports: AgentPorts,
  actor: Actor,
  meta: RequestMeta | undefined,
  change: { before: AgentPrimitives; agent: Agent; reason?: string },
): Promise<AgentPrimitives> {
  return saveAudited(ports, actor, meta, {
    entityType: 'agent',
    before: change.before,
    entity: change.agent,
    save: (record) => ports.agents.update(record),
    ...(change.reason === undefined ? {} : { reason: change.reason }),
  });
}

/** True when `agent` is an active admin and no other active admin exists. */
export async function isLastActiveAdmin(
  ports: Pick<Ports, 'agents'>,
  agent: AgentPrimitives,
): Promise<boolean> {
  if (agent.role !== 'admin' || !agent.isActive) return false;
  const admins = await ports.agents.list({ role: 'admin', isActive: true }, { limit: 2 });
  return !admins.items.some((a) => a.id !== agent.id);
}

/**
 * Nobody hands out more than they hold: the resulting permissions must all be the actor's own, and
 * only an admin makes admins. (Only admins hold `manage:agents` by default; this keeps a
 * supervisor given `manage:agents` from minting admins.) The system actor is exempt.
 */
export function assertNoPrivilegeEscalation(
  actor: Actor,
  grant: { role?: string; permissions: readonly Permission[] },
): void {
  if (actor.kind === 'system') return;
  const beyond = grant.permissions.filter((p) => !actor.permissions.includes(p));
  if (beyond.length > 0 || (grant.role === 'admin' && actor.role !== 'admin')) {
    throw new ForbiddenError(
      beyond.length > 0
        ? `You cannot grant permissions you do not hold: ${beyond.join(', ')}`
        : 'Only an admin can make an admin',
      AGENT_USE_CASE_ERROR_CODES.PRIVILEGE_ESCALATION,
    );
  }
}

/** A supervisor (the agent escalations go to) must exist and be an active supervisor or admin. */
export async function requireSupervisor(
  ports: Pick<Ports, 'agents'>,
  supervisorId: Id,
): Promise<AgentPrimitives> {
  const supervisor = await requireAgent(ports, supervisorId);
  if (!supervisor.isActive || (supervisor.role !== 'supervisor' && supervisor.role !== 'admin')) {
    throw new ValidationError(
      'supervisorId',
      'must be an active supervisor or admin',
      'AGENT.INVALID_SUPERVISOR',
    );
  }
  return supervisor;
}
