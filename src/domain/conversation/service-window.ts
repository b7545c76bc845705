/**
 * WhatsApp's 24-hour customer-service window: a business may send free-form messages only within
 * 24 hours of the customer's last message; outside it, only approved templates.
 */
import { MESSAGE_ERRORS } from '../message/message.errors.js';
import type { MessageType } from '../message/message.types.js';
import { BusinessRuleError } from '../shared/errors.js';

export const SERVICE_WINDOW_MS = 24 * 60 * 60 * 1000;

/** When the window closes (last customer message + 24 h), or undefined if the customer never wrote. */
export function windowClosesAt(lastCustomerMessage: Date | undefined): Date | undefined {
  return lastCustomerMessage === undefined
    ? undefined
    : new Date(lastCustomerMessage.getTime() + SERVICE_WINDOW_MS);
}

/**
 * Open iff the customer wrote within the last 24 h: at exactly 24 h it is closed. No customer
 * message → closed. (A customer timestamp slightly in the future — clock skew — counts as open.)
 */
export function isWindowOpen(lastCustomerMessage: Date | undefined, now: Date): boolean {
  const closesAt = windowClosesAt(lastCustomerMessage);
  return closesAt !== undefined && now.getTime() < closesAt.getTime();
}

/** Anything exposing the conversation's last customer message (a Conversation or its primitives). */
export interface HasLastCustomerMessage {
  readonly lastCustomerMessage?: Date | undefined;
}

/**
 * Templates are always allowed; any other type outside the window throws MESSAGE.WINDOW_CLOSED.
 */
export function assertCanSendFreeForm(
  conversation: HasLastCustomerMessage,
  messageType: MessageType,
  now: Date,
): void {
  if (messageType === 'template') return;
  const last = conversation.lastCustomerMessage;
  if (isWindowOpen(last, now)) return;
  const closedAt = windowClosesAt(last);
  throw new BusinessRuleError(
    MESSAGE_ERRORS.WINDOW_CLOSED,
    last === undefined
      ? 'The customer has not written yet, so only an approved template message can be sent: use a template'
      : 'More than 24 hours have passed since the customer last wrote: the WhatsApp customer-service window ' +
          'is closed, so only an approved template message can be sent; use a template',
    { messageType, ...(closedAt === undefined ? {} : { windowClosedAt: closedAt.toISOString() }) },
  );
}
