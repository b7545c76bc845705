import type { BusinessCalendar } from '../sla/business-hours.js';
import type { SlaConfig } from '../sla/sla-status.js';
import {
  getSettingDefinition,
  isSettingKey,
  SETTING_KEYS,
  type SettingKey,
  type SettingValue,
} from './setting-definitions.js';
import type { SystemSettingPrimitives } from './settings.types.js';

export interface IgnoredSetting {
  key: string;
  reason: 'unknown_key' | 'invalid_value';
  message?: string;
}

/**
 * A typed, read-only view of the system settings at one moment.
 *
 * Built from stored records: unknown keys are ignored, a stored value that fails its schema is
 * ignored in favour of the default (listed in `ignored`, so callers can log it), and missing
 * keys fall back to their defaults. `get` returns a copy, so callers may not alter the snapshot.
 */
export class SettingsSnapshot {
  readonly #values = new Map<SettingKey, unknown>();
  readonly #fromStore = new Set<SettingKey>();
  readonly ignored: readonly IgnoredSetting[];

  constructor(settings: readonly SystemSettingPrimitives[] = []) {
    const ignored: IgnoredSetting[] = [];
    for (const s of settings) {
      if (!isSettingKey(s.key)) {
        ignored.push({ key: s.key, reason: 'unknown_key' });
        continue;
      }
      const parsed = getSettingDefinition(s.key).schema.safeParse(s.value);
      if (!parsed.success) {
        ignored.push({ key: s.key, reason: 'invalid_value', message: parsed.error.message });
        continue;
      }
      this.#values.set(s.key, parsed.data);
      this.#fromStore.add(s.key);
    }
    for (const key of SETTING_KEYS) {
      if (!this.#values.has(key))
        this.#values.set(key, structuredClone(getSettingDefinition(key).defaultValue));
    }
    this.ignored = ignored;
  }

  static defaults(): SettingsSnapshot {
    return new SettingsSnapshot([]);
  }

  get<K extends SettingKey>(key: K): SettingValue<K> {
    return structuredClone(this.#values.get(key)) as SettingValue<K>;
  }

  /** True when `key` holds its default because nothing valid was stored. */
  isDefault(key: SettingKey): boolean {
    return !this.#fromStore.has(key);
  }

  businessCalendar(): BusinessCalendar {
    return { hours: this.get('business_hours'), zone: this.get('business_timezone') };
  }

  slaConfig(): SlaConfig {
    return {
      ...this.businessCalendar(),
      targets: this.get('sla_targets'),
      warningLeadMinutes: this.get('sla_warning_lead_minutes'),
    };
  }
}
