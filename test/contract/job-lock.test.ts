/** Runs the JobLock contract against the in-memory, MongoDB (FerretDB in tests) and Redis adapters. */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Clock } from '../../src/application/ports/gateways.js';
import { InMemoryJobLock } from '../../src/infrastructure/memory/in-memory-job-lock.js';
import { COLLECTIONS, ensureIndexes } from '../../src/infrastructure/mongo/indexes.js';
import { detectCapabilities } from '../../src/infrastructure/mongo/mongo-client.js';
import { MongoJobLock } from '../../src/infrastructure/mongo/mongo-job-lock.js';
import { RedisJobLock } from '../../src/infrastructure/redis/redis-job-lock.js';
import { connectTestDb } from '../support/mongo.js';
import { describeJobLockContract } from './job-lock.contract.js';

class ManualClock implements Clock {
  #t = Date.parse('2026-03-02T16:00:00Z');
  now(): Date {
    return new Date(this.#t);
  }
  advance(ms: number): void {
    this.#t += ms;
  }
}

describeJobLockContract('InMemory', async () => {
  const clock = new ManualClock();
  return {
    lock: new InMemoryJobLock(clock),
    advance: async (ms) => clock.advance(ms),
    cleanup: async () => {},
  };
});

describeJobLockContract('Mongo', async () => {
  const t = await connectTestDb();
  const capabilities = await detectCapabilities(t.db);
  await ensureIndexes(
    t.db,
    capabilities,
    { warn: () => {}, info: () => {} },
    { collections: [COLLECTIONS.jobLocks] },
  );
  const clock = new ManualClock();
  return {
    lock: new MongoJobLock(t.db, capabilities, clock),
    advance: async (ms) => clock.advance(ms),
    cleanup: () => t.close(),
  };
});

describeJobLockContract('Redis', async () => {
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', {
    lazyConnect: false,
    maxRetriesPerRequest: 2,
  });
  const prefix = `crm-test:${randomBytes(6).toString('hex')}:lock:`;
  return {
    lock: new RedisJobLock(redis, prefix),
    advance: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    async cleanup() {
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
    },
  };
});
