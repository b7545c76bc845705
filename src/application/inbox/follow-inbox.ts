import { DomainError } from '../../domain/shared/errors.js';
import { SESSIONS_REVOKED } from '../auth/session-revocations.js';
import type { PublishedEvent } from '../ports/gateways.js';
import type { Ports } from '../ports/ports.js';
import type { Actor } from '../shared/actor.js';
import { authorize } from '../shared/guards.js';

export interface FollowInboxInput {
  actor: Actor;
  /** The id of the last event the client received: missed events are replayed first. */
  lastEventId?: string;
  /** Aborted when the client goes away; the stream then ends and unsubscribes. */
  signal?: AbortSignal;
}

/** How many events may wait for a slow subscriber before its stream is ended (it can resume). */
export const MAX_PENDING_EVENTS = 5_000;

/** Agent changes that are about credentials and sessions: never shown to anyone. */
const CREDENTIAL_CHANGES = new Set(['passwordHash', 'lastLogin']);
/** Agent changes after which the subscriber's own visibility is recomputed. */
const ACCESS_CHANGES = new Set(['role', 'permissions', 'isActive']);

interface Viewer {
  id?: string;
  /** Supervisors, admins and the system see every conversation. */
  seesEverything: boolean;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const changesOf = (event: PublishedEvent): string[] => {
  const changes = event.payload.changes;
  return Array.isArray(changes) ? changes.filter((c): c is string => typeof c === 'string') : [];
};

/**
 * Whether `viewer` may see `event` on the live inbox.
 * - Never: session revocations, auth events, and credential changes of agents.
 * - Supervisors and admins: everything else.
 * - A plain agent: events of their own conversations/tickets (`assignedAgent` is them), of the
 *   unassigned queue (`assignedAgent` absent), and of a conversation transferred away from them
 *   (`previousAgent` is them); of the `agent.*` events, only those about themselves.
 */
export function canSeeEvent(viewer: Viewer, event: PublishedEvent): boolean {
  if (
    event.type === SESSIONS_REVOKED ||
    event.type.startsWith('auth.') ||
    event.type.startsWith('session.')
  ) {
    return false;
  }
  if (event.type.startsWith('agent.')) {
    if (changesOf(event).some((c) => CREDENTIAL_CHANGES.has(c))) return false;
    return viewer.seesEverything || str(event.payload.agentId) === viewer.id;
  }
  if (viewer.seesEverything) return true;
  const assignedAgent = str(event.payload.assignedAgent);
  return (
    assignedAgent === undefined ||
    assignedAgent === viewer.id ||
    str(event.payload.previousAgent) === viewer.id
  );
}

/**
 * The live inbox: every domain event the actor may see, as it is published.
 *
 * Resuming without a gap or a duplicate: the stream subscribes to the bus first and buffers, then
 * replays what the bus still holds after `lastEventId`, then drains the buffer skipping the events
 * the replay already gave. The subscription is dropped when the consumer stops (return/throw) or
 * `signal` aborts. A consumer that falls `MAX_PENDING_EVENTS` behind gets an
 * `INBOX.SUBSCRIBER_TOO_SLOW` error (it can resume from its last id).
 */
export class FollowInbox {
  constructor(private readonly ports: Pick<Ports, 'events' | 'agents'>) {}

  execute(input: FollowInboxInput): AsyncGenerator<PublishedEvent, void, undefined> {
    authorize(input.actor, 'conversation.read');
    return this.#stream(input);
  }

  async *#stream(input: FollowInboxInput): AsyncGenerator<PublishedEvent, void, undefined> {
    const { signal } = input;
    const viewer: Viewer =
      input.actor.kind === 'system'
        ? { seesEverything: true }
        : { id: input.actor.id, seesEverything: input.actor.role !== 'agent' };

    const pending: PublishedEvent[] = [];
    let overflowed = false;
    let wake: (() => void) | undefined;
    const unsubscribe = this.ports.events.subscribe((event) => {
      if (pending.length >= MAX_PENDING_EVENTS) overflowed = true;
      else pending.push(event);
      wake?.();
    });
    const onAbort = () => wake?.();
    signal?.addEventListener('abort', onAbort, { once: true });

    try {
      // Ids the replay delivered; the same events may be waiting in `pending` too.
      const replayed = new Set<string>();
      if (input.lastEventId) {
        for (const event of this.ports.events.replaySince(input.lastEventId)) {
          if (signal?.aborted) return;
          replayed.add(event.id);
          if (!(await this.#admit(viewer, event))) return;
          if (canSeeEvent(viewer, event)) yield event;
        }
      }

      while (!signal?.aborted) {
        if (overflowed) {
          throw new DomainError(
            'rate_limited',
            'INBOX.SUBSCRIBER_TOO_SLOW',
            `More than ${MAX_PENDING_EVENTS} events waited for this subscriber; resubscribe with the last event id`,
            { retryAfterSeconds: 1 },
          );
        }
        const event = pending.shift();
        if (event === undefined) {
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
          wake = undefined;
          continue;
        }
        if (replayed.size > 0) {
          if (replayed.has(event.id)) continue;
          // The bus delivers in order: once a live event is newer than the replay, all later ones are.
          replayed.clear();
        }
        if (!(await this.#admit(viewer, event))) return;
        if (canSeeEvent(viewer, event)) yield event;
      }
    } finally {
      unsubscribe();
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /**
   * Keeps the viewer in step with their own account: after a change of role, permissions or
   * activation, visibility is recomputed from the stored agent. Returns false (end the stream) when
   * the agent is gone, deactivated or may no longer read conversations.
   */
  async #admit(viewer: Viewer, event: PublishedEvent): Promise<boolean> {
    if (viewer.id === undefined || event.type !== 'agent.updated') return true;
    if (str(event.payload.agentId) !== viewer.id) return true;
    if (!changesOf(event).some((c) => ACCESS_CHANGES.has(c))) return true;
    const agent = await this.ports.agents.findById(viewer.id);
    if (!agent?.isActive || !agent.permissions.includes('read:conversations')) return false;
    viewer.seesEverything = agent.role !== 'agent';
    return true;
  }
}
