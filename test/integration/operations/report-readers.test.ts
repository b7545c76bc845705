/** Analytics read from secondaries (`secondaryPreferred`) when the deployment has them. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectCapabilities, type MongoConnection } from '../../../src/infrastructure/mongo/mongo-client.js';
import { createReportReaders, reportingDb } from '../../../src/infrastructure/mongo/report-readers.js';
import { connectTestDb, type TestDb } from '../../support/mongo.js';
import { conversationRecord } from '../../support/records.js';

describe('report readers', () => {
  let t: TestDb;
  let mongo: MongoConnection;
  beforeAll(async () => {
    t = await connectTestDb();
    mongo = { client: t.client, db: t.db, close: async () => {} };
  });
  afterAll(() => t?.close());

  it('use the ordinary repositories where there are no secondaries (standalone, FerretDB)', async () => {
    const capabilities = await detectCapabilities(t.db);
    expect(reportingDb(mongo, { secondaries: false })).toBeUndefined();
    if (!capabilities.secondaries) expect(createReportReaders(mongo, capabilities)).toBeUndefined();
  });

  it('read through a secondaryPreferred handle of the same database where there are', async () => {
    const capabilities = { ...(await detectCapabilities(t.db)), secondaries: true };
    const db = reportingDb(mongo, capabilities);
    expect(db?.databaseName).toBe(t.db.databaseName);
    expect(db?.readPreference.mode).toBe('secondaryPreferred');
    const readers = createReportReaders(mongo, capabilities)!;
    // secondaryPreferred falls back to the primary here: the reports see the same data.
    await readers.conversations.insert(conversationRecord({ status: 'waiting' }));
    expect((await readers.conversations.countByStatus()).waiting).toBe(1);
  });
});
