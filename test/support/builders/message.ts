/**
 * Test data builder for the Message entity:
 *   aMessage().withStatus('sent').build()              an outbound agent text (default)
 *   aMessage().inbound().withType('image').build()     a customer message (status delivered)
 * builds through `Message.fromPrimitives` (so it never records events). Ids are 24-hex strings.
 */
import { Message } from '../../../src/domain/message/message.js';
import type {
  MessagePrimitives,
  MessageStatus,
  MessageType,
  Sender,
} from '../../../src/domain/message/message.types.js';
import type { Id } from '../../../src/domain/shared/ids.js';
import { T0, testId } from './conversation.js';

export class MessageBuilder {
  #p: MessagePrimitives;

  constructor() {
    this.#p = {
      id: testId(),
      conversationId: testId(),
      customerId: testId(),
      content: 'Hola, ¿en qué puedo ayudarte?',
      type: 'text',
      direction: 'outbound',
      sender: 'agent',
      agentId: testId(),
      status: 'pending',
      attachments: [],
      aiProcessed: false,
      isForwarded: false,
      sendAttempts: 0,
      nextAttemptAt: new Date(T0),
      timestamp: new Date(T0),
      createdAt: new Date(T0),
    };
  }

  /** A message from the customer: direction inbound, sender customer, status delivered. */
  inbound(): this {
    this.#p.direction = 'inbound';
    this.#p.sender = 'customer';
    this.#p.content = 'Hola, necesito ayuda con mi pedido';
    this.#p.status = 'delivered';
    this.#p.whatsappStatus = 'delivered';
    this.#p.whatsappMessageId = `wamid.${this.#p.id}`;
    this.#p.deliveredAt = new Date(this.#p.createdAt);
    delete this.#p.agentId;
    delete this.#p.sendAttempts;
    delete this.#p.nextAttemptAt;
    return this;
  }

  /** An outbound message from `sender` (agent by default, with an agent id). */
  outbound(sender: Exclude<Sender, 'customer'> = 'agent', agentId?: Id): this {
    this.#p.direction = 'outbound';
    this.#p.sender = sender;
    if (sender === 'agent') this.#p.agentId = agentId ?? this.#p.agentId ?? testId();
    else delete this.#p.agentId;
    return this;
  }

  withId(id: Id): this {
    this.#p.id = id;
    return this;
  }

  inConversation(conversationId: Id, customerId?: Id): this {
    this.#p.conversationId = conversationId;
    if (customerId !== undefined) this.#p.customerId = customerId;
    return this;
  }

  withStatus(status: MessageStatus): this {
    this.#p.status = status;
    if (status === 'pending') delete this.#p.whatsappStatus;
    else this.#p.whatsappStatus = status;
    return this;
  }

  withType(type: MessageType): this {
    this.#p.type = type;
    return this;
  }

  withContent(content: string): this {
    this.#p.content = content;
    return this;
  }

  withWhatsappId(whatsappMessageId: string): this {
    this.#p.whatsappMessageId = whatsappMessageId;
    return this;
  }

  at(timestamp: Date): this {
    this.#p.timestamp = timestamp;
    this.#p.createdAt = timestamp;
    return this;
  }

  /** Raw overrides; an `undefined` value removes the field. */
  with(overrides: Partial<MessagePrimitives>): this {
    const merged: Record<string, unknown> = { ...this.#p, ...overrides };
    for (const key of Object.keys(merged)) {
      if (merged[key] === undefined) delete merged[key];
    }
    this.#p = merged as unknown as MessagePrimitives;
    return this;
  }

  buildPrimitives(): MessagePrimitives {
    return structuredClone(this.#p);
  }

  build(): Message {
    return Message.fromPrimitives(this.buildPrimitives());
  }
}

export const aMessage = (): MessageBuilder => new MessageBuilder();
