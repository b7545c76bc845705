/**
 * The service's configuration, read once from the environment at start-up.
 *
 * Every variable is validated; all problems are collected and reported together, one line
 * per variable (`loadConfig` throws a ConfigError, the entry point prints `lines` and exits 1).
 * Empty strings count as unset (a `.env` line `OPENAI_API_KEY=` means "no key").
 * Secret values are never echoed back in error lines.
 */
import { z } from 'zod';
import { DEFAULT_DB_NAME, databaseNameFromUri } from './mongo/mongo-client.js';

export type NodeEnv = 'development' | 'production' | 'test';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface Config {
  nodeEnv: NodeEnv;
  logLevel: LogLevel;
  http: {
    port: number;
    host: string;
    /** Fastify's `trustProxy`: false, true, a hop count, or a list of addresses/CIDRs. */
    trustProxy: boolean | number | string[];
    /** Largest accepted request body in bytes. */
    bodyLimit: number;
  };
  /** Unset: in-memory repositories (data is lost on restart). */
  mongo?: { uri: string; dbName: string };
  /** Unset: in-process event bus (single node). */
  redis?: {
    url: string /** Key prefix of the event stream (`<prefix>events`); default `crm:`. */;
    prefix?: string;
  };
  whatsapp: {
    appSecret?: string;
    verifyToken?: string;
    /** accessToken and phoneNumberId come together; unset means the sandbox gateway. */
    accessToken?: string;
    phoneNumberId?: string;
    /** WHATSAPP_NUMBERS: more business numbers, each with its own token (sends go out from the conversation's number). */
    numbers?: { phoneNumberId: string; accessToken: string }[];
    businessAccountId?: string;
    apiVersion: string;
    graphUrl: string;
  };
  /** Unset: AI off. */
  openai?: { apiKey: string; baseUrl?: string };
  /** Unset: media kept as links. */
  cloudinary?: { url: string };
  /** Unset: agent notifications by e-mail are off (live notifications only). */
  smtp?: { url: string; from: string };
  admin: { email?: string; password?: string };
  auth: { sessionTtlHours: number };
}

export class ConfigError extends Error {
  constructor(readonly lines: string[]) {
    super(`Invalid configuration:\n${lines.map((l) => `  - ${l}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export const MIN_PASSWORD_LENGTH = 12;

const SECRET_VARS = new Set([
  'MONGODB_URI',
  'REDIS_URL',
  'WHATSAPP_APP_SECRET',
  'WHATSAPP_VERIFY_TOKEN',
  'WHATSAPP_ACCESS_TOKEN',
  'WHATSAPP_NUMBERS',
  'OPENAI_API_KEY',
  'CLOUDINARY_URL',
  'ADMIN_PASSWORD',
  'SMTP_URL',
]);

const DB_NAME = /^[A-Za-z0-9_-]{1,63}$/;
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const NODE_ENVS = ['development', 'production', 'test'] as const;

const optionalString = z.string().optional();
const WHATSAPP_NUMBERS_SHAPE =
  'must be a JSON list like [{"phoneNumberId":"123","accessToken":"..."}] (numeric ids, non-empty tokens)';
const urlWithProtocols = (protocols: string[], what: string) =>
  z
    .string()
    .refine(
      (v) => {
        try {
          return protocols.includes(new URL(v).protocol);
        } catch {
          return false;
        }
      },
      `must be ${/^[AEIOUH]/.test(what) ? 'an' : 'a'} ${what} URL (${protocols.map((p) => `${p}//`).join(' or ')}...)`,
    )
    .optional();

const schema = z.object({
  NODE_ENV: z.enum(NODE_ENVS, { error: `must be one of ${NODE_ENVS.join(', ')}` }).default('development'),
  LOG_LEVEL: z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
  PORT: z.coerce
    .number({ error: 'must be an integer between 0 and 65535' })
    .int('must be an integer between 0 and 65535')
    .min(0, 'must be an integer between 0 and 65535')
    .max(65535, 'must be an integer between 0 and 65535')
    .default(3000),
  HOST: z.string().default('127.0.0.1'),
  TRUST_PROXY: z
    .string()
    .regex(
      /^(true|false|\d+|[0-9a-fA-F.:/]+(\s*,\s*[0-9a-fA-F.:/]+)*)$/,
      'must be true, false, a hop count, or a comma-separated list of addresses/CIDRs',
    )
    .default('false'),
  BODY_LIMIT_BYTES: z.coerce
    .number({ error: 'must be a whole number of bytes' })
    .int('must be a whole number of bytes')
    .min(1024, 'must be at least 1024')
    .max(50 * 1024 * 1024, 'must be at most 52428800 (50 MiB)')
    .default(1024 * 1024),
  MONGODB_URI: urlWithProtocols(['mongodb:', 'mongodb+srv:'], 'MongoDB'),
  MONGODB_DB: z.string().regex(DB_NAME, 'must be 1-63 letters, digits, "_" or "-"').optional(),
  REDIS_URL: urlWithProtocols(['redis:', 'rediss:'], 'Redis'),
  REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9:_.-]{1,64}$/, 'must be 1-64 letters, digits or : _ . -')
    .optional(),
  WHATSAPP_APP_SECRET: optionalString,
  WHATSAPP_VERIFY_TOKEN: optionalString,
  WHATSAPP_ACCESS_TOKEN: optionalString,
  WHATSAPP_PHONE_NUMBER_ID: z.string().regex(/^\d+$/, 'must be the numeric phone number id').optional(),
  WHATSAPP_NUMBERS: z
    .string()
    .transform((value, ctx) => {
      try {
        return JSON.parse(value) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: WHATSAPP_NUMBERS_SHAPE });
        return z.NEVER;
      }
    })
    .pipe(
      z
        .array(
          z.object({
            phoneNumberId: z.string().regex(/^\d+$/, WHATSAPP_NUMBERS_SHAPE),
            accessToken: z.string().trim().min(1, WHATSAPP_NUMBERS_SHAPE),
          }),
          { error: WHATSAPP_NUMBERS_SHAPE },
        )
        .min(1, WHATSAPP_NUMBERS_SHAPE)
        .refine(
          (list) => new Set(list.map((n) => n.phoneNumberId)).size === list.length,
          'lists a phoneNumberId twice',
        ),
    )
    .optional(),
  WHATSAPP_BUSINESS_ACCOUNT_ID: z
    .string()
    .regex(/^\d+$/, 'must be the numeric business account id')
    .optional(),
  WHATSAPP_API_VERSION: z
    .string()
    .regex(/^v\d+\.\d+$/, 'must look like v23.0')
    .default('v23.0'),
  WHATSAPP_GRAPH_URL: urlWithProtocols(['http:', 'https:'], 'HTTP(S)').default('https://graph.facebook.com'),
  OPENAI_API_KEY: optionalString,
  OPENAI_BASE_URL: urlWithProtocols(['http:', 'https:'], 'HTTP(S)'),
  CLOUDINARY_URL: z
    .string()
    .regex(
      /^cloudinary:\/\/[^:@/\s]+:[^@/\s]+@[^/?\s]+(\?.*)?$/,
      'must look like cloudinary://key:secret@cloud',
    )
    .optional(),
  SMTP_URL: urlWithProtocols(['smtp:', 'smtps:'], 'SMTP'),
  SMTP_FROM: z
    .string()
    .regex(
      /^(?:[^<>]*<)?[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+>?$/,
      'must be an e-mail address, e.g. CRM <crm@example.com>',
    )
    .optional(),
  ADMIN_EMAIL: z
    .string()
    .regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, 'must be a valid e-mail address')
    .optional(),
  ADMIN_PASSWORD: z
    .string()
    .min(MIN_PASSWORD_LENGTH, `must be at least ${MIN_PASSWORD_LENGTH} characters`)
    .max(1024, 'must be at most 1024 characters')
    .optional(),
  SESSION_TTL_HOURS: z.coerce
    .number({ error: 'must be a number of hours' })
    .positive('must be a positive number of hours')
    .max(24 * 90, 'must be at most 2160 (90 days)')
    .default(12),
});

type Parsed = z.infer<typeof schema>;

/** Validates `env` (usually `process.env`) and returns the typed configuration, or throws ConfigError. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const input: Record<string, string> = {};
  for (const key of Object.keys(schema.shape)) {
    const value = env[key]?.trim();
    if (value !== undefined && value !== '') input[key] = value;
  }

  const result = schema.safeParse(input);
  const lines: string[] = [];
  if (!result.success) {
    const seen = new Set<string>();
    for (const issue of result.error.issues) {
      const name = String(issue.path[0] ?? '(environment)');
      if (seen.has(name)) continue; // one line per variable
      seen.add(name);
      lines.push(describe(name, issue.message, input[name]));
    }
  }
  const reported = new Set(lines.map((l) => l.slice(0, l.indexOf(':'))));
  lines.push(...crossFieldProblems(input).filter((l) => !reported.has(l.slice(0, l.indexOf(':')))));
  if (lines.length > 0 || !result.success) throw new ConfigError(lines);
  return toConfig(result.data);
}

function describe(name: string, message: string, value: string | undefined): string {
  if (value === undefined || SECRET_VARS.has(name)) return `${name}: ${message}`;
  const shown = value.length > 60 ? `${value.slice(0, 57)}...` : value;
  return `${name}: ${message} (got ${JSON.stringify(shown)})`;
}

/** Rules between variables, checked on the raw values so they are reported alongside per-variable errors. */
function crossFieldProblems(p: Record<string, string>): string[] {
  const lines: string[] = [];
  if (p.WHATSAPP_ACCESS_TOKEN && !p.WHATSAPP_PHONE_NUMBER_ID) {
    lines.push('WHATSAPP_PHONE_NUMBER_ID: is required when WHATSAPP_ACCESS_TOKEN is set');
  }
  if (p.WHATSAPP_PHONE_NUMBER_ID && !p.WHATSAPP_ACCESS_TOKEN && !p.WHATSAPP_NUMBERS) {
    lines.push('WHATSAPP_ACCESS_TOKEN: is required when WHATSAPP_PHONE_NUMBER_ID is set');
  }
  if (p.OPENAI_BASE_URL && !p.OPENAI_API_KEY) {
    lines.push('OPENAI_API_KEY: is required when OPENAI_BASE_URL is set');
  }
  if (p.SMTP_URL && !p.SMTP_FROM) {
    lines.push('SMTP_FROM: is required when SMTP_URL is set (the sender of notification e-mails)');
  }
  if (p.ADMIN_PASSWORD && !p.ADMIN_EMAIL) {
    lines.push('ADMIN_EMAIL: is required when ADMIN_PASSWORD is set');
  }
  if ((p.NODE_ENV ?? 'development') === 'production' && !p.MONGODB_URI) {
    lines.push('MONGODB_URI: is required when NODE_ENV=production (in-memory data would be lost on restart)');
  }
  return lines;
}

/** The database named in the URI path (`mongodb://host/crm` → `crm`) when it is a usable name, else the default. */
function dbNameFromUri(uri: string): string {
  const name = databaseNameFromUri(uri);
  return name !== undefined && DB_NAME.test(name) ? name : DEFAULT_DB_NAME;
}

function parseTrustProxy(raw: string): boolean | number | string[] {
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  if (/^\d+$/.test(raw)) return Number(raw);
  return raw.split(',').map((s) => s.trim());
}

function toConfig(p: Parsed): Config {
  return {
    nodeEnv: p.NODE_ENV,
    logLevel: p.LOG_LEVEL,
    http: {
      port: p.PORT,
      host: p.HOST,
      trustProxy: parseTrustProxy(p.TRUST_PROXY),
      bodyLimit: p.BODY_LIMIT_BYTES,
    },
    ...(p.MONGODB_URI
      ? { mongo: { uri: p.MONGODB_URI, dbName: p.MONGODB_DB ?? dbNameFromUri(p.MONGODB_URI) } }
      : {}),
    ...(p.REDIS_URL
      ? { redis: { url: p.REDIS_URL, ...(p.REDIS_PREFIX ? { prefix: p.REDIS_PREFIX } : {}) } }
      : {}),
    whatsapp: {
      appSecret: p.WHATSAPP_APP_SECRET,
      verifyToken: p.WHATSAPP_VERIFY_TOKEN,
      accessToken: p.WHATSAPP_ACCESS_TOKEN,
      phoneNumberId: p.WHATSAPP_PHONE_NUMBER_ID,
      ...(p.WHATSAPP_NUMBERS ? { numbers: p.WHATSAPP_NUMBERS } : {}),
      businessAccountId: p.WHATSAPP_BUSINESS_ACCOUNT_ID,
      apiVersion: p.WHATSAPP_API_VERSION,
      graphUrl: p.WHATSAPP_GRAPH_URL.replace(/\/+$/, ''),
    },
    ...(p.OPENAI_API_KEY ? { openai: { apiKey: p.OPENAI_API_KEY, baseUrl: p.OPENAI_BASE_URL } } : {}),
    ...(p.CLOUDINARY_URL ? { cloudinary: { url: p.CLOUDINARY_URL } } : {}),
    ...(p.SMTP_URL && p.SMTP_FROM ? { smtp: { url: p.SMTP_URL, from: p.SMTP_FROM } } : {}),
    admin: { email: p.ADMIN_EMAIL?.toLowerCase(), password: p.ADMIN_PASSWORD },
    auth: { sessionTtlHours: p.SESSION_TTL_HOURS },
  };
}

/** A configuration for tests: in-memory everything, quiet logs, an ephemeral port. */
export function testConfig(overrides: Record<string, string | undefined> = {}): Config {
  return loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', PORT: '0', ...overrides });
}
