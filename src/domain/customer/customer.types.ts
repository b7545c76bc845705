import type { Id } from '../shared/ids.js';

export const CUSTOMER_SEGMENTS = ['vip', 'regular', 'new', 'inactive'] as const;
export type CustomerSegment = (typeof CUSTOMER_SEGMENTS)[number];

export const CUSTOMER_SOURCES = ['whatsapp', 'referral', 'website', 'social_media', 'other'] as const;
export type CustomerSource = (typeof CUSTOMER_SOURCES)[number];

export const CUSTOMER_STATUSES = ['active', 'inactive', 'blocked', 'vip'] as const;
export type CustomerStatus = (typeof CUSTOMER_STATUSES)[number];

export interface CustomerAddress {
  street?: string;
  city?: string;
  state?: string;
  country: string; // default 'México'
  postalCode?: string;
  coordinates?: { latitude: number; longitude: number };
}

export interface CustomerStatistics {
  totalConversations: number;
  totalMessages: number;
  totalTickets: number;
  averageResponseTime: number; // the customer's own average response time, minutes
  responseCount?: number; // how many answers averageResponseTime is made of
  satisfactionScore?: number; // 1..5 average
  satisfactionCount?: number; // how many ratings the average is made of
}

export interface CustomerPrimitives {
  id: Id;
  phoneNumber: string; // E.164, unique
  firstName?: string;
  lastName?: string;
  email?: string; // lowercase
  avatar?: string;
  alternativePhones: string[]; // E.164
  address?: CustomerAddress;
  tags: string[];
  segment: CustomerSegment; // default 'new'
  source: CustomerSource; // default 'whatsapp'
  customFields: Record<string, string>;
  preferences: {
    language: string; // default 'es'
    communicationHours: { start: string; end: string }; // '09:00' / '18:00'
    preferredAgent?: Id;
  };
  status: CustomerStatus; // default 'active'
  isBlocked: boolean; // default false
  blockReason?: string;
  notes?: string;
  statistics: CustomerStatistics;
  firstContact?: Date;
  lastInteraction?: Date;
  lastMessageAt?: Date;
  /** Set when the customer was erased (right to be forgotten). */
  erasedAt?: Date;
  createdAt: Date;
  updatedAt: Date;
  version: number;
}
