import { BusinessRuleError } from '../shared/errors.js';

export const AGENT_ERROR_CODES = {
  /** A deactivated agent tried to become available (online/busy/away). */
  INACTIVE: 'AGENT.INACTIVE',
} as const;

export const agentInactive = (agentId: string): BusinessRuleError =>
  new BusinessRuleError(
    AGENT_ERROR_CODES.INACTIVE,
    'A deactivated agent cannot change to an available status',
    {
      agentId,
    },
  );
