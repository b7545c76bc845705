import { BusinessRuleError } from '../shared/errors.js';

/** Stable error codes of the Ticket aggregate (besides `TICKET.ILLEGAL_TRANSITION`). */
export const TICKET_ERROR_CODES = {
  /** A ticket id that is not `TICKET-YYYY-NNNNNN`. */
  INVALID_ID: 'TICKET.INVALID_ID',
  /** The year's 999,999 ticket numbers are used up. */
  SEQUENCE_EXHAUSTED: 'TICKET.SEQUENCE_EXHAUSTED',
  /** Moving to `resolved` without a resolution: use `resolve(...)`. */
  RESOLUTION_REQUIRED: 'TICKET.RESOLUTION_REQUIRED',
  /** Customer feedback before the ticket is resolved or closed. */
  FEEDBACK_BEFORE_RESOLUTION: 'TICKET.FEEDBACK_BEFORE_RESOLUTION',
  /** Escalating a ticket that is already escalated. */
  ALREADY_ESCALATED: 'TICKET.ALREADY_ESCALATED',
  /** Escalating a resolved or closed ticket. */
  ESCALATION_NOT_ALLOWED: 'TICKET.ESCALATION_NOT_ALLOWED',
  /** The ticket is closed (final): only feedback, notes and relations may still be added. */
  CLOSED: 'TICKET.CLOSED',
  /** Relating a ticket to itself or making it its own parent. */
  SELF_REFERENCE: 'TICKET.SELF_REFERENCE',
} as const;

export const ticketClosedError = (id: string): BusinessRuleError =>
  new BusinessRuleError(TICKET_ERROR_CODES.CLOSED, 'This ticket is closed and cannot change', { id });
