import type { AgentRole, Permission } from '../../domain/agent/agent.types.js';
import type { Id } from '../../domain/shared/ids.js';

/** Who performs a use case: an authenticated agent, or the system itself (webhooks, jobs). */
export interface AgentActor {
  kind: 'agent';
  id: Id;
  role: AgentRole;
  permissions: Permission[];
  isActive: boolean;
}

export interface SystemActor {
  kind: 'system';
}

export type Actor = AgentActor | SystemActor;

export const SYSTEM: SystemActor = { kind: 'system' };

/** Request metadata carried into the activity log. */
export interface RequestMeta {
  ipAddress?: string;
  userAgent?: string;
}

export const actorId = (actor: Actor): Id | undefined => (actor.kind === 'agent' ? actor.id : undefined);
