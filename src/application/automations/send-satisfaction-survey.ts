import { isWindowOpen } from '../../domain/conversation/service-window.js';
import type { Id } from '../../domain/shared/ids.js';
import { SendMessage } from '../messages/send-message.js';
import { claimOnce } from '../operations/claim-once.js';
import type { Ports } from '../ports/ports.js';
import { SYSTEM } from '../shared/actor.js';
import { loadSettings } from '../shared/settings.js';
import { surveyListMessage, surveyTemplateMessage } from './satisfaction-survey.js';

export type SurveyOutcome =
  | 'sent_list'
  | 'sent_template'
  | 'disabled'
  | 'not_resolved'
  | 'already_rated'
  | 'already_sent';

/**
 * Asks the customer of a just-resolved conversation for a 1-5 rating, when
 * `satisfaction_survey_enabled` is on: an interactive list while the 24-hour window is open, the
 * `satisfaction_survey` template when it is closed. Sent by the system (`sender: 'system'`) through
 * the outbox, once per resolution however many nodes see the resolution event. Nothing is sent
 * when the conversation was reopened or closed meanwhile, or already carries a rating.
 */
export class SendSatisfactionSurvey {
  readonly #send: SendMessage;

  constructor(
    private readonly ports: Pick<
      Ports,
      | 'conversations'
      | 'messages'
      | 'tickets'
      | 'settings'
      | 'activity'
      | 'events'
      | 'ids'
      | 'clock'
      | 'jobLocks'
    >,
  ) {
    this.#send = new SendMessage(ports);
  }

  async execute(input: { conversationId: Id }): Promise<{ outcome: SurveyOutcome; messageId?: Id }> {
    if (!(await loadSettings(this.ports)).get('satisfaction_survey_enabled')) return { outcome: 'disabled' };
    const conversation = await this.ports.conversations.findById(input.conversationId);
    if (conversation?.status !== 'resolved' || !conversation.resolvedAt) return { outcome: 'not_resolved' };
    if (conversation.customerSatisfaction) return { outcome: 'already_rated' };
    if (!(await claimOnce(this.ports, `survey:${conversation.id}:${conversation.resolvedAt.getTime()}`))) {
      return { outcome: 'already_sent' };
    }
    const open = isWindowOpen(conversation.lastCustomerMessage, this.ports.clock.now());
    const { message } = await this.#send.execute({
      actor: SYSTEM,
      meta: {},
      conversationId: conversation.id,
      message: open ? surveyListMessage() : surveyTemplateMessage(),
      sender: 'system',
    });
    return { outcome: open ? 'sent_list' : 'sent_template', messageId: message.id };
  }
}
