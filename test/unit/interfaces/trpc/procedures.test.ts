import { TRPCError } from '@trpc/server';
import { pino } from 'pino';
import { container } from 'tsyringe';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { AuthenticatedAgent } from '../../../../src/application/auth/authenticated-agent.js';
import {
  BusinessRuleError,
  ConcurrencyError,
  type DomainError,
  ForbiddenError,
  NotFoundError,
  RateLimitedError,
  UnauthorizedError,
  ValidationError,
} from '../../../../src/domain/shared/errors.js';
import type { Context } from '../../../../src/interfaces/trpc/context.js';
import { KIND_TO_TRPC_CODE, toTRPCError } from '../../../../src/interfaces/trpc/error-mapping.js';
import {
  authedProcedure,
  createCallerFactory,
  permissionProcedure,
  publicProcedure,
  router,
} from '../../../../src/interfaces/trpc/trpc.js';

const testRouter = router({
  fail: publicProcedure.input(z.object({ kind: z.string() })).query(({ input }) => {
    const errors: Record<string, DomainError | Error> = {
      validation: new ValidationError('name', 'is required'),
      rule: new BusinessRuleError('MESSAGE.WINDOW_CLOSED', 'The 24-hour window is closed'),
      not_found: new NotFoundError('conversation', 'c1'),
      conflict: new ConcurrencyError('ticket', 't1'),
      forbidden: new ForbiddenError(),
      unauthorized: new UnauthorizedError(),
      rate_limited: new RateLimitedError('slow down', 30),
      bug: new Error('TypeError: cannot read x of undefined at /srv/app.ts:12'),
    };
    throw errors[input.kind];
  }),
  whoami: authedProcedure.query(({ ctx }) => ctx.agent.id),
  analytics: permissionProcedure('view:analytics').query(() => 'numbers'),
});

const createCaller = createCallerFactory(testRouter);

function ctx(agent?: Partial<AuthenticatedAgent>): Context {
  return {
    ...(agent
      ? {
          agent: {
            id: 'a00000000000000000000001',
            role: 'agent',
            permissions: ['read:conversations'],
            isActive: true,
            email: 'ana@example.com',
            profile: {} as AuthenticatedAgent['profile'],
            session: { id: 's', expiresAt: new Date(Date.now() + 60_000) },
            ...agent,
          } as AuthenticatedAgent,
        }
      : {}),
    ip: '127.0.0.1',
    requestId: 'req-1',
    log: pino({ level: 'silent' }),
    container,
    transport: 'http',
  };
}

async function caught(promise: Promise<unknown>): Promise<TRPCError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof TRPCError) return err;
    throw err;
  }
  throw new Error('expected a TRPCError');
}

describe('error mapping through the procedures', () => {
  it.each(Object.entries(KIND_TO_TRPC_CODE))(
    'a %s domain error becomes %s, keeping its message',
    async (kind, code) => {
      const err = await caught(createCaller(ctx()).fail({ kind }));
      expect(err.code).toBe(code);
      expect((err.cause as DomainError).kind).toBe(kind);
    },
  );

  it('documents the choice for rule refusals: PRECONDITION_FAILED', () => {
    expect(toTRPCError(new BusinessRuleError('X.Y', 'no')).code).toBe('PRECONDITION_FAILED');
  });

  it('anything else becomes INTERNAL_SERVER_ERROR with a generic message', async () => {
    const err = await caught(createCaller(ctx()).fail({ kind: 'bug' }));
    expect(err.code).toBe('INTERNAL_SERVER_ERROR');
    expect(err.message).toBe('Internal server error');
  });

  it('bad input is BAD_REQUEST', async () => {
    const err = await caught(createCaller(ctx()).fail({ kind: 42 } as unknown as { kind: string }));
    expect(err.code).toBe('BAD_REQUEST');
  });
});

describe('base procedures', () => {
  it('authedProcedure refuses a caller without a session', async () => {
    const err = await caught(createCaller(ctx()).whoami());
    expect(err.code).toBe('UNAUTHORIZED');
  });

  it('authedProcedure passes a refused token on as that refusal', async () => {
    const err = await caught(
      createCaller({
        ...ctx(),
        authError: new UnauthorizedError('expired', 'AUTH.SESSION_INVALID'),
      }).whoami(),
    );
    expect(err).toMatchObject({ code: 'UNAUTHORIZED', message: 'expired' });
  });

  it('authedProcedure gives the agent to the procedure', async () => {
    await expect(createCaller(ctx({})).whoami()).resolves.toBe('a00000000000000000000001');
  });

  it('permissionProcedure refuses an agent without the permission (FORBIDDEN) and admits one with it', async () => {
    const err = await caught(createCaller(ctx({ permissions: ['read:conversations'] })).analytics());
    expect(err.code).toBe('FORBIDDEN');
    await expect(createCaller(ctx({ permissions: ['view:analytics'] })).analytics()).resolves.toBe('numbers');
  });
});
