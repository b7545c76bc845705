import { Agent, type AgentPublic } from '../../domain/agent/agent.js';
import { RateLimitedError } from '../../domain/shared/errors.js';
import type { LoginThrottle, TokenService } from '../ports/auth.js';
import type { Clock, IdGenerator, PasswordHasher } from '../ports/gateways.js';
import type { ActivityLogRepository, AgentRepository, SessionRepository } from '../ports/repositories.js';
import { authActivityEntry, type RequestOrigin } from './auth-activity.js';
import { invalidCredentials, MAX_PASSWORD_LENGTH } from './auth-errors.js';

export interface LoginInput extends RequestOrigin {
  email: string;
  password: string;
}

export interface LoginResult {
  /** The opaque bearer token; shown to the client once, stored only as a digest. */
  token: string;
  expiresAt: Date;
  agent: AgentPublic;
}

export interface LoginOptions {
  sessionTtlMs: number;
}

/** Hashed once per process; verifying against it costs what a real verify costs. */
const DUMMY_PASSWORD = 'timing-equalizer-never-a-real-password';

/**
 * E-mail + password → a new session.
 *
 * Every refusal is the same `AUTH.INVALID_CREDENTIALS` error, and an unknown e-mail still pays
 * one argon2 verify, so neither the answer nor its timing tells whether an account exists. The
 * throttle is checked first (per account and per IP) and counts every failure.
 */
export class Login {
  #dummyHash: Promise<string> | undefined;

  constructor(
    private readonly agents: AgentRepository,
    private readonly sessions: SessionRepository,
    private readonly activity: ActivityLogRepository,
    private readonly hasher: PasswordHasher,
    private readonly tokens: TokenService,
    private readonly throttle: LoginThrottle,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    private readonly options: LoginOptions,
  ) {}

  async execute(input: LoginInput): Promise<LoginResult> {
    const now = this.clock.now();
    const email = input.email.trim().toLowerCase();
    const keys = { account: email, ...(input.ip === undefined ? {} : { ip: input.ip }) };

    const verdict = await this.throttle.check(keys, now);
    if (!verdict.allowed) {
      throw new RateLimitedError(
        'Too many failed login attempts; try again later',
        verdict.retryAfterSeconds,
      );
    }

    const stored = await this.agents.findByEmail(email);
    const password = input.password.length > MAX_PASSWORD_LENGTH ? '' : input.password;
    let passwordOk = false;
    if (stored) passwordOk = await this.hasher.verify(stored.passwordHash, password);
    else await this.hasher.verify(await this.dummyHash(), password); // same cost, result ignored

    if (!stored || !passwordOk || !stored.isActive || password === '') {
      await this.throttle.recordFailure(keys, now);
      if (stored) {
        await this.activity.append(
          authActivityEntry({
            id: this.ids.next(),
            agentId: stored.id,
            reason: 'login_failed',
            origin: input,
            now,
          }),
        );
      }
      throw invalidCredentials();
    }

    await this.throttle.recordSuccess(keys, now);
    const agent = Agent.fromPrimitives(stored);
    agent.recordLogin(now);
    // Presence fields are last-writer-wins (no version check): two logins at once must not conflict.
    await this.agents.touch(agent.id, { lastLogin: now, lastActivity: now });

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
        reason: 'login',
        before: { lastLogin: stored.lastLogin },
        after: { lastLogin: now },
        origin: input,
        now,
      }),
    );
    return { token, expiresAt, agent: agent.toPublic() };
  }

  /** Computes the dummy hash ahead of the first request (call at start-up) so even that one is not slower. */
  async warmUp(): Promise<void> {
    await this.dummyHash();
  }

  private dummyHash(): Promise<string> {
    if (!this.#dummyHash) {
      this.#dummyHash = this.hasher.hash(DUMMY_PASSWORD);
      // A failed hash must not be cached forever.
      this.#dummyHash.catch(() => {
        this.#dummyHash = undefined;
      });
    }
    return this.#dummyHash;
  }
}
