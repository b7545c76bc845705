import type { AgentRole, Permission } from '../agent/agent.types.js';
import { ForbiddenError } from '../shared/errors.js';
import type { Id } from '../shared/ids.js';

/**
 * Every operation the API exposes, mapped to the permission it needs (`null`: no permission,
 * only the rule of the action applies). Keep this map the single source of truth: the edges
 * call `assertAuthorized(actor, action, resource)` and nothing else decides access.
 *
 * Choices where the seed's eight permissions do not name the operation:
 * - There is no `write:conversations`: working a conversation (status, notes, tags/priority,
 *   AI suggestions) needs `write:messages`, the permission of whoever handles it.
 * - Reading a customer profile, the agent directory (transfer targets) and the settings
 *   (business hours, limits; secrets never live in settings) needs `read:conversations`:
 *   anyone who can open a conversation needs them to work it.
 * - Tickets have a single permission, so reading them needs `manage:tickets` too.
 * - The audit trail (activity log) carries IPs and user agents: `view:analytics`
 *   (supervisors, admins).
 * - Erasing a customer destroys data and changing settings affects everybody: `system:admin`.
 */
export const ACTION_PERMISSIONS = {
  'conversation.read': 'read:conversations',
  'conversation.update': 'write:messages', // priority, category, tags, AI on/off
  'conversation.assign': 'assign:conversations', // except taking an unassigned one for oneself
  'conversation.transfer': 'assign:conversations',
  'conversation.changeStatus': 'write:messages',
  'conversation.note': 'write:messages',
  'message.send': 'write:messages',
  'message.read': 'read:conversations',
  'customer.read': 'read:conversations',
  'customer.write': 'manage:customers',
  'customer.block': 'manage:customers',
  'customer.erase': 'system:admin',
  'ticket.read': 'manage:tickets',
  'ticket.write': 'manage:tickets',
  'ticket.escalate': 'manage:tickets',
  'agent.read': 'read:conversations', // one's own record is always readable
  'agent.manage': 'manage:agents',
  'agent.updateSelf': null, // own id only
  'settings.read': 'read:conversations',
  'settings.write': 'system:admin',
  'analytics.read': 'view:analytics',
  'activity.read': 'view:analytics',
  'ai.use': 'write:messages',
} as const satisfies Record<string, Permission | null>;

export type Action = keyof typeof ACTION_PERMISSIONS;
export const ACTIONS = Object.keys(ACTION_PERMISSIONS) as Action[];

/** Who is acting. An `Agent` entity satisfies this shape. */
export interface Actor {
  readonly id: Id;
  readonly role: AgentRole;
  readonly permissions: readonly Permission[];
  readonly isActive: boolean;
}

/**
 * What the action is applied to. Omitted: the action in general (e.g. a list endpoint, whose
 * results must then be restricted with `conversationVisibilityFilter`).
 */
export type Resource =
  | {
      kind: 'conversation';
      /** Current assignee; undefined = the unassigned queue. */
      assignedAgent?: Id;
      /** For `conversation.assign` / `conversation.transfer`: the agent who will receive it. */
      assignTo?: Id;
    }
  | { kind: 'ticket'; assignedAgent?: Id; conversationAssignedAgent?: Id }
  | { kind: 'agent'; id: Id }
  | { kind: 'customer'; id?: Id };

export type DenialReason =
  | 'inactive' // the actor is deactivated
  | 'missing_permission' // the actor lacks the permission the action needs
  | 'out_of_scope' // an `agent` acting on someone else's conversation/ticket
  | 'not_self' // `agent.updateSelf` on another agent
  | 'resource_mismatch'; // the resource is not of the kind the action applies to

export type AuthorizationDecision =
  | { allowed: true }
  | { allowed: false; reason: DenialReason; message: string; missingPermission?: Permission };

/** ForbiddenError carrying the machine reason of the refusal (code stays `AUTH.FORBIDDEN`). */
export class AuthorizationError extends ForbiddenError {
  constructor(
    readonly action: Action,
    readonly reason: DenialReason,
    message: string,
  ) {
    super(message);
    this.name = 'AuthorizationError';
  }
}

const ALLOW: AuthorizationDecision = { allowed: true };
const deny = (
  reason: DenialReason,
  message: string,
  missingPermission?: Permission,
): AuthorizationDecision =>
  missingPermission === undefined
    ? { allowed: false, reason, message }
    : { allowed: false, reason, message, missingPermission };

const RESOURCE_KIND: Record<string, Resource['kind']> = {
  conversation: 'conversation',
  message: 'conversation', // messages are authorised through their conversation
  ai: 'conversation',
  ticket: 'ticket',
  agent: 'agent',
  customer: 'customer',
};

/** Plain agents work only on their own conversations and the unassigned queue; supervisors/admins see all. */
const seesEverything = (actor: Actor): boolean => actor.role !== 'agent';

const inConversationScope = (actor: Actor, assignedAgent: Id | undefined): boolean =>
  seesEverything(actor) || assignedAgent === undefined || assignedAgent === actor.id;

const inTicketScope = (actor: Actor, r: { assignedAgent?: Id; conversationAssignedAgent?: Id }): boolean =>
  seesEverything(actor) ||
  r.assignedAgent === undefined ||
  r.assignedAgent === actor.id ||
  r.conversationAssignedAgent === actor.id;

const has = (actor: Actor, permission: Permission): boolean => actor.permissions.includes(permission);

/** The one function deciding access. Pure; never throws. */
export function authorize(actor: Actor, action: Action, resource?: Resource): AuthorizationDecision {
  if (!actor.isActive) return deny('inactive', 'This account is deactivated');
  if (!(action in ACTION_PERMISSIONS)) return deny('missing_permission', `Unknown action ${String(action)}`);

  const expectedKind = RESOURCE_KIND[action.split('.')[0] ?? ''];
  if (resource !== undefined && resource.kind !== expectedKind) {
    return deny('resource_mismatch', `${action} does not apply to a ${resource.kind}`);
  }

  if (action === 'agent.updateSelf') {
    return resource?.kind === 'agent' && resource.id === actor.id
      ? ALLOW
      : deny('not_self', 'Agents can only update their own profile this way');
  }
  if (action === 'agent.read' && resource?.kind === 'agent' && resource.id === actor.id) return ALLOW;

  if (
    action === 'conversation.assign' &&
    resource?.kind === 'conversation' &&
    isSelfAssignFromQueue(actor, resource)
  ) {
    // Taking an unassigned conversation for oneself: needs to be able to work it, not `assign:conversations`.
    for (const p of ['read:conversations', 'write:messages'] as const) {
      if (!has(actor, p)) return deny('missing_permission', `Taking a conversation needs ${p}`, p);
    }
    return ALLOW;
  }

  const required: Permission | null = ACTION_PERMISSIONS[action];
  if (required !== null && !has(actor, required)) {
    return deny('missing_permission', `${action} needs the ${required} permission`, required);
  }

  if (resource?.kind === 'conversation' && !inConversationScope(actor, resource.assignedAgent)) {
    return deny('out_of_scope', 'This conversation is assigned to another agent');
  }
  if (resource?.kind === 'ticket' && !inTicketScope(actor, resource)) {
    return deny('out_of_scope', 'This ticket belongs to another agent');
  }
  return ALLOW;
}

const isSelfAssignFromQueue = (actor: Actor, r: { assignedAgent?: Id; assignTo?: Id }): boolean =>
  r.assignedAgent === undefined && r.assignTo === actor.id;

/** Throws AuthorizationError (a ForbiddenError, code `AUTH.FORBIDDEN`) when `authorize` refuses. */
export function assertAuthorized(actor: Actor, action: Action, resource?: Resource): void {
  const decision = authorize(actor, action, resource);
  if (!decision.allowed) throw new AuthorizationError(action, decision.reason, decision.message);
}

export type ConversationVisibility = { all: true } | { visibleTo: Id };

/**
 * The restriction to apply to conversation lists for this actor: plain agents see their own
 * conversations plus the unassigned queue (`ConversationFilter.visibleTo`); supervisors and admins
 * see all. Throws AuthorizationError when the actor may not read conversations at all.
 */
export function conversationVisibilityFilter(actor: Actor): ConversationVisibility {
  assertAuthorized(actor, 'conversation.read');
  return seesEverything(actor) ? { all: true } : { visibleTo: actor.id };
}
