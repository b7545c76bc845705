/**
 * Auth use cases wired on the shared in-memory adapters, with a hand-driven clock and a fast,
 * call-counting password hasher (argon2 itself is tested in test/unit/infrastructure/crypto).
 */
import { Authenticate } from '../../../../src/application/auth/authenticate.js';
import { ChangePassword } from '../../../../src/application/auth/change-password.js';
import { EnsureFirstAdmin } from '../../../../src/application/auth/ensure-first-admin.js';
import { Login } from '../../../../src/application/auth/login.js';
import { Logout } from '../../../../src/application/auth/logout.js';
import { SessionRevocations } from '../../../../src/application/auth/session-revocations.js';
import type { PasswordGenerator } from '../../../../src/application/ports/auth.js';
import type { Clock, PasswordHasher, PublishedEvent } from '../../../../src/application/ports/gateways.js';
import type { AgentPrimitives } from '../../../../src/domain/agent/agent.types.js';
import { InMemoryLoginThrottle } from '../../../../src/infrastructure/auth/in-memory-login-throttle.js';
import { ObjectIdGenerator } from '../../../../src/infrastructure/crypto/object-id-generator.js';
import { OpaqueTokenService } from '../../../../src/infrastructure/crypto/token.js';
import { InProcessEventBus } from '../../../../src/infrastructure/events/in-process-event-bus.js';
import { InMemoryActivityLogRepository } from '../../../../src/infrastructure/memory/in-memory-activity-log-repository.js';
import { InMemoryAgentRepository } from '../../../../src/infrastructure/memory/in-memory-agent-repository.js';
import { InMemorySessionRepository } from '../../../../src/infrastructure/memory/in-memory-session-repository.js';
import { anAgent } from '../../../support/builders/agent.js';

export const SESSION_TTL_MS = 12 * 3_600_000;
export const PASSWORD = 'correct horse battery staple';

export class FakeClock implements Clock {
  constructor(public current = new Date('2025-03-03T15:00:00.000Z')) {}
  now(): Date {
    return new Date(this.current);
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

/** `hashed:<password>`; counts verify calls, so tests can see that a verify was spent. */
export class CountingHasher implements PasswordHasher {
  verifyCalls: string[] = [];
  async hash(password: string): Promise<string> {
    return `hashed:${password}`;
  }
  async verify(hash: string, password: string): Promise<boolean> {
    this.verifyCalls.push(hash);
    return hash === `hashed:${password}`;
  }
}

export class FixedPasswordGenerator implements PasswordGenerator {
  generate(): string {
    return 'Generated-Password-123456';
  }
}

export function authFixture() {
  const clock = new FakeClock();
  const ids = new ObjectIdGenerator();
  const agents = new InMemoryAgentRepository();
  const sessions = new InMemorySessionRepository();
  const activity = new InMemoryActivityLogRepository();
  const events = new InProcessEventBus();
  const published: PublishedEvent[] = [];
  events.subscribe((e) => published.push(e));
  const hasher = new CountingHasher();
  const tokens = new OpaqueTokenService();
  const throttle = new InMemoryLoginThrottle();
  const revocations = new SessionRevocations(sessions, events);
  const opts = { sessionTtlMs: SESSION_TTL_MS };

  const fx = {
    clock,
    agents,
    sessions,
    activity,
    events,
    published,
    hasher,
    tokens,
    throttle,
    login: new Login(agents, sessions, activity, hasher, tokens, throttle, clock, ids, opts),
    logout: new Logout(sessions, revocations, activity, tokens, clock, ids),
    authenticate: new Authenticate(sessions, agents, tokens, clock),
    changePassword: new ChangePassword(
      agents,
      sessions,
      revocations,
      activity,
      events,
      hasher,
      tokens,
      throttle,
      clock,
      ids,
      opts,
    ),
    ensureFirstAdmin: new EnsureFirstAdmin(
      agents,
      activity,
      events,
      hasher,
      new FixedPasswordGenerator(),
      clock,
      ids,
    ),
    /** Stores an agent whose password is `password` (default PASSWORD). */
    async givenAgent(
      options: {
        email?: string;
        password?: string;
        inactive?: boolean;
        role?: 'admin' | 'supervisor' | 'agent';
      } = {},
    ): Promise<AgentPrimitives> {
      let builder = anAgent().withEmail(options.email ?? `ana.${ids.next()}@example.com`);
      if (options.role) builder = builder.withRole(options.role);
      if (options.inactive) builder = builder.inactive();
      const p = builder.buildPrimitives();
      p.passwordHash = await hasher.hash(options.password ?? PASSWORD);
      await agents.insert(p);
      return p;
    },
  };
  return fx;
}

export type AuthFixture = ReturnType<typeof authFixture>;

/** The rejection of `promise`, for asserting on its fields. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected the promise to reject');
}
