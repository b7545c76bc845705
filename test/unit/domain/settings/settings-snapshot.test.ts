import { describe, expect, it } from 'vitest';
import { defaultSettings, SETTING_DEFINITIONS } from '../../../../src/domain/settings/setting-definitions.js';
import type { SystemSettingPrimitives } from '../../../../src/domain/settings/settings.types.js';
import { SettingsSnapshot } from '../../../../src/domain/settings/settings-snapshot.js';
import { DEFAULT_BUSINESS_HOURS } from '../../../../src/domain/sla/business-hours.js';
import { DEFAULT_SLA_TARGETS } from '../../../../src/domain/sla/sla-targets.js';

const NOW = new Date('2026-03-02T15:00:00.000Z');
let n = 0;
const record = (key: string, value: unknown): SystemSettingPrimitives => ({
  id: (++n).toString(16).padStart(24, '0'),
  key,
  value,
  category: 'general',
  isEditable: true,
  createdAt: NOW,
  updatedAt: NOW,
});

describe('SettingsSnapshot', () => {
  it('falls back to the defaults for missing keys', () => {
    const s = SettingsSnapshot.defaults();
    expect(s.get('max_conversations_per_agent')).toBe(10);
    expect(s.get('business_timezone')).toBe('America/Mexico_City');
    expect(s.get('business_hours')).toEqual(DEFAULT_BUSINESS_HOURS);
    expect(s.isDefault('max_conversations_per_agent')).toBe(true);
    expect(s.ignored).toEqual([]);
  });

  it('uses valid stored values', () => {
    const s = new SettingsSnapshot([
      record('max_conversations_per_agent', 3),
      record('business_timezone', 'America/New_York'),
      record('ai_response_hours', 'outside_business_hours'),
    ]);
    expect(s.get('max_conversations_per_agent')).toBe(3);
    expect(s.get('business_timezone')).toBe('America/New_York');
    expect(s.get('ai_response_hours')).toBe('outside_business_hours');
    expect(s.isDefault('max_conversations_per_agent')).toBe(false);
    expect(s.isDefault('ai_model')).toBe(true);
  });

  it('ignores invalid stored values in favour of the default, and unknown keys, listing both', () => {
    const s = new SettingsSnapshot([
      record('max_conversations_per_agent', 'many'),
      record('business_timezone', 'Mars/Olympus'),
      record('legacy_flag', true),
    ]);
    expect(s.get('max_conversations_per_agent')).toBe(10);
    expect(s.get('business_timezone')).toBe('America/Mexico_City');
    expect(s.isDefault('business_timezone')).toBe(true);
    expect(s.ignored.map((i) => [i.key, i.reason])).toEqual([
      ['max_conversations_per_agent', 'invalid_value'],
      ['business_timezone', 'invalid_value'],
      ['legacy_flag', 'unknown_key'],
    ]);
  });

  it('reads the seeded defaults back identically', () => {
    const s = new SettingsSnapshot(
      defaultSettings(NOW, (k) => Buffer.from(k.slice(0, 12).padEnd(12)).toString('hex')),
    );
    expect(s.ignored).toEqual([]);
    for (const key of Object.keys(SETTING_DEFINITIONS) as (keyof typeof SETTING_DEFINITIONS)[]) {
      expect(s.get(key)).toEqual(SETTING_DEFINITIONS[key].defaultValue);
    }
  });

  it('returns copies: callers cannot alter the snapshot or the stored record', () => {
    const stored = record('business_hours', structuredClone(DEFAULT_BUSINESS_HOURS));
    const s = new SettingsSnapshot([stored]);
    const hours = s.get('business_hours');
    hours.monday.start = '06:00';
    expect(s.get('business_hours').monday.start).toBe('09:00');
    (stored.value as typeof DEFAULT_BUSINESS_HOURS).monday.start = '07:00';
    expect(s.get('business_hours').monday.start).toBe('09:00');
  });

  it('assembles the business calendar and the SLA config', () => {
    const s = new SettingsSnapshot([
      record('sla_warning_lead_minutes', 15),
      record('business_timezone', 'UTC'),
    ]);
    expect(s.businessCalendar()).toEqual({ hours: DEFAULT_BUSINESS_HOURS, zone: 'UTC' });
    expect(s.slaConfig()).toEqual({
      hours: DEFAULT_BUSINESS_HOURS,
      zone: 'UTC',
      targets: DEFAULT_SLA_TARGETS,
      warningLeadMinutes: 15,
    });
  });
});
