import { Agent, type AgentPublic } from '../../domain/agent/agent.js';
import type { Id } from '../../domain/shared/ids.js';
import { SessionRevocations } from '../auth/session-revocations.js';
import type { Ports } from '../ports/ports.js';
import { authorize, requireAgent } from '../shared/guards.js';
import type { UseCaseInput } from '../shared/use-case-input.js';
import { type AgentPorts, isLastActiveAdmin, lastAdmin, saveAgent } from './agent-support.js';

export interface DeactivateAgentCommand extends UseCaseInput {
  agentId: Id;
  reason?: string;
}

export interface DeactivateAgentResult {
  agent: AgentPublic;
  sessionsRevoked: number;
}

/**
 * Deactivates an account (`agent.manage`): no login, no assignment, presence offline; history
 * and statistics stay. The last active admin cannot be deactivated (AGENT.LAST_ADMIN).
 *
 * Every session of the agent is deleted and `agent.sessions_revoked` is published
 * (`{ agentId, reason: 'deactivated' }`, through the auth module's SessionRevocations) so the
 * websocket layer closes their connections. Revocation runs even when the agent was already
 * inactive, so a run interrupted after the save still finishes.
 *
 * Conversations and tickets stay assigned to the deactivated agent: moving work is a supervisor's
 * decision (list them with the `assignedAgent` filter and transfer), not a side effect here.
 */
export class DeactivateAgent {
  readonly #revocations: SessionRevocations;

  constructor(private readonly ports: AgentPorts & Pick<Ports, 'sessions'>) {
    this.#revocations = new SessionRevocations(ports.sessions, ports.events);
  }

  async execute(input: DeactivateAgentCommand): Promise<DeactivateAgentResult> {
    const { actor } = input;
    authorize(actor, 'agent.manage');
    const before = await requireAgent(this.ports, input.agentId);
    authorize(actor, 'agent.manage', { kind: 'agent', id: before.id });
    if (await isLastActiveAdmin(this.ports, before)) throw lastAdmin(before.id);

    const agent = Agent.fromPrimitives(before);
    const now = this.ports.clock.now();
    agent.deactivate(now);
    const saved = await saveAgent(this.ports, actor, input.meta, {
      before,
      agent,
      ...(input.reason === undefined ? {} : { reason: input.reason }),
    });
    const sessionsRevoked = await this.#revocations.revokeAll(saved.id, 'deactivated', now);
    return { agent: Agent.fromPrimitives(saved).toPublic(), sessionsRevoked };
  }
}
