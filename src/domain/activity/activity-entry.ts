import { ValidationError } from '../shared/errors.js';
import { assertEnum, assertId, assertMaxLength } from '../shared/guards.js';
import type { Id } from '../shared/ids.js';
import {
  ACTIVITY_ACTIONS,
  type ActivityAction,
  type ActivityLogPrimitives,
  ENTITY_TYPES,
  type EntityType,
} from './activity.types.js';

export interface ActivityEntryInput {
  entityType: EntityType;
  entityId: Id;
  action: ActivityAction;
  /** State before the change (usually the entity's primitives, or the relevant part of them). */
  before?: Record<string, unknown>;
  after?: Record<string, unknown>;
  /** The agent who acted; absent when the system acted. */
  performedBy?: Id;
  reason?: string;
  ipAddress?: string;
  userAgent?: string;
}

export const ACTIVITY_LIMITS = Object.freeze({ reason: 1000, ipAddress: 45, userAgent: 512 });

/** Top-level bookkeeping fields that change on every write: kept in before/after, left out of `changes`. */
const BOOKKEEPING = new Set(['updatedAt', 'version']);

/** Field names whose values never reach the log: password, passwordHash, any *token*, any *secret*. */
export const isSecretKey = (key: string): boolean => /password|token|secret/i.test(key);

/**
 * Builds an audit entry. `details.changes` lists the fields that differ between `before` and
 * `after` as dot paths (`status`, `preferences.language`), compared deeply (Dates by instant,
 * arrays by value; an array counts as one field; undefined and absent are the same). Secret fields are
 * named in `changes` (so "password changed" is auditable) but their values are stripped from
 * before/after, at any depth.
 */
export function buildActivityEntry(
  input: ActivityEntryInput,
  ctx: { id: Id; now: Date },
): ActivityLogPrimitives {
  const entry: ActivityLogPrimitives = {
    id: assertId('id', ctx.id),
    entityType: assertEnum('entityType', input.entityType, ENTITY_TYPES),
    entityId: assertId('entityId', input.entityId),
    action: assertEnum('action', input.action, ACTIVITY_ACTIONS),
    details: { changes: changedPaths(snapshot('before', input.before), snapshot('after', input.after)) },
    timestamp: new Date(ctx.now),
  };
  if (input.performedBy !== undefined) entry.performedBy = assertId('performedBy', input.performedBy);
  if (input.before !== undefined) entry.details.before = stripSecrets(input.before);
  if (input.after !== undefined) entry.details.after = stripSecrets(input.after);
  const reason = input.reason?.trim();
  if (reason) {
    assertMaxLength('reason', reason, ACTIVITY_LIMITS.reason);
    entry.details.reason = reason;
  }
  if (input.ipAddress !== undefined) {
    if (!/^[0-9a-fA-F:.]{2,45}$/.test(input.ipAddress)) {
      throw new ValidationError('ipAddress', 'must be an IPv4 or IPv6 address', 'VALIDATION.INVALID_IP');
    }
    entry.ipAddress = input.ipAddress;
  }
  if (input.userAgent !== undefined) {
    const ua = input.userAgent.trim().slice(0, ACTIVITY_LIMITS.userAgent); // client-supplied: cut, not refused
    if (ua) entry.userAgent = ua;
  }
  return entry;
}

function snapshot(field: string, value: Record<string, unknown> | undefined): Record<string, unknown> {
  if (value === undefined) return {};
  if (!isPlainObject(value)) throw new ValidationError(field, 'must be an object');
  return value;
}

/** Dot paths of the fields that differ (sorted), deepest where both sides are objects. */
export function changedPaths(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  const out: string[] = [];
  diff(before, after, '', out);
  return out.filter((p) => !BOOKKEEPING.has(p)).sort();
}

function diff(a: unknown, b: unknown, path: string, out: string[]): void {
  if (isPlainObject(a) && isPlainObject(b)) {
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      diff(a[key], b[key], path === '' ? key : `${path}.${key}`, out);
    }
    return;
  }
  if (!deepEqual(a, b)) out.push(path);
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === 'number' && typeof b === 'number') return Number.isNaN(a) && Number.isNaN(b);
  if (a instanceof Date || b instanceof Date) {
    return a instanceof Date && b instanceof Date && Object.is(a.getTime(), b.getTime());
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    return (
      Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]))
    );
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      if (!deepEqual(a[key], b[key])) return false;
    }
    return true;
  }
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
    // Other value objects (e.g. a driver's ObjectId): compare their serialised form.
    return Object.getPrototypeOf(a) === Object.getPrototypeOf(b) && JSON.stringify(a) === JSON.stringify(b);
  }
  return false;
}

/** A deep copy without secret fields (see `isSecretKey`). */
export function stripSecrets<T extends Record<string, unknown>>(value: T): Record<string, unknown> {
  return strip(value) as Record<string, unknown>;
}

function strip(value: unknown): unknown {
  if (value instanceof Date) return new Date(value.getTime());
  if (Array.isArray(value)) return value.map(strip);
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      if (!isSecretKey(key)) out[key] = strip(v);
    }
    return out;
  }
  return value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
