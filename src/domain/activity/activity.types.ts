import type { Id } from '../shared/ids.js';

export const ENTITY_TYPES = ['conversation', 'ticket', 'customer', 'agent', 'message'] as const;
export type EntityType = (typeof ENTITY_TYPES)[number];

export const ACTIVITY_ACTIONS = [
  'created',
  'updated',
  'deleted',
  'assigned',
  'transferred',
  'resolved',
  'closed',
  'reopened',
  'escalated',
  'commented',
] as const;
export type ActivityAction = (typeof ACTIVITY_ACTIONS)[number];

export interface ActivityLogPrimitives {
  id: Id;
  entityType: EntityType;
  entityId: Id;
  action: ActivityAction;
  performedBy?: Id; // absent when the system acted
  details: {
    before?: Record<string, unknown>;
    after?: Record<string, unknown>;
    changes: string[];
    reason?: string;
  };
  ipAddress?: string;
  userAgent?: string;
  timestamp: Date;
}
