import { describe, expect, it } from 'vitest';
import {
  assertEditable,
  changeSetting,
  defaultSettings,
  getSettingDefinition,
  isSettingKey,
  SETTING_DEFINITIONS,
  SETTING_KEYS,
  type SettingKey,
  validateSettingValue,
} from '../../../../src/domain/settings/setting-definitions.js';
import { SETTING_CATEGORIES } from '../../../../src/domain/settings/settings.types.js';
import { BusinessRuleError, DomainError, ValidationError } from '../../../../src/domain/shared/errors.js';
import { DEFAULT_BUSINESS_HOURS } from '../../../../src/domain/sla/business-hours.js';
import { DEFAULT_SLA_TARGETS } from '../../../../src/domain/sla/sla-targets.js';

const NOW = new Date('2026-03-02T15:00:00.000Z');
const idFor = (key: string): string => Buffer.from(key.padEnd(12, '_').slice(0, 12)).toString('hex');

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

const hours = (patch: Record<string, unknown>): unknown => ({
  ...structuredClone(DEFAULT_BUSINESS_HOURS),
  ...patch,
});
const targets = (patch: (t: typeof DEFAULT_SLA_TARGETS) => void): unknown => {
  const t = structuredClone(DEFAULT_SLA_TARGETS);
  patch(t);
  return t;
};
const { monday: _omit, ...withoutMonday } = DEFAULT_BUSINESS_HOURS;

/** For every key: values that must pass and values that must fail (with the issue path expected). */
const CASES: { [K in SettingKey]: { good: unknown[]; bad: unknown[] } } = {
  business_hours: {
    good: [
      DEFAULT_BUSINESS_HOURS,
      hours({ saturday: { start: '10:00', end: '14:00', enabled: true } }),
      hours({ sunday: { start: '00:00', end: '24:00', enabled: true } }),
    ],
    bad: [
      hours({ monday: { start: '18:00', end: '09:00', enabled: true } }),
      hours({ monday: { start: '09:00', end: '09:00', enabled: true } }),
      hours({ monday: { start: '9:00', end: '18:00', enabled: true } }),
      hours({ monday: { start: '24:00', end: '24:00', enabled: true } }),
      hours({ monday: { start: '09:00', end: '18:60', enabled: true } }),
      hours({ monday: { start: '09:00', end: '18:00' } }),
      hours({ funday: { start: '09:00', end: '18:00', enabled: true } }),
      withoutMonday,
      'always',
    ],
  },
  business_timezone: {
    good: ['America/Mexico_City', 'America/New_York', 'Europe/Madrid', 'UTC'],
    bad: ['Mexico', 'Mars/Olympus', '', 5],
  },
  default_phone_region: { good: ['MX', 'US', 'ES', 'CO'], bad: ['mx', 'MEX', 'XX', '', 52] },
  auto_assignment_enabled: { good: [true, false], bad: ['true', 1, null] },
  max_conversations_per_agent: { good: [1, 10, 500], bad: [0, 501, 2.5, '10'] },
  ai_response_enabled: { good: [true, false], bad: ['yes'] },
  ai_response_hours: { good: ['always', 'outside_business_hours'], bad: ['never', 'business_hours', true] },
  ai_model: { good: ['gpt-4o-mini', 'gpt-4.1'], bad: ['', '   ', 'x'.repeat(101), 4] },
  ai_instructions: { good: ['Sé amable.'], bad: ['', '  ', null] },
  ai_thread_max_messages: { good: [1, 50, 1000], bad: [0, -1, 1001, 1.5] },
  ai_thread_idle_minutes: { good: [1, 1440, 43_200], bad: [0, 43_201, '60'] },
  ai_handoff_confidence_threshold: { good: [0, 0.5, 1], bad: [-0.1, 1.01, '0.5'] },
  sla_targets: {
    good: [
      DEFAULT_SLA_TARGETS,
      targets((t) => {
        t.vip.urgent = { firstResponse: 1, resolution: 1 };
      }),
    ],
    bad: [
      targets((t) => {
        t.standard.low.firstResponse = 0;
      }),
      targets((t) => {
        t.standard.low.resolution = 10.5;
      }),
      targets((t) => {
        t.priority.high = { firstResponse: 100, resolution: 50 };
      }),
      targets((t) => {
        delete (t.vip as Partial<typeof t.vip>).medium;
      }),
      targets((t) => {
        (t as Record<string, unknown>).gold = t.vip;
      }),
      targets((t) => {
        t.standard.urgent.firstResponse = 600_000;
      }),
    ],
  },
  sla_warning_lead_minutes: { good: [0, 30, 1440], bad: [-1, 1441, 2.5] },
  escalation_reassign: { good: [true, false], bad: [0] },
  auto_resolve_after_hours: { good: [0, 48, 8760], bad: [-1, 8761, 1.5] },
  satisfaction_survey_enabled: { good: [true, false], bad: ['false'] },
  archive_schedule: {
    good: [
      { enabled: false, olderThanDays: 365, hourUtc: 3 },
      { enabled: true, olderThanDays: 30, hourUtc: 23 },
    ],
    bad: [
      { enabled: true, olderThanDays: 29, hourUtc: 3 },
      { enabled: true, olderThanDays: 365, hourUtc: 24 },
      { enabled: true, olderThanDays: 365 },
      { enabled: 'yes', olderThanDays: 365, hourUtc: 3 },
      { enabled: true, olderThanDays: 365, hourUtc: 3, extra: 1 },
    ],
  },
  schema_version: { good: [1, 2], bad: [0, 1.5, '1'] },
};

describe('SETTING_DEFINITIONS', () => {
  it('has the required keys', () => {
    expect([...SETTING_KEYS].sort()).toEqual(Object.keys(CASES).sort());
  });

  it('every definition is self-consistent: key, category, description, valid default', () => {
    for (const key of SETTING_KEYS) {
      const def = SETTING_DEFINITIONS[key];
      expect(def.key).toBe(key);
      expect(SETTING_CATEGORIES).toContain(def.category);
      expect(def.description.length).toBeGreaterThan(10);
      expect(() => validateSettingValue(key, def.defaultValue)).not.toThrow();
    }
  });

  it('has the agreed defaults', () => {
    const d = (k: SettingKey) => SETTING_DEFINITIONS[k].defaultValue;
    expect(d('business_hours')).toMatchObject({
      monday: { start: '09:00', end: '18:00', enabled: true },
      friday: { start: '09:00', end: '18:00', enabled: true },
      saturday: { enabled: false },
      sunday: { enabled: false },
    });
    expect(d('business_timezone')).toBe('America/Mexico_City');
    expect(d('default_phone_region')).toBe('MX');
    expect(d('auto_assignment_enabled')).toBe(true);
    expect(d('max_conversations_per_agent')).toBe(10);
    expect(d('ai_response_enabled')).toBe(true);
    expect(d('ai_response_hours')).toBe('always');
    expect(d('ai_model')).toBe('gpt-4o-mini');
    expect(d('ai_instructions')).toMatch(/español/);
    expect(d('ai_thread_max_messages')).toBe(50);
    expect(d('ai_thread_idle_minutes')).toBe(1440);
    expect(d('ai_handoff_confidence_threshold')).toBe(0.5);
    expect(d('sla_targets')).toEqual(DEFAULT_SLA_TARGETS);
    expect(d('sla_warning_lead_minutes')).toBe(30);
    expect(d('escalation_reassign')).toBe(false);
    expect(d('auto_resolve_after_hours')).toBe(48);
    expect(d('satisfaction_survey_enabled')).toBe(true);
    expect(d('archive_schedule')).toEqual({ enabled: false, olderThanDays: 365, hourUtc: 3 });
    expect(d('schema_version')).toBe(1);
    expect(SETTING_DEFINITIONS.schema_version.isEditable).toBe(false);
    expect(SETTING_KEYS.filter((k) => !SETTING_DEFINITIONS[k].isEditable)).toEqual(['schema_version']);
  });
});

describe('validateSettingValue', () => {
  for (const key of SETTING_KEYS) {
    const { good, bad } = CASES[key];
    it(`${key}: accepts good values`, () => {
      for (const value of good) expect(validateSettingValue(key, value)).toEqual(value);
    });
    it(`${key}: refuses bad values with SETTINGS.INVALID_VALUE on field value`, () => {
      for (const value of bad) {
        const error = thrown(() => validateSettingValue(key, value));
        expect(error, JSON.stringify(value)).toBeInstanceOf(ValidationError);
        expect(error).toMatchObject({ field: 'value', code: 'SETTINGS.INVALID_VALUE' });
        expect((error as Error).message).toContain(key);
      }
    });
  }

  it('names the offending path in the message', () => {
    const error = thrown(() =>
      validateSettingValue(
        'business_hours',
        hours({ tuesday: { start: '18:00', end: '09:00', enabled: true } }),
      ),
    ) as Error;
    expect(error.message).toContain('tuesday.end');
    expect(error.message).toContain('start must be before end');
  });

  it('returns normalised values (trimmed strings)', () => {
    expect(validateSettingValue('ai_model', '  gpt-4o  ')).toBe('gpt-4o');
  });

  it('refuses an unknown key with SETTINGS.UNKNOWN_KEY (not_found)', () => {
    const error = thrown(() => validateSettingValue('favourite_colour', 'blue'));
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ kind: 'not_found', code: 'SETTINGS.UNKNOWN_KEY' });
    expect(thrown(() => getSettingDefinition('nope'))).toMatchObject({ code: 'SETTINGS.UNKNOWN_KEY' });
    expect(isSettingKey('toString')).toBe(false);
    expect(isSettingKey('ai_model')).toBe(true);
  });
});

describe('assertEditable', () => {
  it('refuses non-editable keys and unknown keys', () => {
    const error = thrown(() => assertEditable('schema_version'));
    expect(error).toBeInstanceOf(BusinessRuleError);
    expect(error).toMatchObject({ code: 'SETTINGS.NOT_EDITABLE' });
    expect(thrown(() => assertEditable('nope'))).toMatchObject({ code: 'SETTINGS.UNKNOWN_KEY' });
    expect(() => assertEditable('business_hours')).not.toThrow();
  });
});

describe('defaultSettings', () => {
  it('returns one record per key with its default, category, description and the given ids', () => {
    const records = defaultSettings(NOW, idFor);
    expect(records.map((r) => r.key)).toEqual(SETTING_KEYS);
    for (const r of records) {
      const def = getSettingDefinition(r.key);
      expect(r).toEqual({
        id: idFor(r.key),
        key: r.key,
        value: def.defaultValue,
        description: def.description,
        category: def.category,
        isEditable: def.isEditable,
        createdAt: NOW,
        updatedAt: NOW,
      });
    }
  });

  it('copies the default values (mutating a record does not alter the registry)', () => {
    const records = defaultSettings(NOW, idFor);
    const bh = records.find((r) => r.key === 'business_hours')!.value as typeof DEFAULT_BUSINESS_HOURS;
    bh.monday.start = '07:00';
    expect(SETTING_DEFINITIONS.business_hours.defaultValue.monday.start).toBe('09:00');
  });
});

describe('changeSetting', () => {
  const records = defaultSettings(NOW, idFor);
  const record = (key: SettingKey) => records.find((r) => r.key === key)!;
  const later = new Date('2026-03-03T00:00:00.000Z');
  const admin = 'a'.repeat(24);

  it('returns the record with the validated value, updatedBy and updatedAt', () => {
    const changed = changeSetting(record('max_conversations_per_agent'), 25, admin, later);
    expect(changed).toMatchObject({ value: 25, updatedBy: admin, updatedAt: later, createdAt: NOW });
    expect(record('max_conversations_per_agent').value).toBe(10);
  });

  it('refuses invalid values and non-editable settings', () => {
    expect(thrown(() => changeSetting(record('max_conversations_per_agent'), 0, admin, later))).toMatchObject(
      {
        code: 'SETTINGS.INVALID_VALUE',
      },
    );
    expect(thrown(() => changeSetting(record('schema_version'), 2, admin, later))).toMatchObject({
      code: 'SETTINGS.NOT_EDITABLE',
    });
  });
});
