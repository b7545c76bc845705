import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTestDb, type TestDb, testMongoServer } from '../support/mongo.js';

describe('MongoDB test server harness', () => {
  let t: TestDb;

  beforeAll(async () => {
    t = await connectTestDb();
  });

  afterAll(async () => {
    await t?.close();
  });

  it('inserts and reads back a document', async () => {
    const items = t.db.collection<{ _id: string; name: string; tags: string[] }>('harness');
    await items.insertOne({ _id: 'a1', name: 'Ana', tags: ['vip'] });
    expect(await items.findOne({ _id: 'a1' })).toEqual({ _id: 'a1', name: 'Ana', tags: ['vip'] });
  });

  it('reports the server version', async () => {
    const info = await t.db.admin().command({ buildInfo: 1 });
    expect(info.version).toEqual(expect.stringMatching(/^\d+\.\d+/));
    console.info(`[mongo-server] ${testMongoServer()} server, MongoDB-compatible version ${info.version}`);
  });

  it('gives each connectTestDb() call its own database', async () => {
    const other = await connectTestDb();
    try {
      expect(other.db.databaseName).not.toBe(t.db.databaseName);
      expect(other.db.databaseName).toMatch(/^crm_test_[0-9a-f]{12}$/);
    } finally {
      await other.close();
    }
  });
});
