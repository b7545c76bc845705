/**
 * Shared plumbing of the MongoDB adapters: id conversion, document validation at the boundary,
 * duplicate-key translation and keyset pagination. Filters are always built here or in the
 * adapters from typed values; nothing a caller passes is ever used as a query object.
 */
import {
  type AnyBulkWriteOperation,
  type Collection,
  type Document,
  type Filter,
  MongoBulkWriteError,
  MongoServerError,
  ObjectId,
  type OptionalUnlessRequiredId,
} from 'mongodb';
import { z } from 'zod';
import type { Page, PageRequest } from '../../application/ports/pagination.js';
import { clampLimit, decodeCursor, encodeCursor } from '../../application/ports/pagination.js';
import {
  ConcurrencyError,
  DuplicateError,
  NotFoundError,
  ValidationError,
} from '../../domain/shared/errors.js';
import { isId } from '../../domain/shared/ids.js';
import type { WriteGuard } from './write-guard.js';

// ---------------------------------------------------------------------------------------------
// Ids

/** Converts a domain id (24-hex) to an ObjectId, refusing anything else before it reaches the driver. */
export function toObjectId(field: string, value: unknown): ObjectId {
  if (!isId(value)) {
    throw new ValidationError(field, 'must be a 24-character hex id', 'VALIDATION.INVALID_ID');
  }
  return ObjectId.createFromHexString(value);
}

export function toOptionalObjectId(field: string, value: unknown): ObjectId | undefined {
  return value === undefined ? undefined : toObjectId(field, value);
}

/** A string value destined for a query or an array field: must be a string and may not look like an operator. */
export function assertSafeString(field: string, value: unknown): string {
  if (typeof value !== 'string') throw new ValidationError(field, 'must be a string');
  if (value.startsWith('$')) {
    throw new ValidationError(field, 'may not start with "$"', 'VALIDATION.INVALID_VALUE');
  }
  return value;
}

export function assertSafeStrings(field: string, values: unknown): string[] {
  if (!Array.isArray(values)) throw new ValidationError(field, 'must be a list of strings');
  return values.map((v, i) => assertSafeString(`${field}.${i}`, v));
}

/**
 * A string compared for equality under a known field (e-mail, phone, key). Only its type matters:
 * under a field, even a value starting with `$` is a literal, never an operator.
 */
export function assertString(field: string, value: unknown): string {
  if (typeof value !== 'string') throw new ValidationError(field, 'must be a string');
  return value;
}

export function assertBoolean(field: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new ValidationError(field, 'must be true or false');
  return value;
}

export function assertDate(field: string, value: unknown): Date {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
    throw new ValidationError(field, 'must be a valid date');
  }
  return value;
}

/** `$inc` document for `statistics.*`, refusing unknown counters and non-numbers. */
export function statisticsIncrement(delta: object, allowed: readonly string[]): Record<string, number> {
  if (delta === null || typeof delta !== 'object')
    throw new ValidationError('statistics', 'must be an object');
  const inc: Record<string, number> = {};
  for (const [key, value] of Object.entries(delta)) {
    if (value === undefined) continue;
    if (!allowed.includes(key)) throw new ValidationError(`statistics.${key}`, 'is not a statistics counter');
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new ValidationError(`statistics.${key}`, 'must be a finite number');
    }
    // A zero still counts: `$inc` by 0 starts an absent optional counter at 0 (as in memory).
    inc[`statistics.${key}`] = value;
  }
  return inc;
}

export function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

// ---------------------------------------------------------------------------------------------
// zod building blocks for documents

/** An ObjectId in the document, a 24-hex string in the record. */
export const zObjectId = z.instanceof(ObjectId).transform((id) => id.toHexString());

/**
 * An optional field: `null` (legacy data) and absent both come out absent. The transform leaves
 * `undefined`, which `dropUndefined` then removes so records never carry `undefined` keys.
 */
export const opt = <T extends z.ZodType>(schema: T) =>
  schema.nullish().transform((v): z.output<T> | undefined => v ?? undefined);

export const zDate = z.date();

/** A document that does not match its collection's schema: a data problem, not a domain refusal. */
export class InvalidDocumentError extends Error {
  constructor(
    readonly collection: string,
    readonly documentId: string,
    readonly issues: readonly string[],
  ) {
    super(`Invalid document in "${collection}" (_id ${documentId}): ${issues.join('; ')}`);
    this.name = 'InvalidDocumentError';
  }
}

export function describeIssues(error: z.ZodError): string[] {
  return error.issues.slice(0, 10).map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
}

function idOf(doc: Document): string {
  const id: unknown = doc._id;
  if (id instanceof ObjectId) return id.toHexString();
  return typeof id === 'string' ? id : JSON.stringify(id ?? null);
}

/** Validates a document read from `collection` and returns the schema's output with no `undefined` keys. */
export function readDocument<S extends z.ZodType>(collection: string, schema: S, doc: Document): z.output<S> {
  const parsed = schema.safeParse(doc);
  if (!parsed.success) throw new InvalidDocumentError(collection, idOf(doc), describeIssues(parsed.error));
  return dropUndefined(parsed.data);
}

/**
 * Checks a document we are about to write against the same schema we read with, so nothing is
 * written that could not be read back. A failure is the caller's bad value: ValidationError.
 */
export function assertWritable(schema: z.ZodType, doc: Document): void {
  const parsed = schema.safeParse(doc);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.map(String).join('.') || 'document';
    throw new ValidationError(field === '_id' ? 'id' : field, issue.message);
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Deep copy of plain objects/arrays without `undefined` object keys (Dates, ObjectIds kept as they are). */
export function dropUndefined<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => dropUndefined(v)) as T;
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v !== undefined) out[k] = dropUndefined(v);
  }
  return out as T;
}

/** Top-level keys of `schema` (an object schema) that `doc` lacks: what an update must `$unset`. */
export function missingKeys(keys: readonly string[], doc: Document): Record<string, ''> {
  const unset: Record<string, ''> = {};
  for (const key of keys) {
    if (key !== '_id' && !(key in doc)) unset[key] = '';
  }
  return unset;
}

export function updateOperators(set: Document, unset: Record<string, ''>): Document {
  return Object.keys(unset).length > 0 ? { $set: set, $unset: unset } : { $set: set };
}

// ---------------------------------------------------------------------------------------------
// Duplicate keys

export function isDuplicateKeyError(error: unknown): error is MongoServerError {
  if (!(error instanceof MongoServerError)) return false;
  if (error.code === 11000 || error.code === 11001) return true;
  // FerretDB v1 (SQLite) reports a unique index violated by an update as an InternalError.
  if (error.code === 1 && /UNIQUE constraint failed/.test(error.message)) return true;
  const writeErrors: unknown = error.writeErrors;
  return Array.isArray(writeErrors) && writeErrors.some((w: { code?: number }) => w.code === 11000);
}

/** The document being inserted (its `_id` may be the duplicate) or updated (its own values do not count). */
export type DuplicateTarget = { insertedId?: ObjectId; updatedId?: ObjectId };

export interface UniqueKey {
  /** Field name reported in the DuplicateError (domain naming). */
  field: string;
  /** Field name in the document. */
  path: string;
  value: unknown;
}

/**
 * Works out which unique key a duplicate-key error was about. MongoDB reports `keyPattern`;
 * FerretDB v1 does not, so the candidates are checked against the stored documents instead.
 */
export async function toDuplicateError(
  error: MongoServerError,
  collection: Collection,
  entity: string,
  keys: readonly UniqueKey[],
  target: DuplicateTarget,
): Promise<DuplicateError> {
  const pattern: unknown = error.keyPattern ?? error.errorResponse?.keyPattern;
  if (isPlainObject(pattern)) {
    const names = Object.keys(pattern);
    const key = keys.find((k) => names.includes(k.path));
    if (key) return new DuplicateError(entity, key.field);
    if (names.includes('_id')) return new DuplicateError(entity, 'id');
  }
  // An insert whose _id is taken is a duplicate id first (like the in-memory adapters).
  if (target.insertedId && (await collection.countDocuments({ _id: target.insertedId }, { limit: 1 })) > 0) {
    return new DuplicateError(entity, 'id');
  }
  const selfId = target.updatedId;
  for (const key of keys) {
    if (key.value === undefined) continue;
    const filter: Filter<Document> = { [key.path]: key.value };
    if (selfId) filter._id = { $ne: selfId };
    if ((await collection.countDocuments(filter, { limit: 1 })) > 0)
      return new DuplicateError(entity, key.field);
  }
  return new DuplicateError(entity, 'id');
}

/** Runs a write, translating duplicate-key errors into DuplicateError (never the driver error). */
export async function translateDuplicates<T>(
  write: () => Promise<T>,
  collection: Collection,
  entity: string,
  keys: readonly UniqueKey[],
  target: DuplicateTarget,
): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (isDuplicateKeyError(error)) throw await toDuplicateError(error, collection, entity, keys, target);
    throw error;
  }
}

/** A write error of a bulk write that is a duplicate key (FerretDB v1 reports some as code 1). */
export function isDuplicateWrite(code: number | undefined, message: string | undefined): boolean {
  return code === 11000 || code === 11001 || (code === 1 && /UNIQUE constraint failed/.test(message ?? ''));
}

/**
 * One unordered `insertMany` (no document lock: an insert needs none). Each document is inserted or
 * refused on its own; the positions in `docs` of those refused as duplicates (of a stored document
 * or of one before it in `docs`) are returned, not thrown. Any other failure throws.
 */
export async function insertManyReportingDuplicates<T extends Document>(
  collection: Collection<T>,
  docs: OptionalUnlessRequiredId<T>[],
): Promise<{ duplicates: number[] }> {
  if (docs.length === 0) return { duplicates: [] };
  try {
    await collection.insertMany(docs, { ordered: false });
    return { duplicates: [] };
  } catch (error) {
    if (error instanceof MongoBulkWriteError) {
      const writeErrors = Array.isArray(error.writeErrors) ? error.writeErrors : [error.writeErrors];
      if (writeErrors.length > 0 && writeErrors.every((w) => isDuplicateWrite(w.code, w.errmsg)))
        return { duplicates: writeErrors.map((w) => w.index) };
    } else if (docs.length === 1 && isDuplicateKeyError(error)) {
      return { duplicates: [0] };
    }
    throw error;
  }
}

/** Inserts one document, turning a duplicate key into the entity's DuplicateError (naming the field). */
export async function insertDocument(
  collection: Collection,
  entity: string,
  doc: Document & { _id: ObjectId },
  uniqueKeys: readonly UniqueKey[] = [],
): Promise<void> {
  await translateDuplicates(() => collection.insertOne(doc), collection, entity, uniqueKeys, {
    insertedId: doc._id,
  });
}

// ---------------------------------------------------------------------------------------------
// Keyset pagination

/** Combines filter clauses with `$and` (each clause may carry its own `$or`). */
export function allOf(clauses: Filter<Document>[]): Filter<Document> {
  if (clauses.length === 0) return {};
  if (clauses.length === 1) return clauses[0]!;
  return { $and: clauses };
}

/**
 * One page sorted by `sortField` desc then `_id` desc, starting after the cursor. Fetches one more
 * than asked for to know whether a next page exists; never uses `skip`.
 */
export async function keysetPage<T extends { id: string }>(
  collection: Collection,
  clauses: Filter<Document>[],
  sortField: string,
  page: PageRequest,
  map: (doc: Document) => T,
  keyOf: (item: T) => Date,
): Promise<Page<T>> {
  const limit = clampLimit(page.limit);
  const all = [...clauses];
  if (page.cursor !== undefined) {
    if (typeof page.cursor !== 'string') throw new ValidationError('cursor', 'is not a valid page cursor');
    const position = decodeCursor(page.cursor);
    const key = new Date(position.key);
    const id = ObjectId.createFromHexString(position.id);
    all.push({ $or: [{ [sortField]: { $lt: key } }, { [sortField]: key, _id: { $lt: id } }] });
  }
  const docs = await collection
    .find(allOf(all))
    .sort({ [sortField]: -1, _id: -1 })
    .limit(limit + 1)
    .toArray();
  const items = docs.slice(0, limit).map(map);
  const last = items.at(-1);
  if (docs.length > limit && last) {
    return { items, nextCursor: encodeCursor({ key: keyOf(last).getTime(), id: last.id }) };
  }
  return { items };
}

/** The filter of a background-scan page (ScanPage): `status` in `statuses`, `_id` after `page.afterId`. */
export function scanFilter(statuses: readonly string[], page: { afterId?: string }): Filter<Document> {
  return page.afterId === undefined
    ? { status: { $in: [...statuses] } }
    : { status: { $in: [...statuses] }, _id: { $gt: toObjectId('afterId', page.afterId) } };
}

// ---------------------------------------------------------------------------------------------
// Optimistic concurrency

export function assertVersion(value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new ValidationError('version', 'must be a non-negative integer');
  }
  return value;
}

/** Documents written before versioning existed count as version 0. */
function versionFilter(version: number): Filter<Document> {
  return version === 0 ? { $or: [{ version: 0 }, { version: { $exists: false } }] } : { version };
}

export interface VersionedUpdate<T> {
  collection: Collection;
  guard: WriteGuard;
  entity: string;
  /** Top-level keys of the collection schema: the ones absent from `doc` are `$unset`. */
  keys: readonly string[];
  /** The full document to store (with `_id`), built from the record. */
  doc: Document & { _id: ObjectId };
  version: number;
  uniqueKeys: readonly UniqueKey[];
  read: (doc: Document) => T;
  /** Top-level keys never written by `update` (counters owned by `$inc`, e.g. `statistics`). */
  preserve?: readonly string[];
}

/**
 * Stores `doc` only if the stored version is `version`, writing `version + 1`, and returns the
 * stored record. Otherwise throws NotFoundError or ConcurrencyError.
 *
 * Where the server's updates are atomic this is one conditional `findOneAndUpdate`. Elsewhere
 * (FerretDB v1) the document lock already makes this writer the only one, so the version is checked
 * on a read by `_id` and the write is an update by `_id`: FerretDB v1 answers a filter on `_id` alone
 * from its primary key, but reads the whole collection for `{ _id, version }`.
 */
export async function updateVersioned<T>(u: VersionedUpdate<T>): Promise<T> {
  const write = versionedWrite(u);
  const id = write._id.toHexString();
  return u.guard.exclusive(u.collection.collectionName, id, async () => {
    if (u.guard.native) {
      const stored = await translateDuplicates(
        () =>
          u.collection.findOneAndUpdate(allOf([{ _id: write._id }, versionFilter(u.version)]), write.update, {
            returnDocument: 'after',
          }),
        u.collection,
        u.entity,
        u.uniqueKeys,
        { updatedId: write._id },
      );
      if (stored) return u.read(stored);
      const exists = (await u.collection.countDocuments({ _id: write._id }, { limit: 1 })) > 0;
      throw exists ? new ConcurrencyError(u.entity, id) : new NotFoundError(u.entity, id);
    }
    const current = await u.collection.findOne({ _id: write._id });
    if (!current) throw new NotFoundError(u.entity, id);
    if (storedVersion(current) !== u.version) throw new ConcurrencyError(u.entity, id);
    await translateDuplicates(
      () => u.collection.updateOne({ _id: write._id }, write.update),
      u.collection,
      u.entity,
      u.uniqueKeys,
      { updatedId: write._id },
    );
    return u.read(write.after(current));
  });
}

/**
 * `updateVersioned` for several documents of one collection at once (the batched inbound path):
 * each is stored only if its stored version is the one given. Returns the stored records, and the
 * ids that were not stored (another writer changed or holds them, or they do not exist) — the caller
 * retries those one by one. A unique key violated by one of them throws.
 *
 * Atomic servers: the conditional updates run side by side. FerretDB v1: the documents' locks are
 * taken in one insert, their versions read in one query, the matching ones written in one bulk
 * write by `_id`, and the locks released in one delete.
 */
export async function updateVersionedMany<T>(
  updates: VersionedUpdate<T>[],
): Promise<{ updated: T[]; conflicts: string[] }> {
  if (updates.length === 0) return { updated: [], conflicts: [] };
  const { collection, guard } = updates[0]!;
  if (guard.native) {
    const settled = await Promise.all(
      updates.map((u) =>
        updateVersioned(u).then(
          (value) => ({ ok: true as const, value }),
          (error: unknown) => {
            if (error instanceof ConcurrencyError || error instanceof NotFoundError)
              return { ok: false as const, id: u.doc._id.toHexString() };
            throw error;
          },
        ),
      ),
    );
    return {
      updated: settled.flatMap((s) => (s.ok ? [s.value] : [])),
      conflicts: settled.flatMap((s) => (s.ok ? [] : [s.id])),
    };
  }
  const writes = new Map(updates.map((u) => [u.doc._id.toHexString(), { u, w: versionedWrite(u) }]));
  return guard.exclusiveMany(collection.collectionName, [...writes.keys()], async (held) => {
    const conflicts = [...writes.keys()].filter((id) => !held.includes(id));
    const updated: T[] = [];
    if (held.length === 0) return { updated, conflicts };
    const current = new Map(
      (await collection.find({ _id: { $in: held.map((id) => writes.get(id)!.w._id) } }).toArray()).map(
        (d) => [(d._id as ObjectId).toHexString(), d],
      ),
    );
    const ops: AnyBulkWriteOperation[] = [];
    for (const id of held) {
      const { u, w } = writes.get(id)!;
      const stored = current.get(id);
      if (!stored || storedVersion(stored) !== u.version) {
        conflicts.push(id);
        continue;
      }
      ops.push({ updateOne: { filter: { _id: w._id }, update: w.update } });
      updated.push(u.read(w.after(stored)));
    }
    if (ops.length > 0) {
      const first = updates[0]!;
      await translateDuplicates(() => bulkWriteChunked(collection, ops), collection, first.entity, [], {});
    }
    return { updated, conflicts };
  });
}

/**
 * Statements per `bulkWrite` command. FerretDB v1.24 never answers an `update` command of 100
 * statements or more (measured: 50 take 25 ms, 100 hang), so bulk writes go in chunks of this size.
 */
export const BULK_CHUNK = 50;

/** `bulkWrite` (unordered) in commands of at most BULK_CHUNK statements. */
export async function bulkWriteChunked<T extends Document>(
  collection: Collection<T>,
  ops: AnyBulkWriteOperation<T>[],
): Promise<void> {
  for (let start = 0; start < ops.length; start += BULK_CHUNK) {
    await collection.bulkWrite(ops.slice(start, start + BULK_CHUNK), { ordered: false });
  }
}

/** The stored version of a document (documents written before versioning existed count as 0). */
function storedVersion(doc: Document): number {
  return typeof doc.version === 'number' ? doc.version : 0;
}

/** The update operators of a versioned write, and the document it produces from the stored one. */
function versionedWrite<T>(u: VersionedUpdate<T>): {
  _id: ObjectId;
  update: Document;
  after: (stored: Document) => Document;
} {
  const { _id, ...rest } = u.doc;
  const set: Document = { ...rest, version: u.version + 1 };
  for (const key of u.preserve ?? []) delete set[key];
  const keys = u.keys.filter((key) => !u.preserve?.includes(key));
  const unset = missingKeys(keys, set);
  return {
    _id,
    update: updateOperators(set, unset),
    after: (stored) => {
      const next: Document = { ...stored, ...set };
      for (const key of Object.keys(unset)) delete next[key];
      return next;
    },
  };
}
