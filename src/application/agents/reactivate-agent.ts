import { Agent, type AgentPublic } from '../../domain/agent/agent.js';
import type { Id } from '../../domain/shared/ids.js';
import { authorize, requireAgent } from '../shared/guards.js';
import type { UseCaseInput } from '../shared/use-case-input.js';
import { type AgentPorts, saveAgent } from './agent-support.js';

export interface ReactivateAgentCommand extends UseCaseInput {
  agentId: Id;
  reason?: string;
}

/** Reactivates an account (`agent.manage`); the agent stays offline until they log in. Idempotent. */
export class ReactivateAgent {
  constructor(private readonly ports: AgentPorts) {}

  async execute(input: ReactivateAgentCommand): Promise<AgentPublic> {
    authorize(input.actor, 'agent.manage');
    const before = await requireAgent(this.ports, input.agentId);
    authorize(input.actor, 'agent.manage', { kind: 'agent', id: before.id });
    const agent = Agent.fromPrimitives(before);
    agent.reactivate(this.ports.clock.now());
    const saved = await saveAgent(this.ports, input.actor, input.meta, {
      before,
      agent,
      ...(input.reason === undefined ? {} : { reason: input.reason }),
    });
    return Agent.fromPrimitives(saved).toPublic();
  }
}
