import type { DomainEvent } from '../../domain/shared/events.js';
import type { Ports } from '../ports/ports.js';

interface Audience {
  assignedAgent?: string;
  conversationId?: string;
  customerId?: string;
  conversationAnswered?: boolean;
}

/**
 * Publishes events pulled from saved aggregates, filling `assignedAgent` where the entity could not
 * know it. `conversationAnswered` (a customer's message: whether an agent or the AI had replied in its
 * conversation when it was stored) spares the response-time reaction a read of the conversation.
 */
export async function publish(
  ports: Pick<Ports, 'events'>,
  events: DomainEvent[],
  audience?: Audience,
): Promise<void> {
  if (events.length === 0) return;
  const filled = audience ? events.map((event) => withAudience(event, audience)) : events;
  await ports.events.publish(filled);
}

/**
 * The event with the audience's facts in its payload (the event's own values win; `assignedAgent`
 * from the audience when the event has none). Built key by key: this runs for every event published.
 */
function withAudience(event: DomainEvent, audience: Audience): DomainEvent {
  const own = event.payload as Record<string, unknown>;
  const payload: Record<string, unknown> = {};
  if (audience.conversationId) payload.conversationId = audience.conversationId;
  if (audience.customerId) payload.customerId = audience.customerId;
  if (audience.conversationAnswered !== undefined)
    payload.conversationAnswered = audience.conversationAnswered;
  for (const key in own) payload[key] = own[key];
  payload.assignedAgent = own.assignedAgent ?? audience.assignedAgent;
  return { ...event, payload };
}
