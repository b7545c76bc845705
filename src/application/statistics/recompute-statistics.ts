import type { AgentStatistics } from '../../domain/agent/agent.types.js';
import { SLOT_HOLDING_STATUSES } from '../../domain/assignment/assignment-policy.js';
import { CONVERSATION_STATUSES } from '../../domain/conversation/conversation.types.js';
import type { CustomerStatistics } from '../../domain/customer/customer.types.js';
import type { MessagePrimitives } from '../../domain/message/message.types.js';
import type { Id } from '../../domain/shared/ids.js';
import { TICKET_STATUSES } from '../../domain/ticket/ticket.types.js';
import type { Ports } from '../ports/ports.js';
import { recordActivity } from '../shared/activity.js';
import { authorize } from '../shared/guards.js';
import type { UseCaseInput } from '../shared/use-case-input.js';
import { measureResponses } from './response-times.js';

export interface RecomputeStatisticsInput extends UseCaseInput {
  /** Report the drift without writing anything. */
  dryRun?: boolean;
}

export type StatisticsEntity = 'agent' | 'customer';

export interface StatisticsDrift {
  entity: StatisticsEntity;
  id: Id;
  /** The fields whose stored value differs from the recomputed one. */
  fields: string[];
  stored: Record<string, number | undefined>;
  recomputed: Record<string, number | undefined>;
}

export interface RecomputeStatisticsReport {
  dryRun: boolean;
  agents: number;
  customers: number;
  conversations: number;
  tickets: number;
  messages: number;
  /** Every agent/customer whose stored statistics differed (written back unless dryRun). */
  drift: StatisticsDrift[];
  /** Entities whose statistics were written back. */
  updated: number;
}

interface AgentTotals {
  totalConversations: number;
  resolvedConversations: number;
  currentActiveConversations: number;
  responseSum: number;
  responseCount: number;
}

interface CustomerTotals {
  totalConversations: number;
  totalMessages: number;
  totalTickets: number;
  responseSum: number;
  responseCount: number;
  ratingSum: number;
  ratingCount: number;
}

const PAGE = 200;
/** Averages are compared at this precision (minutes / rating points), so float noise is not drift. */
const round = (n: number): number => Math.round(n * 1000) / 1000;

/**
 * Rebuilds every agent's and customer's statistics from the data, reports the drift per entity
 * (stored vs recomputed), and writes the recomputed values back with `setStatistics` (unless
 * `dryRun`). The rules are those the live counters follow:
 * - agent `totalConversations`: each assignment to them (`assigned` / `transferred` audit entries);
 *   `resolvedConversations`: each `resolved` entry of a conversation they held;
 *   `currentActiveConversations`: conversations they hold now that take a capacity slot;
 *   `averageResponseTime` (+ `responseCount`): their replies, measured from the messages;
 * - customer `totalConversations`: their conversations; `totalMessages`: their inbound messages;
 *   `totalTickets`: their tickets; `averageResponseTime` (+ `responseCount`): how long they took to
 *   answer us, from the messages; `satisfactionScore` (+ `satisfactionCount`): the ratings of their
 *   conversations and tickets.
 * Archived conversations and messages are not read: run it before archiving, or expect the counts of
 * archived history to drop out. Admins only (`settings.write`), or the system (CLI).
 */
export class RecomputeStatistics {
  constructor(
    private readonly ports: Pick<
      Ports,
      'agents' | 'customers' | 'conversations' | 'messages' | 'tickets' | 'activity' | 'ids' | 'clock'
    >,
  ) {}

  async execute(input: RecomputeStatisticsInput): Promise<RecomputeStatisticsReport> {
    authorize(input.actor, 'settings.write');
    const report: RecomputeStatisticsReport = {
      dryRun: input.dryRun === true,
      agents: 0,
      customers: 0,
      conversations: 0,
      tickets: 0,
      messages: 0,
      drift: [],
      updated: 0,
    };
    const agents = new Map<Id, AgentTotals>();
    const customers = new Map<Id, CustomerTotals>();
    const agent = (id: Id) => {
      let t = agents.get(id);
      if (!t) {
        t = {
          totalConversations: 0,
          resolvedConversations: 0,
          currentActiveConversations: 0,
          responseSum: 0,
          responseCount: 0,
        };
        agents.set(id, t);
      }
      return t;
    };
    const customer = (id: Id) => {
      let t = customers.get(id);
      if (!t) {
        t = {
          totalConversations: 0,
          totalMessages: 0,
          totalTickets: 0,
          responseSum: 0,
          responseCount: 0,
          ratingSum: 0,
          ratingCount: 0,
        };
        customers.set(id, t);
      }
      return t;
    };

    for (let afterId: Id | undefined; ; ) {
      const page = await this.ports.conversations.scanByStatus([...CONVERSATION_STATUSES], {
        limit: PAGE,
        ...(afterId ? { afterId } : {}),
      });
      for (const c of page) {
        report.conversations += 1;
        const cust = customer(c.customerId);
        cust.totalConversations += 1;
        if (c.customerSatisfaction) {
          cust.ratingSum += c.customerSatisfaction.rating;
          cust.ratingCount += 1;
        }
        if (c.assignedAgent && SLOT_HOLDING_STATUSES.includes(c.status))
          agent(c.assignedAgent).currentActiveConversations += 1;
        await this.#countAssignments(c.id, agent);
        const messages = await this.#messagesOf(c.id);
        report.messages += messages.length;
        cust.totalMessages += messages.filter((m) => m.direction === 'inbound').length;
        for (const r of measureResponses(messages)) {
          if (r.by === 'customer') {
            cust.responseSum += r.minutes;
            cust.responseCount += 1;
          } else if (r.agentId) {
            agent(r.agentId).responseSum += r.minutes;
            agent(r.agentId).responseCount += 1;
          }
        }
      }
      if (page.length < PAGE) break;
      afterId = page.at(-1)!.id;
    }

    for (let afterId: Id | undefined; ; ) {
      const page = await this.ports.tickets.scanByStatus([...TICKET_STATUSES], {
        limit: PAGE,
        ...(afterId ? { afterId } : {}),
      });
      for (const t of page) {
        report.tickets += 1;
        const cust = customer(t.customerId);
        cust.totalTickets += 1;
        if (t.customerFeedback) {
          cust.ratingSum += t.customerFeedback.rating;
          cust.ratingCount += 1;
        }
      }
      if (page.length < PAGE) break;
      afterId = page.at(-1)!.id;
    }

    for (let cursor: string | undefined; ; ) {
      const page = await this.ports.agents.list({}, { limit: PAGE, ...(cursor ? { cursor } : {}) });
      for (const a of page.items) {
        report.agents += 1;
        const t = agents.get(a.id) ?? {
          totalConversations: 0,
          resolvedConversations: 0,
          currentActiveConversations: 0,
          responseSum: 0,
          responseCount: 0,
        };
        const recomputed: AgentStatistics = {
          totalConversations: t.totalConversations,
          resolvedConversations: t.resolvedConversations,
          currentActiveConversations: t.currentActiveConversations,
          averageResponseTime: t.responseCount > 0 ? t.responseSum / t.responseCount : 0,
          responseCount: t.responseCount,
        };
        await this.#reconcile(input, report, 'agent', a.id, { ...a.statistics }, { ...recomputed }, () =>
          this.ports.agents.setStatistics(a.id, recomputed),
        );
      }
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }

    const customerIds: Id[] = [];
    for (let cursor: string | undefined; ; ) {
      const page = await this.ports.customers.list({}, { limit: PAGE, ...(cursor ? { cursor } : {}) });
      customerIds.push(...page.items.map((c) => c.id));
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    for (const id of customerIds) {
      const stored = await this.ports.customers.findById(id);
      if (!stored) continue;
      report.customers += 1;
      const t = customers.get(id) ?? {
        totalConversations: 0,
        totalMessages: 0,
        totalTickets: 0,
        responseSum: 0,
        responseCount: 0,
        ratingSum: 0,
        ratingCount: 0,
      };
      const recomputed: Partial<CustomerStatistics> = {
        totalConversations: t.totalConversations,
        totalMessages: t.totalMessages,
        totalTickets: t.totalTickets,
        averageResponseTime: t.responseCount > 0 ? t.responseSum / t.responseCount : 0,
        responseCount: t.responseCount,
        ...(t.ratingCount > 0
          ? { satisfactionScore: t.ratingSum / t.ratingCount, satisfactionCount: t.ratingCount }
          : {}),
      };
      const storedStats: Record<string, number | undefined> = { ...stored.statistics };
      if (t.ratingCount === 0) {
        // Nothing to compute a score from: a stored score (e.g. migrated) is left as it is.
        delete storedStats.satisfactionScore;
        delete storedStats.satisfactionCount;
      }
      await this.#reconcile(input, report, 'customer', id, storedStats, { ...recomputed }, () =>
        this.ports.customers.setStatistics(id, recomputed),
      );
    }
    return report;
  }

  async #reconcile(
    input: RecomputeStatisticsInput,
    report: RecomputeStatisticsReport,
    entity: StatisticsEntity,
    id: Id,
    stored: Record<string, number | undefined>,
    recomputed: Record<string, number | undefined>,
    write: () => Promise<void>,
  ): Promise<void> {
    const fields = Object.keys(recomputed).filter((f) => {
      const a = stored[f];
      const b = recomputed[f];
      // A counter the live path never started (absent) equals a recomputed 0.
      return round(a ?? 0) !== round(b ?? 0);
    });
    if (fields.length === 0) return;
    report.drift.push({
      entity,
      id,
      fields,
      stored: Object.fromEntries(fields.map((f) => [f, stored[f]])),
      recomputed: Object.fromEntries(fields.map((f) => [f, recomputed[f]])),
    });
    if (input.dryRun !== true) {
      await write();
      report.updated += 1;
      await recordActivity(this.ports, input.actor, input.meta ?? {}, {
        entityType: entity,
        entityId: id,
        action: 'updated',
        before: { statistics: stored },
        after: { statistics: { ...stored, ...recomputed } },
        reason: `statistics recomputed from the data (drift in ${fields.join(', ')})`,
      });
    }
  }

  /** `assigned` / `transferred` entries count for the agent who got the conversation; `resolved` for the one who held it. */
  async #countAssignments(conversationId: Id, agent: (id: Id) => AgentTotals): Promise<void> {
    for (let cursor: string | undefined; ; ) {
      const page = await this.ports.activity.listByEntity('conversation', conversationId, {
        limit: PAGE,
        ...(cursor ? { cursor } : {}),
      });
      for (const entry of page.items) {
        const after = entry.details.after as { assignedAgent?: unknown } | undefined;
        const before = entry.details.before as { assignedAgent?: unknown } | undefined;
        if (
          (entry.action === 'assigned' || entry.action === 'transferred') &&
          typeof after?.assignedAgent === 'string'
        ) {
          agent(after.assignedAgent).totalConversations += 1;
        } else if (entry.action === 'resolved' && typeof before?.assignedAgent === 'string') {
          agent(before.assignedAgent).resolvedConversations += 1;
        }
      }
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
  }

  async #messagesOf(conversationId: Id): Promise<MessagePrimitives[]> {
    const all: MessagePrimitives[] = [];
    for (let cursor: string | undefined; ; ) {
      const page = await this.ports.messages.listByConversation(conversationId, {
        limit: PAGE,
        ...(cursor ? { cursor } : {}),
      });
      all.push(...page.items);
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    return all;
  }
}
