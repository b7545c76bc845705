import { Conversation } from '../../domain/conversation/conversation.js';
import type { ConversationPrimitives } from '../../domain/conversation/conversation.types.js';
import type { Id } from '../../domain/shared/ids.js';
import type { Ports } from '../ports/ports.js';
import { recordActivity } from '../shared/activity.js';
import type { Actor, RequestMeta } from '../shared/actor.js';
import { publish } from '../shared/events.js';
import { authorize, requireConversation } from '../shared/guards.js';
import { retryOnConflict } from './conversation-support.js';

export interface MarkConversationReadInput {
  actor: Actor;
  meta?: RequestMeta;
  conversationId: Id;
}

/**
 * An agent read the conversation: its unread count drops to zero and the customer's latest
 * message is marked read on WhatsApp (which marks every earlier one read too). A failure to
 * reach WhatsApp does not undo the read on our side.
 */
export class MarkConversationRead {
  constructor(
    private readonly ports: Pick<
      Ports,
      'conversations' | 'messages' | 'whatsapp' | 'activity' | 'events' | 'ids' | 'clock'
    >,
  ) {}

  /** Retried on a fresh read when the conversation changed meanwhile (retryOnConflict). */
  execute(input: MarkConversationReadInput): Promise<ConversationPrimitives> {
    return retryOnConflict(() => this.#attempt(input));
  }

  async #attempt(input: MarkConversationReadInput): Promise<ConversationPrimitives> {
    const before = await requireConversation(this.ports, input.conversationId);
    authorize(input.actor, 'message.read', { kind: 'conversation', assignedAgent: before.assignedAgent });
    if (before.unreadCount === 0) return before;
    const conversation = Conversation.fromPrimitives(before);
    const now = this.ports.clock.now();
    conversation.markRead(now);
    const saved = await this.ports.conversations.update(conversation.toPrimitives());
    await recordActivity(this.ports, input.actor, input.meta ?? {}, {
      entityType: 'conversation',
      entityId: saved.id,
      action: 'updated',
      before,
      after: saved,
      reason: 'read by the agent',
    });
    await publish(this.ports, conversation.pullEvents(), {
      assignedAgent: saved.assignedAgent,
      customerId: saved.customerId,
    });

    const latest = (await this.ports.messages.listByConversation(saved.id, { limit: 20 })).items.find(
      (m) => m.direction === 'inbound' && m.whatsappMessageId,
    );
    if (latest?.whatsappMessageId) {
      try {
        await this.ports.whatsapp.markRead({
          phoneNumberId: saved.whatsappData?.phoneNumberId,
          whatsappMessageId: latest.whatsappMessageId,
        });
        if (latest.status !== 'read')
          await this.ports.messages.advanceStatus(latest.id, ['delivered'], 'read', { readAt: now });
      } catch {
        // Read receipts are best effort: the agent has read it whatever WhatsApp answers.
      }
    }
    return saved;
  }
}
