/**
 * What the analytics use cases share: the report range, loading what happened in it, and the
 * measures (averages, SLA breaches) computed the same way for the overview and per agent.
 *
 * Definitions (all times in wall-clock minutes, rounded to one decimal):
 * - a conversation/ticket is "created" in the range when its createdAt is in `[from, to)`;
 * - "resolved" when its resolution instant (conversation `resolvedAt`, ticket `resolution.resolvedAt`)
 *   is in the range;
 * - first-response time: the recorded `firstResponseTime` of those created in the range;
 * - resolution time: resolution instant − createdAt (tickets: their recorded `resolutionTime`) of
 *   those resolved in the range;
 * - CSAT: the ratings submitted in the range;
 * - an SLA breach: a clock (first response or resolution, evaluated now with the current settings)
 *   that is `breached` and whose due time fell in the range.
 */
import type {
  ConversationPrimitives,
  ConversationStatus,
} from '../../domain/conversation/conversation.types.js';
import type { CustomerSegment } from '../../domain/customer/customer.types.js';
import { ValidationError } from '../../domain/shared/errors.js';
import {
  conversationSlaSubject,
  evaluateSla,
  findSlaBreaches,
  type SlaClockName,
  type SlaConfig,
  type SlaSubject,
  slaLevelForSegment,
} from '../../domain/sla/sla-status.js';
import type { TicketPrimitives, TicketStatus } from '../../domain/ticket/ticket.types.js';
import type { Ports } from '../ports/ports.js';

/** The longest range a report covers. */
export const MAX_REPORT_DAYS = 366;
/** Most conversations (and, separately, tickets) one report reads; beyond it the report says `truncated`. */
export const REPORT_ITEM_LIMIT = 5_000;
const PAGE = 200;

const RUNNING_CONVERSATION_STATUSES: ConversationStatus[] = ['open', 'assigned', 'waiting'];
const RUNNING_TICKET_STATUSES: TicketStatus[] = [
  'open',
  'in_progress',
  'waiting_customer',
  'waiting_internal',
];

export interface ReportRange {
  from: Date;
  to: Date;
}

/** `to` after `from`, at most MAX_REPORT_DAYS apart; ValidationError naming the field otherwise. */
export function assertReportRange(range: { from: unknown; to: unknown }): ReportRange {
  const valid = (v: unknown): v is Date => v instanceof Date && !Number.isNaN(v.getTime());
  if (!valid(range.from)) throw new ValidationError('from', 'must be a valid date');
  if (!valid(range.to)) throw new ValidationError('to', 'must be a valid date');
  const span = range.to.getTime() - range.from.getTime();
  if (span <= 0) throw new ValidationError('to', 'must be after from', 'VALIDATION.OUT_OF_RANGE');
  if (span > MAX_REPORT_DAYS * 86_400_000) {
    throw new ValidationError(
      'to',
      `must be at most ${MAX_REPORT_DAYS} days after from`,
      'VALIDATION.OUT_OF_RANGE',
    );
  }
  return { from: range.from, to: range.to };
}

export const inRange = (at: Date | undefined, range: ReportRange): at is Date =>
  at !== undefined && at.getTime() >= range.from.getTime() && at.getTime() < range.to.getTime();

/** Created before `to` and changed at or after `from` (what `listActiveBetween` returns). */
export const activeInRange = (item: { createdAt: Date; updatedAt: Date }, range: ReportRange): boolean =>
  item.createdAt.getTime() < range.to.getTime() && item.updatedAt.getTime() >= range.from.getTime();

const round1 = (n: number): number => Math.round(n * 10) / 10;
const minutes = (from: Date, to: Date): number => Math.max(0, (to.getTime() - from.getTime()) / 60_000);

/** Mean of the defined values, one decimal; null when there is none. */
export function average(values: readonly (number | undefined)[]): number | null {
  const defined = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  if (defined.length === 0) return null;
  return round1(defined.reduce((a, b) => a + b, 0) / defined.length);
}

export const conversationResolutionMinutes = (c: ConversationPrimitives): number | undefined =>
  c.resolvedAt ? minutes(c.createdAt, c.resolvedAt) : undefined;

export const ticketResolvedAt = (t: TicketPrimitives): Date | undefined => t.resolution?.resolvedAt;

export const ticketResolutionMinutes = (t: TicketPrimitives): number | undefined =>
  t.resolutionTime ?? (t.resolution ? minutes(t.createdAt, t.resolution.resolvedAt) : undefined);

/** What a report reads: everything active in the range, plus what is still running now. */
export interface ReportData {
  conversations: ConversationPrimitives[];
  tickets: TicketPrimitives[];
  /** The customers' segments (the conversations' SLA level). */
  segments: Map<string, CustomerSegment>;
  truncated: boolean;
}

async function pageAll<T extends { id: string }>(
  list: (page: { limit: number; cursor?: string }) => Promise<{ items: T[]; nextCursor?: string }>,
  into: Map<string, T>,
): Promise<boolean> {
  let cursor: string | undefined;
  do {
    const page = await list({ limit: PAGE, ...(cursor ? { cursor } : {}) });
    for (const item of page.items) if (!into.has(item.id)) into.set(item.id, item);
    cursor = page.nextCursor;
    if (into.size >= REPORT_ITEM_LIMIT && cursor) return true;
  } while (cursor);
  return false;
}

export async function loadReportData(
  ports: Pick<Ports, 'conversations' | 'tickets' | 'customers'>,
  range: ReportRange,
): Promise<ReportData> {
  const conversations = new Map<string, ConversationPrimitives>();
  const tickets = new Map<string, TicketPrimitives>();
  for (const c of await ports.conversations.listActiveBetween(range, REPORT_ITEM_LIMIT))
    conversations.set(c.id, c);
  for (const t of await ports.tickets.listActiveBetween(range, REPORT_ITEM_LIMIT)) tickets.set(t.id, t);
  let truncated = conversations.size >= REPORT_ITEM_LIMIT || tickets.size >= REPORT_ITEM_LIMIT;
  // Running items left untouched since before `from` can still breach an SLA during the range.
  truncated =
    (await pageAll(
      (p) => ports.conversations.list({ status: RUNNING_CONVERSATION_STATUSES }, p),
      conversations,
    )) || truncated;
  truncated =
    (await pageAll((p) => ports.tickets.list({ status: RUNNING_TICKET_STATUSES }, p), tickets)) || truncated;

  const segments = new Map<string, CustomerSegment>();
  const customerIds = [...new Set([...conversations.values()].map((c) => c.customerId))];
  for (let i = 0; i < customerIds.length; i += 50) {
    const batch = await Promise.all(customerIds.slice(i, i + 50).map((id) => ports.customers.findById(id)));
    for (const customer of batch) if (customer) segments.set(customer.id, customer.segment);
  }
  return { conversations: [...conversations.values()], tickets: [...tickets.values()], segments, truncated };
}

export function conversationSubject(c: ConversationPrimitives, data: ReportData): SlaSubject {
  return conversationSlaSubject(c, slaLevelForSegment(data.segments.get(c.customerId)));
}

export interface BreachCounts {
  firstResponse: number;
  resolution: number;
}

/** Clocks of `subjects` breached with a due time inside the range (evaluated at `now`). */
export function breachesInRange(
  subjects: readonly SlaSubject[],
  range: ReportRange,
  now: Date,
  config: SlaConfig,
): BreachCounts {
  const counts: BreachCounts = { firstResponse: 0, resolution: 0 };
  for (const subject of subjects) {
    if (subject.createdAt.getTime() >= range.to.getTime()) continue;
    const evaluation = evaluateSla(subject, now, config);
    for (const name of ['firstResponse', 'resolution'] as const satisfies readonly SlaClockName[]) {
      const clock = evaluation[name];
      if (clock.state === 'breached' && inRange(clock.dueAt, range)) counts[name] += 1;
    }
  }
  return counts;
}

/** Running clocks breached or in warning right now. */
export function runningAlerts(subjects: readonly SlaSubject[], now: Date, config: SlaConfig) {
  const alerts = findSlaBreaches(subjects, now, config);
  return {
    breached: alerts.filter((a) => a.state === 'breached').length,
    warning: alerts.filter((a) => a.state === 'warning').length,
  };
}
