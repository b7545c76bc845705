import type { ActivityLogPrimitives } from '../../domain/activity/activity.types.js';
import { rankCandidates } from '../../domain/assignment/assignment-policy.js';
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
import type { Id } from '../../domain/shared/ids.js';
import { AutoAssignConversation } from '../conversations/auto-assign-conversation.js';
import type { CustomerInteraction } from '../ports/repositories.js';
import { activityEntry } from '../shared/activity.js';
import { publish } from '../shared/events.js';
import { loadSettings } from '../shared/settings.js';
import {
  completeStoredMessages,
  type InboundMessage,
  type InboundPorts,
  type InboundResult,
  inboundAttachments,
  ReceiveInboundMessage,
  resumeTicketsWaitingOn,
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
 * with the I/O amortised over the batch, so that a batch costs about the same dozen round trips
 * whatever the number of messages and customers in it:
 * the customers by phone in one query → their open conversations in one query → one dedupe query,
 * only for the messages that would create a customer or a conversation (the others are refused at
 * the insert by their unique WhatsApp id) → the new customers in one `insertMany`, the new
 * conversations in one more (with the audit entries of everything created in one more) → the
 * reply/reaction targets in one query → every message in one `insertMany` → every conversation
 * with all its messages applied in order in ONE `updateMany` (optimistic; a conversation another
 * writer changed is re-read and re-applied on its own) → every customer's interaction times and
 * counters in ONE `recordInteractions` → the tickets waiting on these customers in one query → the
 * events, in message order → auto-assignment, only when some online agent can take a conversation
 * at all.
 *
 * Each message gets its own outcome: a message that fails (an invalid sender number, a customer
 * whose writes failed) fails alone or with its customer's other messages, never with the batch. A
 * message whose WhatsApp id repeats within the batch takes the single-message path after the batch;
 * a message already stored (a redelivery, a concurrent delivery) is resolved as a duplicate — and
 * completed first if a stopped attempt left it unapplied (completeStoredMessages). Results carry
 * the conversation as stored after the batch, and the customer as this batch left it (its own
 * counters and times applied to the record it read).
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
    // 1. A WhatsApp id repeated within the batch waits for its first message (single path, after).
    const seen = new Set<string>();
    const fresh: Item[] = [];
    for (const [index, input] of inputs.entries()) {
      if (seen.has(input.whatsappMessageId)) {
        later.push(index);
      } else {
        seen.add(input.whatsappMessageId);
        fresh.push({ index, input, conversationEvents: [] });
      }
    }

    const settings = await loadSettings(this.ports);
    const now = this.ports.clock.now();

    // 2. Customers: by E.164 phone, one query; an unparsable number fails its message alone
    // (PhoneNumber.parse remembers the senders it has parsed).
    const groups = new Map<string, CustomerGroup>();
    const region = settings.get('default_phone_region');
    for (const item of fresh) {
      let phone: string;
      try {
        phone = PhoneNumber.parse(item.input.from, region).value;
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

    // 3. The known customers' open conversations, in one query.
    const knownIds = new Set([...customers.values()].map((c) => c.id));
    const open = new Map(
      (knownIds.size > 0 ? await this.ports.conversations.findLatestOpenByCustomers([...knownIds]) : []).map(
        (c) => [c.customerId, c],
      ),
    );

    // 4. Dedupe, before anything is created: the messages of senders who would get a new customer or
    // a new conversation are looked up by WhatsApp id (one query; a redelivered message must not
    // open anything). The others go to an open conversation: the messages' unique WhatsApp id refuses
    // a redelivery at the insert (step 7), without a query.
    const creating = [...groups.values()].filter((g) => {
      const customer = customers.get(g.phone);
      return !customer || !open.has(customer.id);
    });
    if (creating.length > 0) {
      const wamids = creating.flatMap((g) => g.items.map((item) => item.input.whatsappMessageId));
      const already = new Map(
        (await this.ports.messages.findByWhatsappIds(wamids)).map((m) => [m.whatsappMessageId!, m]),
      );
      const storedBefore: { index: number; message: MessagePrimitives }[] = [];
      for (const group of creating) {
        group.items = group.items.filter((item) => {
          const existing = already.get(item.input.whatsappMessageId);
          if (existing) storedBefore.push({ index: item.index, message: existing });
          return !existing;
        });
        if (group.items.length === 0) groups.delete(group.phone);
      }
      if (storedBefore.length > 0) {
        storedBefore.sort((a, b) => a.index - b.index);
        await this.#duplicates(storedBefore, outcomes);
      }
      if (groups.size === 0) return;
    }

    // 5. New customers in one insert; new conversations in one insert (with the audit entries of
    // everything created in one more).
    const created: ActivityLogPrimitives[] = [];
    await this.#findOrCreateCustomers([...groups.values()], customers, settings, created);
    const live = [...groups.values()].filter((g) => g.customer && !g.error);
    // A customer another delivery created meanwhile (found again after our insert was refused).
    const raced = live
      .filter((g) => !g.newCustomer && !knownIds.has(g.customer!.id))
      .map((g) => g.customer!.id);
    if (raced.length > 0) {
      for (const c of await this.ports.conversations.findLatestOpenByCustomers(raced))
        open.set(c.customerId, c);
    }
    await this.#findOrOpenConversations(live, open, created);
    await between();

    // 6. The messages, their reply / reaction targets resolved in one query (or within the batch).
    const ready = [...groups.values()].filter((g) => g.conversation && !g.error);
    const targets = new Set<string>();
    for (const group of ready) {
      for (const { input } of group.items) {
        if (input.replyToWhatsappId) targets.add(input.replyToWhatsappId);
        if (input.reaction) targets.add(input.reaction.whatsappMessageId);
      }
    }
    const stored = new Map<string, MessagePrimitives>();
    if (targets.size > 0) {
      for (const m of await this.ports.messages.findByWhatsappIds([...targets]))
        stored.set(m.whatsappMessageId!, m);
    }
    // In arrival order across customers, so that a target stored earlier in the batch is found.
    const byIndex = ready.flatMap((g) => g.items.map((item) => ({ item, group: g })));
    byIndex.sort((a, b) => a.item.index - b.item.index);
    for (const { item, group } of byIndex) {
      this.#buildMessage(item, group, stored, now);
      await between();
      stored.set(item.input.whatsappMessageId, item.record!);
    }

    // 7. One insertMany. A message it refuses as a duplicate (a redelivery, or a concurrent delivery
    // stored it) is read back and settled now — completed if a stopped attempt left it unapplied —
    // before this batch applies the messages after it (the conversation then answers the batch's
    // update with a conflict, and is re-read and re-applied).
    const records = byIndex.map(({ item }) => item.record!);
    const { duplicates } = await this.ports.messages.insertMany(records);
    if (duplicates.length > 0) {
      const refused = new Set(duplicates);
      const again: Item[] = [];
      for (const group of ready) {
        group.items = group.items.filter((item) => {
          if (!refused.has(item.record!.id)) return true;
          again.push(item);
          return false;
        });
      }
      const storedNow = new Map(
        (await this.ports.messages.findByWhatsappIds(again.map((item) => item.input.whatsappMessageId))).map(
          (m) => [m.whatsappMessageId!, m],
        ),
      );
      const found: { index: number; message: MessagePrimitives }[] = [];
      for (const item of again) {
        const message = storedNow.get(item.input.whatsappMessageId);
        if (message) found.push({ index: item.index, message });
        else later.push(item.index); // refused for another reason: the single path decides
      }
      if (found.length > 0) await this.#duplicates(found, outcomes);
    }

    // 8. Everything after the insert, for all the customers at once.
    const settling = ready.filter((g) => g.items.length > 0);
    try {
      const results = await this.#settle(settling, between);
      for (const group of settling) {
        const groupResults = results.get(group);
        if (Array.isArray(groupResults)) {
          for (const [i, item] of group.items.entries())
            outcomes[item.index] = { ok: true, result: groupResults[i]! };
        } else {
          for (const item of group.items) outcomes[item.index] = { ok: false, error: groupResults?.error };
        }
      }
    } catch (error) {
      for (const group of settling)
        for (const item of group.items) outcomes[item.index] ??= { ok: false, error };
    }
  }

  /** Messages already stored: done, or completed if a stopped attempt left them unapplied (completeStoredMessages). */
  async #duplicates(
    found: { index: number; message: MessagePrimitives }[],
    outcomes: (InboundOutcome | undefined)[],
  ): Promise<void> {
    let settled: Awaited<ReturnType<typeof completeStoredMessages>>;
    try {
      settled = await completeStoredMessages(
        this.ports,
        found.map((f) => f.message),
      );
    } catch (error) {
      for (const { index } of found) outcomes[index] = { ok: false, error };
      return;
    }
    for (const { index, message } of found) {
      const { conversation, customer } = settled.get(message.id)!;
      outcomes[index] = {
        ok: true,
        result: { message, conversation, customer, created: false, newConversation: false },
      };
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

  /**
   * The known customers (a profile name fills an empty name), and the new ones created in one
   * `insertMany`; a phone another delivery created a moment ago is read back. Audit entries of the
   * new customers go to `created`.
   */
  async #findOrCreateCustomers(
    groups: CustomerGroup[],
    found: Map<string, CustomerPrimitives>,
    settings: SettingsSnapshot,
    created: ActivityLogPrimitives[],
  ): Promise<void> {
    const fresh: CustomerGroup[] = [];
    for (const group of groups) {
      const known = found.get(group.phone);
      if (known) {
        await this.#guarded(group, () => this.#fillProfileName(group, known));
        continue;
      }
      await this.#guarded(group, async () => {
        const customer = Customer.create(
          { phoneNumber: group.phone, source: 'whatsapp' },
          {
            id: this.ports.ids.next(),
            now: this.ports.clock.now(),
            defaultRegion: settings.get('default_phone_region'),
          },
        );
        const profileName = group.items[0]!.input.profileName;
        if (profileName) customer.fillProfileName(profileName, this.ports.clock.now());
        group.customer = customer.toPrimitives();
        group.newCustomer = true;
        fresh.push(group);
      });
    }
    if (fresh.length === 0) return;
    let refused: Set<Id>;
    try {
      refused = new Set((await this.ports.customers.insertMany(fresh.map((g) => g.customer!))).duplicates);
    } catch (error) {
      for (const group of fresh) group.error = error;
      return;
    }
    const raced = fresh.filter((g) => refused.has(g.customer!.id));
    if (raced.length > 0) {
      // Another delivery created these customers a moment ago.
      const current = new Map(
        (await this.ports.customers.findByPhones(raced.map((g) => g.phone))).map((c) => [c.phoneNumber, c]),
      );
      for (const group of raced) {
        const customer = current.get(group.phone);
        if (customer) group.customer = customer;
        else group.error = new DuplicateError('customer', 'id');
        group.newCustomer = false;
      }
    }
    for (const group of fresh) {
      if (!group.newCustomer) continue;
      created.push(
        activityEntry(this.ports, {
          entityType: 'customer',
          entityId: group.customer!.id,
          action: 'created',
          after: group.customer!,
          reason: 'first WhatsApp message',
        }),
      );
    }
  }

  async #fillProfileName(group: CustomerGroup, found: CustomerPrimitives): Promise<void> {
    group.customer = found;
    const profileName = group.items[0]!.input.profileName;
    if (!profileName || found.firstName || found.lastName) return;
    const customer = Customer.fromPrimitives(found);
    if (!customer.fillProfileName(profileName, this.ports.clock.now())) return;
    try {
      group.customer = await this.ports.customers.update(customer.toPrimitives());
    } catch (error) {
      if (!(error instanceof ConcurrencyError)) throw error;
    }
  }

  /**
   * The customers' open conversations, and new ones opened in one `insertMany`, followed by one
   * `appendMany` of the audit entries of everything created (customers included), and their events.
   */
  async #findOrOpenConversations(
    groups: CustomerGroup[],
    open: Map<Id, ConversationPrimitives>,
    created: ActivityLogPrimitives[],
  ): Promise<void> {
    const opened: { group: CustomerGroup; conversation: Conversation }[] = [];
    for (const group of groups) {
      const existing = open.get(group.customer!.id);
      if (existing) {
        group.conversation = existing;
        continue;
      }
      const input = group.items[0]!.input;
      const conversation = Conversation.open(
        {
          customerId: group.customer!.id,
          channel: 'whatsapp',
          source: 'whatsapp_inbound',
          whatsappData: { phoneNumberId: input.phoneNumberId, businessAccountId: input.businessAccountId },
        },
        { id: this.ports.ids.next(), now: this.ports.clock.now() },
      );
      opened.push({ group, conversation });
    }
    if (opened.length > 0) {
      const records = opened.map(({ conversation }) => conversation.toPrimitives());
      try {
        await this.ports.conversations.insertMany(records);
      } catch (error) {
        for (const { group } of opened) group.error = error;
        opened.length = 0;
      }
      for (const [i, { group, conversation }] of opened.entries()) {
        const record = records[i]!;
        group.conversation = record;
        group.newConversation = true;
        created.push(
          activityEntry(this.ports, {
            entityType: 'conversation',
            entityId: record.id,
            action: 'created',
            after: record,
            reason: 'customer message',
          }),
        );
        await publish(this.ports, conversation.pullEvents(), { customerId: group.customer!.id });
      }
    }
    if (created.length > 0) await this.ports.activity.appendMany(created);
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

  /**
   * Everything after the insert, for every customer of the batch: the conversations in one
   * `updateMany` (a conflict re-read and re-applied alone), the customers in one
   * `recordInteractions`, the tickets waiting on them in one query, the events in message order,
   * then auto-assignment. Returns each group's results, or the error that failed it.
   */
  async #settle(
    groups: CustomerGroup[],
    between: () => Promise<void>,
  ): Promise<Map<CustomerGroup, InboundResult[] | { error: unknown }>> {
    const results = new Map<CustomerGroup, InboundResult[] | { error: unknown }>();
    const saved = new Map<CustomerGroup, ConversationPrimitives>();

    // Conversations: every group's counted messages applied in order, all saved in one call.
    const applied: { group: CustomerGroup; record: ConversationPrimitives }[] = [];
    for (const group of groups) {
      const counted = group.items.filter((item) => item.input.type !== 'reaction');
      if (counted.length === 0) saved.set(group, group.conversation!);
      else applied.push({ group, record: this.#apply(group.conversation!, counted) });
      await between();
    }
    const { updated, conflicts } = await this.ports.conversations.updateMany(applied.map((a) => a.record));
    const byId = new Map(updated.map((c) => [c.id, c]));
    const retry = new Set(conflicts);
    for (const { group } of applied) {
      const stored = byId.get(group.conversation!.id);
      if (stored && !retry.has(group.conversation!.id)) {
        saved.set(group, stored);
        continue;
      }
      const counted = group.items.filter((item) => item.input.type !== 'reaction');
      try {
        saved.set(group, await this.#saveConversation(group, counted, null));
      } catch (error) {
        results.set(group, { error });
      }
    }
    const live = groups.filter((g) => !results.has(g));

    // Customers: interaction times and counters of every customer in one call.
    const customers = new Map<CustomerGroup, CustomerPrimitives>();
    const interactions: CustomerInteraction[] = [];
    for (const group of live) {
      const customer = group.customer!;
      const times = group.items.map((item) => item.record!.timestamp.getTime());
      const statistics = {
        totalMessages: group.items.length,
        ...(group.newConversation ? { totalConversations: 1 } : {}),
      };
      const firstAt = new Date(Math.min(...times));
      const lastAt = new Date(Math.max(...times));
      if (customer.erasedAt === undefined)
        interactions.push({ id: customer.id, firstAt, lastAt, statistics });
      customers.set(group, afterInteraction(customer, firstAt, lastAt, statistics));
    }
    await this.ports.customers.recordInteractions(interactions);

    // Tickets waiting on these customers resume (one query for all their conversations).
    const answered = live.filter((g) => g.items.some((item) => item.input.type !== 'reaction'));
    const ticketEvents = await resumeTicketsWaitingOn(
      this.ports,
      answered.map((g) => saved.get(g)!),
    );

    // The events, in message order: each message's conversation events, then its own.
    for (const group of live) {
      const conversation = saved.get(group)!;
      let ticketsPublished = false;
      for (const item of group.items) {
        await publish(this.ports, item.conversationEvents, {
          assignedAgent: conversation.assignedAgent,
          customerId: conversation.customerId,
        });
        if (!ticketsPublished && item.input.type !== 'reaction') {
          for (const events of ticketEvents.get(conversation.id) ?? []) await publish(this.ports, events);
          ticketsPublished = true;
        }
        await publish(this.ports, item.message!.pullEvents(), {
          assignedAgent: conversation.assignedAgent,
          conversationId: conversation.id,
          customerId: group.customer!.id,
          conversationAnswered: conversation.lastAgentResponse !== undefined,
        });
      }
      await between();
    }

    // Auto-assignment of the new and queued conversations, when some online agent can take one.
    const queued = live.filter((g) => {
      const c = saved.get(g)!;
      return g.newConversation || (!c.assignedAgent && c.status === 'open');
    });
    const assignable = queued.length > 0 && (await this.#someoneCanTakeConversations());
    for (const group of live) {
      let conversation = saved.get(group)!;
      if (assignable && queued.includes(group)) {
        try {
          conversation = (await this.#autoAssign.execute({ conversationId: conversation.id })).conversation;
        } catch (error) {
          results.set(group, { error });
          continue;
        }
        await between();
      }
      const customer = customers.get(group)!;
      results.set(
        group,
        group.items.map((item, i) => ({
          message: item.record!,
          conversation,
          customer,
          created: true,
          newConversation: group.newConversation && i === 0,
        })),
      );
    }
    return results;
  }

  /** Whether auto-assignment is on and some online agent has room (else no conversation can be assigned). */
  async #someoneCanTakeConversations(): Promise<boolean> {
    const settings = await loadSettings(this.ports);
    return (
      rankCandidates({
        candidates: await this.ports.agents.listOnline(),
        maxConversations: settings.get('max_conversations_per_agent'),
        autoAssignmentEnabled: settings.get('auto_assignment_enabled'),
        customerBlocked: false,
      }).length > 0
    );
  }

  /** The conversation record with the counted messages applied in order (their events kept on the items). */
  #apply(record: ConversationPrimitives, counted: Item[]): ConversationPrimitives {
    const conversation = Conversation.fromPrimitives(record);
    for (const item of counted) {
      const r = item.record!;
      conversation.recordInboundMessage({ content: r.content, type: r.type, at: r.timestamp });
      item.conversationEvents = conversation.pullEvents();
    }
    return conversation.toPrimitives();
  }

  /**
   * Applies all the customer's counted messages to the conversation in order and saves it once
   * (optimistic; on a conflict the whole conversation is re-read and re-applied), starting from
   * `record`, or from a fresh read when it is null (after the batch's `updateMany` found it changed).
   */
  async #saveConversation(
    group: CustomerGroup,
    counted: Item[],
    start: ConversationPrimitives | null,
  ): Promise<ConversationPrimitives> {
    const id = group.conversation!.id;
    let record = start ?? (await this.ports.conversations.findById(id));
    for (let attempt = 1; ; attempt++) {
      if (!record) throw new BusinessRuleError('CONVERSATION.NOT_FOUND', `conversation ${id} does not exist`);
      try {
        return await this.ports.conversations.update(this.#apply(record, counted));
      } catch (error) {
        if (!(error instanceof ConcurrencyError) || attempt >= CONVERSATION_ATTEMPTS) throw error;
        record = await this.ports.conversations.findById(id);
      }
    }
  }
}

/**
 * The customer record after this batch's interaction (what recordInteractions does to it: the
 * entity's recordInteraction, the counters and the version), for the results. An erased customer is
 * not written (see #settle), so it is returned as it is.
 */
function afterInteraction(
  customer: CustomerPrimitives,
  firstAt: Date,
  lastAt: Date,
  statistics: { totalMessages: number; totalConversations?: number },
): CustomerPrimitives {
  if (customer.erasedAt !== undefined) return customer;
  const entity = Customer.fromPrimitives(customer);
  entity.recordInteraction(firstAt);
  entity.recordInteraction(lastAt);
  const after = entity.toPrimitives();
  return {
    ...after,
    statistics: {
      ...after.statistics,
      totalMessages: after.statistics.totalMessages + statistics.totalMessages,
      totalConversations: after.statistics.totalConversations + (statistics.totalConversations ?? 0),
    },
    version: customer.version + 1,
  };
}
