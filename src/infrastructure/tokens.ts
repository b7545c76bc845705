/**
 * DI tokens: one symbol per registration, all in this file. Registrations live in container.ts
 * (factories only, never reflected constructor types); resolve with `container.resolve<T>(TOKENS.X)`.
 * Add a token next to its area's section when you add a registration there.
 */
export const TOKENS = {
  // ── core ────────────────────────────────────────────────────────────────────────────────────
  Config: Symbol.for('crm.Config'),
  Logger: Symbol.for('crm.Logger'),
  Metrics: Symbol.for('crm.Metrics'),
  Clock: Symbol.for('crm.Clock'),
  IdGenerator: Symbol.for('crm.IdGenerator'),
  EventBus: Symbol.for('crm.EventBus'),
  /** `Readiness`: whether the data store answers (for /readyz). */
  Readiness: Symbol.for('crm.Readiness'),
  /** `MongoConnection | undefined` (undefined on in-memory adapters). */
  MongoConnection: Symbol.for('crm.MongoConnection'),

  // ── repositories ────────────────────────────────────────────────────────────────────────────
  AgentRepository: Symbol.for('crm.AgentRepository'),
  CustomerRepository: Symbol.for('crm.CustomerRepository'),
  ConversationRepository: Symbol.for('crm.ConversationRepository'),
  MessageRepository: Symbol.for('crm.MessageRepository'),
  TicketRepository: Symbol.for('crm.TicketRepository'),
  SequenceRepository: Symbol.for('crm.SequenceRepository'),
  SettingsRepository: Symbol.for('crm.SettingsRepository'),
  ActivityLogRepository: Symbol.for('crm.ActivityLogRepository'),
  ConversationThreadRepository: Symbol.for('crm.ConversationThreadRepository'),
  SessionRepository: Symbol.for('crm.SessionRepository'),
  /** `ArchiveReader`: archived conversations and messages, read-only. */
  ArchiveReader: Symbol.for('crm.ArchiveReader'),
  /** `WebhookInbox`: WhatsApp webhook events stored before they are acknowledged. */
  WebhookInbox: Symbol.for('crm.WebhookInbox'),
  /** `JobLock`: job locks and once-only step markers shared by every node. */
  JobLock: Symbol.for('crm.JobLock'),

  // ── auth ────────────────────────────────────────────────────────────────────────────────────
  PasswordHasher: Symbol.for('crm.PasswordHasher'),
  PasswordGenerator: Symbol.for('crm.PasswordGenerator'),
  TokenService: Symbol.for('crm.TokenService'),
  LoginThrottle: Symbol.for('crm.LoginThrottle'),
  SessionRevocations: Symbol.for('crm.SessionRevocations'),
  Login: Symbol.for('crm.Login'),
  Logout: Symbol.for('crm.Logout'),
  Authenticate: Symbol.for('crm.Authenticate'),
  ChangePassword: Symbol.for('crm.ChangePassword'),
  EnsureFirstAdmin: Symbol.for('crm.EnsureFirstAdmin'),

  // ── application ─────────────────────────────────────────────────────────────────────────────
  /** `Ports`: every port bundled for the use cases. */
  Ports: Symbol.for('crm.Ports'),
  /** `UseCases`: the registry of every use case (src/application/use-cases.ts). */
  UseCases: Symbol.for('crm.UseCases'),
  /** `WhatsAppGateway`: the Cloud API client, or the sandbox that records instead of sending. */
  WhatsAppGateway: Symbol.for('crm.WhatsAppGateway'),
  /** `MediaStore`: Cloudinary; registered only when CLOUDINARY_URL is set (else media is not stored). */
  MediaStore: Symbol.for('crm.MediaStore'),
  /** `BackgroundWorkers` (src/infrastructure/workers): registered by buildApp unless `workers: false`. */
  BackgroundWorkers: Symbol.for('crm.BackgroundWorkers'),
  /** `AiAssistant | undefined`: OpenAI when OPENAI_API_KEY is set, else none (AI off). */
  AiAssistant: Symbol.for('crm.AiAssistant'),
  /** `AiWorker` (src/infrastructure/workers/ai-worker.ts): registered by buildApp when an assistant is configured. */
  AiWorker: Symbol.for('crm.AiWorker'),
  /** `Mailer | undefined`: SMTP (nodemailer) when SMTP_URL is set, else none (e-mail notifications off). */
  Mailer: Symbol.for('crm.Mailer'),
  /** `OperationsWorkers` (src/infrastructure/operations): scheduled jobs and event reactions, registered by buildApp. */
  OperationsWorkers: Symbol.for('crm.OperationsWorkers'),
  /** `ReportReaders | undefined`: repositories on MongoDB secondaries for the analytics (when there are secondaries). */
  ReportReaders: Symbol.for('crm.ReportReaders'),
} as const;

export type TokenName = keyof typeof TOKENS;
