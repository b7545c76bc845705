/**
 * Test data builder for the Conversation aggregate:
 *   aConversation().assignedTo(agentId).withStatus('resolved').build()
 * builds through `Conversation.fromPrimitives` (so it never records events) with sensible,
 * consistent defaults: an `assigned` conversation without an explicit agent gets one, a `resolved`
 * one gets resolvedAt/resolvedBy, a `closed` one gets closedAt. Ids are 24-hex strings.
 */
import { Conversation } from '../../../src/domain/conversation/conversation.js';
import type {
  ConversationCategory,
  ConversationPrimitives,
  ConversationStatus,
  InternalNote,
  Priority,
} from '../../../src/domain/conversation/conversation.types.js';
import type { Id } from '../../../src/domain/shared/ids.js';

let sequence = 0;

/** A fresh 24-hex id, unique within the test run (deterministic: a counter). */
export const testId = (): Id => {
  sequence += 1;
  return sequence.toString(16).padStart(24, '0');
};

/** The instant default test data is created at. */
export const T0 = new Date('2025-03-03T15:00:00.000Z');

/** `T0` plus `minutes` (may be fractional or negative). Always a new Date. */
export const minutesAfter = (minutes: number, base: Date = T0): Date =>
  new Date(base.getTime() + minutes * 60_000);

export class ConversationBuilder {
  #p: ConversationPrimitives;

  constructor() {
    this.#p = {
      id: testId(),
      customerId: testId(),
      status: 'open',
      priority: 'medium',
      category: 'support',
      tags: [],
      isAIEnabled: true,
      aiModel: 'gpt-4',
      autoResponses: true,
      channel: 'whatsapp',
      messageCount: 0,
      unreadCount: 0,
      internalNotes: [],
      createdAt: new Date(T0),
      updatedAt: new Date(T0),
      version: 1,
    };
  }

  withId(id: Id): this {
    this.#p.id = id;
    return this;
  }

  forCustomer(customerId: Id): this {
    this.#p.customerId = customerId;
    return this;
  }

  withStatus(status: ConversationStatus): this {
    this.#p.status = status;
    return this;
  }

  /** Sets the agent; the status becomes `assigned` unless a status is set later (or was set already, other than open). */
  assignedTo(agentId: Id, by?: Id): this {
    this.#p.assignedAgent = agentId;
    this.#p.assignedAt = new Date(this.#p.createdAt);
    if (by !== undefined) this.#p.assignedBy = by;
    if (this.#p.status === 'open') this.#p.status = 'assigned';
    return this;
  }

  unassigned(): this {
    delete this.#p.assignedAgent;
    delete this.#p.assignedAt;
    delete this.#p.assignedBy;
    return this;
  }

  withPriority(priority: Priority): this {
    this.#p.priority = priority;
    return this;
  }

  withCategory(category: ConversationCategory): this {
    this.#p.category = category;
    return this;
  }

  withTags(...tags: string[]): this {
    this.#p.tags = tags;
    return this;
  }

  withNotes(...notes: InternalNote[]): this {
    this.#p.internalNotes = notes;
    return this;
  }

  withLastCustomerMessage(at: Date | undefined): this {
    if (at === undefined) delete this.#p.lastCustomerMessage;
    else this.#p.lastCustomerMessage = at;
    return this;
  }

  awaitingResponseSince(at: Date): this {
    this.#p.awaitingResponseSince = at;
    return this;
  }

  withCounts(counts: { messageCount?: number; unreadCount?: number }): this {
    if (counts.messageCount !== undefined) this.#p.messageCount = counts.messageCount;
    if (counts.unreadCount !== undefined) this.#p.unreadCount = counts.unreadCount;
    return this;
  }

  createdAt(at: Date): this {
    this.#p.createdAt = at;
    this.#p.updatedAt = at;
    return this;
  }

  /** Raw overrides; an `undefined` value removes the field. */
  with(overrides: Partial<ConversationPrimitives>): this {
    const merged: Record<string, unknown> = { ...this.#p, ...overrides };
    for (const key of Object.keys(merged)) {
      if (merged[key] === undefined) delete merged[key];
    }
    this.#p = merged as unknown as ConversationPrimitives;
    return this;
  }

  buildPrimitives(): ConversationPrimitives {
    const p = structuredClone(this.#p);
    if (p.status === 'assigned' && p.assignedAgent === undefined) {
      p.assignedAgent = testId();
      p.assignedAt = new Date(p.createdAt);
    }
    if (p.status === 'resolved' && p.resolvedAt === undefined) {
      p.resolvedAt = new Date(p.updatedAt);
      if (p.assignedAgent !== undefined) p.resolvedBy ??= p.assignedAgent;
    }
    if (p.status === 'closed' && p.closedAt === undefined) p.closedAt = new Date(p.updatedAt);
    return p;
  }

  build(): Conversation {
    return Conversation.fromPrimitives(this.buildPrimitives());
  }
}

export const aConversation = (): ConversationBuilder => new ConversationBuilder();
