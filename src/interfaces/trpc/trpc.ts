/**
 * The tRPC instance and the base procedures every router builds on:
 * - `publicProcedure`: anyone;
 * - `authedProcedure`: a valid session (`ctx.agent` is then non-optional);
 * - `permissionProcedure('manage:tickets')`: a valid session holding that permission.
 * For resource-level checks call `assertAuthorized(ctx.agent, action, resource)` (src/domain/authorization)
 * in the use case or the procedure.
 *
 * Every procedure runs behind `mapErrors`, which inspects `next()`'s result and turns domain and zod
 * errors into the right tRPC codes (error-mapping.ts). The formatter strips everything internal.
 */
import { initTRPC, TRPCError } from '@trpc/server';
import type { Permission } from '../../domain/agent/agent.types.js';
import { ForbiddenError, UnauthorizedError } from '../../domain/shared/errors.js';
import type { Context } from './context.js';
import { formatError, toTRPCError } from './error-mapping.js';

const t = initTRPC.context<Context>().create({
  // Never put stack traces in responses, whatever NODE_ENV says.
  isDev: false,
  errorFormatter({ shape, error, ctx }) {
    return formatError({ shape, error, ...(ctx?.requestId ? { requestId: ctx.requestId } : {}) });
  },
});

export const router = t.router;
export const mergeRouters = t.mergeRouters;
export const createCallerFactory = t.createCallerFactory;
export const middleware = t.middleware;

const mapErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok) throw toTRPCError(result.error);
  return result;
});

export const publicProcedure = t.procedure.use(mapErrors);

export const authedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.agent) {
    if (ctx.authError !== undefined) throw ctx.authError; // refused token (UNAUTHORIZED) or a failure (500)
    throw new UnauthorizedError('Authentication required');
  }
  return next({ ctx: { agent: ctx.agent } });
});

export function permissionProcedure(permission: Permission) {
  return authedProcedure.use(({ ctx, next }) => {
    if (!ctx.agent.permissions.includes(permission)) {
      throw new ForbiddenError(`This needs the ${permission} permission`);
    }
    return next();
  });
}

export { TRPCError };
