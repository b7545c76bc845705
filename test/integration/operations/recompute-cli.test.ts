/** `npm run crm -- stats recompute` (the command module): drift printed per entity, fixed unless --dry-run. */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ensureIndexes } from '../../../src/infrastructure/mongo/indexes.js';
import { detectCapabilities } from '../../../src/infrastructure/mongo/mongo-client.js';
import { MongoCustomerRepository } from '../../../src/infrastructure/mongo/mongo-customer-repository.js';
import { recomputeStatisticsCommand } from '../../../src/interfaces/cli/commands/recompute-statistics.js';
import { connectTestDb, type TestDb } from '../../support/mongo.js';
import { customerRecord } from '../../support/records.js';

describe('stats recompute (CLI command)', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await connectTestDb();
    await ensureIndexes(t.db, await detectCapabilities(t.db), { warn: () => {}, info: () => {} });
  });
  afterAll(() => t?.close());

  it('prints the drift and writes the recomputed statistics back (not with --dry-run)', async () => {
    const customers = new MongoCustomerRepository(t.db, await detectCapabilities(t.db));
    const customer = customerRecord();
    await customers.insert(customer);
    await customers.setStatistics(customer.id, { totalMessages: 9 });
    const out: string[] = [];
    const io = {
      out: (l: string) => out.push(l),
      err: () => {},
      interactive: false,
      env: { MONGODB_URI: inject('mongoUri'), MONGODB_DB: t.db.databaseName },
    };

    expect(await recomputeStatisticsCommand(io, { verbose: false, 'dry-run': true })).toBe(0);
    expect(out.join('')).toContain(`customer ${customer.id}: totalMessages 9 → 0`);
    expect((await customers.findById(customer.id))?.statistics.totalMessages).toBe(9);

    out.length = 0;
    expect(await recomputeStatisticsCommand(io, { verbose: false })).toBe(0);
    expect(out.join('')).toMatch(/1 fixed \(1 written\)/);
    expect((await customers.findById(customer.id))?.statistics.totalMessages).toBe(0);
  });
});
