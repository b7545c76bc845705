import type { ArchiveReader } from './archive.js';
import type {
  AiAssistant,
  Clock,
  EventBus,
  IdGenerator,
  MediaStore,
  PasswordHasher,
  WhatsAppGateway,
} from './gateways.js';
import type { JobLock } from './job-lock.js';
import type { Mailer } from './mailer.js';
import type {
  ActivityLogRepository,
  AgentRepository,
  ConversationRepository,
  ConversationThreadRepository,
  CustomerRepository,
  MessageRepository,
  SequenceRepository,
  SessionRepository,
  SettingsRepository,
  TicketRepository,
} from './repositories.js';
import type { WebhookInbox } from './webhook-inbox.js';

/**
 * Every port the application needs, as one bundle built by the composition root. A use case
 * declares the subset it uses (`Pick<Ports, 'conversations' | 'clock'>`), which keeps its
 * dependencies visible and its tests small.
 */
export interface Ports {
  agents: AgentRepository;
  customers: CustomerRepository;
  conversations: ConversationRepository;
  messages: MessageRepository;
  tickets: TicketRepository;
  sequences: SequenceRepository;
  settings: SettingsRepository;
  activity: ActivityLogRepository;
  threads: ConversationThreadRepository;
  sessions: SessionRepository;
  /** Closed conversations and old messages moved out by the archiver (read-only). */
  archive: ArchiveReader;
  /** WhatsApp webhook events stored before they are acknowledged, processed in the background. */
  webhookInbox: WebhookInbox;
  /** Locks and once-only step markers shared by every node (background jobs). */
  jobLocks: JobLock;
  events: EventBus;
  clock: Clock;
  ids: IdGenerator;
  passwords: PasswordHasher;
  whatsapp: WhatsAppGateway;
  media?: MediaStore;
  ai?: AiAssistant;
  /** Agent notification e-mail; absent without SMTP_URL (e-mail off). */
  mailer?: Mailer;
  /**
   * Where reports (analytics) read: the same repositories on MongoDB secondaries (read preference
   * `secondaryPreferred`) when the deployment has some; absent: reports read like everything else.
   */
  reports?: ReportReaders;
}

/** The read side of the repositories the reports use. */
export type ReportReaders = Pick<Ports, 'conversations' | 'tickets' | 'customers' | 'agents'>;
