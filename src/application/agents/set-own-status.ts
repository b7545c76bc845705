import { Agent, type AgentPublic } from '../../domain/agent/agent.js';
import type { AgentStatus } from '../../domain/agent/agent.types.js';
import { ForbiddenError } from '../../domain/shared/errors.js';
import { authorize, requireAgent } from '../shared/guards.js';
import type { UseCaseInput } from '../shared/use-case-input.js';
import { type AgentPorts, saveAgent } from './agent-support.js';

export interface SetOwnStatusCommand extends UseCaseInput {
  status: AgentStatus;
}

/**
 * The acting agent sets their presence (online / busy / away / offline). A deactivated agent can
 * only be offline (AGENT.INACTIVE). The same status again changes nothing.
 */
export class SetOwnStatus {
  constructor(private readonly ports: AgentPorts) {}

  async execute(input: SetOwnStatusCommand): Promise<AgentPublic> {
    const { actor } = input;
    if (actor.kind !== 'agent') throw new ForbiddenError('Only an agent has a presence status');
    authorize(actor, 'agent.updateSelf', { kind: 'agent', id: actor.id });
    const before = await requireAgent(this.ports, actor.id);
    const agent = Agent.fromPrimitives(before);
    agent.setStatus(input.status, this.ports.clock.now());
    const saved = await saveAgent(this.ports, actor, input.meta, { before, agent });
    return Agent.fromPrimitives(saved).toPublic();
  }
}
