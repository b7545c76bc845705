/**
 * Who an escalation goes to. Shared by tickets and conversations.
 */
import type { AgentRole, AgentStatus } from '../agent/agent.types.js';
import type { Priority } from '../conversation/conversation.types.js';
import type { Id } from '../shared/ids.js';

export interface EscalationAssignee {
  id: Id;
  supervisorId?: Id;
}

export interface EscalationCandidate {
  id: Id;
  role: AgentRole;
  isActive: boolean;
  status: AgentStatus;
}

/**
 * Picks the escalation target among `candidates` (typically the active supervisors and admins):
 * 1. the assignee's own supervisor (`supervisorId`), if present in the list and active
 *    (whatever its role or presence status);
 * 2. else an active supervisor who is online;
 * 3. else any active supervisor;
 * 4. else an active admin, preferring an online one;
 * 5. else undefined.
 * The assignee is never chosen as their own target. Ties keep the order of `candidates`.
 */
export function chooseEscalationTarget<C extends EscalationCandidate>(
  assignee: EscalationAssignee | undefined,
  candidates: readonly C[],
): C | undefined {
  const eligible = candidates.filter((c) => c.isActive && c.id !== assignee?.id);
  if (assignee?.supervisorId) {
    const own = eligible.find((c) => c.id === assignee.supervisorId);
    if (own) return own;
  }
  const supervisors = eligible.filter((c) => c.role === 'supervisor');
  const admins = eligible.filter((c) => c.role === 'admin');
  return (
    supervisors.find((c) => c.status === 'online') ??
    supervisors[0] ??
    admins.find((c) => c.status === 'online') ??
    admins[0]
  );
}

const PRIORITY_STEPS: readonly Priority[] = ['low', 'medium', 'high', 'urgent'];

/** One priority step up (low → medium → high → urgent); urgent stays urgent. */
export function raisePriority(priority: Priority): Priority {
  const i = PRIORITY_STEPS.indexOf(priority);
  return PRIORITY_STEPS[Math.min(i + 1, PRIORITY_STEPS.length - 1)]!;
}
