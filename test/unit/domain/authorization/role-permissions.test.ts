import { describe, expect, it } from 'vitest';
import { PERMISSIONS } from '../../../../src/domain/agent/agent.types.js';
import {
  defaultPermissionsFor,
  ROLE_PERMISSIONS,
} from '../../../../src/domain/authorization/role-permissions.js';

describe('ROLE_PERMISSIONS', () => {
  it('gives admins all eight permissions', () => {
    expect([...ROLE_PERMISSIONS.admin].sort()).toEqual([...PERMISSIONS].sort());
    expect(ROLE_PERMISSIONS.admin).toHaveLength(8);
  });

  it('gives supervisors everything but manage:agents and system:admin', () => {
    expect([...ROLE_PERMISSIONS.supervisor].sort()).toEqual(
      [
        'assign:conversations',
        'manage:customers',
        'manage:tickets',
        'read:conversations',
        'view:analytics',
        'write:messages',
      ].sort(),
    );
  });

  it('gives agents read, reply, customers and tickets only', () => {
    expect([...ROLE_PERMISSIONS.agent].sort()).toEqual(
      ['manage:customers', 'manage:tickets', 'read:conversations', 'write:messages'].sort(),
    );
  });

  it('hands out a mutable copy that cannot alter the defaults', () => {
    const copy = defaultPermissionsFor('agent');
    copy.push('system:admin');
    expect(ROLE_PERMISSIONS.agent).not.toContain('system:admin');
    expect(defaultPermissionsFor('agent')).not.toContain('system:admin');
  });
});
