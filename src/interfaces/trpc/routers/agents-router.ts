import { z } from 'zod';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '../../../application/auth/auth-errors.js';
import { AGENT_LANGUAGES } from '../../../domain/agent/agent.js';
import {
  AGENT_ROLES,
  AGENT_STATUSES,
  NAME_MAX_LENGTH,
  PERMISSIONS,
} from '../../../domain/agent/agent.types.js';
import { authedProcedure, permissionProcedure, router } from '../trpc.js';
import { httpUrl, id, pageFields, text, using } from './router-support.js';

const name = text(NAME_MAX_LENGTH);
const permissions = z.array(z.enum(PERMISSIONS)).max(PERMISSIONS.length);
const preferences = z
  .object({
    language: z.enum(AGENT_LANGUAGES).optional(),
    /** IANA time zone, e.g. `America/Mexico_City`. */
    timezone: text(64).optional(),
    notifications: z
      .object({ email: z.boolean().optional(), push: z.boolean().optional(), sound: z.boolean().optional() })
      .optional(),
    autoAssignment: z.boolean().optional(),
  })
  .refine((p) => Object.keys(p).length > 0, { message: 'nothing to update' });

const listInput = z.object({
  role: z.enum(AGENT_ROLES).optional(),
  status: z.enum(AGENT_STATUSES).optional(),
  isActive: z.boolean().optional(),
  ...pageFields,
});

const byId = z.object({ agentId: id });

const createInput = z.object({
  email: z.email().max(254),
  password: z.string().min(MIN_PASSWORD_LENGTH).max(MAX_PASSWORD_LENGTH),
  firstName: name,
  lastName: name,
  role: z.enum(AGENT_ROLES).optional(),
  phone: text(32).optional(),
  department: text(100).optional(),
  avatar: httpUrl.optional(),
  /** Default: the role's permissions. */
  permissions: permissions.optional(),
  preferences: preferences.optional(),
  /** An active supervisor or admin (where this agent's escalations go). */
  supervisorId: id.optional(),
});

const updateInput = z.object({
  agentId: id,
  /** `null` clears phone, department or avatar. */
  profile: z
    .object({
      firstName: name.optional(),
      lastName: name.optional(),
      phone: text(32).nullable().optional(),
      department: text(100).nullable().optional(),
      avatar: httpUrl.nullable().optional(),
    })
    .optional(),
  email: z.email().max(254).optional(),
  /** A new role resets the permissions to the role's defaults unless `permissions` is given too. */
  role: z.enum(AGENT_ROLES).optional(),
  permissions: permissions.optional(),
  /** `null` removes it. */
  supervisorId: id.nullable().optional(),
});

const activationInput = z.object({ agentId: id, reason: text(500).optional() });

const manage = permissionProcedure('manage:agents');

export const agentsRouter = router({
  /** The agent directory (transfer targets, supervisors). */
  list: permissionProcedure('read:conversations')
    .input(listInput)
    .query(({ ctx, input }) => {
      const { uc, actor } = using(ctx);
      return uc.agents.list.execute({ actor, ...input });
    }),

  /** One agent; one's own record is always readable. */
  get: authedProcedure.input(byId).query(({ ctx, input }) => {
    const { uc, actor } = using(ctx);
    return uc.agents.get.execute({ actor, agentId: input.agentId });
  }),

  create: manage.input(createInput).mutation(({ ctx, input }) => {
    const { uc, actor, meta } = using(ctx);
    return uc.agents.create.execute({ actor, meta, ...input });
  }),

  update: manage.input(updateInput).mutation(({ ctx, input }) => {
    const { uc, actor, meta } = using(ctx);
    return uc.agents.update.execute({ actor, meta, ...input });
  }),

  /** Deactivates the account and ends all its sessions (its websockets close). */
  deactivate: manage.input(activationInput).mutation(({ ctx, input }) => {
    const { uc, actor, meta } = using(ctx);
    return uc.agents.deactivate.execute({ actor, meta, ...input });
  }),

  reactivate: manage.input(activationInput).mutation(({ ctx, input }) => {
    const { uc, actor, meta } = using(ctx);
    return uc.agents.reactivate.execute({ actor, meta, ...input });
  }),

  /** The caller's own presence (online, busy, away, offline). */
  setStatus: authedProcedure
    .input(z.object({ status: z.enum(AGENT_STATUSES) }))
    .mutation(({ ctx, input }) => {
      const { uc, actor, meta } = using(ctx);
      return uc.agents.setOwnStatus.execute({ actor, meta, status: input.status });
    }),

  /** The caller's own preferences. */
  updatePreferences: authedProcedure.input(z.object({ preferences })).mutation(({ ctx, input }) => {
    const { uc, actor, meta } = using(ctx);
    return uc.agents.updateOwnPreferences.execute({ actor, meta, preferences: input.preferences });
  }),
});
