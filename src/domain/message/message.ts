/**
 * The Message entity: one WhatsApp message in a conversation, inbound (from the customer) or
 * outbound (from an agent, the AI or the system). Pure: time and ids are arguments.
 *
 * Delivery status moves forward only (see MESSAGE_STATUS_TRANSITIONS). Status mutators never throw
 * for a late, duplicate or impossible status report: they return false and change nothing
 * (WhatsApp webhooks arrive out of order and more than once).
 *
 * Events (payloads carry messageId, conversationId, customerId and assignedAgent; the message does
 * not know the conversation's agent, so callers pass it in `ctx.assignedAgent` / `audience`, else
 * the key is present with value undefined and the application fills it in before publishing):
 *   message.received        Message.inbound(); announceReceived() for one stored but never announced
 *   message.sent            Message.outbound() (queued in the outbox, status pending)
 *   message.status_changed  a status mutator that changed something
 * applyUnderstanding and scheduleRetry are internal bookkeeping and record no event.
 */
import { ValidationError } from '../shared/errors.js';
import { AggregateRoot } from '../shared/events.js';
import { assertEnum, assertId, assertMaxLength, assertNonEmpty } from '../shared/guards.js';
import type { Id } from '../shared/ids.js';
import { plainCopy } from '../shared/plain-copy.js';
import {
  ATTACHMENT_TYPES,
  type Attachment,
  DIRECTIONS,
  type Direction,
  INTERACTIVE_TYPES,
  MESSAGE_STATUSES,
  MESSAGE_TYPES,
  type MessagePrimitives,
  type MessageStatus,
  type MessageType,
  SENDERS,
  type Sender,
  WHATSAPP_STATUSES,
  type WhatsAppStatus,
} from './message.types.js';

// ---------------------------------------------------------------------------------------------
// Delivery status

/**
 * pending → sent | delivered | read | failed   (a webhook may overtake our own "sent" bookkeeping)
 * sent → delivered | read | failed
 * delivered → read                              (a "failed" after "delivered" is contradictory: the
 *                                                message reached the phone; it is ignored)
 * read → nothing; failed → nothing              (final: a retry creates a new message)
 */
export const MESSAGE_STATUS_TRANSITIONS: Record<MessageStatus, readonly MessageStatus[]> = {
  pending: ['sent', 'delivered', 'read', 'failed'],
  sent: ['delivered', 'read', 'failed'],
  delivered: ['read'],
  read: [],
  failed: [],
};

/** The happy path in order; `failed` is a dead end reachable from pending and sent only. */
export const MESSAGE_STATUS_ORDER = ['pending', 'sent', 'delivered', 'read'] as const;

export const canAdvance = (from: MessageStatus, to: MessageStatus): boolean =>
  MESSAGE_STATUS_TRANSITIONS[from].includes(to);

/** The statuses from which `to` may be reached (the `from` filter of repositories' advanceStatus). */
export function statusPredecessors(to: MessageStatus): MessageStatus[] {
  return MESSAGE_STATUSES.filter((from) => canAdvance(from, to));
}

// ---------------------------------------------------------------------------------------------
// Limits (WhatsApp Cloud API)

export const TEXT_MAX_LENGTH = 4096;
export const CAPTION_MAX_LENGTH = 1024;
export const INTERACTIVE_BODY_MAX_LENGTH = 1024;
export const MAX_BUTTONS = 3;
export const BUTTON_TITLE_MAX_LENGTH = 20;
export const MAX_LIST_ROWS = 10;
export const LIST_ROW_TITLE_MAX_LENGTH = 24;
export const LIST_ROW_DESCRIPTION_MAX_LENGTH = 72;
export const IDEMPOTENCY_KEY_MAX_LENGTH = 200;

const MEDIA_TYPES: readonly MessageType[] = ['image', 'audio', 'video', 'document', 'sticker'];
/** Types with a caption limited to 1024 characters. */
const CAPTIONED_TYPES: readonly MessageType[] = ['image', 'video', 'document'];
/** Types we never send: they only describe what a customer sent. */
const INBOUND_ONLY_TYPES: readonly MessageType[] = ['button', 'unsupported'];
const SENTIMENTS = ['positive', 'neutral', 'negative'] as const;
const OUTBOUND_SENDERS = ['agent', 'ai', 'system'] as const;

// ---------------------------------------------------------------------------------------------
// Inputs

export interface MessageContext {
  id: Id;
  now: Date;
  /** The conversation's current agent, for the event payload (see the header). */
  assignedAgent?: Id;
}

/** Who may see the events of a status change (the conversation's current agent). */
export interface EventAudience {
  assignedAgent?: Id;
}

type Location = NonNullable<MessagePrimitives['location']>;
type Template = NonNullable<MessagePrimitives['template']>;
type Interactive = NonNullable<MessagePrimitives['interactive']>;
type Contacts = NonNullable<MessagePrimitives['contacts']>;
type Reaction = NonNullable<MessagePrimitives['reaction']>;
type AiResponse = NonNullable<MessagePrimitives['aiResponse']>;

export interface NewInboundMessage {
  conversationId: Id;
  customerId: Id;
  content: string;
  type: MessageType;
  whatsappMessageId?: string;
  whatsappTimestamp?: Date;
  attachments?: Attachment[];
  location?: Location;
  interactive?: Interactive;
  contacts?: Contacts;
  reaction?: Reaction;
  replyToWhatsappId?: string;
  isForwarded?: boolean;
  forwardedFrom?: string;
}

export type OutboundMessageSender = (typeof OUTBOUND_SENDERS)[number];

export interface NewOutboundMessage {
  conversationId: Id;
  customerId: Id;
  sender: OutboundMessageSender;
  /** Required when sender is 'agent'. */
  agentId?: Id;
  /** Required for text and interactive (the body); a summary is generated for the other types. */
  content: string;
  type: MessageType;
  template?: { name: string; language: string; parameters?: string[]; category?: string };
  interactive?: Interactive;
  location?: Location;
  attachments?: Attachment[];
  contacts?: Contacts;
  reaction?: Reaction;
  idempotencyKey?: string;
  replyTo?: Id;
}

export interface WhatsAppErrorInfo {
  code: number;
  title: string;
}

export interface Understanding {
  intent: string;
  sentiment: AiResponse['sentiment'];
  confidence: number;
  entities: string[];
}

// ---------------------------------------------------------------------------------------------
// Helpers

const copyDate = (d: Date | undefined): Date | undefined => (d === undefined ? undefined : new Date(d));
const clone = <T>(v: T): T => (v === undefined ? v : structuredClone(v));

function assertDate(field: string, value: unknown): Date {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
    throw new ValidationError(field, 'must be a valid date');
  }
  return value;
}

function assertNumberInRange(field: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new ValidationError(field, `must be a number from ${min} to ${max}`, 'VALIDATION.OUT_OF_RANGE');
  }
  return value;
}

function optionalId(field: string, value: unknown): Id | undefined {
  return value === undefined || value === null ? undefined : assertId(field, value);
}

function validateAttachments(list: unknown, requireSource: boolean): Attachment[] {
  if (list === undefined) return [];
  if (!Array.isArray(list)) throw new ValidationError('attachments', 'must be a list');
  return list.map((a: Attachment, i) => {
    assertEnum(`attachments.${i}.type`, a?.type, ATTACHMENT_TYPES);
    if (requireSource && !a.url && !a.whatsappMediaId) {
      throw new ValidationError(`attachments.${i}.url`, 'a url or a WhatsApp media id is required');
    }
    return { ...a };
  });
}

function validateLocation(location: Location): Location {
  assertNumberInRange('location.latitude', location.latitude, -90, 90);
  assertNumberInRange('location.longitude', location.longitude, -180, 180);
  return { ...location };
}

function validateTemplate(template: NewOutboundMessage['template']): Template {
  if (template === undefined) throw new ValidationError('template', 'is required for a template message');
  const name = assertNonEmpty('template.name', template.name).trim();
  const language = assertNonEmpty('template.language', template.language).trim();
  const parameters = template.parameters ?? [];
  if (!Array.isArray(parameters) || parameters.some((x) => typeof x !== 'string')) {
    throw new ValidationError('template.parameters', 'must be a list of strings');
  }
  return {
    name,
    language,
    parameters: [...parameters],
    ...(template.category === undefined ? {} : { category: template.category }),
  };
}

function assertUniqueIds(field: string, items: { id: string }[]): void {
  const seen = new Set<string>();
  items.forEach((item, i) => {
    assertNonEmpty(`${field}.${i}.id`, item.id);
    if (seen.has(item.id)) throw new ValidationError(`${field}.${i}.id`, 'must be unique');
    seen.add(item.id);
  });
}

/** WhatsApp limits: reply buttons 1–3 with titles ≤ 20; a list 1–10 rows, titles ≤ 24, descriptions ≤ 72. */
function validateInteractive(interactive: Interactive): Interactive {
  assertEnum('interactive.type', interactive.type, INTERACTIVE_TYPES);
  assertMaxLength('interactive.body', interactive.body, INTERACTIVE_BODY_MAX_LENGTH);
  if (interactive.type === 'list') {
    const rows = interactive.listItems ?? [];
    if (rows.length < 1 || rows.length > MAX_LIST_ROWS) {
      throw new ValidationError('interactive.listItems', `must have 1 to ${MAX_LIST_ROWS} rows`);
    }
    assertUniqueIds('interactive.listItems', rows);
    rows.forEach((row, i) => {
      assertNonEmpty(`interactive.listItems.${i}.title`, row.title);
      assertMaxLength(`interactive.listItems.${i}.title`, row.title, LIST_ROW_TITLE_MAX_LENGTH);
      assertMaxLength(
        `interactive.listItems.${i}.description`,
        row.description,
        LIST_ROW_DESCRIPTION_MAX_LENGTH,
      );
    });
  } else {
    const buttons = interactive.buttons ?? [];
    if (buttons.length < 1 || buttons.length > MAX_BUTTONS) {
      throw new ValidationError('interactive.buttons', `must have 1 to ${MAX_BUTTONS} buttons`);
    }
    assertUniqueIds('interactive.buttons', buttons);
    buttons.forEach((button, i) => {
      assertNonEmpty(`interactive.buttons.${i}.title`, button.title);
      assertMaxLength(`interactive.buttons.${i}.title`, button.title, BUTTON_TITLE_MAX_LENGTH);
    });
  }
  return structuredClone(interactive);
}

function validateContacts(contacts: Contacts | undefined): Contacts {
  if (!Array.isArray(contacts) || contacts.length === 0) {
    throw new ValidationError('contacts', 'at least one contact is required');
  }
  contacts.forEach((c, i) => {
    assertNonEmpty(`contacts.${i}.name`, c.name);
  });
  return structuredClone(contacts);
}

function validateReaction(reaction: Reaction | undefined): Reaction {
  if (reaction === undefined) throw new ValidationError('reaction', 'is required for a reaction');
  assertNonEmpty('reaction.emoji', reaction.emoji);
  assertNonEmpty('reaction.whatsappMessageId', reaction.whatsappMessageId);
  optionalId('reaction.messageId', reaction.messageId);
  return { ...reaction };
}

/**
 * The text stored in `content` when a message has none of its own (a media without caption, a
 * template, a location...): e.g. `[template welcome]`, `[image photo.jpg]`, `[location Office]`.
 */
export function summarizeContent(
  type: MessageType,
  parts: Pick<
    MessagePrimitives,
    'template' | 'attachments' | 'location' | 'contacts' | 'reaction' | 'interactive'
  >,
): string {
  switch (type) {
    case 'template':
      return parts.template ? `[template ${parts.template.name}]` : '[template]';
    case 'image':
    case 'audio':
    case 'video':
    case 'document':
    case 'sticker': {
      const filename = parts.attachments[0]?.filename;
      return filename ? `[${type} ${filename}]` : `[${type}]`;
    }
    case 'location': {
      const l = parts.location;
      if (!l) return '[location]';
      return `[location ${l.name ?? l.address ?? `${l.latitude},${l.longitude}`}]`;
    }
    case 'contact': {
      const names = (parts.contacts ?? []).map((c) => c.name).filter(Boolean);
      return names.length > 0 ? `[contact ${names.join(', ')}]` : '[contact]';
    }
    case 'reaction':
      return parts.reaction ? `[reaction ${parts.reaction.emoji}]` : '[reaction]';
    case 'interactive':
      return parts.interactive?.body ?? '[interactive]';
    case 'button':
      return '[button]';
    case 'unsupported':
      return '[unsupported message]';
    case 'text':
      return '[empty message]';
  }
}

/**
 * Exponential outbox back-off: base·2^(attempt−1), capped at max (deterministic: no jitter in the
 * domain; add it at the edge if wanted).
 */
export function retryBackoffMs(attempt: number, baseMs = 5_000, maxMs = 15 * 60_000): number {
  if (!Number.isInteger(attempt) || attempt < 1) {
    throw new ValidationError('sendAttempts', 'must be a positive integer', 'VALIDATION.OUT_OF_RANGE');
  }
  return Math.min(maxMs, baseMs * 2 ** (attempt - 1));
}

// ---------------------------------------------------------------------------------------------
// Entity

export class Message extends AggregateRoot {
  #p: MessagePrimitives;

  private constructor(p: MessagePrimitives) {
    super();
    this.#p = p;
  }

  /**
   * A message the customer sent. Status 'delivered': it has been delivered to us, and the only
   * step left is 'read' (we read it / sent a read receipt). Never refused for its content (an
   * empty one gets a summary such as `[image]`); ids and enums are validated.
   * `timestamp` is the WhatsApp timestamp when given (the real order of the conversation), else now.
   */
  static inbound(input: NewInboundMessage, ctx: MessageContext): Message {
    const now = assertDate('now', ctx.now);
    const type = assertEnum('type', input.type, MESSAGE_TYPES);
    const attachments = validateAttachments(input.attachments, false);
    if (input.interactive !== undefined)
      assertEnum('interactive.type', input.interactive.type, INTERACTIVE_TYPES);
    if (input.whatsappTimestamp !== undefined) assertDate('whatsappTimestamp', input.whatsappTimestamp);
    const parts = {
      attachments,
      location: clone(input.location),
      interactive: clone(input.interactive),
      contacts: clone(input.contacts),
      reaction: clone(input.reaction),
    };
    const content =
      typeof input.content === 'string' && input.content.trim().length > 0
        ? input.content
        : summarizeContent(type, { ...parts, template: undefined });
    const p: MessagePrimitives = {
      id: assertId('id', ctx.id),
      conversationId: assertId('conversationId', input.conversationId),
      customerId: assertId('customerId', input.customerId),
      content,
      type,
      direction: 'inbound',
      sender: 'customer',
      whatsappMessageId: input.whatsappMessageId,
      whatsappStatus: 'delivered',
      whatsappTimestamp: input.whatsappTimestamp,
      status: 'delivered',
      ...parts,
      aiProcessed: false,
      replyToWhatsappId: input.replyToWhatsappId,
      isForwarded: input.isForwarded ?? false,
      forwardedFrom: input.forwardedFrom,
      timestamp: input.whatsappTimestamp ?? now,
      deliveredAt: now,
      createdAt: now,
    };
    const message = new Message(plainCopy(p));
    message.emit('message.received', now, ctx.assignedAgent, { type, sender: 'customer' });
    return message;
  }

  /**
   * A message we send, queued in the outbox: status 'pending', sendAttempts 0, nextAttemptAt now.
   * Validation (ValidationError naming the field):
   * - sender agent|ai|system (agentId required for 'agent'); type known and sendable (not the
   *   inbound-only 'button'/'unsupported');
   * - content required (non-blank) for text and interactive (interactive.body may stand in); the
   *   other types get a summary when blank; ≤ 4096 characters, ≤ 1024 for a caption
   *   (image/video/document) or an interactive body;
   * - template: name + language; location: latitude in [-90, 90], longitude in [-180, 180];
   *   media: at least one attachment with a url or WhatsApp media id; interactive: 1–3 buttons
   *   with titles ≤ 20 (button/quick_reply) or 1–10 rows with titles ≤ 24 (list).
   */
  static outbound(input: NewOutboundMessage, ctx: MessageContext): Message {
    const now = assertDate('now', ctx.now);
    const sender = assertEnum('sender', input.sender, OUTBOUND_SENDERS);
    const agentId = optionalId('agentId', input.agentId);
    if (sender === 'agent' && agentId === undefined) {
      throw new ValidationError(
        'agentId',
        'is required for a message sent by an agent',
        'VALIDATION.REQUIRED',
      );
    }
    const type = assertEnum('type', input.type, MESSAGE_TYPES);
    if (INBOUND_ONLY_TYPES.includes(type)) {
      throw new ValidationError('type', `a ${type} message cannot be sent`, 'VALIDATION.UNKNOWN_ENUM');
    }
    const isMedia = MEDIA_TYPES.includes(type);
    const attachments = validateAttachments(input.attachments, isMedia);
    if (isMedia && attachments.length === 0) {
      throw new ValidationError(
        'attachments',
        `a ${type} message needs an attachment`,
        'VALIDATION.REQUIRED',
      );
    }
    const template = type === 'template' ? validateTemplate(input.template) : undefined;
    let location: Location | undefined;
    if (type === 'location') {
      if (input.location === undefined)
        throw new ValidationError('location', 'is required', 'VALIDATION.REQUIRED');
      location = validateLocation(input.location);
    } else if (input.location !== undefined) {
      location = validateLocation(input.location);
    }
    let interactive: Interactive | undefined;
    if (type === 'interactive') {
      if (input.interactive === undefined) {
        throw new ValidationError('interactive', 'is required', 'VALIDATION.REQUIRED');
      }
      interactive = validateInteractive(input.interactive);
    }
    const contacts = type === 'contact' ? validateContacts(input.contacts) : undefined;
    const reaction = type === 'reaction' ? validateReaction(input.reaction) : undefined;

    const raw = typeof input.content === 'string' ? input.content : '';
    let content: string;
    if (raw.trim().length > 0) {
      content = raw;
      assertMaxLength('content', content, TEXT_MAX_LENGTH);
      if (CAPTIONED_TYPES.includes(type)) assertMaxLength('content', content, CAPTION_MAX_LENGTH);
      if (type === 'interactive') assertMaxLength('content', content, INTERACTIVE_BODY_MAX_LENGTH);
    } else if (type === 'text' || (type === 'interactive' && !interactive?.body?.trim())) {
      throw new ValidationError('content', 'is required', 'VALIDATION.REQUIRED');
    } else {
      content = summarizeContent(type, { template, attachments, location, contacts, reaction, interactive });
    }

    if (input.idempotencyKey !== undefined) {
      assertNonEmpty('idempotencyKey', input.idempotencyKey);
      assertMaxLength('idempotencyKey', input.idempotencyKey, IDEMPOTENCY_KEY_MAX_LENGTH);
    }
    const p: MessagePrimitives = {
      id: assertId('id', ctx.id),
      conversationId: assertId('conversationId', input.conversationId),
      customerId: assertId('customerId', input.customerId),
      content,
      type,
      direction: 'outbound',
      sender,
      agentId,
      status: 'pending',
      attachments,
      location,
      template,
      interactive,
      contacts,
      reaction,
      aiProcessed: false,
      replyTo: optionalId('replyTo', input.replyTo),
      isForwarded: false,
      idempotencyKey: input.idempotencyKey,
      sendAttempts: 0,
      nextAttemptAt: now,
      timestamp: now,
      createdAt: now,
    };
    const message = new Message(plainCopy(p));
    message.emit('message.sent', now, ctx.assignedAgent, { type, sender, agentId, status: 'pending' });
    return message;
  }

  /** Rehydrates a stored message; validates ids and every enum (ValidationError naming the field). */
  static fromPrimitives(input: MessagePrimitives): Message {
    const p = plainCopy(input) as MessagePrimitives & Record<string, unknown>;
    for (const key of Object.keys(p)) {
      if (p[key] === null) delete p[key];
    }
    assertId('id', p.id);
    assertId('conversationId', p.conversationId);
    assertId('customerId', p.customerId);
    optionalId('agentId', p.agentId);
    optionalId('replyTo', p.replyTo);
    assertEnum('type', p.type, MESSAGE_TYPES);
    assertEnum('direction', p.direction, DIRECTIONS);
    assertEnum('sender', p.sender, SENDERS);
    assertEnum('status', p.status, MESSAGE_STATUSES);
    if (p.whatsappStatus !== undefined) assertEnum('whatsappStatus', p.whatsappStatus, WHATSAPP_STATUSES);
    p.attachments = validateAttachments(p.attachments ?? [], false);
    if (p.interactive !== undefined) assertEnum('interactive.type', p.interactive.type, INTERACTIVE_TYPES);
    if (p.aiResponse !== undefined) assertEnum('aiResponse.sentiment', p.aiResponse.sentiment, SENTIMENTS);
    p.aiProcessed = p.aiProcessed ?? false;
    p.isForwarded = p.isForwarded ?? false;
    return new Message(p);
  }

  /** A deep copy of the persisted shape (absent optional fields are omitted, not undefined). */
  /**
   * Records `message.received` again for a customer's message already stored whose first
   * announcement was lost (the process stopped between storing it and applying it): the application
   * completes it and announces it as Message.inbound() would have. Refused for anything else.
   */
  announceReceived(assignedAgent: Id | undefined): void {
    if (this.#p.direction !== 'inbound' || this.#p.sender !== 'customer') {
      throw new ValidationError('direction', "only a customer's message is announced as received");
    }
    this.emit('message.received', this.#p.createdAt, assignedAgent, {
      type: this.#p.type,
      sender: 'customer',
    });
  }

  toPrimitives(): MessagePrimitives {
    return plainCopy(this.#p);
  }

  // -------------------------------------------------------------------------------------------
  // Getters (copies)

  get id(): Id {
    return this.#p.id;
  }
  get conversationId(): Id {
    return this.#p.conversationId;
  }
  get customerId(): Id {
    return this.#p.customerId;
  }
  get content(): string {
    return this.#p.content;
  }
  get type(): MessageType {
    return this.#p.type;
  }
  get direction(): Direction {
    return this.#p.direction;
  }
  get sender(): Sender {
    return this.#p.sender;
  }
  get agentId(): Id | undefined {
    return this.#p.agentId;
  }
  get status(): MessageStatus {
    return this.#p.status;
  }
  get whatsappMessageId(): string | undefined {
    return this.#p.whatsappMessageId;
  }
  get whatsappStatus(): WhatsAppStatus | undefined {
    return this.#p.whatsappStatus;
  }
  get whatsappTimestamp(): Date | undefined {
    return copyDate(this.#p.whatsappTimestamp);
  }
  get whatsappError(): string | undefined {
    return this.#p.whatsappError;
  }
  get whatsappErrorCode(): number | undefined {
    return this.#p.whatsappErrorCode;
  }
  get attachments(): Attachment[] {
    return structuredClone(this.#p.attachments);
  }
  get location(): MessagePrimitives['location'] {
    return clone(this.#p.location);
  }
  get template(): MessagePrimitives['template'] {
    return clone(this.#p.template);
  }
  get interactive(): MessagePrimitives['interactive'] {
    return clone(this.#p.interactive);
  }
  get contacts(): MessagePrimitives['contacts'] {
    return clone(this.#p.contacts);
  }
  get reaction(): MessagePrimitives['reaction'] {
    return clone(this.#p.reaction);
  }
  get aiProcessed(): boolean {
    return this.#p.aiProcessed;
  }
  get aiResponse(): MessagePrimitives['aiResponse'] {
    return clone(this.#p.aiResponse);
  }
  get replyTo(): Id | undefined {
    return this.#p.replyTo;
  }
  get replyToWhatsappId(): string | undefined {
    return this.#p.replyToWhatsappId;
  }
  get isForwarded(): boolean {
    return this.#p.isForwarded;
  }
  get forwardedFrom(): string | undefined {
    return this.#p.forwardedFrom;
  }
  get idempotencyKey(): string | undefined {
    return this.#p.idempotencyKey;
  }
  get sendAttempts(): number {
    return this.#p.sendAttempts ?? 0;
  }
  get nextAttemptAt(): Date | undefined {
    return copyDate(this.#p.nextAttemptAt);
  }
  get leaseUntil(): Date | undefined {
    return copyDate(this.#p.leaseUntil);
  }
  get timestamp(): Date {
    return new Date(this.#p.timestamp);
  }
  get sentAt(): Date | undefined {
    return copyDate(this.#p.sentAt);
  }
  get deliveredAt(): Date | undefined {
    return copyDate(this.#p.deliveredAt);
  }
  get readAt(): Date | undefined {
    return copyDate(this.#p.readAt);
  }
  get failedAt(): Date | undefined {
    return copyDate(this.#p.failedAt);
  }
  get createdAt(): Date {
    return new Date(this.#p.createdAt);
  }

  // -------------------------------------------------------------------------------------------
  // Delivery status

  /**
   * The generic status entry point. Moves to `to` when MESSAGE_STATUS_TRANSITIONS allows it from
   * the current status and sets that status's fields; returns false (changing nothing) otherwise.
   */
  advance(
    to: MessageStatus,
    at: Date,
    details: { whatsappMessageId?: string; error?: WhatsAppErrorInfo } = {},
    audience: EventAudience = {},
  ): boolean {
    assertEnum('status', to, MESSAGE_STATUSES);
    assertDate('at', at);
    const p = this.#p;
    const from = p.status;
    if (!canAdvance(from, to)) return false;
    switch (to) {
      case 'sent':
        p.sentAt = at;
        if (details.whatsappMessageId !== undefined) p.whatsappMessageId = details.whatsappMessageId;
        break;
      case 'delivered':
        p.deliveredAt = at;
        break;
      case 'read':
        p.readAt = at;
        p.deliveredAt ??= at;
        break;
      case 'failed':
        p.failedAt = at;
        if (details.error !== undefined) {
          p.whatsappError = details.error.title;
          p.whatsappErrorCode = details.error.code;
        }
        break;
      case 'pending':
        return false; // unreachable: nothing leads back to pending
    }
    p.status = to;
    p.whatsappStatus = to;
    delete p.leaseUntil;
    this.emit('message.status_changed', at, audience.assignedAgent, {
      from,
      to,
      direction: p.direction,
      whatsappMessageId: p.whatsappMessageId,
      ...(to === 'failed' && details.error !== undefined
        ? { whatsappError: details.error.title, whatsappErrorCode: details.error.code }
        : {}),
    });
    return true;
  }

  /** WhatsApp accepted the message and gave it `whatsappMessageId`. */
  markSent(whatsappMessageId: string, at: Date, audience?: EventAudience): boolean {
    assertNonEmpty('whatsappMessageId', whatsappMessageId);
    return this.advance('sent', at, { whatsappMessageId }, audience);
  }

  markDelivered(at: Date, audience?: EventAudience): boolean {
    return this.advance('delivered', at, {}, audience);
  }

  /** Read; also sets deliveredAt when the delivered report never came. */
  markRead(at: Date, audience?: EventAudience): boolean {
    return this.advance('read', at, {}, audience);
  }

  markFailed(error: WhatsAppErrorInfo, at: Date, audience?: EventAudience): boolean {
    if (typeof error?.code !== 'number' || !Number.isFinite(error.code)) {
      throw new ValidationError('whatsappErrorCode', 'must be a number');
    }
    if (typeof error.title !== 'string') throw new ValidationError('whatsappError', 'must be a string');
    return this.advance('failed', at, { error }, audience);
  }

  // -------------------------------------------------------------------------------------------
  // AI and outbox bookkeeping

  /** The AI's reading of the message: intent, sentiment, confidence (0..1) and entities. */
  applyUnderstanding(understanding: Understanding): void {
    const intent = assertNonEmpty('aiResponse.intent', understanding.intent).trim();
    const sentiment = assertEnum('aiResponse.sentiment', understanding.sentiment, SENTIMENTS);
    const confidence = assertNumberInRange('aiResponse.confidence', understanding.confidence, 0, 1);
    const entities = understanding.entities ?? [];
    if (!Array.isArray(entities) || entities.some((e) => typeof e !== 'string')) {
      throw new ValidationError('aiResponse.entities', 'must be a list of strings');
    }
    this.#p.aiProcessed = true;
    this.#p.aiResponse = { intent, sentiment, confidence, entities: [...entities] };
  }

  /**
   * After send attempt number `attempt` failed transiently: sendAttempts = attempt, the next try
   * at `at + backoffMs`, the lease released. Only while pending (returns false otherwise: a webhook
   * may have moved the message on meanwhile).
   */
  scheduleRetry(attempt: number, at: Date, backoffMs: number): boolean {
    if (!Number.isInteger(attempt) || attempt < 1) {
      throw new ValidationError('sendAttempts', 'must be a positive integer', 'VALIDATION.OUT_OF_RANGE');
    }
    assertDate('at', at);
    if (typeof backoffMs !== 'number' || !Number.isFinite(backoffMs) || backoffMs < 0) {
      throw new ValidationError('backoffMs', 'must be a non-negative number', 'VALIDATION.OUT_OF_RANGE');
    }
    if (this.#p.status !== 'pending') return false;
    this.#p.sendAttempts = attempt;
    this.#p.nextAttemptAt = new Date(at.getTime() + backoffMs);
    delete this.#p.leaseUntil;
    return true;
  }

  // -------------------------------------------------------------------------------------------

  private emit(
    type: 'message.received' | 'message.sent' | 'message.status_changed',
    occurredAt: Date,
    assignedAgent: Id | undefined,
    extra: Record<string, unknown>,
  ): void {
    this.record({
      type,
      occurredAt,
      payload: {
        ...extra,
        messageId: this.#p.id,
        conversationId: this.#p.conversationId,
        customerId: this.#p.customerId,
        assignedAgent,
      },
    });
  }
}
