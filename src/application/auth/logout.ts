import type { TokenService } from '../ports/auth.js';
import type { Clock, IdGenerator } from '../ports/gateways.js';
import type { ActivityLogRepository, SessionRepository } from '../ports/repositories.js';
import { authActivityEntry, type RequestOrigin } from './auth-activity.js';
import type { SessionRevocations } from './session-revocations.js';

export interface LogoutInput extends RequestOrigin {
  token: string;
}

/** Ends the session behind `token`. Idempotent: an unknown or already ended session is not an error. */
export class Logout {
  constructor(
    private readonly sessions: SessionRepository,
    private readonly revocations: SessionRevocations,
    private readonly activity: ActivityLogRepository,
    private readonly tokens: TokenService,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
  ) {}

  async execute(input: LogoutInput): Promise<void> {
    const now = this.clock.now();
    const tokenHash = this.tokens.hash(input.token);
    const session = await this.sessions.findByTokenHash(tokenHash);
    if (!session) return;
    await this.revocations.revokeOne(session.agentId, tokenHash, 'logout', now);
    await this.activity.append(
      authActivityEntry({
        id: this.ids.next(),
        agentId: session.agentId,
        performedBy: session.agentId,
        reason: 'logout',
        origin: input,
        now,
      }),
    );
  }
}
