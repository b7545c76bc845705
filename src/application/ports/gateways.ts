import type { DomainEvent } from '../../domain/shared/events.js';
import type { Id } from '../../domain/shared/ids.js';

export interface Clock {
  now(): Date;
}

export interface IdGenerator {
  /** A new 24-hex id. */
  next(): Id;
}

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hash: string, password: string): Promise<boolean>;
}

/** Domain events travelling to subscribers (the live inbox), in-process or across nodes. */
export interface PublishedEvent extends DomainEvent {
  /** Monotonic per bus, used by subscribers to resume after a reconnect. */
  id: string;
}

export interface EventBus {
  publish(events: DomainEvent[]): Promise<void>;
  /** Returns an unsubscribe function. */
  subscribe(handler: (event: PublishedEvent) => void): () => void;
  /** Events published after `lastEventId` that are still buffered (for resuming subscribers). */
  replaySince(lastEventId: string): PublishedEvent[];
}

export type OutboundContent =
  | { type: 'text'; body: string; previewUrl?: boolean }
  | { type: 'template'; name: string; language: string; parameters: string[] }
  | { type: 'image' | 'document' | 'audio' | 'video'; link: string; caption?: string; filename?: string }
  | { type: 'location'; latitude: number; longitude: number; name?: string; address?: string }
  | {
      type: 'interactive';
      kind: 'button' | 'list';
      body: string;
      buttons?: { id: string; title: string }[];
      sections?: { title?: string; rows: { id: string; title: string; description?: string }[] }[];
      buttonText?: string;
    };

export interface SendResult {
  whatsappMessageId: string;
}

/** Why a send failed: `retryable` errors are tried again with back-off, others are final. */
export class WhatsAppSendError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly code?: number,
    readonly title?: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'WhatsAppSendError';
  }
}

export interface WhatsAppGateway {
  send(input: {
    phoneNumberId?: string;
    to: string;
    content: OutboundContent;
    replyTo?: string;
  }): Promise<SendResult>;
  markRead(input: { phoneNumberId?: string; whatsappMessageId: string }): Promise<void>;
  /** Downloads inbound media by its WhatsApp media id. */
  downloadMedia(input: {
    phoneNumberId?: string;
    mediaId: string;
  }): Promise<{ data: Buffer; mimeType: string; filename?: string }>;
}

export interface StoredMedia {
  url: string;
  publicId: string;
  size: number;
  mimeType: string;
  thumbnailUrl?: string;
  duration?: number;
}

export interface MediaStore {
  store(input: { data: Buffer; mimeType: string; filename?: string; folder: string }): Promise<StoredMedia>;
  delete(publicId: string): Promise<void>;
}

export interface MessageUnderstanding {
  intent: string;
  sentiment: 'positive' | 'neutral' | 'negative';
  confidence: number; // 0..1
  entities: string[];
  wantsHuman: boolean;
}

export interface AiAssistant {
  /** Creates a new server-side conversation; returns its id. */
  startThread(metadata: Record<string, string>): Promise<string>;
  reply(input: { threadId: string; model: string; instructions: string; text: string }): Promise<string>;
  classify(input: { text: string; model: string }): Promise<MessageUnderstanding>;
  summarize(input: { model: string; transcript: string }): Promise<string>;
}
