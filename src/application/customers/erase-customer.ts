import { deepEqual } from '../../domain/activity/activity-entry.js';
import { SLOT_HOLDING_STATUSES } from '../../domain/assignment/assignment-policy.js';
import type { ConversationPrimitives } from '../../domain/conversation/conversation.types.js';
import { Customer } from '../../domain/customer/customer.js';
import { PhoneNumber } from '../../domain/customer/phone-number.js';
import { NotFoundError, ValidationError } from '../../domain/shared/errors.js';
import type { DomainEvent } from '../../domain/shared/events.js';
import type { Id } from '../../domain/shared/ids.js';
import { Ticket } from '../../domain/ticket/ticket.js';
import type { TicketPrimitives } from '../../domain/ticket/ticket.types.js';
import { MAX_PAGE_SIZE } from '../ports/pagination.js';
import type { Ports } from '../ports/ports.js';
import { recordActivity } from '../shared/activity.js';
import { publish } from '../shared/events.js';
import { authorize, requireCustomer } from '../shared/guards.js';
import { loadSettings } from '../shared/settings.js';
import type { UseCaseInput } from '../shared/use-case-input.js';

export interface EraseCustomerCommand extends UseCaseInput {
  customerId: Id;
  /**
   * The customer's phone number typed again (E.164, or any form that normalises to it with the
   * `default_phone_region` setting). For a customer already marked erased (finishing an
   * interrupted erasure) the number is gone: confirm with the stored placeholder `erased:<id>`.
   */
  confirm: string;
  /** Why (e.g. the request reference); default 'right to be forgotten'. */
  reason?: string;
}

export interface EraseCustomerResult {
  customerId: Id;
  erasedAt: Date;
  /** What THIS run removed or rewrote (a re-run counts only what was left). */
  conversationsDeleted: number;
  messagesDeleted: number;
  threadsDeleted: number;
  /** Archived conversations and messages deleted (closed history moved out by the archiver). */
  archivedConversationsDeleted: number;
  archivedMessagesDeleted: number;
  mediaDeleted: number;
  ticketsAnonymised: number;
}

export const ERASE_ERROR_CODES = { NOT_CONFIRMED: 'CUSTOMER.ERASE_NOT_CONFIRMED' } as const;

/** What replaces free text that may identify the customer. */
export const ERASED_TEXT = '[erased]';

const DEFAULT_REASON = 'right to be forgotten';

type EraseCustomerPorts = Pick<
  Ports,
  | 'customers'
  | 'archive'
  | 'conversations'
  | 'messages'
  | 'threads'
  | 'tickets'
  | 'agents'
  | 'settings'
  | 'activity'
  | 'events'
  | 'clock'
  | 'ids'
  | 'media'
>;

/**
 * Right to be forgotten. Needs `customer.erase` (system:admin) and the phone number typed again.
 *
 * Steps, in an order that is safe to re-run after a crash at any point:
 * 1. the customer is anonymised and saved first (`Customer.anonymise`: the phone becomes
 *    `erased:<id>`, personal fields cleared), so from then on nobody can reach them by number and
 *    a new message from that number starts a new customer;
 * 2. per conversation: its stored media are deleted (the publicIds are read from the messages,
 *    so media go BEFORE the messages that name them), then its messages, then the conversation
 *    itself, then the assigned agent's capacity slot is given back;
 * 3. the AI threads of the customer are deleted;
 * 4. tickets are anonymised, not deleted (their ids, category, priority, status and timings stay
 *    for statistics): subject, description, note texts, resolution summary/steps and escalation
 *    reason become '[erased]', feedback comments, attachments (their media deleted first), note
 *    attachments and the location are dropped;
 * 5. one `deleted` activity entry on the customer, unless the last entry already is one.
 * Every step skips what is already done, so a second run finishes an interrupted one and a run
 * on a finished erasure changes nothing. The audit entry carries no personal data.
 *
 * Known limit: earlier activity entries (before/after snapshots of the customer and tickets) are
 * not rewritten; the ActivityLogRepository port has no way to redact them yet.
 */
export class EraseCustomer {
  constructor(private readonly ports: EraseCustomerPorts) {}

  async execute(input: EraseCustomerCommand): Promise<EraseCustomerResult> {
    const { actor } = input;
    authorize(actor, 'customer.erase');
    let stored = await requireCustomer(this.ports, input.customerId);
    authorize(actor, 'customer.erase', { kind: 'customer', id: stored.id });
    await this.#assertConfirmed(input.confirm, stored.phoneNumber);

    const now = this.ports.clock.now();
    if (stored.erasedAt === undefined) {
      const customer = Customer.fromPrimitives(stored);
      customer.anonymise(now);
      stored = await this.ports.customers.update(customer.toPrimitives());
      await publish(this.ports, customer.pullEvents());
    }

    const result: EraseCustomerResult = {
      customerId: stored.id,
      erasedAt: stored.erasedAt ?? now,
      conversationsDeleted: 0,
      messagesDeleted: 0,
      threadsDeleted: 0,
      archivedConversationsDeleted: 0,
      archivedMessagesDeleted: 0,
      mediaDeleted: 0,
      ticketsAnonymised: 0,
    };
    for (const conversation of await this.ports.conversations.listAllByCustomer(stored.id)) {
      await this.#deleteConversation(conversation, result);
    }
    result.threadsDeleted = await this.ports.threads.deleteByCustomer(stored.id);
    const archived = await this.ports.archive.purgeCustomer(stored.id);
    result.archivedConversationsDeleted = archived.conversations;
    result.archivedMessagesDeleted = archived.messages;
    for (const ticket of await this.ports.tickets.listAllByCustomer(stored.id)) {
      if (await this.#anonymiseTicket(ticket, now, result)) result.ticketsAnonymised += 1;
    }

    const last = (await this.ports.activity.listByEntity('customer', stored.id, { limit: 1 })).items[0];
    if (last?.action !== 'deleted') {
      const { customerId: _id, erasedAt, ...counts } = result;
      await recordActivity(this.ports, actor, input.meta ?? {}, {
        entityType: 'customer',
        entityId: stored.id,
        action: 'deleted',
        before: { erased: false },
        after: { erased: true, erasedAt, ...counts },
        reason: input.reason?.trim() || DEFAULT_REASON,
      });
    }
    return result;
  }

  async #assertConfirmed(confirm: string, phoneNumber: string): Promise<void> {
    const typed = typeof confirm === 'string' ? confirm.trim() : '';
    if (typed === phoneNumber) return;
    if (PhoneNumber.isE164(phoneNumber) && typed.length > 0) {
      const region = (await loadSettings(this.ports)).get('default_phone_region');
      try {
        if (PhoneNumber.parse(typed, region).value === phoneNumber) return;
      } catch {
        // not a phone number at all: refused below
      }
    }
    throw new ValidationError(
      'confirm',
      "must repeat the customer's phone number to confirm the erasure",
      ERASE_ERROR_CODES.NOT_CONFIRMED,
    );
  }

  async #deleteConversation(
    conversation: ConversationPrimitives,
    result: EraseCustomerResult,
  ): Promise<void> {
    const publicIds: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.ports.messages.listByConversation(conversation.id, {
        limit: MAX_PAGE_SIZE,
        ...(cursor === undefined ? {} : { cursor }),
      });
      for (const message of page.items) {
        for (const attachment of message.attachments)
          if (attachment.publicId) publicIds.push(attachment.publicId);
      }
      cursor = page.nextCursor;
    } while (cursor !== undefined);

    result.mediaDeleted += await this.#deleteMedia(publicIds);
    result.messagesDeleted += await this.ports.messages.deleteByConversation(conversation.id);
    await this.ports.conversations.delete(conversation.id);
    result.conversationsDeleted += 1;
    if (conversation.assignedAgent !== undefined && SLOT_HOLDING_STATUSES.includes(conversation.status)) {
      try {
        await this.ports.agents.releaseConversationSlot(conversation.assignedAgent);
      } catch (err) {
        if (!(err instanceof NotFoundError)) throw err;
      }
    }
  }

  /** Deletes stored files (MediaStore.delete is idempotent: a file already gone is not an error). */
  async #deleteMedia(publicIds: string[]): Promise<number> {
    const { media } = this.ports;
    if (!media) return 0;
    const unique = [...new Set(publicIds)];
    for (const publicId of unique) await media.delete(publicId);
    return unique.length;
  }

  async #anonymiseTicket(ticket: TicketPrimitives, now: Date, result: EraseCustomerResult): Promise<boolean> {
    const scrubbed = scrubTicket(ticket);
    if (deepEqual(scrubbed, ticket)) return false;
    result.mediaDeleted += await this.#deleteMedia(
      ticket.attachments.flatMap((a) => (a.publicId ? [a.publicId] : [])),
    );
    const valid = Ticket.fromPrimitives({ ...scrubbed, updatedAt: now }).toPrimitives();
    const saved = await this.ports.tickets.update(valid);
    const event: DomainEvent = {
      type: 'ticket.updated',
      occurredAt: new Date(now),
      payload: {
        ticketId: saved.ticketId,
        id: saved.id,
        customerId: saved.customerId,
        ...(saved.conversationId === undefined ? {} : { conversationId: saved.conversationId }),
        assignedAgent: saved.assignedAgent,
        changes: ['erased'],
      },
    };
    await publish(this.ports, [event]);
    return true;
  }
}

/** The ticket without the free text and files that may identify the customer. */
export function scrubTicket(ticket: TicketPrimitives): TicketPrimitives {
  const { location: _location, ...rest } = structuredClone(ticket);
  const scrubbed: TicketPrimitives = {
    ...rest,
    subject: ERASED_TEXT,
    description: ERASED_TEXT,
    attachments: [],
    notes: rest.notes.map((n) => ({ ...n, content: ERASED_TEXT, attachments: [] })),
  };
  if (rest.resolution) scrubbed.resolution = { ...rest.resolution, summary: ERASED_TEXT, steps: [] };
  if (rest.customerFeedback) {
    const { comment: _comment, ...feedback } = rest.customerFeedback;
    scrubbed.customerFeedback = feedback;
  }
  if (rest.escalationReason !== undefined) scrubbed.escalationReason = ERASED_TEXT;
  return scrubbed;
}
