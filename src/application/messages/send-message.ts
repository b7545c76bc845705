import { Conversation } from '../../domain/conversation/conversation.js';
import { assertCanSendFreeForm } from '../../domain/conversation/service-window.js';
import { Message, type NewOutboundMessage } from '../../domain/message/message.js';
import type { MessagePrimitives } from '../../domain/message/message.types.js';
import { BusinessRuleError, DuplicateError } from '../../domain/shared/errors.js';
import type { Id } from '../../domain/shared/ids.js';
import { Ticket } from '../../domain/ticket/ticket.js';
import { mutateConversation } from '../conversations/conversation-support.js';
import type { Ports } from '../ports/ports.js';
import { recordActivity } from '../shared/activity.js';
import type { Actor, RequestMeta } from '../shared/actor.js';
import { publish } from '../shared/events.js';
import { authorize, requireConversation } from '../shared/guards.js';

export type OutboundPayload = Pick<
  NewOutboundMessage,
  'type' | 'content' | 'template' | 'interactive' | 'location' | 'attachments' | 'contacts'
>;

export interface SendMessageInput {
  actor: Actor;
  meta?: RequestMeta;
  conversationId: Id;
  message: OutboundPayload;
  /** The client's idempotency key: a retried send returns the first message instead of sending twice. */
  idempotencyKey?: string;
  replyTo?: Id;
  /** 'ai' for the assistant's replies, 'system' for surveys and notices (system actor only). */
  sender?: 'agent' | 'ai' | 'system';
}

/**
 * Queues an outbound message in the outbox (status pending): authorise, honour the idempotency
 * key, enforce the 24-hour customer-service window (free-form only within 24 h of the customer's
 * last message, templates always), store, update the conversation (last message, response time)
 * and the first response of the conversation's open tickets. The outbox sender delivers it.
 */
export class SendMessage {
  constructor(
    private readonly ports: Pick<
      Ports,
      'conversations' | 'messages' | 'tickets' | 'activity' | 'events' | 'ids' | 'clock'
    >,
  ) {}

  async execute(input: SendMessageInput): Promise<{ message: MessagePrimitives; duplicate: boolean }> {
    const conversationRecord = await requireConversation(this.ports, input.conversationId);
    authorize(input.actor, 'message.send', {
      kind: 'conversation',
      assignedAgent: conversationRecord.assignedAgent,
    });
    const agentId = input.actor.kind === 'agent' ? input.actor.id : undefined;
    if (agentId && input.idempotencyKey) {
      const earlier = await this.ports.messages.findByIdempotencyKey(agentId, input.idempotencyKey);
      if (earlier) return { message: earlier, duplicate: true };
    }
    const conversation = Conversation.fromPrimitives(conversationRecord);
    if (conversation.isClosed) {
      throw new BusinessRuleError(
        'CONVERSATION.CLOSED',
        'The conversation is closed: messages can no longer be sent in it',
      );
    }
    const now = this.ports.clock.now();
    assertCanSendFreeForm(conversation, input.message.type, now);

    const sender = input.sender ?? (agentId ? 'agent' : 'system');
    const message = Message.outbound(
      {
        ...input.message,
        conversationId: conversation.id,
        customerId: conversation.customerId,
        sender,
        agentId,
        idempotencyKey: input.idempotencyKey,
        replyTo: input.replyTo,
      },
      { id: this.ports.ids.next(), now, assignedAgent: conversation.assignedAgent },
    );
    const record = message.toPrimitives();
    try {
      await this.ports.messages.insert(record);
    } catch (error) {
      if (error instanceof DuplicateError && agentId && input.idempotencyKey) {
        const earlier = await this.ports.messages.findByIdempotencyKey(agentId, input.idempotencyKey);
        if (earlier) return { message: earlier, duplicate: true };
      }
      throw error;
    }

    const { saved } = await mutateConversation(this.ports, conversation.id, (c) =>
      c.recordOutboundMessage({ content: record.content, type: record.type, at: now, sender }),
    );
    if (sender !== 'system') await this.#recordTicketFirstResponse(conversation.id, now);
    await recordActivity(this.ports, input.actor, input.meta ?? {}, {
      entityType: 'message',
      entityId: record.id,
      action: 'created',
      after: {
        conversationId: record.conversationId,
        type: record.type,
        sender: record.sender,
        status: record.status,
      },
    });
    await publish(this.ports, message.pullEvents(), {
      assignedAgent: saved.assignedAgent,
      conversationId: saved.id,
      customerId: saved.customerId,
    });
    return { message: record, duplicate: false };
  }

  async #recordTicketFirstResponse(conversationId: Id, at: Date): Promise<void> {
    const open = await this.ports.tickets.list(
      { conversationId, status: ['open', 'in_progress', 'waiting_internal', 'waiting_customer'] },
      { limit: 50 },
    );
    for (const record of open.items) {
      if (record.firstResponseAt) continue;
      const ticket = Ticket.fromPrimitives(record);
      if (ticket.recordFirstResponse(at)) {
        await this.ports.tickets.update(ticket.toPrimitives());
        await publish(this.ports, ticket.pullEvents());
      }
    }
  }
}
