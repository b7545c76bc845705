import { Conversation } from '../../domain/conversation/conversation.js';
import type { Id } from '../../domain/shared/ids.js';
import { RecordSatisfaction } from '../conversations/record-satisfaction.js';
import type { Ports } from '../ports/ports.js';
import { recordActivity } from '../shared/activity.js';
import { SYSTEM } from '../shared/actor.js';
import { publish } from '../shared/events.js';
import { surveyRating } from './satisfaction-survey.js';

export type SurveyAnswerOutcome = 'recorded' | 'not_an_answer' | 'not_rateable';

/**
 * A customer's answer to the satisfaction survey (an inbound list/button reply `csat:N`, or the
 * template's quick reply): recorded as the conversation's `customerSatisfaction` through
 * RecordSatisfaction (system actor), which feeds the customer's satisfaction score; the agent's
 * performance reads it from the conversation (resolvedBy / assignedAgent).
 *
 * Any customer message reopens a resolved conversation (domain), the answer included. When the
 * answer is what reopened it (it is the customer's only message since the resolution), the
 * conversation is put back to resolved first, with the resolution it had (taken from its last
 * `resolved` activity entry), so answering the survey neither reopens the case nor loses who
 * resolved it. Subscribed to `message.received` (src/infrastructure/operations).
 */
export class HandleSurveyAnswer {
  readonly #record: RecordSatisfaction;

  constructor(
    private readonly ports: Pick<
      Ports,
      'conversations' | 'customers' | 'messages' | 'activity' | 'events' | 'ids' | 'clock'
    >,
  ) {
    this.#record = new RecordSatisfaction(ports);
  }

  async execute(input: { messageId: Id }): Promise<{ outcome: SurveyAnswerOutcome; rating?: number }> {
    const message = await this.ports.messages.findById(input.messageId);
    if (message?.direction !== 'inbound') return { outcome: 'not_an_answer' };
    const rating = surveyRating(message);
    if (rating === undefined) return { outcome: 'not_an_answer' };
    let conversation = await this.ports.conversations.findById(message.conversationId);
    if (!conversation) return { outcome: 'not_rateable' };

    if (conversation.status === 'open' || conversation.status === 'assigned') {
      const reopenedByAnswer =
        conversation.lastCustomerMessage?.getTime() === message.timestamp.getTime() &&
        conversation.awaitingResponseSince?.getTime() === message.timestamp.getTime();
      const resolution = reopenedByAnswer ? await this.#lastResolution(conversation.id) : undefined;
      if (!resolution) return { outcome: 'not_rateable', rating };
      const before = conversation;
      const entity = Conversation.fromPrimitives(conversation);
      entity.resolve(resolution.resolvedBy, this.ports.clock.now(), resolution.resolutionNotes);
      conversation = await this.ports.conversations.update(entity.toPrimitives());
      await recordActivity(
        this.ports,
        SYSTEM,
        {},
        {
          entityType: 'conversation',
          entityId: conversation.id,
          action: 'updated', // a restore, not a new resolution: the statistics must not count it again
          before,
          after: conversation,
          reason: 'The customer answered the satisfaction survey: back to resolved',
        },
      );
      await publish(this.ports, entity.pullEvents(), {
        assignedAgent: conversation.assignedAgent,
        customerId: conversation.customerId,
      });
    }
    if (conversation.status !== 'resolved' && conversation.status !== 'closed')
      return { outcome: 'not_rateable', rating };
    await this.#record.execute({ actor: SYSTEM, meta: {}, conversationId: conversation.id, rating });
    return { outcome: 'recorded', rating };
  }

  /** Who resolved the conversation last, and with which notes (its latest `resolved` audit entry). */
  async #lastResolution(
    conversationId: Id,
  ): Promise<{ resolvedBy?: Id; resolutionNotes?: string } | undefined> {
    const page = await this.ports.activity.listByEntity('conversation', conversationId, { limit: 50 });
    const entry = page.items.find((e) => e.action === 'resolved');
    if (!entry) return undefined;
    const after = entry.details.after ?? {};
    return {
      ...(typeof after.resolvedBy === 'string' ? { resolvedBy: after.resolvedBy } : {}),
      ...(typeof after.resolutionNotes === 'string' ? { resolutionNotes: after.resolutionNotes } : {}),
    };
  }
}
