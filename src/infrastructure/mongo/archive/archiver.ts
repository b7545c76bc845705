/**
 * Archiving (schema design, "Data Archiving"): closed conversations whose `closedAt` is older than
 * the cutoff move to `conversations_archive`, messages whose `timestamp` is older than the cutoff
 * move to `messages_archive`.
 *
 * The design's loop deletes each document right after inserting its copy, and an insert that meets
 * an earlier copy fails. Here, per batch:
 *   1. copy: `replaceOne({ _id }, doc, { upsert: true })` for every document of the batch, so a copy
 *      left by an interrupted run is simply overwritten;
 *   2. confirm: read the copies back and keep the documents whose copy is there and equal on the
 *      fields that change (conversation `version`, message `status`/`whatsappStatus`);
 *   3. delete: remove each confirmed original only if it is still what was copied (same version or
 *      status, still eligible). A document changed in between stays live; the next run copies it
 *      again. On servers without atomic updates (FerretDB v1) each delete runs under the document's
 *      write lock, like every repository write (write-guard.ts).
 * Killed anywhere, nothing is lost: an original is deleted only after its copy is confirmed, and a
 * rerun overwrites copies instead of duplicating them. Nothing is ever deleted from the archives.
 */
import type { AnyBulkWriteOperation, Collection, Db, Document, Filter, ObjectId, Sort } from 'mongodb';
import { COLLECTIONS } from '../indexes.js';
import type { MongoCapabilities } from '../mongo-client.js';
import { type WriteGuard, writeGuardFor } from '../write-guard.js';

export type ArchiveKind = 'conversations' | 'messages';

export interface ArchiveProgress {
  kind: ArchiveKind;
  /** Batches done so far (1-based after the first). */
  batch: number;
  /** Expected number of batches (from the count taken at the start). */
  batches: number;
  /** Documents looked at so far. */
  processed: number;
  /** Eligible documents counted at the start. */
  total: number;
  elapsedMs: number;
}

export interface ArchiveHooks {
  /** Called after a batch is copied and confirmed, before its originals are deleted (tests: a kill). */
  afterCopy?(info: { kind: ArchiveKind; batch: number; ids: string[] }): void | Promise<void>;
}

export interface ArchiveOptions {
  /** Documents older than this instant are archived. */
  cutoff: Date;
  batchSize: number;
  /** Count what would be archived; write nothing. */
  dryRun?: boolean;
  onProgress?(progress: ArchiveProgress): void;
  hooks?: ArchiveHooks;
}

export interface ArchiveCounts {
  /** Eligible when the run started. */
  eligible: number;
  /** Copied to the archive (and confirmed) in this run. */
  copied: number;
  /** Originals deleted after their copy was confirmed: the documents now archived. */
  archived: number;
  /** Left live because they changed (or went away) between copy and delete. */
  changed: number;
}

export interface ArchiveResult {
  cutoff: Date;
  dryRun: boolean;
  conversations: ArchiveCounts;
  messages: ArchiveCounts;
  elapsedMs: number;
}

interface KindSpec {
  kind: ArchiveKind;
  source: Collection;
  target: Collection;
  eligible: Filter<Document>;
  sort: Sort;
  /** Filter of the documents after `last` (keyset), or undefined to always start from the front. */
  after?: (last: Document) => Filter<Document>;
  /** Fields whose equality between original and copy confirms the copy (and guards the delete). */
  confirmFields: readonly string[];
}

/** Moves old closed conversations and old messages to their archive collections, in batches. */
export async function archiveOldData(
  db: Db,
  capabilities: Pick<MongoCapabilities, 'atomicUpdates'>,
  options: ArchiveOptions,
): Promise<ArchiveResult> {
  const started = Date.now();
  const { cutoff } = options;
  if (!(cutoff instanceof Date) || Number.isNaN(cutoff.getTime())) throw new Error('cutoff must be a date');
  if (!Number.isInteger(options.batchSize) || options.batchSize < 1) {
    throw new Error('batchSize must be a positive integer');
  }
  const guard = writeGuardFor(db, capabilities);
  const specs: KindSpec[] = [
    {
      kind: 'conversations',
      source: db.collection(COLLECTIONS.conversations),
      target: db.collection(COLLECTIONS.conversationsArchive),
      eligible: { status: 'closed', closedAt: { $lt: cutoff } },
      sort: { _id: 1 },
      after: (last) => ({ _id: { $gt: last._id } }),
      confirmFields: ['version'],
    },
    {
      // Deleted as they go, oldest first along the { timestamp: 1 } index; the few left live
      // because they changed are excluded by id for the rest of the run.
      kind: 'messages',
      source: db.collection(COLLECTIONS.messages),
      target: db.collection(COLLECTIONS.messagesArchive),
      eligible: { timestamp: { $lt: cutoff } },
      sort: { timestamp: 1 },
      confirmFields: ['status', 'whatsappStatus'],
    },
  ];
  const result: ArchiveResult = {
    cutoff,
    dryRun: options.dryRun === true,
    conversations: { eligible: 0, copied: 0, archived: 0, changed: 0 },
    messages: { eligible: 0, copied: 0, archived: 0, changed: 0 },
    elapsedMs: 0,
  };
  for (const spec of specs) {
    result[spec.kind] = await archiveKind(spec, guard, options);
  }
  result.elapsedMs = Date.now() - started;
  return result;
}

async function archiveKind(
  spec: KindSpec,
  guard: WriteGuard,
  options: ArchiveOptions,
): Promise<ArchiveCounts> {
  const started = Date.now();
  const counts: ArchiveCounts = {
    eligible: await spec.source.countDocuments(spec.eligible),
    copied: 0,
    archived: 0,
    changed: 0,
  };
  if (options.dryRun || counts.eligible === 0) return counts;

  const batches = Math.ceil(counts.eligible / options.batchSize);
  const leftLive: ObjectId[] = [];
  let last: Document | undefined;
  let batch = 0;
  let processed = 0;
  for (;;) {
    const clauses: Filter<Document>[] = [spec.eligible];
    if (last && spec.after) clauses.push(spec.after(last));
    if (!spec.after && leftLive.length > 0) clauses.push({ _id: { $nin: leftLive } });
    const docs = await spec.source
      .find(clauses.length === 1 ? clauses[0]! : { $and: clauses })
      .sort(spec.sort)
      .limit(options.batchSize)
      .toArray();
    if (docs.length === 0) break;
    last = docs.at(-1);
    batch += 1;
    processed += docs.length;

    // 1. copy (idempotent)
    const copies: AnyBulkWriteOperation<Document>[] = docs.map((doc) => ({
      replaceOne: { filter: { _id: doc._id }, replacement: doc, upsert: true },
    }));
    await spec.target.bulkWrite(copies, { ordered: false });

    // 2. confirm
    const stored = await spec.target
      .find(
        { _id: { $in: docs.map((d) => d._id) } },
        { projection: Object.fromEntries(spec.confirmFields.map((f) => [f, 1])) },
      )
      .toArray();
    const storedById = new Map(stored.map((s) => [idKey(s._id), s]));
    const confirmed = docs.filter((doc) => {
      const copy = storedById.get(idKey(doc._id));
      return copy !== undefined && spec.confirmFields.every((f) => sameValue(doc[f], copy[f]));
    });
    counts.copied += confirmed.length;
    await options.hooks?.afterCopy?.({
      kind: spec.kind,
      batch,
      ids: confirmed.map((d) => idKey(d._id)),
    });

    // 3. delete the originals that are still what was copied
    const deleted = await deleteOriginals(spec, guard, confirmed);
    counts.archived += deleted.size;
    for (const doc of docs) {
      if (!deleted.has(idKey(doc._id))) {
        counts.changed += 1;
        leftLive.push(doc._id as ObjectId);
      }
    }
    options.onProgress?.({
      kind: spec.kind,
      batch,
      batches: Math.max(batches, batch),
      processed,
      total: counts.eligible,
      elapsedMs: Date.now() - started,
    });
  }
  return counts;
}

/** Deletes each original if it is unchanged since it was copied; returns the ids deleted. */
async function deleteOriginals(spec: KindSpec, guard: WriteGuard, docs: Document[]): Promise<Set<string>> {
  const deleted = new Set<string>();
  if (docs.length === 0) return deleted;
  const unchanged = (doc: Document): Filter<Document> => {
    const filter: Filter<Document> = { $and: [{ _id: doc._id }, spec.eligible] };
    // `null` also matches an absent field (a legacy document without `version`).
    for (const f of spec.confirmFields) filter[f] = doc[f] ?? null;
    return filter;
  };
  if (guard.native) {
    // Each delete is atomic with its filter: it removes the document only if it is unchanged.
    // The bulk result does not say which ones matched, so look at what is left.
    await spec.source.bulkWrite(
      docs.map((doc) => ({ deleteOne: { filter: unchanged(doc) } })),
      { ordered: false },
    );
    const remaining = await spec.source
      .find({ _id: { $in: docs.map((d) => d._id) } }, { projection: { _id: 1 } })
      .toArray();
    const left = new Set(remaining.map((d) => idKey(d._id)));
    for (const doc of docs) if (!left.has(idKey(doc._id))) deleted.add(idKey(doc._id));
    return deleted;
  }
  // One at a time: FerretDB v1 (the only server without atomic updates) serialises writes in
  // SQLite, and concurrent ones only wait on each other's locks.
  for (const doc of docs) {
    const id = idKey(doc._id);
    const filter = unchanged(doc);
    const result = await guard.exclusive(spec.source.collectionName, id, () => spec.source.deleteOne(filter));
    if (result.deletedCount === 1) deleted.add(id);
  }
  return deleted;
}

function idKey(id: unknown): string {
  return typeof (id as ObjectId)?.toHexString === 'function' ? (id as ObjectId).toHexString() : String(id);
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === undefined || a === null) return b === undefined || b === null;
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  return a === b;
}
