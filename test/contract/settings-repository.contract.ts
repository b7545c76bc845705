import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SettingsRepository } from '../../src/application/ports/repositories.js';
import type { SystemSettingPrimitives } from '../../src/domain/settings/settings.types.js';
import { fullSettingRecord, minutesAfterBase, settingRecord } from '../support/records.js';
import { expectInvalidIdRefused, expectNoAbsentValues } from './contract-helpers.js';

/**
 * What every SettingsRepository adapter promises (src/application/ports/repositories.ts).
 * Settings are keyed by `key`; `value` is stored verbatim (any JSON-like value, nulls included).
 * `make` returns a fresh, empty repository; `cleanup` releases it.
 */
export function describeSettingsRepositoryContract(
  name: string,
  make: () => Promise<{ repo: SettingsRepository; cleanup(): Promise<void> }>,
): void {
  describe(`${name} SettingsRepository contract`, () => {
    let repo: SettingsRepository;
    let cleanup: () => Promise<void>;

    beforeEach(async () => {
      ({ repo, cleanup } = await make());
    });
    afterEach(async () => {
      await cleanup();
    });

    describe('put and get', () => {
      it('returns by key exactly what was put, with absent optional fields omitted (not null)', async () => {
        const setting = settingRecord({ key: 'ai.enabled', value: true });
        await repo.put(setting);

        const found = await repo.get('ai.enabled');

        expect(found).toEqual(setting);
        expectNoAbsentValues(found);
        expect(found).not.toHaveProperty('description');
      });

      it('round-trips a setting with every optional field set and a nested value (nulls inside kept)', async () => {
        const setting = fullSettingRecord();
        await repo.put(setting);

        const found = await repo.get(setting.key);

        expect(found).toEqual(setting);
        expectNoAbsentValues(found, ['value']);
      });

      it('stores values of any JSON-like type verbatim', async () => {
        const values: unknown[] = [
          'text',
          0,
          42.5,
          false,
          null,
          [1, 'two', { three: 3 }],
          { a: { b: [] } },
          '',
        ];
        for (const [i, value] of values.entries())
          await repo.put(settingRecord({ key: `value.${i}`, value }));

        for (const [i, value] of values.entries()) {
          expect((await repo.get(`value.${i}`))?.value).toEqual(value);
        }
      });

      it('returns null for an unknown key', async () => {
        await repo.put(settingRecord({ key: 'known' }));
        expect(await repo.get('unknown')).toBeNull();
      });

      it('replaces the setting of an existing key entirely, keeping the id it was first stored with', async () => {
        const first = fullSettingRecord({ key: 'business.hours' });
        await repo.put(first);

        const second = settingRecord({
          key: 'business.hours',
          value: { start: '10:00' },
          updatedAt: minutesAfterBase(60),
        });
        await repo.put(second);

        const found = await repo.get('business.hours');
        expect(found).toEqual({ ...second, id: first.id });
        expect(found).not.toHaveProperty('description');
        expect(found).not.toHaveProperty('updatedBy');
        expect(await repo.getAll()).toHaveLength(1);
      });

      it('stores a copy: changing the put or returned object does not change the stored setting', async () => {
        const setting = fullSettingRecord({ key: 'copy.me' });
        await repo.put(setting);
        const expected = structuredClone(setting);

        (setting.value as { days: number[] }).days.push(6);
        const found = (await repo.get('copy.me'))!;
        (found.value as { hours: { start: string } }).hours.start = '00:00';
        const all = await repo.getAll();
        all[0]!.description = 'mutated';

        expect(await repo.get('copy.me')).toEqual(expected);
      });
    });

    describe('getAll', () => {
      it('returns every setting, ordered by key', async () => {
        const b = settingRecord({ key: 'b.second' });
        const a = settingRecord({ key: 'a.first', category: 'ai' });
        const c = settingRecord({ key: 'c.third', category: 'security' });
        for (const s of [b, c, a]) await repo.put(s);

        expect(await repo.getAll()).toEqual([a, b, c]);
      });

      it('returns [] when there are none', async () => {
        expect(await repo.getAll()).toEqual([]);
      });
    });

    describe('insertIfAbsent', () => {
      it('inserts when the key is absent (true), then keeps the stored value (false)', async () => {
        const original = settingRecord({ key: 'sla.targets', value: { firstResponse: 15 } });
        expect(await repo.insertIfAbsent(original)).toBe(true);

        const other = settingRecord({ key: 'sla.targets', value: { firstResponse: 99 } });
        expect(await repo.insertIfAbsent(other)).toBe(false);

        expect(await repo.get('sla.targets')).toEqual(original);
      });

      it('does not overwrite a setting stored by put', async () => {
        const put = settingRecord({ key: 'k', value: 'from put' });
        await repo.put(put);

        expect(await repo.insertIfAbsent(settingRecord({ key: 'k', value: 'default' }))).toBe(false);
        expect(await repo.get('k')).toEqual(put);
      });

      it('lets exactly one of several racing inserts of one key win', async () => {
        const candidates: SystemSettingPrimitives[] = Array.from({ length: 5 }, (_, i) =>
          settingRecord({ key: 'race', value: i }),
        );

        const results = await Promise.all(candidates.map((s) => repo.insertIfAbsent(s)));

        expect(results.filter((r) => r === true)).toHaveLength(1);
        const winner = candidates[results.indexOf(true)];
        expect(await repo.get('race')).toEqual(winner);
        expect(await repo.getAll()).toHaveLength(1);
      });
    });

    describe('id validation', () => {
      it('refuses a malformed id with ValidationError (VALIDATION.INVALID_ID)', async () => {
        await expectInvalidIdRefused((id) => repo.put(settingRecord({ id })));
        await expectInvalidIdRefused((id) => repo.insertIfAbsent(settingRecord({ id })));
        expect(await repo.getAll()).toEqual([]);
      });
    });
  });
}
