import { describe, expect, it } from 'vitest';
import { SESSIONS_REVOKED } from '../../../../src/application/auth/session-revocations.js';
import {
  canSeeEvent,
  FollowInbox,
  MAX_PENDING_EVENTS,
} from '../../../../src/application/inbox/follow-inbox.js';
import type { PublishedEvent } from '../../../../src/application/ports/gateways.js';
import type { AgentActor } from '../../../../src/application/shared/actor.js';
import { AuthorizationError } from '../../../../src/domain/authorization/authorize.js';
import type { DomainEvent } from '../../../../src/domain/shared/events.js';
import { InProcessEventBus } from '../../../../src/infrastructure/events/in-process-event-bus.js';
import { makeTestPorts, seedAgent, type TestPorts } from '../../../support/test-ports.js';

const ALICE = 'a1'.padEnd(24, '0');
const BOB = 'b2'.padEnd(24, '0');

const ev = (type: string, payload: Record<string, unknown> = {}): DomainEvent => ({
  type,
  occurredAt: new Date('2026-03-02T16:00:00Z'),
  payload,
});

const viewer = (id: string, seesEverything = false) => ({ id, seesEverything });
const published = (event: DomainEvent, id = '1'): PublishedEvent => ({ ...event, id });

/** Pulls events from the stream until `count` arrived; fails if they do not within 2 s. */
async function take(stream: AsyncGenerator<PublishedEvent>, count: number): Promise<PublishedEvent[]> {
  const out: PublishedEvent[] = [];
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`only ${out.length}/${count} events arrived`)), 2_000);
  });
  try {
    while (out.length < count) {
      const next = await Promise.race([stream.next(), timeout]);
      if (next.done) break;
      out.push(next.value);
    }
  } finally {
    clearTimeout(timer);
  }
  return out;
}

describe('canSeeEvent (who sees what on the live inbox)', () => {
  it('a plain agent sees their own events, the queue, and transfers away from them, nothing else', () => {
    const me = viewer(ALICE);
    expect(canSeeEvent(me, published(ev('message.received', { assignedAgent: ALICE })))).toBe(true);
    expect(canSeeEvent(me, published(ev('message.received', {})))).toBe(true);
    expect(
      canSeeEvent(
        me,
        published(ev('conversation.transferred', { assignedAgent: BOB, previousAgent: ALICE })),
      ),
    ).toBe(true);
    expect(canSeeEvent(me, published(ev('message.sent', { assignedAgent: BOB })))).toBe(false);
    expect(canSeeEvent(me, published(ev('ticket.updated', { assignedAgent: BOB })))).toBe(false);
  });

  it('supervisors see every conversation event', () => {
    expect(canSeeEvent(viewer(ALICE, true), published(ev('message.sent', { assignedAgent: BOB })))).toBe(
      true,
    );
  });

  it('nobody sees session revocations, auth events or credential changes', () => {
    for (const v of [viewer(ALICE), viewer(ALICE, true)]) {
      expect(canSeeEvent(v, published(ev(SESSIONS_REVOKED, { agentId: ALICE })))).toBe(false);
      expect(canSeeEvent(v, published(ev('auth.login_failed', {})))).toBe(false);
      expect(
        canSeeEvent(v, published(ev('agent.updated', { agentId: ALICE, changes: ['passwordHash'] }))),
      ).toBe(false);
      expect(canSeeEvent(v, published(ev('agent.updated', { agentId: ALICE, changes: ['lastLogin'] })))).toBe(
        false,
      );
    }
  });

  it('agent events: a plain agent sees only their own, supervisors all', () => {
    const other = published(ev('agent.updated', { agentId: BOB, changes: ['status'] }));
    const own = published(ev('agent.updated', { agentId: ALICE, changes: ['status'] }));
    expect(canSeeEvent(viewer(ALICE), other)).toBe(false);
    expect(canSeeEvent(viewer(ALICE), own)).toBe(true);
    expect(canSeeEvent(viewer(ALICE, true), other)).toBe(true);
  });
});

describe('FollowInbox', () => {
  const setup = async (role: 'agent' | 'supervisor' = 'agent') => {
    const ports: TestPorts = makeTestPorts();
    const { actor } = await seedAgent(ports, role);
    return { ports, actor, bus: ports.events as InProcessEventBus, follow: new FollowInbox(ports) };
  };

  it('refuses (synchronously) an actor who may not read conversations', async () => {
    const { follow, actor } = await setup();
    const blind: AgentActor = { ...actor, permissions: [] };
    expect(() => follow.execute({ actor: blind })).toThrow(AuthorizationError);
  });

  it('streams the visible live events in order and filters out another agent’s', async () => {
    const { follow, actor, bus } = await setup();
    const stream = follow.execute({ actor });
    const first = stream.next(); // starts the generator: it subscribes
    await bus.publish([
      ev('message.received', { conversationId: 'c1', assignedAgent: actor.id }),
      ev('message.received', { conversationId: 'c2', assignedAgent: BOB }),
      ev('conversation.created', { conversationId: 'c3' }),
    ]);
    const got = [(await first).value as PublishedEvent, ...(await take(stream, 1))];
    expect(got.map((e) => e.payload.conversationId)).toEqual(['c1', 'c3']);
    await stream.return(undefined);
  });

  it('resumes after lastEventId: replays what was missed (filtered), then goes live', async () => {
    const { follow, actor, bus } = await setup();
    await bus.publish([
      ev('conversation.created', { conversationId: 'c1' }), // 1: already seen by the client
      ev('message.received', { conversationId: 'c2' }), // 2: missed, visible
      ev('message.sent', { conversationId: 'c3', assignedAgent: BOB }), // 3: missed, not theirs
      ev('message.received', { conversationId: 'c4', assignedAgent: actor.id }), // 4: missed, theirs
    ]);
    const stream = follow.execute({ actor, lastEventId: '0000000000000001' });
    const replayed = await take(stream, 2);
    await bus.publish([ev('conversation.created', { conversationId: 'c5' })]);
    const live = await take(stream, 1);

    expect([...replayed, ...live].map((e) => [e.id, e.payload.conversationId])).toEqual([
      ['0000000000000002', 'c2'],
      ['0000000000000004', 'c4'],
      ['0000000000000005', 'c5'],
    ]);
    await stream.return(undefined);
  });

  it('events that arrive live while the replay is read are given once (subscribe first, dedupe by id)', async () => {
    const inner = new InProcessEventBus();
    // A bus on which two events land between the subscription and the replay, as on a busy node.
    const racing = {
      publish: (events: DomainEvent[]) => inner.publish(events),
      subscribe: (handler: (e: PublishedEvent) => void) => inner.subscribe(handler),
      replaySince: (last: string) => {
        void inner.publish([ev('x.2'), ev('x.3')]);
        return inner.replaySince(last);
      },
    };
    await inner.publish([ev('x.1')]);
    const ports = makeTestPorts({ events: racing });
    const { actor } = await seedAgent(ports, 'supervisor');
    const stream = new FollowInbox(ports).execute({ actor, lastEventId: '0000000000000001' });

    const first = await take(stream, 2);
    await inner.publish([ev('x.4')]);
    const then = await take(stream, 1);

    expect([...first, ...then].map((e) => e.type)).toEqual(['x.2', 'x.3', 'x.4']);
    await stream.return(undefined);
  });

  it('unsubscribes from the bus when the consumer stops or the signal aborts', async () => {
    const { follow, actor, bus } = await setup();
    const before = bus.subscriberCount;

    const stopped = follow.execute({ actor });
    const waiting = stopped.next();
    await bus.publish([ev('conversation.created', {})]);
    await waiting;
    expect(bus.subscriberCount).toBe(before + 1);
    await stopped.return(undefined);
    expect(bus.subscriberCount).toBe(before);

    const controller = new AbortController();
    const aborted = follow.execute({ actor, signal: controller.signal });
    const idle = aborted.next(); // waits for an event that never comes
    await new Promise((r) => setTimeout(r, 10));
    expect(bus.subscriberCount).toBe(before + 1);
    controller.abort();
    await expect(idle).resolves.toEqual({ done: true, value: undefined });
    expect(bus.subscriberCount).toBe(before);
  });

  it('ends with INBOX.SUBSCRIBER_TOO_SLOW when a consumer falls too far behind', async () => {
    const { follow, actor, bus } = await setup('supervisor');
    const stream = follow.execute({ actor });
    const first = stream.next();
    // It ends at once (the client resumes from its last id; the replay holds what it missed).
    const ended = expect(first).rejects.toMatchObject({
      code: 'INBOX.SUBSCRIBER_TOO_SLOW',
      kind: 'rate_limited',
    });
    await bus.publish(Array.from({ length: MAX_PENDING_EVENTS + 2 }, () => ev('flood')));
    await ended;
    expect(bus.subscriberCount).toBe(1); // only the test ports' own recorder is left
  });

  it('follows the subscriber’s own demotion: a supervisor made agent stops seeing others’ conversations', async () => {
    const { follow, actor, bus, ports } = await setup('supervisor');
    const stream = follow.execute({ actor });
    const first = stream.next();
    await bus.publish([ev('message.sent', { conversationId: 'before', assignedAgent: BOB })]);
    expect(((await first).value as PublishedEvent).payload.conversationId).toBe('before');

    const stored = await ports.agents.findById(actor.id);
    await ports.agents.update({ ...stored!, role: 'agent' });
    await bus.publish([
      ev('agent.updated', { agentId: actor.id, changes: ['role', 'permissions'] }),
      ev('message.sent', { conversationId: 'after', assignedAgent: BOB }),
      ev('message.sent', { conversationId: 'mine', assignedAgent: actor.id }),
    ]);
    const got = await take(stream, 2);
    expect(got.map((e) => e.type === 'agent.updated' || e.payload.conversationId)).toEqual([true, 'mine']);
    await stream.return(undefined);
  });
});
