import { defaultPermissionsFor } from '../authorization/role-permissions.js';
import { ValidationError } from '../shared/errors.js';
import { AggregateRoot } from '../shared/events.js';
import { assertEnum, assertId, assertMaxLength, assertNonEmpty, normalizeEmail } from '../shared/guards.js';
import type { Id } from '../shared/ids.js';
import { agentInactive } from './agent.errors.js';
import {
  AGENT_ROLES,
  AGENT_STATUSES,
  type AgentPreferences,
  type AgentPrimitives,
  type AgentRole,
  type AgentStatistics,
  type AgentStatus,
  NAME_MAX_LENGTH,
  PERMISSIONS,
  type Permission,
} from './agent.types.js';

/** Languages the agent UI is translated into. */
export const AGENT_LANGUAGES = ['es', 'en'] as const;
export type AgentLanguage = (typeof AGENT_LANGUAGES)[number];

export const DEFAULT_AGENT_PREFERENCES: Readonly<AgentPreferences> = Object.freeze({
  language: 'es',
  timezone: 'America/Mexico_City',
  notifications: Object.freeze({ email: true, push: true, sound: true }),
  autoAssignment: true,
});

const PHONE_MAX_LENGTH = 32;
const DEPARTMENT_MAX_LENGTH = 100;
const URL_MAX_LENGTH = 2048;

export interface AgentPreferencesPatch {
  language?: string;
  timezone?: string;
  notifications?: Partial<AgentPreferences['notifications']>;
  autoAssignment?: boolean;
}

export interface CreateAgentInput {
  email: string;
  passwordHash: string;
  firstName: string;
  lastName: string;
  role?: AgentRole;
  phone?: string;
  department?: string;
  avatar?: string;
  /** Defaults to the role's default set (ROLE_PERMISSIONS). */
  permissions?: readonly string[];
  preferences?: AgentPreferencesPatch;
  supervisorId?: Id;
}

/** Optional fields: `undefined` leaves unchanged, `null` clears. */
export interface AgentProfilePatch {
  firstName?: string;
  lastName?: string;
  phone?: string | null;
  department?: string | null;
  avatar?: string | null;
}

/** Everything but the password hash: what may leave the server. */
export type AgentPublic = Omit<AgentPrimitives, 'passwordHash'>;

export type AgentUpdatedEvent = {
  type: 'agent.updated';
  occurredAt: Date;
  payload: { agentId: Id; changes: string[] };
};

export class Agent extends AggregateRoot {
  #p: AgentPrimitives;

  private constructor(p: AgentPrimitives) {
    super();
    this.#p = p;
  }

  static create(input: CreateAgentInput, ctx: { id: Id; now: Date }): Agent {
    const id = assertId('id', ctx.id);
    const role = input.role === undefined ? 'agent' : assertEnum('role', input.role, AGENT_ROLES);
    const supervisorId =
      input.supervisorId === undefined ? undefined : assertId('supervisorId', input.supervisorId);
    if (supervisorId === id)
      throw new ValidationError('supervisorId', 'an agent cannot supervise themselves');
    const p: AgentPrimitives = {
      id,
      email: normalizeEmail('email', input.email),
      passwordHash: assertNonEmpty('passwordHash', input.passwordHash),
      firstName: name('firstName', input.firstName),
      lastName: name('lastName', input.lastName),
      role,
      status: 'offline',
      permissions:
        input.permissions === undefined ? defaultPermissionsFor(role) : validPermissions(input.permissions),
      preferences: mergePreferences(
        structuredClone(DEFAULT_AGENT_PREFERENCES) as AgentPreferences,
        input.preferences,
      ),
      statistics: {
        totalConversations: 0,
        resolvedConversations: 0,
        averageResponseTime: 0,
        currentActiveConversations: 0,
      },
      isActive: true,
      createdAt: new Date(ctx.now),
      updatedAt: new Date(ctx.now),
      version: 0,
    };
    const phone = optionalText('phone', input.phone, PHONE_MAX_LENGTH);
    const department = optionalText('department', input.department, DEPARTMENT_MAX_LENGTH);
    const avatar = optionalUrl('avatar', input.avatar);
    if (phone !== undefined) p.phone = phone;
    if (department !== undefined) p.department = department;
    if (avatar !== undefined) p.avatar = avatar;
    if (supervisorId !== undefined) p.supervisorId = supervisorId;
    return new Agent(p);
  }

  /** Rehydrates a stored agent, re-checking enums (role, status, permissions) and ids. */
  static fromPrimitives(p: AgentPrimitives): Agent {
    assertId('id', p.id);
    assertEnum('role', p.role, AGENT_ROLES);
    assertEnum('status', p.status, AGENT_STATUSES);
    validPermissions(p.permissions);
    if (p.supervisorId !== undefined) assertId('supervisorId', p.supervisorId);
    return new Agent(structuredClone(p));
  }

  /** Deep copy of the persisted shape (includes the password hash: repositories only). */
  toPrimitives(): AgentPrimitives {
    return structuredClone(this.#p);
  }

  /** Deep copy without `passwordHash`: what the API returns. */
  toPublic(): AgentPublic {
    const { passwordHash: _omitted, ...rest } = structuredClone(this.#p);
    return rest;
  }

  get id(): Id {
    return this.#p.id;
  }
  get email(): string {
    return this.#p.email;
  }
  get passwordHash(): string {
    return this.#p.passwordHash;
  }
  get firstName(): string {
    return this.#p.firstName;
  }
  get lastName(): string {
    return this.#p.lastName;
  }
  get fullName(): string {
    return `${this.#p.firstName} ${this.#p.lastName}`;
  }
  get role(): AgentRole {
    return this.#p.role;
  }
  get status(): AgentStatus {
    return this.#p.status;
  }
  get permissions(): readonly Permission[] {
    return [...this.#p.permissions];
  }
  get preferences(): AgentPreferences {
    return structuredClone(this.#p.preferences);
  }
  get statistics(): AgentStatistics {
    return { ...this.#p.statistics };
  }
  get isActive(): boolean {
    return this.#p.isActive;
  }
  get supervisorId(): Id | undefined {
    return this.#p.supervisorId;
  }
  get lastLogin(): Date | undefined {
    return this.#p.lastLogin && new Date(this.#p.lastLogin);
  }
  get lastActivity(): Date | undefined {
    return this.#p.lastActivity && new Date(this.#p.lastActivity);
  }
  get version(): number {
    return this.#p.version;
  }
  get updatedAt(): Date {
    return new Date(this.#p.updatedAt);
  }

  hasPermission(permission: Permission): boolean {
    return this.#p.permissions.includes(permission);
  }

  updateProfile(patch: AgentProfilePatch, now: Date): void {
    const changes: string[] = [];
    if (patch.firstName !== undefined) {
      this.#p.firstName = name('firstName', patch.firstName);
      changes.push('firstName');
    }
    if (patch.lastName !== undefined) {
      this.#p.lastName = name('lastName', patch.lastName);
      changes.push('lastName');
    }
    if (patch.phone !== undefined) {
      setOptional(this.#p, 'phone', optionalText('phone', patch.phone ?? undefined, PHONE_MAX_LENGTH));
      changes.push('phone');
    }
    if (patch.department !== undefined) {
      setOptional(
        this.#p,
        'department',
        optionalText('department', patch.department ?? undefined, DEPARTMENT_MAX_LENGTH),
      );
      changes.push('department');
    }
    if (patch.avatar !== undefined) {
      setOptional(this.#p, 'avatar', optionalUrl('avatar', patch.avatar ?? undefined));
      changes.push('avatar');
    }
    if (changes.length > 0) this.#changed(now, changes);
  }

  changeEmail(email: string, now: Date): void {
    this.#p.email = normalizeEmail('email', email);
    this.#changed(now, ['email']);
  }

  /** Changes the role; permissions become the role's defaults unless `permissions` is given. */
  changeRole(role: AgentRole, now: Date, permissions?: readonly string[]): void {
    this.#p.role = assertEnum('role', role, AGENT_ROLES);
    this.#p.permissions =
      permissions === undefined ? defaultPermissionsFor(role) : validPermissions(permissions);
    this.#changed(now, ['role', 'permissions']);
  }

  setPermissions(permissions: readonly string[], now: Date): void {
    this.#p.permissions = validPermissions(permissions);
    this.#changed(now, ['permissions']);
  }

  setSupervisor(supervisorId: Id | undefined, now: Date): void {
    if (supervisorId !== undefined) {
      assertId('supervisorId', supervisorId);
      if (supervisorId === this.#p.id)
        throw new ValidationError('supervisorId', 'an agent cannot supervise themselves');
    }
    setOptional(this.#p, 'supervisorId', supervisorId);
    this.#changed(now, ['supervisorId']);
  }

  /**
   * Presence. A deactivated agent can only be offline (BusinessRuleError `AGENT.INACTIVE`).
   * Setting the current status again changes nothing.
   */
  setStatus(status: AgentStatus, now: Date): void {
    assertEnum('status', status, AGENT_STATUSES);
    if (!this.#p.isActive && status !== 'offline') throw agentInactive(this.#p.id);
    if (status === this.#p.status) return;
    this.#p.status = status;
    this.#p.lastActivity = new Date(now);
    this.#changed(now, ['status', 'lastActivity']);
  }

  updatePreferences(patch: AgentPreferencesPatch, now: Date): void {
    this.#p.preferences = mergePreferences(structuredClone(this.#p.preferences), patch);
    const changes = Object.keys(patch)
      .filter((k) => patch[k as keyof AgentPreferencesPatch] !== undefined)
      .map((k) => `preferences.${k}`);
    if (changes.length > 0) this.#changed(now, changes);
  }

  changePasswordHash(passwordHash: string, now: Date): void {
    this.#p.passwordHash = assertNonEmpty('passwordHash', passwordHash);
    this.#changed(now, ['passwordHash']);
  }

  /** Deactivates the account (no login, no assignment); history and statistics are kept. Idempotent. */
  deactivate(now: Date): void {
    if (!this.#p.isActive) return;
    this.#p.isActive = false;
    this.#p.status = 'offline';
    this.#changed(now, ['isActive', 'status']);
  }

  /** Reactivates the account; the agent stays offline until they set a status. Idempotent. */
  reactivate(now: Date): void {
    if (this.#p.isActive) return;
    this.#p.isActive = true;
    this.#changed(now, ['isActive']);
  }

  recordLogin(now: Date): void {
    if (!this.#p.isActive) throw agentInactive(this.#p.id);
    this.#p.lastLogin = new Date(now);
    this.#p.lastActivity = new Date(now);
    this.#changed(now, ['lastLogin', 'lastActivity']);
  }

  /** Marks the agent as active right now (used for tie-breaking in assignment). No event. */
  recordActivity(now: Date): void {
    this.#p.lastActivity = new Date(now);
  }

  #changed(now: Date, changes: string[]): void {
    this.#p.updatedAt = new Date(now);
    this.record({
      type: 'agent.updated',
      occurredAt: new Date(now),
      payload: { agentId: this.#p.id, changes },
    } satisfies AgentUpdatedEvent);
  }
}

function name(field: 'firstName' | 'lastName', value: string): string {
  const trimmed = assertNonEmpty(field, typeof value === 'string' ? value : undefined).trim();
  assertMaxLength(field, trimmed, NAME_MAX_LENGTH);
  return trimmed;
}

function optionalText(field: string, value: string | undefined, max: number): string | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (trimmed.length === 0) return undefined;
  assertMaxLength(field, trimmed, max);
  return trimmed;
}

/** Only http(s) URLs: the avatar ends up in an `<img src>` of the web inbox. */
function optionalUrl(field: string, value: string | undefined): string | undefined {
  const url = optionalText(field, value, URL_MAX_LENGTH);
  if (url !== undefined && !/^https?:\/\/[^\s]+$/i.test(url)) {
    throw new ValidationError(field, 'must be an http(s) URL', 'VALIDATION.INVALID_URL');
  }
  return url;
}

function validPermissions(list: readonly string[]): Permission[] {
  if (!Array.isArray(list)) throw new ValidationError('permissions', 'must be a list');
  const out: Permission[] = [];
  list.forEach((p, i) => {
    const permission = assertEnum(`permissions.${i}`, p, PERMISSIONS);
    if (!out.includes(permission)) out.push(permission);
  });
  return out;
}

function validTimezone(timezone: string): string {
  const tz = assertNonEmpty('preferences.timezone', timezone).trim();
  try {
    // Throws RangeError for unknown zones; resolvedOptions gives the canonical spelling.
    return new Intl.DateTimeFormat('en-US', { timeZone: tz }).resolvedOptions().timeZone;
  } catch {
    throw new ValidationError(
      'preferences.timezone',
      'must be an IANA time zone',
      'VALIDATION.INVALID_TIMEZONE',
    );
  }
}

function mergePreferences(
  base: AgentPreferences,
  patch: AgentPreferencesPatch | undefined,
): AgentPreferences {
  if (patch === undefined) return base;
  if (patch.language !== undefined)
    base.language = assertEnum('preferences.language', patch.language, AGENT_LANGUAGES);
  if (patch.timezone !== undefined) base.timezone = validTimezone(patch.timezone);
  if (patch.autoAssignment !== undefined)
    base.autoAssignment = bool('preferences.autoAssignment', patch.autoAssignment);
  if (patch.notifications !== undefined) {
    for (const key of ['email', 'push', 'sound'] as const) {
      const v = patch.notifications[key];
      if (v !== undefined) base.notifications[key] = bool(`preferences.notifications.${key}`, v);
    }
  }
  return base;
}

function bool(field: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new ValidationError(field, 'must be true or false');
  return value;
}

function setOptional<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value === undefined) delete target[key];
  else target[key] = value;
}
