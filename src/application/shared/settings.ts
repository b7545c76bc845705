import type { SystemSettingPrimitives } from '../../domain/settings/settings.types.js';
import { SettingsSnapshot } from '../../domain/settings/settings-snapshot.js';
import type { Ports } from '../ports/ports.js';

/** Snapshots already built, by the very array they were built from (a snapshot is read-only). */
const snapshots = new WeakMap<readonly SystemSettingPrimitives[], SettingsSnapshot>();

/**
 * The current settings, typed, falling back to defaults for missing or invalid stored values.
 * A repository that hands out the same array again (a per-batch memo, see ProcessWebhookInbox) gets
 * the same snapshot back instead of a new one validated from scratch.
 */
export async function loadSettings(ports: Pick<Ports, 'settings'>): Promise<SettingsSnapshot> {
  const all = await ports.settings.getAll();
  let snapshot = snapshots.get(all);
  if (!snapshot) {
    snapshot = new SettingsSnapshot(all);
    snapshots.set(all, snapshot);
  }
  return snapshot;
}
