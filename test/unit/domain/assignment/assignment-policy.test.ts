import { describe, expect, it } from 'vitest';
import type { AgentPrimitives } from '../../../../src/domain/agent/agent.types.js';
import {
  type AssignmentRequest,
  chooseAgent,
  isEligibleForAssignment,
  rankCandidates,
  statisticsDeltaFor,
} from '../../../../src/domain/assignment/assignment-policy.js';
import { agentId, anAgent } from '../../../support/builders/agent.js';

const MAX = 5;
const T = (minute: number) => new Date(Date.UTC(2025, 2, 3, 15, minute));

const online = (id: number, active = 0, lastActivity?: Date): AgentPrimitives =>
  anAgent()
    .withId(agentId(id))
    .online()
    .withActiveConversations(active)
    .withLastActivity(lastActivity)
    .buildPrimitives();

const request = (candidates: AgentPrimitives[], extra: Partial<AssignmentRequest<AgentPrimitives>> = {}) => ({
  candidates,
  maxConversations: MAX,
  autoAssignmentEnabled: true,
  customerBlocked: false,
  ...extra,
});

const ids = (agents: { id: string }[]) => agents.map((a) => a.id);

describe('isEligibleForAssignment', () => {
  it('accepts an active, online agent with auto-assignment on, room and the permissions', () => {
    expect(isEligibleForAssignment(online(1, MAX - 1), { maxConversations: MAX })).toEqual({
      eligible: true,
    });
  });

  it.each([
    ['inactive', anAgent().online().inactive()],
    ['not_online', anAgent().offline()],
    ['not_online', anAgent().away()],
    ['not_online', anAgent().busy()],
    ['auto_assignment_off', anAgent().online().withAutoAssignment(false)],
    ['at_capacity', anAgent().online().withActiveConversations(MAX)],
    [
      'at_capacity',
      anAgent()
        .online()
        .withActiveConversations(MAX + 2),
    ],
    ['missing_permission', anAgent().online().withPermissions('read:conversations')],
    ['missing_permission', anAgent().online().withPermissions('write:messages', 'manage:tickets')],
  ])('refuses with reason %s', (reason, builder) => {
    expect(isEligibleForAssignment(builder.buildPrimitives(), { maxConversations: MAX })).toEqual({
      eligible: false,
      reason,
    });
  });

  it('fails closed on a nonsensical capacity', () => {
    expect(isEligibleForAssignment(online(1), { maxConversations: Number.NaN }).eligible).toBe(false);
    expect(isEligibleForAssignment(online(1), { maxConversations: 0 }).eligible).toBe(false);
  });

  it('works on the Agent entity too', () => {
    expect(isEligibleForAssignment(anAgent().online().build(), { maxConversations: MAX }).eligible).toBe(
      true,
    );
  });
});

describe('rankCandidates / chooseAgent', () => {
  it('puts the least loaded eligible agent first', () => {
    const agents = [online(1, 3), online(2, 1), online(3, 2)];
    expect(ids(rankCandidates(request(agents)))).toEqual([agentId(2), agentId(3), agentId(1)]);
    expect(chooseAgent(request(agents))?.id).toBe(agentId(2));
  });

  it('puts the customer’s preferred agent first when eligible, even if busier', () => {
    const agents = [online(1, 0), online(2, 4), online(3, 1)];
    expect(ids(rankCandidates(request(agents, { preferredAgentId: agentId(2) })))).toEqual([
      agentId(2),
      agentId(1),
      agentId(3),
    ]);
  });

  it('skips a preferred agent who is not eligible', () => {
    const preferredFull = online(2, MAX);
    const preferredAway = anAgent().withId(agentId(4)).away().buildPrimitives();
    const agents = [online(1, 2), preferredFull, online(3, 1), preferredAway];
    expect(chooseAgent(request(agents, { preferredAgentId: agentId(2) }))?.id).toBe(agentId(3));
    expect(chooseAgent(request(agents, { preferredAgentId: agentId(4) }))?.id).toBe(agentId(3));
  });

  it('breaks load ties by the oldest lastActivity (never active first), then by id', () => {
    const agents = [
      online(5, 1, T(30)),
      online(4, 1, T(10)),
      online(3, 1),
      online(2, 1, T(10)),
      online(1, 2),
    ];
    expect(ids(rankCandidates(request(agents)))).toEqual([
      agentId(3),
      agentId(2),
      agentId(4),
      agentId(5),
      agentId(1),
    ]);
  });

  it('is deterministic regardless of the input order', () => {
    const agents = [online(1, 1, T(5)), online(2, 1, T(5)), online(3, 0, T(50)), online(4, 1, T(1))];
    const expected = ids(rankCandidates(request(agents)));
    expect(ids(rankCandidates(request([...agents].reverse())))).toEqual(expected);
    expect(expected).toEqual([agentId(3), agentId(4), agentId(1), agentId(2)]);
  });

  it('leaves out agents at capacity, offline, away, busy, inactive or with auto-assignment off', () => {
    const agents = [
      online(1, MAX),
      anAgent().withId(agentId(2)).offline().buildPrimitives(),
      anAgent().withId(agentId(3)).away().buildPrimitives(),
      anAgent().withId(agentId(4)).busy().buildPrimitives(),
      anAgent().withId(agentId(5)).online().inactive().buildPrimitives(),
      anAgent().withId(agentId(6)).online().withAutoAssignment(false).buildPrimitives(),
      online(7, MAX - 1),
    ];
    expect(ids(rankCandidates(request(agents)))).toEqual([agentId(7)]);
  });

  it('assigns nobody when auto-assignment is disabled', () => {
    expect(rankCandidates(request([online(1)], { autoAssignmentEnabled: false }))).toEqual([]);
    expect(chooseAgent(request([online(1)], { autoAssignmentEnabled: false }))).toBeUndefined();
  });

  it('assigns nobody for a blocked customer, not even the preferred agent', () => {
    const r = request([online(1)], { customerBlocked: true, preferredAgentId: agentId(1) });
    expect(rankCandidates(r)).toEqual([]);
    expect(chooseAgent(r)).toBeUndefined();
  });

  it('returns undefined when no one is eligible', () => {
    expect(chooseAgent(request([online(1, MAX)]))).toBeUndefined();
  });

  it('lists a candidate only once', () => {
    const a = online(1, 0);
    expect(ids(rankCandidates(request([a, a, online(2, 1)])))).toEqual([agentId(1), agentId(2)]);
  });
});

describe('statisticsDeltaFor', () => {
  const A = agentId(0xa);
  const B = agentId(0xb);

  it('assigned: +1 active and +1 total for the agent', () => {
    expect(statisticsDeltaFor({ type: 'assigned', agentId: A })).toEqual({
      [A]: { currentActiveConversations: 1, totalConversations: 1 },
    });
  });

  it('transferred: -1 active for the old agent, +1 active and +1 total for the new', () => {
    expect(statisticsDeltaFor({ type: 'transferred', fromAgentId: A, toAgentId: B })).toEqual({
      [A]: { currentActiveConversations: -1 },
      [B]: { currentActiveConversations: 1, totalConversations: 1 },
    });
  });

  it('transferred from the queue counts like an assignment; to the same agent changes nothing', () => {
    expect(statisticsDeltaFor({ type: 'transferred', toAgentId: B })).toEqual({
      [B]: { currentActiveConversations: 1, totalConversations: 1 },
    });
    expect(statisticsDeltaFor({ type: 'transferred', fromAgentId: A, toAgentId: A })).toEqual({});
  });

  it('resolved: -1 active and +1 resolved', () => {
    expect(statisticsDeltaFor({ type: 'resolved', agentId: A })).toEqual({
      [A]: { currentActiveConversations: -1, resolvedConversations: 1 },
    });
  });

  it('closed from an active status: -1 active, no resolved count', () => {
    for (const from of ['open', 'assigned', 'waiting'] as const) {
      expect(statisticsDeltaFor({ type: 'closed', agentId: A, from })).toEqual({
        [A]: { currentActiveConversations: -1 },
      });
    }
  });

  it('closed after being resolved: nothing (the slot was already released)', () => {
    expect(statisticsDeltaFor({ type: 'closed', agentId: A, from: 'resolved' })).toEqual({});
  });

  it('reopened with the agent kept: +1 active', () => {
    expect(statisticsDeltaFor({ type: 'reopened', agentId: A })).toEqual({
      [A]: { currentActiveConversations: 1 },
    });
  });

  it('unassigned (back to the queue): -1 active', () => {
    expect(statisticsDeltaFor({ type: 'unassigned', agentId: A })).toEqual({
      [A]: { currentActiveConversations: -1 },
    });
  });

  it('changes nothing for unassigned conversations', () => {
    expect(statisticsDeltaFor({ type: 'resolved' })).toEqual({});
    expect(statisticsDeltaFor({ type: 'closed', from: 'open' })).toEqual({});
    expect(statisticsDeltaFor({ type: 'reopened' })).toEqual({});
  });

  it('a full life cycle nets to zero active conversations', () => {
    const events = [
      statisticsDeltaFor({ type: 'assigned', agentId: A }),
      statisticsDeltaFor({ type: 'transferred', fromAgentId: A, toAgentId: B }),
      statisticsDeltaFor({ type: 'resolved', agentId: B }),
      statisticsDeltaFor({ type: 'reopened', agentId: B }),
      statisticsDeltaFor({ type: 'closed', agentId: B, from: 'assigned' }),
    ];
    const active = (id: string) =>
      events.reduce((sum, d) => sum + (d[id]?.currentActiveConversations ?? 0), 0);
    expect(active(A)).toBe(0);
    expect(active(B)).toBe(0);
  });
});
