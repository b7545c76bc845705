import type { DomainEvent } from '../../domain/shared/events.js';
import type { Ports } from '../ports/ports.js';

/**
 * Publishes events pulled from saved aggregates, filling `assignedAgent` where the entity could not
 * know it. `conversationAnswered` (a customer's message: whether an agent or the AI had replied in its
 * conversation when it was stored) spares the response-time reaction a read of the conversation.
 */
export async function publish(
  ports: Pick<Ports, 'events'>,
  events: DomainEvent[],
  audience?: {
    assignedAgent?: string;
    conversationId?: string;
    customerId?: string;
    conversationAnswered?: boolean;
  },
): Promise<void> {
  if (events.length === 0) return;
  const filled = audience
    ? events.map((event) => ({
        ...event,
        payload: {
          ...(audience.conversationId ? { conversationId: audience.conversationId } : {}),
          ...(audience.customerId ? { customerId: audience.customerId } : {}),
          ...(audience.conversationAnswered !== undefined
            ? { conversationAnswered: audience.conversationAnswered }
            : {}),
          ...event.payload,
          assignedAgent:
            (event.payload as { assignedAgent?: string }).assignedAgent ?? audience.assignedAgent,
        },
      }))
    : events;
  await ports.events.publish(filled);
}
