import { type ArchiveCounts, archiveOldData } from '../../../infrastructure/mongo/archive/archiver.js';
import { ensureIndexes } from '../../../infrastructure/mongo/indexes.js';
import { openDatabase } from '../cli-database.js';
import {
  type CliIo,
  EXIT,
  fmt,
  formatDuration,
  parseDuration,
  parseInteger,
  progressPrinter,
  table,
  usageError,
} from '../cli-support.js';

export const ARCHIVE_HELP = `Usage: npm run crm -- archive --older-than <duration> [options]

Moves closed conversations whose closedAt is older than the cutoff to "conversations_archive", and
messages whose timestamp is older than the cutoff to "messages_archive", in batches: each batch is
copied first (a rerun overwrites its own earlier copies), the copies are read back, and only then
are the originals deleted (only those unchanged since they were copied). Interrupt it at any point
and run it again: nothing is lost and nothing is archived twice. Archived records stay readable in a
customer's history (read-only).

Options:
      --older-than <d>   age of what is archived: a number and a unit, s, m (minutes), h, d or w
                         (e.g. 365d, 12h, 52w); required
      --batch-size <n>   documents per batch (1-10000, default 1000)
      --dry-run          count what would be archived; write nothing
  -v, --verbose          stack traces and details on errors
  -h, --help             this help`;

export interface ArchiveFlags {
  verbose: boolean;
  'older-than'?: string;
  'batch-size'?: string;
  'dry-run'?: boolean;
}

export async function archiveCommand(io: CliIo, flags: ArchiveFlags): Promise<number> {
  if (flags['older-than'] === undefined) {
    throw usageError('archive needs --older-than <duration>, e.g. --older-than 365d');
  }
  const olderThanMs = parseDuration(flags['older-than'], '--older-than');
  const batchSize = parseInteger(flags['batch-size'], '--batch-size', 1000, { min: 1, max: 10_000 });
  const dryRun = flags['dry-run'] === true;
  const cutoff = new Date(Date.now() - olderThanMs);

  const database = await openDatabase(io, flags);
  try {
    const db = database.connection.db;
    io.out(`archive on ${database.describe()}${dryRun ? ' - DRY RUN: nothing is written' : ''}\n`);
    io.out(
      `  cutoff ${cutoff.toISOString()} (older than ${flags['older-than']}): closed conversations closed before it, ` +
        `messages sent before it; batches of ${fmt(batchSize)}\n`,
    );
    // The archive collections and their read indexes (idempotent; normally there since `migrate up`).
    if (!dryRun) await ensureIndexes(db, database.capabilities, database.indexLog);

    const printers = {
      conversations: progressPrinter(io, 'conversations', 'docs'),
      messages: progressPrinter(io, 'messages', 'docs'),
    };
    const result = await archiveOldData(db, database.capabilities, {
      cutoff,
      batchSize,
      dryRun,
      onProgress: (p) => printers[p.kind].update(p),
    });
    printers.conversations.done();
    printers.messages.done();

    const describe = (c: ArchiveCounts) =>
      dryRun
        ? `${fmt(c.eligible)} would be archived`
        : `${fmt(c.archived)} archived of ${fmt(c.eligible)} eligible` +
          (c.changed > 0
            ? `, ${fmt(c.changed)} left live (changed while being archived; the next run takes them)`
            : '');
    io.out(`report${dryRun ? ' (dry run)' : ''}, ${formatDuration(result.elapsedMs)}:\n`);
    for (const line of table([
      ['conversations', describe(result.conversations)],
      ['messages', describe(result.messages)],
    ])) {
      io.out(`${line}\n`);
    }
    if (result.conversations.eligible === 0 && result.messages.eligible === 0) {
      io.out('nothing to archive\n');
    }
    return EXIT.ok;
  } finally {
    await database.close();
  }
}
