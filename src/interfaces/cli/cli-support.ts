/**
 * What every CLI command shares: where output goes, the exit codes, the one-line errors, number
 * and duration formatting, and the progress line.
 */

/** 0 done; 1 failed; 2 bad usage or configuration; 3 refused (a check did not pass); 130 interrupted. */
export const EXIT = { ok: 0, failed: 1, usage: 2, refused: 3, interrupted: 130 } as const;

export interface CliIo {
  /** The report (stdout). */
  out(line: string): void;
  /** Progress, warnings and errors (stderr). */
  err(line: string): void;
  /** Whether stderr is a terminal (progress is then redrawn in place). */
  interactive: boolean;
  env: Record<string, string | undefined>;
}

/** An expected failure: printed as one line, exits with `exitCode`. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failed,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export const usageError = (message: string): CliError => new CliError(message, EXIT.usage);

const numberFormat = new Intl.NumberFormat('en-US');

export const fmt = (n: number): string => numberFormat.format(n);

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${Math.round(s - m * 60)} s`;
}

/** Aligned `label  value` lines. */
export function table(rows: [string, string][], indent = '  '): string[] {
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `${indent}${label.padEnd(width)}  ${value}`);
}

export interface ProgressUpdate {
  batch: number;
  batches: number;
  processed: number;
  total: number;
  elapsedMs: number;
}

/**
 * Progress on stderr: redrawn in place on a terminal; otherwise one line per second at most (and
 * always the last batch), so logs of long runs stay readable.
 */
export function progressPrinter(
  io: CliIo,
  label: string,
  unit: string,
): {
  update(p: ProgressUpdate): void;
  done(): void;
} {
  let lastPrinted = 0;
  let drawn = false;
  return {
    update(p) {
      const rate = p.elapsedMs > 0 ? (p.processed / p.elapsedMs) * 1000 : 0;
      const pct = p.total > 0 ? Math.min(100, Math.floor((p.processed / p.total) * 100)) : 100;
      const eta =
        rate > 0 && p.total > p.processed
          ? ` · eta ${formatDuration(((p.total - p.processed) / rate) * 1000)}`
          : '';
      const line =
        `${label}: batch ${fmt(p.batch)}/${fmt(p.batches)} · ${fmt(p.processed)}/${fmt(p.total)} ${unit} (${pct}%)` +
        ` · ${fmt(Math.round(rate))} ${unit}/s${eta}`;
      if (io.interactive) {
        io.err(`\r\x1b[2K${line}`);
        drawn = true;
        return;
      }
      const now = Date.now();
      if (now - lastPrinted >= 1000 || p.batch >= p.batches) {
        io.err(`${line}\n`);
        lastPrinted = now;
      }
    },
    done() {
      if (drawn) io.err('\n');
      drawn = false;
    },
  };
}

const UNITS: Record<string, number> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
};

/** `365d`, `12h`, `52w`, `90m`, `30s` → milliseconds. Throws a usage error otherwise. */
export function parseDuration(text: string, option: string): number {
  const match = /^(\d+)\s*([smhdw])$/i.exec(text.trim());
  if (!match) {
    throw usageError(
      `${option} must be a whole number followed by a unit: s, m (minutes), h, d or w (e.g. 365d, 12h, 52w); got "${text}"`,
    );
  }
  const ms = Number(match[1]) * UNITS[match[2]!.toLowerCase()]!;
  if (ms <= 0 || !Number.isSafeInteger(ms))
    throw usageError(`${option} must be greater than zero; got "${text}"`);
  return ms;
}

/** A positive integer option within [min, max]. */
export function parseInteger(
  text: string | undefined,
  option: string,
  fallback: number,
  range: { min: number; max: number },
): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text.trim())) throw usageError(`${option} must be a whole number; got "${text}"`);
  const n = Number(text);
  if (n < range.min || n > range.max) {
    throw usageError(`${option} must be between ${fmt(range.min)} and ${fmt(range.max)}; got ${text}`);
  }
  return n;
}

/** Hides the password of a `mongodb://user:pass@host` URI. */
export function redactUri(uri: string): string {
  return uri.replace(/\/\/([^:/@]+):[^@/]*@/, '//$1:***@');
}
