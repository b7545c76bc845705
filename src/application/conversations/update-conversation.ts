import { Conversation } from '../../domain/conversation/conversation.js';
import type {
  ConversationCategory,
  ConversationPrimitives,
  Priority,
} from '../../domain/conversation/conversation.types.js';
import type { Id } from '../../domain/shared/ids.js';
import type { Ports } from '../ports/ports.js';
import { recordActivity } from '../shared/activity.js';
import type { Actor, RequestMeta } from '../shared/actor.js';
import { publish } from '../shared/events.js';
import { authorize, requireConversation } from '../shared/guards.js';
import { retryOnConflict } from './conversation-support.js';

export interface UpdateConversationInput {
  actor: Actor;
  meta?: RequestMeta;
  conversationId: Id;
  priority?: Priority;
  category?: ConversationCategory;
  tags?: string[];
  /** Switches the AI assistant on or off for this conversation. */
  isAIEnabled?: boolean;
  autoResponses?: boolean;
}

/** Priority, category, tags and the AI switches of a conversation. */
export class UpdateConversation {
  constructor(
    private readonly ports: Pick<Ports, 'conversations' | 'activity' | 'events' | 'ids' | 'clock'>,
  ) {}

  /** Retried on a fresh read when the conversation changed meanwhile (retryOnConflict). */
  execute(input: UpdateConversationInput): Promise<ConversationPrimitives> {
    return retryOnConflict(() => this.#attempt(input));
  }

  async #attempt(input: UpdateConversationInput): Promise<ConversationPrimitives> {
    const before = await requireConversation(this.ports, input.conversationId);
    authorize(input.actor, 'conversation.update', {
      kind: 'conversation',
      assignedAgent: before.assignedAgent,
    });
    const conversation = Conversation.fromPrimitives(before);
    const now = this.ports.clock.now();
    if (input.priority !== undefined) conversation.changePriority(input.priority, now);
    if (input.category !== undefined) conversation.changeCategory(input.category, now);
    if (input.tags !== undefined) conversation.setTags(input.tags, now);
    if (input.isAIEnabled !== undefined) conversation.setAIEnabled(input.isAIEnabled, now);
    if (input.autoResponses !== undefined) conversation.setAutoResponses(input.autoResponses, now);
    const events = conversation.pullEvents();
    if (events.length === 0) return before;
    const saved = await this.ports.conversations.update(conversation.toPrimitives());
    await recordActivity(this.ports, input.actor, input.meta ?? {}, {
      entityType: 'conversation',
      entityId: saved.id,
      action: 'updated',
      before,
      after: saved,
    });
    await publish(this.ports, events, { assignedAgent: saved.assignedAgent, customerId: saved.customerId });
    return saved;
  }
}
