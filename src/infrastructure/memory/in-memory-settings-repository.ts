import type { SettingsRepository } from '../../application/ports/repositories.js';
import type { SystemSettingPrimitives } from '../../domain/settings/settings.types.js';
import { checkId, copy } from './memory-support.js';

export class InMemorySettingsRepository implements SettingsRepository {
  readonly #settings = new Map<string, SystemSettingPrimitives>();

  async get(key: string): Promise<SystemSettingPrimitives | null> {
    const setting = this.#settings.get(key);
    return setting ? copy(setting) : null;
  }

  async getAll(): Promise<SystemSettingPrimitives[]> {
    return [...this.#settings.values()]
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
      .map(copy);
  }

  /** Replaces everything but the id: a key keeps the id it was first stored with. */
  async put(setting: SystemSettingPrimitives): Promise<void> {
    checkId(setting.id);
    const existing = this.#settings.get(setting.key);
    this.#settings.set(setting.key, copy({ ...setting, id: existing?.id ?? setting.id }));
  }

  async insertIfAbsent(setting: SystemSettingPrimitives): Promise<boolean> {
    checkId(setting.id);
    if (this.#settings.has(setting.key)) return false;
    this.#settings.set(setting.key, copy(setting));
    return true;
  }
}
