/**
 * MongoDB helpers for tests. The server comes from test/support/global-setup.ts (FerretDB v1.24 by
 * default, or MONGODB_URI). FerretDB v1 lacks text and partial indexes, $lookup, $facet and transactions.
 */
import { randomBytes } from 'node:crypto';
import { type Db, MongoClient } from 'mongodb';
import { inject } from 'vitest';
import type { MongoServerKind } from './global-setup.js';

export interface TestDb {
  client: MongoClient;
  db: Db;
  /** Drops the database and closes the client. Safe to call more than once. */
  close(): Promise<void>;
}

/** Which server the tests run against ('ferretdb', 'external', or 'none' with CRM_TEST_NO_MONGO=1). */
export function testMongoServer(): MongoServerKind {
  return inject('mongoServer');
}

/** Connects to the test server and creates a uniquely named database (`crm_test_<random>`) for the caller. */
export async function connectTestDb(): Promise<TestDb> {
  const uri = inject('mongoUri');
  if (!uri) {
    throw new Error(
      'This test needs MongoDB, but the run has no MongoDB server (CRM_TEST_NO_MONGO=1 is set). ' +
        'Unset CRM_TEST_NO_MONGO to let the test setup start FerretDB, or set MONGODB_URI.',
    );
  }
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 10_000 });
  await client.connect();
  const db = client.db(`crm_test_${randomBytes(6).toString('hex')}`);
  let closed = false;
  return {
    client,
    db,
    async close() {
      if (closed) return;
      closed = true;
      try {
        await db.dropDatabase();
      } finally {
        await client.close();
      }
    },
  };
}
