import type { Id } from '../shared/ids.js';

export const MESSAGE_TYPES = [
  'text',
  'image',
  'audio',
  'video',
  'document',
  'location',
  'contact',
  'template',
  'interactive',
  // WhatsApp types the seed did not list; stored, never dropped.
  'sticker',
  'reaction',
  'button',
  'unsupported',
] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];

export const DIRECTIONS = ['inbound', 'outbound'] as const;
export type Direction = (typeof DIRECTIONS)[number];

export const SENDERS = ['customer', 'agent', 'system', 'ai'] as const;
export type Sender = (typeof SENDERS)[number];

export const WHATSAPP_STATUSES = ['sent', 'delivered', 'read', 'failed'] as const;
export type WhatsAppStatus = (typeof WHATSAPP_STATUSES)[number];

export const MESSAGE_STATUSES = ['pending', 'sent', 'delivered', 'read', 'failed'] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

export const ATTACHMENT_TYPES = ['image', 'document', 'audio', 'video'] as const;
export type AttachmentType = (typeof ATTACHMENT_TYPES)[number];

export interface Attachment {
  type: AttachmentType;
  url?: string;
  publicId?: string;
  filename?: string;
  mimeType?: string;
  size?: number;
  thumbnailUrl?: string;
  duration?: number;
  /** WhatsApp media id, kept while the file is not yet stored (retry) */
  whatsappMediaId?: string;
  /** 'stored' | 'pending' (retry) | 'failed' (gave up) */
  storage?: 'stored' | 'pending' | 'failed';
  /** Failed attempts to fetch and store the file (inbound media). */
  attempts?: number;
  /** Why the last attempt failed, or why it was given up. */
  error?: string;
}

export const INTERACTIVE_TYPES = ['button', 'list', 'quick_reply'] as const;
export type InteractiveType = (typeof INTERACTIVE_TYPES)[number];

export interface MessagePrimitives {
  id: Id;
  conversationId: Id;
  customerId: Id;
  content: string; // required (may be a caption or a rendered summary for non-text types)
  type: MessageType; // default 'text'
  direction: Direction;
  sender: Sender;
  agentId?: Id;
  whatsappMessageId?: string;
  whatsappStatus?: WhatsAppStatus; // default 'sent' once WhatsApp accepted it
  whatsappTimestamp?: Date;
  whatsappError?: string;
  whatsappErrorCode?: number;
  status: MessageStatus; // default 'pending'
  attachments: Attachment[];
  location?: { latitude: number; longitude: number; address?: string; name?: string };
  template?: { name: string; language: string; parameters: string[]; category?: string };
  interactive?: {
    type: InteractiveType;
    body?: string;
    buttons?: { id: string; title: string; payload?: string }[];
    listItems?: { id: string; title: string; description?: string }[];
    /** For an inbound reply: the id of the button / row the customer picked. */
    replyId?: string;
  };
  contacts?: { name: string; phones: string[] }[];
  reaction?: { emoji: string; messageId?: Id; whatsappMessageId: string };
  aiProcessed: boolean; // default false
  aiResponse?: {
    confidence: number;
    intent: string;
    entities: string[];
    sentiment: 'positive' | 'neutral' | 'negative';
  };
  replyTo?: Id;
  replyToWhatsappId?: string;
  isForwarded: boolean; // default false
  forwardedFrom?: string;
  /** The client idempotency key of messages.send */
  idempotencyKey?: string;
  /**
   * Background work bookkeeping. Outbound: the outbox sender (sendAttempts, nextAttemptAt,
   * leaseUntil). Inbound: the media fetcher (nextAttemptAt, leaseUntil; attempts per attachment).
   */
  sendAttempts?: number;
  nextAttemptAt?: Date;
  leaseUntil?: Date;
  timestamp: Date;
  readAt?: Date;
  deliveredAt?: Date;
  sentAt?: Date;
  failedAt?: Date;
  createdAt: Date;
}
