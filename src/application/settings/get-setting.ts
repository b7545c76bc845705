import { getSettingDefinition } from '../../domain/settings/setting-definitions.js';
import { SettingsSnapshot } from '../../domain/settings/settings-snapshot.js';
import type { Ports } from '../ports/ports.js';
import { authorize } from '../shared/guards.js';
import type { UseCaseInput } from '../shared/use-case-input.js';
import { type SettingView, settingView } from './setting-view.js';

export interface GetSettingQuery extends UseCaseInput {
  key: string;
}

/** One setting's effective value; an unknown key → UnknownSettingError (SETTINGS.UNKNOWN_KEY, not found). */
export class GetSetting {
  constructor(private readonly ports: Pick<Ports, 'settings'>) {}

  async execute(input: GetSettingQuery): Promise<SettingView> {
    authorize(input.actor, 'settings.read');
    const { key } = getSettingDefinition(input.key);
    const stored = await this.ports.settings.get(key);
    return settingView(key, new SettingsSnapshot(stored ? [stored] : []), stored ?? undefined);
  }
}
