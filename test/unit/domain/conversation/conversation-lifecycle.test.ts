import { describe, expect, it } from 'vitest';
import {
  CONVERSATION_TRANSITIONS,
  type Conversation,
  canTransition,
} from '../../../../src/domain/conversation/conversation.js';
import {
  CONVERSATION_STATUSES,
  type ConversationStatus,
} from '../../../../src/domain/conversation/conversation.types.js';
import { BusinessRuleError, IllegalTransitionError } from '../../../../src/domain/shared/errors.js';
import { aConversation, minutesAfter, testId } from '../../../support/builders/conversation.js';

/** The agreed table, spelled out so that any change to CONVERSATION_TRANSITIONS fails here. */
const EXPECTED = new Set([
  'open->assigned',
  'open->waiting',
  'open->resolved',
  'open->closed',
  'assigned->waiting',
  'assigned->resolved',
  'assigned->open',
  'assigned->closed',
  'waiting->assigned',
  'waiting->open',
  'waiting->resolved',
  'waiting->closed',
  'resolved->open',
  'resolved->assigned',
  'resolved->closed',
]);

const NOW = minutesAfter(60);

function catchError(fn: () => void): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}

/** A conversation in `status`, with an agent when `withAgent` (never for open, always for assigned). */
function inStatus(status: ConversationStatus, withAgent: boolean): Conversation {
  const b = aConversation().withStatus(status);
  if (withAgent) b.assignedTo(testId());
  return b.build();
}

interface Variant {
  from: ConversationStatus;
  withAgent: boolean;
}

const variants = CONVERSATION_STATUSES.flatMap<Variant>((from) => {
  if (from === 'open') return [{ from, withAgent: false }];
  if (from === 'assigned') return [{ from, withAgent: true }];
  return [
    { from, withAgent: false },
    { from, withAgent: true },
  ];
});

describe('Conversation lifecycle: the transition table', () => {
  it('is exactly the agreed table', () => {
    const actual = new Set(
      CONVERSATION_STATUSES.flatMap((from) => CONVERSATION_TRANSITIONS[from].map((to) => `${from}->${to}`)),
    );
    expect(actual).toEqual(EXPECTED);
    for (const from of CONVERSATION_STATUSES) {
      for (const to of CONVERSATION_STATUSES) {
        expect(canTransition(from, to)).toBe(EXPECTED.has(`${from}->${to}`));
      }
    }
  });

  describe.each(variants)('from $from (agent set: $withAgent)', ({ from, withAgent }) => {
    it.each([...CONVERSATION_STATUSES])(`changeStatus to %s is allowed iff in the table`, (to) => {
      const conversation = inStatus(from, withAgent);
      const by = testId();
      const agentBefore = conversation.assignedAgent;
      if (EXPECTED.has(`${from}->${to}`)) {
        conversation.changeStatus(to, by, NOW);
        expect(conversation.status).toBe(to);
        expect(conversation.updatedAt).toEqual(NOW);
        const events = conversation.pullEvents();
        expect(events.length).toBe(1);
        expect(events[0]?.payload).toMatchObject({
          conversationId: conversation.id,
          customerId: conversation.customerId,
          assignedAgent: conversation.assignedAgent,
        });
        // Invariants: open never has an agent, assigned always has one.
        if (to === 'open') expect(conversation.assignedAgent).toBeUndefined();
        if (to === 'assigned') expect(conversation.assignedAgent).toBe(agentBefore ?? by);
      } else {
        const before = conversation.toPrimitives();
        const error = catchError(() => conversation.changeStatus(to, by, NOW));
        expect(error).toBeInstanceOf(IllegalTransitionError);
        expect(error).toMatchObject({ code: 'CONVERSATION.ILLEGAL_TRANSITION', from, to, kind: 'rule' });
        expect(conversation.toPrimitives()).toEqual(before);
        expect(conversation.pullEvents()).toEqual([]);
      }
    });
  });
});

describe('Conversation lifecycle: changeStatus routing', () => {
  it("'assigned' keeps the agent already set (waiting → assigned) and records status_changed", () => {
    const agent = testId();
    const c = aConversation().withStatus('waiting').assignedTo(agent).build();
    c.changeStatus('assigned', testId(), NOW);
    expect(c.assignedAgent).toBe(agent);
    expect(c.pullEvents()[0]).toMatchObject({
      type: 'conversation.status_changed',
      payload: { from: 'waiting', to: 'assigned', assignedAgent: agent },
    });
  });

  it("'assigned' with no agent self-assigns `by` (conversation.assigned)", () => {
    const by = testId();
    const c = aConversation().build();
    c.changeStatus('assigned', by, NOW);
    expect(c.assignedAgent).toBe(by);
    expect(c.assignedBy).toBe(by);
    expect(c.pullEvents()[0]).toMatchObject({
      type: 'conversation.assigned',
      payload: { assignedAgent: by },
    });
  });

  it("'assigned' with neither an agent nor `by` throws CONVERSATION.AGENT_REQUIRED", () => {
    const c = aConversation().build();
    expect(() => c.changeStatus('assigned', undefined, NOW)).toThrowError(
      expect.objectContaining({ code: 'CONVERSATION.AGENT_REQUIRED' }),
    );
    expect(c.status).toBe('open');
  });

  it("'open' from waiting removes the agent and reports the previous one", () => {
    const agent = testId();
    const c = aConversation().withStatus('waiting').assignedTo(agent).build();
    c.changeStatus('open', undefined, NOW);
    expect(c.assignedAgent).toBeUndefined();
    expect(c.pullEvents()[0]?.payload).toMatchObject({ previousAgent: agent, assignedAgent: undefined });
  });

  it('rejects an unknown status with a ValidationError naming `status`', () => {
    const c = aConversation().build();
    expect(() => c.changeStatus('archived' as ConversationStatus, undefined, NOW)).toThrowError(
      expect.objectContaining({ field: 'status', code: 'VALIDATION.UNKNOWN_ENUM' }),
    );
  });
});

describe('Conversation lifecycle: named mutators', () => {
  it('assignTo from open sets agent, assignedAt, assignedBy and records conversation.assigned', () => {
    const agent = testId();
    const by = testId();
    const c = aConversation().build();
    c.assignTo(agent, by, NOW);
    expect(c.status).toBe('assigned');
    expect(c.assignedAgent).toBe(agent);
    expect(c.assignedAt).toEqual(NOW);
    expect(c.assignedBy).toBe(by);
    const [event] = c.pullEvents();
    expect(event).toMatchObject({
      type: 'conversation.assigned',
      occurredAt: NOW,
      payload: {
        conversationId: c.id,
        customerId: c.customerId,
        assignedAgent: agent,
        assignedBy: by,
        from: 'open',
        to: 'assigned',
      },
    });
  });

  it('assignTo with `by` undefined (automatic) leaves assignedBy absent', () => {
    const c = aConversation().build();
    c.assignTo(testId(), undefined, NOW);
    expect(c.assignedBy).toBeUndefined();
    expect('assignedBy' in c.toPrimitives()).toBe(false);
  });

  it('assignTo the same agent is refused with CONVERSATION.ALREADY_ASSIGNED (assigned, waiting, resolved)', () => {
    const agent = testId();
    for (const status of ['assigned', 'waiting', 'resolved'] as const) {
      const c = aConversation().assignedTo(agent).withStatus(status).build();
      expect(() => c.assignTo(agent, undefined, NOW)).toThrowError(
        expect.objectContaining({ code: 'CONVERSATION.ALREADY_ASSIGNED' }),
      );
      expect(c.status).toBe(status);
    }
  });

  it('assignTo another agent while assigned is refused (use transferTo)', () => {
    const c = aConversation().assignedTo(testId()).build();
    expect(() => c.assignTo(testId(), undefined, NOW)).toThrowError(BusinessRuleError);
  });

  it('assignTo from resolved reopens with the new agent and clears the resolution', () => {
    const c = aConversation()
      .withStatus('resolved')
      .with({ resolvedAt: minutesAfter(5), resolutionNotes: 'done' })
      .build();
    const agent = testId();
    c.assignTo(agent, undefined, NOW);
    expect(c.status).toBe('assigned');
    expect(c.resolvedAt).toBeUndefined();
    expect(c.resolutionNotes).toBeUndefined();
  });

  it('assignTo from waiting with another agent reports the previous agent', () => {
    const previous = testId();
    const c = aConversation().withStatus('waiting').assignedTo(previous).build();
    const agent = testId();
    c.assignTo(agent, undefined, NOW);
    expect(c.pullEvents()[0]?.payload).toMatchObject({ previousAgent: previous, assignedAgent: agent });
  });

  it('assignTo validates the agent id', () => {
    const c = aConversation().build();
    expect(() => c.assignTo('nope', undefined, NOW)).toThrowError(
      expect.objectContaining({ field: 'assignedAgent' }),
    );
  });

  it('transferTo hands an assigned conversation to another agent, keeping the status', () => {
    const previous = testId();
    const next = testId();
    const by = testId();
    const c = aConversation().assignedTo(previous).build();
    c.transferTo(next, by, NOW);
    expect(c.status).toBe('assigned');
    expect(c.assignedAgent).toBe(next);
    expect(c.assignedBy).toBe(by);
    expect(c.assignedAt).toEqual(NOW);
    expect(c.pullEvents()[0]).toMatchObject({
      type: 'conversation.transferred',
      payload: {
        conversationId: c.id,
        customerId: c.customerId,
        assignedAgent: next,
        previousAgent: previous,
      },
    });
  });

  it('transferTo works while waiting and keeps waiting', () => {
    const c = aConversation().withStatus('waiting').assignedTo(testId()).build();
    c.transferTo(testId(), undefined, NOW);
    expect(c.status).toBe('waiting');
  });

  it('transferTo is refused when not assigned/waiting, or to the same agent', () => {
    const agent = testId();
    expect(() => aConversation().build().transferTo(agent, undefined, NOW)).toThrowError(
      expect.objectContaining({ code: 'CONVERSATION.NOT_ASSIGNED' }),
    );
    expect(() =>
      aConversation().assignedTo(agent).withStatus('resolved').build().transferTo(testId(), undefined, NOW),
    ).toThrowError(expect.objectContaining({ code: 'CONVERSATION.NOT_ASSIGNED' }));
    expect(() =>
      aConversation().withStatus('waiting').build().transferTo(agent, undefined, NOW),
    ).toThrowError(expect.objectContaining({ code: 'CONVERSATION.NOT_ASSIGNED' }));
    expect(() => aConversation().assignedTo(agent).build().transferTo(agent, undefined, NOW)).toThrowError(
      expect.objectContaining({ code: 'CONVERSATION.ALREADY_ASSIGNED' }),
    );
  });

  it('unassign: assigned → open without agent; waiting stays waiting without agent', () => {
    const agent = testId();
    const a = aConversation().assignedTo(agent).build();
    a.unassign(undefined, NOW);
    expect(a.status).toBe('open');
    expect(a.assignedAgent).toBeUndefined();
    expect(a.assignedAt).toBeUndefined();
    expect(a.pullEvents()[0]).toMatchObject({
      type: 'conversation.status_changed',
      payload: { from: 'assigned', to: 'open', previousAgent: agent, assignedAgent: undefined },
    });

    const w = aConversation().withStatus('waiting').assignedTo(agent).build();
    w.unassign(undefined, NOW);
    expect(w.status).toBe('waiting');
    expect(w.assignedAgent).toBeUndefined();
  });

  it('unassign without an agent is refused with CONVERSATION.NOT_ASSIGNED', () => {
    expect(() => aConversation().build().unassign(undefined, NOW)).toThrowError(
      expect.objectContaining({ code: 'CONVERSATION.NOT_ASSIGNED' }),
    );
  });

  it('markWaiting from open and assigned; from resolved it is an illegal transition', () => {
    const o = aConversation().build();
    o.markWaiting(NOW);
    expect(o.status).toBe('waiting');
    const a = aConversation().assignedTo(testId()).build();
    a.markWaiting(NOW);
    expect(a.status).toBe('waiting');
    expect(a.assignedAgent).toBeDefined();
    expect(() => aConversation().withStatus('resolved').build().markWaiting(NOW)).toThrowError(
      expect.objectContaining({ code: 'CONVERSATION.ILLEGAL_TRANSITION', from: 'resolved', to: 'waiting' }),
    );
    expect(() => aConversation().withStatus('waiting').build().markWaiting(NOW)).toThrowError(
      IllegalTransitionError,
    );
  });

  it('resolve sets resolvedAt, resolvedBy, resolutionNotes and clears awaitingResponseSince', () => {
    const agent = testId();
    const c = aConversation().assignedTo(agent).awaitingResponseSince(minutesAfter(1)).build();
    c.resolve(agent, NOW, '  Refund issued  ');
    expect(c.status).toBe('resolved');
    expect(c.resolvedAt).toEqual(NOW);
    expect(c.resolvedBy).toBe(agent);
    expect(c.resolutionNotes).toBe('Refund issued');
    expect(c.awaitingResponseSince).toBeUndefined();
    expect(c.assignedAgent).toBe(agent);
    expect(c.pullEvents()[0]).toMatchObject({
      type: 'conversation.status_changed',
      payload: { from: 'assigned', to: 'resolved', by: agent, assignedAgent: agent },
    });
  });

  it('resolve refuses notes over 5000 characters', () => {
    expect(() => aConversation().build().resolve(undefined, NOW, 'x'.repeat(5001))).toThrowError(
      expect.objectContaining({ field: 'resolutionNotes' }),
    );
  });

  it('close sets closedAt; closing twice throws CONVERSATION.CLOSED', () => {
    const c = aConversation().build();
    c.close(undefined, NOW);
    expect(c.status).toBe('closed');
    expect(c.closedAt).toEqual(NOW);
    expect(c.isClosed).toBe(true);
    expect(() => c.close(undefined, NOW)).toThrowError(
      expect.objectContaining({ code: 'CONVERSATION.CLOSED' }),
    );
  });

  it('close from resolved keeps the resolution', () => {
    const c = aConversation().withStatus('resolved').build();
    const resolvedAt = c.resolvedAt;
    c.close(undefined, NOW);
    expect(c.resolvedAt).toEqual(resolvedAt);
  });

  it('reopen: resolved with an agent → assigned (agent kept); without → open; resolution cleared', () => {
    const agent = testId();
    const withAgent = aConversation().assignedTo(agent).withStatus('resolved').build();
    withAgent.reopen(NOW);
    expect(withAgent.status).toBe('assigned');
    expect(withAgent.assignedAgent).toBe(agent);
    expect(withAgent.resolvedAt).toBeUndefined();
    expect(withAgent.resolvedBy).toBeUndefined();

    const without = aConversation().withStatus('resolved').build();
    without.reopen(NOW);
    expect(without.status).toBe('open');
  });

  it('reopen keeps the satisfaction rating', () => {
    const c = aConversation()
      .withStatus('resolved')
      .with({ customerSatisfaction: { rating: 4, submittedAt: minutesAfter(3) } })
      .build();
    c.reopen(NOW);
    expect(c.customerSatisfaction?.rating).toBe(4);
  });

  it('reopen of a conversation that is not resolved is an illegal transition', () => {
    expect(() => aConversation().build().reopen(NOW)).toThrowError(IllegalTransitionError);
    expect(() => aConversation().assignedTo(testId()).build().reopen(NOW)).toThrowError(
      expect.objectContaining({ code: 'CONVERSATION.ILLEGAL_TRANSITION', from: 'assigned', to: 'assigned' }),
    );
  });
});

describe('Conversation lifecycle: a closed conversation refuses every mutation', () => {
  const closed = () => aConversation().assignedTo(testId()).withStatus('closed').build();
  const agent = testId();
  const mutations: [string, (c: Conversation) => unknown][] = [
    ['assignTo', (c) => c.assignTo(agent, undefined, NOW)],
    ['transferTo', (c) => c.transferTo(agent, undefined, NOW)],
    ['unassign', (c) => c.unassign(undefined, NOW)],
    ['markWaiting', (c) => c.markWaiting(NOW)],
    ['resolve', (c) => c.resolve(undefined, NOW)],
    ['close', (c) => c.close(undefined, NOW)],
    ['reopen', (c) => c.reopen(NOW)],
    ['changePriority', (c) => c.changePriority('high', NOW)],
    ['raisePriority', (c) => c.raisePriority(NOW)],
    ['changeCategory', (c) => c.changeCategory('sales', NOW)],
    ['setTags', (c) => c.setTags(['x'], NOW)],
    ['addInternalNote', (c) => c.addInternalNote({ id: testId(), agent, content: 'hi' }, NOW)],
    ['setAIEnabled', (c) => c.setAIEnabled(false, NOW)],
    ['setAutoResponses', (c) => c.setAutoResponses(false, NOW)],
    ['recordFailedDelivery', (c) => c.recordFailedDelivery(NOW)],
    ['resetFailedDeliveries', (c) => c.resetFailedDeliveries(NOW)],
    ['markEscalated', (c) => c.markEscalated(agent, NOW)],
    ['recordInboundMessage', (c) => c.recordInboundMessage({ content: 'hola', type: 'text', at: NOW })],
    [
      'recordOutboundMessage',
      (c) => c.recordOutboundMessage({ content: 'hola', type: 'text', at: NOW, sender: 'agent' }),
    ],
  ];

  it.each(mutations)('%s throws CONVERSATION.CLOSED and changes nothing', (_name, mutate) => {
    const c = closed();
    const before = c.toPrimitives();
    const error = catchError(() => mutate(c));
    expect(error).toBeInstanceOf(BusinessRuleError);
    expect(error).toMatchObject({ code: 'CONVERSATION.CLOSED', kind: 'rule' });
    expect(c.toPrimitives()).toEqual(before);
    expect(c.pullEvents()).toEqual([]);
  });

  it('changeStatus from closed goes through the table: CONVERSATION.ILLEGAL_TRANSITION', () => {
    expect(() => closed().changeStatus('open', undefined, NOW)).toThrowError(IllegalTransitionError);
  });

  it('recordSatisfaction and markRead are still accepted', () => {
    const c = aConversation().withStatus('closed').withCounts({ unreadCount: 2 }).build();
    c.recordSatisfaction(5, 'great', NOW);
    expect(c.customerSatisfaction).toEqual({ rating: 5, comment: 'great', submittedAt: NOW });
    expect(c.markRead(NOW)).toBe(true);
    expect(c.unreadCount).toBe(0);
  });
});
