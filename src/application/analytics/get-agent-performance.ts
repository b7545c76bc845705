import type { AgentPrimitives, AgentRole, AgentStatus } from '../../domain/agent/agent.types.js';
import type { Id } from '../../domain/shared/ids.js';
import { ticketSlaSubject } from '../../domain/sla/sla-status.js';
import type { Ports } from '../ports/ports.js';
import { authorize, requireAgent } from '../shared/guards.js';
import { loadSettings } from '../shared/settings.js';
import type { UseCaseInput } from '../shared/use-case-input.js';
import {
  activeInRange,
  assertReportRange,
  average,
  breachesInRange,
  conversationResolutionMinutes,
  conversationSubject,
  inRange,
  loadReportData,
  type ReportRange,
  ticketResolutionMinutes,
  ticketResolvedAt,
} from './analytics-support.js';

export interface GetAgentPerformanceQuery extends UseCaseInput {
  from: Date;
  to: Date;
  /** One agent; default every agent (active ones, plus deactivated ones with work in the range). */
  agentId?: Id;
}

export interface AgentPerformance {
  agent: {
    id: Id;
    firstName: string;
    lastName: string;
    email: string;
    role: AgentRole;
    status: AgentStatus;
    isActive: boolean;
  };
  conversations: {
    /** Conversations assigned to the agent that were active in the range. */
    handled: number;
    /** Resolved in the range by the agent (or, resolved by the system, while assigned to them). */
    resolved: number;
    averageFirstResponseMinutes: number | null;
    averageResolutionMinutes: number | null;
    /** The agent's active conversations right now. */
    activeNow: number;
  };
  tickets: {
    /** Tickets the agent resolved in the range. */
    resolved: number;
    averageResolutionMinutes: number | null;
  };
  satisfaction: { average: number | null; count: number };
  /** SLA clocks missed in the range on the agent's conversations and tickets. */
  slaBreaches: number;
}

export interface AgentPerformanceReport {
  range: ReportRange;
  generatedAt: Date;
  agents: AgentPerformance[];
  truncated: boolean;
}

const MAX_AGENTS = 1_000;

/** Per-agent figures over a date range (`analytics.read`). See analytics-support.ts for the definitions. */
export class GetAgentPerformance {
  constructor(
    private readonly ports: Pick<
      Ports,
      'agents' | 'conversations' | 'tickets' | 'customers' | 'settings' | 'clock'
    >,
  ) {}

  async execute(input: GetAgentPerformanceQuery): Promise<AgentPerformanceReport> {
    authorize(input.actor, 'analytics.read');
    const range = assertReportRange(input);
    const now = this.ports.clock.now();
    const agents =
      input.agentId === undefined ? await this.#allAgents() : [await requireAgent(this.ports, input.agentId)];
    const [data, settings] = await Promise.all([loadReportData(this.ports, range), loadSettings(this.ports)]);
    const sla = settings.slaConfig();

    const report: AgentPerformance[] = [];
    for (const agent of agents) {
      const assigned = data.conversations.filter((c) => c.assignedAgent === agent.id);
      const theirs = assigned.filter((c) => activeInRange(c, range));
      const created = theirs.filter((c) => inRange(c.createdAt, range));
      const resolved = data.conversations.filter(
        (c) =>
          inRange(c.resolvedAt, range) &&
          (c.resolvedBy === agent.id || (c.resolvedBy === undefined && c.assignedAgent === agent.id)),
      );
      const ticketsResolved = data.tickets.filter(
        (t) => t.resolution?.resolvedBy === agent.id && inRange(ticketResolvedAt(t), range),
      );
      const ratings = theirs
        .map((c) => c.customerSatisfaction)
        .filter((s) => s !== undefined && inRange(s.submittedAt, range))
        .map((s) => s?.rating);
      const conversationBreaches = breachesInRange(
        assigned.map((c) => conversationSubject(c, data)),
        range,
        now,
        sla,
      );
      const ticketBreaches = breachesInRange(
        data.tickets.filter((t) => t.assignedAgent === agent.id).map(ticketSlaSubject),
        range,
        now,
        sla,
      );
      const worked = theirs.length + resolved.length + ticketsResolved.length > 0;
      if (input.agentId === undefined && !agent.isActive && !worked) continue;

      report.push({
        agent: {
          id: agent.id,
          firstName: agent.firstName,
          lastName: agent.lastName,
          email: agent.email,
          role: agent.role,
          status: agent.status,
          isActive: agent.isActive,
        },
        conversations: {
          handled: theirs.length,
          resolved: resolved.length,
          averageFirstResponseMinutes: average(created.map((c) => c.firstResponseTime)),
          averageResolutionMinutes: average(resolved.map(conversationResolutionMinutes)),
          activeNow: agent.statistics.currentActiveConversations,
        },
        tickets: {
          resolved: ticketsResolved.length,
          averageResolutionMinutes: average(ticketsResolved.map(ticketResolutionMinutes)),
        },
        satisfaction: { average: average(ratings), count: ratings.length },
        slaBreaches:
          conversationBreaches.firstResponse +
          conversationBreaches.resolution +
          ticketBreaches.firstResponse +
          ticketBreaches.resolution,
      });
    }
    return { range, generatedAt: now, agents: report, truncated: data.truncated };
  }

  async #allAgents(): Promise<AgentPrimitives[]> {
    const agents: AgentPrimitives[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.ports.agents.list({}, { limit: 200, ...(cursor ? { cursor } : {}) });
      agents.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor && agents.length < MAX_AGENTS);
    return agents;
  }
}
