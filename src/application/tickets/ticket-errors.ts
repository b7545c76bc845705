import { BusinessRuleError } from '../../domain/shared/errors.js';
import type { Id } from '../../domain/shared/ids.js';

/** Codes of refusals decided by the ticket use cases (the aggregate's own are in domain/ticket/ticket.errors.ts). */
export const TICKET_USE_CASE_ERROR_CODES = {
  /** Nobody to escalate to: no explicit target and no active supervisor or admin. */
  NO_ESCALATION_TARGET: 'TICKET.NO_ESCALATION_TARGET',
  /** The agent given the ticket is deactivated or lacks `manage:tickets` (could not even open it). */
  ASSIGNEE_NOT_ELIGIBLE: 'TICKET.ASSIGNEE_NOT_ELIGIBLE',
  /** Setting this parent would make the ticket its own ancestor. */
  PARENT_CYCLE: 'TICKET.PARENT_CYCLE',
} as const;

export const noEscalationTarget = (id: Id): BusinessRuleError =>
  new BusinessRuleError(
    TICKET_USE_CASE_ERROR_CODES.NO_ESCALATION_TARGET,
    'There is no active supervisor or admin to escalate this ticket to',
    { id },
  );

export const assigneeNotEligible = (agentId: Id, why: 'inactive' | 'missing_permission'): BusinessRuleError =>
  new BusinessRuleError(
    TICKET_USE_CASE_ERROR_CODES.ASSIGNEE_NOT_ELIGIBLE,
    why === 'inactive'
      ? 'A deactivated agent cannot be given a ticket'
      : 'This agent cannot work tickets (missing manage:tickets)',
    { agentId, reason: why },
  );

export const parentCycle = (id: Id, parentId: Id): BusinessRuleError =>
  new BusinessRuleError(
    TICKET_USE_CASE_ERROR_CODES.PARENT_CYCLE,
    'This parent would make the ticket its own ancestor',
    { id, parentId },
  );
