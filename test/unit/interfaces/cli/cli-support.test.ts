import { describe, expect, it } from 'vitest';
import {
  CliError,
  type CliIo,
  EXIT,
  parseDuration,
  parseInteger,
  progressPrinter,
  redactUri,
} from '../../../../src/interfaces/cli/cli-support.js';
import { runCli } from '../../../../src/interfaces/cli/run-cli.js';

function captureIo(env: Record<string, string | undefined> = {}, interactive = false) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (l) => out.push(l), err: (l) => err.push(l), interactive, env };
  return { io, out, err };
}

describe('parseDuration', () => {
  it.each([
    ['365d', 365 * 86_400_000],
    ['12h', 12 * 3_600_000],
    ['52w', 52 * 7 * 86_400_000],
    ['90m', 90 * 60_000],
    ['30s', 30_000],
    [' 7D ', 7 * 86_400_000],
  ])('%s', (text, ms) => {
    expect(parseDuration(text, '--older-than')).toBe(ms);
  });

  it.each(['', '365', 'd', '1y', '1.5d', '-3d', '0d', '3 days'])('refuses %j with a usage error', (text) => {
    try {
      parseDuration(text, '--older-than');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(CliError);
      expect((err as CliError).exitCode).toBe(EXIT.usage);
      expect((err as CliError).message).toMatch(/^--older-than must/);
    }
  });
});

describe('parseInteger', () => {
  it('uses the fallback when absent and checks the range', () => {
    expect(parseInteger(undefined, '--batch-size', 500, { min: 1, max: 10 })).toBe(500);
    expect(parseInteger('7', '--batch-size', 500, { min: 1, max: 10 })).toBe(7);
    expect(() => parseInteger('0', '--batch-size', 500, { min: 1, max: 10 })).toThrow(/between 1 and 10/);
    expect(() => parseInteger('11', '--batch-size', 500, { min: 1, max: 10 })).toThrow(/between 1 and 10/);
    expect(() => parseInteger('2e3', '--batch-size', 500, { min: 1, max: 10_000 })).toThrow(/whole number/);
  });
});

describe('progressPrinter', () => {
  it('prints batches done / total, the share, the rate and the time left', () => {
    const { io, err } = captureIo();
    const p = progressPrinter(io, 'userthreads', 'threads');
    p.update({ batch: 2, batches: 4, processed: 1000, total: 2000, elapsedMs: 2000 });
    expect(err).toEqual(['userthreads: batch 2/4 · 1,000/2,000 threads (50%) · 500 threads/s · eta 2.0 s\n']);
  });

  it('redraws in place on a terminal and ends the line when done', () => {
    const { io, err } = captureIo({}, true);
    const p = progressPrinter(io, 'messages', 'docs');
    p.update({ batch: 1, batches: 1, processed: 5, total: 5, elapsedMs: 10 });
    p.done();
    expect(err[0]?.startsWith('\r\u001b[2Kmessages: batch 1/1')).toBe(true);
    expect(err[1]).toBe('\n');
  });
});

describe('runCli (in process)', () => {
  it('prints the help with exit 0, and without a command exits 2', async () => {
    const help = captureIo();
    expect(await runCli(['--help'], help.io)).toBe(EXIT.ok);
    expect(help.out.join('')).toContain('migrate userthreads');
    const none = captureIo();
    expect(await runCli([], none.io)).toBe(EXIT.usage);
  });

  it('reports unknown commands, missing subcommands and bad options as one line with exit 2', async () => {
    const unknown = captureIo();
    expect(await runCli(['frobnicate'], unknown.io)).toBe(EXIT.usage);
    expect(unknown.err).toEqual(['error: unknown command "frobnicate" (see --help)\n']);

    const group = captureIo();
    expect(await runCli(['migrate'], group.io)).toBe(EXIT.usage);
    expect(group.err.join('')).toMatch(/^error: "migrate" needs a subcommand: up, userthreads, status/);

    const groupHelp = captureIo();
    expect(await runCli(['migrate', '--help'], groupHelp.io)).toBe(EXIT.ok);
    expect(groupHelp.out.join('')).toMatch(/Subcommands:[\s\S]*migrate up/);

    const positional = captureIo();
    expect(await runCli(['archive', '--older-than', '1d', 'extra'], positional.io)).toBe(EXIT.usage);
    expect(positional.err).toHaveLength(1);
  });

  it('needs MONGODB_URI, and says so before connecting anywhere', async () => {
    const { io, err } = captureIo({ NODE_ENV: 'test' });
    expect(await runCli(['migrate', 'status'], io)).toBe(EXIT.usage);
    expect(err).toEqual([expect.stringMatching(/^error: MONGODB_URI is not set/)]);
  });

  it('validates the options before connecting', async () => {
    const { io, err } = captureIo({ NODE_ENV: 'test', MONGODB_URI: 'mongodb://127.0.0.1:1/x' });
    expect(await runCli(['migrate', 'userthreads', '--batch-size', '0'], io)).toBe(EXIT.usage);
    expect(err.join('')).toMatch(/--batch-size must be between 1 and 10,000; got 0/);
    const archive = captureIo({ NODE_ENV: 'test', MONGODB_URI: 'mongodb://127.0.0.1:1/x' });
    expect(await runCli(['archive'], archive.io)).toBe(EXIT.usage);
    expect(archive.err.join('')).toMatch(/archive needs --older-than/);
  });
});

describe('redactUri', () => {
  it('hides the password', () => {
    expect(redactUri('mongodb://user:s3cret@db:27017/crm')).toBe('mongodb://user:***@db:27017/crm');
  });
});
