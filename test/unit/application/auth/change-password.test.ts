import { beforeEach, describe, expect, it } from 'vitest';
import { RateLimitedError, ValidationError } from '../../../../src/domain/shared/errors.js';
import { type AuthFixture, authFixture, PASSWORD, rejectionOf } from './auth-fixture.js';

const NEW_PASSWORD = 'a much better passphrase';

describe('ChangePassword', () => {
  let fx: AuthFixture;
  beforeEach(() => {
    fx = authFixture();
  });

  it('revokes every session of the agent, issues a fresh one and swaps the password', async () => {
    const ana = await fx.givenAgent({ email: 'ana@example.com' });
    const laptop = await fx.login.execute({ email: 'ana@example.com', password: PASSWORD });
    const phone = await fx.login.execute({ email: 'ana@example.com', password: PASSWORD });

    const fresh = await fx.changePassword.execute({
      agentId: ana.id,
      currentPassword: PASSWORD,
      newPassword: NEW_PASSWORD,
    });

    await expect(fx.authenticate.execute(laptop.token)).rejects.toMatchObject({
      code: 'AUTH.SESSION_INVALID',
    });
    await expect(fx.authenticate.execute(phone.token)).rejects.toMatchObject({
      code: 'AUTH.SESSION_INVALID',
    });
    await expect(fx.authenticate.execute(fresh.token)).resolves.toHaveProperty('id', ana.id);

    await expect(fx.login.execute({ email: 'ana@example.com', password: PASSWORD })).rejects.toMatchObject({
      code: 'AUTH.INVALID_CREDENTIALS',
    });
    await expect(
      fx.login.execute({ email: 'ana@example.com', password: NEW_PASSWORD }),
    ).resolves.toHaveProperty('token');

    expect(fx.published.map((e) => e.type)).toEqual(
      expect.arrayContaining(['agent.updated', 'agent.sessions_revoked']),
    );
    expect(fx.published.find((e) => e.type === 'agent.sessions_revoked')?.payload).toEqual({
      agentId: ana.id,
      reason: 'password_changed',
    });
  });

  it('audits the change without the hashes', async () => {
    const ana = await fx.givenAgent({ email: 'ana@example.com' });
    await fx.changePassword.execute({
      agentId: ana.id,
      currentPassword: PASSWORD,
      newPassword: NEW_PASSWORD,
    });
    const log = await fx.activity.listByEntity('agent', ana.id, { limit: 10 });
    const entry = log.items.find((e) => e.details.reason === 'password_changed')!;
    expect(entry.details.changes).toEqual(['passwordHash']);
    expect(JSON.stringify(entry)).not.toContain('hashed:');
  });

  it('refuses a wrong current password and keeps the sessions', async () => {
    const ana = await fx.givenAgent({ email: 'ana@example.com' });
    const { token } = await fx.login.execute({ email: 'ana@example.com', password: PASSWORD });

    const err = await rejectionOf(
      fx.changePassword.execute({
        agentId: ana.id,
        currentPassword: 'not my password',
        newPassword: NEW_PASSWORD,
      }),
    );
    expect(err).toBeInstanceOf(ValidationError);
    expect(err).toMatchObject({ code: 'AUTH.WRONG_PASSWORD', field: 'currentPassword' });
    await expect(fx.authenticate.execute(token)).resolves.toHaveProperty('id', ana.id);
  });

  it('counts wrong current passwords against the account throttle', async () => {
    const ana = await fx.givenAgent({ email: 'ana@example.com' });
    for (let i = 0; i < 5; i++) {
      await fx.changePassword
        .execute({ agentId: ana.id, currentPassword: `guess number ${i}`, newPassword: NEW_PASSWORD })
        .catch(() => {});
    }
    await expect(
      fx.changePassword.execute({ agentId: ana.id, currentPassword: PASSWORD, newPassword: NEW_PASSWORD }),
    ).rejects.toBeInstanceOf(RateLimitedError);
  });

  it('refuses a new password shorter than 12 characters', async () => {
    const ana = await fx.givenAgent({ email: 'ana@example.com' });
    await expect(
      fx.changePassword.execute({ agentId: ana.id, currentPassword: PASSWORD, newPassword: 'short-pw-11' }),
    ).rejects.toMatchObject({ code: 'AUTH.PASSWORD_TOO_SHORT', field: 'newPassword' });
  });

  it('refuses a new password equal to the current one', async () => {
    const ana = await fx.givenAgent({ email: 'ana@example.com' });
    await expect(
      fx.changePassword.execute({ agentId: ana.id, currentPassword: PASSWORD, newPassword: PASSWORD }),
    ).rejects.toMatchObject({ code: 'AUTH.PASSWORD_UNCHANGED' });
  });
});
