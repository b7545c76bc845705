import type { Agent, AgentPublic } from '../../domain/agent/agent.js';
import type { AgentRole, Permission } from '../../domain/agent/agent.types.js';
import type { Actor } from '../../domain/authorization/authorize.js';
import type { Id } from '../../domain/shared/ids.js';

/** The caller behind a valid session. Satisfies the domain's `Actor`, so it can go straight to `authorize`. */
export interface AuthenticatedAgent extends Actor {
  readonly id: Id;
  readonly role: AgentRole;
  readonly permissions: readonly Permission[];
  readonly isActive: true;
  readonly email: string;
  /** The agent as the API shows it (no password hash). */
  readonly profile: AgentPublic;
  readonly session: { readonly id: string; readonly expiresAt: Date };
}

/**
 * A short, non-secret handle for a session, derived from the stored token digest: safe to log and
 * to put in events (it cannot be turned back into the token or the digest).
 */
export const sessionIdOf = (tokenHash: string): string => tokenHash.slice(0, 16);

export function toAuthenticatedAgent(
  agent: Agent,
  session: { tokenHash: string; expiresAt: Date },
): AuthenticatedAgent {
  return {
    id: agent.id,
    role: agent.role,
    permissions: agent.permissions,
    isActive: true,
    email: agent.email,
    profile: agent.toPublic(),
    session: { id: sessionIdOf(session.tokenHash), expiresAt: new Date(session.expiresAt) },
  };
}
