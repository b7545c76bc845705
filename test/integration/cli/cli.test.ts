/**
 * The CLI as an operator runs it: `npx tsx src/cli.ts ...` in a child process, against the test
 * server (FerretDB v1.24 by default, or MONGODB_URI) for the commands that need a database.
 * Asserts the output and the exit codes (0 done, 2 usage/configuration, 3 refused).
 */
import { execFile } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ObjectId } from 'mongodb';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { COLLECTIONS } from '../../../src/infrastructure/mongo/indexes.js';
import { connectTestDb, type TestDb } from '../../support/mongo.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const SPAWN_TIMEOUT_MS = 60_000;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the CLI in a child process: through `npx tsx` as documented (`via: 'npx'`), or the project's
 * tsx binary directly (the same program, without npx's start-up time).
 */
function crm(
  args: string[],
  env: Record<string, string | undefined> = {},
  via: 'npx' | 'tsx' = 'tsx',
): Promise<Run> {
  const childEnv: Record<string, string | undefined> = { ...process.env, NODE_ENV: 'test', ...env };
  for (const [key, value] of Object.entries(env)) if (value === undefined) delete childEnv[key];
  const [command, prefix] =
    via === 'npx' ? ['npx', ['tsx']] : [join(ROOT, 'node_modules', '.bin', 'tsx'), []];
  return new Promise((done) => {
    execFile(
      command,
      [...prefix, 'src/cli.ts', ...args],
      { cwd: ROOT, env: childEnv as NodeJS.ProcessEnv, timeout: SPAWN_TIMEOUT_MS },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        done({ code, stdout, stderr });
      },
    );
  });
}

describe('the CLI without a database', () => {
  it(
    '--help lists the commands and the exit codes',
    async () => {
      const run = await crm(['--help'], {}, 'npx');
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('Usage: npm run crm -- <command> [options]');
      for (const command of ['migrate up', 'migrate userthreads', 'migrate status', 'archive']) {
        expect(run.stdout).toContain(command);
      }
      expect(run.stdout).toMatch(/Exit codes: 0 done, 1 failed, 2 bad usage/);
    },
    SPAWN_TIMEOUT_MS,
  );

  it(
    'a command --help shows its options; a bad option or missing MONGODB_URI is one line and exit 2',
    async () => {
      const [help, badOption, noUri, badDuration] = await Promise.all([
        crm(['migrate', 'userthreads', '--help']),
        crm(['migrate', 'userthreads', '--batchsize', '10'], { MONGODB_URI: 'mongodb://127.0.0.1:1/x' }),
        crm(['migrate', 'up'], { MONGODB_URI: undefined }),
        crm(['archive', '--older-than', '1year'], { MONGODB_URI: 'mongodb://127.0.0.1:1/x' }),
      ]);
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(/--dry-run[\s\S]*--batch-size <n>[\s\S]*--drop-source/);

      expect(badOption.code).toBe(2);
      expect(badOption.stderr).toMatch(/^error: Unknown option '--batchsize'.*\n$/);

      expect(noUri.code).toBe(2);
      expect(noUri.stderr).toMatch(/^error: MONGODB_URI is not set: .*\n$/);
      expect(noUri.stderr).not.toMatch(/\n\s+at /); // no stack without --verbose

      expect(badDuration.code).toBe(2);
      expect(badDuration.stderr).toMatch(/^error: --older-than must be a whole number followed by a unit/);
    },
    SPAWN_TIMEOUT_MS,
  );
});

describe('the CLI on the test database', () => {
  let t: TestDb;
  let env: Record<string, string>;

  beforeEach(async () => {
    t = await connectTestDb();
    env = {
      MONGODB_URI: inject('mongoUri'),
      MONGODB_DB: t.db.databaseName,
      ADMIN_EMAIL: 'ops@example.com',
      ADMIN_PASSWORD: 'correct-horse-battery',
    };
  });
  afterEach(async () => {
    await t?.close();
  });

  it(
    'migrate up creates the schema and the admin, and the second run has nothing to do',
    async () => {
      const first = await crm(['migrate', 'up'], env);
      expect(first.stderr).not.toMatch(/^error:/m);
      expect(first.code).toBe(0);
      expect(first.stdout).toContain(`migrate up (phase 1) on database "${t.db.databaseName}"`);
      expect(first.stdout).toMatch(/collections\s+\d+ created, 0 already there/);
      expect(first.stdout).toMatch(/indexes\s+\d+ created, 0 already there/);
      expect(first.stdout).toMatch(/first admin\s+created ops@example\.com \(ADMIN_PASSWORD\)/);
      expect(first.stdout).not.toContain('correct-horse-battery');
      expect(await t.db.collection(COLLECTIONS.agents).countDocuments({ email: 'ops@example.com' })).toBe(1);

      const second = await crm(['migrate', 'up'], env);
      expect(second.code).toBe(0);
      expect(second.stdout).toMatch(/collections\s+0 created, \d+ already there/);
      expect(second.stdout).toMatch(/first admin\s+already there/);
      expect(second.stdout).toMatch(/nothing to do: phase 1 already applied/);
    },
    2 * SPAWN_TIMEOUT_MS,
  );

  it(
    'migrate userthreads --drop-source refuses (exit 3) while a thread is not migrated',
    async () => {
      await t.db.collection('userthreads').insertMany([
        {
          _id: new ObjectId(),
          userId: '5215512345678',
          threadId: 'thread_a',
          messageCount: 2,
          createdAt: new Date(),
        },
        {
          _id: new ObjectId(),
          userId: '525512345678',
          threadId: 'thread_b',
          messageCount: 3,
          createdAt: new Date(),
        },
        {
          _id: new ObjectId(),
          userId: 'not-a-phone',
          threadId: 'thread_c',
          messageCount: 1,
          createdAt: new Date(),
        },
      ]);
      expect((await crm(['migrate', 'up'], env)).code).toBe(0);

      const run = await crm(['migrate', 'userthreads', '--batch-size', '2', '--drop-source'], env);

      expect(run.code).toBe(3);
      expect(run.stdout).toMatch(/source threads\s+3/);
      expect(run.stdout).toMatch(/migrated now\s+2/);
      expect(run.stdout).toMatch(/skipped: invalid phone\s+1/);
      expect(run.stdout).toMatch(/customers\s+1 created, 0 already there/);
      expect(run.stdout).toMatch(/verification: 2 of 3 source threads migrated; 1 not migrated/);
      expect(run.stderr).toMatch(/userthreads: batch 2\/2 · 3\/3 threads \(100%\)/);
      expect(run.stderr).toMatch(/refused to drop "userthreads": 3 threads in the source but 2 migrated/);
      expect(await t.db.collection('userthreads').countDocuments()).toBe(3);
      expect(
        await t.db.collection(COLLECTIONS.customers).countDocuments({ phoneNumber: '+525512345678' }),
      ).toBe(1);
    },
    3 * SPAWN_TIMEOUT_MS,
  );
});
