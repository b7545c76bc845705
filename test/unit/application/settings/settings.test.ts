import { beforeEach, describe, expect, it } from 'vitest';
import { EnsureDefaultSettings } from '../../../../src/application/settings/ensure-default-settings.js';
import { GetSetting } from '../../../../src/application/settings/get-setting.js';
import { ListSettings } from '../../../../src/application/settings/list-settings.js';
import { UpdateSetting } from '../../../../src/application/settings/update-setting.js';
import { SYSTEM } from '../../../../src/application/shared/actor.js';
import { loadSettings } from '../../../../src/application/shared/settings.js';
import { SETTING_KEYS } from '../../../../src/domain/settings/setting-definitions.js';
import { ForbiddenError, ValidationError } from '../../../../src/domain/shared/errors.js';
import { DEFAULT_BUSINESS_HOURS } from '../../../../src/domain/sla/business-hours.js';
import { settingRecord } from '../../../support/records.js';
import { makeTestPorts, seedAgent, type TestPorts } from '../../../support/test-ports.js';
import { activityOf, rejectionOf } from '../../../support/test-seeds.js';

describe('settings use cases', () => {
  let ports: TestPorts;
  let admin: Awaited<ReturnType<typeof seedAgent>>;
  let supervisor: Awaited<ReturnType<typeof seedAgent>>;
  let list: ListSettings;
  let get: GetSetting;
  let update: UpdateSetting;
  let ensure: EnsureDefaultSettings;

  beforeEach(async () => {
    ports = makeTestPorts();
    admin = await seedAgent(ports, 'admin');
    supervisor = await seedAgent(ports, 'supervisor');
    list = new ListSettings(ports);
    get = new GetSetting(ports);
    update = new UpdateSetting(ports);
    ensure = new EnsureDefaultSettings(ports);
  });

  describe('ListSettings / GetSetting', () => {
    it('shows every known setting with its effective value, defaults included', async () => {
      await ports.settings.put(
        settingRecord({ key: 'max_conversations_per_agent', value: 25, updatedBy: admin.record.id }),
      );
      await ports.settings.put(settingRecord({ key: 'ai_model', value: '' })); // invalid: the default applies
      await ports.settings.put(settingRecord({ key: 'legacy_key', value: 1 })); // unknown: hidden

      const all = await list.execute({ actor: supervisor.actor });
      expect(all.map((s) => s.key)).toEqual(SETTING_KEYS);
      expect(all.find((s) => s.key === 'max_conversations_per_agent')).toMatchObject({
        value: 25,
        isDefault: false,
        updatedBy: admin.record.id,
        category: 'general',
        isEditable: true,
      });
      expect(all.find((s) => s.key === 'ai_model')).toMatchObject({ value: 'gpt-4o-mini', isDefault: true });
      expect(all.find((s) => s.key === 'schema_version')).toMatchObject({ isEditable: false });

      await expect(get.execute({ actor: supervisor.actor, key: 'business_hours' })).resolves.toMatchObject({
        value: DEFAULT_BUSINESS_HOURS,
        isDefault: true,
      });
    });

    it('refuses an unknown key and an actor who cannot read settings', async () => {
      const err = await rejectionOf(get.execute({ actor: admin.actor, key: 'nope' }));
      expect(err).toMatchObject({ code: 'SETTINGS.UNKNOWN_KEY', kind: 'not_found' });
      await expect(list.execute({ actor: { ...supervisor.actor, permissions: [] } })).rejects.toBeInstanceOf(
        ForbiddenError,
      );
    });
  });

  describe('UpdateSetting', () => {
    it('stores the new value, audits on the acting agent, and every use case sees it', async () => {
      ports.clock.advanceMinutes(2);
      const view = await update.execute({
        actor: admin.actor,
        meta: { ipAddress: '198.51.100.1' },
        key: 'max_conversations_per_agent',
        value: 20,
      });

      expect(view).toMatchObject({ key: 'max_conversations_per_agent', value: 20, isDefault: false });
      expect(await ports.settings.get('max_conversations_per_agent')).toMatchObject({
        value: 20,
        updatedBy: admin.record.id,
        updatedAt: ports.clock.now(),
        category: 'general',
      });
      expect((await loadSettings(ports)).get('max_conversations_per_agent')).toBe(20);

      const [entry] = await activityOf(ports, 'agent', admin.record.id);
      expect(entry).toMatchObject({
        entityType: 'agent',
        entityId: admin.record.id,
        action: 'updated',
        performedBy: admin.record.id,
        ipAddress: '198.51.100.1',
        details: {
          reason: 'setting max_conversations_per_agent changed',
          changes: ['settings.max_conversations_per_agent'],
          before: { settings: { max_conversations_per_agent: 10 } },
          after: { settings: { max_conversations_per_agent: 20 } },
        },
      });
    });

    it('refuses an invalid value naming the field and the offending path, storing nothing', async () => {
      const err = await rejectionOf(
        update.execute({
          actor: admin.actor,
          key: 'business_hours',
          value: { ...DEFAULT_BUSINESS_HOURS, monday: { start: '18:00', end: '09:00', enabled: true } },
        }),
      );
      expect(err).toBeInstanceOf(ValidationError);
      expect(err).toMatchObject({ field: 'value', code: 'SETTINGS.INVALID_VALUE' });
      expect((err as Error).message).toContain('monday.end');
      expect(await ports.settings.get('business_hours')).toBeNull();
      expect(await activityOf(ports, 'agent', admin.record.id)).toEqual([]);
    });

    it('refuses a non-editable key and an unknown key', async () => {
      await expect(
        update.execute({ actor: admin.actor, key: 'schema_version', value: 2 }),
      ).rejects.toMatchObject({
        code: 'SETTINGS.NOT_EDITABLE',
      });
      await expect(update.execute({ actor: admin.actor, key: 'nope', value: 2 })).rejects.toMatchObject({
        code: 'SETTINGS.UNKNOWN_KEY',
      });
      expect(await ports.settings.get('schema_version')).toBeNull();
    });

    it('refuses anyone without system:admin', async () => {
      await expect(
        update.execute({ actor: supervisor.actor, key: 'escalation_reassign', value: true }),
      ).rejects.toBeInstanceOf(ForbiddenError);
      expect(await ports.settings.get('escalation_reassign')).toBeNull();
    });

    it('lets the system change a setting without an audit entry (no agent to hang it on)', async () => {
      await update.execute({ actor: SYSTEM, key: 'escalation_reassign', value: true });
      expect(await ports.settings.get('escalation_reassign')).toMatchObject({ value: true });
      expect(await ports.settings.get('escalation_reassign')).not.toHaveProperty('updatedBy');
    });
  });

  describe('EnsureDefaultSettings', () => {
    it('inserts every missing default once and never overwrites a stored value', async () => {
      await update.execute({ actor: admin.actor, key: 'ai_model', value: 'gpt-4.1' });

      await expect(ensure.execute({ actor: SYSTEM })).resolves.toBe(SETTING_KEYS.length - 1);
      await expect(ensure.execute({ actor: SYSTEM })).resolves.toBe(0);
      expect((await ports.settings.getAll()).map((s) => s.key).sort()).toEqual([...SETTING_KEYS].sort());
      expect(await ports.settings.get('ai_model')).toMatchObject({ value: 'gpt-4.1' });
      expect(await ports.settings.get('schema_version')).toMatchObject({ value: 1, isEditable: false });
    });

    it('refuses an agent without system:admin', async () => {
      await expect(ensure.execute({ actor: supervisor.actor })).rejects.toBeInstanceOf(ForbiddenError);
    });
  });
});
