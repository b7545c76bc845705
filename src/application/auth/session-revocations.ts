import type { Id } from '../../domain/shared/ids.js';
import type { EventBus } from '../ports/gateways.js';
import type { SessionRepository } from '../ports/repositories.js';
import { sessionIdOf } from './authenticated-agent.js';

export const SESSIONS_REVOKED = 'agent.sessions_revoked';

export type SessionRevocationReason = 'logout' | 'password_changed' | 'deactivated' | 'admin';

/**
 * Published after sessions were deleted. Listeners (the websocket layer) close the agent's open
 * connections whose session no longer exists: the session store is the truth, the event is the
 * hint to re-check now, and it also reaches connections held by other API nodes.
 */
export interface SessionsRevokedEvent {
  type: typeof SESSIONS_REVOKED;
  occurredAt: Date;
  payload: {
    agentId: Id;
    reason: SessionRevocationReason;
    /** Only these sessions (see `sessionIdOf`); absent: every session of the agent. */
    sessionIds?: string[];
  };
}

/** Deletes sessions and announces it. Every use case that ends sessions goes through here. */
export class SessionRevocations {
  constructor(
    private readonly sessions: SessionRepository,
    private readonly events: EventBus,
  ) {}

  /** Ends every session of the agent (password change, deactivation). Returns how many were deleted. */
  async revokeAll(agentId: Id, reason: SessionRevocationReason, now: Date): Promise<number> {
    const count = await this.sessions.deleteByAgent(agentId);
    await this.#announce({ agentId, reason }, now);
    return count;
  }

  /** Ends one session (logout). */
  async revokeOne(agentId: Id, tokenHash: string, reason: SessionRevocationReason, now: Date): Promise<void> {
    await this.sessions.delete(tokenHash);
    await this.#announce({ agentId, reason, sessionIds: [sessionIdOf(tokenHash)] }, now);
  }

  async #announce(payload: SessionsRevokedEvent['payload'], now: Date): Promise<void> {
    const event: SessionsRevokedEvent = { type: SESSIONS_REVOKED, occurredAt: new Date(now), payload };
    await this.events.publish([event]);
  }
}
