import type { Id } from '../shared/ids.js';

export const SETTING_CATEGORIES = [
  'general',
  'whatsapp',
  'ai',
  'notifications',
  'security',
  'business',
] as const;
export type SettingCategory = (typeof SETTING_CATEGORIES)[number];

export interface SystemSettingPrimitives {
  id: Id;
  key: string; // unique
  value: unknown;
  description?: string;
  category: SettingCategory; // default 'general'
  isEditable: boolean; // default true
  updatedBy?: Id;
  createdAt: Date;
  updatedAt: Date;
}
