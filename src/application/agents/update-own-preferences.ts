import { Agent, type AgentPreferencesPatch, type AgentPublic } from '../../domain/agent/agent.js';
import { ForbiddenError } from '../../domain/shared/errors.js';
import { authorize, requireAgent } from '../shared/guards.js';
import type { UseCaseInput } from '../shared/use-case-input.js';
import { type AgentPorts, saveAgent } from './agent-support.js';

export interface UpdateOwnPreferencesCommand extends UseCaseInput {
  /** language ('es' | 'en'), timezone (IANA), notifications { email, push, sound }, autoAssignment. */
  preferences: AgentPreferencesPatch;
}

/** The acting agent changes their own preferences. */
export class UpdateOwnPreferences {
  constructor(private readonly ports: AgentPorts) {}

  async execute(input: UpdateOwnPreferencesCommand): Promise<AgentPublic> {
    const { actor } = input;
    if (actor.kind !== 'agent') throw new ForbiddenError('Only an agent has preferences');
    authorize(actor, 'agent.updateSelf', { kind: 'agent', id: actor.id });
    const before = await requireAgent(this.ports, actor.id);
    const agent = Agent.fromPrimitives(before);
    agent.updatePreferences(input.preferences, this.ports.clock.now());
    const saved = await saveAgent(this.ports, actor, input.meta, { before, agent });
    return Agent.fromPrimitives(saved).toPublic();
  }
}
