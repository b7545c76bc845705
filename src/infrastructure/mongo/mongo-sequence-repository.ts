import type { Collection, Db } from 'mongodb';
import { z } from 'zod';
import type { SequenceRepository } from '../../application/ports/repositories.js';
import { ValidationError } from '../../domain/shared/errors.js';
import { COLLECTIONS } from './indexes.js';
import type { MongoCapabilities } from './mongo-client.js';
import { isDuplicateKeyError, readDocument } from './mongo-common.js';
import { type WriteGuard, writeGuardFor } from './write-guard.js';

const COLLECTION = COLLECTIONS.counters;

const counterSchema = z.object({ _id: z.string(), value: z.number().int().positive() });

/** Counters are `{ _id: <name>, value }` documents incremented atomically by `$inc`. */
export class MongoSequenceRepository implements SequenceRepository {
  private readonly collection: Collection<{ _id: string; value: number }>;
  private readonly guard: WriteGuard;

  constructor(db: Db, capabilities: Pick<MongoCapabilities, 'atomicUpdates'>) {
    this.collection = db.collection(COLLECTION);
    this.guard = writeGuardFor(db, capabilities);
  }

  async next(key: string): Promise<number> {
    if (typeof key !== 'string' || key.length === 0 || key.length > 200) {
      throw new ValidationError('key', 'must be a non-empty string of at most 200 characters');
    }
    // Two first calls racing to create the counter: the loser's upsert hits the _id index; the
    // counter exists by then, so the retry increments it.
    for (let attempt = 0; ; attempt++) {
      try {
        const doc = await this.guard.exclusive(COLLECTION, key, () =>
          this.collection.findOneAndUpdate(
            { _id: key },
            { $inc: { value: 1 } },
            { upsert: true, returnDocument: 'after' },
          ),
        );
        if (!doc) throw new Error(`counter ${key}: upsert returned no document`);
        return readDocument(COLLECTION, counterSchema, doc).value;
      } catch (error) {
        if (attempt < 3 && isDuplicateKeyError(error)) continue;
        throw error;
      }
    }
  }
}
