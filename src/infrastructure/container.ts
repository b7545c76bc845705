/**
 * The composition root. Everything is registered by an explicit symbol (tokens.ts) with a factory
 * or a value: no reflected constructor types (tsx emits no decorator metadata), no decorators in
 * the inner layers. Registrations are singletons per container (`instanceCachingFactory`).
 *
 * - `createContainer(config, { repositories, ... })` wires a container synchronously from
 *   adapters chosen beforehand (tests call it directly with in-memory adapters).
 * - `buildApp(config)` chooses the adapters from the configuration (connects to MongoDB, detects
 *   what it can do, ensures indexes), wires the container and returns `{ container, start, stop }`.
 *
 * To add a use case: add a token in tokens.ts, then one `singleton(...)` line in its area's section
 * below, resolving its ports with `r(TOKENS.X)`.
 */
import type { Logger } from 'pino';
import { type DependencyContainer, instanceCachingFactory, container as rootContainer } from 'tsyringe';
import { Authenticate } from '../application/auth/authenticate.js';
import { ChangePassword } from '../application/auth/change-password.js';
import { EnsureFirstAdmin } from '../application/auth/ensure-first-admin.js';
import { Login } from '../application/auth/login.js';
import { Logout } from '../application/auth/logout.js';
import { SessionRevocations } from '../application/auth/session-revocations.js';
import type { LoginThrottle } from '../application/ports/auth.js';
import type {
  AiAssistant,
  Clock,
  EventBus,
  MediaStore,
  WhatsAppGateway,
} from '../application/ports/gateways.js';
import type { Mailer } from '../application/ports/mailer.js';
import type { Ports, ReportReaders } from '../application/ports/ports.js';
import { buildUseCases, type UseCases } from '../application/use-cases.js';
import { InMemoryLoginThrottle } from './auth/in-memory-login-throttle.js';
import type { Config } from './config.js';
import { Argon2PasswordHasher } from './crypto/argon2-password-hasher.js';
import { ObjectIdGenerator } from './crypto/object-id-generator.js';
import { SystemClock } from './crypto/system-clock.js';
import { OpaqueTokenService, RandomPasswordGenerator } from './crypto/token.js';
import { InProcessEventBus } from './events/in-process-event-bus.js';
import { createLogger } from './logger.js';
import { SmtpMailer } from './mail/smtp-mailer.js';
import { InMemoryActivityLogRepository } from './memory/in-memory-activity-log-repository.js';
import { InMemoryAgentRepository } from './memory/in-memory-agent-repository.js';
import { InMemoryArchiveReader } from './memory/in-memory-archive-reader.js';
import { InMemoryConversationRepository } from './memory/in-memory-conversation-repository.js';
import { InMemoryConversationThreadRepository } from './memory/in-memory-conversation-thread-repository.js';
import { InMemoryCustomerRepository } from './memory/in-memory-customer-repository.js';
import { InMemoryJobLock } from './memory/in-memory-job-lock.js';
import { InMemoryMessageRepository } from './memory/in-memory-message-repository.js';
import { InMemorySequenceRepository } from './memory/in-memory-sequence-repository.js';
import { InMemorySessionRepository } from './memory/in-memory-session-repository.js';
import { InMemorySettingsRepository } from './memory/in-memory-settings-repository.js';
import { InMemoryTicketRepository } from './memory/in-memory-ticket-repository.js';
import { InMemoryWebhookInbox } from './memory/in-memory-webhook-inbox.js';
import { createMetrics, type Metrics } from './metrics.js';
import { archiveOldData } from './mongo/archive/archiver.js';
import { ensureIndexes } from './mongo/indexes.js';
import {
  connectMongo,
  detectCapabilities,
  type MongoCapabilities,
  type MongoConnection,
} from './mongo/mongo-client.js';
import { createMongoRepositories } from './mongo/mongo-repositories.js';
import { createReportReaders } from './mongo/report-readers.js';
import { OpenAiAssistant } from './openai/openai-assistant.js';
import { type OperationsOptions, registerOperationsWorkers } from './operations/operations-workers.js';
import { RedisEventBus } from './redis/redis-event-bus.js';
import { TOKENS, type TokenName } from './tokens.js';
import {
  CloudApiWhatsAppGateway,
  credentialsFromMap,
  singleNumberCredentials,
} from './whatsapp/graph-api-client.js';
import { SandboxWhatsAppGateway } from './whatsapp/sandbox-whatsapp-gateway.js';
import { registerAiWorker } from './workers/ai-worker.js';
import { registerBackgroundWorkers, type WorkerOptions } from './workers/background-workers.js';

/** The persistence part of the ports: what `createInMemoryRepositories` / `createMongoRepositories` build. */
export type Repositories = Pick<
  Ports,
  | 'agents'
  | 'customers'
  | 'conversations'
  | 'messages'
  | 'tickets'
  | 'sequences'
  | 'settings'
  | 'activity'
  | 'threads'
  | 'sessions'
  | 'webhookInbox'
  | 'jobLocks'
  | 'archive'
>;

export function createInMemoryRepositories(): Repositories {
  const conversations = new InMemoryConversationRepository();
  const messages = new InMemoryMessageRepository();
  return {
    agents: new InMemoryAgentRepository(),
    customers: new InMemoryCustomerRepository(),
    conversations,
    messages,
    archive: new InMemoryArchiveReader({ conversations, messages }),
    tickets: new InMemoryTicketRepository(),
    sequences: new InMemorySequenceRepository(),
    settings: new InMemorySettingsRepository(),
    activity: new InMemoryActivityLogRepository(),
    threads: new InMemoryConversationThreadRepository(),
    sessions: new InMemorySessionRepository(),
    webhookInbox: new InMemoryWebhookInbox(),
    jobLocks: new InMemoryJobLock(),
  };
}

/** Whether the data store answers; /readyz uses it. */
export interface Readiness {
  check(): Promise<boolean>;
}

/** Which adapter backs each port, for the start-up banner and /readyz. */
export interface AdapterSummary {
  data: 'memory' | 'mongodb' | 'ferretdb';
  events: 'in-process' | 'redis';
  whatsapp: 'sandbox' | 'cloud-api';
  ai: 'off' | 'openai';
  media: 'links' | 'cloudinary';
}

export interface ContainerOptions {
  repositories: Repositories;
  logger?: Logger;
  metrics?: Metrics;
  mongo?: MongoConnection;
  /** Where inbound media is stored (Cloudinary); none: attachments keep their WhatsApp media id. */
  media?: MediaStore;
  /** Repositories on MongoDB secondaries for the reports (analytics); absent without secondaries. */
  reports?: ReportReaders;
  /** Replace any registration by token name (tests: a fixed clock, a fast hasher...). */
  overrides?: Partial<Record<TokenName, unknown>>;
}

const REPOSITORY_TOKENS: Record<keyof Repositories, symbol> = {
  agents: TOKENS.AgentRepository,
  customers: TOKENS.CustomerRepository,
  conversations: TOKENS.ConversationRepository,
  messages: TOKENS.MessageRepository,
  tickets: TOKENS.TicketRepository,
  sequences: TOKENS.SequenceRepository,
  settings: TOKENS.SettingsRepository,
  activity: TOKENS.ActivityLogRepository,
  threads: TOKENS.ConversationThreadRepository,
  sessions: TOKENS.SessionRepository,
  webhookInbox: TOKENS.WebhookInbox,
  jobLocks: TOKENS.JobLock,
  archive: TOKENS.ArchiveReader,
};

/**
 * The Cloud API gateway when there are credentials (WHATSAPP_ACCESS_TOKEN + WHATSAPP_PHONE_NUMBER_ID,
 * and/or WHATSAPP_NUMBERS: one token per business number), else the sandbox. Each send goes out from
 * its conversation's number; the default number (WHATSAPP_PHONE_NUMBER_ID, else the first listed)
 * serves conversations that have none.
 */
/** The OpenAI adapter when OPENAI_API_KEY is set (OPENAI_BASE_URL optional), else none. */
function createAiAssistant(config: Config, logger: Logger, metrics: Metrics): AiAssistant | undefined {
  if (!config.openai) return undefined;
  return new OpenAiAssistant({
    apiKey: config.openai.apiKey,
    baseURL: config.openai.baseUrl,
    maxRetries: 2,
    breaker: { failureThreshold: 5, coolDownMs: 30_000 },
    log: logger.child({ component: 'openai' }),
    metrics,
  });
}

function createWhatsAppGateway(config: Config, logger: Logger): WhatsAppGateway {
  const { accessToken, phoneNumberId, numbers = [], graphUrl, apiVersion } = config.whatsapp;
  const tokens: Record<string, string> = {};
  for (const n of numbers) tokens[n.phoneNumberId] = n.accessToken;
  if (accessToken && phoneNumberId) tokens[phoneNumberId] = accessToken;
  const defaultNumber = phoneNumberId ?? numbers[0]?.phoneNumberId;
  if (Object.keys(tokens).length === 0) return new SandboxWhatsAppGateway();
  return new CloudApiWhatsAppGateway({
    graphUrl,
    apiVersion,
    credentials:
      numbers.length === 0 && accessToken && phoneNumberId
        ? singleNumberCredentials(phoneNumberId, accessToken)
        : credentialsFromMap(tokens, defaultNumber),
    log: logger.child({ component: 'whatsapp' }),
  });
}

export function createContainer(config: Config, options: ContainerOptions): DependencyContainer {
  const c = rootContainer.createChildContainer();
  const singleton = <T>(token: symbol, factory: (c: DependencyContainer) => T) =>
    c.register<T>(token, { useFactory: instanceCachingFactory<T>(factory) });
  const r = <T>(token: symbol): T => c.resolve<T>(token);
  const sessionTtlMs = config.auth.sessionTtlHours * 3_600_000;

  // ── core ──────────────────────────────────────────────────────────────────────────────────
  const logger = options.logger ?? createLogger(config);
  c.register(TOKENS.Config, { useValue: config });
  c.register(TOKENS.Logger, { useValue: logger });
  c.register(TOKENS.Metrics, { useValue: options.metrics ?? createMetrics() });
  c.register(TOKENS.MongoConnection, { useValue: options.mongo });
  singleton(TOKENS.Clock, () => new SystemClock());
  singleton(TOKENS.IdGenerator, () => new ObjectIdGenerator());
  singleton<EventBus>(TOKENS.EventBus, () =>
    config.redis
      ? new RedisEventBus({
          url: config.redis.url,
          ...(config.redis.prefix ? { prefix: config.redis.prefix } : {}),
          log: logger.child({ component: 'event-bus' }),
        })
      : new InProcessEventBus(10_000, logger.child({ component: 'event-bus' })),
  );
  singleton<Readiness>(TOKENS.Readiness, () => readinessOf(options.mongo));

  // ── repositories ──────────────────────────────────────────────────────────────────────────
  for (const [name, token] of Object.entries(REPOSITORY_TOKENS)) {
    c.register(token, { useValue: options.repositories[name as keyof Repositories] });
  }

  // ── auth ──────────────────────────────────────────────────────────────────────────────────
  singleton(TOKENS.PasswordHasher, () => new Argon2PasswordHasher());
  singleton(TOKENS.PasswordGenerator, () => new RandomPasswordGenerator());
  singleton(TOKENS.TokenService, () => new OpaqueTokenService());
  singleton<LoginThrottle>(TOKENS.LoginThrottle, () => new InMemoryLoginThrottle());
  singleton(
    TOKENS.SessionRevocations,
    () => new SessionRevocations(r(TOKENS.SessionRepository), r(TOKENS.EventBus)),
  );
  singleton(
    TOKENS.Login,
    () =>
      new Login(
        r(TOKENS.AgentRepository),
        r(TOKENS.SessionRepository),
        r(TOKENS.ActivityLogRepository),
        r(TOKENS.PasswordHasher),
        r(TOKENS.TokenService),
        r(TOKENS.LoginThrottle),
        r(TOKENS.Clock),
        r(TOKENS.IdGenerator),
        { sessionTtlMs },
      ),
  );
  singleton(
    TOKENS.Logout,
    () =>
      new Logout(
        r(TOKENS.SessionRepository),
        r(TOKENS.SessionRevocations),
        r(TOKENS.ActivityLogRepository),
        r(TOKENS.TokenService),
        r(TOKENS.Clock),
        r(TOKENS.IdGenerator),
      ),
  );
  singleton(
    TOKENS.Authenticate,
    () =>
      new Authenticate(
        r(TOKENS.SessionRepository),
        r(TOKENS.AgentRepository),
        r(TOKENS.TokenService),
        r(TOKENS.Clock),
      ),
  );
  singleton(
    TOKENS.ChangePassword,
    () =>
      new ChangePassword(
        r(TOKENS.AgentRepository),
        r(TOKENS.SessionRepository),
        r(TOKENS.SessionRevocations),
        r(TOKENS.ActivityLogRepository),
        r(TOKENS.EventBus),
        r(TOKENS.PasswordHasher),
        r(TOKENS.TokenService),
        r(TOKENS.LoginThrottle),
        r(TOKENS.Clock),
        r(TOKENS.IdGenerator),
        { sessionTtlMs },
      ),
  );
  singleton(
    TOKENS.EnsureFirstAdmin,
    () =>
      new EnsureFirstAdmin(
        r(TOKENS.AgentRepository),
        r(TOKENS.ActivityLogRepository),
        r(TOKENS.EventBus),
        r(TOKENS.PasswordHasher),
        r(TOKENS.PasswordGenerator),
        r(TOKENS.Clock),
        r(TOKENS.IdGenerator),
      ),
  );

  // ── WhatsApp ──────────────────────────────────────────────────────────────────────────────
  singleton<WhatsAppGateway>(TOKENS.WhatsAppGateway, () => createWhatsAppGateway(config, logger));
  if (options.media) c.register(TOKENS.MediaStore, { useValue: options.media });

  // ── AI assistant (OpenAI): absent without OPENAI_API_KEY, and then AI is off ─────────────────
  singleton<AiAssistant | undefined>(TOKENS.AiAssistant, (container) =>
    createAiAssistant(config, logger, container.resolve<Metrics>(TOKENS.Metrics)),
  );

  // ── agent notification e-mail: absent without SMTP_URL ─────────────────────────────────────
  singleton<Mailer | undefined>(TOKENS.Mailer, () => (config.smtp ? new SmtpMailer(config.smtp) : undefined));
  if (options.reports) c.register(TOKENS.ReportReaders, { useValue: options.reports });

  // ── use cases: every port bundled once, every use case built from it ──────────────────────
  singleton<Ports>(TOKENS.Ports, () => ({
    agents: r(TOKENS.AgentRepository),
    customers: r(TOKENS.CustomerRepository),
    conversations: r(TOKENS.ConversationRepository),
    messages: r(TOKENS.MessageRepository),
    tickets: r(TOKENS.TicketRepository),
    sequences: r(TOKENS.SequenceRepository),
    settings: r(TOKENS.SettingsRepository),
    activity: r(TOKENS.ActivityLogRepository),
    threads: r(TOKENS.ConversationThreadRepository),
    sessions: r(TOKENS.SessionRepository),
    webhookInbox: r(TOKENS.WebhookInbox),
    jobLocks: r(TOKENS.JobLock),
    archive: r(TOKENS.ArchiveReader),
    events: r(TOKENS.EventBus),
    clock: r(TOKENS.Clock),
    ids: r(TOKENS.IdGenerator),
    passwords: r(TOKENS.PasswordHasher),
    whatsapp: r(TOKENS.WhatsAppGateway),
    ...(c.isRegistered(TOKENS.MediaStore) ? { media: r<MediaStore>(TOKENS.MediaStore) } : {}),
    ...optional('ai', r<AiAssistant | undefined>(TOKENS.AiAssistant)),
    ...optional('mailer', r<Mailer | undefined>(TOKENS.Mailer)),
    ...(c.isRegistered(TOKENS.ReportReaders) ? { reports: r<ReportReaders>(TOKENS.ReportReaders) } : {}),
  }));
  singleton<UseCases>(TOKENS.UseCases, () => buildUseCases(r(TOKENS.Ports)));

  // ── overrides (tests) ─────────────────────────────────────────────────────────────────────
  for (const [name, value] of Object.entries(options.overrides ?? {})) {
    c.register(TOKENS[name as TokenName], { useValue: value });
  }
  return c;
}

/** The test variant: every port on in-memory adapters, plus any overrides (e.g. `{ Clock: fakeClock }`). */
export function createInMemoryContainer(
  config: Config,
  options: Omit<ContainerOptions, 'repositories'> = {},
): DependencyContainer {
  return createContainer(config, { repositories: createInMemoryRepositories(), ...options });
}

const optional = <K extends string, V>(key: K, value: V | undefined) =>
  (value === undefined ? {} : { [key]: value }) as Partial<Record<K, V>>;

function readinessOf(mongo: MongoConnection | undefined): Readiness {
  if (!mongo) return { check: async () => true };
  return {
    async check() {
      try {
        await withTimeout(mongo.db.command({ ping: 1 }), 2_000);
        return true;
      } catch {
        return false;
      }
    },
  };
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

// ─────────────────────────────────────────────────────────────────────────────────────────────
// The application: adapters chosen from the configuration, plus a lifecycle.

const SESSION_SWEEP_INTERVAL_MS = 3_600_000;

export interface App {
  config: Config;
  container: DependencyContainer;
  logger: Logger;
  adapters: AdapterSummary;
  capabilities?: MongoCapabilities;
  /** Runs the start hooks (background workers register theirs with `onStart`). */
  start(): Promise<void>;
  /** Runs the stop hooks in reverse order, then closes the database. Idempotent. */
  stop(): Promise<void>;
  onStart(hook: () => Promise<void> | void): void;
  onStop(hook: () => Promise<void> | void): void;
}

export interface BuildAppOptions {
  logger?: Logger;
  /** Force in-memory repositories even when MONGODB_URI is set. */
  inMemory?: boolean;
  overrides?: ContainerOptions['overrides'];
  /**
   * The background workers (webhook inbox, outbox, media; src/infrastructure/workers), started by
   * `start()`. Default true; false builds the app without them (a test that must not process).
   */
  workers?: boolean | WorkerOptions;
  /**
   * The scheduled jobs and event reactions (SLA watcher, automations, notifications, statistics;
   * src/infrastructure/operations), started by `start()`. Default true (off when `workers` is false).
   */
  operations?: boolean | OperationsOptions;
}

/** The archive command's work, as the scheduled archiver runs it (batches of 1,000). */
function scheduledArchiver(mongo: MongoConnection, capabilities: MongoCapabilities) {
  return (cutoff: Date) => archiveOldData(mongo.db, capabilities, { cutoff, batchSize: 1_000 });
}

/** Cloudinary when CLOUDINARY_URL is set. Imported lazily: the SDK fixes http/https when first loaded. */
async function createMediaStore(config: Config): Promise<MediaStore | undefined> {
  if (!config.cloudinary) return undefined;
  const { CloudinaryMediaStore } = await import('./cloudinary/cloudinary-media-store.js');
  return new CloudinaryMediaStore({ url: config.cloudinary.url });
}

export async function buildApp(config: Config, options: BuildAppOptions = {}): Promise<App> {
  const logger = options.logger ?? createLogger(config);
  let mongo: MongoConnection | undefined;
  let capabilities: MongoCapabilities | undefined;
  let repositories: Repositories;
  let sweepExpiredSessions: ((now: Date) => Promise<number>) | undefined;

  if (config.mongo && !options.inMemory) {
    mongo = await connectMongo(config.mongo.uri, { dbName: config.mongo.dbName });
    try {
      capabilities = await detectCapabilities(mongo.db);
      const log = logger.child({ component: 'mongo' });
      await ensureIndexes(mongo.db, capabilities, log);
      const mongoRepositories = createMongoRepositories(mongo.db, capabilities, log);
      repositories = mongoRepositories;
      if (!capabilities.ttlIndexes)
        sweepExpiredSessions = (now) => mongoRepositories.sessions.deleteExpired(now);
    } catch (err) {
      await mongo.close().catch(() => {});
      throw err;
    }
  } else {
    repositories = createInMemoryRepositories();
  }

  const media = await createMediaStore(config);
  const reports = mongo && capabilities ? createReportReaders(mongo, capabilities) : undefined;
  const container = createContainer(config, {
    repositories,
    logger,
    ...(mongo ? { mongo } : {}),
    ...(media ? { media } : {}),
    ...(reports ? { reports } : {}),
    ...(options.overrides ? { overrides: options.overrides } : {}),
  });

  const adapters: AdapterSummary = {
    data: capabilities ? capabilities.server : 'memory',
    events: config.redis ? 'redis' : 'in-process',
    whatsapp: config.whatsapp.accessToken || config.whatsapp.numbers ? 'cloud-api' : 'sandbox',
    ai: config.openai ? 'openai' : 'off',
    media: config.cloudinary ? 'cloudinary' : 'links',
  };

  const startHooks: (() => Promise<void> | void)[] = [
    // Pays for the dummy hash now, so the first failed login is not measurably slower.
    () => container.resolve<Login>(TOKENS.Login).warmUp(),
  ];
  const stopHooks: (() => Promise<void> | void)[] = [];
  let stopped: Promise<void> | undefined;
  // Stop hooks run in reverse: the Redis bus (and mailer) close after every worker has stopped.
  stopHooks.push(async () => {
    const bus = container.resolve<EventBus>(TOKENS.EventBus);
    if (bus instanceof RedisEventBus) await bus.close();
    container.resolve<Mailer | undefined>(TOKENS.Mailer)?.close?.();
  });

  if (sweepExpiredSessions) {
    // No TTL index on this server (FerretDB v1): sweep expired sessions hourly instead.
    const sweep = sweepExpiredSessions;
    const clock = container.resolve<Clock>(TOKENS.Clock);
    let timer: NodeJS.Timeout | undefined;
    startHooks.push(() => {
      timer = setInterval(() => {
        sweep(clock.now()).catch((err: unknown) => logger.warn({ err }, 'expired-session sweep failed'));
      }, SESSION_SWEEP_INTERVAL_MS);
      timer.unref();
    });
    stopHooks.push(() => clearInterval(timer));
  }

  const app: App = {
    config,
    container,
    logger,
    adapters,
    ...(capabilities ? { capabilities } : {}),
    onStart: (hook) => {
      startHooks.push(hook);
    },
    onStop: (hook) => {
      stopHooks.push(hook);
    },
    async start() {
      for (const hook of startHooks) await hook();
    },
    stop() {
      stopped ??= (async () => {
        for (const hook of [...stopHooks].reverse()) {
          try {
            await hook();
          } catch (err) {
            logger.error({ err }, 'stop hook failed');
          }
        }
        if (mongo) await mongo.close();
      })();
      return stopped;
    },
  };
  if (options.workers !== false) {
    registerBackgroundWorkers(app, {
      // Where the server serializes writes (FerretDB v1), parallel lanes only queue up in front of the
      // webhook's own insert and slow the acknowledgements down: one customer at a time there.
      ...(capabilities && !capabilities.atomicUpdates ? { inboxConcurrency: 1 } : {}),
      ...(options.workers === true ? {} : options.workers),
    });
    registerAiWorker(app);
  }
  if (options.workers !== false && options.operations !== false) {
    const archive = mongo && capabilities ? scheduledArchiver(mongo, capabilities) : undefined;
    registerOperationsWorkers(app, {
      ...(options.operations === true ? {} : options.operations),
      ...(archive ? { archive } : {}),
    });
  }
  return app;
}
