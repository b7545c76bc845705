/**
 * Shared assertions of the repository contract suites (not a test file itself).
 *
 * Error codes every adapter must produce (DomainError subclasses from src/domain/shared/errors.ts):
 * - malformed id (any id argument, filter id or record id)  → ValidationError, code `VALIDATION.INVALID_ID`
 * - malformed page cursor                                 → ValidationError, code `VALIDATION.INVALID_CURSOR`
 * - unique key taken → DuplicateError(entity, field), code `<ENTITY>.DUPLICATE_<FIELD>` where FIELD is
 *   the primitives field name upper-cased: `AGENT.DUPLICATE_EMAIL`, `CUSTOMER.DUPLICATE_PHONENUMBER`,
 *   `TICKET.DUPLICATE_TICKETID`, `MESSAGE.DUPLICATE_WHATSAPPMESSAGEID`, `MESSAGE.DUPLICATE_IDEMPOTENCYKEY`,
 *   `SESSION.DUPLICATE_TOKENHASH`, and `<ENTITY>.DUPLICATE_ID` for a reused record id.
 * - missing record → NotFoundError(entity, id), code `<ENTITY>.NOT_FOUND`
 * - stale version  → ConcurrencyError, code `CONCURRENCY.STALE_WRITE`
 * Entity names: agent, customer, conversation, message, ticket, setting, activity, thread, session.
 */
import { expect, it } from 'vitest';
import type { Page, PageRequest } from '../../src/application/ports/pagination.js';
import {
  ConcurrencyError,
  type DomainError,
  DuplicateError,
  NotFoundError,
  ValidationError,
} from '../../src/domain/shared/errors.js';
import { BASE_TIME, newId } from '../support/records.js';

/** Ids that are not 24-character lowercase hex: each must be refused with ValidationError. */
export const MALFORMED_IDS = [
  'not-an-id',
  '',
  '65f1c0ffee65f1c0ffee65f',
  '65F1C0FFEE65F1C0FFEE65F1',
  'zzzzzzzzzzzzzzzzzzzzzzzz',
];

type ErrorClass = abstract new (...args: never[]) => DomainError;

/** Runs `action` and returns the DomainError it threw (sync) or rejected with; fails if it succeeded. */
export async function caught(action: () => Promise<unknown>): Promise<unknown> {
  try {
    await action();
  } catch (error) {
    return error;
  }
  expect.fail('expected the call to fail, but it succeeded');
}

export async function expectDomainError(
  action: () => Promise<unknown>,
  type: ErrorClass,
  code: string,
): Promise<DomainError> {
  const error = await caught(action);
  expect(error).toBeInstanceOf(type);
  expect((error as DomainError).code).toBe(code);
  return error as DomainError;
}

export const expectDuplicate = (action: () => Promise<unknown>, code: string) =>
  expectDomainError(action, DuplicateError, code);

export const expectNotFound = (action: () => Promise<unknown>, code: string) =>
  expectDomainError(action, NotFoundError, code);

export const expectStaleWrite = (action: () => Promise<unknown>) =>
  expectDomainError(action, ConcurrencyError, 'CONCURRENCY.STALE_WRITE');

/** Every id in MALFORMED_IDS is refused with ValidationError `VALIDATION.INVALID_ID`. */
export async function expectInvalidIdRefused(call: (badId: string) => Promise<unknown>): Promise<void> {
  for (const badId of MALFORMED_IDS) {
    await expectDomainError(() => call(badId), ValidationError, 'VALIDATION.INVALID_ID');
  }
}

/**
 * Fails if any property anywhere in `record` is `null` or `undefined`: adapters omit absent optional
 * fields instead of storing or returning nulls. Keys listed in `opaque` (e.g. a setting's free-form
 * `value`) are not walked.
 */
export function expectNoAbsentValues(record: unknown, opaque: string[] = [], path = 'record'): void {
  if (record === null || record === undefined)
    expect.fail(`${path} is ${record}; omit absent fields instead`);
  if (Array.isArray(record)) {
    for (const [i, item] of record.entries()) expectNoAbsentValues(item, [], `${path}[${i}]`);
  } else if (typeof record === 'object' && !(record instanceof Date)) {
    for (const [key, value] of Object.entries(record)) {
      if (!opaque.includes(key)) expectNoAbsentValues(value, [], `${path}.${key}`);
    }
  }
}

/** Ids of `items`, sorted: for comparing result sets whose order is not the point of the test. */
export const idSet = (items: { id: string }[]): string[] => items.map((i) => i.id).sort();

/** Lowercase hex ids compare as strings exactly like the ObjectIds they stand for. */
const compareIds = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The order every list promises: sort key (ms) descending, then id descending. */
export function newestFirst<T extends { id: string }>(items: T[], keyOf: (item: T) => Date): T[] {
  return [...items].sort((a, b) => keyOf(b).getTime() - keyOf(a).getTime() || compareIds(b.id, a.id));
}

/** The same instant mirrored around BASE_TIME: gives a record's other date the opposite order. */
export const mirrored = (at: Date): Date => new Date(2 * BASE_TIME.getTime() - at.getTime());

/**
 * Follows `nextCursor` until the last page and returns the pages. Checks on the way that every page
 * but the last is exactly `limit` long and carries a cursor, and that the last page carries none.
 */
export async function collectPages<T>(
  list: (page: PageRequest) => Promise<Page<T>>,
  limit: number,
): Promise<T[][]> {
  const pages: T[][] = [];
  let cursor: string | undefined;
  for (;;) {
    const page: Page<T> = await list(cursor === undefined ? { limit } : { limit, cursor });
    pages.push(page.items);
    expect(page.items.length).toBeLessThanOrEqual(limit);
    if (page.nextCursor === undefined) return pages;
    expect(typeof page.nextCursor).toBe('string');
    expect(page.items).toHaveLength(limit);
    cursor = page.nextCursor;
    if (pages.length > 100) expect.fail('paging did not terminate after 100 pages');
  }
}

export interface KeysetPagingSetup<T extends { id: string }> {
  /** Stores one record that the list returns, whose sort key is `at`; returns what was stored. */
  insertListed(at: Date): Promise<T>;
  /** Stores one record at `at` that the list must NOT return (another conversation, entity…). */
  insertUnlisted?(at: Date): Promise<unknown>;
  list(page: PageRequest): Promise<Page<T>>;
  /** The field the list is sorted by. */
  sortKey(record: T): Date;
}

/**
 * The keyset paging promises of pagination.ts, for one list method: newest first by the sort key,
 * ties broken by id desc, `limit` clamped to 1..200, `nextCursor` only when more items exist, a
 * malformed cursor refused. `setup` is called inside each test (after the suite's beforeEach).
 */
export function itPagesByKeyset<T extends { id: string }>(setup: () => KeysetPagingSetup<T>): void {
  const insertMany = async (s: KeysetPagingSetup<T>, count: number, keyAt: (i: number) => Date) => {
    const stored: T[] = [];
    for (let i = 0; i < count; i++) {
      stored.push(await s.insertListed(keyAt(i)));
      if (s.insertUnlisted && i % 4 === 0) await s.insertUnlisted(keyAt(i));
    }
    return stored;
  };
  const minutes = (n: number) => new Date(BASE_TIME.getTime() + n * 60_000);

  it('pages through 25 records (runs of equal sort keys) newest first, complete, without duplicates', async () => {
    const s = setup();
    // Groups of three records share a sort key, so page boundaries (limit 10) fall inside ties.
    const stored = await insertMany(s, 25, (i) => minutes(Math.floor(i / 3)));

    const pages = await collectPages(s.list, 10);

    expect(pages.map((p) => p.length)).toEqual([10, 10, 5]);
    const seen = pages.flat();
    expect(seen.map((r) => r.id)).toEqual(newestFirst(stored, s.sortKey).map((r) => r.id));
    expect(new Set(seen.map((r) => r.id)).size).toBe(25);
  });

  it('orders records with one and the same sort key by id, descending, across pages', async () => {
    const s = setup();
    const stored = await insertMany(s, 12, () => minutes(0));

    const pages = await collectPages(s.list, 5);

    expect(pages.map((p) => p.length)).toEqual([5, 5, 2]);
    const expectedIds = stored.map((r) => r.id).sort((a, b) => (a < b ? 1 : a > b ? -1 : 0));
    expect(pages.flat().map((r) => r.id)).toEqual(expectedIds);
  });

  it('returns the items themselves (equal to what was stored) in pages', async () => {
    const s = setup();
    const stored = await insertMany(s, 3, (i) => minutes(i));

    const page = await s.list({ limit: 10 });

    expect(page.items).toEqual(newestFirst(stored, s.sortKey));
    expect(page.nextCursor).toBeUndefined();
  });

  it('gives no nextCursor on a last page that is exactly full', async () => {
    const s = setup();
    await insertMany(s, 20, (i) => minutes(i));

    const first = await s.list({ limit: 10 });
    expect(first.items).toHaveLength(10);
    expect(first.nextCursor).toBeDefined();
    const second = await s.list({ limit: 10, cursor: first.nextCursor });
    expect(second.items).toHaveLength(10);
    expect(second.nextCursor).toBeUndefined();

    const all = await s.list({ limit: 20 });
    expect(all.items).toHaveLength(20);
    expect(all.nextCursor).toBeUndefined();
  });

  it('returns an empty page without nextCursor when nothing matches', async () => {
    const s = setup();
    if (s.insertUnlisted) await s.insertUnlisted(minutes(0));

    const page = await s.list({ limit: 10 });

    expect(page.items).toEqual([]);
    expect(page.nextCursor).toBeUndefined();
  });

  it('clamps limit to at least 1 and at most 200', async () => {
    const s = setup();
    const stored = await insertMany(s, 201, (i) => minutes(i % 50));
    const newest = newestFirst(stored, s.sortKey);

    const zero = await s.list({ limit: 0 });
    expect(zero.items.map((r) => r.id)).toEqual([newest[0]!.id]);
    expect(zero.nextCursor).toBeDefined();

    const negative = await s.list({ limit: -5 });
    expect(negative.items).toHaveLength(1);

    const huge = await s.list({ limit: 1000 });
    expect(huge.items.map((r) => r.id)).toEqual(newest.slice(0, 200).map((r) => r.id));
    expect(huge.nextCursor).toBeDefined();
    const rest = await s.list({ limit: 1000, cursor: huge.nextCursor });
    expect(rest.items.map((r) => r.id)).toEqual([newest[200]!.id]);
    expect(rest.nextCursor).toBeUndefined();
  });

  it('keeps a cursor valid when newer records arrive between pages', async () => {
    const s = setup();
    const stored = await insertMany(s, 6, (i) => minutes(i));
    const first = await s.list({ limit: 3 });

    await s.insertListed(minutes(100)); // newer than everything: belongs before page one

    const second = await s.list({ limit: 3, cursor: first.nextCursor });
    const expected = newestFirst(stored, s.sortKey);
    expect(first.items.map((r) => r.id)).toEqual(expected.slice(0, 3).map((r) => r.id));
    expect(second.items.map((r) => r.id)).toEqual(expected.slice(3).map((r) => r.id));
    expect(second.nextCursor).toBeUndefined();
  });

  it('refuses a malformed cursor with ValidationError VALIDATION.INVALID_CURSOR', async () => {
    const s = setup();
    await s.insertListed(minutes(0));
    const forged = Buffer.from(`12:${newId().toUpperCase()}`, 'utf8').toString('base64url');

    for (const cursor of ['not-a-cursor', 'Zm9vOmJhcg', forged]) {
      await expectDomainError(
        () => s.list({ limit: 10, cursor }),
        ValidationError,
        'VALIDATION.INVALID_CURSOR',
      );
    }
  });
}

export interface ActiveBetweenSetup<T extends { id: string; createdAt: Date; updatedAt: Date }> {
  /** Stores one record with these dates; returns what was stored. */
  insert(dates: { createdAt: Date; updatedAt: Date }): Promise<T>;
  listActiveBetween(range: { from: Date; to: Date }, limit: number): Promise<T[]>;
}

/**
 * The `listActiveBetween(range, limit)` promises (reports): a record is returned when it was created
 * before `to` and last changed at or after `from` (`[from, to)`), newest change first (ties by id
 * desc), at most `limit`; a range whose ends are not valid dates in order is refused.
 */
export function itListsActiveBetween<T extends { id: string; createdAt: Date; updatedAt: Date }>(
  setup: () => ActiveBetweenSetup<T>,
): void {
  const at = (n: number) => new Date(BASE_TIME.getTime() + n * 60_000);
  const range = { from: at(0), to: at(60) };

  it('returns what was created before `to` and changed at or after `from`, newest change first', async () => {
    const s = setup();
    const before = await s.insert({ createdAt: at(-120), updatedAt: at(-1) }); // untouched in range
    const carriedIn = await s.insert({ createdAt: at(-120), updatedAt: at(10) }); // older, worked in range
    const inside = await s.insert({ createdAt: at(5), updatedAt: at(30) });
    const touchedLater = await s.insert({ createdAt: at(20), updatedAt: at(500) }); // e.g. resolved in range, rated later
    const onFrom = await s.insert({ createdAt: at(-5), updatedAt: at(0) }); // `from` is inclusive
    const onTo = await s.insert({ createdAt: at(60), updatedAt: at(61) }); // `to` is exclusive
    const after = await s.insert({ createdAt: at(70), updatedAt: at(80) });

    const found = await s.listActiveBetween(range, 100);

    expect(found.map((r) => r.id)).toEqual([touchedLater.id, inside.id, carriedIn.id, onFrom.id]);
    const ids = found.map((r) => r.id);
    for (const excluded of [before, onTo, after]) expect(ids).not.toContain(excluded.id);
    expect(found[1]).toEqual(inside);
  });

  it('breaks ties of updatedAt by id descending and honours the limit', async () => {
    const s = setup();
    const stored: T[] = [];
    for (let i = 0; i < 5; i++) stored.push(await s.insert({ createdAt: at(1), updatedAt: at(2) }));
    const byIdDesc = stored.map((r) => r.id).sort((a, b) => (a < b ? 1 : a > b ? -1 : 0));

    expect((await s.listActiveBetween(range, 100)).map((r) => r.id)).toEqual(byIdDesc);
    expect((await s.listActiveBetween(range, 3)).map((r) => r.id)).toEqual(byIdDesc.slice(0, 3));
  });

  it('refuses a range that is empty, reversed or not made of dates (ValidationError)', async () => {
    const s = setup();
    await s.insert({ createdAt: at(1), updatedAt: at(2) });
    for (const bad of [
      { from: at(10), to: at(10) },
      { from: at(10), to: at(0) },
      { from: new Date(Number.NaN), to: at(0) },
      { from: '2025-03-03T15:00:00Z' as unknown as Date, to: at(10) },
    ]) {
      const error = await caught(() => s.listActiveBetween(bad, 10));
      expect(error).toBeInstanceOf(ValidationError);
    }
  });
}
