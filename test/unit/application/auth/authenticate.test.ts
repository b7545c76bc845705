import { beforeEach, describe, expect, it } from 'vitest';
import { ROLE_PERMISSIONS } from '../../../../src/domain/authorization/role-permissions.js';
import { UnauthorizedError } from '../../../../src/domain/shared/errors.js';
import { hashToken } from '../../../../src/infrastructure/crypto/token.js';
import { type AuthFixture, authFixture, PASSWORD, rejectionOf, SESSION_TTL_MS } from './auth-fixture.js';

describe('Authenticate', () => {
  let fx: AuthFixture;
  beforeEach(() => {
    fx = authFixture();
  });

  it('turns a valid token into the agent, its permissions and its session', async () => {
    const ana = await fx.givenAgent({ email: 'ana@example.com', role: 'supervisor' });
    const { token, expiresAt } = await fx.login.execute({ email: 'ana@example.com', password: PASSWORD });

    const me = await fx.authenticate.execute(token);
    expect(me).toMatchObject({ id: ana.id, role: 'supervisor', email: 'ana@example.com', isActive: true });
    expect([...me.permissions].sort()).toEqual([...ROLE_PERMISSIONS.supervisor].sort());
    expect(me.profile).not.toHaveProperty('passwordHash');
    expect(me.session).toEqual({ id: hashToken(token).slice(0, 16), expiresAt });
  });

  it('refuses an unknown token', async () => {
    const err = await rejectionOf(fx.authenticate.execute('not-a-token'));
    expect(err).toBeInstanceOf(UnauthorizedError);
    expect(err).toMatchObject({ code: 'AUTH.SESSION_INVALID' });
  });

  it('refuses an expired session and deletes it', async () => {
    await fx.givenAgent({ email: 'ana@example.com' });
    const { token } = await fx.login.execute({ email: 'ana@example.com', password: PASSWORD });

    fx.clock.advance(SESSION_TTL_MS - 1);
    await expect(fx.authenticate.execute(token)).resolves.toHaveProperty('email', 'ana@example.com');

    fx.clock.advance(1);
    await expect(fx.authenticate.execute(token)).rejects.toMatchObject({ code: 'AUTH.SESSION_INVALID' });
    expect(await fx.sessions.findByTokenHash(hashToken(token))).toBeNull();
  });

  it('refuses the session of an agent deactivated since logging in', async () => {
    const ana = await fx.givenAgent({ email: 'ana@example.com' });
    const { token } = await fx.login.execute({ email: 'ana@example.com', password: PASSWORD });
    const stored = (await fx.agents.findById(ana.id))!;
    await fx.agents.update({ ...stored, isActive: false });

    await expect(fx.authenticate.execute(token)).rejects.toMatchObject({ code: 'AUTH.SESSION_INVALID' });
  });
});
