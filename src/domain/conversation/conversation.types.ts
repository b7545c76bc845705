import type { Id } from '../shared/ids.js';

export const CONVERSATION_STATUSES = ['open', 'assigned', 'waiting', 'resolved', 'closed'] as const;
export type ConversationStatus = (typeof CONVERSATION_STATUSES)[number];

export const PRIORITIES = ['low', 'medium', 'high', 'urgent'] as const;
export type Priority = (typeof PRIORITIES)[number];

export const CONVERSATION_CATEGORIES = [
  'support',
  'sales',
  'billing',
  'technical',
  'complaint',
  'other',
] as const;
export type ConversationCategory = (typeof CONVERSATION_CATEGORIES)[number];

export const CHANNELS = ['whatsapp', 'web', 'mobile_app'] as const;
export type Channel = (typeof CHANNELS)[number];

export const LAST_MESSAGE_FROM = ['customer', 'agent', 'system'] as const;
export const LAST_MESSAGE_TYPES = ['text', 'image', 'location', 'document', 'template'] as const;

export interface LastMessage {
  content: string;
  timestamp: Date;
  from: (typeof LAST_MESSAGE_FROM)[number];
  type: (typeof LAST_MESSAGE_TYPES)[number];
}

export interface InternalNote {
  id: Id;
  agent: Id;
  content: string;
  timestamp: Date;
  isVisible: boolean; // default false: visible to the customer
}

export interface CustomerSatisfaction {
  rating: number; // 1..5
  comment?: string;
  submittedAt: Date;
}

export interface ConversationPrimitives {
  id: Id;
  customerId: Id;
  assignedAgent?: Id;
  assignedAt?: Date;
  assignedBy?: Id;
  status: ConversationStatus; // default 'open'
  priority: Priority; // default 'medium'
  category: ConversationCategory; // default 'support'
  tags: string[];
  isAIEnabled: boolean; // default true
  aiModel: string; // default 'gpt-4'
  autoResponses: boolean; // default true
  channel: Channel; // default 'whatsapp'
  source?: string;
  messageCount: number;
  unreadCount: number;
  lastMessage?: LastMessage;
  firstResponseTime?: number; // minutes to the first agent response
  averageResponseTime?: number; // minutes
  responseCount?: number; // how many agent responses the average is made of
  lastAgentResponse?: Date;
  lastCustomerMessage?: Date;
  /** When the oldest still-unanswered customer message arrived (cleared by an agent/AI reply). */
  awaitingResponseSince?: Date;
  resolvedAt?: Date;
  resolvedBy?: Id;
  resolutionNotes?: string;
  customerSatisfaction?: CustomerSatisfaction;
  internalNotes: InternalNote[];
  whatsappData?: { phoneNumberId?: string; businessAccountId?: string };
  /** Failed outbound deliveries since the last successful one (feeds escalation). */
  failedDeliveries?: number;
  escalated?: boolean;
  escalatedTo?: Id;
  escalatedAt?: Date;
  createdAt: Date;
  updatedAt: Date;
  closedAt?: Date;
  version: number;
}
