import { Conversation } from '../../domain/conversation/conversation.js';
import type { ConversationPrimitives } from '../../domain/conversation/conversation.types.js';
import { Customer } from '../../domain/customer/customer.js';
import type { CustomerPrimitives } from '../../domain/customer/customer.types.js';
import { PhoneNumber } from '../../domain/customer/phone-number.js';
import { Message } from '../../domain/message/message.js';
import type { MessagePrimitives } from '../../domain/message/message.types.js';
import type { SettingsSnapshot } from '../../domain/settings/settings-snapshot.js';
import { BusinessRuleError, ConcurrencyError, DuplicateError } from '../../domain/shared/errors.js';
import type { DomainEvent } from '../../domain/shared/events.js';
import { Ticket } from '../../domain/ticket/ticket.js';
import { AutoAssignConversation } from '../conversations/auto-assign-conversation.js';
import { recordActivity } from '../shared/activity.js';
import { SYSTEM } from '../shared/actor.js';
import { publish } from '../shared/events.js';
import { loadSettings } from '../shared/settings.js';
import {
  type InboundMessage,
  type InboundPorts,
  type InboundResult,
  inboundAttachments,
  ReceiveInboundMessage,
} from './receive-inbound-message.js';

/** The outcome of one message of a batch: stored (or found to be a duplicate), or the error it failed with. */
export type InboundOutcome = { ok: true; result: InboundResult } | { ok: false; error: unknown };

/** Attempts at saving one conversation (all of its messages of the batch) against concurrent writers. */
const CONVERSATION_ATTEMPTS = 5;

interface Item {
  index: number;
  input: InboundMessage;
  record?: MessagePrimitives;
  message?: Message;
  /** The conversation's events recorded by this message (published before the message's own). */
  conversationEvents: DomainEvent[];
}

interface CustomerGroup {
  phone: string;
  items: Item[];
  customer?: CustomerPrimitives;
  newCustomer: boolean;
  conversation?: ConversationPrimitives;
  newConversation: boolean;
  error?: unknown;
}

/**
 * ReceiveInboundMessage for a batch of messages (the webhook inbox's due batch), with the same
 * result for every message as if they were received one after another in the order given — but
 * with the I/O amortised over the batch:
 * one dedupe query for all WhatsApp ids → the customers by phone in one query (new ones created one
 * by one, as first contacts are) → their open conversations in one query (new ones opened one by
 * one, auto-assigned once) → the reply/reaction targets in one query → every message in one
 * `insertMany` → per conversation ONE optimistic update with all its messages applied in order
 * (the whole conversation retried on a conflict) → per customer ONE statistics `$inc` and ONE
 * `recordInteraction` update → tickets waiting on the customer resume → the events, in message order.
 *
 * Each message gets its own outcome: a message that fails (an invalid sender number, a customer
 * whose writes failed) fails alone or with its customer's other messages, never with the batch. A
 * message whose WhatsApp id repeats within the batch, or that the `insertMany` reports as a
 * duplicate (a concurrent delivery stored it), takes the single-message path, which resolves it as a
 * duplicate. Results carry the conversation and customer as they stand after the batch.
 */
export class ReceiveInboundMessages {
  readonly #single: ReceiveInboundMessage;
  readonly #autoAssign: AutoAssignConversation;

  constructor(private readonly ports: InboundPorts) {
    this.#single = new ReceiveInboundMessage(ports);
    this.#autoAssign = new AutoAssignConversation(ports);
  }

  /**
   * `options.between` (optional) runs after each customer's work: the worker passes a yield to the
   * event loop, so that a batch on fast (in-memory) stores never holds incoming webhooks up for its
   * whole length.
   */
  async execute(
    inputs: readonly InboundMessage[],
    options: { between?: () => Promise<void> } = {},
  ): Promise<InboundOutcome[]> {
    const outcomes: (InboundOutcome | undefined)[] = new Array(inputs.length).fill(undefined);
    const later: number[] = []; // through the single path, after the batch
    const between = options.between ?? (async () => {});
    try {
      await this.#batch(inputs, outcomes, later, between);
    } catch (error) {
      // A batched read or write failed: every message not settled yet fails with it (and is retried).
      for (let i = 0; i < inputs.length; i++) {
        if (!outcomes[i] && !later.includes(i)) outcomes[i] = { ok: false, error };
      }
    }
    for (const index of later) {
      outcomes[index] = await this.#one(inputs[index]!);
      await between();
    }
    return outcomes.map((o) => o ?? { ok: false, error: new Error('message left unprocessed') });
  }

  async #one(input: InboundMessage): Promise<InboundOutcome> {
    try {
      return { ok: true, result: await this.#single.execute(input) };
    } catch (error) {
      return { ok: false, error };
    }
  }

  async #batch(
    inputs: readonly InboundMessage[],
    outcomes: (InboundOutcome | undefined)[],
    later: number[],
    between: () => Promise<void>,
  ): Promise<void> {
    if (inputs.length === 0) return;
    // 1. Dedupe: one query for every WhatsApp id; a repeat within the batch waits for the first.
    const stored = new Map(
      (await this.ports.messages.findByWhatsappIds(inputs.map((i) => i.whatsappMessageId))).map((m) => [
        m.whatsappMessageId!,
        m,
      ]),
    );
    const seen = new Set<string>();
    const fresh: Item[] = [];
    for (const [index, input] of inputs.entries()) {
      const existing = stored.get(input.whatsappMessageId);
      if (existing) {
        outcomes[index] = await this.#duplicate(existing);
      } else if (seen.has(input.whatsappMessageId)) {
        later.push(index);
      } else {
        seen.add(input.whatsappMessageId);
        fresh.push({ index, input, conversationEvents: [] });
      }
    }
    if (fresh.length === 0) return;

    const settings = await loadSettings(this.ports);
    const now = this.ports.clock.now();

    // 2. Customers: by E.164 phone, one query; an unparsable number fails its message alone.
    const groups = new Map<string, CustomerGroup>();
    for (const item of fresh) {
      let phone: string;
      try {
        phone = PhoneNumber.parse(item.input.from, settings.get('default_phone_region')).value;
      } catch (error) {
        outcomes[item.index] = { ok: false, error };
        continue;
      }
      const group = groups.get(phone);
      if (group) group.items.push(item);
      else groups.set(phone, { phone, items: [item], newCustomer: false, newConversation: false });
    }
    if (groups.size === 0) return;
    const customers = new Map(
      (await this.ports.customers.findByPhones([...groups.keys()])).map((c) => [c.phoneNumber, c]),
    );
    for (const group of groups.values()) {
      await this.#guarded(group, () =>
        this.#findOrCreateCustomer(group, customers.get(group.phone), settings),
      );
      await between();
    }

    // 3. Open conversations: one query for all these customers; new ones opened per customer.
    const live = [...groups.values()].filter((g) => g.customer && !g.error);
    const open = new Map(
      (await this.ports.conversations.findLatestOpenByCustomers(live.map((g) => g.customer!.id))).map((c) => [
        c.customerId,
        c,
      ]),
    );
    for (const group of live) {
      await this.#guarded(group, () => this.#findOrOpenConversation(group, open.get(group.customer!.id)));
      await between();
    }

    // 4. The messages, their reply / reaction targets resolved in one query (or within the batch).
    const ready = [...groups.values()].filter((g) => g.conversation && !g.error);
    const targets = new Set<string>();
    for (const group of ready) {
      for (const { input } of group.items) {
        if (input.replyToWhatsappId) targets.add(input.replyToWhatsappId);
        if (input.reaction) targets.add(input.reaction.whatsappMessageId);
      }
    }
    const known = new Map<string, MessagePrimitives>();
    if (targets.size > 0) {
      for (const m of await this.ports.messages.findByWhatsappIds([...targets]))
        known.set(m.whatsappMessageId!, m);
    }
    // In arrival order across customers, so that a target stored earlier in the batch is found.
    const byIndex = ready.flatMap((g) => g.items.map((item) => ({ item, group: g })));
    byIndex.sort((a, b) => a.item.index - b.item.index);
    for (const { item, group } of byIndex) {
      this.#buildMessage(item, group, known, now);
      known.set(item.input.whatsappMessageId, item.record!);
    }

    // 5. One insertMany; a duplicate (a concurrent delivery stored it) takes the single path.
    const records = byIndex.map(({ item }) => item.record!);
    const { duplicates } = await this.ports.messages.insertMany(records);
    if (duplicates.length > 0) {
      const refused = new Set(duplicates);
      for (const group of ready) {
        group.items = group.items.filter((item) => {
          if (!refused.has(item.record!.id)) return true;
          later.push(item.index);
          return false;
        });
      }
    }

    // 6. Per customer: one conversation update, one statistics $inc, one interaction update, events.
    for (const group of ready) {
      if (group.items.length === 0) continue;
      try {
        const results = await this.#settle(group);
        for (const [i, item] of group.items.entries())
          outcomes[item.index] = { ok: true, result: results[i]! };
      } catch (error) {
        for (const item of group.items) outcomes[item.index] = { ok: false, error };
      }
      await between();
    }
  }

  /** Runs a step of one customer's group; a failure fails that customer's messages only. */
  async #guarded(group: CustomerGroup, step: () => Promise<void>): Promise<void> {
    try {
      await step();
    } catch (error) {
      group.error = error;
    }
  }

  async #duplicate(message: MessagePrimitives): Promise<InboundOutcome> {
    const [conversation, customer] = await Promise.all([
      this.ports.conversations.findById(message.conversationId),
      this.ports.customers.findById(message.customerId),
    ]);
    if (!conversation || !customer) {
      return {
        ok: false,
        error: new Error(`stored message ${message.id} has lost its conversation or customer`),
      };
    }
    return { ok: true, result: { message, conversation, customer, created: false, newConversation: false } };
  }

  async #findOrCreateCustomer(
    group: CustomerGroup,
    found: CustomerPrimitives | undefined,
    settings: SettingsSnapshot,
  ): Promise<void> {
    const profileName = group.items[0]!.input.profileName;
    if (found) {
      group.customer = found;
      if (profileName && !found.firstName && !found.lastName) {
        const customer = Customer.fromPrimitives(found);
        if (customer.fillProfileName(profileName, this.ports.clock.now())) {
          try {
            group.customer = await this.ports.customers.update(customer.toPrimitives());
          } catch (error) {
            if (!(error instanceof ConcurrencyError)) throw error;
          }
        }
      }
      return;
    }
    const customer = Customer.create(
      { phoneNumber: group.phone, source: 'whatsapp' },
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
      group.customer = record;
      group.newCustomer = true;
    } catch (error) {
      if (!(error instanceof DuplicateError)) throw error;
      // Another delivery created this customer a moment ago.
      const raced = await this.ports.customers.findByPhone(group.phone);
      if (!raced) throw error;
      group.customer = raced;
    }
  }

  async #findOrOpenConversation(
    group: CustomerGroup,
    open: ConversationPrimitives | undefined,
  ): Promise<void> {
    if (open) {
      group.conversation = open;
      return;
    }
    const customerId = group.customer!.id;
    const input = group.items[0]!.input;
    const conversation = Conversation.open(
      {
        customerId,
        channel: 'whatsapp',
        source: 'whatsapp_inbound',
        whatsappData: { phoneNumberId: input.phoneNumberId, businessAccountId: input.businessAccountId },
      },
      { id: this.ports.ids.next(), now: this.ports.clock.now() },
    );
    const record = conversation.toPrimitives();
    await this.ports.conversations.insert(record);
    await publish(this.ports, conversation.pullEvents(), { customerId });
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
    group.conversation = record;
    group.newConversation = true;
  }

  #buildMessage(item: Item, group: CustomerGroup, known: Map<string, MessagePrimitives>, now: Date): void {
    const { input } = item;
    const conversation = group.conversation!;
    const target = input.reaction ? known.get(input.reaction.whatsappMessageId) : undefined;
    const message = Message.inbound(
      {
        conversationId: conversation.id,
        customerId: group.customer!.id,
        content: input.content,
        type: input.type,
        whatsappMessageId: input.whatsappMessageId,
        whatsappTimestamp: input.timestamp,
        attachments: inboundAttachments(input),
        location: input.location,
        contacts: input.contacts,
        interactive: input.interactive
          ? {
              type: input.interactive.type,
              replyId: input.interactive.replyId,
              body: input.interactive.title,
            }
          : undefined,
        reaction: input.reaction
          ? {
              emoji: input.reaction.emoji,
              whatsappMessageId: input.reaction.whatsappMessageId,
              ...(target ? { messageId: target.id } : {}),
            }
          : undefined,
        replyToWhatsappId: input.replyToWhatsappId,
        isForwarded: input.isForwarded ?? false,
      },
      { id: this.ports.ids.next(), now, assignedAgent: conversation.assignedAgent },
    );
    const record = message.toPrimitives();
    if (input.replyToWhatsappId) {
      const original = known.get(input.replyToWhatsappId);
      if (original) record.replyTo = original.id;
    }
    item.message = message;
    item.record = record;
  }

  /** Everything after the insert, for one customer's stored messages. */
  async #settle(group: CustomerGroup): Promise<InboundResult[]> {
    const customer = group.customer!;
    const counted = group.items.filter((item) => item.input.type !== 'reaction');
    const saved = counted.length > 0 ? await this.#saveConversation(group, counted) : group.conversation!;

    await this.ports.customers.incrementStatistics(customer.id, {
      totalMessages: group.items.length,
      ...(group.newConversation ? { totalConversations: 1 } : {}),
    });
    const updatedCustomer = await this.#touchCustomer(
      customer,
      group.items.map((item) => item.record!.timestamp),
    );
    const ticketEvents = counted.length > 0 ? await this.#resumeTicketsWaitingOnCustomer(saved) : [];

    // The events, in message order: each message's conversation events, then its own.
    let ticketsPublished = false;
    for (const item of group.items) {
      await publish(this.ports, item.conversationEvents, {
        assignedAgent: saved.assignedAgent,
        customerId: saved.customerId,
      });
      if (!ticketsPublished && item.input.type !== 'reaction') {
        for (const events of ticketEvents) await publish(this.ports, events);
        ticketsPublished = true;
      }
      await publish(this.ports, item.message!.pullEvents(), {
        assignedAgent: saved.assignedAgent,
        conversationId: saved.id,
        customerId: customer.id,
      });
    }
    if (group.newCustomer) {
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
    if (group.newConversation || (!saved.assignedAgent && saved.status === 'open')) {
      finalConversation = (await this.#autoAssign.execute({ conversationId: saved.id })).conversation;
    }
    return group.items.map((item, i) => ({
      message: item.record!,
      conversation: finalConversation,
      customer: updatedCustomer ?? customer,
      created: true,
      newConversation: group.newConversation && i === 0,
    }));
  }

  /**
   * Applies all the customer's counted messages to the conversation in order and saves it once
   * (optimistic; on a conflict the whole conversation is re-read and re-applied). The first
   * attempt starts from the record read (or created) earlier in this batch.
   */
  async #saveConversation(group: CustomerGroup, counted: Item[]): Promise<ConversationPrimitives> {
    let record: ConversationPrimitives | null = group.conversation!;
    for (let attempt = 1; ; attempt++) {
      if (!record) {
        throw new BusinessRuleError(
          'CONVERSATION.NOT_FOUND',
          `conversation ${group.conversation!.id} does not exist`,
        );
      }
      const conversation = Conversation.fromPrimitives(record);
      for (const item of counted) {
        const r = item.record!;
        conversation.recordInboundMessage({ content: r.content, type: r.type, at: r.timestamp });
        item.conversationEvents = conversation.pullEvents();
      }
      try {
        return await this.ports.conversations.update(conversation.toPrimitives());
      } catch (error) {
        if (!(error instanceof ConcurrencyError) || attempt >= CONVERSATION_ATTEMPTS) throw error;
        record = await this.ports.conversations.findById(group.conversation!.id);
      }
    }
  }

  /** One `recordInteraction` update for all the customer's messages (first attempt from the record in hand). */
  async #touchCustomer(known: CustomerPrimitives, times: Date[]): Promise<CustomerPrimitives | undefined> {
    let found: CustomerPrimitives | null = known;
    for (let attempt = 0; attempt < 5; attempt++) {
      if (attempt > 0) found = await this.ports.customers.findById(known.id);
      if (!found) return undefined;
      const customer = Customer.fromPrimitives(found);
      for (const at of times) customer.recordInteraction(at);
      try {
        return await this.ports.customers.update(customer.toPrimitives());
      } catch (error) {
        if (!(error instanceof ConcurrencyError)) throw error;
      }
    }
    return undefined;
  }

  /** The customer answered: tickets of this conversation waiting on them resume. Returns their events. */
  async #resumeTicketsWaitingOnCustomer(conversation: ConversationPrimitives): Promise<DomainEvent[][]> {
    const waiting = await this.ports.tickets.list(
      { conversationId: conversation.id, status: ['waiting_customer'] },
      { limit: 50 },
    );
    if (waiting.items.length === 0) return [];
    const calendar = (await loadSettings(this.ports)).businessCalendar();
    const events: DomainEvent[][] = [];
    for (const record of waiting.items) {
      const ticket = Ticket.fromPrimitives(record);
      ticket.customerReplied(this.ports.clock.now(), calendar);
      await this.ports.tickets.update(ticket.toPrimitives());
      events.push(ticket.pullEvents());
    }
    return events;
  }
}
