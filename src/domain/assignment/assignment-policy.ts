import type { AgentPrimitives, AgentStatistics, Permission } from '../agent/agent.types.js';
import type { ConversationStatus } from '../conversation/conversation.types.js';
import type { Id } from '../shared/ids.js';

/** What the policy reads from an agent. `AgentPrimitives` and the `Agent` entity both satisfy it. */
export type AssignmentCandidate = Pick<
  AgentPrimitives,
  'id' | 'isActive' | 'status' | 'preferences' | 'statistics' | 'lastActivity'
> & { readonly permissions: readonly Permission[] };

export type IneligibilityReason =
  | 'inactive'
  | 'not_online'
  | 'auto_assignment_off'
  | 'at_capacity'
  | 'missing_permission';

export type Eligibility = { eligible: true } | { eligible: false; reason: IneligibilityReason };

/** Permissions needed to be given a conversation automatically: read it and answer it. */
export const ASSIGNMENT_PERMISSIONS: readonly Permission[] = ['read:conversations', 'write:messages'];

/**
 * Whether the agent may receive a conversation automatically: active, online (busy/away/offline
 * agents are skipped), with auto-assignment on in their preferences, below capacity, and able to
 * read and answer conversations.
 */
export function isEligibleForAssignment(
  agent: AssignmentCandidate,
  opts: { maxConversations: number },
): Eligibility {
  if (!agent.isActive) return { eligible: false, reason: 'inactive' };
  if (agent.status !== 'online') return { eligible: false, reason: 'not_online' };
  if (!agent.preferences.autoAssignment) return { eligible: false, reason: 'auto_assignment_off' };
  // Written as "not below" so a NaN limit fails closed.
  if (!(agent.statistics.currentActiveConversations < opts.maxConversations)) {
    return { eligible: false, reason: 'at_capacity' };
  }
  if (!ASSIGNMENT_PERMISSIONS.every((p) => agent.permissions.includes(p))) {
    return { eligible: false, reason: 'missing_permission' };
  }
  return { eligible: true };
}

export interface AssignmentRequest<A extends AssignmentCandidate = AssignmentCandidate> {
  candidates: readonly A[];
  /** The customer's preferred agent (customer.preferences.preferredAgent). */
  preferredAgentId?: Id;
  maxConversations: number;
  /** The `auto_assignment_enabled` setting. */
  autoAssignmentEnabled: boolean;
  customerBlocked: boolean;
}

/**
 * The eligible agents in the order the application should try them (it reserves a capacity slot
 * atomically on each in turn, because concurrent assignments race for the same agents):
 * the customer's preferred agent first when eligible, then the least loaded, ties broken by the
 * oldest `lastActivity` (never active counts as oldest), then by id. Deterministic.
 * Empty when auto-assignment is off or the customer is blocked.
 */
export function rankCandidates<A extends AssignmentCandidate>(req: AssignmentRequest<A>): A[] {
  if (!req.autoAssignmentEnabled || req.customerBlocked) return [];
  const seen = new Set<Id>();
  const eligible = req.candidates.filter((a) => {
    if (seen.has(a.id)) return false;
    seen.add(a.id);
    return isEligibleForAssignment(a, { maxConversations: req.maxConversations }).eligible;
  });
  const ranked = [...eligible].sort(byLoadThenIdleThenId);
  const preferredIndex = ranked.findIndex((a) => a.id === req.preferredAgentId);
  if (preferredIndex > 0) {
    const [preferred] = ranked.splice(preferredIndex, 1);
    if (preferred) ranked.unshift(preferred);
  }
  return ranked;
}

/** The first agent of `rankCandidates`, or undefined when nobody can take the conversation. */
export function chooseAgent<A extends AssignmentCandidate>(req: AssignmentRequest<A>): A | undefined {
  return rankCandidates(req)[0];
}

function byLoadThenIdleThenId(a: AssignmentCandidate, b: AssignmentCandidate): number {
  const load = a.statistics.currentActiveConversations - b.statistics.currentActiveConversations;
  if (load !== 0) return load;
  const idle =
    (a.lastActivity?.getTime() ?? Number.NEGATIVE_INFINITY) -
    (b.lastActivity?.getTime() ?? Number.NEGATIVE_INFINITY);
  if (idle !== 0 && !Number.isNaN(idle)) return idle;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------
// Agent statistics counters

/** Statuses in which a conversation holds a slot of its agent's capacity. */
export const SLOT_HOLDING_STATUSES: readonly ConversationStatus[] = ['open', 'assigned', 'waiting'];

/** What happened to a conversation, from the point of view of its agents' counters. */
export type AssignmentEvent =
  | { type: 'assigned'; agentId: Id }
  | { type: 'transferred'; fromAgentId?: Id; toAgentId: Id }
  /** Put back in the queue (e.g. its agent was deactivated). */
  | { type: 'unassigned'; agentId: Id }
  | { type: 'resolved'; agentId?: Id }
  /** `from`: the status the conversation was closed from (a resolved one already gave its slot back). */
  | { type: 'closed'; agentId?: Id; from: ConversationStatus }
  /** Reopened with its agent kept. */
  | { type: 'reopened'; agentId?: Id };

export type AgentStatisticsInc = Partial<Record<keyof AgentStatistics, number>>;

/**
 * `$inc`-style counter deltas per agent id for an assignment event (agents whose counters do not
 * change are absent). Apply with `AgentRepository.incrementStatistics`; where the application has
 * already taken the slot with `reserveConversationSlot`, it applies the rest without
 * `currentActiveConversations`.
 */
export function statisticsDeltaFor(event: AssignmentEvent): Record<Id, AgentStatisticsInc> {
  switch (event.type) {
    case 'assigned':
      return { [event.agentId]: { currentActiveConversations: 1, totalConversations: 1 } };
    case 'transferred': {
      if (event.fromAgentId === event.toAgentId) return {};
      const deltas: Record<Id, AgentStatisticsInc> = {
        [event.toAgentId]: { currentActiveConversations: 1, totalConversations: 1 },
      };
      if (event.fromAgentId !== undefined) deltas[event.fromAgentId] = { currentActiveConversations: -1 };
      return deltas;
    }
    case 'unassigned':
      return { [event.agentId]: { currentActiveConversations: -1 } };
    case 'resolved':
      return event.agentId === undefined
        ? {}
        : { [event.agentId]: { currentActiveConversations: -1, resolvedConversations: 1 } };
    case 'closed':
      return event.agentId === undefined || !SLOT_HOLDING_STATUSES.includes(event.from)
        ? {}
        : { [event.agentId]: { currentActiveConversations: -1 } };
    case 'reopened':
      return event.agentId === undefined ? {} : { [event.agentId]: { currentActiveConversations: 1 } };
  }
}
