/**
 * The composition root: with OPENAI_API_KEY the OpenAI adapter backs `Ports.ai` and the AI worker
 * runs with the app; without it there is no AI port, no worker, and the inbound flow is unchanged.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ports } from '../../../../src/application/ports/ports.js';
import { SYSTEM } from '../../../../src/application/shared/actor.js';
import type { UseCases } from '../../../../src/application/use-cases.js';
import { testConfig } from '../../../../src/infrastructure/config.js';
import { buildApp } from '../../../../src/infrastructure/container.js';
import { OpenAiAssistant } from '../../../../src/infrastructure/openai/openai-assistant.js';
import { TOKENS } from '../../../../src/infrastructure/tokens.js';
import type { AiWorker } from '../../../../src/infrastructure/workers/ai-worker.js';
import { OpenAiStandIn } from '../../../support/openai-stand-in.js';

let standIn: OpenAiStandIn;

beforeAll(async () => {
  standIn = await OpenAiStandIn.start();
});
afterAll(async () => {
  await standIn.close();
});

const inbound = (n: number) => ({
  whatsappMessageId: `wamid.WIRING${n}`,
  from: '5215512345678',
  phoneNumberId: '106540352242922',
  timestamp: new Date(),
  type: 'text' as const,
  content: '¿Hacen envíos?',
});

describe('AI wiring', () => {
  it('without OPENAI_API_KEY: no AI port, no worker, inbound messages stored as before', async () => {
    const app = await buildApp(testConfig(), { inMemory: true });
    try {
      await app.start();
      expect(app.adapters.ai).toBe('off');
      expect(app.container.resolve<Ports>(TOKENS.Ports).ai).toBeUndefined();
      expect(app.container.isRegistered(TOKENS.AiWorker)).toBe(false);

      const uc = app.container.resolve<UseCases>(TOKENS.UseCases);
      const result = await uc.messages.receive.execute(inbound(1));
      expect(result.created).toBe(true);
      expect(result.message.aiProcessed).toBe(false);
      expect(await uc.ai.processInbound.execute({ messageId: result.message.id })).toEqual({
        outcome: 'skipped',
        reason: 'assistant_not_configured',
      });
      expect(standIn.requests).toHaveLength(0);
    } finally {
      await app.stop();
    }
  });

  it('with OPENAI_API_KEY (+ OPENAI_BASE_URL): the OpenAI adapter and the worker answer inbound messages', async () => {
    standIn.reset();
    const config = testConfig({ OPENAI_API_KEY: standIn.apiKey, OPENAI_BASE_URL: standIn.baseURL });
    const app = await buildApp(config, { inMemory: true });
    try {
      await app.start();
      expect(app.adapters.ai).toBe('openai');
      expect(app.container.resolve<Ports>(TOKENS.Ports).ai).toBeInstanceOf(OpenAiAssistant);
      const worker = app.container.resolve<AiWorker>(TOKENS.AiWorker);
      expect(worker.running).toBe(true);

      const uc = app.container.resolve<UseCases>(TOKENS.UseCases);
      const result = await uc.messages.receive.execute(inbound(2));
      await worker.idle();

      const page = await uc.messages.list.execute({
        actor: SYSTEM,
        conversationId: result.conversation.id,
        page: { limit: 10 },
      });
      expect(page.items.find((m) => m.sender === 'ai')?.content).toBe('Respuesta a: ¿Hacen envíos?');
    } finally {
      await app.stop();
    }
    expect(app.container.resolve<AiWorker>(TOKENS.AiWorker).running).toBe(false);
  });
});
