import {
  CONVERSATION_STATUSES,
  type ConversationStatus,
  PRIORITIES,
  type Priority,
} from '../../domain/conversation/conversation.types.js';
import { ticketSlaSubject } from '../../domain/sla/sla-status.js';
import { TICKET_STATUSES, type TicketStatus } from '../../domain/ticket/ticket.types.js';
import type { Ports } from '../ports/ports.js';
import { authorize } from '../shared/guards.js';
import { loadSettings } from '../shared/settings.js';
import type { UseCaseInput } from '../shared/use-case-input.js';
import {
  assertReportRange,
  average,
  type BreachCounts,
  breachesInRange,
  conversationResolutionMinutes,
  conversationSubject,
  inRange,
  loadReportData,
  type ReportRange,
  runningAlerts,
  ticketResolutionMinutes,
  ticketResolvedAt,
} from './analytics-support.js';

export interface GetOverviewQuery extends UseCaseInput {
  /** Start of the range, inclusive. */
  from: Date;
  /** End of the range, exclusive; after `from`, at most 366 days later. */
  to: Date;
}

export interface AnalyticsOverview {
  range: ReportRange;
  generatedAt: Date;
  conversations: {
    /** Every conversation right now, by status (not limited to the range). */
    byStatusNow: Record<ConversationStatus, number>;
    created: number;
    /** Of those created in the range, how many are in each status now. */
    createdByStatus: Record<ConversationStatus, number>;
    createdByPriority: Record<Priority, number>;
    resolved: number;
    averageFirstResponseMinutes: number | null;
    averageResolutionMinutes: number | null;
  };
  tickets: {
    created: number;
    createdByStatus: Record<TicketStatus, number>;
    resolved: number;
    escalated: number;
    averageFirstResponseMinutes: number | null;
    averageResolutionMinutes: number | null;
  };
  satisfaction: {
    /** CSAT of conversations (1–5), ratings submitted in the range. */
    average: number | null;
    count: number;
    /** Ticket feedback (1–5) submitted in the range. */
    ticketFeedbackAverage: number | null;
    ticketFeedbackCount: number;
  };
  sla: {
    /** Clocks whose due time fell in the range and that were missed. */
    breaches: { conversations: BreachCounts; tickets: BreachCounts; total: number };
    /** Running clocks right now: already breached, or due soon. */
    runningBreached: number;
    runningWarning: number;
  };
  /** True when more records matched than one report reads (REPORT_ITEM_LIMIT): figures are partial. */
  truncated: boolean;
}

const zeros = <K extends string>(keys: readonly K[]): Record<K, number> =>
  Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;

/** Team-wide figures over a date range (`analytics.read`). See analytics-support.ts for the definitions. */
export class GetOverview {
  constructor(
    private readonly ports: Pick<Ports, 'conversations' | 'tickets' | 'customers' | 'settings' | 'clock'>,
  ) {}

  async execute(input: GetOverviewQuery): Promise<AnalyticsOverview> {
    authorize(input.actor, 'analytics.read');
    const range = assertReportRange(input);
    const now = this.ports.clock.now();
    const [data, byStatusNow, settings] = await Promise.all([
      loadReportData(this.ports, range),
      this.ports.conversations.countByStatus(),
      loadSettings(this.ports),
    ]);
    const sla = settings.slaConfig();

    const createdConversations = data.conversations.filter((c) => inRange(c.createdAt, range));
    const resolvedConversations = data.conversations.filter((c) => inRange(c.resolvedAt, range));
    const createdByStatus = zeros(CONVERSATION_STATUSES);
    const createdByPriority = zeros(PRIORITIES);
    for (const c of createdConversations) {
      createdByStatus[c.status] += 1;
      createdByPriority[c.priority] += 1;
    }

    const createdTickets = data.tickets.filter((t) => inRange(t.createdAt, range));
    const resolvedTickets = data.tickets.filter((t) => inRange(ticketResolvedAt(t), range));
    const ticketsByStatus = zeros(TICKET_STATUSES);
    for (const t of createdTickets) ticketsByStatus[t.status] += 1;

    const ratings = data.conversations
      .map((c) => c.customerSatisfaction)
      .filter((s) => s !== undefined && inRange(s.submittedAt, range))
      .map((s) => s?.rating);
    const feedback = data.tickets
      .map((t) => t.customerFeedback)
      .filter((f) => f !== undefined && inRange(f.submittedAt, range))
      .map((f) => f?.rating);

    const conversationSubjects = data.conversations.map((c) => conversationSubject(c, data));
    const ticketSubjects = data.tickets.map(ticketSlaSubject);
    const conversationBreaches = breachesInRange(conversationSubjects, range, now, sla);
    const ticketBreaches = breachesInRange(ticketSubjects, range, now, sla);
    const running = runningAlerts([...conversationSubjects, ...ticketSubjects], now, sla);

    return {
      range,
      generatedAt: now,
      conversations: {
        byStatusNow,
        created: createdConversations.length,
        createdByStatus,
        createdByPriority,
        resolved: resolvedConversations.length,
        averageFirstResponseMinutes: average(createdConversations.map((c) => c.firstResponseTime)),
        averageResolutionMinutes: average(resolvedConversations.map(conversationResolutionMinutes)),
      },
      tickets: {
        created: createdTickets.length,
        createdByStatus: ticketsByStatus,
        resolved: resolvedTickets.length,
        escalated: data.tickets.filter((t) => inRange(t.escalatedAt, range)).length,
        averageFirstResponseMinutes: average(createdTickets.map((t) => t.firstResponseTime)),
        averageResolutionMinutes: average(resolvedTickets.map(ticketResolutionMinutes)),
      },
      satisfaction: {
        average: average(ratings),
        count: ratings.length,
        ticketFeedbackAverage: average(feedback),
        ticketFeedbackCount: feedback.length,
      },
      sla: {
        breaches: {
          conversations: conversationBreaches,
          tickets: ticketBreaches,
          total:
            conversationBreaches.firstResponse +
            conversationBreaches.resolution +
            ticketBreaches.firstResponse +
            ticketBreaches.resolution,
        },
        runningBreached: running.breached,
        runningWarning: running.warning,
      },
      truncated: data.truncated,
    };
  }
}
