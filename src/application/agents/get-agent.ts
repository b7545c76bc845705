import { Agent, type AgentPublic } from '../../domain/agent/agent.js';
import type { Id } from '../../domain/shared/ids.js';
import type { Ports } from '../ports/ports.js';
import { authorize, requireAgent } from '../shared/guards.js';
import type { UseCaseInput } from '../shared/use-case-input.js';

export interface GetAgentQuery extends UseCaseInput {
  agentId: Id;
}

/** One agent's public view (one's own record is always readable). */
export class GetAgent {
  constructor(private readonly ports: Pick<Ports, 'agents'>) {}

  async execute(input: GetAgentQuery): Promise<AgentPublic> {
    authorize(input.actor, 'agent.read', { kind: 'agent', id: input.agentId });
    return Agent.fromPrimitives(await requireAgent(this.ports, input.agentId)).toPublic();
  }
}
