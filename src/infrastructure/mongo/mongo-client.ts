/**
 * Connecting to MongoDB (or FerretDB) and finding out, by probing, what the server can do.
 */
import { type Db, type Document, MongoClient, type MongoClientOptions, MongoServerError } from 'mongodb';

export interface MongoCapabilities {
  server: 'mongodb' | 'ferretdb';
  /** The server's own version (FerretDB's version for FerretDB, not the MongoDB version it emulates). */
  version: string;
  /** Text indexes and `$text` queries work. */
  textSearch: boolean;
  /** Indexes with `partialFilterExpression` can be created. */
  partialIndexes: boolean;
  /** Multi-document transactions (replica set or sharded cluster). */
  transactions: boolean;
  /** There are secondaries to read from. */
  secondaries: boolean;
  /**
   * A unique index with `sparse: true` lets any number of documents lack the field while refusing a
   * repeated value. Message de-duplication (WhatsApp id, idempotency key) relies on it.
   */
  sparseUniqueIndexes: boolean;
  /** TTL indexes (`expireAfterSeconds`) can be created. */
  ttlIndexes: boolean;
  /**
   * Single-document updates are atomic (racing `$inc`s all count, a conditional update is a
   * compare-and-swap). FerretDB v1 is not: see write-guard.ts.
   */
  atomicUpdates: boolean;
}

export interface MongoConnection {
  client: MongoClient;
  db: Db;
  close(): Promise<void>;
}

export const DEFAULT_DB_NAME = 'whatsapp_crm';

export function mongoClientOptions(appName = 'whatsapp-crm'): MongoClientOptions {
  return {
    appName,
    serverSelectionTimeoutMS: 10_000,
    connectTimeoutMS: 10_000,
    // The driver only uses retryable writes where the topology supports them (replica sets and
    // sharded clusters); against a standalone server or FerretDB it is a no-op.
    retryWrites: true,
    retryReads: true,
    // Belt and braces: the adapters never write `undefined`, and this keeps it from becoming `null`.
    ignoreUndefined: true,
  };
}

/** The database named in the URI path (`mongodb://host/name`), if any. */
export function databaseNameFromUri(uri: string): string | undefined {
  const match = /^mongodb(?:\+srv)?:\/\/[^/]*\/([^?]+)/.exec(uri);
  const name = match?.[1] ? decodeURIComponent(match[1]) : undefined;
  return name || undefined;
}

export async function connectMongo(
  uri: string,
  options: { appName?: string; dbName?: string } = {},
): Promise<MongoConnection> {
  const client = new MongoClient(uri, mongoClientOptions(options.appName));
  await client.connect();
  const db = client.db(options.dbName ?? databaseNameFromUri(uri) ?? DEFAULT_DB_NAME);
  return { client, db, close: () => client.close() };
}

// ---------------------------------------------------------------------------------------------
// Capabilities

const cache = new WeakMap<Db, Promise<MongoCapabilities>>();

/** Probes the server behind `db` once (per Db object) and caches the answer. */
export function detectCapabilities(db: Db): Promise<MongoCapabilities> {
  let found = cache.get(db);
  if (!found) {
    found = probe(db);
    cache.set(db, found);
    // A failed probe (server down) must not be cached forever.
    found.catch(() => cache.delete(db));
  }
  return found;
}

async function attempt(fn: () => Promise<unknown>): Promise<boolean> {
  try {
    await fn();
    return true;
  } catch (error) {
    if (error instanceof MongoServerError) return false;
    throw error; // network errors are not an answer about capabilities
  }
}

async function probe(db: Db): Promise<MongoCapabilities> {
  const admin = db.admin();
  const buildInfo: Document = await admin.command({ buildInfo: 1 });
  const hello: Document = await admin.command({ hello: 1 });
  const ferretVersion: unknown = buildInfo.ferretdbVersion;
  const isFerret = typeof ferretVersion === 'string';
  const replicaSet = typeof hello.setName === 'string';
  const sharded = hello.msg === 'isdbgrid';
  const hosts: unknown = hello.hosts;

  // Probes run on a scratch collection that is dropped afterwards.
  const scratch = db.collection(`_capability_probe_${Date.now().toString(36)}_${process.pid}`);
  try {
    const textSearch = await attempt(async () => {
      await scratch.createIndex({ probeText: 'text' }, { name: 'probe_text' });
      await scratch
        .find({ $text: { $search: 'probe' } })
        .limit(1)
        .toArray();
    });
    const partialIndexes = await attempt(() =>
      scratch.createIndex(
        { probePartial: 1 },
        { name: 'probe_partial', partialFilterExpression: { probePartial: { $exists: true } } },
      ),
    );
    const ttlIndexes = await attempt(() =>
      scratch.createIndex({ probeTtl: 1 }, { name: 'probe_ttl', expireAfterSeconds: 3600 }),
    );
    const sparseUniqueIndexes = await probeSparseUnique(db);
    // The probe needs real concurrency (a client with a pool of one would pass it), so FerretDB v1's
    // documented lack of isolated updates (FerretDB issue #3040) is taken into account as well.
    const knownNonAtomic = isFerret && /^v?1\./.test(ferretVersion);
    const atomicUpdates = (await probeAtomicUpdates(db)) && !knownNonAtomic;
    return {
      server: isFerret ? 'ferretdb' : 'mongodb',
      version: isFerret ? ferretVersion : String(buildInfo.version),
      textSearch,
      partialIndexes,
      transactions: !isFerret && (replicaSet || sharded),
      secondaries: !isFerret && replicaSet && Array.isArray(hosts) && hosts.length > 1,
      sparseUniqueIndexes,
      ttlIndexes,
      atomicUpdates,
    };
  } finally {
    await scratch.drop().catch(() => {});
  }
}

/** Behaviour, not acceptance: the index must let two documents lack the field and refuse a repeated value. */
async function probeSparseUnique(db: Db): Promise<boolean> {
  const scratch = db.collection(`_capability_probe_sparse_${Date.now().toString(36)}_${process.pid}`);
  try {
    const created = await attempt(() =>
      scratch.createIndex({ probeKey: 1 }, { name: 'probe_sparse_unique', unique: true, sparse: true }),
    );
    if (!created) return false;
    const missingAllowed = await attempt(async () => {
      await scratch.insertOne({ other: 1 });
      await scratch.insertOne({ other: 2 });
    });
    await scratch.insertOne({ probeKey: 'a' });
    let repeatRefused = false;
    try {
      await scratch.insertOne({ probeKey: 'a' });
    } catch (error) {
      repeatRefused = error instanceof MongoServerError && error.code === 11000;
    }
    return missingAllowed && repeatRefused;
  } finally {
    await scratch.drop().catch(() => {});
  }
}

/**
 * Behaviour again: rounds of concurrent `$inc`s on one document must all count. A server that
 * reads and writes documents back without isolation loses most of them at this concurrency.
 */
async function probeAtomicUpdates(db: Db): Promise<boolean> {
  const scratch = db.collection<{ _id: string; n: number }>(
    `_capability_probe_atomic_${Date.now().toString(36)}_${process.pid}`,
  );
  const rounds = 3;
  const concurrency = 16;
  try {
    await scratch.insertOne({ _id: 'counter', n: 0 });
    for (let round = 0; round < rounds; round++) {
      await Promise.all(
        Array.from({ length: concurrency }, () => scratch.updateOne({ _id: 'counter' }, { $inc: { n: 1 } })),
      );
    }
    const doc = await scratch.findOne({ _id: 'counter' });
    return doc?.n === rounds * concurrency;
  } finally {
    await scratch.drop().catch(() => {});
  }
}
