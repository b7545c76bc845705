import { SYSTEM } from '../../../application/shared/actor.js';
import { RecomputeStatistics } from '../../../application/statistics/recompute-statistics.js';
import { ObjectIdGenerator } from '../../../infrastructure/crypto/object-id-generator.js';
import { SystemClock } from '../../../infrastructure/crypto/system-clock.js';
import { createMongoRepositories } from '../../../infrastructure/mongo/mongo-repositories.js';
import { openDatabase } from '../cli-database.js';
import { type CliIo, EXIT, fmt, table } from '../cli-support.js';

export const RECOMPUTE_STATISTICS_HELP = `Usage: npm run crm -- stats recompute [options]

Rebuilds every agent's and customer's statistics from the data (conversations, messages, tickets,
the activity log), prints the drift (stored vs recomputed) per agent and customer, and writes the
recomputed values back. Safe to run at any time and as often as you like; run it before archiving
(archived history is not read).

Options:
      --dry-run          print the drift; write nothing
  -v, --verbose          stack traces and details on errors
  -h, --help             this help`;

export interface RecomputeStatisticsFlags {
  verbose: boolean;
  'dry-run'?: boolean;
}

export async function recomputeStatisticsCommand(
  io: CliIo,
  flags: RecomputeStatisticsFlags,
): Promise<number> {
  const dryRun = flags['dry-run'] === true;
  const database = await openDatabase(io, flags);
  try {
    const repositories = createMongoRepositories(
      database.connection.db,
      database.capabilities,
      database.indexLog,
    );
    io.out(`stats recompute on ${database.describe()}${dryRun ? ' - DRY RUN: nothing is written' : ''}\n`);
    const report = await new RecomputeStatistics({
      ...repositories,
      ids: new ObjectIdGenerator(),
      clock: new SystemClock(),
    }).execute({ actor: SYSTEM, meta: { userAgent: 'crm-cli stats recompute' }, dryRun });
    for (const line of table([
      [
        'read',
        `${fmt(report.conversations)} conversations, ${fmt(report.messages)} messages, ${fmt(report.tickets)} tickets`,
      ],
      ['checked', `${fmt(report.agents)} agents, ${fmt(report.customers)} customers`],
      [
        'drift',
        `${fmt(report.drift.length)} ${dryRun ? 'would be fixed' : `fixed (${fmt(report.updated)} written)`}`,
      ],
    ])) {
      io.out(`${line}\n`);
    }
    for (const d of report.drift) {
      const fields = d.fields
        .map((f) => `${f} ${String(d.stored[f] ?? '-')} → ${String(d.recomputed[f] ?? '-')}`)
        .join(', ');
      io.out(`  ${d.entity} ${d.id}: ${fields}\n`);
    }
    return EXIT.ok;
  } finally {
    await database.close();
  }
}
