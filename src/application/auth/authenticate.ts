import { Agent } from '../../domain/agent/agent.js';
import type { TokenService } from '../ports/auth.js';
import type { Clock } from '../ports/gateways.js';
import type { AgentRepository, SessionRepository } from '../ports/repositories.js';
import { sessionInvalid } from './auth-errors.js';
import { type AuthenticatedAgent, toAuthenticatedAgent } from './authenticated-agent.js';

/**
 * Bearer token → the agent behind it. Refuses (UnauthorizedError `AUTH.SESSION_INVALID`) unknown
 * tokens, expired sessions (deleting them on the way) and deactivated or vanished agents, all
 * with the same error.
 */
export class Authenticate {
  constructor(
    private readonly sessions: SessionRepository,
    private readonly agents: AgentRepository,
    private readonly tokens: TokenService,
    private readonly clock: Clock,
  ) {}

  async execute(token: string): Promise<AuthenticatedAgent> {
    if (typeof token !== 'string' || token.length === 0 || token.length > 256) throw sessionInvalid();
    const tokenHash = this.tokens.hash(token);
    const session = await this.sessions.findByTokenHash(tokenHash);
    if (!session) throw sessionInvalid();

    if (session.expiresAt.getTime() <= this.clock.now().getTime()) {
      await this.sessions.delete(tokenHash);
      throw sessionInvalid();
    }

    const stored = await this.agents.findById(session.agentId);
    if (!stored?.isActive) {
      // Deactivation revokes sessions; this covers a revocation that was missed (or a deleted agent).
      await this.sessions.delete(tokenHash);
      throw sessionInvalid();
    }
    return toAuthenticatedAgent(Agent.fromPrimitives(stored), session);
  }
}
