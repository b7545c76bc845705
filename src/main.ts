/**
 * Entry point: `npm start` (tsx src/main.ts).
 * Loads the configuration (one line per bad variable, exit 1), builds the app, creates the first
 * admin when there is no agent, says which adapters are in use, listens, shuts down gracefully.
 */
import 'reflect-metadata';
import type { EnsureFirstAdmin } from './application/auth/ensure-first-admin.js';
import { type Config, ConfigError, loadConfig } from './infrastructure/config.js';
import { type AdapterSummary, buildApp } from './infrastructure/container.js';
import { TOKENS } from './infrastructure/tokens.js';
import { createServer, type Server } from './interfaces/http/server.js';

const SHUTDOWN_TIMEOUT_MS = 15_000;

function readConfig(): Config {
  try {
    return loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error('Configuration errors (fix the environment and start again):');
      for (const line of err.lines) console.error(`  ${line}`);
      process.exit(1);
    }
    throw err;
  }
}

function banner(lines: string[]): string {
  const width = Math.max(...lines.map((l) => l.length)) + 4;
  const bar = '#'.repeat(width);
  return [bar, ...lines.map((l) => `# ${l.padEnd(width - 4)} #`), bar].join('\n');
}

function businessNumbers(config: Config): string[] {
  const ids = [config.whatsapp.phoneNumberId, ...(config.whatsapp.numbers ?? []).map((n) => n.phoneNumberId)];
  return [...new Set(ids.filter((id): id is string => id !== undefined))];
}

function adapterWarnings(adapters: AdapterSummary, config: Config): string[] {
  const lines: string[] = [];
  if (adapters.data === 'memory')
    lines.push('DATA: in-memory repositories - everything is LOST on restart (set MONGODB_URI)');
  else lines.push(`DATA: ${adapters.data} (${config.mongo?.dbName})`);
  if (adapters.events === 'redis')
    lines.push(
      `EVENTS: Redis stream ${config.redis?.prefix ?? 'crm:'}events (several nodes share live events)`,
    );
  else lines.push('EVENTS: in-process event bus (single node; set REDIS_URL for several nodes)');
  lines.push(
    config.smtp
      ? `NOTIFICATIONS: live + e-mail from ${config.smtp.from}`
      : 'NOTIFICATIONS: live only - e-mail off (set SMTP_URL and SMTP_FROM)',
  );
  if (adapters.whatsapp === 'sandbox')
    lines.push('WHATSAPP: sandbox gateway - messages are recorded, NOT sent (set WHATSAPP_ACCESS_TOKEN)');
  else
    lines.push(
      `WHATSAPP: Cloud API ${config.whatsapp.apiVersion}, phone number id(s) ${businessNumbers(config).join(', ')}`,
    );
  if (!config.whatsapp.appSecret)
    lines.push('WHATSAPP: no WHATSAPP_APP_SECRET - webhooks cannot be verified');
  lines.push(adapters.ai === 'off' ? 'AI: off (set OPENAI_API_KEY)' : 'AI: OpenAI');
  lines.push(
    adapters.media === 'links'
      ? 'MEDIA: inbound files NOT stored - attachments keep their WhatsApp media id, which expires after 7 days (set CLOUDINARY_URL)'
      : 'MEDIA: Cloudinary',
  );
  return lines;
}

async function main(): Promise<void> {
  const config = readConfig();
  const app = await buildApp(config);
  const log = app.logger;

  const admin = await app.container.resolve<EnsureFirstAdmin>(TOKENS.EnsureFirstAdmin).execute({
    ...(config.admin.email ? { email: config.admin.email } : {}),
    ...(config.admin.password ? { password: config.admin.password } : {}),
  });
  if (admin.created && admin.generatedPassword) {
    // Printed once, to the console only (never to the structured log).
    console.warn(
      banner([
        'FIRST ADMIN CREATED - this password is shown ONCE; change it after logging in',
        `  e-mail:   ${admin.email}`,
        `  password: ${admin.generatedPassword}`,
      ]),
    );
  } else if (admin.created) {
    log.warn({ email: admin.email }, 'first admin created from ADMIN_EMAIL / ADMIN_PASSWORD');
  }

  console.warn(banner(adapterWarnings(app.adapters, config)));

  let server: Server | undefined;
  try {
    server = await createServer(app);
    await app.start();
    const { url } = await server.listen();
    log.info({ url }, 'listening');
  } catch (err) {
    log.fatal({ err }, 'start-up failed');
    await (server ? server.close() : app.stop()).catch(() => {});
    process.exit(1);
  }

  let shuttingDown = false;
  const shutdown = (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    log.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      log.error('graceful shutdown timed out; exiting');
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS);
    force.unref();
    server!.close().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((err: unknown) => {
  console.error('Fatal error during start-up:', err instanceof Error ? err.message : err);
  process.exit(1);
});
