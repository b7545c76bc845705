/**
 * The `migrations` collection: one document per migration (keyed by its id), saying when it was
 * first applied, what it changed each time it changed something, and (for data migrations) the
 * outcome of the last run. `schema_version` in systemsettings mirrors the highest schema version
 * applied.
 */
import type { Collection, Db, Document } from 'mongodb';
import { COLLECTIONS } from '../indexes.js';

export const MIGRATION_IDS = {
  initialSchema: '001_initial_schema',
  userThreads: '002_userthreads',
} as const;

export type MigrationId = (typeof MIGRATION_IDS)[keyof typeof MIGRATION_IDS];

export interface MigrationChange {
  at: Date;
  summary: Record<string, unknown>;
}

export interface MigrationRecord {
  _id: string;
  description: string;
  /** The schema version this migration brings the database to, for schema migrations. */
  schemaVersion?: number;
  /** When it first ran to completion. */
  appliedAt?: Date;
  /** Every run that changed something, oldest first (a run that changed nothing is not recorded). */
  changes?: MigrationChange[];
  /** Data migrations: the last run (dry runs are not recorded). */
  lastRunAt?: Date;
  lastResult?: Record<string, unknown>;
  /** Data migrations: when the source collection was dropped. */
  sourceDroppedAt?: Date;
}

/** Keeps the history short: a migration run repeatedly by a cron job must not grow without bound. */
const MAX_CHANGES = 50;

export class MigrationLog {
  private readonly collection: Collection<MigrationRecord>;

  constructor(db: Db) {
    this.collection = db.collection<MigrationRecord>(COLLECTIONS.migrations);
  }

  get(id: MigrationId): Promise<MigrationRecord | null> {
    return this.collection.findOne({ _id: id });
  }

  list(): Promise<MigrationRecord[]> {
    return this.collection.find({}).sort({ _id: 1 }).toArray();
  }

  /** Records a run that changed something; the first one also sets `appliedAt` when `complete`. */
  async recordChange(
    id: MigrationId,
    description: string,
    change: MigrationChange,
    extra: { schemaVersion?: number; complete: boolean },
  ): Promise<void> {
    const set: Document = { description };
    if (extra.schemaVersion !== undefined) set.schemaVersion = extra.schemaVersion;
    await this.collection.updateOne(
      { _id: id },
      { $set: set, $push: { changes: { $each: [change], $slice: -MAX_CHANGES } } },
      { upsert: true },
    );
    if (extra.complete) await this.markApplied(id, change.at);
  }

  /** Sets `appliedAt` once (the first completion is kept). */
  async markApplied(id: MigrationId, at: Date): Promise<void> {
    await this.collection.updateOne({ _id: id, appliedAt: { $exists: false } }, { $set: { appliedAt: at } });
  }

  /** Data migrations: the outcome of a (non-dry) run. */
  async recordRun(id: MigrationId, description: string, at: Date, result: Record<string, unknown>) {
    await this.collection.updateOne(
      { _id: id },
      { $set: { description, lastRunAt: at, lastResult: result } },
      { upsert: true },
    );
  }

  async recordSourceDropped(id: MigrationId, at: Date): Promise<void> {
    await this.collection.updateOne({ _id: id }, { $set: { sourceDroppedAt: at } });
  }
}
