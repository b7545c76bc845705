/**
 * When the AI assistant answers a customer, and when it hands the conversation to a person.
 * Pure: the caller gathers the facts (settings, conversation, customer, message, now).
 *
 * The decision rule (`decideAiReply`): the assistant replies to an inbound message only when ALL of
 *  1. an assistant is configured (OPENAI_API_KEY set);
 *  2. the message is the customer's (inbound) and carries text the model can read: type `text`,
 *     `interactive` (the chosen option) or `button` (a quick reply), with non-blank content;
 *  3. the `ai_response_enabled` setting is true;
 *  4. the conversation is not closed;
 *  5. the conversation's `isAIEnabled` is true. A hand-off switches it off, and so does a human
 *     TAKING OVER: an agent writing to the customer, or a person assigning / transferring the
 *     conversation (automatic assignment does not count: an agent that was merely given the
 *     conversation by auto-assignment and has not written yet has not taken over). An agent gives
 *     the conversation back to the assistant by switching `isAIEnabled` on again;
 *  6. the conversation's `autoResponses` is true;
 *  7. the customer is not blocked;
 *  8. `ai_response_hours` is `always`, or it is `outside_business_hours` and `now` is outside the
 *     `business_hours` in `business_timezone` (a calendar with no enabled day is open 24/7, so
 *     with it the assistant never answers in this mode);
 *  9. the 24-hour customer-service window is open (the customer wrote less than 24 h ago).
 * The first unmet condition, in this order, is the reason reported.
 */
import type { ConversationStatus } from '../conversation/conversation.types.js';
import { isWindowOpen } from '../conversation/service-window.js';
import type { Direction, MessageType, Sender } from '../message/message.types.js';
import type { AiResponseHours } from '../settings/setting-definitions.js';
import { type BusinessHours, isWithinBusinessHours } from '../sla/business-hours.js';

/** Message types whose content is something the customer wrote (not a media summary). */
export const AI_READABLE_TYPES: readonly MessageType[] = ['text', 'interactive', 'button'];

/** The seed's default conversation model: a conversation still on it follows the `ai_model` setting. */
export const SEED_DEFAULT_AI_MODEL = 'gpt-4';

export const AI_DECLINE_REASONS = [
  'assistant_not_configured',
  'not_customer_message',
  'unsupported_type',
  'ai_disabled_globally',
  'conversation_closed',
  'ai_disabled_for_conversation',
  'auto_responses_off',
  'customer_blocked',
  'inside_business_hours',
  'window_closed',
] as const;
export type AiDeclineReason = (typeof AI_DECLINE_REASONS)[number];

export interface AiReplyFacts {
  assistantConfigured: boolean;
  settings: {
    responseEnabled: boolean;
    responseHours: AiResponseHours;
    businessHours: BusinessHours;
    timezone: string;
  };
  conversation: {
    status: ConversationStatus;
    isAIEnabled: boolean;
    autoResponses: boolean;
    lastCustomerMessage?: Date | undefined;
  };
  customer: { isBlocked: boolean };
  message: { direction: Direction; sender: Sender; type: MessageType; content: string };
  now: Date;
}

export type AiReplyDecision = { reply: true } | { reply: false; reason: AiDeclineReason };

/** True when the message has text the model can classify (condition 2 of the rule). */
export function isAiReadable(message: AiReplyFacts['message']): boolean {
  return AI_READABLE_TYPES.includes(message.type) && message.content.trim().length > 0;
}

export function decideAiReply(f: AiReplyFacts): AiReplyDecision {
  const no = (reason: AiDeclineReason): AiReplyDecision => ({ reply: false, reason });
  if (!f.assistantConfigured) return no('assistant_not_configured');
  if (f.message.direction !== 'inbound' || f.message.sender !== 'customer') return no('not_customer_message');
  if (!isAiReadable(f.message)) return no('unsupported_type');
  if (!f.settings.responseEnabled) return no('ai_disabled_globally');
  if (f.conversation.status === 'closed') return no('conversation_closed');
  if (!f.conversation.isAIEnabled) return no('ai_disabled_for_conversation');
  if (!f.conversation.autoResponses) return no('auto_responses_off');
  if (f.customer.isBlocked) return no('customer_blocked');
  if (
    f.settings.responseHours === 'outside_business_hours' &&
    isWithinBusinessHours(f.now, f.settings.businessHours, f.settings.timezone)
  ) {
    return no('inside_business_hours');
  }
  if (!isWindowOpen(f.conversation.lastCustomerMessage, f.now)) return no('window_closed');
  return { reply: true };
}

// ---------------------------------------------------------------------------------------------
// Hand-off

export const HANDOFF_REASONS = [
  'customer_asked_for_human',
  'negative_sentiment',
  'low_confidence',
  'assistant_failed',
] as const;
export type HandoffReason = (typeof HANDOFF_REASONS)[number];

export const HANDOFF_REASON_TEXT: Record<HandoffReason, string> = {
  customer_asked_for_human: 'the customer asked to talk to a person',
  negative_sentiment: 'the customer seems upset (negative sentiment)',
  low_confidence: 'the assistant was not confident it understood the request',
  assistant_failed: 'the assistant could not answer (the AI service failed)',
};

export interface UnderstandingSignals {
  sentiment: 'positive' | 'neutral' | 'negative';
  confidence: number;
  wantsHuman: boolean;
}

/**
 * Whether the reading of a message sends the conversation to a person, and why (first match):
 * the customer asks for a person → negative sentiment → confidence below `threshold`.
 * Undefined: the assistant may answer.
 */
export function handoffReasonFor(u: UnderstandingSignals, threshold: number): HandoffReason | undefined {
  if (u.wantsHuman) return 'customer_asked_for_human';
  if (u.sentiment === 'negative') return 'negative_sentiment';
  if (u.confidence < threshold) return 'low_confidence';
  return undefined;
}

/** The model for a conversation: its own `aiModel` when set to something other than the seed default, else the setting. */
export function modelFor(conversationModel: string | undefined, settingModel: string): string {
  const own = conversationModel?.trim();
  return own && own !== SEED_DEFAULT_AI_MODEL ? own : settingModel;
}
