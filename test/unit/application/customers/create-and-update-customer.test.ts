import { beforeEach, describe, expect, it } from 'vitest';
import {
  DuplicateError,
  ForbiddenError,
  NotFoundError,
  ValidationError,
} from '../../../../src/domain/shared/errors.js';
import { newId, settingRecord } from '../../../support/records.js';
import {
  activityOf,
  clearPublished,
  publishedTypes,
  rejectionOf,
  seedCustomer,
} from '../../../support/test-seeds.js';
import { type CustomerFixture, customerFixture } from './customer-fixture.js';

describe('CreateCustomer', () => {
  let fx: CustomerFixture;
  beforeEach(async () => {
    fx = await customerFixture();
  });

  it('normalises the phone with the default region setting, stores and audits', async () => {
    const created = await fx.uc.create.execute({
      actor: fx.ana.actor,
      meta: { ipAddress: '192.0.2.4' },
      phoneNumber: '55 1234 5678',
      firstName: 'Lucía',
      tags: ['Mayoreo'],
      preferences: { preferredAgent: fx.ana.record.id },
    });

    expect(await fx.ports.customers.findById(created.id)).toEqual(created);
    expect(created).toMatchObject({
      phoneNumber: '+525512345678',
      firstName: 'Lucía',
      tags: ['mayoreo'],
      preferences: { preferredAgent: fx.ana.record.id },
      createdAt: fx.ports.clock.now(),
    });
    const [entry] = await activityOf(fx.ports, 'customer', created.id);
    expect(entry).toMatchObject({
      action: 'created',
      performedBy: fx.ana.actor.id,
      ipAddress: '192.0.2.4',
      details: { after: expect.objectContaining({ phoneNumber: '+525512345678' }) },
    });

    await fx.ports.settings.put(settingRecord({ key: 'default_phone_region', value: 'US' }));
    const american = await fx.uc.create.execute({ actor: fx.ana.actor, phoneNumber: '(202) 456-1111' });
    expect(american.phoneNumber).toBe('+12024561111');
  });

  it('refuses a phone number already taken, an invalid one, and a preferred agent that does not exist', async () => {
    await fx.uc.create.execute({ actor: fx.ana.actor, phoneNumber: '+525512345678' });
    const dup = await rejectionOf(fx.uc.create.execute({ actor: fx.ana.actor, phoneNumber: '5512345678' }));
    expect(dup).toBeInstanceOf(DuplicateError);
    expect(dup).toMatchObject({ code: 'CUSTOMER.DUPLICATE_PHONENUMBER' });

    await expect(fx.uc.create.execute({ actor: fx.ana.actor, phoneNumber: '12' })).rejects.toMatchObject({
      field: 'phoneNumber',
      code: 'VALIDATION.INVALID_PHONE',
    });
    await expect(
      fx.uc.create.execute({
        actor: fx.ana.actor,
        phoneNumber: '+525587654321',
        preferences: { preferredAgent: newId() },
      }),
    ).rejects.toMatchObject({ code: 'AGENT.NOT_FOUND' });
    expect((await fx.ports.customers.list({}, { limit: 10 })).items).toHaveLength(1);
  });

  it('refuses a role without manage:customers', async () => {
    await expect(
      fx.uc.create.execute({
        actor: fx.withOnly(fx.ana.actor, 'read:conversations'),
        phoneNumber: '+525512345678',
      }),
    ).rejects.toBeInstanceOf(ForbiddenError);
  });
});

describe('UpdateCustomer', () => {
  let fx: CustomerFixture;
  beforeEach(async () => {
    fx = await customerFixture();
  });

  it('edits profile, segment, tags (set/add/remove), custom fields and the preferred agent in one save', async () => {
    const customer = await seedCustomer(fx.ports, {
      tags: ['old', 'keep'],
      customFields: { plan: 'silver', rfc: 'X' },
    });
    clearPublished(fx.ports);
    fx.ports.clock.advanceMinutes(3);

    const saved = await fx.uc.update.execute({
      actor: fx.ana.actor,
      customerId: customer.id,
      changes: {
        firstName: 'Lucía',
        email: 'Lucia@Example.com',
        segment: 'vip',
        preferences: { preferredAgent: fx.ben.record.id },
      },
      addTags: ['nuevo'],
      removeTags: ['old'],
      customFields: { plan: 'gold', rfc: null },
    });

    expect(await fx.ports.customers.findById(customer.id)).toEqual(saved);
    expect(saved).toMatchObject({
      firstName: 'Lucía',
      email: 'lucia@example.com',
      segment: 'vip',
      tags: ['keep', 'nuevo'],
      customFields: { plan: 'gold' },
      preferences: { preferredAgent: fx.ben.record.id },
      version: customer.version + 1,
      updatedAt: fx.ports.clock.now(),
    });
    const [entry, ...older] = await activityOf(fx.ports, 'customer', customer.id);
    expect(older).toEqual([]);
    expect(entry).toMatchObject({ action: 'updated', performedBy: fx.ana.actor.id });
    expect(entry?.details.changes).toEqual([
      'customFields.plan',
      'customFields.rfc',
      'email',
      'firstName',
      'preferences.preferredAgent',
      'segment',
      'tags',
    ]);
    expect(new Set(publishedTypes(fx.ports))).toEqual(new Set(['customer.updated']));
    expect(fx.ports.published[0]?.payload).toMatchObject({ customerId: customer.id });
  });

  it('saves nothing when a later part is refused, and nothing when nothing changes', async () => {
    const customer = await seedCustomer(fx.ports);
    const err = await rejectionOf(
      fx.uc.update.execute({
        actor: fx.ana.actor,
        customerId: customer.id,
        changes: { firstName: 'Lucía' },
        addTags: ['x'.repeat(51)],
      }),
    );
    expect(err).toBeInstanceOf(ValidationError);
    expect(err).toMatchObject({ field: 'tags' });
    await expect(
      // An untyped caller (the API edge parses input, but the entity still guards it).
      fx.uc.update.execute({
        actor: fx.ana.actor,
        customerId: customer.id,
        changes: { status: 'blocked' as 'active' },
      }),
    ).rejects.toMatchObject({ field: 'status' });
    await fx.uc.update.execute({ actor: fx.ana.actor, customerId: customer.id, removeTags: ['absent'] });

    expect(await fx.ports.customers.findById(customer.id)).toEqual(customer);
    expect(await activityOf(fx.ports, 'customer', customer.id)).toEqual([]);
    expect(fx.ports.published).toEqual([]);
  });

  it('refuses a preferred agent that does not exist, a missing customer, an erased customer', async () => {
    const customer = await seedCustomer(fx.ports);
    await expect(
      fx.uc.update.execute({
        actor: fx.ana.actor,
        customerId: customer.id,
        changes: { preferences: { preferredAgent: newId() } },
      }),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      fx.uc.update.execute({ actor: fx.ana.actor, customerId: newId(), changes: { firstName: 'X' } }),
    ).rejects.toMatchObject({ code: 'CUSTOMER.NOT_FOUND' });

    await fx.uc.erase.execute({
      actor: fx.admin.actor,
      customerId: customer.id,
      confirm: customer.phoneNumber,
    });
    await expect(
      fx.uc.update.execute({ actor: fx.ana.actor, customerId: customer.id, changes: { firstName: 'X' } }),
    ).rejects.toMatchObject({ code: 'CUSTOMER.ERASED' });
  });

  it('refuses a role without manage:customers', async () => {
    const customer = await seedCustomer(fx.ports);
    await expect(
      fx.uc.update.execute({
        actor: fx.withOnly(fx.supervisor.actor, 'read:conversations'),
        customerId: customer.id,
        changes: { firstName: 'X' },
      }),
    ).rejects.toBeInstanceOf(ForbiddenError);
  });
});

describe('BlockCustomer / UnblockCustomer', () => {
  let fx: CustomerFixture;
  beforeEach(async () => {
    fx = await customerFixture();
  });

  it('blocks with a reason and unblocks with a reason, auditing both', async () => {
    const customer = await seedCustomer(fx.ports);
    const blocked = await fx.uc.block.execute({
      actor: fx.ana.actor,
      customerId: customer.id,
      reason: ' Spam ',
    });
    expect(await fx.ports.customers.findById(customer.id)).toEqual(blocked);
    expect(blocked).toMatchObject({ isBlocked: true, status: 'blocked', blockReason: 'Spam' });
    expect((await activityOf(fx.ports, 'customer', customer.id))[0]).toMatchObject({
      action: 'updated',
      performedBy: fx.ana.actor.id,
      details: { reason: 'Spam', changes: ['blockReason', 'isBlocked', 'status'] },
    });
    expect(publishedTypes(fx.ports)).toEqual(['customer.updated']);

    const unblocked = await fx.uc.unblock.execute({
      actor: fx.ana.actor,
      customerId: customer.id,
      reason: 'Confirmó su identidad',
    });
    expect(unblocked).toMatchObject({ isBlocked: false, status: 'active' });
    expect(unblocked).not.toHaveProperty('blockReason');
    expect((await activityOf(fx.ports, 'customer', customer.id))[0]).toMatchObject({
      details: { reason: 'Confirmó su identidad' },
    });
  });

  it('requires a reason for both', async () => {
    const customer = await seedCustomer(fx.ports);
    await expect(
      fx.uc.block.execute({ actor: fx.ana.actor, customerId: customer.id, reason: '  ' }),
    ).rejects.toMatchObject({ field: 'blockReason', code: 'VALIDATION.REQUIRED' });
    await fx.uc.block.execute({ actor: fx.ana.actor, customerId: customer.id, reason: 'Spam' });
    await expect(
      fx.uc.unblock.execute({ actor: fx.ana.actor, customerId: customer.id, reason: '' }),
    ).rejects.toMatchObject({ field: 'reason', code: 'VALIDATION.REQUIRED' });
    expect((await fx.ports.customers.findById(customer.id))?.isBlocked).toBe(true);
  });

  it('refuses a missing customer and a role without manage:customers', async () => {
    const customer = await seedCustomer(fx.ports);
    await expect(
      fx.uc.block.execute({ actor: fx.ana.actor, customerId: newId(), reason: 'Spam' }),
    ).rejects.toBeInstanceOf(NotFoundError);
    const readOnly = fx.withOnly(fx.ana.actor, 'read:conversations');
    await expect(
      fx.uc.block.execute({ actor: readOnly, customerId: customer.id, reason: 'Spam' }),
    ).rejects.toBeInstanceOf(ForbiddenError);
    await expect(
      fx.uc.unblock.execute({ actor: readOnly, customerId: customer.id, reason: 'ok' }),
    ).rejects.toBeInstanceOf(ForbiddenError);
  });
});
