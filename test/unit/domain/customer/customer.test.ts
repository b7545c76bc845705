import { describe, expect, it } from 'vitest';
import {
  type CreateCustomerInput,
  Customer,
  erasedPlaceholder,
} from '../../../../src/domain/customer/customer.js';
import { BusinessRuleError, ValidationError } from '../../../../src/domain/shared/errors.js';
import { agentId } from '../../../support/builders/agent.js';
import { aCustomer, customerId } from '../../../support/builders/customer.js';

const NOW = new Date('2025-03-03T15:00:00.000Z');
const LATER = new Date('2025-03-04T10:00:00.000Z');
const ID = customerId(0xc1);

const create = (input: Partial<CreateCustomerInput> = {}) =>
  Customer.create({ phoneNumber: '5215512345678', ...input }, { id: ID, now: NOW, defaultRegion: 'MX' });

function errorOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}

const fieldOf = (fn: () => unknown): string | undefined => {
  const e = errorOf(fn);
  if (e === undefined) return undefined;
  if (e instanceof ValidationError) return e.field;
  throw e;
};

describe('Customer.create', () => {
  it('applies the seed defaults and normalises the phone', () => {
    expect(create().toPrimitives()).toEqual({
      id: ID,
      phoneNumber: '+525512345678',
      alternativePhones: [],
      tags: [],
      segment: 'new',
      source: 'whatsapp',
      customFields: {},
      preferences: { language: 'es', communicationHours: { start: '09:00', end: '18:00' } },
      status: 'active',
      isBlocked: false,
      statistics: { totalConversations: 0, totalMessages: 0, totalTickets: 0, averageResponseTime: 0 },
      createdAt: NOW,
      updatedAt: NOW,
      version: 0,
    });
  });

  it('defaults the address country to México when an address is given', () => {
    expect(create({ address: { city: 'Guadalajara' } }).toPrimitives().address).toEqual({
      city: 'Guadalajara',
      country: 'México',
    });
    expect(create({ address: { city: 'Madrid', country: 'España' } }).toPrimitives().address?.country).toBe(
      'España',
    );
  });

  it('normalises email, names, tags and alternative phones', () => {
    const p = create({
      firstName: '  María ',
      email: ' Maria@Example.MX ',
      tags: [' VIP ', 'vip', 'Mayoreo'],
      alternativePhones: ['33 1234 5678', '+52 55 1234 5678', '+523312345678'],
    }).toPrimitives();
    expect(p.firstName).toBe('María');
    expect(p.email).toBe('maria@example.mx');
    expect(p.tags).toEqual(['vip', 'mayoreo']);
    expect(p.alternativePhones).toEqual(['+523312345678']); // main number and duplicates dropped
  });

  it.each([
    ['phoneNumber', { phoneNumber: '12' }],
    ['email', { email: 'maria@' }],
    ['firstName', { firstName: 'x'.repeat(101) }],
    ['lastName', { lastName: 'y'.repeat(101) }],
    ['tags', { tags: ['t'.repeat(51)] }],
    ['tags', { tags: ['ok', '   '] }],
    ['tags', { tags: Array.from({ length: 51 }, (_, i) => `tag${i}`) }],
    ['customFields', { customFields: { ['k'.repeat(51)]: 'v' } }],
    ['customFields.plan', { customFields: { plan: 'v'.repeat(501) } }],
    [
      'customFields',
      { customFields: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v'])) },
    ],
    ['customFields', { customFields: { 'a.b': 'v' } }],
    ['customFields', { customFields: { $where: 'v' } }],
    ['customFields', { customFields: JSON.parse('{"__proto__": "v"}') }],
    ['customFields.n', { customFields: { n: 5 as unknown as string } }],
    ['segment', { segment: 'gold' as never }],
    ['source', { source: 'fax' as never }],
    ['status', { status: 'deleted' as never }],
    ['status', { status: 'blocked' as never }],
    ['address.coordinates.latitude', { address: { coordinates: { latitude: 91, longitude: 0 } } }],
    ['address.coordinates.longitude', { address: { coordinates: { latitude: 0, longitude: -180.5 } } }],
    ['address.coordinates.latitude', { address: { coordinates: { latitude: Number.NaN, longitude: 0 } } }],
    ['alternativePhones.1', { alternativePhones: ['+523312345678', 'nope'] }],
    ['preferences.language', { preferences: { language: 'spanish' } }],
    ['preferences.communicationHours.start', { preferences: { communicationHours: { start: '9:00' } } }],
    ['preferences.communicationHours.end', { preferences: { communicationHours: { end: '24:00' } } }],
    ['preferences.preferredAgent', { preferences: { preferredAgent: 'agent-1' } }],
    ['avatar', { avatar: 'data:text/html,<script>' }],
  ])('names the field %s when refusing', (field, input) => {
    expect(fieldOf(() => create(input as Partial<CreateCustomerInput>))).toBe(field);
  });

  it('accepts the limits exactly', () => {
    const c = create({
      firstName: 'x'.repeat(100),
      tags: Array.from({ length: 50 }, (_, i) => `${i}`.padEnd(50, 't')),
      customFields: Object.fromEntries(
        Array.from({ length: 50 }, (_, i) => [`${i}`.padEnd(50, 'k'), 'v'.repeat(500)]),
      ),
      address: { coordinates: { latitude: -90, longitude: 180 } },
    });
    expect(c.tags).toHaveLength(50);
    expect(Object.keys(c.customFields)).toHaveLength(50);
  });
});

describe('Customer primitives', () => {
  it('round-trips and copies deeply', () => {
    const c = create({
      address: { city: 'León', coordinates: { latitude: 21.1, longitude: -101.7 } },
      tags: ['a'],
    });
    const p = c.toPrimitives();
    expect(Customer.fromPrimitives(p).toPrimitives()).toEqual(p);
    p.tags.push('b');
    p.address!.coordinates!.latitude = 0;
    expect(c.toPrimitives().tags).toEqual(['a']);
    expect(c.toPrimitives().address?.coordinates?.latitude).toBe(21.1);
  });

  it('validates enums and the phone when rehydrating', () => {
    const p = create().toPrimitives();
    expect(fieldOf(() => Customer.fromPrimitives({ ...p, segment: 'x' as never }))).toBe('segment');
    expect(fieldOf(() => Customer.fromPrimitives({ ...p, status: 'x' as never }))).toBe('status');
    expect(fieldOf(() => Customer.fromPrimitives({ ...p, phoneNumber: '5512345678' }))).toBe('phoneNumber');
  });
});

describe('Customer.update and tag/custom-field mutators', () => {
  it('changes, clears and reports fields', () => {
    const c = create({ firstName: 'Ana', notes: 'llamar' });
    c.pullEvents();
    c.update({ lastName: 'Ruiz', notes: null, segment: 'vip', preferences: { language: 'en' } }, LATER);
    const p = c.toPrimitives();
    expect(p.lastName).toBe('Ruiz');
    expect(p).not.toHaveProperty('notes');
    expect(p.segment).toBe('vip');
    expect(p.preferences.language).toBe('en');
    expect(p.updatedAt).toEqual(LATER);
    expect(c.pullEvents()).toEqual([
      {
        type: 'customer.updated',
        occurredAt: LATER,
        payload: { customerId: ID, changes: ['lastName', 'segment', 'preferences.language', 'notes'] },
      },
    ]);
  });

  it('changes nothing when any field of the patch is invalid', () => {
    const c = create({ firstName: 'Ana' });
    const before = c.toPrimitives();
    expect(fieldOf(() => c.update({ firstName: 'Eva', email: 'bad' }, LATER))).toBe('email');
    expect(c.toPrimitives()).toEqual(before);
  });

  it('reads local alternative phones in the main number’s region', () => {
    const c = create();
    c.update({ alternativePhones: ['33 1234 5678'] }, LATER);
    expect(c.toPrimitives().alternativePhones).toEqual(['+523312345678']);
  });

  it('refuses setting status blocked directly, or any status while blocked', () => {
    const c = create();
    expect(fieldOf(() => c.update({ status: 'blocked' as never }, LATER))).toBe('status');
    c.block('abuso', LATER);
    expect(errorOf(() => c.update({ status: 'vip' }, LATER))).toMatchObject({ code: 'CUSTOMER.BLOCKED' });
  });

  it('setTags / addTags / removeTags normalise', () => {
    const c = create({ tags: ['uno'] });
    c.addTags([' DOS ', 'uno'], LATER);
    expect(c.tags).toEqual(['uno', 'dos']);
    c.removeTags(['UNO'], LATER);
    expect(c.tags).toEqual(['dos']);
    c.setTags(['Tres', 'tres'], LATER);
    expect(c.tags).toEqual(['tres']);
    expect(
      fieldOf(() =>
        c.addTags(
          Array.from({ length: 50 }, (_, i) => `n${i}`),
          LATER,
        ),
      ),
    ).toBe('tags');
    expect(c.tags).toEqual(['tres']);
  });

  it('setCustomField sets, validates and removes with null', () => {
    const c = create();
    c.setCustomField('plan', 'premium', LATER);
    expect(c.customFields).toEqual({ plan: 'premium' });
    expect(fieldOf(() => c.setCustomField('plan', 'x'.repeat(501), LATER))).toBe('customFields.plan');
    expect(fieldOf(() => c.setCustomField('a.b', 'x', LATER))).toBe('customFields');
    c.setCustomField('plan', null, LATER);
    expect(c.customFields).toEqual({});
  });

  it('setPreferredAgent sets and clears', () => {
    const c = create();
    c.setPreferredAgent(agentId(7), LATER);
    expect(c.preferredAgentId).toBe(agentId(7));
    c.setPreferredAgent(undefined, LATER);
    expect(c.preferredAgentId).toBeUndefined();
    expect(fieldOf(() => c.setPreferredAgent('x', LATER))).toBe('preferences.preferredAgent');
  });
});

describe('block / unblock', () => {
  it('block sets isBlocked, the reason and status blocked; AI and auto-assignment stop', () => {
    const c = create({ status: 'vip' });
    expect(c.canReceiveAiReply()).toBe(true);
    expect(c.canBeAutoAssigned()).toBe(true);
    c.block('  Spam  ', LATER);
    expect(c.toPrimitives()).toMatchObject({ isBlocked: true, blockReason: 'Spam', status: 'blocked' });
    expect(c.canReceiveAiReply()).toBe(false);
    expect(c.canBeAutoAssigned()).toBe(false);
  });

  it('block requires a reason', () => {
    expect(fieldOf(() => create().block('  ', LATER))).toBe('blockReason');
    expect(fieldOf(() => create().block('r'.repeat(501), LATER))).toBe('blockReason');
  });

  it('a blocked customer’s interactions are still recorded', () => {
    const c = aCustomer().blocked().build();
    c.recordInteraction(LATER);
    expect(c.lastInteraction).toEqual(LATER);
  });

  it('unblock returns to active and clears the reason', () => {
    const c = create();
    c.block('Spam', NOW);
    c.unblock(LATER);
    const p = c.toPrimitives();
    expect(p).toMatchObject({ isBlocked: false, status: 'active' });
    expect(p).not.toHaveProperty('blockReason');
    expect(c.canReceiveAiReply()).toBe(true);
  });
});

describe('fillProfileName', () => {
  it('splits the WhatsApp profile name when the customer has no name', () => {
    const c = create();
    expect(c.fillProfileName('  María   José  García ', LATER)).toBe(true);
    expect(c.firstName).toBe('María');
    expect(c.lastName).toBe('José García');
  });

  it('uses a single word as the first name only', () => {
    const c = create();
    c.fillProfileName('Pepe', LATER);
    expect(c.toPrimitives()).toMatchObject({ firstName: 'Pepe' });
    expect(c.toPrimitives()).not.toHaveProperty('lastName');
  });

  it('never overwrites a name already set', () => {
    const withLast = create({ lastName: 'Ruiz' });
    expect(withLast.fillProfileName('Otro Nombre', LATER)).toBe(false);
    expect(withLast.firstName).toBeUndefined();
    const withFirst = create({ firstName: 'Ana' });
    withFirst.fillProfileName('Otro Nombre', LATER);
    expect(withFirst.firstName).toBe('Ana');
  });

  it('ignores empty names and cuts overlong ones instead of refusing', () => {
    const c = create();
    expect(c.fillProfileName('   ', LATER)).toBe(false);
    c.fillProfileName('n'.repeat(150), LATER);
    expect(c.firstName).toHaveLength(100);
  });
});

describe('recordInteraction', () => {
  it('sets firstContact once and moves lastInteraction/lastMessageAt forward only', () => {
    const c = create();
    const t1 = new Date('2025-03-05T10:00:00Z');
    const t2 = new Date('2025-03-05T11:00:00Z');
    c.recordInteraction(t2);
    c.recordInteraction(t1); // late webhook
    const p = c.toPrimitives();
    expect(p.firstContact).toEqual(t1);
    expect(p.lastInteraction).toEqual(t2);
    expect(p.lastMessageAt).toEqual(t2);
  });
});

describe('recordSatisfaction', () => {
  it('keeps a running average and count', () => {
    const c = create();
    c.recordSatisfaction(5, LATER);
    c.recordSatisfaction(4, LATER);
    c.recordSatisfaction(3, LATER);
    expect(c.statistics).toMatchObject({ satisfactionScore: 4, satisfactionCount: 3 });
  });

  it('counts a migrated score without count as one rating', () => {
    const p = create().toPrimitives();
    p.statistics.satisfactionScore = 2;
    const c = Customer.fromPrimitives(p);
    c.recordSatisfaction(4, LATER);
    expect(c.statistics).toMatchObject({ satisfactionScore: 3, satisfactionCount: 2 });
  });

  it.each([0, 6, 3.5])('refuses rating %s', (rating) => {
    expect(fieldOf(() => create().recordSatisfaction(rating, LATER))).toBe('rating');
  });
});

describe('anonymise', () => {
  const full = () =>
    create({
      firstName: 'María',
      lastName: 'García',
      email: 'maria@example.mx',
      avatar: 'https://cdn.example.com/m.jpg',
      alternativePhones: ['+523312345678'],
      address: { street: 'Reforma 1', city: 'CDMX' },
      notes: 'Cliente frecuente',
      customFields: { rfc: 'GAMM800101XXX' },
      tags: ['mayoreo'],
      preferences: { preferredAgent: agentId(3) },
    });

  it('replaces the phone with a unique placeholder and clears every personal field', () => {
    const c = full();
    c.block('Spam', NOW);
    c.pullEvents();
    c.anonymise(LATER);
    const p = c.toPrimitives();
    expect(p.phoneNumber).toBe(`erased:${ID}`);
    expect(p.phoneNumber).toBe(erasedPlaceholder(ID));
    for (const key of ['firstName', 'lastName', 'email', 'avatar', 'address', 'notes', 'blockReason']) {
      expect(p).not.toHaveProperty(key);
    }
    expect(p.alternativePhones).toEqual([]);
    expect(p.customFields).toEqual({});
    expect(p.preferences.preferredAgent).toBeUndefined();
    expect(p.erasedAt).toEqual(LATER);
    expect(p.status).toBe('inactive');
    expect(p.isBlocked).toBe(false);
    expect(p.tags).toEqual(['mayoreo']); // kept for aggregate analytics
    expect(JSON.stringify(p)).not.toMatch(/María|García|maria@|5512345678|3312345678|Reforma|GAMM/);
    expect(c.pullEvents()).toEqual([
      {
        type: 'customer.updated',
        occurredAt: LATER,
        payload: { customerId: ID, changes: ['erasedAt'], erased: true },
      },
    ]);
  });

  it('gives different customers different placeholders', () => {
    const a = aCustomer().build();
    const b = aCustomer().build();
    a.anonymise(LATER);
    b.anonymise(LATER);
    expect(a.phoneNumber).not.toBe(b.phoneNumber);
  });

  it('freezes the record: mutators refuse, a second anonymise is a no-op, it survives rehydration', () => {
    const c = full();
    c.anonymise(LATER);
    for (const act of [
      () => c.update({ firstName: 'X' }, LATER),
      () => c.block('x', LATER),
      () => c.fillProfileName('X', LATER),
      () => c.recordInteraction(LATER),
      () => c.setTags(['x'], LATER),
    ]) {
      const e = errorOf(act);
      expect(e).toBeInstanceOf(BusinessRuleError);
      expect(e).toMatchObject({ code: 'CUSTOMER.ERASED' });
    }
    c.pullEvents();
    c.anonymise(new Date('2026-01-01T00:00:00Z'));
    expect(c.pullEvents()).toEqual([]);
    expect(c.canReceiveAiReply()).toBe(false);
    expect(Customer.fromPrimitives(c.toPrimitives()).isErased).toBe(true);
  });
});

describe('customer builder', () => {
  it('builds distinct valid customers', () => {
    const a = aCustomer().withName('Ana').withTags('VIP').build();
    const b = aCustomer().blocked('abuso').build();
    expect(a.phoneNumber).not.toBe(b.phoneNumber);
    expect(a.tags).toEqual(['vip']);
    expect(b.isBlocked).toBe(true);
  });
});
