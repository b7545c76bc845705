/**
 * The Ticket aggregate: a support case with a lifecycle, SLA timing, resolution, feedback,
 * notes, labels, escalation and links to other tickets. Pure: time, ids and the SLA calendar
 * are arguments.
 *
 * Lifecycle: see TICKET_TRANSITIONS. Nobody writes `status` directly:
 * - `changeStatus(to, by, now, calendar?)` for every move except into `resolved`, which needs a
 *   resolution and goes through `resolve(...)` (changeStatus('resolved') → TICKET.RESOLUTION_REQUIRED).
 * - Reopen = `changeStatus('in_progress')` from `resolved`: `resolution` and `resolutionTime`
 *   are cleared; the old resolution travels in the event payload (`previousResolution`).
 * - `close` sets `closedAt`. `closed` is final: mutators throw TICKET.CLOSED, except
 *   `recordFeedback`, `addNote` and `relateTo` (surveys, after-the-fact notes, duplicate links).
 *
 * SLA pause: entering `waiting_customer` sets `waitingCustomerSince`; leaving it (by any route)
 * adds the business minutes spent waiting (rounded to 0.1) to `slaPausedMinutes` and pushes
 * `estimatedResolution` later by the same business minutes. Business minutes need the calendar:
 * the mutators that can leave `waiting_customer` take an optional `calendar` ({ hours, zone });
 * without it the pause is measured in wall-clock minutes (the 24/7 calendar).
 *
 * `estimatedResolution` = createdAt + resolution target (+ paused minutes), in business
 * minutes. It is recomputed on a priority change (update/changePriority/escalate) when the SLA
 * context is passed; otherwise it keeps its value. `evaluateSla` (sla-status.ts) always
 * recomputes from the current priority, so it is the authority for breach decisions.
 *
 * Events: ticket.created, ticket.status_changed (changeStatus/resolve/close/customerReplied),
 * ticket.escalated (escalate), ticket.updated (everything else). Payloads always carry
 * `{ ticketId, id, customerId, conversationId, assignedAgent }` (after the change).
 * Mutators that change nothing return false and record nothing.
 */
import type { Priority } from '../conversation/conversation.types.js';
import { PRIORITIES } from '../conversation/conversation.types.js';
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
import {
  addBusinessMinutes,
  type BusinessCalendar,
  type BusinessHours,
  businessMinutesBetween,
  WEEKDAYS,
} from '../sla/business-hours.js';
import { raisePriority } from '../sla/escalation.js';
import { type SlaTargets, targetFor } from '../sla/sla-targets.js';
import { TICKET_ERROR_CODES, ticketClosedError } from './ticket.errors.js';
import {
  RESOLUTION_CATEGORIES,
  type ResolutionCategory,
  SLA_LEVELS,
  type SlaLevel,
  SUBJECT_MAX_LENGTH,
  TICKET_CATEGORIES,
  TICKET_STATUSES,
  type TicketAttachment,
  type TicketCategory,
  type TicketNote,
  type TicketPrimitives,
  type TicketStatus,
} from './ticket.types.js';
import { assertTicketId } from './ticket-id.js';

// ---------------------------------------------------------------------------------------------
// Lifecycle table

/**
 * Allowed status changes (same-status moves are not transitions):
 * - open → in_progress | waiting_customer | waiting_internal | resolved | closed
 * - in_progress → waiting_customer | waiting_internal | resolved | closed
 * - waiting_customer → in_progress | waiting_internal | resolved | closed
 * - waiting_internal → in_progress | waiting_customer | resolved | closed
 * - resolved → in_progress (reopen) | closed
 * - closed → nothing (final)
 */
export const TICKET_TRANSITIONS: Readonly<Record<TicketStatus, readonly TicketStatus[]>> = {
  open: ['in_progress', 'waiting_customer', 'waiting_internal', 'resolved', 'closed'],
  in_progress: ['waiting_customer', 'waiting_internal', 'resolved', 'closed'],
  waiting_customer: ['in_progress', 'waiting_internal', 'resolved', 'closed'],
  waiting_internal: ['in_progress', 'waiting_customer', 'resolved', 'closed'],
  resolved: ['in_progress', 'closed'],
  closed: [],
};

export const canTransition = (from: TicketStatus, to: TicketStatus): boolean =>
  TICKET_TRANSITIONS[from].includes(to);

// ---------------------------------------------------------------------------------------------
// Inputs

/** What the SLA maths needs: the business calendar and the targets table. */
export interface TicketSlaContext extends BusinessCalendar {
  targets: SlaTargets;
}

export interface TicketContext {
  id: Id;
  now: Date;
  sla: TicketSlaContext;
}

export const ATTACHMENT_TYPES = ['image', 'document', 'audio', 'video'] as const;

export interface TicketAttachmentInput {
  type: string;
  url: string;
  publicId?: string;
  filename?: string;
  size?: number;
  uploadedBy?: Id;
  uploadedAt?: Date; // default: now
}

export interface TicketLocationInput {
  latitude: number;
  longitude: number;
  address?: string;
  formattedAddress?: string;
  isServiceLocation?: boolean; // default false
}

export interface TicketLabel {
  name: string;
  color: string; // #rgb or #rrggbb, stored lower case
}

export interface CreateTicketInput {
  ticketId: string;
  customerId: Id;
  conversationId?: Id;
  assignedAgent?: Id;
  subject: string;
  description: string;
  category: TicketCategory;
  subcategory?: string;
  priority?: Priority; // default 'medium'
  slaLevel?: SlaLevel; // default 'standard'
  tags?: string[];
  labels?: TicketLabel[];
  location?: TicketLocationInput;
  attachments?: TicketAttachmentInput[];
  externalId?: string;
  externalUrl?: string;
}

export interface ResolveTicketInput {
  summary: string;
  steps?: string[];
  resolvedBy: Id;
  resolutionCategory: ResolutionCategory;
}

export interface TicketFeedbackInput {
  rating: number;
  comment?: string;
  followUpNeeded?: boolean; // default false
}

export interface AddTicketNoteInput {
  id: Id;
  agent: Id;
  content: string;
  isInternal?: boolean; // default true
  attachments?: string[];
}

export interface UpdateTicketInput {
  subject?: string;
  description?: string;
  category?: TicketCategory;
  /** `null` clears it. */
  subcategory?: string | null;
  priority?: Priority;
  tags?: string[];
  labels?: TicketLabel[];
}

export interface EscalateTicketInput {
  to: Id;
  reason: string;
  by?: Id;
  now: Date;
  /** Also assign the ticket to `to` (the `escalation_reassign` setting). Default false. */
  reassign?: boolean;
  /** When given, estimatedResolution follows the raised priority. */
  sla?: TicketSlaContext;
}

export interface TicketMutationOptions {
  by?: Id;
  /** When given and the priority changes, estimatedResolution is recomputed. */
  sla?: TicketSlaContext;
}

// ---------------------------------------------------------------------------------------------
// Helpers

const DESCRIPTION_MAX_LENGTH = 20_000;
const SUBCATEGORY_MAX_LENGTH = 100;
const TAG_MAX_LENGTH = 50;
const LABEL_NAME_MAX_LENGTH = 50;
const NOTE_MAX_LENGTH = 10_000;
const REASON_MAX_LENGTH = 1_000;
const FEEDBACK_COMMENT_MAX_LENGTH = 2_000;
const HEX_COLOR = /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i;

/** Used when no calendar is passed: wall-clock minutes. */
const ALWAYS_OPEN: BusinessCalendar = {
  hours: Object.fromEntries(
    WEEKDAYS.map((d) => [d, { start: '00:00', end: '24:00', enabled: false }]),
  ) as BusinessHours,
  zone: 'UTC',
};

const round1 = (n: number): number => Math.round(n * 10) / 10;

/** Deep copy without the keys whose value is undefined, and the top-level ones that are null. */
function compact<T extends object>(value: T): T {
  const copy = plainCopy(value) as Record<string, unknown>;
  for (const key of Object.keys(copy)) {
    if (copy[key] === null) delete copy[key];
  }
  return copy as T;
}

const optionalId = (field: string, value: unknown): Id | undefined =>
  value === undefined || value === null ? undefined : assertId(field, value);

function assertDate(field: string, value: unknown): Date {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
    throw new ValidationError(field, 'must be a valid date', 'VALIDATION.INVALID_DATE');
  }
  return new Date(value);
}

function optionalText(field: string, value: string | undefined | null, max: number): string | undefined {
  if (value === undefined || value === null) return undefined;
  const trimmed = value.trim();
  assertMaxLength(field, trimmed, max);
  return trimmed.length === 0 ? undefined : trimmed;
}

function requiredText(field: string, value: unknown, max: number): string {
  const text = assertNonEmpty(field, typeof value === 'string' ? value : undefined).trim();
  assertMaxLength(field, text, max);
  return text;
}

function normalizeTags(tags: readonly string[]): string[] {
  const out: string[] = [];
  tags.forEach((tag, i) => {
    const t = String(tag).trim();
    assertMaxLength(`tags.${i}`, t, TAG_MAX_LENGTH);
    if (t.length > 0 && !out.includes(t)) out.push(t);
  });
  return out;
}

/** Validates names and hex colours; duplicate names (case-insensitive) keep the first. */
function normalizeLabels(labels: readonly TicketLabel[]): TicketLabel[] {
  const out: TicketLabel[] = [];
  labels.forEach((label, i) => {
    const name = requiredText(`labels.${i}.name`, label?.name, LABEL_NAME_MAX_LENGTH);
    const color = typeof label.color === 'string' ? label.color.trim() : '';
    if (!HEX_COLOR.test(color)) {
      throw new ValidationError(
        `labels.${i}.color`,
        'must be a hex colour like #1a2b3c',
        'VALIDATION.INVALID_COLOR',
      );
    }
    if (!out.some((l) => l.name.toLowerCase() === name.toLowerCase())) {
      out.push({ name, color: color.toLowerCase() });
    }
  });
  return out;
}

function normalizeLocation(loc: TicketLocationInput): NonNullable<TicketPrimitives['location']> {
  if (!Number.isFinite(loc.latitude) || loc.latitude < -90 || loc.latitude > 90) {
    throw new ValidationError('location.latitude', 'must be between -90 and 90', 'VALIDATION.OUT_OF_RANGE');
  }
  if (!Number.isFinite(loc.longitude) || loc.longitude < -180 || loc.longitude > 180) {
    throw new ValidationError(
      'location.longitude',
      'must be between -180 and 180',
      'VALIDATION.OUT_OF_RANGE',
    );
  }
  return compact({
    latitude: loc.latitude,
    longitude: loc.longitude,
    address: optionalText('location.address', loc.address, 500),
    formattedAddress: optionalText('location.formattedAddress', loc.formattedAddress, 500),
    isServiceLocation: loc.isServiceLocation ?? false,
  });
}

function normalizeAttachment(a: TicketAttachmentInput, i: number, now: Date): TicketAttachment {
  const type = assertEnum(`attachments.${i}.type`, a.type, ATTACHMENT_TYPES);
  const url = requiredText(`attachments.${i}.url`, a.url, 2_000);
  if (a.size !== undefined && (!Number.isFinite(a.size) || a.size < 0)) {
    throw new ValidationError(
      `attachments.${i}.size`,
      'must be a non-negative number',
      'VALIDATION.OUT_OF_RANGE',
    );
  }
  return compact({
    type,
    url,
    publicId: optionalText(`attachments.${i}.publicId`, a.publicId, 500),
    filename: optionalText(`attachments.${i}.filename`, a.filename, 500),
    size: a.size,
    uploadedBy: optionalId(`attachments.${i}.uploadedBy`, a.uploadedBy),
    uploadedAt:
      a.uploadedAt === undefined ? new Date(now) : assertDate(`attachments.${i}.uploadedAt`, a.uploadedAt),
  });
}

const sameJson = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

function estimateResolution(
  createdAt: Date,
  slaLevel: SlaLevel,
  priority: Priority,
  pausedMinutes: number,
  sla: TicketSlaContext,
): Date {
  const target = targetFor(sla.targets, slaLevel, priority);
  return addBusinessMinutes(createdAt, target.resolution + pausedMinutes, sla.hours, sla.zone);
}

// ---------------------------------------------------------------------------------------------
// Aggregate

export class Ticket extends AggregateRoot {
  #p: TicketPrimitives;

  private constructor(p: TicketPrimitives) {
    super();
    this.#p = p;
  }

  /** A new open ticket with the seed's defaults and its estimated resolution. Records `ticket.created`. */
  static create(input: CreateTicketInput, ctx: TicketContext): Ticket {
    const id = assertId('id', ctx.id);
    const now = assertDate('now', ctx.now);
    const priority =
      input.priority === undefined ? 'medium' : assertEnum('priority', input.priority, PRIORITIES);
    const slaLevel =
      input.slaLevel === undefined ? 'standard' : assertEnum('slaLevel', input.slaLevel, SLA_LEVELS);
    const p: TicketPrimitives = {
      id,
      ticketId: assertTicketId(input.ticketId),
      customerId: assertId('customerId', input.customerId),
      conversationId: optionalId('conversationId', input.conversationId),
      assignedAgent: optionalId('assignedAgent', input.assignedAgent),
      subject: requiredText('subject', input.subject, SUBJECT_MAX_LENGTH),
      description: requiredText('description', input.description, DESCRIPTION_MAX_LENGTH),
      category: assertEnum('category', input.category, TICKET_CATEGORIES),
      subcategory: optionalText('subcategory', input.subcategory, SUBCATEGORY_MAX_LENGTH),
      priority,
      status: 'open',
      slaLevel,
      estimatedResolution: estimateResolution(now, slaLevel, priority, 0, ctx.sla),
      slaPausedMinutes: 0,
      attachments: (input.attachments ?? []).map((a, i) => normalizeAttachment(a, i, now)),
      location: input.location === undefined ? undefined : normalizeLocation(input.location),
      notes: [],
      tags: normalizeTags(input.tags ?? []),
      labels: normalizeLabels(input.labels ?? []),
      escalated: false,
      relatedTickets: [],
      externalId: optionalText('externalId', input.externalId, 200),
      externalUrl: optionalText('externalUrl', input.externalUrl, 2_000),
      createdAt: now,
      updatedAt: new Date(now),
      lastActivityAt: new Date(now),
      version: 0,
    };
    const ticket = new Ticket(compact(p));
    ticket.#emit('ticket.created', now, {
      subject: p.subject,
      category: p.category,
      priority: p.priority,
      slaLevel: p.slaLevel,
      status: p.status,
      estimatedResolution: p.estimatedResolution,
    });
    return ticket;
  }

  /**
   * Rehydrates a stored ticket: validates ids and enums (ValidationError naming the field),
   * turns `null` optionals into absent fields and fills missing arrays/defaults.
   */
  static fromPrimitives(input: TicketPrimitives): Ticket {
    const p = compact(input);
    assertId('id', p.id);
    assertTicketId(p.ticketId);
    assertId('customerId', p.customerId);
    optionalId('conversationId', p.conversationId);
    optionalId('assignedAgent', p.assignedAgent);
    optionalId('escalatedTo', p.escalatedTo);
    optionalId('parentTicket', p.parentTicket);
    assertEnum('category', p.category, TICKET_CATEGORIES);
    assertEnum('status', p.status, TICKET_STATUSES);
    p.priority = p.priority === undefined ? 'medium' : assertEnum('priority', p.priority, PRIORITIES);
    p.slaLevel = p.slaLevel === undefined ? 'standard' : assertEnum('slaLevel', p.slaLevel, SLA_LEVELS);
    if (p.resolution !== undefined) {
      assertEnum('resolution.resolutionCategory', p.resolution.resolutionCategory, RESOLUTION_CATEGORIES);
    }
    if (p.customerFeedback !== undefined) assertRating('customerFeedback.rating', p.customerFeedback.rating);
    p.attachments = p.attachments ?? [];
    p.notes = (p.notes ?? []).map((n) => ({
      ...n,
      isInternal: n.isInternal ?? true,
      attachments: n.attachments ?? [],
    }));
    p.tags = p.tags ?? [];
    p.labels = p.labels ?? [];
    p.relatedTickets = p.relatedTickets ?? [];
    p.escalated = p.escalated ?? false;
    p.lastActivityAt = p.lastActivityAt ?? p.updatedAt;
    p.version = p.version ?? 0;
    return new Ticket(p);
  }

  /** A deep copy of the persisted shape (absent optional fields are omitted). */
  toPrimitives(): TicketPrimitives {
    return compact(this.#p);
  }

  // ---- getters ------------------------------------------------------------------------------

  get id(): Id {
    return this.#p.id;
  }
  get ticketId(): string {
    return this.#p.ticketId;
  }
  get customerId(): Id {
    return this.#p.customerId;
  }
  get conversationId(): Id | undefined {
    return this.#p.conversationId;
  }
  get assignedAgent(): Id | undefined {
    return this.#p.assignedAgent;
  }
  get subject(): string {
    return this.#p.subject;
  }
  get description(): string {
    return this.#p.description;
  }
  get category(): TicketCategory {
    return this.#p.category;
  }
  get subcategory(): string | undefined {
    return this.#p.subcategory;
  }
  get priority(): Priority {
    return this.#p.priority;
  }
  get status(): TicketStatus {
    return this.#p.status;
  }
  get slaLevel(): SlaLevel {
    return this.#p.slaLevel;
  }
  get estimatedResolution(): Date | undefined {
    return copyDate(this.#p.estimatedResolution);
  }
  get firstResponseAt(): Date | undefined {
    return copyDate(this.#p.firstResponseAt);
  }
  get firstResponseTime(): number | undefined {
    return this.#p.firstResponseTime;
  }
  get resolutionTime(): number | undefined {
    return this.#p.resolutionTime;
  }
  get slaPausedMinutes(): number {
    return this.#p.slaPausedMinutes ?? 0;
  }
  get waitingCustomerSince(): Date | undefined {
    return copyDate(this.#p.waitingCustomerSince);
  }
  get resolution(): TicketPrimitives['resolution'] {
    return this.#p.resolution === undefined ? undefined : structuredClone(this.#p.resolution);
  }
  get customerFeedback(): TicketPrimitives['customerFeedback'] {
    return this.#p.customerFeedback === undefined ? undefined : structuredClone(this.#p.customerFeedback);
  }
  get notes(): TicketNote[] {
    return structuredClone(this.#p.notes);
  }
  get tags(): string[] {
    return [...this.#p.tags];
  }
  get labels(): TicketLabel[] {
    return this.#p.labels.map((l) => ({ ...l }));
  }
  get escalated(): boolean {
    return this.#p.escalated;
  }
  get escalatedTo(): Id | undefined {
    return this.#p.escalatedTo;
  }
  get escalatedAt(): Date | undefined {
    return copyDate(this.#p.escalatedAt);
  }
  get escalationReason(): string | undefined {
    return this.#p.escalationReason;
  }
  get relatedTickets(): Id[] {
    return [...this.#p.relatedTickets];
  }
  get parentTicket(): Id | undefined {
    return this.#p.parentTicket;
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
  get lastActivityAt(): Date {
    return new Date(this.#p.lastActivityAt);
  }
  get version(): number {
    return this.#p.version;
  }
  get isClosed(): boolean {
    return this.#p.status === 'closed';
  }

  // ---- lifecycle ----------------------------------------------------------------------------

  /**
   * Moves to `to` (any status but `resolved`, which needs `resolve`). Illegal moves throw
   * IllegalTransitionError (TICKET.ILLEGAL_TRANSITION). `resolved → in_progress` reopens the
   * ticket (clears resolution and resolutionTime). `calendar` measures a waiting_customer pause.
   */
  changeStatus(to: TicketStatus, by: Id | undefined, now: Date, calendar?: BusinessCalendar): void {
    assertEnum('status', to, TICKET_STATUSES);
    optionalId('by', by);
    const from = this.#p.status;
    if (!canTransition(from, to)) throw new IllegalTransitionError('ticket', from, to);
    if (to === 'resolved') {
      throw new BusinessRuleError(
        TICKET_ERROR_CODES.RESOLUTION_REQUIRED,
        'A ticket is resolved with a resolution: use resolve()',
        { id: this.#p.id },
      );
    }
    const extra: Record<string, unknown> = {};
    if (from === 'resolved' && to === 'in_progress') {
      extra.reopened = true;
      extra.previousResolution =
        this.#p.resolution === undefined ? undefined : structuredClone(this.#p.resolution);
      this.#p.resolution = undefined;
      this.#p.resolutionTime = undefined;
    }
    this.#moveTo(to, by, now, calendar, extra);
  }

  /** Closes the ticket (final); sets closedAt. */
  close(by: Id | undefined, now: Date, calendar?: BusinessCalendar): void {
    this.changeStatus('closed', by, now, calendar);
  }

  /**
   * Resolves the ticket with its resolution: resolvedAt = now, resolutionTime = wall-clock
   * minutes since createdAt. Allowed from every status whose table row contains `resolved`.
   */
  resolve(input: ResolveTicketInput, now: Date, calendar?: BusinessCalendar): void {
    const from = this.#p.status;
    if (!canTransition(from, 'resolved')) throw new IllegalTransitionError('ticket', from, 'resolved');
    const at = assertDate('now', now);
    const resolution = {
      summary: requiredText('resolution.summary', input.summary, DESCRIPTION_MAX_LENGTH),
      steps: (input.steps ?? []).map((s) => String(s).trim()).filter((s) => s.length > 0),
      resolvedBy: assertId('resolution.resolvedBy', input.resolvedBy),
      resolvedAt: at,
      resolutionCategory: assertEnum(
        'resolution.resolutionCategory',
        input.resolutionCategory,
        RESOLUTION_CATEGORIES,
      ),
    };
    this.#p.resolution = resolution;
    this.#p.resolutionTime = Math.max(0, minutesBetween(this.#p.createdAt, at));
    this.#moveTo('resolved', resolution.resolvedBy, at, calendar, {
      resolution: structuredClone(resolution),
      resolutionTime: this.#p.resolutionTime,
    });
  }

  /** A customer message: a ticket waiting on the customer goes back to in_progress (returns true). */
  customerReplied(now: Date, calendar?: BusinessCalendar): boolean {
    if (this.#p.status === 'waiting_customer') {
      this.#moveTo('in_progress', undefined, now, calendar, { trigger: 'customer_replied' });
      return true;
    }
    if (this.#p.status !== 'closed') this.#touch(now);
    return false;
  }

  // ---- timing -------------------------------------------------------------------------------

  /**
   * The first agent response at `at` (recorded once: later calls return false and change
   * nothing). firstResponseTime = wall-clock minutes since createdAt (never negative).
   */
  recordFirstResponse(at: Date, now: Date = at): boolean {
    if (this.#p.firstResponseAt !== undefined) return false;
    this.#assertNotClosed();
    const when = assertDate('firstResponseAt', at);
    this.#p.firstResponseAt = when;
    this.#p.firstResponseTime = Math.max(0, minutesBetween(this.#p.createdAt, when));
    this.#touch(now);
    this.#emit('ticket.updated', now, {
      changes: ['firstResponseAt', 'firstResponseTime'],
      firstResponseTime: this.#p.firstResponseTime,
    });
    return true;
  }

  // ---- feedback, notes ----------------------------------------------------------------------

  /** Customer feedback (rating 1..5), only once resolved or closed; a new rating replaces the old. */
  recordFeedback(input: TicketFeedbackInput, now: Date): void {
    if (this.#p.status !== 'resolved' && this.#p.status !== 'closed') {
      throw new BusinessRuleError(
        TICKET_ERROR_CODES.FEEDBACK_BEFORE_RESOLUTION,
        'Feedback can only be recorded once the ticket is resolved or closed',
        { id: this.#p.id, status: this.#p.status },
      );
    }
    assertRating('customerFeedback.rating', input.rating);
    this.#p.customerFeedback = compact({
      rating: input.rating,
      comment: optionalText('customerFeedback.comment', input.comment, FEEDBACK_COMMENT_MAX_LENGTH),
      submittedAt: assertDate('now', now),
      followUpNeeded: input.followUpNeeded ?? false,
    });
    this.#touch(now);
    this.#emit('ticket.updated', now, {
      changes: ['customerFeedback'],
      rating: input.rating,
      followUpNeeded: this.#p.customerFeedback.followUpNeeded,
    });
  }

  addNote(input: AddTicketNoteInput, now: Date): void {
    const id = assertId('notes.id', input.id);
    if (this.#p.notes.some((n) => n.id === id)) throw new DuplicateError('ticket_note', 'id', id);
    const note: TicketNote = {
      id,
      agent: assertId('notes.agent', input.agent),
      content: requiredText('notes.content', input.content, NOTE_MAX_LENGTH),
      isInternal: input.isInternal ?? true,
      timestamp: assertDate('now', now),
      attachments: (input.attachments ?? []).map((a, i) => requiredText(`notes.attachments.${i}`, a, 2_000)),
    };
    this.#p.notes.push(note);
    this.#touch(now);
    this.#emit('ticket.updated', now, {
      changes: ['notes'],
      noteId: id,
      agent: note.agent,
      isInternal: note.isInternal,
    });
  }

  // ---- assignment, fields -------------------------------------------------------------------

  /** Assigns to `agentId`; the same agent again changes nothing (false). */
  assignTo(agentId: Id, now: Date, by?: Id): boolean {
    this.#assertNotClosed();
    assertId('assignedAgent', agentId);
    if (this.#p.assignedAgent === agentId) return false;
    const previousAgent = this.#p.assignedAgent;
    this.#p.assignedAgent = agentId;
    this.#touch(now);
    this.#emit('ticket.updated', now, { changes: ['assignedAgent'], previousAgent, by });
    return true;
  }

  /** Edits the descriptive fields. Returns false (no event) when nothing actually changes. */
  update(changes: UpdateTicketInput, now: Date, options: TicketMutationOptions = {}): boolean {
    this.#assertNotClosed();
    const next: Partial<TicketPrimitives> = {};
    if (changes.subject !== undefined)
      next.subject = requiredText('subject', changes.subject, SUBJECT_MAX_LENGTH);
    if (changes.description !== undefined) {
      next.description = requiredText('description', changes.description, DESCRIPTION_MAX_LENGTH);
    }
    if (changes.category !== undefined)
      next.category = assertEnum('category', changes.category, TICKET_CATEGORIES);
    if (changes.subcategory !== undefined) {
      next.subcategory = optionalText('subcategory', changes.subcategory, SUBCATEGORY_MAX_LENGTH);
    }
    if (changes.priority !== undefined) next.priority = assertEnum('priority', changes.priority, PRIORITIES);
    if (changes.tags !== undefined) next.tags = normalizeTags(changes.tags);
    if (changes.labels !== undefined) next.labels = normalizeLabels(changes.labels);

    const changed = (Object.keys(next) as (keyof TicketPrimitives)[]).filter(
      (k) => !sameJson(next[k], this.#p[k]),
    );
    if (changed.length === 0) return false;
    const previousPriority = this.#p.priority;
    for (const k of changed) (this.#p as unknown as Record<string, unknown>)[k] = next[k];
    if (changed.includes('priority') && options.sla) this.#reestimate(options.sla);
    this.#touch(now);
    this.#emit('ticket.updated', now, {
      changes: changed,
      by: options.by,
      ...(changed.includes('priority') ? { previousPriority, priority: this.#p.priority } : {}),
    });
    return true;
  }

  changePriority(priority: Priority, now: Date, options: TicketMutationOptions = {}): boolean {
    assertEnum('priority', priority, PRIORITIES);
    return this.update({ priority }, now, options);
  }

  /** Links another ticket (by entity id). Itself → TICKET.SELF_REFERENCE; an existing link → false. */
  relateTo(ticketId: Id, now: Date): boolean {
    assertId('relatedTickets', ticketId);
    if (ticketId === this.#p.id) {
      throw new BusinessRuleError(TICKET_ERROR_CODES.SELF_REFERENCE, 'A ticket cannot be related to itself', {
        id: this.#p.id,
      });
    }
    if (this.#p.relatedTickets.includes(ticketId)) return false;
    this.#p.relatedTickets.push(ticketId);
    this.#touch(now);
    this.#emit('ticket.updated', now, { changes: ['relatedTickets'], relatedTicket: ticketId });
    return true;
  }

  /** Sets the parent ticket (by entity id). Itself → TICKET.SELF_REFERENCE; same parent → false. */
  setParent(ticketId: Id, now: Date): boolean {
    this.#assertNotClosed();
    assertId('parentTicket', ticketId);
    if (ticketId === this.#p.id) {
      throw new BusinessRuleError(TICKET_ERROR_CODES.SELF_REFERENCE, 'A ticket cannot be its own parent', {
        id: this.#p.id,
      });
    }
    if (this.#p.parentTicket === ticketId) return false;
    const previousParent = this.#p.parentTicket;
    this.#p.parentTicket = ticketId;
    this.#touch(now);
    this.#emit('ticket.updated', now, { changes: ['parentTicket'], parentTicket: ticketId, previousParent });
    return true;
  }

  // ---- escalation ---------------------------------------------------------------------------

  /**
   * Escalates to `to` (see chooseEscalationTarget): sets the escalation fields and raises the
   * priority one step (urgent stays urgent). Refused once escalated (TICKET.ALREADY_ESCALATED)
   * and for resolved/closed tickets (TICKET.ESCALATION_NOT_ALLOWED).
   */
  escalate(input: EscalateTicketInput): void {
    const { now } = input;
    if (this.#p.status === 'resolved' || this.#p.status === 'closed') {
      throw new BusinessRuleError(
        TICKET_ERROR_CODES.ESCALATION_NOT_ALLOWED,
        `A ${this.#p.status} ticket cannot be escalated`,
        { id: this.#p.id, status: this.#p.status },
      );
    }
    if (this.#p.escalated) {
      throw new BusinessRuleError(TICKET_ERROR_CODES.ALREADY_ESCALATED, 'This ticket is already escalated', {
        id: this.#p.id,
        escalatedTo: this.#p.escalatedTo,
      });
    }
    const to = assertId('escalatedTo', input.to);
    const reason = requiredText('escalationReason', input.reason, REASON_MAX_LENGTH);
    const by = optionalId('by', input.by);
    const at = assertDate('now', now);
    const previousPriority = this.#p.priority;
    const previousAgent = this.#p.assignedAgent;
    this.#p.escalated = true;
    this.#p.escalatedTo = to;
    this.#p.escalatedAt = at;
    this.#p.escalationReason = reason;
    this.#p.priority = raisePriority(previousPriority);
    if (input.sla && this.#p.priority !== previousPriority) this.#reestimate(input.sla);
    if (input.reassign === true) this.#p.assignedAgent = to;
    this.#touch(at);
    this.#emit('ticket.escalated', at, {
      escalatedTo: to,
      reason,
      by,
      previousPriority,
      priority: this.#p.priority,
      ...(input.reassign === true ? { previousAgent } : {}),
    });
  }

  // ---- internals ----------------------------------------------------------------------------

  #moveTo(
    to: TicketStatus,
    by: Id | undefined,
    now: Date,
    calendar: BusinessCalendar | undefined,
    extra: Record<string, unknown>,
  ): void {
    const at = assertDate('now', now);
    const from = this.#p.status;
    if (from === 'waiting_customer') this.#endPause(at, calendar ?? ALWAYS_OPEN);
    if (to === 'waiting_customer') this.#p.waitingCustomerSince = at;
    if (to === 'closed') this.#p.closedAt = at;
    this.#p.status = to;
    this.#touch(at);
    this.#emit('ticket.status_changed', at, { from, to, by, ...extra });
  }

  #endPause(now: Date, calendar: BusinessCalendar): void {
    const since = this.#p.waitingCustomerSince;
    this.#p.waitingCustomerSince = undefined;
    if (since === undefined) return;
    const paused = round1(businessMinutesBetween(since, now, calendar.hours, calendar.zone));
    this.#p.slaPausedMinutes = round1((this.#p.slaPausedMinutes ?? 0) + paused);
    if (this.#p.estimatedResolution !== undefined && paused > 0) {
      this.#p.estimatedResolution = addBusinessMinutes(
        this.#p.estimatedResolution,
        paused,
        calendar.hours,
        calendar.zone,
      );
    }
  }

  #reestimate(sla: TicketSlaContext): void {
    this.#p.estimatedResolution = estimateResolution(
      this.#p.createdAt,
      this.#p.slaLevel,
      this.#p.priority,
      this.#p.slaPausedMinutes ?? 0,
      sla,
    );
  }

  #assertNotClosed(): void {
    if (this.#p.status === 'closed') throw ticketClosedError(this.#p.id);
  }

  #touch(now: Date): void {
    const at = assertDate('now', now);
    if (at.getTime() > this.#p.updatedAt.getTime()) this.#p.updatedAt = at;
    if (at.getTime() > this.#p.lastActivityAt.getTime()) this.#p.lastActivityAt = new Date(at);
  }

  #emit(type: string, now: Date, extra: Record<string, unknown>): void {
    const payload: Record<string, unknown> = {
      ticketId: this.#p.ticketId,
      id: this.#p.id,
      customerId: this.#p.customerId,
      conversationId: this.#p.conversationId,
      assignedAgent: this.#p.assignedAgent,
    };
    for (const [k, v] of Object.entries(extra)) if (v !== undefined) payload[k] = v;
    this.record({ type, occurredAt: new Date(now), payload });
  }
}

const copyDate = (d: Date | undefined): Date | undefined => (d === undefined ? undefined : new Date(d));
