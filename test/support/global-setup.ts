/**
 * Vitest global setup: provides a MongoDB-compatible server to the test suites.
 *
 * - `MONGODB_URI` set: that server is used (it must answer `ping` within 10 s).
 * - Otherwise a throw-away FerretDB v1.24 (SQLite backend, fresh temp folder, free loopback port) is
 *   started by scripts/ferretdb-server.ts (shared with the benchmark, bench/db.ts). The binary is
 *   looked up (`FERRETDB_BIN`, `.tmp/bin/ferretdb`, `ferretdb` on PATH, `~/go/bin/ferretdb`; each must
 *   pass `--version`), else built by `scripts/ensure-ferretdb.sh`.
 * - `CRM_TEST_NO_MONGO=1` without `MONGODB_URI` (refused in CI): no server at all; tests calling
 *   `connectTestDb()` then fail with a clear message (they are not skipped).
 *
 * If no server can be had, setup throws: MongoDB suites must never be skipped silently.
 */
import type { TestProject } from 'vitest/node';
import { pingOrThrow, type RunningFerret, startFerretDb } from '../../scripts/ferretdb-server.js';

export type MongoServerKind = 'ferretdb' | 'external' | 'none';

declare module 'vitest' {
  export interface ProvidedContext {
    /** URI of the MongoDB-compatible server for this run; '' only when CRM_TEST_NO_MONGO=1. */
    mongoUri: string;
    /** Which server the URI points at: a FerretDB started by this setup, an external one, or none. */
    mongoServer: MongoServerKind;
  }
}

const EXTERNAL_PING_TIMEOUT_MS = 10_000;

let server: RunningFerret | undefined;

export async function setup(project: TestProject): Promise<void> {
  const externalUri = process.env.MONGODB_URI?.trim();

  if (process.env.CRM_TEST_NO_MONGO === '1' && !externalUri) {
    if (isCi()) {
      throw new Error('CRM_TEST_NO_MONGO=1 is not allowed in CI: the MongoDB suites must run there.');
    }
    console.warn(
      '[global-setup] CRM_TEST_NO_MONGO=1: no MongoDB server for this run; tests that call connectTestDb() will fail.',
    );
    project.provide('mongoUri', '');
    project.provide('mongoServer', 'none');
    return;
  }

  if (externalUri) {
    await pingOrThrow(externalUri, EXTERNAL_PING_TIMEOUT_MS);
    project.provide('mongoUri', externalUri);
    project.provide('mongoServer', 'external');
    return;
  }

  server = await startFerretDb();
  project.provide('mongoUri', server.uri);
  project.provide('mongoServer', 'ferretdb');
}

export async function teardown(): Promise<void> {
  const running = server;
  server = undefined;
  if (running) await running.stop();
}

function isCi(): boolean {
  const ci = process.env.CI;
  return ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false';
}
