/**
 * The `ai` router through a tRPC caller, on an in-memory container whose AI port is the real OpenAI
 * adapter pointed at the stand-in.
 */
import { TRPCError } from '@trpc/server';
import { pino } from 'pino';
import type { DependencyContainer } from 'tsyringe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthenticatedAgent } from '../../../../src/application/auth/authenticated-agent.js';
import type { UseCases } from '../../../../src/application/use-cases.js';
import type { Permission } from '../../../../src/domain/agent/agent.types.js';
import { defaultPermissionsFor } from '../../../../src/domain/authorization/role-permissions.js';
import { testConfig } from '../../../../src/infrastructure/config.js';
import { createInMemoryContainer } from '../../../../src/infrastructure/container.js';
import { TOKENS } from '../../../../src/infrastructure/tokens.js';
import type { Context } from '../../../../src/interfaces/trpc/context.js';
import { aiRouter } from '../../../../src/interfaces/trpc/routers/ai-router.js';
import { createCallerFactory } from '../../../../src/interfaces/trpc/trpc.js';
import { OpenAiStandIn } from '../../../support/openai-stand-in.js';

let standIn: OpenAiStandIn;
beforeAll(async () => {
  standIn = await OpenAiStandIn.start();
});
afterAll(async () => {
  await standIn.close();
});

const createCaller = createCallerFactory(aiRouter);

function callerFor(
  container: DependencyContainer,
  permissions: Permission[] = defaultPermissionsFor('supervisor'),
) {
  const agent = {
    id: 'a00000000000000000000001',
    role: 'supervisor',
    permissions,
    isActive: true,
    email: 'sup@example.com',
    profile: {} as AuthenticatedAgent['profile'],
    session: { id: 's', expiresAt: new Date(Date.now() + 60_000) },
  } as AuthenticatedAgent;
  const ctx: Context = {
    agent,
    ip: '127.0.0.1',
    requestId: 'req-1',
    log: pino({ level: 'silent' }),
    container,
    transport: 'http',
  };
  return createCaller(ctx);
}

async function conversationIn(container: DependencyContainer): Promise<string> {
  const uc = container.resolve<UseCases>(TOKENS.UseCases);
  const { conversation } = await uc.messages.receive.execute({
    whatsappMessageId: `wamid.ROUTER${Math.random()}`,
    from: '5215512345678',
    phoneNumberId: '106540352242922',
    timestamp: new Date(),
    type: 'text',
    content: '¿Cuánto cuesta el envío?',
  });
  return conversation.id;
}

async function caught(promise: Promise<unknown>): Promise<TRPCError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TRPCError);
  return error as TRPCError;
}

describe('ai router', () => {
  it('suggestReply and summarize answer for an agent allowed to use the AI', async () => {
    const container = createInMemoryContainer(
      testConfig({ OPENAI_API_KEY: standIn.apiKey, OPENAI_BASE_URL: standIn.baseURL }),
    );
    const conversationId = await conversationIn(container);
    standIn.replier = (call) =>
      call.instructions?.includes('drafting')
        ? 'El envío cuesta 99 MXN.'
        : 'Pregunta por el costo del envío.';
    const caller = callerFor(container);

    expect(await caller.suggestReply({ conversationId })).toEqual({
      draft: 'El envío cuesta 99 MXN.',
      model: 'gpt-4o-mini',
    });
    expect(await caller.summarize({ conversationId })).toEqual({
      summary: 'Pregunta por el costo del envío.',
      model: 'gpt-4o-mini',
    });
  });

  it('refuses without write:messages (FORBIDDEN) and without an assistant (PRECONDITION_FAILED, AI.NOT_CONFIGURED)', async () => {
    const withAi = createInMemoryContainer(
      testConfig({ OPENAI_API_KEY: standIn.apiKey, OPENAI_BASE_URL: standIn.baseURL }),
    );
    const id1 = await conversationIn(withAi);
    const readOnly = callerFor(withAi, ['read:conversations']);
    expect((await caught(readOnly.suggestReply({ conversationId: id1 }))).code).toBe('FORBIDDEN');

    const withoutAi = createInMemoryContainer(testConfig());
    const id2 = await conversationIn(withoutAi);
    const error = await caught(callerFor(withoutAi).summarize({ conversationId: id2 }));
    expect(error.code).toBe('PRECONDITION_FAILED');
    expect((error.cause as { code?: string }).code).toBe('AI.NOT_CONFIGURED');
  });

  it('validates the conversation id', async () => {
    const container = createInMemoryContainer(testConfig());
    expect((await caught(callerFor(container).suggestReply({ conversationId: 'nope' }))).code).toBe(
      'BAD_REQUEST',
    );
  });
});
