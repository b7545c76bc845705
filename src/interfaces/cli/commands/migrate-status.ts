import { MigrationLog } from '../../../infrastructure/mongo/migrations/migration-log.js';
import {
  USER_THREADS,
  userThreadsExist,
  verifyUserThreads,
} from '../../../infrastructure/mongo/migrations/userthreads.js';
import { openDatabase } from '../cli-database.js';
import { type CliIo, EXIT, fmt, table } from '../cli-support.js';

export const MIGRATE_STATUS_HELP = `Usage: npm run crm -- migrate status [options]

Shows the migrations recorded in the "migrations" collection, the schema_version setting, and how
many "userthreads" are migrated. Reads only.

Options:
  -v, --verbose   stack traces and details on errors
  -h, --help      this help`;

export async function migrateStatus(io: CliIo, flags: { verbose: boolean }): Promise<number> {
  const database = await openDatabase(io, flags);
  try {
    const db = database.connection.db;
    io.out(`migrations of ${database.describe()}\n`);
    const records = await new MigrationLog(db).list();
    const rows: [string, string][] = records.map((r) => {
      const parts = [r.appliedAt ? `applied ${r.appliedAt.toISOString()}` : 'not complete'];
      if (r.schemaVersion !== undefined) parts.push(`schema version ${r.schemaVersion}`);
      const lastChange = r.changes?.at(-1);
      if (lastChange) parts.push(`last change ${lastChange.at.toISOString()}`);
      if (r.lastRunAt) parts.push(`last run ${r.lastRunAt.toISOString()}`);
      if (r.sourceDroppedAt) parts.push(`source dropped ${r.sourceDroppedAt.toISOString()}`);
      return [r._id, parts.join('; ')];
    });
    if (rows.length === 0) rows.push(['(none)', 'run "migrate up"']);
    const version = await database.repositories.settings.get('schema_version');
    rows.push(['schema_version', version ? JSON.stringify(version.value) : '(not set)']);
    if (await userThreadsExist(db)) {
      const v = await verifyUserThreads(db);
      rows.push([
        USER_THREADS,
        `${fmt(v.migrated)} of ${fmt(v.source)} migrated, ${fmt(v.missing)} not migrated`,
      ]);
    } else {
      rows.push([USER_THREADS, 'no such collection']);
    }
    for (const line of table(rows)) io.out(`${line}\n`);
    return EXIT.ok;
  } finally {
    await database.close();
  }
}
