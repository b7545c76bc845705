import { getSettingDefinition, type SettingKey } from '../../domain/settings/setting-definitions.js';
import type { SettingCategory, SystemSettingPrimitives } from '../../domain/settings/settings.types.js';
import type { SettingsSnapshot } from '../../domain/settings/settings-snapshot.js';
import type { Id } from '../../domain/shared/ids.js';

/** A setting as the API shows it: its effective value (stored, or the default) and its definition. */
export interface SettingView {
  key: SettingKey;
  value: unknown;
  category: SettingCategory;
  description: string;
  isEditable: boolean;
  /** True when no valid value is stored and the default applies. */
  isDefault: boolean;
  updatedAt?: Date;
  updatedBy?: Id;
}

export function settingView(
  key: SettingKey,
  snapshot: SettingsSnapshot,
  stored: SystemSettingPrimitives | undefined,
): SettingView {
  const def = getSettingDefinition(key);
  const isDefault = snapshot.isDefault(key);
  return {
    key,
    value: snapshot.get(key),
    category: def.category,
    description: def.description,
    isEditable: def.isEditable,
    isDefault,
    ...(stored && !isDefault ? { updatedAt: new Date(stored.updatedAt) } : {}),
    ...(stored?.updatedBy && !isDefault ? { updatedBy: stored.updatedBy } : {}),
  };
}
