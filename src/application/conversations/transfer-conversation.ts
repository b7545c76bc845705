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

export interface TransferConversationInput {
  actor: Actor;
  meta?: RequestMeta;
  conversationId: Id;
  toAgentId: Id;
  reason?: string;
}

/** Hands an assigned conversation to another agent: the new agent's capacity is checked, the old one's slot freed. */
export class TransferConversation {
  constructor(
    private readonly ports: Pick<
      Ports,
      'conversations' | 'agents' | 'settings' | 'activity' | 'events' | 'ids' | 'clock'
    >,
  ) {}

  /** Retried on a fresh read when the conversation changed meanwhile (retryOnConflict). */
  execute(input: TransferConversationInput): Promise<ConversationPrimitives> {
    return retryOnConflict(() => this.#attempt(input));
  }

  async #attempt(input: TransferConversationInput): Promise<ConversationPrimitives> {
    const before = await requireConversation(this.ports, input.conversationId);
    authorize(input.actor, 'conversation.transfer', {
      kind: 'conversation',
      assignedAgent: before.assignedAgent,
      assignTo: input.toAgentId,
    });
    const target = await requireAgent(this.ports, input.toAgentId);
    if (!target.isActive)
      throw new BusinessRuleError('AGENT.INACTIVE', 'A deactivated agent cannot receive conversations');
    const conversation = Conversation.fromPrimitives(before);
    conversation.transferTo(target.id, actorId(input.actor), this.ports.clock.now());

    const settings = await loadSettings(this.ports);
    const saved = await saveWithReservedSlot(
      this.ports,
      conversation,
      target.id,
      settings.get('max_conversations_per_agent'),
    );
    await applyAgentStatistics(
      this.ports,
      { type: 'transferred', fromAgentId: before.assignedAgent, toAgentId: target.id },
      { slotReservedFor: target.id },
    );
    await recordActivity(this.ports, input.actor, input.meta ?? {}, {
      entityType: 'conversation',
      entityId: saved.id,
      action: 'transferred',
      before,
      after: saved,
      reason: input.reason,
    });
    await publish(this.ports, conversation.pullEvents(), {
      assignedAgent: saved.assignedAgent,
      customerId: saved.customerId,
    });
    return saved;
  }
}
