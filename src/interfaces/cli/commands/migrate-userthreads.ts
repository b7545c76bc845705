import type { PhoneRegion } from '../../../domain/customer/phone-number.js';
import { SETTING_DEFINITIONS, validateSettingValue } from '../../../domain/settings/setting-definitions.js';
import { MIGRATION_IDS, MigrationLog } from '../../../infrastructure/mongo/migrations/migration-log.js';
import {
  dropUserThreads,
  migrateUserThreads,
  type SkippedThread,
  USER_THREADS,
  type UserThreadVerification,
  userThreadsExist,
  verifyUserThreads,
} from '../../../infrastructure/mongo/migrations/userthreads.js';
import { openDatabase } from '../cli-database.js';
import {
  type CliIo,
  EXIT,
  fmt,
  formatDuration,
  parseInteger,
  progressPrinter,
  table,
  usageError,
} from '../cli-support.js';

export const MIGRATE_USERTHREADS_HELP = `Usage: npm run crm -- migrate userthreads [options]

Phase 2 of the migration: turns every document of the bot's "userthreads" collection into
  - a customer per phone number (E.164; numbers without a country code are read in the
    default_phone_region setting's region; 521... and 52... are the same Mexican number),
  - a conversation per thread (open, AI on, the thread's message count and dates),
  - a "conversationthreads" document with the thread's own _id pointing at both.
Customer totals (conversations, messages) and firstContact / lastInteraction are recomputed from
what is stored. Threads with an invalid phone (or no thread id) are reported and skipped.

Idempotent and resumable: interrupt it at any point and run it again; every thread ends up with
exactly one conversation and every phone with exactly one customer. Run "migrate up" first.

Options:
      --dry-run          count what would happen; write nothing
      --batch-size <n>   threads per batch (1-10000, default 500)
      --limit <n>        look at no more than n threads in this run (a rerun goes on)
      --region <XX>      region for numbers without a country code (default: the setting, else MX)
      --drop-source      after the run, drop "userthreads" if, and only if, every thread in it
                         is migrated; otherwise refuse with the numbers (exit code 3)
  -v, --verbose          list every skipped thread; stack traces on errors
  -h, --help             this help`;

export interface MigrateUserThreadsFlags {
  verbose: boolean;
  'dry-run'?: boolean;
  'batch-size'?: string;
  limit?: string;
  region?: string;
  'drop-source'?: boolean;
}

const SKIPPED_SHOWN = 20;

export async function migrateUserThreadsCommand(io: CliIo, flags: MigrateUserThreadsFlags): Promise<number> {
  const batchSize = parseInteger(flags['batch-size'], '--batch-size', 500, { min: 1, max: 10_000 });
  const limit =
    flags.limit === undefined
      ? undefined
      : parseInteger(flags.limit, '--limit', 0, { min: 1, max: Number.MAX_SAFE_INTEGER });
  const dryRun = flags['dry-run'] === true;
  const dropSource = flags['drop-source'] === true;
  const regionOverride =
    flags.region === undefined ? undefined : { value: parseRegion(flags.region), from: '--region' };

  const database = await openDatabase(io, flags);
  try {
    const db = database.connection.db;
    io.out(
      `migrate userthreads (phase 2) on ${database.describe()}${dryRun ? ' - DRY RUN: nothing is written' : ''}\n`,
    );
    if (!(await userThreadsExist(db))) {
      io.out(`nothing to do: there is no "${USER_THREADS}" collection (never existed, or already dropped)\n`);
      return EXIT.ok;
    }
    const region = regionOverride ?? (await storedRegion(database.repositories.settings));
    io.out(
      `  region for numbers without a country code: ${region.value} (${region.from}); batches of ${fmt(batchSize)}\n`,
    );

    const progress = progressPrinter(io, USER_THREADS, 'threads');
    const skipped: SkippedThread[] = [];
    let skippedCount = 0;
    const onSkipped = (thread: SkippedThread) => {
      skippedCount += 1;
      if (flags.verbose || skipped.length < SKIPPED_SHOWN) skipped.push(thread);
    };
    const result = await migrateUserThreads(db, database.capabilities, {
      defaultRegion: region.value,
      batchSize,
      dryRun,
      ...(limit === undefined ? {} : { limit }),
      onProgress: (p) => progress.update(p),
      onSkipped,
    });
    progress.done();

    for (const s of skipped) {
      io.out(`  skipped ${s.id} (userId ${JSON.stringify(s.userId)}): ${s.reason.replace(/_/g, ' ')}\n`);
    }
    if (skippedCount > skipped.length) {
      io.out(`  ... and ${fmt(skippedCount - skipped.length)} more skipped (--verbose lists them all)\n`);
    }

    const would = (text: string) => (dryRun ? `would be ${text}` : text);
    io.out(`report${dryRun ? ' (dry run)' : ''}, ${formatDuration(result.elapsedMs)}:\n`);
    const rows: [string, string][] = [
      ['source threads', fmt(result.source)],
      [
        'looked at',
        `${fmt(result.processed)}${result.limited ? ` (stopped by --limit ${fmt(limit ?? 0)})` : ''}`,
      ],
      ['already migrated', fmt(result.alreadyMigrated)],
      [dryRun ? 'to migrate' : 'migrated now', fmt(result.migrated)],
      ['skipped: invalid phone', fmt(result.skipped.invalidPhone)],
      ['skipped: no thread id', fmt(result.skipped.missingThreadId)],
      [
        'customers',
        `${fmt(result.customers.created)} ${would('created')}, ${fmt(result.customers.existing)} already there`,
      ],
      [
        'conversations',
        `${fmt(result.conversations.created)} ${would('created')}, ${fmt(result.conversations.existing)} already there`,
      ],
    ];
    if (!dryRun) rows.push(['customer totals', `${fmt(result.statisticsUpdated)} recomputed`]);
    for (const line of table(rows)) io.out(`${line}\n`);

    const verification = await verifyUserThreads(db);
    io.out(`verification: ${describeVerification(verification)}\n`);

    const log = new MigrationLog(db);
    if (!dryRun) {
      const now = new Date();
      const { elapsedMs: _elapsed, ...counts } = result;
      await log.recordRun(
        MIGRATION_IDS.userThreads,
        'Phase 2: userthreads to customers, conversations, conversationthreads',
        now,
        {
          ...counts,
          verification,
        },
      );
      if (verification.missing === 0) await log.markApplied(MIGRATION_IDS.userThreads, now);
    }

    if (!dropSource) return EXIT.ok;
    const complete = verification.missing === 0 && verification.migrated === verification.source;
    if (dryRun) {
      io.out(
        complete
          ? `--drop-source: would drop "${USER_THREADS}" (every thread is migrated)\n`
          : `--drop-source: would refuse: ${refusal(verification)}\n`,
      );
      return EXIT.ok;
    }
    const outcome = await dropUserThreads(db);
    if (outcome.dropped) {
      await log.recordSourceDropped(MIGRATION_IDS.userThreads, new Date());
      io.out(`dropped "${USER_THREADS}": all ${fmt(outcome.verification.source)} threads were migrated\n`);
      return EXIT.ok;
    }
    if (outcome.reason === 'absent') {
      io.out(`nothing to drop: "${USER_THREADS}" is gone\n`);
      return EXIT.ok;
    }
    io.err(`refused to drop "${USER_THREADS}": ${refusal(outcome.verification)}\n`);
    return EXIT.refused;
  } finally {
    await database.close();
  }
}

function describeVerification(v: UserThreadVerification): string {
  const base = `${fmt(v.migrated)} of ${fmt(v.source)} source threads migrated`;
  if (v.missing === 0) return `${base} - complete`;
  return `${base}; ${fmt(v.missing)} not migrated (e.g. ${v.missingSample.slice(0, 5).join(', ')})`;
}

function refusal(v: UserThreadVerification): string {
  return (
    `${fmt(v.source)} threads in the source but ${fmt(v.migrated)} migrated (${fmt(v.missing)} not migrated, ` +
    `e.g. ${v.missingSample.slice(0, 5).join(', ')}); fix or remove those threads, run again, then drop`
  );
}

function parseRegion(raw: string): PhoneRegion {
  try {
    return validateSettingValue('default_phone_region', raw.trim().toUpperCase());
  } catch {
    throw usageError(
      `--region must be an ISO 3166-1 alpha-2 region with a phone numbering plan (e.g. MX); got "${raw}"`,
    );
  }
}

async function storedRegion(settings: {
  get(key: string): Promise<{ value: unknown } | null>;
}): Promise<{ value: PhoneRegion; from: string }> {
  const stored = await settings.get('default_phone_region');
  if (stored) {
    try {
      return {
        value: validateSettingValue('default_phone_region', stored.value),
        from: 'setting default_phone_region',
      };
    } catch {
      // an invalid stored value falls back to the default, as SettingsSnapshot does
    }
  }
  return { value: SETTING_DEFINITIONS.default_phone_region.defaultValue, from: 'default' };
}
