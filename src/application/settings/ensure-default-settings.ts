import { defaultSettings } from '../../domain/settings/setting-definitions.js';
import type { Ports } from '../ports/ports.js';
import { authorize } from '../shared/guards.js';
import type { UseCaseInput } from '../shared/use-case-input.js';

export type EnsureDefaultSettingsCommand = UseCaseInput;

/**
 * Stores every known setting that is not stored yet, with its default (first run, or a new
 * setting added by an upgrade). Never overwrites a stored value; safe to run on every start and
 * on several nodes at once (insertIfAbsent). Returns how many were inserted.
 */
export class EnsureDefaultSettings {
  constructor(private readonly ports: Pick<Ports, 'settings' | 'clock' | 'ids'>) {}

  async execute(input: EnsureDefaultSettingsCommand): Promise<number> {
    authorize(input.actor, 'settings.write');
    let inserted = 0;
    for (const setting of defaultSettings(this.ports.clock.now(), () => this.ports.ids.next())) {
      if (await this.ports.settings.insertIfAbsent(setting)) inserted += 1;
    }
    return inserted;
  }
}
