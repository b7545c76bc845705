import { describe, expect, it } from 'vitest';
import {
  buildActivityEntry,
  changedPaths,
  deepEqual,
} from '../../../../src/domain/activity/activity-entry.js';
import { ValidationError } from '../../../../src/domain/shared/errors.js';
import { agentId, anAgent } from '../../../support/builders/agent.js';

const NOW = new Date('2025-03-03T15:00:00.000Z');
const ENTRY_ID = '0123456789abcdef01234567';
const ENTITY = agentId(0x51);
const ctx = { id: ENTRY_ID, now: NOW };

const fieldOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (e) {
    if (e instanceof ValidationError) return e.field;
    throw e;
  }
  return undefined;
};

describe('buildActivityEntry', () => {
  it('builds the log record', () => {
    const entry = buildActivityEntry(
      {
        entityType: 'conversation',
        entityId: ENTITY,
        action: 'assigned',
        before: { status: 'open' },
        after: { status: 'assigned', assignedAgent: agentId(2) },
        performedBy: agentId(3),
        reason: ' cliente VIP ',
        ipAddress: '2001:db8::1',
        userAgent: 'Mozilla/5.0',
      },
      ctx,
    );
    expect(entry).toEqual({
      id: ENTRY_ID,
      entityType: 'conversation',
      entityId: ENTITY,
      action: 'assigned',
      performedBy: agentId(3),
      details: {
        before: { status: 'open' },
        after: { status: 'assigned', assignedAgent: agentId(2) },
        changes: ['assignedAgent', 'status'],
        reason: 'cliente VIP',
      },
      ipAddress: '2001:db8::1',
      userAgent: 'Mozilla/5.0',
      timestamp: NOW,
    });
  });

  it('omits performedBy when the system acted and before/after when not given', () => {
    const entry = buildActivityEntry({ entityType: 'ticket', entityId: ENTITY, action: 'escalated' }, ctx);
    expect(entry).not.toHaveProperty('performedBy');
    expect(entry.details).toEqual({ changes: [] });
  });

  it('lists every field of `after` on creation', () => {
    const entry = buildActivityEntry(
      {
        entityType: 'customer',
        entityId: ENTITY,
        action: 'created',
        after: { phoneNumber: '+52', tags: [] },
      },
      ctx,
    );
    expect(entry.details.changes).toEqual(['phoneNumber', 'tags']);
  });

  it.each([
    ['entityType', { entityType: 'invoice' }],
    ['action', { action: 'exploded' }],
    ['entityId', { entityId: '42' }],
    ['performedBy', { performedBy: 'admin' }],
    ['ipAddress', { ipAddress: '<script>' }],
    ['reason', { reason: 'r'.repeat(1001) }],
    ['before', { before: [1, 2] }],
  ])('validates %s', (field, overrides) => {
    expect(
      fieldOf(() =>
        buildActivityEntry(
          { entityType: 'agent', entityId: ENTITY, action: 'updated', ...(overrides as object) },
          ctx,
        ),
      ),
    ).toBe(field);
  });

  it('cuts an overlong user agent instead of refusing it', () => {
    const entry = buildActivityEntry(
      { entityType: 'agent', entityId: ENTITY, action: 'updated', userAgent: 'u'.repeat(2000) },
      ctx,
    );
    expect(entry.userAgent).toHaveLength(512);
  });
});

describe('changes (diff)', () => {
  it('reports nested fields as dot paths', () => {
    expect(
      changedPaths(
        { preferences: { language: 'es', notifications: { email: true, push: true } }, firstName: 'Ana' },
        { preferences: { language: 'en', notifications: { email: true, push: false } }, firstName: 'Ana' },
      ),
    ).toEqual(['preferences.language', 'preferences.notifications.push']);
  });

  it('reports a whole object that appeared or disappeared by its own path', () => {
    expect(changedPaths({}, { address: { city: 'León' } })).toEqual(['address']);
    expect(changedPaths({ address: { city: 'León' } }, {})).toEqual(['address']);
  });

  it('compares Dates by instant', () => {
    const a = { lastLogin: new Date('2025-03-03T15:00:00Z') };
    expect(changedPaths(a, { lastLogin: new Date('2025-03-03T15:00:00Z') })).toEqual([]);
    expect(changedPaths(a, { lastLogin: new Date('2025-03-03T15:00:01Z') })).toEqual(['lastLogin']);
    expect(changedPaths(a, { lastLogin: '2025-03-03T15:00:00.000Z' })).toEqual(['lastLogin']);
  });

  it('compares arrays by value and reports them as one field', () => {
    expect(changedPaths({ tags: ['a', 'b'] }, { tags: ['a', 'b'] })).toEqual([]);
    expect(changedPaths({ tags: ['a', 'b'] }, { tags: ['b', 'a'] })).toEqual(['tags']);
    expect(changedPaths({ tags: ['a'] }, { tags: ['a', 'b'] })).toEqual(['tags']);
    expect(
      changedPaths({ notes: [{ at: new Date(0), text: 'x' }] }, { notes: [{ at: new Date(0), text: 'x' }] }),
    ).toEqual([]);
    expect(changedPaths({ notes: [{ text: 'x' }] }, { notes: [{ text: 'y' }] })).toEqual(['notes']);
  });

  it('treats undefined and absent as equal, null as a value', () => {
    expect(changedPaths({ notes: undefined }, {})).toEqual([]);
    expect(changedPaths({ notes: undefined }, { notes: null })).toEqual(['notes']);
  });

  it('leaves out updatedAt and version bookkeeping', () => {
    expect(
      changedPaths(
        { status: 'open', updatedAt: new Date(1), version: 1 },
        { status: 'open', updatedAt: new Date(2), version: 2 },
      ),
    ).toEqual([]);
  });

  it('deepEqual handles NaN, nested records and differing types', () => {
    expect(deepEqual(Number.NaN, Number.NaN)).toBe(true);
    expect(deepEqual({ a: { b: [1, { c: 2 }] } }, { a: { b: [1, { c: 2 }] } })).toBe(true);
    expect(deepEqual({ a: 1 }, [1])).toBe(false);
    expect(deepEqual(1, '1')).toBe(false);
  });
});

describe('secrets', () => {
  it('strips passwordHash, password and *token* / *secret* fields at any depth, naming them in changes', () => {
    const before = anAgent().withId(ENTITY).build().toPrimitives();
    const after = { ...before, passwordHash: '$argon2id$new', updatedAt: new Date(5) };
    const entry = buildActivityEntry(
      {
        entityType: 'agent',
        entityId: ENTITY,
        action: 'updated',
        before: {
          ...before,
          session: { accessToken: 'tok-old-111', refreshTOKEN: 'tok-refresh-222', kept: 1 },
        },
        after: {
          ...after,
          session: { accessToken: 'tok-new-333', refreshTOKEN: 'tok-refresh-222', kept: 1 },
          password: 'plain-pw-444',
          appSecret: 'app-secret-555',
        },
      },
      ctx,
    );
    expect(entry.details.changes).toEqual(['appSecret', 'password', 'passwordHash', 'session.accessToken']);
    const serialised = JSON.stringify(entry);
    for (const secret of [
      '$argon2id',
      'tok-old-111',
      'tok-new-333',
      'tok-refresh-222',
      'plain-pw-444',
      'app-secret-555',
    ])
      expect(serialised).not.toContain(secret);
    expect(entry.details.after).toMatchObject({ session: { kept: 1 }, email: before.email });
    expect(entry.details.after).not.toHaveProperty('passwordHash');
    expect(entry.details.before).not.toHaveProperty('passwordHash');
  });

  it('strips secrets inside arrays and leaves the inputs untouched', () => {
    const before = { webhooks: [{ url: 'https://x', verifyToken: 't1' }] };
    const entry = buildActivityEntry(
      { entityType: 'agent', entityId: ENTITY, action: 'updated', before },
      ctx,
    );
    expect(entry.details.before).toEqual({ webhooks: [{ url: 'https://x' }] });
    expect(before.webhooks[0]).toHaveProperty('verifyToken', 't1');
  });

  it('copies Dates', () => {
    const at = new Date('2025-01-01T00:00:00Z');
    const entry = buildActivityEntry(
      { entityType: 'agent', entityId: ENTITY, action: 'updated', after: { at } },
      ctx,
    );
    at.setFullYear(2000);
    expect(entry.details.after).toEqual({ at: new Date('2025-01-01T00:00:00Z') });
  });
});
