import type { EnsureFirstAdmin } from '../../../application/auth/ensure-first-admin.js';
import type { Clock, IdGenerator } from '../../../application/ports/gateways.js';
import type { SettingsRepository } from '../../../application/ports/repositories.js';
import { runInitialSchema } from '../../../infrastructure/mongo/migrations/initial-schema.js';
import { TOKENS } from '../../../infrastructure/tokens.js';
import { openDatabase } from '../cli-database.js';
import { type CliIo, EXIT, fmt, formatDuration, table } from '../cli-support.js';

export const MIGRATE_UP_HELP = `Usage: npm run crm -- migrate up [options]

Phase 1 of the migration: creates every collection and index, inserts the default system settings
that are not stored yet (stored values are never changed), creates the first admin when there is no
agent at all, and records the run in the "migrations" collection. Safe to run any number of times:
a second run changes nothing and says so.

The first admin is ADMIN_EMAIL / ADMIN_PASSWORD when set; otherwise admin@crm.local with a generated
password that is printed once.

Options:
  -v, --verbose   stack traces and details on errors
  -h, --help      this help

Environment: MONGODB_URI (required), MONGODB_DB, ADMIN_EMAIL, ADMIN_PASSWORD.`;

export async function migrateUp(io: CliIo, flags: { verbose: boolean }): Promise<number> {
  const database = await openDatabase(io, flags);
  try {
    const { container, config } = database;
    io.out(`migrate up (phase 1) on ${database.describe()}\n`);
    const started = Date.now();
    const result = await runInitialSchema({
      db: database.connection.db,
      capabilities: database.capabilities,
      settings: container.resolve<SettingsRepository>(TOKENS.SettingsRepository),
      ensureFirstAdmin: () =>
        container.resolve<EnsureFirstAdmin>(TOKENS.EnsureFirstAdmin).execute({
          ...(config.admin.email ? { email: config.admin.email } : {}),
          ...(config.admin.password ? { password: config.admin.password } : {}),
        }),
      clock: container.resolve<Clock>(TOKENS.Clock),
      ids: container.resolve<IdGenerator>(TOKENS.IdGenerator),
      log: database.indexLog,
    });

    const skipped =
      result.indexes.skipped.length > 0
        ? ` (${fmt(result.indexes.skipped.length)} text index(es) left out: no text search on this server)`
        : '';
    const admin = result.admin.created
      ? `created ${result.admin.email}${result.admin.generatedPassword ? ' (generated password below)' : ' (ADMIN_PASSWORD)'}`
      : 'already there (an agent exists)';
    const rows: [string, string][] = [
      [
        'collections',
        `${fmt(result.collections.created.length)} created, ${fmt(result.collections.existing)} already there`,
      ],
      [
        'indexes',
        `${fmt(result.indexes.created.length)} created, ${fmt(result.indexes.existing)} already there${skipped}`,
      ],
      [
        'settings',
        `${fmt(result.settings.inserted.length)} inserted, ${fmt(result.settings.present)} already there`,
      ],
      ['first admin', admin],
      ['schema version', String(result.schemaVersion.after)],
    ];
    for (const line of table(rows)) io.out(`${line}\n`);
    io.out(
      result.changed
        ? `done in ${formatDuration(Date.now() - started)}; recorded in "migrations" as 001_initial_schema\n`
        : `nothing to do: phase 1 already applied (${result.appliedAt.toISOString()})\n`,
    );
    if (result.admin.created && result.admin.generatedPassword) {
      const lines = [
        'FIRST ADMIN CREATED - this password is shown ONCE; change it after logging in',
        `  e-mail:   ${result.admin.email}`,
        `  password: ${result.admin.generatedPassword}`,
      ];
      const width = Math.max(...lines.map((l) => l.length)) + 4;
      io.out(`${'#'.repeat(width)}\n`);
      for (const l of lines) io.out(`# ${l.padEnd(width - 4)} #\n`);
      io.out(`${'#'.repeat(width)}\n`);
    }
    return EXIT.ok;
  } finally {
    await database.close();
  }
}
