import { Conversation } from '../../domain/conversation/conversation.js';
import type { ConversationPrimitives } from '../../domain/conversation/conversation.types.js';
import { Customer } from '../../domain/customer/customer.js';
import type { Id } from '../../domain/shared/ids.js';
import type { Ports } from '../ports/ports.js';
import { recordActivity } from '../shared/activity.js';
import type { Actor, RequestMeta } from '../shared/actor.js';
import { publish } from '../shared/events.js';
import { authorize, requireConversation, requireCustomer } from '../shared/guards.js';
import { retryOnConflict } from './conversation-support.js';

export interface RecordSatisfactionInput {
  actor: Actor;
  meta?: RequestMeta;
  conversationId: Id;
  rating: number;
  comment?: string;
}

/** The customer's 1–5 rating of a resolved conversation; feeds the customer's satisfaction score. */
export class RecordSatisfaction {
  constructor(
    private readonly ports: Pick<
      Ports,
      'conversations' | 'customers' | 'activity' | 'events' | 'ids' | 'clock'
    >,
  ) {}

  /** Retried on a fresh read when the conversation changed meanwhile (retryOnConflict). */
  execute(input: RecordSatisfactionInput): Promise<ConversationPrimitives> {
    return retryOnConflict(() => this.#attempt(input));
  }

  async #attempt(input: RecordSatisfactionInput): Promise<ConversationPrimitives> {
    const before = await requireConversation(this.ports, input.conversationId);
    authorize(input.actor, 'conversation.update', {
      kind: 'conversation',
      assignedAgent: before.assignedAgent,
    });
    const now = this.ports.clock.now();
    const conversation = Conversation.fromPrimitives(before);
    conversation.recordSatisfaction(input.rating, input.comment, now);
    const saved = await this.ports.conversations.update(conversation.toPrimitives());

    // The running average is computed by the entity and stored with setStatistics: statistics are
    // never written by update (increments from webhooks must not be overwritten).
    const customer = Customer.fromPrimitives(await requireCustomer(this.ports, saved.customerId));
    customer.recordSatisfaction(input.rating, now);
    const { satisfactionScore, satisfactionCount } = customer.toPrimitives().statistics;
    await this.ports.customers.setStatistics(customer.id, { satisfactionScore, satisfactionCount });

    await recordActivity(this.ports, input.actor, input.meta ?? {}, {
      entityType: 'conversation',
      entityId: saved.id,
      action: 'updated',
      before,
      after: saved,
      reason: 'customer satisfaction recorded',
    });
    await publish(this.ports, conversation.pullEvents(), {
      assignedAgent: saved.assignedAgent,
      customerId: saved.customerId,
    });
    return saved;
  }
}
