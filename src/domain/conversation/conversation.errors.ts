import { BusinessRuleError } from '../shared/errors.js';

/** Stable error codes of the Conversation aggregate (besides `CONVERSATION.ILLEGAL_TRANSITION`). */
export const CONVERSATION_ERRORS = {
  /** The conversation is closed: nothing may change; a new customer message opens a new conversation. */
  CLOSED: 'CONVERSATION.CLOSED',
  /** Assigning a conversation that already has this agent, or an `assigned` one (use transferTo). */
  ALREADY_ASSIGNED: 'CONVERSATION.ALREADY_ASSIGNED',
  /** Transfer / unassign of a conversation that has no agent or is not assigned/waiting. */
  NOT_ASSIGNED: 'CONVERSATION.NOT_ASSIGNED',
  /** Moving to `assigned` without any agent to assign (changeStatus with neither an agent nor `by`). */
  AGENT_REQUIRED: 'CONVERSATION.AGENT_REQUIRED',
  /** Customer satisfaction can only be recorded once the conversation is resolved or closed. */
  NOT_RESOLVED: 'CONVERSATION.NOT_RESOLVED',
} as const;

export const conversationClosedError = (id: string): BusinessRuleError =>
  new BusinessRuleError(
    CONVERSATION_ERRORS.CLOSED,
    'This conversation is closed and cannot change; a new message from the customer opens a new conversation',
    { conversationId: id },
  );
