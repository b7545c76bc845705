import { SettingsSnapshot } from '../../domain/settings/settings-snapshot.js';
import type { Ports } from '../ports/ports.js';

/** The current settings, typed, falling back to defaults for missing or invalid stored values. */
export async function loadSettings(ports: Pick<Ports, 'settings'>): Promise<SettingsSnapshot> {
  return new SettingsSnapshot(await ports.settings.getAll());
}
