/**
 * The Conversation aggregate: one WhatsApp (or web/app) exchange with a customer, its assignment,
 * lifecycle, message statistics and response-time tracking. Pure: time and ids are arguments.
 *
 * Lifecycle (see CONVERSATION_TRANSITIONS): open → assigned → waiting → resolved → closed.
 *
 * Invariants kept by the mutators:
 * - `assigned` ⇔ an agent is set; `open` ⇒ no agent (open means "in the queue"). `waiting`,
 *   `resolved` and `closed` may or may not keep the agent that handled it.
 * - `closed` is final: every mutator throws `CONVERSATION.CLOSED`, except `recordSatisfaction`
 *   (surveys often come back after the close) and `markRead` (an agent reading history).
 *   `changeStatus` on a closed conversation throws `CONVERSATION.ILLEGAL_TRANSITION` because it
 *   goes through the table first.
 * - Named status mutators (markWaiting, resolve, reopen...) called from a state the table does not
 *   allow throw IllegalTransitionError('conversation', from, to).
 *
 * Events: every change records at least one event; payloads always carry `conversationId`,
 * `customerId` and `assignedAgent` (after the change, may be undefined).
 *   conversation.created      open()
 *   conversation.assigned     assignTo(), changeStatus('assigned') that self-assigns `by`
 *   conversation.transferred  transferTo()
 *   conversation.status_changed  markWaiting/resolve/close/reopen/unassign/changeStatus, and a
 *                             customer message that reopens/resumes the conversation
 *   conversation.updated      everything else (priority, tags, notes, message bookkeeping, ...)
 */
import type { MessageType } from '../message/message.types.js';
import { MESSAGE_TYPES } from '../message/message.types.js';
import {
  BusinessRuleError,
  DuplicateError,
  IllegalTransitionError,
  ValidationError,
} from '../shared/errors.js';
import { AggregateRoot } from '../shared/events.js';
import {
  assertEnum,
  assertId,
  assertMaxLength,
  assertNonEmpty,
  assertRating,
  minutesBetween,
} from '../shared/guards.js';
import type { Id } from '../shared/ids.js';
import { plainCopy } from '../shared/plain-copy.js';
import { CONVERSATION_ERRORS, conversationClosedError } from './conversation.errors.js';
import {
  CHANNELS,
  type Channel,
  CONVERSATION_CATEGORIES,
  CONVERSATION_STATUSES,
  type ConversationCategory,
  type ConversationPrimitives,
  type ConversationStatus,
  type CustomerSatisfaction,
  type InternalNote,
  LAST_MESSAGE_FROM,
  LAST_MESSAGE_TYPES,
  type LastMessage,
  PRIORITIES,
  type Priority,
} from './conversation.types.js';

// ---------------------------------------------------------------------------------------------
// Lifecycle table

/**
 * Allowed status changes. Same-status moves are not transitions (not in the table).
 * - open → assigned | waiting (AI/bot asked the customer something) | resolved (answered without an
 *   agent, e.g. by the AI) | closed (spam, duplicate).
 * - assigned → waiting | resolved | open (unassign: back to the queue) | closed.
 * - waiting → assigned (customer answered, agent kept / agent picks it up) | open (back to the queue)
 *   | resolved | closed.
 * - resolved → open (reopened by the customer, nobody assigned) | assigned (reopened, agent kept)
 *   | closed.
 * - closed → nothing: final. A new customer message opens a NEW conversation.
 */
export const CONVERSATION_TRANSITIONS: Record<ConversationStatus, readonly ConversationStatus[]> = {
  open: ['assigned', 'waiting', 'resolved', 'closed'],
  assigned: ['waiting', 'resolved', 'open', 'closed'],
  waiting: ['assigned', 'open', 'resolved', 'closed'],
  resolved: ['open', 'assigned', 'closed'],
  closed: [],
};

export const canTransition = (from: ConversationStatus, to: ConversationStatus): boolean =>
  CONVERSATION_TRANSITIONS[from].includes(to);

/** False for `closed`: the application must open a new conversation for the customer's message. */
export const acceptsCustomerMessages = (status: ConversationStatus): boolean => status !== 'closed';

// ---------------------------------------------------------------------------------------------
// Message-type mapping and limits

export type LastMessageType = LastMessage['type'];
export type LastMessageFrom = LastMessage['from'];

/**
 * Maps a message type onto the seed's narrower `lastMessage.type` enum (used for the inbox icon):
 * - visual media with a thumbnail → 'image': image, sticker, video
 * - a file to open/play → 'document': document, audio
 * - 'location' and 'template' map to themselves
 * - everything rendered as a text summary → 'text': text, interactive, button (reply), reaction
 *   (the emoji), contact (the name), unsupported.
 */
export function toLastMessageType(type: MessageType): LastMessageType {
  switch (type) {
    case 'image':
    case 'sticker':
    case 'video':
      return 'image';
    case 'document':
    case 'audio':
      return 'document';
    case 'location':
      return 'location';
    case 'template':
      return 'template';
    case 'text':
    case 'interactive':
    case 'button':
    case 'reaction':
    case 'contact':
    case 'unsupported':
      return 'text';
  }
}

export const INTERNAL_NOTE_MAX_LENGTH = 5000;
export const RESOLUTION_NOTES_MAX_LENGTH = 5000;
export const SATISFACTION_COMMENT_MAX_LENGTH = 2000;
export const TAG_MAX_LENGTH = 50;
export const MAX_TAGS = 30;
/** `lastMessage.content` is a preview for the inbox list, cut to this many characters. */
export const LAST_MESSAGE_PREVIEW_LENGTH = 500;
const AI_MODEL_MAX_LENGTH = 100;
const SOURCE_MAX_LENGTH = 200;

const PRIORITY_STEP: Record<Priority, Priority> = {
  low: 'medium',
  medium: 'high',
  high: 'urgent',
  urgent: 'urgent',
};

// ---------------------------------------------------------------------------------------------
// Inputs

export interface EntityContext {
  id: Id;
  now: Date;
}

export interface OpenConversationInput {
  customerId: Id;
  channel?: Channel;
  source?: string;
  priority?: Priority;
  category?: ConversationCategory;
  aiModel?: string;
  whatsappData?: { phoneNumberId?: string; businessAccountId?: string };
  isAIEnabled?: boolean;
  autoResponses?: boolean;
}

export interface InboundMessageInput {
  content: string;
  type: MessageType;
  /** When the customer sent it (WhatsApp timestamp). */
  at: Date;
}

export type OutboundSender = 'agent' | 'ai' | 'system';

export interface OutboundMessageInput {
  content: string;
  type: MessageType;
  at: Date;
  sender: OutboundSender;
}

export interface InternalNoteInput {
  id: Id;
  agent: Id;
  content: string;
  isVisible?: boolean;
}

export type ConversationEventType =
  | 'conversation.created'
  | 'conversation.assigned'
  | 'conversation.transferred'
  | 'conversation.status_changed'
  | 'conversation.updated';

// ---------------------------------------------------------------------------------------------
// Helpers

const copyDate = (d: Date | undefined): Date | undefined => (d === undefined ? undefined : new Date(d));
const later = (a: Date | undefined, b: Date): Date => (a !== undefined && a.getTime() > b.getTime() ? a : b);

function preview(content: string): string {
  return content.length > LAST_MESSAGE_PREVIEW_LENGTH
    ? `${content.slice(0, LAST_MESSAGE_PREVIEW_LENGTH - 1)}…`
    : content;
}

function optionalId(field: string, value: unknown): Id | undefined {
  return value === undefined || value === null ? undefined : assertId(field, value);
}

function assertBoolean(field: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new ValidationError(field, 'must be a boolean');
  return value;
}

function assertDate(field: string, value: unknown): Date {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
    throw new ValidationError(field, 'must be a valid date');
  }
  return value;
}

function normalizeTags(tags: readonly string[]): string[] {
  if (!Array.isArray(tags)) throw new ValidationError('tags', 'must be a list of strings');
  const out: string[] = [];
  for (const raw of tags) {
    if (typeof raw !== 'string') throw new ValidationError('tags', 'must be a list of strings');
    const tag = raw.trim();
    if (tag.length === 0) continue;
    assertMaxLength('tags', tag, TAG_MAX_LENGTH);
    if (!out.includes(tag)) out.push(tag);
  }
  if (out.length > MAX_TAGS) {
    throw new ValidationError('tags', `must have at most ${MAX_TAGS} tags`, 'VALIDATION.TOO_MANY');
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Aggregate

export class Conversation extends AggregateRoot {
  #p: ConversationPrimitives;

  private constructor(p: ConversationPrimitives) {
    super();
    this.#p = p;
  }

  /**
   * A new conversation with the seed's defaults (open, medium, support, AI on with 'gpt-4', auto
   * responses on, whatsapp, counters 0, no tags/notes) and `version` 0 (as Agent and Ticket do; the
   * repository bumps it on each update). Records `conversation.created`.
   */
  static open(input: OpenConversationInput, ctx: EntityContext): Conversation {
    const id = assertId('id', ctx.id);
    const customerId = assertId('customerId', input.customerId);
    const now = assertDate('now', ctx.now);
    const aiModel = input.aiModel === undefined ? 'gpt-4' : assertNonEmpty('aiModel', input.aiModel).trim();
    assertMaxLength('aiModel', aiModel, AI_MODEL_MAX_LENGTH);
    assertMaxLength('source', input.source, SOURCE_MAX_LENGTH);
    const p: ConversationPrimitives = {
      id,
      customerId,
      status: 'open',
      priority: input.priority === undefined ? 'medium' : assertEnum('priority', input.priority, PRIORITIES),
      category:
        input.category === undefined
          ? 'support'
          : assertEnum('category', input.category, CONVERSATION_CATEGORIES),
      tags: [],
      isAIEnabled: input.isAIEnabled === undefined ? true : assertBoolean('isAIEnabled', input.isAIEnabled),
      aiModel,
      autoResponses:
        input.autoResponses === undefined ? true : assertBoolean('autoResponses', input.autoResponses),
      channel: input.channel === undefined ? 'whatsapp' : assertEnum('channel', input.channel, CHANNELS),
      source: input.source,
      messageCount: 0,
      unreadCount: 0,
      internalNotes: [],
      whatsappData: input.whatsappData === undefined ? undefined : { ...input.whatsappData },
      createdAt: now,
      updatedAt: now,
      version: 0,
    };
    const conversation = new Conversation(plainCopy(p));
    conversation.emit('conversation.created', now, {
      status: p.status,
      priority: p.priority,
      category: p.category,
      channel: p.channel,
      source: p.source,
    });
    return conversation;
  }

  /** Alias of `open` for the project-wide `create(input, ctx)` convention. */
  static create(input: OpenConversationInput, ctx: EntityContext): Conversation {
    return Conversation.open(input, ctx);
  }

  /**
   * Rehydrates a stored conversation. Validates every enum and id (ValidationError naming the
   * field); tolerates legacy gaps (missing arrays/counters get their defaults, `null` optional
   * fields become absent). Cross-field invariants are not re-checked: stored data is never refused
   * for them.
   */
  static fromPrimitives(input: ConversationPrimitives): Conversation {
    const p = plainCopy(input) as ConversationPrimitives & Record<string, unknown>;
    for (const key of Object.keys(p)) {
      if (p[key] === null) delete p[key];
    }
    assertId('id', p.id);
    assertId('customerId', p.customerId);
    optionalId('assignedAgent', p.assignedAgent);
    optionalId('assignedBy', p.assignedBy);
    optionalId('resolvedBy', p.resolvedBy);
    optionalId('escalatedTo', p.escalatedTo);
    assertEnum('status', p.status, CONVERSATION_STATUSES);
    assertEnum('priority', p.priority, PRIORITIES);
    assertEnum('category', p.category, CONVERSATION_CATEGORIES);
    assertEnum('channel', p.channel, CHANNELS);
    if (p.lastMessage !== undefined) {
      assertEnum('lastMessage.from', p.lastMessage.from, LAST_MESSAGE_FROM);
      assertEnum('lastMessage.type', p.lastMessage.type, LAST_MESSAGE_TYPES);
    }
    if (p.customerSatisfaction !== undefined) {
      assertRating('customerSatisfaction.rating', p.customerSatisfaction.rating);
    }
    p.tags = p.tags ?? [];
    p.internalNotes = (p.internalNotes ?? []).map((n) => ({ ...n, isVisible: n.isVisible ?? false }));
    p.messageCount = p.messageCount ?? 0;
    p.unreadCount = p.unreadCount ?? 0;
    p.isAIEnabled = p.isAIEnabled ?? true;
    p.aiModel = p.aiModel ?? 'gpt-4';
    p.autoResponses = p.autoResponses ?? true;
    p.version = p.version ?? 0;
    return new Conversation(p);
  }

  /** A deep copy of the persisted shape (absent optional fields are omitted, not undefined). */
  toPrimitives(): ConversationPrimitives {
    return plainCopy(this.#p);
  }

  // -------------------------------------------------------------------------------------------
  // Getters (copies: nothing returned can change the aggregate)

  get id(): Id {
    return this.#p.id;
  }
  get customerId(): Id {
    return this.#p.customerId;
  }
  get status(): ConversationStatus {
    return this.#p.status;
  }
  get isClosed(): boolean {
    return this.#p.status === 'closed';
  }
  get priority(): Priority {
    return this.#p.priority;
  }
  get category(): ConversationCategory {
    return this.#p.category;
  }
  get tags(): string[] {
    return [...this.#p.tags];
  }
  get assignedAgent(): Id | undefined {
    return this.#p.assignedAgent;
  }
  get assignedAt(): Date | undefined {
    return copyDate(this.#p.assignedAt);
  }
  get assignedBy(): Id | undefined {
    return this.#p.assignedBy;
  }
  get isAIEnabled(): boolean {
    return this.#p.isAIEnabled;
  }
  get aiModel(): string {
    return this.#p.aiModel;
  }
  get autoResponses(): boolean {
    return this.#p.autoResponses;
  }
  get channel(): Channel {
    return this.#p.channel;
  }
  get source(): string | undefined {
    return this.#p.source;
  }
  get messageCount(): number {
    return this.#p.messageCount;
  }
  get unreadCount(): number {
    return this.#p.unreadCount;
  }
  get lastMessage(): LastMessage | undefined {
    return this.#p.lastMessage === undefined ? undefined : structuredClone(this.#p.lastMessage);
  }
  get firstResponseTime(): number | undefined {
    return this.#p.firstResponseTime;
  }
  get averageResponseTime(): number | undefined {
    return this.#p.averageResponseTime;
  }
  get responseCount(): number {
    return this.#p.responseCount ?? 0;
  }
  get lastAgentResponse(): Date | undefined {
    return copyDate(this.#p.lastAgentResponse);
  }
  get lastCustomerMessage(): Date | undefined {
    return copyDate(this.#p.lastCustomerMessage);
  }
  get awaitingResponseSince(): Date | undefined {
    return copyDate(this.#p.awaitingResponseSince);
  }
  get resolvedAt(): Date | undefined {
    return copyDate(this.#p.resolvedAt);
  }
  get resolvedBy(): Id | undefined {
    return this.#p.resolvedBy;
  }
  get resolutionNotes(): string | undefined {
    return this.#p.resolutionNotes;
  }
  get customerSatisfaction(): CustomerSatisfaction | undefined {
    return this.#p.customerSatisfaction === undefined
      ? undefined
      : structuredClone(this.#p.customerSatisfaction);
  }
  get internalNotes(): InternalNote[] {
    return structuredClone(this.#p.internalNotes);
  }
  get whatsappData(): { phoneNumberId?: string; businessAccountId?: string } | undefined {
    return this.#p.whatsappData === undefined ? undefined : { ...this.#p.whatsappData };
  }
  get failedDeliveries(): number {
    return this.#p.failedDeliveries ?? 0;
  }
  get escalated(): boolean {
    return this.#p.escalated ?? false;
  }
  get escalatedTo(): Id | undefined {
    return this.#p.escalatedTo;
  }
  get escalatedAt(): Date | undefined {
    return copyDate(this.#p.escalatedAt);
  }
  get createdAt(): Date {
    return new Date(this.#p.createdAt);
  }
  get updatedAt(): Date {
    return new Date(this.#p.updatedAt);
  }
  get closedAt(): Date | undefined {
    return copyDate(this.#p.closedAt);
  }
  get version(): number {
    return this.#p.version;
  }

  // -------------------------------------------------------------------------------------------
  // Assignment

  /**
   * Assigns the conversation to `agentId` (status → assigned). Allowed from open, waiting and
   * resolved (reopens it with this agent). Refused with CONVERSATION.ALREADY_ASSIGNED when the
   * agent is already the assigned one, or when the conversation is `assigned` (use transferTo: two
   * racing auto-assignments must not silently steal each other's conversation).
   * `by` is the agent who assigned it (undefined: automatic assignment).
   */
  assignTo(agentId: Id, by: Id | undefined, now: Date): void {
    this.assertNotClosed();
    assertId('assignedAgent', agentId);
    optionalId('assignedBy', by);
    const from = this.#p.status;
    if (this.#p.assignedAgent === agentId) {
      throw new BusinessRuleError(
        CONVERSATION_ERRORS.ALREADY_ASSIGNED,
        'The conversation is already assigned to this agent',
        { conversationId: this.#p.id, assignedAgent: agentId },
      );
    }
    if (from === 'assigned') {
      throw new BusinessRuleError(
        CONVERSATION_ERRORS.ALREADY_ASSIGNED,
        'The conversation is already assigned to another agent; transfer it instead',
        { conversationId: this.#p.id, assignedAgent: this.#p.assignedAgent },
      );
    }
    this.assertTransition(from, 'assigned');
    const previousAgent = this.#p.assignedAgent;
    this.setAgent(agentId, by, now);
    this.applyStatus(from, 'assigned');
    this.#p.updatedAt = now;
    this.emit('conversation.assigned', now, { from, to: 'assigned', assignedBy: by, previousAgent });
  }

  /** Hands an assigned or waiting conversation to another agent; the status does not change. */
  transferTo(agentId: Id, by: Id | undefined, now: Date): void {
    this.assertNotClosed();
    assertId('assignedAgent', agentId);
    optionalId('assignedBy', by);
    const previousAgent = this.#p.assignedAgent;
    if (previousAgent === undefined || (this.#p.status !== 'assigned' && this.#p.status !== 'waiting')) {
      throw new BusinessRuleError(
        CONVERSATION_ERRORS.NOT_ASSIGNED,
        'Only a conversation assigned to an agent (assigned or waiting) can be transferred',
        { conversationId: this.#p.id, status: this.#p.status },
      );
    }
    if (previousAgent === agentId) {
      throw new BusinessRuleError(
        CONVERSATION_ERRORS.ALREADY_ASSIGNED,
        'The conversation is already assigned to this agent',
        { conversationId: this.#p.id, assignedAgent: agentId },
      );
    }
    this.setAgent(agentId, by, now);
    this.#p.updatedAt = now;
    this.emit('conversation.transferred', now, { previousAgent, transferredBy: by, status: this.#p.status });
  }

  /**
   * Removes the agent. `assigned` → `open` (back to the queue); `waiting` stays `waiting` (still
   * waiting on the customer, now without an agent). Other states: CONVERSATION.NOT_ASSIGNED.
   */
  unassign(by: Id | undefined, now: Date): void {
    this.assertNotClosed();
    optionalId('by', by);
    const previousAgent = this.#p.assignedAgent;
    const from = this.#p.status;
    if (previousAgent === undefined || (from !== 'assigned' && from !== 'waiting')) {
      throw new BusinessRuleError(
        CONVERSATION_ERRORS.NOT_ASSIGNED,
        'Only a conversation assigned to an agent (assigned or waiting) can be unassigned',
        { conversationId: this.#p.id, status: from },
      );
    }
    const to: ConversationStatus = from === 'assigned' ? 'open' : 'waiting';
    this.clearAgent();
    this.#p.status = to;
    this.#p.updatedAt = now;
    this.emit('conversation.status_changed', now, { from, to, by, previousAgent, reason: 'unassigned' });
  }

  // -------------------------------------------------------------------------------------------
  // Status

  /**
   * Generic status change through CONVERSATION_TRANSITIONS (anything not in the table, including
   * same-status and anything from `closed`, throws IllegalTransitionError). Routing:
   * - 'assigned': keeps the agent already set (waiting/resolved), else self-assigns `by`
   *   (an agent picking the conversation up), else CONVERSATION.AGENT_REQUIRED.
   * - 'open': back to the queue; the agent is removed (open never has an agent); from resolved it
   *   is a reopen.
   * - 'waiting' / 'resolved' / 'closed': as markWaiting / resolve / close.
   */
  changeStatus(to: ConversationStatus, by: Id | undefined, now: Date): void {
    assertEnum('status', to, CONVERSATION_STATUSES);
    optionalId('by', by);
    const from = this.#p.status;
    this.assertTransition(from, to);
    switch (to) {
      case 'assigned':
        if (this.#p.assignedAgent !== undefined) {
          this.moveTo('assigned', now, { by });
        } else if (by !== undefined) {
          this.assignTo(by, by, now);
        } else {
          throw new BusinessRuleError(
            CONVERSATION_ERRORS.AGENT_REQUIRED,
            'An agent is needed to move the conversation to assigned',
            { conversationId: this.#p.id },
          );
        }
        return;
      case 'open': {
        this.moveTo('open', now, { by });
        return;
      }
      case 'waiting':
        this.moveTo('waiting', now, { by });
        return;
      case 'resolved':
        this.resolve(by, now);
        return;
      case 'closed':
        this.close(by, now);
        return;
    }
  }

  /** The agent is waiting on the customer (from open or assigned). */
  markWaiting(now: Date): void {
    this.assertNotClosed();
    this.moveTo('waiting', now, {});
  }

  /**
   * Resolved by `by` (undefined: automatic, e.g. by the AI or an inactivity job). Clears
   * `awaitingResponseSince`: a resolved conversation waits on nobody.
   */
  resolve(by: Id | undefined, now: Date, notes?: string): void {
    this.assertNotClosed();
    optionalId('resolvedBy', by);
    assertMaxLength('resolutionNotes', notes, RESOLUTION_NOTES_MAX_LENGTH);
    this.moveTo('resolved', now, { by, notes });
  }

  /** Final. Allowed from every other status. */
  close(by: Id | undefined, now: Date): void {
    this.assertNotClosed();
    optionalId('by', by);
    this.moveTo('closed', now, { by });
  }

  /**
   * Reopens a resolved conversation: → `assigned` when an agent is still set (the agent who
   * handled it gets it back), else → `open`. The resolution fields are cleared; the satisfaction
   * rating is kept.
   */
  reopen(now: Date): void {
    this.assertNotClosed();
    const to = this.reopenTarget();
    if (this.#p.status !== 'resolved') {
      throw new IllegalTransitionError('conversation', this.#p.status, to);
    }
    this.moveTo(to, now, { reason: 'reopened' });
  }

  // -------------------------------------------------------------------------------------------
  // Attributes

  changePriority(priority: Priority, now: Date): void {
    this.assertNotClosed();
    assertEnum('priority', priority, PRIORITIES);
    this.updateField('priority', priority, now);
  }

  /** One step up: low → medium → high → urgent; urgent stays urgent (no change, no event). */
  raisePriority(now: Date): Priority {
    this.assertNotClosed();
    this.updateField('priority', PRIORITY_STEP[this.#p.priority], now);
    return this.#p.priority;
  }

  changeCategory(category: ConversationCategory, now: Date): void {
    this.assertNotClosed();
    assertEnum('category', category, CONVERSATION_CATEGORIES);
    this.updateField('category', category, now);
  }

  /** Replaces the tags: trimmed, blanks dropped, duplicates removed (order kept), ≤ 50 chars each. */
  setTags(tags: readonly string[], now: Date): void {
    this.assertNotClosed();
    const next = normalizeTags(tags);
    const prev = this.#p.tags;
    if (prev.length === next.length && prev.every((t, i) => t === next[i])) return;
    this.#p.tags = next;
    this.#p.updatedAt = now;
    this.emit('conversation.updated', now, { changes: { tags: { from: [...prev], to: [...next] } } });
  }

  setAIEnabled(enabled: boolean, now: Date): void {
    this.assertNotClosed();
    this.updateField('isAIEnabled', assertBoolean('isAIEnabled', enabled), now);
  }

  setAutoResponses(enabled: boolean, now: Date): void {
    this.assertNotClosed();
    this.updateField('autoResponses', assertBoolean('autoResponses', enabled), now);
  }

  addInternalNote(input: InternalNoteInput, now: Date): InternalNote {
    this.assertNotClosed();
    assertId('internalNote.id', input.id);
    assertId('internalNote.agent', input.agent);
    const content = assertNonEmpty('internalNote.content', input.content);
    assertMaxLength('internalNote.content', content, INTERNAL_NOTE_MAX_LENGTH);
    if (this.#p.internalNotes.some((n) => n.id === input.id)) {
      throw new DuplicateError('internalNote', 'id', input.id);
    }
    const note: InternalNote = {
      id: input.id,
      agent: input.agent,
      content,
      timestamp: now,
      isVisible:
        input.isVisible === undefined ? false : assertBoolean('internalNote.isVisible', input.isVisible),
    };
    this.#p.internalNotes.push(note);
    this.#p.updatedAt = now;
    this.emit('conversation.updated', now, {
      changes: { internalNotes: { added: note.id } },
      noteId: note.id,
      noteAgent: note.agent,
      isVisible: note.isVisible,
    });
    return structuredClone(note);
  }

  /**
   * The customer's rating (integer 1..5) and comment. Only once resolved or closed (the one
   * mutation a closed conversation accepts); a later rating replaces the earlier one.
   */
  recordSatisfaction(rating: number, comment: string | undefined, now: Date): void {
    if (this.#p.status !== 'resolved' && this.#p.status !== 'closed') {
      throw new BusinessRuleError(
        CONVERSATION_ERRORS.NOT_RESOLVED,
        'Customer satisfaction can only be recorded once the conversation is resolved or closed',
        { conversationId: this.#p.id, status: this.#p.status },
      );
    }
    assertRating('customerSatisfaction.rating', rating);
    assertMaxLength('customerSatisfaction.comment', comment, SATISFACTION_COMMENT_MAX_LENGTH);
    const trimmed = comment?.trim();
    this.#p.customerSatisfaction = {
      rating,
      ...(trimmed ? { comment: trimmed } : {}),
      submittedAt: now,
    };
    this.#p.updatedAt = now;
    this.emit('conversation.updated', now, { changes: { customerSatisfaction: { rating } } });
  }

  /** One more failed outbound delivery (since the last successful one). Returns the new count. */
  recordFailedDelivery(now: Date): number {
    this.assertNotClosed();
    const count = (this.#p.failedDeliveries ?? 0) + 1;
    this.#p.failedDeliveries = count;
    this.#p.updatedAt = now;
    this.emit('conversation.updated', now, { changes: { failedDeliveries: { to: count } } });
    return count;
  }

  /** A delivery succeeded: the failed-delivery streak restarts at 0 (no change → no event). */
  resetFailedDeliveries(now: Date): void {
    this.assertNotClosed();
    if ((this.#p.failedDeliveries ?? 0) === 0) return;
    this.#p.failedDeliveries = 0;
    this.#p.updatedAt = now;
    this.emit('conversation.updated', now, { changes: { failedDeliveries: { to: 0 } } });
  }

  /** Escalated to a supervisor `to`. Re-escalating to the same supervisor changes nothing. */
  markEscalated(to: Id, now: Date): void {
    this.assertNotClosed();
    assertId('escalatedTo', to);
    if (this.#p.escalated === true && this.#p.escalatedTo === to) return;
    this.#p.escalated = true;
    this.#p.escalatedTo = to;
    this.#p.escalatedAt = now;
    this.#p.updatedAt = now;
    this.emit('conversation.updated', now, { changes: { escalated: { to: true } }, escalatedTo: to });
  }

  // -------------------------------------------------------------------------------------------
  // Messages and response times

  /**
   * A message from the customer. messageCount+1, unreadCount+1, lastMessage (if it is the newest),
   * lastCustomerMessage (the newest), awaitingResponseSince (the oldest unanswered).
   * A `resolved` conversation is reopened and a `waiting` one resumes: → `assigned` when an agent
   * is set, else → `open`. A `closed` one throws CONVERSATION.CLOSED (open a new conversation).
   * Returns true when the status changed.
   */
  recordInboundMessage(input: InboundMessageInput): boolean {
    this.assertNotClosed();
    const type = assertEnum('type', input.type, MESSAGE_TYPES);
    const at = assertDate('at', input.at);
    const p = this.#p;
    p.messageCount += 1;
    p.unreadCount += 1;
    this.setLastMessage(input.content, type, at, 'customer');
    p.lastCustomerMessage = later(p.lastCustomerMessage, at);
    if (p.awaitingResponseSince === undefined || at.getTime() < p.awaitingResponseSince.getTime()) {
      p.awaitingResponseSince = at;
    }
    p.updatedAt = later(p.updatedAt, at);
    this.emit('conversation.updated', p.updatedAt, {
      reason: 'inbound_message',
      messageCount: p.messageCount,
      unreadCount: p.unreadCount,
    });
    if (p.status === 'resolved' || p.status === 'waiting') {
      this.moveTo(this.reopenTarget(), at, { reason: 'customer_message' });
      return true;
    }
    return false;
  }

  /**
   * A message we sent. messageCount+1 and lastMessage (ai is shown as 'agent': it speaks for the
   * business; system as 'system'). For agent/ai replies: lastAgentResponse, and when a customer
   * message was awaiting an answer (and is not newer than this reply) the response time in minutes
   * updates firstResponseTime (first only), averageResponseTime and responseCount, and
   * awaitingResponseSince is cleared. Never changes the status.
   * Returns the response time measured, or undefined.
   */
  recordOutboundMessage(input: OutboundMessageInput): number | undefined {
    this.assertNotClosed();
    const sender = assertEnum('sender', input.sender, ['agent', 'ai', 'system'] as const);
    const type = assertEnum('type', input.type, MESSAGE_TYPES);
    const at = assertDate('at', input.at);
    const p = this.#p;
    p.messageCount += 1;
    this.setLastMessage(input.content, type, at, sender === 'system' ? 'system' : 'agent');
    let responseTime: number | undefined;
    if (sender !== 'system') {
      p.lastAgentResponse = later(p.lastAgentResponse, at);
      const since = p.awaitingResponseSince;
      if (since !== undefined && at.getTime() >= since.getTime()) {
        responseTime = minutesBetween(since, at);
        const count = p.responseCount ?? 0;
        p.firstResponseTime ??= responseTime;
        p.averageResponseTime = ((p.averageResponseTime ?? 0) * count + responseTime) / (count + 1);
        p.responseCount = count + 1;
        delete p.awaitingResponseSince;
      }
    }
    p.updatedAt = later(p.updatedAt, at);
    this.emit('conversation.updated', p.updatedAt, {
      reason: 'outbound_message',
      sender,
      messageCount: p.messageCount,
      ...(responseTime === undefined ? {} : { responseTime }),
    });
    return responseTime;
  }

  /** The agent has read everything: unreadCount → 0. Allowed on closed conversations (reading). */
  markRead(now: Date): boolean {
    if (this.#p.unreadCount === 0) return false;
    this.#p.unreadCount = 0;
    this.#p.updatedAt = now;
    this.emit('conversation.updated', now, { changes: { unreadCount: { to: 0 } } });
    return true;
  }

  // -------------------------------------------------------------------------------------------
  // Internals

  private emit(type: ConversationEventType, occurredAt: Date, extra: Record<string, unknown>): void {
    this.record({
      type,
      occurredAt,
      payload: {
        ...extra,
        conversationId: this.#p.id,
        customerId: this.#p.customerId,
        assignedAgent: this.#p.assignedAgent,
      },
    });
  }

  private assertNotClosed(): void {
    if (this.#p.status === 'closed') throw conversationClosedError(this.#p.id);
  }

  private assertTransition(from: ConversationStatus, to: ConversationStatus): void {
    if (!canTransition(from, to)) throw new IllegalTransitionError('conversation', from, to);
  }

  private reopenTarget(): ConversationStatus {
    return this.#p.assignedAgent === undefined ? 'open' : 'assigned';
  }

  private setAgent(agentId: Id, by: Id | undefined, now: Date): void {
    this.#p.assignedAgent = agentId;
    this.#p.assignedAt = now;
    if (by === undefined) delete this.#p.assignedBy;
    else this.#p.assignedBy = by;
  }

  private clearAgent(): void {
    delete this.#p.assignedAgent;
    delete this.#p.assignedAt;
    delete this.#p.assignedBy;
  }

  /** Sets the status and the side effects of entering it (the transition is checked by callers). */
  private applyStatus(from: ConversationStatus, to: ConversationStatus): void {
    const p = this.#p;
    if (from === 'resolved' && to !== 'closed') {
      delete p.resolvedAt;
      delete p.resolvedBy;
      delete p.resolutionNotes;
    }
    if (to === 'open') this.clearAgent();
    p.status = to;
  }

  private moveTo(
    to: ConversationStatus,
    now: Date,
    opts: { by?: Id | undefined; notes?: string | undefined; reason?: string },
  ): void {
    const p = this.#p;
    const from = p.status;
    this.assertTransition(from, to);
    const previousAgent = p.assignedAgent;
    this.applyStatus(from, to);
    if (to === 'resolved') {
      p.resolvedAt = now;
      if (opts.by === undefined) delete p.resolvedBy;
      else p.resolvedBy = opts.by;
      const notes = opts.notes?.trim();
      if (notes) p.resolutionNotes = notes;
      else delete p.resolutionNotes;
      delete p.awaitingResponseSince;
    }
    if (to === 'closed') p.closedAt = now;
    p.updatedAt = later(p.updatedAt, now);
    this.emit('conversation.status_changed', now, {
      from,
      to,
      by: opts.by,
      ...(opts.reason === undefined ? {} : { reason: opts.reason }),
      ...(previousAgent !== p.assignedAgent ? { previousAgent } : {}),
    });
  }

  private updateField<K extends 'priority' | 'category' | 'isAIEnabled' | 'autoResponses'>(
    field: K,
    value: ConversationPrimitives[K],
    now: Date,
  ): void {
    const from = this.#p[field];
    if (from === value) return;
    this.#p[field] = value;
    this.#p.updatedAt = now;
    this.emit('conversation.updated', now, { changes: { [field]: { from, to: value } } });
  }

  private setLastMessage(content: string, type: MessageType, at: Date, from: LastMessageFrom): void {
    const current = this.#p.lastMessage;
    if (current !== undefined && current.timestamp.getTime() > at.getTime()) return;
    this.#p.lastMessage = {
      content: preview(typeof content === 'string' ? content : ''),
      timestamp: at,
      from,
      type: toLastMessageType(type),
    };
  }
}
