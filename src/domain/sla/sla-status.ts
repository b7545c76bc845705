/**
 * SLA clocks for tickets and conversations, evaluated at a given instant.
 *
 * Two clocks per subject, both in business minutes of the configured calendar:
 * - firstResponse: due = start + target.firstResponse.
 * - resolution:    due = createdAt + target.resolution (+ paused minutes for tickets).
 *
 * States: `met` (stopped at or before due), `breached` (running past due, or stopped after
 * due), `warning` (running, due within `warningLeadMinutes` business minutes), else `ok`.
 * `minutesLeft` is business minutes from now (running) or from the stop instant (stopped)
 * to the due time, negative once past due, rounded to one decimal.
 *
 * Tickets: the resolution clock pauses while the ticket is `waiting_customer`
 * (`slaPausedMinutes` already banked plus the running pause since `waitingCustomerSince`).
 * Resolving or closing a ticket stops both clocks (it counts as the first response if none
 * was recorded). A reopened ticket has no resolution any more, so its resolution clock runs
 * again from createdAt.
 *
 * Conversations: the response clock starts at `awaitingResponseSince` (the oldest unanswered
 * customer message) and runs until an agent/AI reply clears it. When nothing is awaiting, the
 * clock reports the first response of the conversation (createdAt + firstResponseTime, or
 * lastAgentResponse), and a conversation with no reply at all runs from createdAt.
 * Resolving or closing stops both clocks. No pause applies to conversations.
 */
import type {
  ConversationPrimitives,
  ConversationStatus,
  Priority,
} from '../conversation/conversation.types.js';
import type { CustomerSegment } from '../customer/customer.types.js';
import type { Id } from '../shared/ids.js';
import type { SlaLevel, TicketPrimitives, TicketStatus } from '../ticket/ticket.types.js';
import { addBusinessMinutes, type BusinessCalendar, businessMinutesBetween } from './business-hours.js';
import { type SlaTargets, targetFor } from './sla-targets.js';

export type SlaState = 'ok' | 'warning' | 'breached' | 'met';
export type SlaClockName = 'firstResponse' | 'resolution';

export interface SlaClock {
  dueAt: Date;
  state: SlaState;
  /** Business minutes to dueAt from now (running) or from completedAt (stopped); negative when late. */
  minutesLeft: number;
  /** When the clock stopped (response/resolution/closure); undefined while running. */
  completedAt?: Date;
  /** True while the clock is paused (ticket waiting on the customer). */
  paused: boolean;
}

export interface SlaEvaluation {
  firstResponse: SlaClock;
  resolution: SlaClock;
}

export interface SlaConfig extends BusinessCalendar {
  targets: SlaTargets;
  warningLeadMinutes: number;
}

export interface TicketSlaSubject {
  kind: 'ticket';
  id: Id;
  createdAt: Date;
  priority: Priority;
  slaLevel: SlaLevel;
  status: TicketStatus;
  firstResponseAt?: Date;
  resolvedAt?: Date;
  closedAt?: Date;
  slaPausedMinutes?: number;
  waitingCustomerSince?: Date;
}

export interface ConversationSlaSubject {
  kind: 'conversation';
  id: Id;
  createdAt: Date;
  priority: Priority;
  slaLevel: SlaLevel;
  status: ConversationStatus;
  awaitingResponseSince?: Date;
  firstResponseTime?: number;
  lastAgentResponse?: Date;
  resolvedAt?: Date;
  closedAt?: Date;
}

export type SlaSubject = TicketSlaSubject | ConversationSlaSubject;

/** Customers of the `vip` segment get the `vip` SLA level; everybody else `standard`. */
export const slaLevelForSegment = (segment: CustomerSegment | undefined): SlaLevel =>
  segment === 'vip' ? 'vip' : 'standard';

export function ticketSlaSubject(t: TicketPrimitives): TicketSlaSubject {
  return {
    kind: 'ticket',
    id: t.id,
    createdAt: t.createdAt,
    priority: t.priority,
    slaLevel: t.slaLevel,
    status: t.status,
    firstResponseAt: t.firstResponseAt,
    resolvedAt: t.resolution?.resolvedAt,
    closedAt: t.closedAt,
    slaPausedMinutes: t.slaPausedMinutes,
    waitingCustomerSince: t.waitingCustomerSince,
  };
}

export function conversationSlaSubject(
  c: ConversationPrimitives,
  slaLevel: SlaLevel,
): ConversationSlaSubject {
  return {
    kind: 'conversation',
    id: c.id,
    createdAt: c.createdAt,
    priority: c.priority,
    slaLevel,
    status: c.status,
    awaitingResponseSince: c.awaitingResponseSince,
    firstResponseTime: c.firstResponseTime,
    lastAgentResponse: c.lastAgentResponse,
    resolvedAt: c.resolvedAt,
    closedAt: c.closedAt,
  };
}

const round1 = (n: number): number => Math.round(n * 10) / 10;

function clock(
  dueAt: Date,
  now: Date,
  completedAt: Date | undefined,
  paused: boolean,
  config: SlaConfig,
): SlaClock {
  const ref = completedAt ?? now;
  const late = ref.getTime() > dueAt.getTime();
  const minutesLeft = round1(
    late
      ? -businessMinutesBetween(dueAt, ref, config.hours, config.zone)
      : businessMinutesBetween(ref, dueAt, config.hours, config.zone),
  );
  let state: SlaState;
  if (completedAt) state = late ? 'breached' : 'met';
  else if (late) state = 'breached';
  else state = minutesLeft <= config.warningLeadMinutes ? 'warning' : 'ok';
  return { dueAt, state, minutesLeft: minutesLeft === 0 ? 0 : minutesLeft, completedAt, paused };
}

function evaluateTicket(t: TicketSlaSubject, now: Date, config: SlaConfig): SlaEvaluation {
  const { hours, zone } = config;
  const target = targetFor(config.targets, t.slaLevel, t.priority);
  const finished = t.status === 'resolved' || t.status === 'closed';
  const stoppedAt = finished ? (t.resolvedAt ?? t.closedAt) : undefined;

  const firstDue = addBusinessMinutes(t.createdAt, target.firstResponse, hours, zone);
  const firstDone = t.firstResponseAt ?? stoppedAt;

  const paused = t.status === 'waiting_customer';
  const runningPause =
    paused && t.waitingCustomerSince ? businessMinutesBetween(t.waitingCustomerSince, now, hours, zone) : 0;
  const resolutionDue = addBusinessMinutes(
    t.createdAt,
    target.resolution + (t.slaPausedMinutes ?? 0) + runningPause,
    hours,
    zone,
  );

  return {
    firstResponse: clock(firstDue, now, firstDone, false, config),
    resolution: clock(resolutionDue, now, stoppedAt, paused, config),
  };
}

function evaluateConversation(c: ConversationSlaSubject, now: Date, config: SlaConfig): SlaEvaluation {
  const { hours, zone } = config;
  const target = targetFor(config.targets, c.slaLevel, c.priority);
  const finished = c.status === 'resolved' || c.status === 'closed';
  const stoppedAt = finished ? (c.resolvedAt ?? c.closedAt ?? now) : undefined;

  let start = c.createdAt;
  let respondedAt: Date | undefined;
  if (c.awaitingResponseSince) {
    start = c.awaitingResponseSince;
  } else if (c.firstResponseTime !== undefined) {
    respondedAt = new Date(c.createdAt.getTime() + c.firstResponseTime * 60_000);
  } else if (c.lastAgentResponse) {
    respondedAt = c.lastAgentResponse;
  }
  const firstDue = addBusinessMinutes(start, target.firstResponse, hours, zone);
  const resolutionDue = addBusinessMinutes(c.createdAt, target.resolution, hours, zone);

  return {
    firstResponse: clock(firstDue, now, respondedAt ?? stoppedAt, false, config),
    resolution: clock(resolutionDue, now, stoppedAt, false, config),
  };
}

export function evaluateSla(subject: SlaSubject, now: Date, config: SlaConfig): SlaEvaluation {
  return subject.kind === 'ticket'
    ? evaluateTicket(subject, now, config)
    : evaluateConversation(subject, now, config);
}

export interface SlaAlert<S extends SlaSubject = SlaSubject> {
  subject: S;
  clock: SlaClockName;
  state: 'warning' | 'breached';
  dueAt: Date;
  minutesLeft: number;
}

/**
 * The running clocks that are breached or in warning, most overdue first (by dueAt).
 * Stopped clocks (already met or late) and paused clocks (ticket waiting on the customer)
 * are not reported: there is nothing to act on.
 */
export function findSlaBreaches<S extends SlaSubject>(
  items: readonly S[],
  now: Date,
  config: SlaConfig,
): SlaAlert<S>[] {
  const alerts: SlaAlert<S>[] = [];
  for (const subject of items) {
    const evaluation = evaluateSla(subject, now, config);
    for (const name of ['firstResponse', 'resolution'] as const) {
      const c = evaluation[name];
      if (c.completedAt || c.paused) continue;
      if (c.state === 'warning' || c.state === 'breached') {
        alerts.push({ subject, clock: name, state: c.state, dueAt: c.dueAt, minutesLeft: c.minutesLeft });
      }
    }
  }
  return alerts.sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime());
}
