/**
 * What every area router shares: the zod building blocks of inputs (ids, cursors, bounded strings)
 * and `using(ctx)`, which gives a procedure body the three things it needs to call a use case:
 * the registry, the actor (from the session) and the request metadata (for the audit log).
 *
 * Inputs are typed objects only: no schema here accepts arbitrary keys, so nothing a client sends
 * can reach a repository as a query operator (`$where`, `$ne`...).
 */
import { z } from 'zod';
import type { AuthenticatedAgent } from '../../../application/auth/authenticated-agent.js';
import type { AgentActor, RequestMeta } from '../../../application/shared/actor.js';
import type { UseCases } from '../../../application/use-cases.js';
import { TOKENS } from '../../../infrastructure/tokens.js';
import type { Context } from '../context.js';

/** A 24-hex id (MongoDB ObjectId form). */
export const id = z.string().regex(/^[0-9a-f]{24}$/, 'must be a 24-character hex id');

/** A trimmed, non-empty string of at most `max` characters. */
export const text = (max: number) => z.string().trim().min(1).max(max);

/** Keyset paging: the opaque `nextCursor` of the previous page, 1..100 items (default 50). */
export const pageFields = {
  cursor: z.string().min(1).max(200).optional(),
  limit: z.number().int().min(1).max(100).default(50),
};

/** A free-form key of a string map (custom fields): never `$`-prefixed, never dotted. */
export const mapKey = z
  .string()
  .min(1)
  .max(50)
  .regex(/^[A-Za-z0-9_][A-Za-z0-9_ -]*$/, 'letters, digits, spaces, "_" and "-" only; no "$" or "."');

/** An http(s) URL (media sent by link, attachments). */
export const httpUrl = z.url({ protocol: /^https?$/, hostname: z.regexes.domain }).max(2048);

/** An ISO 8601 instant with a time zone (`2026-01-31T00:00:00Z`), as a Date. */
export const isoInstant = z.iso.datetime({ offset: true }).transform((s) => new Date(s));

type AuthedContext = Context & { agent: AuthenticatedAgent };

export function actorOf(agent: AuthenticatedAgent): AgentActor {
  return {
    kind: 'agent',
    id: agent.id,
    role: agent.role,
    permissions: [...agent.permissions],
    isActive: agent.isActive,
  };
}

export function metaOf(ctx: Pick<Context, 'ip' | 'userAgent'>): RequestMeta {
  return { ipAddress: ctx.ip, ...(ctx.userAgent === undefined ? {} : { userAgent: ctx.userAgent }) };
}

/** The use-case registry, the caller as an actor, and the request metadata. */
export function using(ctx: AuthedContext): { uc: UseCases; actor: AgentActor; meta: RequestMeta } {
  return {
    uc: ctx.container.resolve<UseCases>(TOKENS.UseCases),
    actor: actorOf(ctx.agent),
    meta: metaOf(ctx),
  };
}
