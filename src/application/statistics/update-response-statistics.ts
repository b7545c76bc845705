import type { MessagePrimitives } from '../../domain/message/message.types.js';
import type { Id } from '../../domain/shared/ids.js';
import { claimOnce } from '../operations/claim-once.js';
import type { Ports } from '../ports/ports.js';
import { addToAverage, measureResponses } from './response-times.js';

/** How far back a conversation is read to find what a new message answers. */
const LOOKBACK = 200;
/**
 * The first, short read: it decides almost every message (the one before it on the same side, or
 * the whole conversation), so the long read is only for a reply to a long run of the other side.
 */
const WINDOW = 10;

export type ResponseStatisticsOutcome = 'agent' | 'customer' | 'none' | 'already_counted';

export interface ResponseStatisticsInput {
  messageId: Id;
  received?: { conversationId: Id; type: string; answered?: boolean };
}

/**
 * The input for an event this reaction follows — a customer's `message.received` (with what its
 * payload says of the message: conversation, type, whether the conversation had been answered) or an
 * agent's `message.sent` — or undefined for any other event.
 */
export function responseStatisticsInput(event: {
  type: string;
  payload: unknown;
}): ResponseStatisticsInput | undefined {
  const p = event.payload as Record<string, unknown>;
  if (typeof p.messageId !== 'string') return undefined;
  const messageId = p.messageId;
  if (event.type === 'message.sent') return p.sender === 'agent' ? { messageId } : undefined;
  if (event.type !== 'message.received') return undefined;
  if (typeof p.conversationId !== 'string' || typeof p.type !== 'string') return { messageId };
  const answered = typeof p.conversationAnswered === 'boolean' ? { answered: p.conversationAnswered } : {};
  return { messageId, received: { conversationId: p.conversationId, type: p.type, ...answered } };
}

/**
 * Keeps `averageResponseTime` of agents and customers current as messages happen (subscribed to
 * `message.sent` and `message.received`): measures what the new message answers (measureResponses,
 * the same rule as the recompute) and adds it to the agent's (a reply by an agent) or the customer's
 * (the customer answering us) running average, with `responseCount`. Counted once per message across
 * nodes.
 */
export class UpdateResponseStatistics {
  constructor(
    private readonly ports: Pick<
      Ports,
      'messages' | 'conversations' | 'agents' | 'customers' | 'jobLocks' | 'ids'
    >,
  ) {}

  /**
   * `received`: what the `message.received` event already says of a customer's message (its
   * conversation, its type and, when the publisher knew it, whether the conversation had been
   * answered when the message was stored), so that a message in a conversation nobody has answered
   * yet — the common case under a burst of new chats — costs no read at all (one, of the
   * conversation, when `answered` is not given) instead of two.
   */
  async execute(
    input: ResponseStatisticsInput,
  ): Promise<{ outcome: ResponseStatisticsOutcome; minutes?: number }> {
    if (input.received) {
      const { type, answered, conversationId } = input.received;
      if (type === 'reaction' || !(answered ?? (await this.#answered(conversationId))))
        return { outcome: 'none' };
    }
    const message = await this.ports.messages.findById(input.messageId);
    if (!message) return { outcome: 'none' };
    const isAgentReply = message.direction === 'outbound' && message.sender === 'agent' && message.agentId;
    const isCustomerMessage = message.direction === 'inbound' && message.type !== 'reaction';
    if (!isAgentReply && !isCustomerMessage) return { outcome: 'none' };
    if (isCustomerMessage && !input.received && !(await this.#answered(message.conversationId))) {
      return { outcome: 'none' };
    }

    const response = measureResponses(await this.#history(message)).find((r) => r.messageId === message.id);
    if (!response) return { outcome: 'none' };
    if (!(await claimOnce(this.ports, `stats:response:${message.id}`))) return { outcome: 'already_counted' };

    if (response.by === 'agent' && response.agentId) {
      const agent = await this.ports.agents.findById(response.agentId);
      if (!agent) return { outcome: 'none' };
      const next = addToAverage(
        agent.statistics.averageResponseTime,
        agent.statistics.responseCount ?? 0,
        response.minutes,
      );
      await this.ports.agents.setStatistics(agent.id, {
        averageResponseTime: next.average,
        responseCount: next.count,
      });
      return { outcome: 'agent', minutes: response.minutes };
    }
    if (response.by === 'customer') {
      const customer = await this.ports.customers.findById(message.customerId);
      if (!customer) return { outcome: 'none' };
      const s = customer.statistics;
      const next = addToAverage(s.averageResponseTime, s.responseCount ?? 0, response.minutes);
      await this.ports.customers.setStatistics(customer.id, {
        averageResponseTime: next.average,
        responseCount: next.count,
      });
      return { outcome: 'customer', minutes: response.minutes };
    }
    return { outcome: 'none' };
  }

  /**
   * A customer's message answers one of ours only if an agent or the AI has replied in its
   * conversation at all (one read by id instead of the conversation's history).
   */
  async #answered(conversationId: Id): Promise<boolean> {
    return Boolean((await this.ports.conversations.findById(conversationId))?.lastAgentResponse);
  }

  /**
   * The message and enough of the conversation's messages before it to decide what it answers: the
   * newest WINDOW when they hold the whole conversation or an earlier message of the same side (the
   * rule of measureResponses starts afresh there), else the newest LOOKBACK.
   */
  async #history(message: MessagePrimitives): Promise<MessagePrimitives[]> {
    const before = (items: MessagePrimitives[]) => {
      const at = message.timestamp.getTime();
      const history = items.filter((m) => m.timestamp.getTime() <= at);
      if (!history.some((m) => m.id === message.id)) history.push(message);
      return history;
    };
    const window = await this.ports.messages.listByConversation(message.conversationId, { limit: WINDOW });
    const history = before(window.items);
    const earlier = (m: MessagePrimitives) =>
      m.timestamp.getTime() < message.timestamp.getTime() ||
      (m.timestamp.getTime() === message.timestamp.getTime() && m.id < message.id);
    const sameSide = (m: MessagePrimitives) =>
      earlier(m) &&
      (message.direction === 'inbound'
        ? m.direction === 'inbound' && m.type !== 'reaction'
        : m.direction === 'outbound' && (m.sender === 'agent' || m.sender === 'ai'));
    if (!window.nextCursor || history.some(sameSide)) return history;
    const page = await this.ports.messages.listByConversation(message.conversationId, { limit: LOOKBACK });
    return before(page.items);
  }
}
