import { beforeEach, describe, expect, it } from 'vitest';
import { PERMISSIONS } from '../../../../src/domain/agent/agent.types.js';
import { type AuthFixture, authFixture } from './auth-fixture.js';

describe('EnsureFirstAdmin', () => {
  let fx: AuthFixture;
  beforeEach(() => {
    fx = authFixture();
  });

  it('creates an admin with a generated password when no agent exists, and returns the password once', async () => {
    const result = await fx.ensureFirstAdmin.execute();
    expect(result).toEqual({
      created: true,
      agentId: expect.stringMatching(/^[0-9a-f]{24}$/),
      email: 'admin@crm.local',
      generatedPassword: 'Generated-Password-123456',
    });
    const admin = (await fx.agents.findByEmail('admin@crm.local'))!;
    expect(admin).toMatchObject({ role: 'admin', isActive: true });
    expect([...admin.permissions].sort()).toEqual([...PERMISSIONS].sort());
    await expect(
      fx.login.execute({ email: 'admin@crm.local', password: 'Generated-Password-123456' }),
    ).resolves.toHaveProperty('token');
  });

  it('creates it only once', async () => {
    await fx.ensureFirstAdmin.execute();
    await expect(fx.ensureFirstAdmin.execute()).resolves.toEqual({ created: false });
    expect(await fx.agents.count()).toBe(1);
  });

  it('does nothing when any agent already exists', async () => {
    await fx.givenAgent({ email: 'ana@example.com' });
    await expect(
      fx.ensureFirstAdmin.execute({ email: 'boss@example.com', password: 'a long admin password' }),
    ).resolves.toEqual({
      created: false,
    });
    expect(await fx.agents.findByEmail('boss@example.com')).toBeNull();
  });

  it('uses ADMIN_EMAIL / ADMIN_PASSWORD when given (and returns no password)', async () => {
    const result = await fx.ensureFirstAdmin.execute({
      email: 'Boss@Example.com',
      password: 'a long admin password',
    });
    expect(result).toEqual({ created: true, agentId: expect.any(String), email: 'boss@example.com' });
    await expect(
      fx.login.execute({ email: 'boss@example.com', password: 'a long admin password' }),
    ).resolves.toHaveProperty('token');
  });

  it('refuses an ADMIN_PASSWORD shorter than 12 characters', async () => {
    await expect(
      fx.ensureFirstAdmin.execute({ email: 'boss@example.com', password: 'too-short' }),
    ).rejects.toMatchObject({
      code: 'AUTH.PASSWORD_TOO_SHORT',
    });
    expect(await fx.agents.count()).toBe(0);
  });
});
