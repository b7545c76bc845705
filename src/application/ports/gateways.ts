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

/** The AI's reading of one customer message (structured output of `AiAssistant.classify`). */
export interface MessageUnderstanding {
  /** Short snake_case label, e.g. `order_status`, `billing`, `human_request`. */
  intent: string;
  sentiment: 'positive' | 'neutral' | 'negative';
  /** 0..1: how sure the model is that it understood what the customer wants. */
  confidence: number;
  entities: string[];
  /** The customer asks for a person (agent, human, "hablar con alguien"). */
  wantsHuman: boolean;
}

/**
 * Why an AI call failed. The adapter maps every transport/SDK error onto one of these:
 * - `timeout`        the call (all its retries included) ran past its deadline;
 * - `circuit_open`   the circuit breaker is open: the call was refused without reaching the API;
 * - `rate_limited`   429 after the retries;
 * - `unavailable`    the API could not be reached (connection refused, reset, DNS);
 * - `server_error`   5xx after the retries;
 * - `auth`           401/403: the key is wrong or lacks access (configuration);
 * - `not_found`      404 (e.g. the server-side conversation no longer exists);
 * - `bad_request`    another 4xx: the request itself was refused;
 * - `invalid_output` the model answered, but not in the expected shape (empty, not the JSON schema).
 */
export type AiFailureKind =
  | 'timeout'
  | 'circuit_open'
  | 'rate_limited'
  | 'unavailable'
  | 'server_error'
  | 'auth'
  | 'not_found'
  | 'bad_request'
  | 'invalid_output';

export class AiAssistantError extends Error {
  constructor(
    message: string,
    readonly kind: AiFailureKind,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AiAssistantError';
  }
}

/**
 * The AI assistant (OpenAI Conversations + Responses behind it). Replies keep their context in a
 * server-side conversation (`threadId`); everything else is stateless (nothing is stored server-side).
 * Every method rejects with AiAssistantError; it never hangs past its deadline, and fails fast
 * (`circuit_open`) while the service is known to be down.
 */
export interface AiAssistant {
  /** Creates a new server-side conversation; returns its id. */
  startThread(metadata: Record<string, string>): Promise<string>;
  /** Answers the customer's `text` inside the server-side conversation `threadId` (which keeps both turns). */
  reply(input: { threadId: string; model: string; instructions: string; text: string }): Promise<string>;
  /** Structured reading of one customer message. */
  classify(input: { text: string; model: string }): Promise<MessageUnderstanding>;
  /** A short summary of a transcript for an agent (what the customer wants, what was tried). */
  summarize(input: { model: string; transcript: string; purpose?: 'handoff' | 'overview' }): Promise<string>;
  /** A draft answer for an agent to review (the next message to the customer), from a transcript. */
  draftReply(input: { model: string; instructions: string; transcript: string }): Promise<string>;
}
