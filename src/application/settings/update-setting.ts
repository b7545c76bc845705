import {
  assertEditable,
  changeSetting,
  getSettingDefinition,
} from '../../domain/settings/setting-definitions.js';
import type { SystemSettingPrimitives } from '../../domain/settings/settings.types.js';
import { SettingsSnapshot } from '../../domain/settings/settings-snapshot.js';
import type { Ports } from '../ports/ports.js';
import { recordActivity } from '../shared/activity.js';
import { actorId } from '../shared/actor.js';
import { authorize } from '../shared/guards.js';
import type { UseCaseInput } from '../shared/use-case-input.js';
import { type SettingView, settingView } from './setting-view.js';

export interface UpdateSettingCommand extends UseCaseInput {
  key: string;
  value: unknown;
}

/**
 * Changes one setting (`settings.write`, i.e. system:admin). Unknown key → SETTINGS.UNKNOWN_KEY;
 * read-only key (schema_version) → SETTINGS.NOT_EDITABLE; a value failing its schema →
 * ValidationError (field `value`, SETTINGS.INVALID_VALUE) naming the offending paths.
 *
 * Audit: the activity log has no 'settings' entity type (the seed's enum), so the entry is
 * written on the acting agent: entityType 'agent', entityId = the agent, action 'updated',
 * reason `setting <key> changed`, before/after `{ settings: { <key>: value } }` (so `changes`
 * reads `settings.<key>`). A change by the system actor (no agent to hang it on) is not audited.
 * No event is published: settings are read fresh by every use case (loadSettings).
 */
export class UpdateSetting {
  constructor(private readonly ports: Pick<Ports, 'settings' | 'activity' | 'ids' | 'clock'>) {}

  async execute(input: UpdateSettingCommand): Promise<SettingView> {
    const { actor } = input;
    authorize(actor, 'settings.write');
    const def = getSettingDefinition(input.key);
    const { key } = def;
    assertEditable(key);

    const now = this.ports.clock.now();
    const current: SystemSettingPrimitives = (await this.ports.settings.get(key)) ?? {
      id: this.ports.ids.next(),
      key,
      value: structuredClone(def.defaultValue),
      description: def.description,
      category: def.category,
      isEditable: def.isEditable,
      createdAt: now,
      updatedAt: now,
    };
    const previous = new SettingsSnapshot([current]).get(key);
    const by = actorId(actor);
    const next = changeSetting(current, input.value, by, now);
    await this.ports.settings.put(next);

    if (by !== undefined) {
      await recordActivity(this.ports, actor, input.meta ?? {}, {
        entityType: 'agent',
        entityId: by,
        action: 'updated',
        before: { settings: { [key]: previous } },
        after: { settings: { [key]: next.value } },
        reason: `setting ${key} changed`,
      });
    }
    return settingView(key, new SettingsSnapshot([next]), next);
  }
}
