import { z } from 'zod';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '../../../application/auth/auth-errors.js';
import type { ChangePassword } from '../../../application/auth/change-password.js';
import type { Login } from '../../../application/auth/login.js';
import type { Logout } from '../../../application/auth/logout.js';
import { TOKENS } from '../../../infrastructure/tokens.js';
import { authedProcedure, publicProcedure, router } from '../trpc.js';

const loginInput = z.object({
  email: z.email().max(254),
  password: z.string().min(1).max(MAX_PASSWORD_LENGTH),
});

const changePasswordInput = z.object({
  currentPassword: z.string().min(1).max(MAX_PASSWORD_LENGTH),
  newPassword: z.string().min(MIN_PASSWORD_LENGTH).max(MAX_PASSWORD_LENGTH),
});

const origin = (ctx: { ip: string; userAgent?: string }) => ({
  ip: ctx.ip,
  ...(ctx.userAgent === undefined ? {} : { userAgent: ctx.userAgent }),
});

export const authRouter = router({
  /** E-mail + password → `{ token, expiresAt, agent }`. Send the token as `Authorization: Bearer` (HTTP) or `connectionParams.token` (ws). */
  login: publicProcedure
    .input(loginInput)
    .mutation(({ ctx, input }) =>
      ctx.container.resolve<Login>(TOKENS.Login).execute({ ...input, ...origin(ctx) }),
    ),

  /** Ends the current session (idempotent). */
  logout: authedProcedure.mutation(async ({ ctx }) => {
    await ctx.container.resolve<Logout>(TOKENS.Logout).execute({ token: ctx.token!, ...origin(ctx) });
    return { ok: true as const };
  }),

  /** The signed-in agent and what they may do. */
  me: authedProcedure.query(({ ctx }) => ({
    agent: ctx.agent.profile,
    permissions: [...ctx.agent.permissions],
    session: { expiresAt: ctx.agent.session.expiresAt },
  })),

  /** Ends every session of the agent and returns a fresh one for the caller. */
  changePassword: authedProcedure
    .input(changePasswordInput)
    .mutation(({ ctx, input }) =>
      ctx.container
        .resolve<ChangePassword>(TOKENS.ChangePassword)
        .execute({ agentId: ctx.agent.id, ...input, ...origin(ctx) }),
    ),
});
