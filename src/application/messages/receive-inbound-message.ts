import { Conversation } from '../../domain/conversation/conversation.js';
import type { ConversationPrimitives } from '../../domain/conversation/conversation.types.js';
import { Customer } from '../../domain/customer/customer.js';
import type { CustomerPrimitives } from '../../domain/customer/customer.types.js';
import { PhoneNumber } from '../../domain/customer/phone-number.js';
import { Message } from '../../domain/message/message.js';
import type {
  Attachment,
  AttachmentType,
  MessagePrimitives,
  MessageType,
} from '../../domain/message/message.types.js';
import type { SettingsSnapshot } from '../../domain/settings/settings-snapshot.js';
import { ConcurrencyError, DuplicateError } from '../../domain/shared/errors.js';
import type { DomainEvent } from '../../domain/shared/events.js';
import type { Id } from '../../domain/shared/ids.js';
import { Ticket } from '../../domain/ticket/ticket.js';
import { AutoAssignConversation } from '../conversations/auto-assign-conversation.js';
import { mutateConversation } from '../conversations/conversation-support.js';
import type { Ports } from '../ports/ports.js';
import { recordActivity } from '../shared/activity.js';
import { SYSTEM } from '../shared/actor.js';
import { publish } from '../shared/events.js';
import { loadSettings } from '../shared/settings.js';

/** A customer's message as the WhatsApp adapter normalises it (a subset of its webhook event). */
export interface InboundMessage {
  whatsappMessageId: string;
  /** The customer's WhatsApp id (digits, no '+'). */
  from: string;
  profileName?: string;
  phoneNumberId: string;
  businessAccountId?: string;
  timestamp: Date;
  type: MessageType;
  content: string;
  media?: { id: string; mimeType: string; filename?: string; caption?: string };
  location?: { latitude: number; longitude: number; name?: string; address?: string };
  contacts?: { name: string; phones: string[] }[];
  interactive?: { type: 'button' | 'list'; replyId: string; title: string; description?: string };
  button?: { text: string; payload?: string };
  reaction?: { emoji: string; whatsappMessageId: string; removed?: boolean };
  replyToWhatsappId?: string;
  isForwarded?: boolean;
}

export interface InboundResult {
  message: MessagePrimitives;
  conversation: ConversationPrimitives;
  customer: CustomerPrimitives;
  /** False when this WhatsApp message id was already stored (a webhook retry or duplicate). */
  created: boolean;
  newConversation: boolean;
}

const MEDIA_TYPES: Partial<Record<MessageType, AttachmentType>> = {
  image: 'image',
  sticker: 'image',
  audio: 'audio',
  video: 'video',
  document: 'document',
};

/** The attachment of an inbound media message: its WhatsApp media id, to be stored by the media worker. */
export function inboundAttachments(input: InboundMessage): Attachment[] {
  const type = MEDIA_TYPES[input.type];
  if (!type || !input.media) return [];
  return [
    {
      type,
      whatsappMediaId: input.media.id,
      mimeType: input.media.mimeType,
      ...(input.media.filename ? { filename: input.media.filename } : {}),
      storage: 'pending',
    },
  ];
}

/** What ReceiveInboundMessage(s) use. */
export type InboundPorts = Pick<
  Ports,
  | 'customers'
  | 'conversations'
  | 'messages'
  | 'tickets'
  | 'agents'
  | 'settings'
  | 'activity'
  | 'events'
  | 'ids'
  | 'clock'
>;

/**
 * Stores one inbound WhatsApp message, exactly once per WhatsApp message id:
 * dedupe → customer by E.164 phone (created on first contact, profile name filled) → the customer's
 * open conversation, or a new one (auto-assigned) when there is none or the last one is closed →
 * the message → conversation counters, last message, unread count, response clock (a resolved
 * conversation reopens) → customer statistics → tickets waiting on the customer resume → events.
 * Reactions are stored and shown but do not reopen or count as a customer's question.
 */
export class ReceiveInboundMessage {
  readonly #autoAssign: AutoAssignConversation;

  constructor(private readonly ports: InboundPorts) {
    this.#autoAssign = new AutoAssignConversation(ports);
  }

  async execute(input: InboundMessage): Promise<InboundResult> {
    const existing = await this.ports.messages.findByWhatsappId(input.whatsappMessageId);
    if (existing) return this.#duplicate(existing);

    const settings = await loadSettings(this.ports);
    const now = this.ports.clock.now();
    const phone = PhoneNumber.parse(input.from, settings.get('default_phone_region')).value;
    const { customer, created: newCustomer } = await this.#findOrCreateCustomer(
      phone,
      settings,
      input.profileName,
    );
    const { conversation, created: newConversation } = await this.#findOrOpenConversation(customer, input);

    const message = Message.inbound(
      {
        conversationId: conversation.id,
        customerId: customer.id,
        content: input.content,
        type: input.type,
        whatsappMessageId: input.whatsappMessageId,
        whatsappTimestamp: input.timestamp,
        attachments: this.#attachments(input),
        location: input.location,
        contacts: input.contacts,
        interactive: input.interactive
          ? {
              type: input.interactive.type,
              replyId: input.interactive.replyId,
              body: input.interactive.title,
            }
          : undefined,
        reaction: input.reaction ? await this.#reaction(input.reaction) : undefined,
        replyToWhatsappId: input.replyToWhatsappId,
        isForwarded: input.isForwarded ?? false,
      },
      { id: this.ports.ids.next(), now, assignedAgent: conversation.assignedAgent },
    );
    const record = message.toPrimitives();
    if (input.replyToWhatsappId) {
      const original = await this.ports.messages.findByWhatsappId(input.replyToWhatsappId);
      if (original) record.replyTo = original.id;
    }
    try {
      await this.ports.messages.insert(record);
    } catch (error) {
      // Two deliveries of the same webhook raced past the first check: the other one stored it.
      if (error instanceof DuplicateError) {
        const stored = await this.ports.messages.findByWhatsappId(input.whatsappMessageId);
        if (stored) return this.#duplicate(stored);
      }
      throw error;
    }

    const isReaction = input.type === 'reaction';
    const { saved } = isReaction
      ? { saved: conversation }
      : await mutateConversation(this.ports, conversation.id, (c) =>
          c.recordInboundMessage({ content: record.content, type: record.type, at: record.timestamp }),
        );
    await this.ports.customers.incrementStatistics(customer.id, {
      totalMessages: 1,
      ...(newConversation ? { totalConversations: 1 } : {}),
    });
    const updatedCustomer = await this.#touchCustomer(customer.id, record.timestamp);
    if (!isReaction) {
      for (const events of (await resumeTicketsWaitingOn(this.ports, [saved])).get(saved.id) ?? [])
        await publish(this.ports, events);
    }
    await publish(this.ports, message.pullEvents(), {
      assignedAgent: saved.assignedAgent,
      conversationId: saved.id,
      customerId: customer.id,
      conversationAnswered: saved.lastAgentResponse !== undefined,
    });
    if (newCustomer) {
      await recordActivity(
        this.ports,
        SYSTEM,
        {},
        {
          entityType: 'customer',
          entityId: customer.id,
          action: 'created',
          after: customer,
          reason: 'first WhatsApp message',
        },
      );
    }

    let finalConversation = saved;
    if (newConversation || (!saved.assignedAgent && saved.status === 'open')) {
      finalConversation = (await this.#autoAssign.execute({ conversationId: saved.id })).conversation;
    }
    return {
      message: record,
      conversation: finalConversation,
      customer: updatedCustomer ?? customer,
      created: true,
      newConversation,
    };
  }

  async #duplicate(message: MessagePrimitives): Promise<InboundResult> {
    const { conversation, customer } = (await completeStoredMessages(this.ports, [message])).get(message.id)!;
    return { message, conversation, customer, created: false, newConversation: false };
  }

  async #findOrCreateCustomer(
    phone: string,
    settings: SettingsSnapshot,
    profileName?: string,
  ): Promise<{ customer: CustomerPrimitives; created: boolean }> {
    const found = await this.ports.customers.findByPhone(phone);
    if (found) {
      if (profileName && !found.firstName && !found.lastName) {
        const customer = Customer.fromPrimitives(found);
        if (customer.fillProfileName(profileName, this.ports.clock.now())) {
          try {
            return { customer: await this.ports.customers.update(customer.toPrimitives()), created: false };
          } catch (error) {
            if (!(error instanceof ConcurrencyError)) throw error;
          }
        }
      }
      return { customer: found, created: false };
    }
    const customer = Customer.create(
      { phoneNumber: phone, source: 'whatsapp' },
      {
        id: this.ports.ids.next(),
        now: this.ports.clock.now(),
        defaultRegion: settings.get('default_phone_region'),
      },
    );
    if (profileName) customer.fillProfileName(profileName, this.ports.clock.now());
    const record = customer.toPrimitives();
    try {
      await this.ports.customers.insert(record);
      return { customer: record, created: true };
    } catch (error) {
      if (!(error instanceof DuplicateError)) throw error;
      // Another delivery created this customer a moment ago.
      const raced = await this.ports.customers.findByPhone(phone);
      if (!raced) throw error;
      return { customer: raced, created: false };
    }
  }

  async #findOrOpenConversation(
    customer: CustomerPrimitives,
    input: InboundMessage,
  ): Promise<{ conversation: ConversationPrimitives; created: boolean }> {
    const open = await this.ports.conversations.findLatestOpenByCustomer(customer.id);
    if (open) return { conversation: open, created: false };
    const conversation = Conversation.open(
      {
        customerId: customer.id,
        channel: 'whatsapp',
        source: 'whatsapp_inbound',
        whatsappData: { phoneNumberId: input.phoneNumberId, businessAccountId: input.businessAccountId },
      },
      { id: this.ports.ids.next(), now: this.ports.clock.now() },
    );
    const record = conversation.toPrimitives();
    await this.ports.conversations.insert(record);
    await publish(this.ports, conversation.pullEvents(), { customerId: customer.id });
    await recordActivity(
      this.ports,
      SYSTEM,
      {},
      {
        entityType: 'conversation',
        entityId: record.id,
        action: 'created',
        after: record,
        reason: 'customer message',
      },
    );
    return { conversation: record, created: true };
  }

  #attachments(input: InboundMessage): Attachment[] {
    return inboundAttachments(input);
  }

  async #reaction(reaction: NonNullable<InboundMessage['reaction']>): Promise<MessagePrimitives['reaction']> {
    const target = await this.ports.messages.findByWhatsappId(reaction.whatsappMessageId);
    return {
      emoji: reaction.emoji,
      whatsappMessageId: reaction.whatsappMessageId,
      ...(target ? { messageId: target.id } : {}),
    };
  }

  async #touchCustomer(customerId: string, at: Date): Promise<CustomerPrimitives | undefined> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const found = await this.ports.customers.findById(customerId);
      if (!found) return undefined;
      const customer = Customer.fromPrimitives(found);
      customer.recordInteraction(at);
      try {
        return await this.ports.customers.update(customer.toPrimitives());
      } catch (error) {
        if (!(error instanceof ConcurrencyError)) throw error;
      }
    }
    return undefined;
  }

  /** The customer answered: tickets of this conversation waiting on them resume (their SLA clock restarts). */
}

/**
 * Customer messages found already stored (their WhatsApp ids are known). Normally redeliveries of
 * messages received in full: nothing to do. But a process that stopped between storing messages and
 * applying them to their conversation (this path and the batched one write the messages first) leaves
 * them stored and unapplied, and the inbox's retry of those events lands here. Applying a message
 * moves the conversation's `lastCustomerMessage` to at least its timestamp, and the inbox retries the
 * oldest events first, so a message newer than the conversation's `lastCustomerMessage` (read before
 * any of them is applied: WhatsApp's timestamps are whole seconds) was never applied: the conversation
 * records it now (reopening it if it was resolved), the customer's counters and times follow, the
 * tickets waiting on the customer resume, and `message.received` is published — what the first attempt would have done. (Reactions do not touch
 * the conversation, so a lost one is not told apart; nor is a lost `totalConversations` increment:
 * `stats recompute` repairs counters. The rule never applies a message twice; a lost message no newer
 * than one applied after it is not told apart either.)
 * Returns each message's conversation and customer as they stand, by message id.
 */
export async function completeStoredMessages(
  ports: Pick<Ports, 'conversations' | 'customers' | 'tickets' | 'settings' | 'events' | 'clock'>,
  messages: MessagePrimitives[],
): Promise<Map<Id, { conversation: ConversationPrimitives; customer: CustomerPrimitives }>> {
  const out = new Map<Id, { conversation: ConversationPrimitives; customer: CustomerPrimitives }>();
  const byConversation = new Map<Id, MessagePrimitives[]>();
  for (const m of messages)
    byConversation.set(m.conversationId, [...(byConversation.get(m.conversationId) ?? []), m]);
  for (const [conversationId, stored] of byConversation) {
    let [conversation, customer] = await Promise.all([
      ports.conversations.findById(conversationId),
      ports.customers.findById(stored[0]!.customerId),
    ]);
    if (!conversation || !customer)
      throw new Error(`stored message ${stored[0]!.id} has lost its conversation or customer`);
    const applied = conversation.lastCustomerMessage?.getTime() ?? Number.NEGATIVE_INFINITY;
    const unapplied = stored
      .filter(
        (m) =>
          m.direction === 'inbound' &&
          m.sender === 'customer' &&
          m.type !== 'reaction' &&
          conversation!.status !== 'closed' &&
          m.timestamp.getTime() > applied,
      )
      .sort((a, b) => a.timestamp.getTime() - b.timestamp.getTime() || (a.id < b.id ? -1 : 1));
    if (unapplied.length > 0) {
      ({ saved: conversation } = await mutateConversation(ports, conversationId, (c) => {
        for (const m of unapplied)
          c.recordInboundMessage({ content: m.content, type: m.type, at: m.timestamp });
      }));
      const times = unapplied.map((m) => m.timestamp.getTime());
      await ports.customers.recordInteractions([
        {
          id: customer.id,
          firstAt: new Date(Math.min(...times)),
          lastAt: new Date(Math.max(...times)),
          statistics: { totalMessages: unapplied.length },
        },
      ]);
      customer = (await ports.customers.findById(customer.id)) ?? customer;
      for (const events of (await resumeTicketsWaitingOn(ports, [conversation])).get(conversationId) ?? [])
        await publish(ports, events);
      for (const m of unapplied) {
        const entity = Message.fromPrimitives(m);
        entity.announceReceived(conversation.assignedAgent);
        await publish(ports, entity.pullEvents(), {
          assignedAgent: conversation.assignedAgent,
          conversationId,
          customerId: customer.id,
          conversationAnswered: conversation.lastAgentResponse !== undefined,
        });
      }
    }
    for (const m of stored) out.set(m.id, { conversation, customer });
  }
  return out;
}

/**
 * The customers answered: the tickets of these conversations waiting on them (`waiting_customer`)
 * resume, in one query for all of them. Returns each conversation's tickets' events, for the caller
 * to publish in its order.
 */
export async function resumeTicketsWaitingOn(
  ports: Pick<Ports, 'tickets' | 'settings' | 'clock'>,
  conversations: ConversationPrimitives[],
): Promise<Map<Id, DomainEvent[][]>> {
  const events = new Map<Id, DomainEvent[][]>();
  if (conversations.length === 0) return events;
  const waiting = await ports.tickets.listByConversations(
    conversations.map((c) => c.id),
    ['waiting_customer'],
  );
  if (waiting.length === 0) return events;
  const calendar = (await loadSettings(ports)).businessCalendar();
  for (const record of waiting) {
    const ticket = Ticket.fromPrimitives(record);
    ticket.customerReplied(ports.clock.now(), calendar);
    await ports.tickets.update(ticket.toPrimitives());
    const list = events.get(record.conversationId!) ?? [];
    list.push(ticket.pullEvents());
    events.set(record.conversationId!, list);
  }
  return events;
}
