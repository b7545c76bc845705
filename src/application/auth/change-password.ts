import { Agent } from '../../domain/agent/agent.js';
import { NotFoundError, RateLimitedError, ValidationError } from '../../domain/shared/errors.js';
import type { Id } from '../../domain/shared/ids.js';
import type { LoginThrottle, TokenService } from '../ports/auth.js';
import type { Clock, EventBus, IdGenerator, PasswordHasher } from '../ports/gateways.js';
import type { ActivityLogRepository, AgentRepository, SessionRepository } from '../ports/repositories.js';
import { authActivityEntry, type RequestOrigin } from './auth-activity.js';
import { AUTH_ERROR_CODES, assertAcceptablePassword, MAX_PASSWORD_LENGTH } from './auth-errors.js';
import type { SessionRevocations } from './session-revocations.js';

export interface ChangePasswordInput extends RequestOrigin {
  agentId: Id;
  currentPassword: string;
  newPassword: string;
}

export interface ChangePasswordResult {
  /** A fresh session for the caller: every earlier session (this one included) has been revoked. */
  token: string;
  expiresAt: Date;
}

/**
 * The agent changes their own password. The current password must be right (wrong guesses count
 * against the login throttle of the account, so a stolen session cannot brute-force it), the new
 * one must be acceptable and different. All the agent's sessions end; the caller gets a new one.
 */
export class ChangePassword {
  constructor(
    private readonly agents: AgentRepository,
    private readonly sessions: SessionRepository,
    private readonly revocations: SessionRevocations,
    private readonly activity: ActivityLogRepository,
    private readonly events: EventBus,
    private readonly hasher: PasswordHasher,
    private readonly tokens: TokenService,
    private readonly throttle: LoginThrottle,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    private readonly options: { sessionTtlMs: number },
  ) {}

  async execute(input: ChangePasswordInput): Promise<ChangePasswordResult> {
    const now = this.clock.now();
    assertAcceptablePassword('newPassword', input.newPassword);

    const stored = await this.agents.findById(input.agentId);
    if (!stored) throw new NotFoundError('agent', input.agentId);
    const agent = Agent.fromPrimitives(stored);

    const keys = { account: agent.email, ...(input.ip === undefined ? {} : { ip: input.ip }) };
    const verdict = await this.throttle.check(keys, now);
    if (!verdict.allowed) {
      throw new RateLimitedError('Too many wrong passwords; try again later', verdict.retryAfterSeconds);
    }
    const currentOk =
      input.currentPassword.length <= MAX_PASSWORD_LENGTH &&
      (await this.hasher.verify(agent.passwordHash, input.currentPassword));
    if (!currentOk) {
      await this.throttle.recordFailure(keys, now);
      throw new ValidationError('currentPassword', 'is not correct', AUTH_ERROR_CODES.WRONG_PASSWORD);
    }
    if (input.newPassword === input.currentPassword) {
      throw new ValidationError(
        'newPassword',
        'must be different from the current password',
        AUTH_ERROR_CODES.PASSWORD_UNCHANGED,
      );
    }

    agent.changePasswordHash(await this.hasher.hash(input.newPassword), now);
    await this.agents.update(agent.toPrimitives());
    await this.events.publish(agent.pullEvents());
    await this.revocations.revokeAll(agent.id, 'password_changed', now);

    const token = this.tokens.generate();
    const expiresAt = new Date(now.getTime() + this.options.sessionTtlMs);
    await this.sessions.insert({
      tokenHash: this.tokens.hash(token),
      agentId: agent.id,
      createdAt: now,
      expiresAt,
      ...(input.ip === undefined ? {} : { ipAddress: input.ip }),
      ...(input.userAgent === undefined ? {} : { userAgent: input.userAgent.slice(0, 512) }),
    });
    await this.activity.append(
      authActivityEntry({
        id: this.ids.next(),
        agentId: agent.id,
        performedBy: agent.id,
        reason: 'password_changed',
        before: { passwordHash: stored.passwordHash },
        after: { passwordHash: agent.passwordHash },
        origin: input,
        now,
      }),
    );
    return { token, expiresAt };
  }
}
