import { beforeEach, describe, expect, it } from 'vitest';
import { RateLimitedError, UnauthorizedError } from '../../../../src/domain/shared/errors.js';
import { hashToken } from '../../../../src/infrastructure/crypto/token.js';
import { type AuthFixture, authFixture, PASSWORD, rejectionOf, SESSION_TTL_MS } from './auth-fixture.js';

const MINUTE = 60_000;

describe('Login', () => {
  let fx: AuthFixture;
  beforeEach(() => {
    fx = authFixture();
  });

  it('opens a session: opaque token, expiry after the TTL, public view of the agent', async () => {
    const stored = await fx.givenAgent({ email: 'ana@example.com' });
    const result = await fx.login.execute({ email: 'ana@example.com', password: PASSWORD, ip: '10.0.0.1' });

    expect(result.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(result.expiresAt).toEqual(new Date(fx.clock.now().getTime() + SESSION_TTL_MS));
    expect(result.agent.id).toBe(stored.id);
    expect(result.agent).not.toHaveProperty('passwordHash');
    expect(result.agent.lastLogin).toEqual(fx.clock.now());

    // Only the digest is stored.
    expect(await fx.sessions.findByTokenHash(result.token)).toBeNull();
    const session = await fx.sessions.findByTokenHash(hashToken(result.token));
    expect(session).toMatchObject({ agentId: stored.id, ipAddress: '10.0.0.1', expiresAt: result.expiresAt });

    expect((await fx.agents.findById(stored.id))?.lastLogin).toEqual(fx.clock.now());
    const log = await fx.activity.listByEntity('agent', stored.id, { limit: 10 });
    expect(log.items).toEqual([
      expect.objectContaining({
        action: 'updated',
        performedBy: stored.id,
        details: expect.objectContaining({ reason: 'login', changes: ['lastLogin'] }),
      }),
    ]);
  });

  it('matches the e-mail case-insensitively and ignores surrounding spaces', async () => {
    await fx.givenAgent({ email: 'ana@example.com' });
    await expect(
      fx.login.execute({ email: '  Ana@Example.COM ', password: PASSWORD }),
    ).resolves.toHaveProperty('token');
  });

  it('answers the same error for an unknown e-mail, a wrong password and a deactivated agent', async () => {
    await fx.givenAgent({ email: 'ana@example.com' });
    await fx.givenAgent({ email: 'off@example.com', inactive: true });

    const unknown = await rejectionOf(
      fx.login.execute({ email: 'nobody@example.com', password: PASSWORD, ip: '1.1.1.1' }),
    );
    const wrong = await rejectionOf(
      fx.login.execute({ email: 'ana@example.com', password: 'wrong password!!', ip: '1.1.1.2' }),
    );
    const inactive = await rejectionOf(
      fx.login.execute({ email: 'off@example.com', password: PASSWORD, ip: '1.1.1.3' }),
    );

    for (const err of [unknown, wrong, inactive]) {
      expect(err).toBeInstanceOf(UnauthorizedError);
      expect(err).toMatchObject({
        code: 'AUTH.INVALID_CREDENTIALS',
        message: 'Invalid email or password',
        details: {},
      });
    }
  });

  it('spends one password verification for an unknown e-mail too (against a dummy hash)', async () => {
    await fx.givenAgent({ email: 'ana@example.com' });
    await fx.login.execute({ email: 'nobody@example.com', password: PASSWORD }).catch(() => {});
    await fx.login.execute({ email: 'ana@example.com', password: 'wrong password!!' }).catch(() => {});

    expect(fx.hasher.verifyCalls).toHaveLength(2);
    expect(fx.hasher.verifyCalls[0]).toMatch(/^hashed:/); // the dummy hash, produced by the same hasher
  });

  it('creates no session on failure and logs the failed attempt of a known account', async () => {
    const ana = await fx.givenAgent({ email: 'ana@example.com' });
    await fx.login.execute({ email: 'ana@example.com', password: 'wrong password!!' }).catch(() => {});
    expect(await fx.sessions.deleteByAgent(ana.id)).toBe(0);
    const log = await fx.activity.listByEntity('agent', ana.id, { limit: 10 });
    expect(log.items.map((e) => e.details.reason)).toEqual(['login_failed']);
  });

  describe('throttling', () => {
    it('locks an account for 15 minutes after 5 failures, even for the right password, with retryAfter', async () => {
      await fx.givenAgent({ email: 'ana@example.com' });
      for (let i = 0; i < 5; i++) {
        fx.clock.advance(MINUTE);
        const err = await rejectionOf(
          fx.login.execute({ email: 'ana@example.com', password: `wrong-${i}-password`, ip: `10.0.0.${i}` }),
        );
        expect(err).toBeInstanceOf(UnauthorizedError);
      }
      fx.clock.advance(MINUTE);
      const locked = await rejectionOf(
        fx.login.execute({ email: 'ana@example.com', password: PASSWORD, ip: '10.9.9.9' }),
      );
      expect(locked).toBeInstanceOf(RateLimitedError);
      expect(locked).toMatchObject({ code: 'AUTH.RATE_LIMITED', retryAfterSeconds: 14 * 60 });

      fx.clock.advance(14 * MINUTE);
      await expect(
        fx.login.execute({ email: 'ana@example.com', password: PASSWORD }),
      ).resolves.toHaveProperty('token');
    });

    it('does not verify the password while the account is locked', async () => {
      await fx.givenAgent({ email: 'ana@example.com' });
      for (let i = 0; i < 5; i++)
        await fx.login.execute({ email: 'ana@example.com', password: 'nope-nope-nope' }).catch(() => {});
      const before = fx.hasher.verifyCalls.length;
      await fx.login.execute({ email: 'ana@example.com', password: PASSWORD }).catch(() => {});
      expect(fx.hasher.verifyCalls.length).toBe(before);
    });

    it('locks unknown e-mails the same way (no hint that the account does not exist)', async () => {
      for (let i = 0; i < 5; i++)
        await fx.login.execute({ email: 'ghost@example.com', password: 'nope-nope-nope' }).catch(() => {});
      await expect(
        fx.login.execute({ email: 'ghost@example.com', password: 'nope-nope-nope' }),
      ).rejects.toBeInstanceOf(RateLimitedError);
    });

    it('forgets failures older than the 15-minute window', async () => {
      await fx.givenAgent({ email: 'ana@example.com' });
      for (let i = 0; i < 4; i++)
        await fx.login.execute({ email: 'ana@example.com', password: 'nope-nope-nope' }).catch(() => {});
      fx.clock.advance(16 * MINUTE);
      for (let i = 0; i < 4; i++)
        await fx.login.execute({ email: 'ana@example.com', password: 'nope-nope-nope' }).catch(() => {});
      await expect(
        fx.login.execute({ email: 'ana@example.com', password: PASSWORD }),
      ).resolves.toHaveProperty('token');
    });

    it('resets the account counter on success', async () => {
      await fx.givenAgent({ email: 'ana@example.com' });
      for (let i = 0; i < 4; i++)
        await fx.login.execute({ email: 'ana@example.com', password: 'nope-nope-nope' }).catch(() => {});
      await fx.login.execute({ email: 'ana@example.com', password: PASSWORD });
      for (let i = 0; i < 4; i++)
        await fx.login.execute({ email: 'ana@example.com', password: 'nope-nope-nope' }).catch(() => {});
      await expect(
        fx.login.execute({ email: 'ana@example.com', password: PASSWORD }),
      ).resolves.toHaveProperty('token');
    });

    it('locks an IP address after 20 failures across accounts, and only that address', async () => {
      await fx.givenAgent({ email: 'ana@example.com' });
      for (let i = 0; i < 20; i++) {
        await fx.login
          .execute({ email: `user${i}@example.com`, password: 'nope-nope-nope', ip: '203.0.113.7' })
          .catch(() => {});
      }
      const err = await rejectionOf(
        fx.login.execute({ email: 'ana@example.com', password: PASSWORD, ip: '203.0.113.7' }),
      );
      expect(err).toBeInstanceOf(RateLimitedError);
      expect((err as RateLimitedError).retryAfterSeconds).toBe(15 * 60);

      await expect(
        fx.login.execute({ email: 'ana@example.com', password: PASSWORD, ip: '198.51.100.1' }),
      ).resolves.toHaveProperty('token');
    });
  });
});
