import type { Id } from '../shared/ids.js';

export const AGENT_ROLES = ['admin', 'supervisor', 'agent'] as const;
export type AgentRole = (typeof AGENT_ROLES)[number];

export const AGENT_STATUSES = ['online', 'offline', 'busy', 'away'] as const;
export type AgentStatus = (typeof AGENT_STATUSES)[number];

export const PERMISSIONS = [
  'read:conversations',
  'write:messages',
  'assign:conversations',
  'manage:customers',
  'manage:tickets',
  'view:analytics',
  'manage:agents',
  'system:admin',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const NAME_MAX_LENGTH = 50;

export interface AgentPreferences {
  language: string; // default 'es'
  timezone: string; // default 'America/Mexico_City'
  notifications: { email: boolean; push: boolean; sound: boolean }; // all default true
  autoAssignment: boolean; // default true
}

export interface AgentStatistics {
  totalConversations: number;
  resolvedConversations: number;
  averageResponseTime: number; // minutes
  currentActiveConversations: number;
  /** How many responses `averageResponseTime` is made of (absent on agents that have none yet). */
  responseCount?: number;
}

/** The persisted shape of an Agent (what repositories store). `passwordHash` is never sent to callers. */
export interface AgentPrimitives {
  id: Id;
  email: string; // unique, lowercase
  passwordHash: string;
  firstName: string; // required, max 50
  lastName: string; // required, max 50
  role: AgentRole; // default 'agent'
  status: AgentStatus; // default 'offline'
  avatar?: string;
  phone?: string;
  department?: string;
  supervisorId?: Id; // who escalations from this agent go to (falls back to any supervisor/admin)
  permissions: Permission[];
  preferences: AgentPreferences;
  statistics: AgentStatistics;
  lastLogin?: Date;
  lastActivity?: Date;
  isActive: boolean; // default true
  createdAt: Date;
  updatedAt: Date;
  version: number;
}
