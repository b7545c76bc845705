import {
  type AiDeclineReason,
  type AiReplyDecision,
  decideAiReply,
  type HandoffReason,
  handoffReasonFor,
  isAiReadable,
  modelFor,
} from '../../domain/ai/ai-policy.js';
import type { ConversationPrimitives } from '../../domain/conversation/conversation.types.js';
import type { CustomerPrimitives } from '../../domain/customer/customer.types.js';
import { Message, TEXT_MAX_LENGTH } from '../../domain/message/message.js';
import type { MessagePrimitives } from '../../domain/message/message.types.js';
import type { SettingsSnapshot } from '../../domain/settings/settings-snapshot.js';
import type { Id } from '../../domain/shared/ids.js';
import { ConversationThread } from '../../domain/thread/conversation-thread.js';
import { SendMessage } from '../messages/send-message.js';
import {
  type AiAssistant,
  AiAssistantError,
  type AiFailureKind,
  type MessageUnderstanding,
} from '../ports/gateways.js';
import type { Ports } from '../ports/ports.js';
import { SYSTEM } from '../shared/actor.js';
import { loadSettings } from '../shared/settings.js';
import { failureKindOf, truncate } from './ai-support.js';
import { HandOffToHuman } from './hand-off-to-human.js';

export type AiInboundOutcome =
  /** Not processed here: not found, not the customer's, another worker claimed it, or no assistant. */
  | {
      outcome: 'skipped';
      reason: 'message_not_found' | 'not_customer_message' | 'already_claimed' | 'assistant_not_configured';
    }
  /** Classified (when readable) but not answered: the decision rule said no. */
  | { outcome: 'declined'; reason: AiDeclineReason; understanding?: MessageUnderstanding }
  | { outcome: 'replied'; replyId: Id; threadId: string; understanding: MessageUnderstanding }
  | {
      outcome: 'handed_off';
      reason: HandoffReason;
      understanding?: MessageUnderstanding;
      failure?: AiFailureKind;
    }
  /** The answer came back, but meanwhile the conversation stopped qualifying (an agent took over...): not sent. */
  | { outcome: 'reply_dropped'; reason: AiDeclineReason; understanding: MessageUnderstanding };

/**
 * The AI's part of an inbound message, run AFTER the message is stored (by the AI worker, never
 * inside the webhook flow):
 *  0. claim the message (`messages.claimForAi`: at most one processing across nodes);
 *  1. classify it (intent, sentiment, confidence, entities, wants-a-person) and store the reading
 *     on the message (`aiProcessed`, `aiResponse`) — whether or not the assistant then replies;
 *  2. decide whether the assistant answers (`decideAiReply`, see src/domain/ai/ai-policy.ts);
 *  3. if it does: hand the conversation to a person when the customer asks for one, sounds upset,
 *     the confidence is below `ai_handoff_confidence_threshold`, or the classification failed;
 *     otherwise answer in the conversation's AI thread (created or rotated as needed: after
 *     `ai_thread_max_messages` exchanges or `ai_thread_idle_minutes` of silence), check the rule again
 *     with fresh data, and queue the answer in the outbox like an agent's (`sender: 'ai'`);
 *  4. an assistant failure (timeout, breaker open, error) while answering is a hand-off too.
 * Model: the conversation's `aiModel` unless it is the seed default, else the `ai_model` setting;
 * instructions: the `ai_instructions` setting.
 */
export class ProcessInboundWithAi {
  readonly #send: SendMessage;
  readonly #handOff: HandOffToHuman;

  constructor(
    private readonly ports: Pick<
      Ports,
      | 'conversations'
      | 'customers'
      | 'agents'
      | 'messages'
      | 'tickets'
      | 'threads'
      | 'settings'
      | 'activity'
      | 'events'
      | 'ids'
      | 'clock'
      | 'ai'
    >,
  ) {
    this.#send = new SendMessage(ports);
    this.#handOff = new HandOffToHuman(ports);
  }

  async execute(input: { messageId: Id }): Promise<AiInboundOutcome> {
    const ai = this.ports.ai;
    if (!ai) return { outcome: 'skipped', reason: 'assistant_not_configured' };
    const message = await this.ports.messages.findById(input.messageId);
    if (!message) return { outcome: 'skipped', reason: 'message_not_found' };
    if (message.direction !== 'inbound' || message.sender !== 'customer') {
      return { outcome: 'skipped', reason: 'not_customer_message' };
    }
    if (!(await this.ports.messages.claimForAi(message.id)))
      return { outcome: 'skipped', reason: 'already_claimed' };

    const settings = await loadSettings(this.ports);
    const conversation = await this.ports.conversations.findById(message.conversationId);
    const customer = await this.ports.customers.findById(message.customerId);
    if (!conversation || !customer) return { outcome: 'skipped', reason: 'message_not_found' };
    const model = modelFor(conversation.aiModel, settings.get('ai_model'));

    // 1. Understanding: always, for readable messages.
    let understanding: MessageUnderstanding | undefined;
    let classifyFailure: AiFailureKind | undefined;
    if (isAiReadable(message)) {
      try {
        understanding = await ai.classify({ text: message.content, model });
      } catch (error) {
        classifyFailure = failureKindOf(error);
      }
      if (understanding) await this.#store(message, understanding);
    }

    // 2. Does the assistant answer this one?
    const decision = this.#decide(settings, conversation, customer, message);
    if (!decision.reply)
      return { outcome: 'declined', reason: decision.reason, ...(understanding ? { understanding } : {}) };

    // 3. A person instead?
    if (!understanding)
      return this.#handOffFor(message, 'assistant_failed', model, undefined, classifyFailure);
    const reason = handoffReasonFor(understanding, settings.get('ai_handoff_confidence_threshold'));
    if (reason) return this.#handOffFor(message, reason, model, understanding);

    // 4. The answer.
    let answer: { text: string; threadId: string };
    try {
      answer = await this.#answer(ai, settings, conversation, customer, message, model);
    } catch (error) {
      if (!(error instanceof AiAssistantError)) throw error;
      return this.#handOffFor(message, 'assistant_failed', model, understanding, error.kind);
    }

    // The answer took a while: an agent may have taken over, the customer been blocked...
    const fresh = await this.ports.conversations.findById(conversation.id);
    const freshCustomer = await this.ports.customers.findById(customer.id);
    const recheck =
      fresh && freshCustomer ? this.#decide(settings, fresh, freshCustomer, message) : undefined;
    if (!recheck?.reply) {
      return { outcome: 'reply_dropped', reason: recheck?.reason ?? 'conversation_closed', understanding };
    }
    const { message: sent } = await this.#send.execute({
      actor: SYSTEM,
      conversationId: conversation.id,
      message: { type: 'text', content: truncate(answer.text, TEXT_MAX_LENGTH) },
      sender: 'ai',
    });
    return { outcome: 'replied', replyId: sent.id, threadId: answer.threadId, understanding };
  }

  #decide(
    settings: SettingsSnapshot,
    conversation: ConversationPrimitives,
    customer: CustomerPrimitives,
    message: MessagePrimitives,
  ): AiReplyDecision {
    return decideAiReply({
      assistantConfigured: this.ports.ai !== undefined,
      settings: {
        responseEnabled: settings.get('ai_response_enabled'),
        responseHours: settings.get('ai_response_hours'),
        businessHours: settings.get('business_hours'),
        timezone: settings.get('business_timezone'),
      },
      conversation: {
        status: conversation.status,
        isAIEnabled: conversation.isAIEnabled,
        autoResponses: conversation.autoResponses,
        lastCustomerMessage: conversation.lastCustomerMessage,
      },
      customer: { isBlocked: customer.isBlocked },
      message,
      now: this.ports.clock.now(),
    });
  }

  async #store(message: MessagePrimitives, understanding: MessageUnderstanding): Promise<void> {
    const entity = Message.fromPrimitives(message);
    entity.applyUnderstanding(understanding);
    const { aiProcessed, aiResponse } = entity.toPrimitives();
    await this.ports.messages.patch(message.id, { aiProcessed, ...(aiResponse ? { aiResponse } : {}) });
  }

  /**
   * The assistant's answer inside the conversation's AI thread: created on first use, rotated to a
   * fresh server-side conversation when it is too long or idle (recording lastCleanup), or when
   * OpenAI no longer knows it (404, answered once more in a fresh one). One exchange is recorded.
   */
  async #answer(
    ai: AiAssistant,
    settings: SettingsSnapshot,
    conversation: ConversationPrimitives,
    customer: CustomerPrimitives,
    message: MessagePrimitives,
    model: string,
  ): Promise<{ text: string; threadId: string }> {
    const now = this.ports.clock.now();
    const metadata = { crmConversationId: conversation.id, crmCustomerId: customer.id };
    const policy = {
      maxMessages: settings.get('ai_thread_max_messages'),
      idleMinutes: settings.get('ai_thread_idle_minutes'),
    };
    const stored = await this.ports.threads.findActiveByConversation(conversation.id);
    let thread: ConversationThread;
    if (!stored) {
      thread = ConversationThread.start(
        {
          conversationId: conversation.id,
          customerId: customer.id,
          userId: customer.phoneNumber,
          threadId: await ai.startThread(metadata),
        },
        { id: this.ports.ids.next(), now },
      );
      await this.ports.threads.insert(thread.toPrimitives());
    } else {
      thread = ConversationThread.fromPrimitives(stored);
      if (thread.needsRotation(now, policy)) {
        thread.rotate(await ai.startThread(metadata), now);
        await this.ports.threads.update(thread.toPrimitives());
      }
    }
    const request = { model, instructions: settings.get('ai_instructions'), text: message.content };
    let text: string;
    try {
      text = await ai.reply({ ...request, threadId: thread.threadId });
    } catch (error) {
      if (!(error instanceof AiAssistantError) || error.kind !== 'not_found') throw error;
      thread.rotate(await ai.startThread(metadata), now);
      await this.ports.threads.update(thread.toPrimitives());
      text = await ai.reply({ ...request, threadId: thread.threadId });
    }
    thread.recordInteraction(now);
    await this.ports.threads.update(thread.toPrimitives());
    return { text, threadId: thread.threadId };
  }

  async #handOffFor(
    message: MessagePrimitives,
    reason: HandoffReason,
    model: string,
    understanding?: MessageUnderstanding,
    failure?: AiFailureKind,
  ): Promise<AiInboundOutcome> {
    await this.#handOff.execute({
      conversationId: message.conversationId,
      reason,
      messageId: message.id,
      model,
      ...(understanding ? { understanding } : {}),
      ...(failure ? { failure } : {}),
    });
    return {
      outcome: 'handed_off',
      reason,
      ...(understanding ? { understanding } : {}),
      ...(failure ? { failure } : {}),
    };
  }
}
