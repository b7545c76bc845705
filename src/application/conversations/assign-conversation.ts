import { Conversation } from '../../domain/conversation/conversation.js';
import type { ConversationPrimitives } from '../../domain/conversation/conversation.types.js';
import { BusinessRuleError } from '../../domain/shared/errors.js';
import type { Id } from '../../domain/shared/ids.js';
import type { Ports } from '../ports/ports.js';
import { recordActivity } from '../shared/activity.js';
import { type Actor, actorId, type RequestMeta } from '../shared/actor.js';
import { publish } from '../shared/events.js';
import { authorize, requireAgent, requireConversation } from '../shared/guards.js';
import { loadSettings } from '../shared/settings.js';
import { applyAgentStatistics, retryOnConflict, saveWithReservedSlot } from './conversation-support.js';

export interface AssignConversationInput {
  actor: Actor;
  meta?: RequestMeta;
  conversationId: Id;
  /** The agent who receives it; an agent taking an unassigned conversation passes their own id. */
  agentId: Id;
}

/** Assigns an unassigned (open, waiting or resolved) conversation to an agent, within the agent's capacity. */
export class AssignConversation {
  constructor(
    private readonly ports: Pick<
      Ports,
      'conversations' | 'agents' | 'settings' | 'activity' | 'events' | 'ids' | 'clock'
    >,
  ) {}

  /** Retried on a fresh read when the conversation changed meanwhile (retryOnConflict). */
  execute(input: AssignConversationInput): Promise<ConversationPrimitives> {
    return retryOnConflict(() => this.#attempt(input));
  }

  async #attempt(input: AssignConversationInput): Promise<ConversationPrimitives> {
    const before = await requireConversation(this.ports, input.conversationId);
    authorize(input.actor, 'conversation.assign', {
      kind: 'conversation',
      assignedAgent: before.assignedAgent,
      assignTo: input.agentId,
    });
    const agent = await requireAgent(this.ports, input.agentId);
    if (!agent.isActive)
      throw new BusinessRuleError('AGENT.INACTIVE', 'A deactivated agent cannot receive conversations');
    const conversation = Conversation.fromPrimitives(before);
    const now = this.ports.clock.now();
    conversation.assignTo(agent.id, actorId(input.actor), now); // refuses before any slot is taken

    const settings = await loadSettings(this.ports);
    const saved = await saveWithReservedSlot(
      this.ports,
      conversation,
      agent.id,
      settings.get('max_conversations_per_agent'),
    );
    await applyAgentStatistics(
      this.ports,
      { type: 'assigned', agentId: agent.id },
      { slotReservedFor: agent.id },
    );
    await recordActivity(this.ports, input.actor, input.meta ?? {}, {
      entityType: 'conversation',
      entityId: saved.id,
      action: 'assigned',
      before,
      after: saved,
    });
    await publish(this.ports, conversation.pullEvents(), {
      assignedAgent: saved.assignedAgent,
      customerId: saved.customerId,
    });
    return saved;
  }
}
