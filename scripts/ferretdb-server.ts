/**
 * A throw-away FerretDB v1.24 (SQLite backend, fresh temp folder, free loopback port), for the test
 * setup (test/support/global-setup.ts) and the database benchmark (bench/db.ts).
 *
 * The binary is looked up (`FERRETDB_BIN`, `.tmp/bin/ferretdb`, `ferretdb` on PATH,
 * `~/go/bin/ferretdb`; each must pass `--version` and report v1.24), else built by
 * `scripts/ensure-ferretdb.sh` (needs Go).
 */
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MongoClient } from 'mongodb';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ENSURE_SCRIPT = join(REPO_ROOT, 'scripts', 'ensure-ferretdb.sh');
const START_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 5_000;
const OUTPUT_TAIL_CHARS = 8_000;

export interface RunningFerret {
  /** `mongodb://127.0.0.1:<port>/` */
  uri: string;
  /** Stops the server (SIGTERM, then SIGKILL after a grace period) and removes its data folder. */
  stop(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Finding / building the binary

/**
 * The mark scripts/ensure-ferretdb.sh gives its build (`package:` in `--version`): FerretDB v1.24.2
 * with the one-line fix that lets SQLite use the `_id` index (unfixed, every lookup, update and
 * delete by `_id` scans the whole collection).
 */
const PATCH_MARK = 'crm-sqlite-id-index';

/**
 * True when `bin` runs `--version` with exit code 0 and reports a v1.24 FerretDB — built with the
 * `_id` index fix unless `any`.
 */
function works(bin: string, any = false): boolean {
  if (!existsSync(bin)) return false;
  const res = spawnSync(bin, ['--version'], { encoding: 'utf8', timeout: 20_000 });
  if (res.status !== 0 || typeof res.stdout !== 'string' || !res.stdout.includes('v1.24')) return false;
  return any || res.stdout.includes(PATCH_MARK);
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

/**
 * A working FerretDB v1.24 binary already on this machine, if any: `FERRETDB_BIN` as given (with a
 * warning when it lacks the `_id` index fix), else the first fixed build found.
 */
export function findFerretDb(): string | undefined {
  const explicit = process.env.FERRETDB_BIN;
  if (explicit && works(explicit, true)) {
    if (!works(explicit)) {
      console.warn(
        `[ferretdb] ${explicit} lacks the _id index fix: lookups by _id will scan whole collections`,
      );
    }
    return explicit;
  }
  const candidates = [
    join(REPO_ROOT, '.tmp', 'bin', 'ferretdb'),
    onPath('ferretdb'),
    join(homedir(), 'go', 'bin', 'ferretdb'),
  ];
  for (const candidate of candidates) {
    if (candidate && works(candidate)) return candidate;
  }
  return undefined;
}

/** Builds FerretDB with scripts/ensure-ferretdb.sh (progress on stderr); throws with what to do when it cannot. */
export function buildFerretDb(): string {
  console.warn(`[ferretdb] no working FerretDB v1.24 binary found; running ${ENSURE_SCRIPT}`);
  const res = spawnSync('bash', [ENSURE_SCRIPT], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'], // progress (stderr) is shown live; stdout is the binary path
    timeout: 15 * 60_000,
  });
  const bin = res.stdout?.trim().split('\n').at(-1)?.trim();
  if (res.status !== 0 || !bin || !works(bin)) {
    throw new Error(
      'No MongoDB-compatible server: MONGODB_URI is not set and no working FerretDB v1.24 ' +
        `could be found or built (scripts/ensure-ferretdb.sh ${
          res.error ? `failed to run: ${res.error.message}` : `exited with ${res.status ?? res.signal}`
        }; see its output above). Fix: install Go so the script can build FerretDB, set FERRETDB_BIN to a ` +
        'working FerretDB v1.24 binary, or set MONGODB_URI. (Developers only: CRM_TEST_NO_MONGO=1 runs ' +
        'the tests without MongoDB, and every test that needs it then fails.)',
    );
  }
  return bin;
}

// ---------------------------------------------------------------------------------------------
// Running FerretDB

async function freePort(): Promise<number> {
  const srv = createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const addr = srv.address();
  srv.close();
  await once(srv, 'close');
  if (addr === null || typeof addr === 'string') throw new Error('could not get a free port from the OS');
  return addr.port;
}

/** Finds (or builds) the binary and starts a fresh server; resolves once it answers `ping`. */
export async function startFerretDb(bin: string = findFerretDb() ?? buildFerretDb()): Promise<RunningFerret> {
  let lastError: unknown;
  // A second attempt only matters if another process grabbed the port between probe and bind.
  for (let attempt = 1; attempt <= 3; attempt++) {
    try {
      return await startFerretDbOnce(bin);
    } catch (err) {
      lastError = err;
      if (!(err instanceof Error && /address already in use/i.test(err.message))) throw err;
    }
  }
  throw lastError;
}

async function startFerretDbOnce(bin: string): Promise<RunningFerret> {
  const dataDir = await mkdtemp(join(tmpdir(), 'crm-ferretdb-'));
  const port = await freePort();
  const uri = `mongodb://127.0.0.1:${port}/`;
  const child = spawn(
    bin,
    [
      '--handler=sqlite',
      // synchronous(NORMAL): a commit is durable once in the write-ahead log, which SQLite syncs at
      // checkpoints rather than on every commit — the durability MongoDB gives a plain `w: 1`
      // write (acknowledged before its journal is synced). With SQLite's default (FULL) every
      // single-document write pays an fsync that no MongoDB deployment pays.
      `--sqlite-url=file:${dataDir}/?_pragma=synchronous(NORMAL)`,
      `--state-dir=${dataDir}`, // default is the cwd: it would drop a state.json into the repo
      `--listen-addr=127.0.0.1:${port}`,
      '--telemetry=disable',
      '--debug-addr=-',
      '--log-level=warn',
    ],
    { cwd: dataDir, stdio: ['ignore', 'pipe', 'pipe'] },
  );

  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);

  let exited: string | undefined;
  let spawnError: Error | undefined;
  child.on('error', (err) => {
    spawnError = err;
  });
  const exitPromise = new Promise<void>((res) => {
    child.once('exit', (code, signal) => {
      exited = signal ? `signal ${signal}` : `exit code ${code}`;
      res();
    });
  });
  // If the owning process dies without calling stop(), do not leave FerretDB behind.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const stop = async () => {
    process.removeListener('exit', killOnExit);
    if (exited === undefined && !spawnError) {
      child.kill('SIGTERM');
      const timer = new Promise<'timeout'>((res) => setTimeout(() => res('timeout'), STOP_GRACE_MS).unref());
      if ((await Promise.race([exitPromise, timer])) === 'timeout') {
        child.kill('SIGKILL');
        await exitPromise;
      }
    }
    await rm(dataDir, { recursive: true, force: true });
  };

  const deadline = Date.now() + START_TIMEOUT_MS;
  let lastPingError = '';
  while (true) {
    if (spawnError || exited !== undefined) {
      await stop();
      throw new Error(
        `FerretDB (${bin}) ${spawnError ? `could not be started: ${spawnError.message}` : `exited early (${exited})`}` +
          `.\n--- FerretDB output (tail) ---\n${output || '(none)'}`,
      );
    }
    try {
      await ping(uri, 1_000);
      return { uri, stop };
    } catch (err) {
      lastPingError = err instanceof Error ? err.message : String(err);
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(
        `FerretDB (${bin}) did not answer ping on ${uri} within ${START_TIMEOUT_MS / 1000} s ` +
          `(last error: ${lastPingError}).\n--- FerretDB output (tail) ---\n${output || '(none)'}`,
      );
    }
    await new Promise((res) => setTimeout(res, 100));
  }
}

// ---------------------------------------------------------------------------------------------
// Helpers

export async function ping(uri: string, timeoutMs: number): Promise<void> {
  const client = new MongoClient(uri, {
    serverSelectionTimeoutMS: timeoutMs,
    connectTimeoutMS: timeoutMs,
    socketTimeoutMS: timeoutMs,
  });
  try {
    await client.connect();
    await client.db('admin').command({ ping: 1 });
  } finally {
    await client.close().catch(() => {});
  }
}

/** `ping`, with an error that names the (redacted) URI. */
export async function pingOrThrow(uri: string, timeoutMs: number): Promise<void> {
  try {
    await ping(uri, timeoutMs);
  } catch (err) {
    throw new Error(
      `MONGODB_URI is set but the server did not answer ping within ${timeoutMs / 1000} s: ` +
        `${err instanceof Error ? err.message : String(err)} (URI: ${redact(uri)})`,
    );
  }
}

/** Hides the password of a `mongodb://user:pass@host` URI in error messages. */
export function redact(uri: string): string {
  return uri.replace(/\/\/([^:/@]+):[^@/]*@/, '//$1:***@');
}
