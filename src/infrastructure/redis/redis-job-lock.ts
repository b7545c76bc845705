/**
 * Job locks in Redis: one key per lock (`<prefix><name>` = holder) that Redis expires by itself.
 * Taking a free lock is `SET NX PX`; renewing one's own and releasing are Lua scripts that check the
 * holder first, so each step is a single atomic operation on the server.
 */
import type { Redis } from 'ioredis';
import type { JobLock } from '../../application/ports/job-lock.js';
import { checkLockArguments } from '../locks/lock-arguments.js';

const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

export class RedisJobLock implements JobLock {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'crm:joblock:',
  ) {}

  async tryAcquire(name: string, holder: string, ttlMs: number): Promise<boolean> {
    checkLockArguments(name, holder, ttlMs);
    const key = this.prefix + name;
    if ((await this.redis.set(key, holder, 'PX', ttlMs, 'NX')) === 'OK') return true;
    return Number(await this.redis.eval(RENEW, 1, key, holder, String(ttlMs))) === 1;
  }

  async release(name: string, holder: string): Promise<void> {
    checkLockArguments(name, holder, 1);
    await this.redis.eval(RELEASE, 1, this.prefix + name, holder);
  }

  /** Redis expires keys by itself. */
  async purgeExpired(): Promise<number> {
    return 0;
  }
}
