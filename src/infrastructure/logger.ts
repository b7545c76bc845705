import { type Logger, pino } from 'pino';
import type { Config } from './config.js';

/** Paths whose values never reach the logs. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-hub-signature-256"]',
  'password',
  'currentPassword',
  'newPassword',
  'passwordHash',
  'token',
  '*.password',
  '*.passwordHash',
  '*.token',
];

/** The root logger (JSON lines on stdout). Fastify uses it too, so request logs carry `reqId`. */
export function createLogger(config: Pick<Config, 'logLevel' | 'nodeEnv'>): Logger {
  return pino({
    level: config.logLevel,
    base: { service: 'whatsapp-crm', env: config.nodeEnv },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}
