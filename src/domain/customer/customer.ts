import { ValidationError } from '../shared/errors.js';
import { AggregateRoot } from '../shared/events.js';
import {
  assertEnum,
  assertId,
  assertMaxLength,
  assertNonEmpty,
  assertRating,
  normalizeEmail,
} from '../shared/guards.js';
import type { Id } from '../shared/ids.js';
import { plainCopy } from '../shared/plain-copy.js';
import { customerBlocked, customerErased } from './customer.errors.js';
import {
  CUSTOMER_SEGMENTS,
  CUSTOMER_SOURCES,
  CUSTOMER_STATUSES,
  type CustomerAddress,
  type CustomerPrimitives,
  type CustomerSegment,
  type CustomerSource,
  type CustomerStatistics,
  type CustomerStatus,
} from './customer.types.js';
import { INVALID_PHONE, PhoneNumber, type PhoneRegion } from './phone-number.js';

export const CUSTOMER_LIMITS = Object.freeze({
  name: 100,
  tag: 50,
  tags: 50,
  customFieldKey: 50,
  customFieldValue: 500,
  customFields: 50,
  alternativePhones: 10,
  notes: 5000,
  blockReason: 500,
  street: 200,
  cityStateCountry: 100,
  postalCode: 20,
  url: 2048,
});

export const DEFAULT_COUNTRY = 'México';
export const DEFAULT_COMMUNICATION_HOURS = Object.freeze({ start: '09:00', end: '18:00' });

/** Statuses that can be set directly; 'blocked' only comes with `block()`. */
export type SettableCustomerStatus = Exclude<CustomerStatus, 'blocked'>;

export interface CustomerAddressInput {
  street?: string;
  city?: string;
  state?: string;
  country?: string; // default 'México'
  postalCode?: string;
  coordinates?: { latitude: number; longitude: number };
}

export interface CustomerPreferencesInput {
  language?: string;
  communicationHours?: { start?: string; end?: string };
  preferredAgent?: Id;
}

export interface CreateCustomerInput {
  phoneNumber: string;
  firstName?: string;
  lastName?: string;
  email?: string;
  avatar?: string;
  alternativePhones?: readonly string[];
  address?: CustomerAddressInput;
  tags?: readonly string[];
  segment?: CustomerSegment;
  source?: CustomerSource;
  status?: SettableCustomerStatus;
  customFields?: Readonly<Record<string, string>>;
  preferences?: CustomerPreferencesInput;
  notes?: string;
}

/** `undefined` leaves a field unchanged, `null` clears an optional one. */
export interface CustomerPatch {
  firstName?: string | null;
  lastName?: string | null;
  email?: string | null;
  avatar?: string | null;
  /** Local numbers are read in the region of the customer's main number. */
  alternativePhones?: readonly string[];
  address?: CustomerAddressInput | null;
  tags?: readonly string[];
  segment?: CustomerSegment;
  source?: CustomerSource;
  status?: SettableCustomerStatus;
  customFields?: Readonly<Record<string, string>>;
  preferences?: Omit<CustomerPreferencesInput, 'preferredAgent'> & { preferredAgent?: Id | null };
  notes?: string | null;
}

export type CustomerUpdatedEvent = {
  type: 'customer.updated';
  occurredAt: Date;
  payload: { customerId: Id; changes: string[]; erased?: true };
};

const ERASED_PREFIX = 'erased:';

export class Customer extends AggregateRoot {
  #p: CustomerPrimitives;

  private constructor(p: CustomerPrimitives) {
    super();
    this.#p = p;
  }

  static create(
    input: CreateCustomerInput,
    ctx: { id: Id; now: Date; defaultRegion: PhoneRegion },
  ): Customer {
    const id = assertId('id', ctx.id);
    const phone = PhoneNumber.parse(input.phoneNumber, ctx.defaultRegion);
    if (input.status !== undefined) settableStatus(input.status);
    const p: CustomerPrimitives = {
      id,
      phoneNumber: phone.value,
      alternativePhones: alternativePhones(input.alternativePhones ?? [], phone, ctx.defaultRegion),
      tags: normalizeTags(input.tags ?? []),
      segment: input.segment === undefined ? 'new' : assertEnum('segment', input.segment, CUSTOMER_SEGMENTS),
      source: input.source === undefined ? 'whatsapp' : assertEnum('source', input.source, CUSTOMER_SOURCES),
      customFields: validCustomFields(input.customFields ?? {}),
      preferences: {
        language: 'es',
        communicationHours: { ...DEFAULT_COMMUNICATION_HOURS },
      },
      status: input.status ?? 'active',
      isBlocked: false,
      statistics: { totalConversations: 0, totalMessages: 0, totalTickets: 0, averageResponseTime: 0 },
      createdAt: new Date(ctx.now),
      updatedAt: new Date(ctx.now),
      version: 0,
    };
    applyPreferences(p, input.preferences ?? {});
    setOptional(p, 'firstName', personName('firstName', input.firstName));
    setOptional(p, 'lastName', personName('lastName', input.lastName));
    setOptional(p, 'email', optionalEmail(input.email));
    setOptional(p, 'avatar', optionalUrl('avatar', input.avatar));
    setOptional(p, 'address', input.address === undefined ? undefined : validAddress(input.address));
    setOptional(p, 'notes', optionalText('notes', input.notes, CUSTOMER_LIMITS.notes));
    return new Customer(p);
  }

  /** Rehydrates a stored customer, re-checking ids and enums (not the phone metadata, which may change). */
  static fromPrimitives(p: CustomerPrimitives): Customer {
    assertId('id', p.id);
    assertEnum('segment', p.segment, CUSTOMER_SEGMENTS);
    assertEnum('source', p.source, CUSTOMER_SOURCES);
    assertEnum('status', p.status, CUSTOMER_STATUSES);
    if (p.erasedAt === undefined) PhoneNumber.fromE164(p.phoneNumber);
    else if (p.phoneNumber !== erasedPlaceholder(p.id)) {
      throw new ValidationError('phoneNumber', 'an erased customer keeps only its placeholder');
    }
    if (p.preferences.preferredAgent !== undefined)
      assertId('preferences.preferredAgent', p.preferences.preferredAgent);
    return new Customer(plainCopy(p));
  }

  toPrimitives(): CustomerPrimitives {
    return plainCopy(this.#p);
  }

  get id(): Id {
    return this.#p.id;
  }
  /** E.164, or `erased:<id>` once erased. */
  get phoneNumber(): string {
    return this.#p.phoneNumber;
  }
  get firstName(): string | undefined {
    return this.#p.firstName;
  }
  get lastName(): string | undefined {
    return this.#p.lastName;
  }
  /** "First Last", or the phone number when the name is unknown. */
  get displayName(): string {
    const name = [this.#p.firstName, this.#p.lastName].filter(Boolean).join(' ');
    return name.length > 0 ? name : this.#p.phoneNumber;
  }
  get email(): string | undefined {
    return this.#p.email;
  }
  get tags(): string[] {
    return [...this.#p.tags];
  }
  get customFields(): Record<string, string> {
    return { ...this.#p.customFields };
  }
  get segment(): CustomerSegment {
    return this.#p.segment;
  }
  get source(): CustomerSource {
    return this.#p.source;
  }
  get status(): CustomerStatus {
    return this.#p.status;
  }
  get isBlocked(): boolean {
    return this.#p.isBlocked;
  }
  get blockReason(): string | undefined {
    return this.#p.blockReason;
  }
  get language(): string {
    return this.#p.preferences.language;
  }
  get preferredAgentId(): Id | undefined {
    return this.#p.preferences.preferredAgent;
  }
  get statistics(): CustomerStatistics {
    return { ...this.#p.statistics };
  }
  get isErased(): boolean {
    return this.#p.erasedAt !== undefined;
  }
  get firstContact(): Date | undefined {
    return this.#p.firstContact && new Date(this.#p.firstContact);
  }
  get lastInteraction(): Date | undefined {
    return this.#p.lastInteraction && new Date(this.#p.lastInteraction);
  }
  get version(): number {
    return this.#p.version;
  }

  /** Whether the AI assistant may answer this customer (blocked customers' messages are still stored). */
  canReceiveAiReply(): boolean {
    return !this.#p.isBlocked && !this.isErased;
  }

  /** Whether the customer's conversations may be auto-assigned to an agent. */
  canBeAutoAssigned(): boolean {
    return !this.#p.isBlocked && !this.isErased;
  }

  update(patch: CustomerPatch, now: Date): void {
    this.#assertNotErased();
    // Validate everything on a copy first: a refused patch changes nothing.
    const next = structuredClone(this.#p);
    const changes: string[] = [];
    const mark = (field: string) => changes.push(field);

    if (patch.firstName !== undefined) {
      setOptional(next, 'firstName', personName('firstName', patch.firstName ?? undefined));
      mark('firstName');
    }
    if (patch.lastName !== undefined) {
      setOptional(next, 'lastName', personName('lastName', patch.lastName ?? undefined));
      mark('lastName');
    }
    if (patch.email !== undefined) {
      setOptional(next, 'email', optionalEmail(patch.email ?? undefined));
      mark('email');
    }
    if (patch.avatar !== undefined) {
      setOptional(next, 'avatar', optionalUrl('avatar', patch.avatar ?? undefined));
      mark('avatar');
    }
    if (patch.alternativePhones !== undefined) {
      const main = PhoneNumber.fromE164(next.phoneNumber);
      next.alternativePhones = alternativePhones(patch.alternativePhones, main, main.region);
      mark('alternativePhones');
    }
    if (patch.address !== undefined) {
      setOptional(next, 'address', patch.address === null ? undefined : validAddress(patch.address));
      mark('address');
    }
    if (patch.tags !== undefined) {
      next.tags = normalizeTags(patch.tags);
      mark('tags');
    }
    if (patch.segment !== undefined) {
      next.segment = assertEnum('segment', patch.segment, CUSTOMER_SEGMENTS);
      mark('segment');
    }
    if (patch.source !== undefined) {
      next.source = assertEnum('source', patch.source, CUSTOMER_SOURCES);
      mark('source');
    }
    if (patch.status !== undefined) {
      settableStatus(patch.status);
      if (next.isBlocked) throw customerBlocked(next.id);
      next.status = patch.status;
      mark('status');
    }
    if (patch.customFields !== undefined) {
      next.customFields = validCustomFields(patch.customFields);
      mark('customFields');
    }
    if (patch.preferences !== undefined) {
      const { preferredAgent, ...rest } = patch.preferences;
      applyPreferences(next, rest);
      if (preferredAgent !== undefined) {
        setOptional(
          next.preferences,
          'preferredAgent',
          preferredAgent === null ? undefined : assertId('preferences.preferredAgent', preferredAgent),
        );
      }
      for (const key of Object.keys(patch.preferences)) {
        if (patch.preferences[key as keyof typeof patch.preferences] !== undefined)
          mark(`preferences.${key}`);
      }
    }
    if (patch.notes !== undefined) {
      setOptional(next, 'notes', optionalText('notes', patch.notes ?? undefined, CUSTOMER_LIMITS.notes));
      mark('notes');
    }
    if (changes.length === 0) return;
    this.#p = next;
    this.#changed(now, changes);
  }

  setTags(tags: readonly string[], now: Date): void {
    this.#assertNotErased();
    this.#p.tags = normalizeTags(tags);
    this.#changed(now, ['tags']);
  }

  /** Adds tags (normalised; already present ones are ignored). */
  addTags(tags: readonly string[], now: Date): void {
    this.#assertNotErased();
    const merged = normalizeTags([...this.#p.tags, ...tags]);
    if (merged.length === this.#p.tags.length) return;
    this.#p.tags = merged;
    this.#changed(now, ['tags']);
  }

  /** Removes tags (compared after normalisation). */
  removeTags(tags: readonly string[], now: Date): void {
    this.#assertNotErased();
    const remove = new Set(tags.map((t) => (typeof t === 'string' ? t.trim().toLowerCase() : t)));
    const kept = this.#p.tags.filter((t) => !remove.has(t));
    if (kept.length === this.#p.tags.length) return;
    this.#p.tags = kept;
    this.#changed(now, ['tags']);
  }

  /** Sets one custom field; `null` removes it. */
  setCustomField(key: string, value: string | null, now: Date): void {
    this.#assertNotErased();
    const fields = { ...this.#p.customFields };
    const k = customFieldKey(key);
    if (value === null) {
      if (!(k in fields)) return;
      delete fields[k];
    } else {
      fields[k] = value;
    }
    this.#p.customFields = validCustomFields(fields);
    this.#changed(now, [`customFields.${k}`]);
  }

  /** Blocks the customer: no AI replies, no auto-assignment; their messages are still stored. */
  block(reason: string, now: Date): void {
    this.#assertNotErased();
    const r = assertNonEmpty('blockReason', typeof reason === 'string' ? reason : undefined).trim();
    assertMaxLength('blockReason', r, CUSTOMER_LIMITS.blockReason);
    this.#p.isBlocked = true;
    this.#p.blockReason = r;
    this.#p.status = 'blocked';
    this.#changed(now, ['isBlocked', 'blockReason', 'status']);
  }

  /** Unblocks: status back to 'active'. No-op when not blocked. */
  unblock(now: Date): void {
    this.#assertNotErased();
    if (!this.#p.isBlocked) return;
    this.#p.isBlocked = false;
    delete this.#p.blockReason;
    this.#p.status = 'active';
    this.#changed(now, ['isBlocked', 'blockReason', 'status']);
  }

  /**
   * Fills the name from the WhatsApp profile name, only when the customer has neither first nor
   * last name (a name typed by an agent is never overwritten). First word → firstName, the rest →
   * lastName; each cut to 100 characters (external input is not refused). Returns whether it changed.
   */
  fillProfileName(profileName: string, now: Date): boolean {
    this.#assertNotErased();
    if (this.#p.firstName || this.#p.lastName) return false;
    const words = (typeof profileName === 'string' ? profileName : '').trim().split(/\s+/).filter(Boolean);
    const [first, ...rest] = words;
    if (first === undefined) return false;
    this.#p.firstName = cut(first, CUSTOMER_LIMITS.name);
    if (rest.length > 0) this.#p.lastName = cut(rest.join(' '), CUSTOMER_LIMITS.name);
    this.#changed(now, rest.length > 0 ? ['firstName', 'lastName'] : ['firstName']);
    return true;
  }

  /**
   * A message was exchanged at `at`. Sets firstContact once; lastInteraction/lastMessageAt never go
   * back in time (webhooks arrive out of order). No event: message events already carry this.
   */
  recordInteraction(at: Date): void {
    this.#assertNotErased();
    const t = new Date(at);
    if (this.#p.firstContact === undefined || t < this.#p.firstContact) this.#p.firstContact = t;
    if (this.#p.lastInteraction === undefined || t > this.#p.lastInteraction)
      this.#p.lastInteraction = new Date(t);
    if (this.#p.lastMessageAt === undefined || t > this.#p.lastMessageAt) this.#p.lastMessageAt = new Date(t);
    if (t > this.#p.updatedAt) this.#p.updatedAt = new Date(t);
  }

  /**
   * Adds a 1..5 rating to the running average. A stored score without a count (migrated data) is
   * counted as one rating.
   */
  recordSatisfaction(rating: number, now: Date): void {
    this.#assertNotErased();
    assertRating('rating', rating);
    const s = this.#p.statistics;
    const count = s.satisfactionCount ?? (s.satisfactionScore === undefined ? 0 : 1);
    const average = s.satisfactionScore ?? 0;
    s.satisfactionScore = (average * count + rating) / (count + 1);
    s.satisfactionCount = count + 1;
    this.#changed(now, ['statistics.satisfactionScore', 'statistics.satisfactionCount']);
  }

  setPreferredAgent(agentId: Id | undefined, now: Date): void {
    this.#assertNotErased();
    setOptional(
      this.#p.preferences,
      'preferredAgent',
      agentId === undefined ? undefined : assertId('preferences.preferredAgent', agentId),
    );
    this.#changed(now, ['preferences.preferredAgent']);
  }

  /**
   * Right to be forgotten: the phone becomes `erased:<id>` (unique, identifies nobody, so a new
   * message from that number creates a new customer), every personal field is cleared (names,
   * e-mail, avatar, address, notes, custom fields, alternative phones, block reason), the customer
   * becomes 'inactive' and unblocked, and `erasedAt` is set. Tags, segment, source and statistics
   * are kept for aggregate analytics. Afterwards every mutator refuses (CUSTOMER.ERASED).
   * Idempotent.
   */
  anonymise(now: Date): void {
    if (this.isErased) return;
    const p = this.#p;
    p.phoneNumber = erasedPlaceholder(p.id);
    for (const key of [
      'firstName',
      'lastName',
      'email',
      'avatar',
      'address',
      'notes',
      'blockReason',
    ] as const) {
      delete p[key];
    }
    p.alternativePhones = [];
    p.customFields = {};
    p.isBlocked = false;
    p.status = 'inactive';
    delete p.preferences.preferredAgent;
    p.erasedAt = new Date(now);
    this.#changed(now, ['erasedAt'], true);
  }

  #assertNotErased(): void {
    if (this.isErased) throw customerErased(this.#p.id);
  }

  #changed(now: Date, changes: string[], erased?: true): void {
    this.#p.updatedAt = new Date(now);
    const payload: CustomerUpdatedEvent['payload'] = { customerId: this.#p.id, changes };
    if (erased) payload.erased = true;
    this.record({
      type: 'customer.updated',
      occurredAt: new Date(now),
      payload,
    } satisfies CustomerUpdatedEvent);
  }
}

export const erasedPlaceholder = (id: Id): string => `${ERASED_PREFIX}${id}`;

// ---------------------------------------------------------------------------------------------
// Validation helpers

function settableStatus(status: string): SettableCustomerStatus {
  const s = assertEnum('status', status, CUSTOMER_STATUSES);
  if (s === 'blocked')
    throw new ValidationError('status', 'use block() to block a customer', 'VALIDATION.NOT_SETTABLE');
  return s;
}

function cut(value: string, max: number): string {
  return [...value].slice(0, max).join('').trim();
}

function optionalText(field: string, value: string | undefined, max: number): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new ValidationError(field, 'must be text');
  const trimmed = value.trim();
  if (trimmed.length === 0) return undefined;
  assertMaxLength(field, trimmed, max);
  return trimmed;
}

const personName = (field: 'firstName' | 'lastName', value: string | undefined) =>
  optionalText(field, value, CUSTOMER_LIMITS.name);

function optionalEmail(value: string | undefined): string | undefined {
  if (value === undefined || (typeof value === 'string' && value.trim() === '')) return undefined;
  return normalizeEmail('email', value);
}

/** Only http(s) URLs: avatars end up in an `<img src>` of the web inbox. */
function optionalUrl(field: string, value: string | undefined): string | undefined {
  const url = optionalText(field, value, CUSTOMER_LIMITS.url);
  if (url !== undefined && !/^https?:\/\/\S+$/i.test(url)) {
    throw new ValidationError(field, 'must be an http(s) URL', 'VALIDATION.INVALID_URL');
  }
  return url;
}

/** Trimmed, lowercase, unique (first occurrence kept), each 1..50 characters, at most 50. */
export function normalizeTags(tags: readonly string[]): string[] {
  if (!Array.isArray(tags)) throw new ValidationError('tags', 'must be a list');
  const out: string[] = [];
  for (const raw of tags) {
    if (typeof raw !== 'string') throw new ValidationError('tags', 'must be text');
    const tag = raw.trim().toLowerCase();
    if (tag.length === 0) throw new ValidationError('tags', 'a tag cannot be empty', 'VALIDATION.REQUIRED');
    if (tag.length > CUSTOMER_LIMITS.tag) {
      throw new ValidationError(
        'tags',
        `each tag must be at most ${CUSTOMER_LIMITS.tag} characters`,
        'VALIDATION.TOO_LONG',
      );
    }
    if (!out.includes(tag)) out.push(tag);
  }
  if (out.length > CUSTOMER_LIMITS.tags) {
    throw new ValidationError('tags', `at most ${CUSTOMER_LIMITS.tags} tags`, 'VALIDATION.TOO_MANY');
  }
  return out;
}

const RESERVED_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Custom field keys are stored as MongoDB field names: no '.', no leading '$', no control
 * characters, and none of the prototype keys.
 */
function customFieldKey(key: string): string {
  const k = typeof key === 'string' ? key.trim() : '';
  if (k.length === 0)
    throw new ValidationError('customFields', 'a key cannot be empty', 'VALIDATION.REQUIRED');
  if (k.length > CUSTOMER_LIMITS.customFieldKey) {
    throw new ValidationError(
      'customFields',
      `keys must be at most ${CUSTOMER_LIMITS.customFieldKey} characters`,
      'VALIDATION.TOO_LONG',
    );
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  if (k.includes('.') || k.startsWith('$') || /[\u0000-\u001f]/.test(k) || RESERVED_KEYS.has(k)) {
    throw new ValidationError('customFields', `"${k}" is not an allowed key`, 'VALIDATION.INVALID_KEY');
  }
  return k;
}

function validCustomFields(fields: Readonly<Record<string, string>>): Record<string, string> {
  if (fields === null || typeof fields !== 'object' || Array.isArray(fields)) {
    throw new ValidationError('customFields', 'must be an object of text values');
  }
  const entries = Object.entries(fields);
  if (entries.length > CUSTOMER_LIMITS.customFields) {
    throw new ValidationError(
      'customFields',
      `at most ${CUSTOMER_LIMITS.customFields} fields`,
      'VALIDATION.TOO_MANY',
    );
  }
  const out: Record<string, string> = {};
  for (const [rawKey, value] of entries) {
    const key = customFieldKey(rawKey);
    if (typeof value !== 'string') throw new ValidationError(`customFields.${key}`, 'must be text');
    assertMaxLength(`customFields.${key}`, value, CUSTOMER_LIMITS.customFieldValue);
    out[key] = value;
  }
  return out;
}

function alternativePhones(
  list: readonly string[],
  main: PhoneNumber,
  region: PhoneRegion | undefined,
): string[] {
  if (!Array.isArray(list)) throw new ValidationError('alternativePhones', 'must be a list');
  const out: string[] = [];
  list.forEach((raw, i) => {
    const field = `alternativePhones.${i}`;
    // Main number in a non-geographic range (+800...): only international numbers are accepted.
    if (region === undefined && !(typeof raw === 'string' && raw.trim().startsWith('+'))) {
      throw new ValidationError(field, 'must be in international format', INVALID_PHONE);
    }
    const phone = PhoneNumber.parse(raw, region ?? 'US', field);
    if (!phone.equals(main) && !out.includes(phone.value)) out.push(phone.value);
  });
  if (out.length > CUSTOMER_LIMITS.alternativePhones) {
    throw new ValidationError(
      'alternativePhones',
      `at most ${CUSTOMER_LIMITS.alternativePhones} numbers`,
      'VALIDATION.TOO_MANY',
    );
  }
  return out;
}

function addressText(field: string, value: string | undefined, max: number): string | undefined {
  return optionalText(`address.${field}`, value, max);
}

function coordinate(field: 'latitude' | 'longitude', value: unknown, limit: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < -limit || value > limit) {
    throw new ValidationError(
      `address.coordinates.${field}`,
      `must be a number from -${limit} to ${limit}`,
      'VALIDATION.OUT_OF_RANGE',
    );
  }
  return value;
}

function validAddress(input: CustomerAddressInput): CustomerAddress {
  if (input === null || typeof input !== 'object') throw new ValidationError('address', 'must be an object');
  const address: CustomerAddress = {
    country: addressText('country', input.country, CUSTOMER_LIMITS.cityStateCountry) ?? DEFAULT_COUNTRY,
  };
  setOptional(address, 'street', addressText('street', input.street, CUSTOMER_LIMITS.street));
  setOptional(address, 'city', addressText('city', input.city, CUSTOMER_LIMITS.cityStateCountry));
  setOptional(address, 'state', addressText('state', input.state, CUSTOMER_LIMITS.cityStateCountry));
  setOptional(address, 'postalCode', addressText('postalCode', input.postalCode, CUSTOMER_LIMITS.postalCode));
  if (input.coordinates !== undefined) {
    address.coordinates = {
      latitude: coordinate('latitude', input.coordinates?.latitude, 90),
      longitude: coordinate('longitude', input.coordinates?.longitude, 180),
    };
  }
  return address;
}

const HH_MM = /^([01]\d|2[0-3]):[0-5]\d$/;
/** ISO 639-1 language, optionally with a region ('es', 'pt-BR'): the AI may answer in any language. */
const LANGUAGE = /^[a-z]{2}(-[A-Z]{2})?$/;

function applyPreferences(p: CustomerPrimitives, prefs: CustomerPreferencesInput): void {
  if (prefs.language !== undefined) {
    if (typeof prefs.language !== 'string' || !LANGUAGE.test(prefs.language)) {
      throw new ValidationError('preferences.language', "must be a language code like 'es' or 'pt-BR'");
    }
    p.preferences.language = prefs.language;
  }
  const hours = prefs.communicationHours;
  if (hours !== undefined) {
    for (const edge of ['start', 'end'] as const) {
      const v = hours[edge];
      if (v === undefined) continue;
      if (typeof v !== 'string' || !HH_MM.test(v)) {
        throw new ValidationError(
          `preferences.communicationHours.${edge}`,
          'must be HH:MM (00:00-23:59)',
          'VALIDATION.INVALID_TIME',
        );
      }
      p.preferences.communicationHours[edge] = v;
    }
  }
  if (prefs.preferredAgent !== undefined) {
    p.preferences.preferredAgent = assertId('preferences.preferredAgent', prefs.preferredAgent);
  }
}

function setOptional<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value === undefined) delete target[key];
  else target[key] = value;
}
