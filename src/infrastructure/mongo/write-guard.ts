/**
 * Single-document atomicity where the server does not provide it.
 *
 * MongoDB applies every single-document update atomically, so a conditional `updateOne` /
 * `findOneAndUpdate` is a compare-and-swap. FerretDB v1 does not: its SQLite handler reads the
 * document and writes it back whole, outside a transaction (FerretDB issue #3040), so two racing
 * writers lose one of the updates ($inc included) and both pass the same version check. What it
 * does enforce atomically is a unique index. So, where the probe found updates non-atomic, every
 * write to an existing document first takes a lock: a document in `documentlocks` whose `_id`
 * names the document (an insert that only one writer can win). The lock is released right after
 * the write; a lock left behind by a crashed process expires after LEASE_MS.
 */
import { type Collection, type Db, ObjectId } from 'mongodb';
import { COLLECTIONS } from './indexes.js';
import type { MongoCapabilities } from './mongo-client.js';
import { insertManyReportingDuplicates, isDuplicateKeyError } from './mongo-common.js';

const LEASE_MS = 30_000;
const WAIT_MS = 15_000;

export type Attempt<T> = { ran: true; value: T } | { ran: false };

export interface WriteGuard {
  /** True when the server's own single-document updates are atomic (no locks are taken). */
  readonly native: boolean;
  /** Runs `write` as the only writer of document `key` of `collection`, waiting for its turn. */
  exclusive<T>(collection: string, key: string, write: () => Promise<T>): Promise<T>;
  /** Like `exclusive`, but gives up at once (`ran: false`) when another writer holds the document. */
  tryExclusive<T>(collection: string, key: string, write: () => Promise<T>): Promise<Attempt<T>>;
  /**
   * Takes, without waiting, the locks of the documents `keys` of `collection` that no other writer
   * holds (one insert), runs `write` with the keys it holds, and releases them (one delete). The
   * batched writes: a key not held is for the caller to retry one by one.
   */
  exclusiveMany<T>(collection: string, keys: string[], write: (held: string[]) => Promise<T>): Promise<T>;
}

interface LockDocument {
  _id: string;
  owner: string;
  expiresAt: Date;
}

const nativeGuard: WriteGuard = {
  native: true,
  exclusive: (_collection, _key, write) => write(),
  tryExclusive: async (_collection, _key, write) => ({ ran: true, value: await write() }),
  exclusiveMany: (_collection, keys, write) => write(keys),
};

const guards = new WeakMap<Db, WriteGuard>();

/** The guard for `db`: a pass-through where updates are atomic, document locks elsewhere. */
export function writeGuardFor(db: Db, capabilities: Pick<MongoCapabilities, 'atomicUpdates'>): WriteGuard {
  if (capabilities.atomicUpdates) return nativeGuard;
  let guard = guards.get(db);
  if (!guard) {
    guard = new LockingWriteGuard(db.collection<LockDocument>(COLLECTIONS.documentLocks));
    guards.set(db, guard);
  }
  return guard;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

class LockingWriteGuard implements WriteGuard {
  readonly native = false;

  constructor(private readonly locks: Collection<LockDocument>) {}

  async exclusive<T>(collection: string, key: string, write: () => Promise<T>): Promise<T> {
    const result = await this.run(collection, key, write, true);
    if (!result.ran) throw new Error(`write lock of ${collection}:${key} not acquired`);
    return result.value;
  }

  tryExclusive<T>(collection: string, key: string, write: () => Promise<T>): Promise<Attempt<T>> {
    return this.run(collection, key, write, false);
  }

  async exclusiveMany<T>(
    collection: string,
    keys: string[],
    write: (held: string[]) => Promise<T>,
  ): Promise<T> {
    const unique = [...new Set(keys)];
    if (unique.length === 0) return write([]);
    const owner = new ObjectId().toHexString();
    const expiresAt = new Date(Date.now() + LEASE_MS);
    const docs = unique.map((key) => ({ _id: `${collection}:${key}`, owner, expiresAt }));
    let refused: Set<number>;
    try {
      refused = new Set((await insertManyReportingDuplicates(this.locks, docs)).duplicates);
    } catch (error) {
      // Not (only) locks held by others: give back whatever this call did take, then fail.
      await this.locks.deleteMany({ _id: { $in: docs.map((d) => d._id) }, owner }).catch(() => {});
      throw error;
    }
    const held = unique.filter((_key, i) => !refused.has(i));
    try {
      return await write(held);
    } finally {
      if (held.length > 0)
        await this.locks
          .deleteMany({ _id: { $in: held.map((key) => `${collection}:${key}`) }, owner })
          .catch(() => {});
    }
  }

  private async run<T>(
    collection: string,
    key: string,
    write: () => Promise<T>,
    wait: boolean,
  ): Promise<Attempt<T>> {
    const lockId = `${collection}:${key}`;
    const owner = new ObjectId().toHexString();
    if (!(await this.acquire(lockId, owner, wait))) return { ran: false };
    try {
      return { ran: true, value: await write() };
    } finally {
      await this.locks.deleteOne({ _id: lockId, owner }).catch(() => {});
    }
  }

  private async acquire(lockId: string, owner: string, wait: boolean): Promise<boolean> {
    const deadline = Date.now() + WAIT_MS;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.locks.insertOne({ _id: lockId, owner, expiresAt: new Date(Date.now() + LEASE_MS) });
        return true;
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
      }
      const held = await this.locks.findOne({ _id: lockId });
      if (held && held.expiresAt.getTime() < Date.now()) {
        // Left behind by a writer that died: remove exactly that lock and compete again.
        await this.locks.deleteOne({ _id: lockId, owner: held.owner });
        continue;
      }
      if (!wait) return false;
      if (Date.now() > deadline) throw new Error(`timed out waiting for the write lock of ${lockId}`);
      await sleep(Math.min(2 ** attempt, 25) + Math.random() * 5);
    }
  }
}
