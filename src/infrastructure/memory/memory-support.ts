/**
 * Shared helpers of the in-memory adapters: defensive copies, id checks and keyset paging that
 * behave exactly like the MongoDB adapters (the contract suites in test/contract hold both to it).
 */
import {
  type CursorPosition,
  clampLimit,
  decodeCursor,
  encodeCursor,
  type Page,
  type PageRequest,
} from '../../application/ports/pagination.js';
import { assertId } from '../../domain/shared/guards.js';
import type { Id } from '../../domain/shared/ids.js';
import { plainCopy } from '../../domain/shared/plain-copy.js';

/**
 * A deep copy that owns no reference of its input, with `undefined`-valued properties dropped (a
 * stored record never has a key whose value is absent, like a MongoDB document): plainCopy.
 */
export const copy = plainCopy;

/** Throws ValidationError('id', …, 'VALIDATION.INVALID_ID') unless `value` is a 24-hex id. */
export function checkId(value: unknown): asserts value is Id {
  assertId('id', value);
}

/**
 * Merges `fields` into `target` (top level): a field given as `undefined` is removed, any other
 * value replaces the stored one (a deep copy of it).
 */
export function mergeFields<T extends object>(target: T, fields: Partial<T>): void {
  const record = target as Record<string, unknown>;
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) delete record[key];
    else record[key] = copy(value);
  }
}

/** Newest first: sort key desc, then id desc. */
export function newestFirst<T extends { id: Id }>(keyOf: (item: T) => number): (a: T, b: T) => number {
  return (a, b) => keyOf(b) - keyOf(a) || compareIds(b.id, a.id);
}

/** Oldest first: sort key asc, then id asc. */
export function oldestFirst<T extends { id: Id }>(keyOf: (item: T) => number): (a: T, b: T) => number {
  return (a, b) => keyOf(a) - keyOf(b) || compareIds(a.id, b.id);
}

/** Lowercase 24-hex ids compare as strings in the same order as the ObjectIds they stand for. */
export const compareIds = (a: Id, b: Id): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * One page of `items` (already filtered) ordered newest first by `keyOf` (ms), ties by id desc,
 * starting after `page.cursor`. `nextCursor` is set only when more items follow. Returns copies.
 */
export function pageByKeyset<T extends { id: Id }>(
  items: Iterable<T>,
  keyOf: (item: T) => number,
  page: PageRequest,
): Page<T> {
  const after: CursorPosition | undefined = page.cursor === undefined ? undefined : decodeCursor(page.cursor);
  const limit = clampLimit(page.limit);
  // Each item's key is computed once (not once per comparison), then only the page is copied.
  const keyed: { key: number; item: T }[] = [];
  for (const item of items) {
    const key = keyOf(item);
    if (!after || key < after.key || (key === after.key && compareIds(item.id, after.id) < 0))
      keyed.push({ key, item });
  }
  keyed.sort((a, b) => b.key - a.key || compareIds(b.item.id, a.item.id));
  const count = Math.min(limit, keyed.length);
  const pageItems = new Array<T>(count);
  for (let i = 0; i < count; i++) pageItems[i] = copy(keyed[i]!.item);
  const result: Page<T> = { items: pageItems };
  const last = keyed[count - 1];
  if (keyed.length > limit && last) result.nextCursor = encodeCursor({ key: last.key, id: last.item.id });
  return result;
}

export const ms = (date: Date): number => date.getTime();

/**
 * A background-scan page (ScanPage): the items matching `keep` whose id is after `page.afterId`,
 * by id ascending, at most `page.limit` (clamped to 1..200). Copies.
 */
export function scanById<T extends { id: Id }>(
  items: T[],
  keep: (item: T) => boolean,
  page: { limit: number; afterId?: Id },
): T[] {
  if (page.afterId !== undefined) checkId(page.afterId);
  const after = page.afterId;
  return items
    .filter((item) => keep(item) && (after === undefined || item.id > after))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .slice(0, clampLimit(page.limit))
    .map(copy);
}
