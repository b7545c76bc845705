import type { Priority } from '../conversation/conversation.types.js';
import type { Id } from '../shared/ids.js';

export const TICKET_CATEGORIES = [
  'technical_support',
  'billing',
  'product_inquiry',
  'complaint',
  'feature_request',
  'bug_report',
  'general_inquiry',
  'other',
] as const;
export type TicketCategory = (typeof TICKET_CATEGORIES)[number];

export const TICKET_STATUSES = [
  'open',
  'in_progress',
  'waiting_customer',
  'waiting_internal',
  'resolved',
  'closed',
] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

export const SLA_LEVELS = ['standard', 'priority', 'vip'] as const;
export type SlaLevel = (typeof SLA_LEVELS)[number];

export const RESOLUTION_CATEGORIES = ['solved', 'workaround', 'duplicate', 'invalid', 'wont_fix'] as const;
export type ResolutionCategory = (typeof RESOLUTION_CATEGORIES)[number];

export const SUBJECT_MAX_LENGTH = 200;

export interface TicketAttachment {
  type: string; // 'image' | 'document' | 'audio' | 'video'
  url: string;
  publicId?: string;
  filename?: string;
  size?: number;
  uploadedBy?: Id;
  uploadedAt: Date;
}

export interface TicketNote {
  id: Id;
  agent: Id;
  content: string;
  isInternal: boolean; // default true
  timestamp: Date;
  attachments: string[];
}

export interface TicketPrimitives {
  id: Id;
  ticketId: string; // TICKET-YYYY-NNNNNN, unique
  customerId: Id;
  conversationId?: Id;
  assignedAgent?: Id;
  subject: string; // required, max 200
  description: string; // required
  category: TicketCategory; // required
  subcategory?: string;
  priority: Priority; // default 'medium'
  status: TicketStatus; // default 'open'
  slaLevel: SlaLevel; // default 'standard'
  estimatedResolution?: Date;
  firstResponseTime?: number; // minutes
  firstResponseAt?: Date;
  resolutionTime?: number; // minutes
  /** Business minutes spent in waiting_customer (the SLA clock pauses there). */
  slaPausedMinutes?: number;
  waitingCustomerSince?: Date;
  attachments: TicketAttachment[];
  location?: {
    latitude: number;
    longitude: number;
    address?: string;
    formattedAddress?: string;
    isServiceLocation: boolean;
  };
  resolution?: {
    summary: string;
    steps: string[];
    resolvedBy: Id;
    resolvedAt: Date;
    resolutionCategory: ResolutionCategory;
  };
  customerFeedback?: { rating: number; comment?: string; submittedAt: Date; followUpNeeded: boolean };
  notes: TicketNote[];
  tags: string[];
  labels: { name: string; color: string }[];
  escalated: boolean; // default false
  escalatedTo?: Id;
  escalatedAt?: Date;
  escalationReason?: string;
  relatedTickets: Id[];
  parentTicket?: Id;
  externalId?: string;
  externalUrl?: string;
  createdAt: Date;
  updatedAt: Date;
  closedAt?: Date;
  lastActivityAt: Date;
  version: number;
}
