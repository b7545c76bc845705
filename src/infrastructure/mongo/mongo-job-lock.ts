/**
 * Job locks in the `joblocks` collection: one document per lock, `_id` = the lock's name.
 *
 * - Taking a free lock is an insert: the unique `_id` lets exactly one of any number of racing
 *   nodes win, on MongoDB and on FerretDB v1 alike.
 * - Renewing one's own lock, and taking over an expired one, change an existing document. On
 *   MongoDB that is one conditional update (a compare-and-swap on holder + expiry). FerretDB v1
 *   does not apply updates atomically (write-guard.ts), so there the read-and-swap runs under the
 *   document's write lock, as every repository write does; a release too.
 * Expired locks disappear by TTL index where the server has one, else through `purgeExpired`.
 */
import type { Collection, Db } from 'mongodb';
import type { Clock } from '../../application/ports/gateways.js';
import type { JobLock } from '../../application/ports/job-lock.js';
import { checkLockArguments } from '../locks/lock-arguments.js';
import { COLLECTIONS } from './indexes.js';
import type { MongoCapabilities } from './mongo-client.js';
import { isDuplicateKeyError } from './mongo-common.js';
import { type WriteGuard, writeGuardFor } from './write-guard.js';

interface LockDocument {
  _id: string;
  holder: string;
  expiresAt: Date;
  acquiredAt: Date;
}

const systemClock: Clock = { now: () => new Date() };

export class MongoJobLock implements JobLock {
  private readonly locks: Collection<LockDocument>;
  private readonly guard: WriteGuard;

  constructor(
    db: Db,
    capabilities: Pick<MongoCapabilities, 'atomicUpdates'>,
    private readonly clock: Clock = systemClock,
  ) {
    this.locks = db.collection<LockDocument>(COLLECTIONS.jobLocks);
    this.guard = writeGuardFor(db, capabilities);
  }

  async tryAcquire(name: string, holder: string, ttlMs: number): Promise<boolean> {
    checkLockArguments(name, holder, ttlMs);
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + ttlMs);
    if (await this.#insert(name, holder, now, expiresAt)) return true;
    return this.guard.exclusive(COLLECTIONS.jobLocks, name, async () => {
      const held = await this.locks.findOne({ _id: name });
      if (!held) return this.#insert(name, holder, now, expiresAt); // released meanwhile
      const mine = held.holder === holder;
      if (!mine && held.expiresAt.getTime() > now.getTime()) return false;
      const swapped = await this.locks.updateOne(
        { _id: name, holder: held.holder, expiresAt: held.expiresAt },
        { $set: { holder, expiresAt, ...(mine ? {} : { acquiredAt: now }) } },
      );
      return swapped.matchedCount === 1;
    });
  }

  async release(name: string, holder: string): Promise<void> {
    checkLockArguments(name, holder, 1);
    await this.guard.exclusive(COLLECTIONS.jobLocks, name, () => this.locks.deleteOne({ _id: name, holder }));
  }

  async purgeExpired(): Promise<number> {
    const now = this.clock.now();
    if (this.guard.native) {
      return (await this.locks.deleteMany({ expiresAt: { $lte: now } })).deletedCount;
    }
    // One by one under each lock's write lock: a bulk delete could remove a lock renewed meanwhile.
    let purged = 0;
    for (const expired of await this.locks
      .find({ expiresAt: { $lte: now } })
      .limit(10_000)
      .toArray()) {
      const filter = { _id: expired._id, holder: expired.holder, expiresAt: expired.expiresAt };
      const result = await this.guard.tryExclusive(COLLECTIONS.jobLocks, expired._id, () =>
        this.locks.deleteOne(filter),
      );
      if (result.ran) purged += result.value.deletedCount;
    }
    return purged;
  }

  async #insert(name: string, holder: string, now: Date, expiresAt: Date): Promise<boolean> {
    try {
      await this.locks.insertOne({ _id: name, holder, expiresAt, acquiredAt: now });
      return true;
    } catch (error) {
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
  }
}
