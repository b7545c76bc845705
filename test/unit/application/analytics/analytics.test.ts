import { beforeEach, describe, expect, it } from 'vitest';
import { GetAgentPerformance } from '../../../../src/application/analytics/get-agent-performance.js';
import { GetOverview } from '../../../../src/application/analytics/get-overview.js';
import type { AgentActor } from '../../../../src/application/shared/actor.js';
import { AuthorizationError } from '../../../../src/domain/authorization/authorize.js';
import { ValidationError } from '../../../../src/domain/shared/errors.js';
import { ticketRecord } from '../../../support/records.js';
import { makeTestPorts, seedAgent, type TestPorts } from '../../../support/test-ports.js';
import { seedConversation, seedCustomer } from '../../../support/test-seeds.js';

// The test clock stands at Monday 2026-03-02 16:00Z (10:00 in Mexico City, UTC-6).
const d = (iso: string) => new Date(iso);
const RANGE = { from: d('2026-02-23T00:00:00Z'), to: d('2026-03-02T16:00:00Z') };

describe('analytics', () => {
  let ports: TestPorts;
  let supervisor: AgentActor;
  let agentA: AgentActor;
  let agentB: AgentActor;

  beforeEach(async () => {
    ports = makeTestPorts();
    supervisor = (await seedAgent(ports, 'supervisor')).actor;
    agentA = (await seedAgent(ports, 'agent')).actor;
    agentB = (await seedAgent(ports, 'agent')).actor;
    const customer = await seedCustomer(ports);
    const on = (overrides: Parameters<typeof seedConversation>[2]) =>
      seedConversation(ports, customer.id, overrides);

    // c1: Tue 10:00 local, answered in 10 min, resolved by A after 120 min, rated 4.
    await on({
      createdAt: d('2026-02-24T16:00:00Z'),
      updatedAt: d('2026-02-24T19:00:00Z'),
      status: 'resolved',
      assignedAgent: agentA.id,
      firstResponseTime: 10,
      resolvedAt: d('2026-02-24T18:00:00Z'),
      resolvedBy: agentA.id,
      customerSatisfaction: { rating: 4, submittedAt: d('2026-02-24T19:00:00Z') },
    });
    // c2: Wed 10:00 local, urgent, never answered, still assigned to B: both SLA clocks
    // (30 and 240 business minutes) fell due that Wednesday and are breached.
    await on({
      createdAt: d('2026-02-25T16:00:00Z'),
      updatedAt: d('2026-02-25T16:00:00Z'),
      status: 'assigned',
      priority: 'urgent',
      assignedAgent: agentB.id,
      awaitingResponseSince: d('2026-02-25T16:00:00Z'),
    });
    // c3: long closed before the range, untouched since: not part of it.
    await on({
      createdAt: d('2026-02-10T16:00:00Z'),
      updatedAt: d('2026-02-11T16:00:00Z'),
      status: 'closed',
      closedAt: d('2026-02-11T16:00:00Z'),
      firstResponseTime: 999,
    });
    // c5: Thu, answered in 20 min, resolved by B after 60 min, rated 2.
    await on({
      createdAt: d('2026-02-26T16:00:00Z'),
      updatedAt: d('2026-02-26T17:30:00Z'),
      status: 'resolved',
      assignedAgent: agentB.id,
      firstResponseTime: 20,
      resolvedAt: d('2026-02-26T17:00:00Z'),
      resolvedBy: agentB.id,
      customerSatisfaction: { rating: 2, submittedAt: d('2026-02-26T17:30:00Z') },
    });

    // t1: in the range, first response 15, escalated, resolved by A in 240, feedback 5.
    await ports.tickets.insert(
      ticketRecord({
        id: ports.ids.next(),
        customerId: customer.id,
        assignedAgent: agentA.id,
        status: 'resolved',
        createdAt: d('2026-02-24T16:00:00Z'),
        updatedAt: d('2026-02-24T21:00:00Z'),
        lastActivityAt: d('2026-02-24T21:00:00Z'),
        firstResponseTime: 15,
        firstResponseAt: d('2026-02-24T16:15:00Z'),
        escalated: true,
        escalatedAt: d('2026-02-24T17:00:00Z'),
        resolutionTime: 240,
        resolution: {
          summary: 'fixed',
          steps: [],
          resolvedBy: agentA.id,
          resolvedAt: d('2026-02-24T20:00:00Z'),
          resolutionCategory: 'solved',
        },
        customerFeedback: { rating: 5, submittedAt: d('2026-02-24T21:00:00Z'), followUpNeeded: false },
      }),
    );
    // t2: an urgent ticket from January, still in progress and untouched: its clocks broke in
    // January (outside the range) but are breached right now.
    await ports.tickets.insert(
      ticketRecord({
        id: ports.ids.next(),
        customerId: customer.id,
        assignedAgent: agentB.id,
        status: 'in_progress',
        priority: 'urgent',
        createdAt: d('2026-01-05T16:00:00Z'),
        updatedAt: d('2026-01-06T16:00:00Z'),
        lastActivityAt: d('2026-01-06T16:00:00Z'),
      }),
    );
  });

  describe('overview', () => {
    it('counts, averages, CSAT and SLA breaches over the range', async () => {
      const overview = await new GetOverview(ports).execute({ actor: supervisor, ...RANGE });

      expect(overview.conversations).toEqual({
        byStatusNow: { open: 0, assigned: 1, waiting: 0, resolved: 2, closed: 1 },
        created: 3,
        createdByStatus: { open: 0, assigned: 1, waiting: 0, resolved: 2, closed: 0 },
        createdByPriority: { low: 0, medium: 2, high: 0, urgent: 1 },
        resolved: 2,
        averageFirstResponseMinutes: 15, // (10 + 20) / 2; c2 has none, c3 is outside
        averageResolutionMinutes: 90, // (120 + 60) / 2
      });
      expect(overview.tickets).toMatchObject({
        created: 1,
        resolved: 1,
        escalated: 1,
        averageFirstResponseMinutes: 15,
        averageResolutionMinutes: 240,
      });
      expect(overview.tickets.createdByStatus.resolved).toBe(1);
      expect(overview.satisfaction).toEqual({
        average: 3,
        count: 2,
        ticketFeedbackAverage: 5,
        ticketFeedbackCount: 1,
      });
      expect(overview.sla.breaches).toEqual({
        conversations: { firstResponse: 1, resolution: 1 },
        tickets: { firstResponse: 0, resolution: 0 },
        total: 2,
      });
      expect(overview.sla.runningBreached).toBe(4); // c2 and t2, both clocks each
      expect(overview.truncated).toBe(false);
      expect(overview.range).toEqual(RANGE);
    });

    it('a range that holds nothing gives zeros and null averages', async () => {
      const overview = await new GetOverview(ports).execute({
        actor: supervisor,
        from: d('2025-06-01T00:00:00Z'),
        to: d('2025-06-02T00:00:00Z'),
      });
      expect(overview.conversations.created).toBe(0);
      expect(overview.conversations.averageFirstResponseMinutes).toBeNull();
      expect(overview.satisfaction).toEqual({
        average: null,
        count: 0,
        ticketFeedbackAverage: null,
        ticketFeedbackCount: 0,
      });
      expect(overview.sla.breaches.total).toBe(0);
      expect(overview.sla.runningBreached).toBe(4); // running now, whatever the range
    });

    it('refuses a plain agent (analytics.read) and a bad range (field `to`)', async () => {
      const overview = new GetOverview(ports);
      await expect(overview.execute({ actor: agentA, ...RANGE })).rejects.toBeInstanceOf(AuthorizationError);
      await expect(
        overview.execute({ actor: supervisor, from: RANGE.to, to: RANGE.from }),
      ).rejects.toMatchObject({
        field: 'to',
      });
      const tooLong = overview.execute({
        actor: supervisor,
        from: d('2025-01-01T00:00:00Z'),
        to: d('2026-01-03T00:00:00Z'),
      });
      await expect(tooLong).rejects.toBeInstanceOf(ValidationError);
    });
  });

  describe('agent performance', () => {
    it('gives each agent their handled, resolved, times, CSAT and SLA breaches', async () => {
      const report = await new GetAgentPerformance(ports).execute({ actor: supervisor, ...RANGE });
      const of = (id: string) => report.agents.find((a) => a.agent.id === id);

      expect(of(agentA.id)).toMatchObject({
        conversations: {
          handled: 1,
          resolved: 1,
          averageFirstResponseMinutes: 10,
          averageResolutionMinutes: 120,
        },
        tickets: { resolved: 1, averageResolutionMinutes: 240 },
        satisfaction: { average: 4, count: 1 },
        slaBreaches: 0,
      });
      expect(of(agentB.id)).toMatchObject({
        conversations: {
          handled: 2,
          resolved: 1,
          averageFirstResponseMinutes: 20,
          averageResolutionMinutes: 60,
        },
        tickets: { resolved: 0, averageResolutionMinutes: null },
        satisfaction: { average: 2, count: 1 },
        slaBreaches: 2, // c2's two clocks; t2's broke before the range
      });
      expect(of(supervisor.id)?.conversations.handled).toBe(0);
      expect(report.agents[0]?.agent).not.toHaveProperty('passwordHash');
    });

    it('reports one agent when asked, and refuses a plain agent', async () => {
      const useCase = new GetAgentPerformance(ports);
      const report = await useCase.execute({ actor: supervisor, ...RANGE, agentId: agentB.id });
      expect(report.agents.map((a) => a.agent.id)).toEqual([agentB.id]);
      await expect(useCase.execute({ actor: agentB, ...RANGE, agentId: agentB.id })).rejects.toBeInstanceOf(
        AuthorizationError,
      );
    });
  });
});
