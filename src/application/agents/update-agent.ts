import { Agent, type AgentProfilePatch, type AgentPublic } from '../../domain/agent/agent.js';
import type { AgentRole } from '../../domain/agent/agent.types.js';
import type { Id } from '../../domain/shared/ids.js';
import { authorize, requireAgent } from '../shared/guards.js';
import type { UseCaseInput } from '../shared/use-case-input.js';
import {
  type AgentPorts,
  assertNoPrivilegeEscalation,
  isLastActiveAdmin,
  lastAdmin,
  requireSupervisor,
  saveAgent,
} from './agent-support.js';

export interface UpdateAgentCommand extends UseCaseInput {
  agentId: Id;
  /** firstName, lastName; phone/department/avatar (`null` clears). */
  profile?: AgentProfilePatch;
  email?: string;
  /** A new role resets the permissions to the role's defaults unless `permissions` is given too. */
  role?: AgentRole;
  permissions?: string[];
  /** An active supervisor or admin; `null` removes it. */
  supervisorId?: Id | null;
}

/**
 * Admin edit of an agent (`agent.manage`): profile, e-mail, role, permissions, supervisor. The
 * last active admin cannot be demoted nor lose `manage:agents` (AGENT.LAST_ADMIN); nobody grants
 * what they do not hold (AGENT.PRIVILEGE_ESCALATION).
 */
export class UpdateAgent {
  constructor(private readonly ports: AgentPorts) {}

  async execute(input: UpdateAgentCommand): Promise<AgentPublic> {
    const { actor } = input;
    authorize(actor, 'agent.manage');
    const before = await requireAgent(this.ports, input.agentId);
    authorize(actor, 'agent.manage', { kind: 'agent', id: before.id });
    if (input.supervisorId !== undefined && input.supervisorId !== null) {
      await requireSupervisor(this.ports, input.supervisorId);
    }

    const agent = Agent.fromPrimitives(before);
    const now = this.ports.clock.now();
    if (input.profile !== undefined) agent.updateProfile(input.profile, now);
    if (input.email !== undefined && input.email.trim().toLowerCase() !== before.email) {
      agent.changeEmail(input.email, now);
    }
    if (input.role !== undefined) agent.changeRole(input.role, now, input.permissions);
    else if (input.permissions !== undefined) agent.setPermissions(input.permissions, now);
    if (input.role !== undefined || input.permissions !== undefined) {
      assertNoPrivilegeEscalation(actor, { role: agent.role, permissions: agent.permissions });
      const stillManagesAgents = agent.role === 'admin' && agent.hasPermission('manage:agents');
      if (!stillManagesAgents && (await isLastActiveAdmin(this.ports, before))) throw lastAdmin(before.id);
    }
    if (input.supervisorId !== undefined) agent.setSupervisor(input.supervisorId ?? undefined, now);

    const saved = await saveAgent(this.ports, actor, input.meta, { before, agent });
    return Agent.fromPrimitives(saved).toPublic();
  }
}
