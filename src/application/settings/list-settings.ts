import { SETTING_KEYS } from '../../domain/settings/setting-definitions.js';
import { SettingsSnapshot } from '../../domain/settings/settings-snapshot.js';
import type { Ports } from '../ports/ports.js';
import { authorize } from '../shared/guards.js';
import type { UseCaseInput } from '../shared/use-case-input.js';
import { type SettingView, settingView } from './setting-view.js';

export type ListSettingsQuery = UseCaseInput;

/**
 * Every known setting with its effective value, in registry order. Stored records with an unknown
 * key are not shown; a stored value that fails its schema shows the default (`isDefault: true`).
 */
export class ListSettings {
  constructor(private readonly ports: Pick<Ports, 'settings'>) {}

  async execute(input: ListSettingsQuery): Promise<SettingView[]> {
    authorize(input.actor, 'settings.read');
    const stored = await this.ports.settings.getAll();
    const snapshot = new SettingsSnapshot(stored);
    const byKey = new Map(stored.map((s) => [s.key, s]));
    return SETTING_KEYS.map((key) => settingView(key, snapshot, byKey.get(key)));
  }
}
