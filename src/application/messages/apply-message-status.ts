import { Message, statusPredecessors } from '../../domain/message/message.js';
import type { MessagePrimitives, WhatsAppStatus } from '../../domain/message/message.types.js';
import { mutateConversation } from '../conversations/conversation-support.js';
import type { Ports } from '../ports/ports.js';
import { publish } from '../shared/events.js';

export interface MessageStatusUpdate {
  /** The WhatsApp id of our outbound message. */
  whatsappMessageId: string;
  status: WhatsAppStatus;
  timestamp: Date;
  errors?: { code: number; title: string; message?: string }[];
}

export type ApplyStatusOutcome = 'applied' | 'ignored' | 'unknown_message';

/**
 * A delivery status from WhatsApp moves our outbound message forward, never backwards (a late
 * `delivered` after `read` changes nothing): the write is conditional on the stored status being
 * one that precedes the new one, so concurrent webhooks cannot move it back either. A failure
 * counts on the conversation (it feeds escalation) and is published like every status change.
 */
export class ApplyMessageStatus {
  constructor(private readonly ports: Pick<Ports, 'messages' | 'conversations' | 'events' | 'clock'>) {}

  async execute(update: MessageStatusUpdate): Promise<ApplyStatusOutcome> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const stored = await this.ports.messages.findByWhatsappId(update.whatsappMessageId);
      if (!stored) return 'unknown_message';
      const conversation = await this.ports.conversations.findById(stored.conversationId);
      const message = Message.fromPrimitives(stored);
      const error = update.errors?.[0];
      const changed =
        update.status === 'failed'
          ? message.markFailed(
              { code: error?.code ?? 0, title: error?.title ?? error?.message ?? 'unknown error' },
              update.timestamp,
              {
                assignedAgent: conversation?.assignedAgent,
              },
            )
          : message.advance(
              update.status,
              update.timestamp,
              {},
              { assignedAgent: conversation?.assignedAgent },
            );
      if (!changed) return 'ignored';
      const next = message.toPrimitives();
      const written = await this.ports.messages.advanceStatus(
        stored.id,
        statusPredecessors(update.status),
        update.status,
        statusFields(next),
      );
      if (!written) continue; // another status landed first: re-read and decide again
      if (update.status === 'failed' && conversation && conversation.status !== 'closed') {
        await mutateConversation(this.ports, conversation.id, (c) =>
          c.recordFailedDelivery(this.ports.clock.now()),
        );
      }
      await publish(this.ports, message.pullEvents(), {
        assignedAgent: conversation?.assignedAgent,
        conversationId: stored.conversationId,
        customerId: stored.customerId,
      });
      return 'applied';
    }
    return 'ignored';
  }
}

function statusFields(m: MessagePrimitives) {
  const fields: Parameters<Ports['messages']['advanceStatus']>[3] = {};
  if (m.whatsappStatus) fields.whatsappStatus = m.whatsappStatus;
  if (m.sentAt) fields.sentAt = m.sentAt;
  if (m.deliveredAt) fields.deliveredAt = m.deliveredAt;
  if (m.readAt) fields.readAt = m.readAt;
  if (m.failedAt) fields.failedAt = m.failedAt;
  if (m.whatsappError) fields.whatsappError = m.whatsappError;
  if (m.whatsappErrorCode !== undefined) fields.whatsappErrorCode = m.whatsappErrorCode;
  if (m.whatsappMessageId) fields.whatsappMessageId = m.whatsappMessageId;
  return fields;
}

export { statusFields };
