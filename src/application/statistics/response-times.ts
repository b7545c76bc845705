/**
 * Response times measured from a conversation's messages, the same way the Conversation aggregate
 * measures them live: an agent's (or the AI's) reply answers the oldest customer message not yet
 * answered (reactions do not count as questions; system messages answer nothing). Symmetrically, a
 * customer's message answers the oldest of our (agent/AI) messages sent since the customer last
 * wrote: that is the customer's own response time.
 */
import type { MessagePrimitives } from '../../domain/message/message.types.js';
import type { Id } from '../../domain/shared/ids.js';

export interface MeasuredResponse {
  messageId: Id;
  /** Minutes between the message answered and this one. */
  minutes: number;
  /** The agent who answered (agent replies only; AI replies carry none). */
  agentId?: Id;
  by: 'agent' | 'ai' | 'customer';
}

type MessageLike = Pick<MessagePrimitives, 'id' | 'direction' | 'sender' | 'type' | 'timestamp' | 'agentId'>;

const minutesBetween = (from: Date, to: Date): number =>
  Math.max(0, (to.getTime() - from.getTime()) / 60_000);

/** Every response in `messages` (any order; sorted here by timestamp, then id). */
export function measureResponses(messages: readonly MessageLike[]): MeasuredResponse[] {
  const sorted = [...messages].sort(
    (a, b) => a.timestamp.getTime() - b.timestamp.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
  const out: MeasuredResponse[] = [];
  let customerWaitingSince: Date | undefined; // oldest unanswered customer message
  let businessWaitingSince: Date | undefined; // oldest of our messages the customer has not answered
  for (const m of sorted) {
    if (m.direction === 'inbound') {
      if (m.type === 'reaction') continue;
      if (businessWaitingSince) {
        out.push({
          messageId: m.id,
          minutes: minutesBetween(businessWaitingSince, m.timestamp),
          by: 'customer',
        });
        businessWaitingSince = undefined;
      }
      customerWaitingSince ??= m.timestamp;
    } else if (m.sender === 'agent' || m.sender === 'ai') {
      if (customerWaitingSince) {
        out.push({
          messageId: m.id,
          minutes: minutesBetween(customerWaitingSince, m.timestamp),
          by: m.sender,
          ...(m.sender === 'agent' && m.agentId ? { agentId: m.agentId } : {}),
        });
        customerWaitingSince = undefined;
      }
      businessWaitingSince ??= m.timestamp;
    }
  }
  return out;
}

/** A running average with one more value. */
export function addToAverage(
  average: number,
  count: number,
  value: number,
): { average: number; count: number } {
  return { average: (average * count + value) / (count + 1), count: count + 1 };
}
