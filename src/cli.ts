/**
 * Entry point of the maintenance CLI: `npm run crm -- <command>` (tsx src/cli.ts).
 * `npm run crm -- --help` lists the commands (migrate up, migrate userthreads, migrate status,
 * archive); the commands live in src/interfaces/cli/.
 */
import 'reflect-metadata';
import { EXIT } from './interfaces/cli/cli-support.js';
import { runCli } from './interfaces/cli/run-cli.js';

let interrupted = false;
process.on('SIGINT', () => {
  if (interrupted) process.exit(EXIT.interrupted);
  interrupted = true;
  process.stderr.write('\ninterrupted: every command is safe to run again; it goes on where it stopped\n');
  process.exit(EXIT.interrupted);
});

runCli(process.argv.slice(2), {
  out: (line) => process.stdout.write(line),
  err: (line) => process.stderr.write(line),
  interactive: process.stderr.isTTY === true,
  env: process.env,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = EXIT.failed;
  },
);
