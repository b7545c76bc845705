/**
 * The registry of every known system setting: its category, description, whether admins may
 * edit it, its default value, and the zod schema its value must satisfy.
 *
 * Stored settings (`SystemSettingPrimitives`) keep `value: unknown`; read them through
 * `SettingsSnapshot` (settings-snapshot.ts) to get typed, validated values with defaults.
 */
import { isSupportedCountry } from 'libphonenumber-js';
import { z } from 'zod';
import type { PhoneRegion } from '../customer/phone-number.js';
import type { Id } from '../shared/ids.js';
import {
  type BusinessHours,
  DEFAULT_BUSINESS_HOURS,
  DEFAULT_BUSINESS_TIMEZONE,
  HH_MM,
  HH_MM_OR_MIDNIGHT_END,
  isValidTimeZone,
  parseHhMm,
} from '../sla/business-hours.js';
import { DEFAULT_SLA_TARGETS, MAX_SLA_TARGET_MINUTES, type SlaTargets } from '../sla/sla-targets.js';
import { invalidSettingValue, settingNotEditable, UnknownSettingError } from './settings.errors.js';
import type { SettingCategory, SystemSettingPrimitives } from './settings.types.js';

export const AI_RESPONSE_HOURS = ['always', 'outside_business_hours'] as const;
export type AiResponseHours = (typeof AI_RESPONSE_HOURS)[number];

export interface ArchiveSchedule {
  enabled: boolean;
  /** Closed conversations (and messages) older than this many days are archived. */
  olderThanDays: number;
  /** Hour of the day (UTC) the archiver runs. */
  hourUtc: number;
}

/** The typed value of every known setting. */
export interface SettingValues {
  business_hours: BusinessHours;
  business_timezone: string;
  default_phone_region: PhoneRegion;
  auto_assignment_enabled: boolean;
  max_conversations_per_agent: number;
  ai_response_enabled: boolean;
  ai_response_hours: AiResponseHours;
  ai_model: string;
  ai_instructions: string;
  ai_thread_max_messages: number;
  ai_thread_idle_minutes: number;
  ai_handoff_confidence_threshold: number;
  sla_targets: SlaTargets;
  sla_warning_lead_minutes: number;
  escalation_reassign: boolean;
  auto_resolve_after_hours: number;
  satisfaction_survey_enabled: boolean;
  archive_schedule: ArchiveSchedule;
  schema_version: number;
}

export type SettingKey = keyof SettingValues;
export type SettingValue<K extends SettingKey> = SettingValues[K];

export interface SettingDefinition<K extends SettingKey = SettingKey> {
  key: K;
  category: SettingCategory;
  description: string;
  isEditable: boolean;
  defaultValue: SettingValues[K];
  schema: z.ZodType<SettingValues[K]>;
}

// ---- schemas -------------------------------------------------------------------------------

const minutesOrUndefined = (hhmm: string): number | undefined =>
  HH_MM_OR_MIDNIGHT_END.test(hhmm) ? parseHhMm(hhmm) : undefined;

const dayHoursSchema = z
  .strictObject({
    start: z.string().regex(HH_MM, 'must be HH:MM (00:00-23:59)'),
    end: z.string().regex(HH_MM_OR_MIDNIGHT_END, 'must be HH:MM (00:00-24:00)'),
    enabled: z.boolean(),
  })
  .refine(
    (d) => {
      const start = minutesOrUndefined(d.start);
      const end = minutesOrUndefined(d.end);
      return start === undefined || end === undefined || start < end;
    },
    { message: 'start must be before end', path: ['end'] },
  );

const businessHoursSchema = z.strictObject({
  monday: dayHoursSchema,
  tuesday: dayHoursSchema,
  wednesday: dayHoursSchema,
  thursday: dayHoursSchema,
  friday: dayHoursSchema,
  saturday: dayHoursSchema,
  sunday: dayHoursSchema,
});

const targetMinutes = z.number().int().min(1).max(MAX_SLA_TARGET_MINUTES);
const slaTargetSchema = z
  .strictObject({ firstResponse: targetMinutes, resolution: targetMinutes })
  .refine((t) => t.firstResponse <= t.resolution, {
    message: 'firstResponse must not exceed resolution',
    path: ['firstResponse'],
  });
const slaLevelTargetsSchema = z.strictObject({
  low: slaTargetSchema,
  medium: slaTargetSchema,
  high: slaTargetSchema,
  urgent: slaTargetSchema,
});
const slaTargetsSchema = z.strictObject({
  standard: slaLevelTargetsSchema,
  priority: slaLevelTargetsSchema,
  vip: slaLevelTargetsSchema,
});

const int = (min: number, max: number) => z.number().int().min(min).max(max);

// ---- registry ------------------------------------------------------------------------------

const DEFAULT_AI_INSTRUCTIONS =
  'Eres el asistente virtual de atención al cliente de la empresa por WhatsApp. ' +
  'Responde siempre en español, con un tono amable, profesional y breve. ' +
  'Ayuda con dudas sobre productos, pedidos, facturación y soporte técnico usando solo la información disponible; ' +
  'no inventes precios, fechas ni políticas. ' +
  'Si no sabes la respuesta, si el cliente está molesto o si pide hablar con una persona, ' +
  'dilo con claridad y ofrece transferir la conversación a un agente humano.';

type Registry = { readonly [K in SettingKey]: SettingDefinition<K> };

export const SETTING_DEFINITIONS: Registry = {
  business_hours: {
    key: 'business_hours',
    category: 'business',
    description:
      'Opening hours per weekday (local time in business_timezone); SLA clocks run only inside them.',
    isEditable: true,
    defaultValue: DEFAULT_BUSINESS_HOURS,
    schema: businessHoursSchema,
  },
  business_timezone: {
    key: 'business_timezone',
    category: 'business',
    description: 'IANA time zone of the business hours, ticket years and reports.',
    isEditable: true,
    defaultValue: DEFAULT_BUSINESS_TIMEZONE,
    schema: z.string().refine(isValidTimeZone, 'must be an IANA time zone such as America/Mexico_City'),
  },
  default_phone_region: {
    key: 'default_phone_region',
    category: 'whatsapp',
    description: 'ISO 3166-1 alpha-2 region used to parse phone numbers written without a country code.',
    isEditable: true,
    defaultValue: 'MX' as PhoneRegion,
    schema: z
      .string()
      .regex(/^[A-Z]{2}$/, 'must be an upper-case ISO 3166-1 alpha-2 code')
      .refine((v): v is PhoneRegion => isSupportedCountry(v), 'must be a region with a phone numbering plan'),
  },
  auto_assignment_enabled: {
    key: 'auto_assignment_enabled',
    category: 'general',
    description: 'Assign new conversations to an available agent automatically.',
    isEditable: true,
    defaultValue: true,
    schema: z.boolean(),
  },
  max_conversations_per_agent: {
    key: 'max_conversations_per_agent',
    category: 'general',
    description: 'How many open conversations auto-assignment gives one agent at most.',
    isEditable: true,
    defaultValue: 10,
    schema: int(1, 500),
  },
  ai_response_enabled: {
    key: 'ai_response_enabled',
    category: 'ai',
    description: 'Let the AI assistant answer customers.',
    isEditable: true,
    defaultValue: true,
    schema: z.boolean(),
  },
  ai_response_hours: {
    key: 'ai_response_hours',
    category: 'ai',
    description: "When the AI answers: 'always' or only 'outside_business_hours'.",
    isEditable: true,
    defaultValue: 'always',
    schema: z.enum(AI_RESPONSE_HOURS),
  },
  ai_model: {
    key: 'ai_model',
    category: 'ai',
    description: 'OpenAI model used for AI replies.',
    isEditable: true,
    defaultValue: 'gpt-4o-mini',
    schema: z.string().trim().min(1).max(100),
  },
  ai_instructions: {
    key: 'ai_instructions',
    category: 'ai',
    description: 'System instructions (persona) given to the AI assistant.',
    isEditable: true,
    defaultValue: DEFAULT_AI_INSTRUCTIONS,
    schema: z.string().trim().min(1).max(20_000),
  },
  ai_thread_max_messages: {
    key: 'ai_thread_max_messages',
    category: 'ai',
    description: 'Messages kept in an AI conversation thread before older ones are dropped.',
    isEditable: true,
    defaultValue: 50,
    schema: int(1, 1000),
  },
  ai_thread_idle_minutes: {
    key: 'ai_thread_idle_minutes',
    category: 'ai',
    description: 'Minutes of silence after which the AI starts a fresh thread.',
    isEditable: true,
    defaultValue: 1440,
    schema: int(1, 43_200),
  },
  ai_handoff_confidence_threshold: {
    key: 'ai_handoff_confidence_threshold',
    category: 'ai',
    description: 'Below this confidence (0..1) the AI hands the conversation to a human.',
    isEditable: true,
    defaultValue: 0.5,
    schema: z.number().min(0).max(1),
  },
  sla_targets: {
    key: 'sla_targets',
    category: 'business',
    description:
      'SLA targets in business minutes per level (standard/priority/vip) and priority: firstResponse and resolution.',
    isEditable: true,
    defaultValue: DEFAULT_SLA_TARGETS,
    schema: slaTargetsSchema,
  },
  sla_warning_lead_minutes: {
    key: 'sla_warning_lead_minutes',
    category: 'business',
    description: 'An SLA clock turns to warning this many business minutes before it is due.',
    isEditable: true,
    defaultValue: 30,
    schema: int(0, 1440),
  },
  escalation_reassign: {
    key: 'escalation_reassign',
    category: 'business',
    description: 'On escalation, also reassign the conversation/ticket to the escalation target.',
    isEditable: true,
    defaultValue: false,
    schema: z.boolean(),
  },
  auto_resolve_after_hours: {
    key: 'auto_resolve_after_hours',
    category: 'general',
    description: 'Resolve conversations automatically after this many hours without activity (0 = never).',
    isEditable: true,
    defaultValue: 48,
    schema: int(0, 8760),
  },
  satisfaction_survey_enabled: {
    key: 'satisfaction_survey_enabled',
    category: 'notifications',
    description: 'Ask the customer for a 1-5 rating when a conversation or ticket is resolved.',
    isEditable: true,
    defaultValue: true,
    schema: z.boolean(),
  },
  archive_schedule: {
    key: 'archive_schedule',
    category: 'general',
    description: 'Nightly archiving of closed conversations and old messages.',
    isEditable: true,
    defaultValue: { enabled: false, olderThanDays: 365, hourUtc: 3 },
    schema: z.strictObject({ enabled: z.boolean(), olderThanDays: int(30, 36_500), hourUtc: int(0, 23) }),
  },
  schema_version: {
    key: 'schema_version',
    category: 'general',
    description: 'Version of the database schema (maintained by migrations).',
    isEditable: false,
    defaultValue: 1,
    schema: int(1, 1_000_000),
  },
};

export const SETTING_KEYS = Object.keys(SETTING_DEFINITIONS) as SettingKey[];

export const isSettingKey = (key: unknown): key is SettingKey =>
  typeof key === 'string' && Object.hasOwn(SETTING_DEFINITIONS, key);

// ---- operations ----------------------------------------------------------------------------

/** The definition of `key`; unknown keys throw UnknownSettingError (SETTINGS.UNKNOWN_KEY). */
export function getSettingDefinition<K extends SettingKey>(key: K): SettingDefinition<K>;
export function getSettingDefinition(key: string): SettingDefinition;
export function getSettingDefinition(key: string): SettingDefinition {
  if (!isSettingKey(key)) throw new UnknownSettingError(key);
  return SETTING_DEFINITIONS[key] as unknown as SettingDefinition;
}

const formatIssues = (issues: readonly { path: PropertyKey[]; message: string }[]): string =>
  issues.map((i) => (i.path.length ? `${i.path.map(String).join('.')}: ${i.message}` : i.message)).join('; ');

/**
 * Checks `value` against the schema of `key` and returns it (normalised, e.g. trimmed strings).
 * Throws ValidationError (field `value`, code SETTINGS.INVALID_VALUE) listing the issues, or
 * UnknownSettingError for an unknown key.
 */
export function validateSettingValue<K extends SettingKey>(key: K, value: unknown): SettingValue<K>;
export function validateSettingValue(key: string, value: unknown): unknown;
export function validateSettingValue(key: string, value: unknown): unknown {
  const def = getSettingDefinition(key);
  const result = def.schema.safeParse(value);
  if (!result.success) throw invalidSettingValue(key, formatIssues(result.error.issues));
  return result.data;
}

/** Throws BusinessRuleError SETTINGS.NOT_EDITABLE for read-only settings (UnknownSettingError if unknown). */
export function assertEditable(key: string): void {
  if (!getSettingDefinition(key).isEditable) throw settingNotEditable(key);
}

/** One stored record per known setting, with its default value (for first-run seeding). */
export function defaultSettings(now: Date, idFor: (key: SettingKey) => Id): SystemSettingPrimitives[] {
  return SETTING_KEYS.map((key) => {
    const def = getSettingDefinition(key);
    return {
      id: idFor(key),
      key,
      value: structuredClone(def.defaultValue),
      description: def.description,
      category: def.category,
      isEditable: def.isEditable,
      createdAt: new Date(now),
      updatedAt: new Date(now),
    };
  });
}

/**
 * A stored setting with a new value: checks the key is editable and the value valid, and
 * returns the updated record (the input is not modified).
 */
export function changeSetting(
  current: SystemSettingPrimitives,
  value: unknown,
  by: Id | undefined,
  now: Date,
): SystemSettingPrimitives {
  assertEditable(current.key);
  const valid = validateSettingValue(current.key, value);
  return {
    ...structuredClone(current),
    value: structuredClone(valid),
    ...(by === undefined ? {} : { updatedBy: by }),
    updatedAt: new Date(now),
  };
}
