import { beforeEach, describe, expect, it } from 'vitest';
import { hashToken } from '../../../../src/infrastructure/crypto/token.js';
import { type AuthFixture, authFixture, PASSWORD } from './auth-fixture.js';

describe('Logout', () => {
  let fx: AuthFixture;
  beforeEach(() => {
    fx = authFixture();
  });

  it('ends only the current session and announces it', async () => {
    const ana = await fx.givenAgent({ email: 'ana@example.com' });
    const first = await fx.login.execute({ email: 'ana@example.com', password: PASSWORD });
    const second = await fx.login.execute({ email: 'ana@example.com', password: PASSWORD });

    await fx.logout.execute({ token: first.token, ip: '10.0.0.1' });

    await expect(fx.authenticate.execute(first.token)).rejects.toMatchObject({
      code: 'AUTH.SESSION_INVALID',
    });
    await expect(fx.authenticate.execute(second.token)).resolves.toHaveProperty('id', ana.id);
    expect(fx.published.filter((e) => e.type === 'agent.sessions_revoked')).toEqual([
      expect.objectContaining({
        payload: { agentId: ana.id, reason: 'logout', sessionIds: [hashToken(first.token).slice(0, 16)] },
      }),
    ]);
    const log = await fx.activity.listByEntity('agent', ana.id, { limit: 10 });
    expect(log.items.map((e) => e.details.reason)).toContain('logout');
  });

  it('is idempotent: an unknown or already ended session is not an error', async () => {
    await fx.givenAgent({ email: 'ana@example.com' });
    const { token } = await fx.login.execute({ email: 'ana@example.com', password: PASSWORD });
    await fx.logout.execute({ token });
    await expect(fx.logout.execute({ token })).resolves.toBeUndefined();
    await expect(fx.logout.execute({ token: 'never-issued' })).resolves.toBeUndefined();
    expect(fx.published.filter((e) => e.type === 'agent.sessions_revoked')).toHaveLength(1);
  });
});
