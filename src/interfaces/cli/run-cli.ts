/**
 * The CLI: finds the command in the leading words of argv, parses its options strictly
 * (`util.parseArgs`), runs it, and turns every failure into one line and an exit code (the stack
 * only with --verbose).
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { DomainError } from '../../domain/shared/errors.js';
import { CliError, type CliIo, EXIT } from './cli-support.js';
import type { ArchiveFlags } from './commands/archive.js';
import type { MigrateUserThreadsFlags } from './commands/migrate-userthreads.js';
import type { RecomputeStatisticsFlags } from './commands/recompute-statistics.js';

type Options = NonNullable<ParseArgsConfig['options']>;
type Flags = Record<string, string | boolean | undefined> & { verbose: boolean };

interface CommandModule {
  help: string;
  run(io: CliIo, flags: Flags): Promise<number>;
}

interface Command {
  words: string[];
  summary: string;
  options: Options;
  /** Loaded only when the command runs (or shows its help): `--help` stays fast. */
  load(): Promise<CommandModule>;
}

const GLOBAL_OPTIONS: Options = {
  help: { type: 'boolean', short: 'h' },
  verbose: { type: 'boolean', short: 'v' },
};

const COMMANDS: Command[] = [
  {
    words: ['migrate', 'up'],
    summary: 'phase 1: collections, indexes, default settings, first admin (idempotent)',
    options: {},
    load: async () => {
      const m = await import('./commands/migrate-up.js');
      return { help: m.MIGRATE_UP_HELP, run: (io, flags) => m.migrateUp(io, flags) };
    },
  },
  {
    words: ['migrate', 'userthreads'],
    summary: "phase 2: the bot's userthreads into customers, conversations, conversationthreads",
    options: {
      'dry-run': { type: 'boolean' },
      'batch-size': { type: 'string' },
      limit: { type: 'string' },
      region: { type: 'string' },
      'drop-source': { type: 'boolean' },
    },
    load: async () => {
      const m = await import('./commands/migrate-userthreads.js');
      return {
        help: m.MIGRATE_USERTHREADS_HELP,
        run: (io, flags) => m.migrateUserThreadsCommand(io, flags as MigrateUserThreadsFlags),
      };
    },
  },
  {
    words: ['migrate', 'status'],
    summary: 'what ran, the schema version, how many userthreads are migrated',
    options: {},
    load: async () => {
      const m = await import('./commands/migrate-status.js');
      return { help: m.MIGRATE_STATUS_HELP, run: (io, flags) => m.migrateStatus(io, flags) };
    },
  },
  {
    words: ['archive'],
    summary: 'move closed conversations and old messages to the archive collections',
    options: {
      'older-than': { type: 'string' },
      'batch-size': { type: 'string' },
      'dry-run': { type: 'boolean' },
    },
    load: async () => {
      const m = await import('./commands/archive.js');
      return { help: m.ARCHIVE_HELP, run: (io, flags) => m.archiveCommand(io, flags as ArchiveFlags) };
    },
  },
  {
    words: ['stats', 'recompute'],
    summary: "rebuild agents' and customers' statistics from the data; print the drift",
    options: { 'dry-run': { type: 'boolean' } },
    load: async () => {
      const m = await import('./commands/recompute-statistics.js');
      return {
        help: m.RECOMPUTE_STATISTICS_HELP,
        run: (io, flags) => m.recomputeStatisticsCommand(io, flags as RecomputeStatisticsFlags),
      };
    },
  },
];

export const MAIN_HELP = `Usage: npm run crm -- <command> [options]
       (the same as: npx tsx src/cli.ts <command> [options])

Database maintenance for the WhatsApp CRM. Works on the MongoDB (or FerretDB) database named by
MONGODB_URI (and MONGODB_DB, if set).

Commands:
${COMMANDS.map((c) => `  ${c.words.join(' ').padEnd(22)}${c.summary}`).join('\n')}

Options:
  -h, --help      help (also after a command: npm run crm -- migrate userthreads --help)
  -v, --verbose   stack traces and details on errors

Progress goes to stderr, reports to stdout.
Exit codes: 0 done, 1 failed, 2 bad usage or configuration, 3 refused (a safety check did not pass),
130 interrupted (every command is safe to run again).`;

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const verbose = argv.includes('--verbose') || argv.includes('-v');
  try {
    return await dispatch([...argv], io);
  } catch (err) {
    return reportError(err, io, verbose);
  }
}

async function dispatch(argv: string[], io: CliIo): Promise<number> {
  const firstOption = argv.findIndex((a) => a.startsWith('-'));
  const words = firstOption === -1 ? argv : argv.slice(0, firstOption);
  const rest = firstOption === -1 ? [] : argv.slice(firstOption);
  const wantsHelp = rest.includes('--help') || rest.includes('-h');

  if (words.length === 0) {
    if (wantsHelp || rest.length === 0) {
      io.out(`${MAIN_HELP}\n`);
      return rest.length === 0 && !wantsHelp ? EXIT.usage : EXIT.ok;
    }
    throw new CliError(`expected a command before ${rest[0]} (see --help)`, EXIT.usage);
  }

  const command = COMMANDS.find(
    (c) => c.words.length === words.length && c.words.every((w, i) => w === words[i]),
  );
  if (!command) {
    const group = COMMANDS.filter(
      (c) => words.every((w, i) => c.words[i] === w) && c.words.length > words.length,
    );
    if (group.length > 0) {
      const list = group.map((c) => `  ${c.words.join(' ').padEnd(22)}${c.summary}`).join('\n');
      if (wantsHelp) {
        io.out(`Usage: npm run crm -- ${words.join(' ')} <subcommand> [options]\n\nSubcommands:\n${list}\n`);
        return EXIT.ok;
      }
      throw new CliError(
        `"${words.join(' ')}" needs a subcommand: ${group.map((c) => c.words.at(-1)).join(', ')} (see --help)`,
        EXIT.usage,
      );
    }
    throw new CliError(`unknown command "${words.join(' ')}" (see --help)`, EXIT.usage);
  }

  let values: Record<string, string | boolean | undefined>;
  try {
    const parsed = parseArgs({
      args: rest,
      options: { ...GLOBAL_OPTIONS, ...command.options },
      strict: true,
      allowPositionals: false,
    });
    values = parsed.values as Record<string, string | boolean | undefined>;
  } catch (err) {
    throw new CliError(
      `${err instanceof Error ? err.message : String(err)} (see ${command.words.join(' ')} --help)`,
      EXIT.usage,
    );
  }
  const module = await command.load();
  if (values.help) {
    io.out(`${module.help}\n`);
    return EXIT.ok;
  }
  return module.run(io, { ...values, verbose: values.verbose === true });
}

function reportError(err: unknown, io: CliIo, verbose: boolean): number {
  const exitCode = err instanceof CliError ? err.exitCode : EXIT.failed;
  const message =
    err instanceof CliError || err instanceof DomainError
      ? err.message
      : err instanceof Error
        ? `${err.name === 'Error' ? '' : `${err.name}: `}${err.message}`
        : String(err);
  io.err(`error: ${message.replace(/\s*\n\s*/g, ' ')}\n`);
  if (verbose && err instanceof Error && err.stack) io.err(`${err.stack}\n`);
  else if (!(err instanceof CliError)) io.err('(run again with --verbose for the stack trace)\n');
  return exitCode;
}
