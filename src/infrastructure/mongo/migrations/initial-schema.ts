/**
 * Migration phase 1 (schema design, "Migration Strategy"): every collection with its indexes, the
 * default system settings, the first admin, and a record in `migrations`.
 *
 * Idempotent: collections and indexes are created only when missing (`ensureIndexes`), settings
 * only when their key is absent (`insertIfAbsent`, a stored value is never overwritten), the admin
 * only when there is no agent at all (EnsureFirstAdmin). A second run changes nothing and says so.
 */
import type { Db } from 'mongodb';
import type { EnsureFirstAdminResult } from '../../../application/auth/ensure-first-admin.js';
import type { Clock, IdGenerator } from '../../../application/ports/gateways.js';
import type { SettingsRepository } from '../../../application/ports/repositories.js';
import { defaultSettings, validateSettingValue } from '../../../domain/settings/setting-definitions.js';
import { COLLECTION_NAMES, ensureIndexes, type IndexLogger } from '../indexes.js';
import type { MongoCapabilities } from '../mongo-client.js';
import { MIGRATION_IDS, MigrationLog } from './migration-log.js';

/** The schema version this code expects; `schema_version` is raised to it (never lowered). */
export const CURRENT_SCHEMA_VERSION = 1;

const DESCRIPTION = 'Phase 1: collections, indexes, default settings, first admin';

export interface InitialSchemaDeps {
  db: Db;
  capabilities: MongoCapabilities;
  settings: SettingsRepository;
  /** EnsureFirstAdmin, resolved from the container (ADMIN_EMAIL / ADMIN_PASSWORD or a generated password). */
  ensureFirstAdmin(): Promise<EnsureFirstAdminResult>;
  clock: Clock;
  ids: IdGenerator;
  log: IndexLogger;
}

export interface InitialSchemaResult {
  collections: { created: string[]; existing: number };
  indexes: { created: string[]; existing: number; skipped: string[] };
  settings: { inserted: string[]; present: number };
  admin: EnsureFirstAdminResult;
  schemaVersion: { before: number | undefined; after: number };
  /** True when this run created or inserted anything. */
  changed: boolean;
  /** When phase 1 was first applied (now, on the first run). */
  appliedAt: Date;
}

export async function runInitialSchema(deps: InitialSchemaDeps): Promise<InitialSchemaResult> {
  const { db, settings } = deps;
  const now = deps.clock.now();

  // Collections and indexes: compare what exists before and after ensureIndexes.
  const collectionsBefore = await collectionNames(db);
  const indexesBefore = await indexNames(db, collectionsBefore);
  const ensured = await ensureIndexes(db, deps.capabilities, deps.log);
  const createdCollections = COLLECTION_NAMES.filter((n) => !collectionsBefore.has(n));
  const createdIndexes = ensured.ensured.filter((name) => !indexesBefore.has(name));

  // Default settings, only where absent.
  const inserted: string[] = [];
  const defaults = defaultSettings(now, () => deps.ids.next());
  for (const setting of defaults) {
    if (await settings.insertIfAbsent(setting)) inserted.push(setting.key);
  }

  // schema_version: raised to the version this code brings, never lowered.
  const stored = await settings.get('schema_version');
  const before = storedSchemaVersion(stored?.value);
  let after = before ?? CURRENT_SCHEMA_VERSION;
  if (stored && (before === undefined || before < CURRENT_SCHEMA_VERSION)) {
    await settings.put({ ...stored, value: CURRENT_SCHEMA_VERSION, updatedAt: now });
    after = CURRENT_SCHEMA_VERSION;
  }

  const admin = await deps.ensureFirstAdmin();

  const changed =
    createdCollections.length > 0 ||
    createdIndexes.length > 0 ||
    inserted.length > 0 ||
    admin.created ||
    after !== before;

  const log = new MigrationLog(db);
  const record = await log.get(MIGRATION_IDS.initialSchema);
  if (changed || !record) {
    await log.recordChange(
      MIGRATION_IDS.initialSchema,
      DESCRIPTION,
      {
        at: now,
        summary: {
          collectionsCreated: createdCollections,
          indexesCreated: createdIndexes.length,
          indexesSkipped: ensured.skipped,
          settingsInserted: inserted,
          adminCreated: admin.created ? admin.email : false,
          schemaVersion: after,
        },
      },
      { schemaVersion: CURRENT_SCHEMA_VERSION, complete: true },
    );
  }
  const appliedAt = (await log.get(MIGRATION_IDS.initialSchema))?.appliedAt ?? now;

  return {
    collections: {
      created: createdCollections,
      existing: COLLECTION_NAMES.length - createdCollections.length,
    },
    indexes: {
      created: createdIndexes,
      existing: ensured.ensured.length - createdIndexes.length,
      skipped: ensured.skipped,
    },
    settings: { inserted, present: defaults.length - inserted.length },
    admin,
    schemaVersion: { before, after },
    changed,
    appliedAt,
  };
}

function storedSchemaVersion(value: unknown): number | undefined {
  try {
    return validateSettingValue('schema_version', value);
  } catch {
    return value === undefined ? undefined : 0; // unreadable: raised to the current version
  }
}

async function collectionNames(db: Db): Promise<Set<string>> {
  const found = await db.listCollections({}, { nameOnly: true }).toArray();
  return new Set(found.map((c) => c.name));
}

/** `collection.indexName` of every index of the known collections that exist. */
async function indexNames(db: Db, existing: Set<string>): Promise<Set<string>> {
  const names = new Set<string>();
  for (const collection of COLLECTION_NAMES) {
    if (!existing.has(collection)) continue;
    for (const index of await db.collection(collection).listIndexes().toArray()) {
      names.add(`${collection}.${String(index.name)}`);
    }
  }
  return names;
}
