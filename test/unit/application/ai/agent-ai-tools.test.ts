/**
 * The agent's AI tools (ai.suggestReply, ai.summarize) and the human take-over, with the REAL
 * OpenAI adapter against the stand-in.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SuggestReply } from '../../../../src/application/ai/suggest-reply.js';
import { SummarizeConversation } from '../../../../src/application/ai/summarize-conversation.js';
import { TakeOverFromAi } from '../../../../src/application/ai/take-over-from-ai.js';
import { AssignConversation } from '../../../../src/application/conversations/assign-conversation.js';
import { SendMessage } from '../../../../src/application/messages/send-message.js';
import { OpenAiStandIn } from '../../../support/openai-stand-in.js';
import { seedAgent } from '../../../support/test-ports.js';
import { type AiFixture, makeAiFixture } from './ai-fixture.js';

let standIn: OpenAiStandIn;
let f: AiFixture;

beforeAll(async () => {
  standIn = await OpenAiStandIn.start();
});
afterAll(async () => {
  await standIn.close();
});
beforeEach(() => {
  standIn.reset();
  f = makeAiFixture(standIn);
});

async function expectRefused(promise: Promise<unknown>, code: string) {
  await expect(promise).rejects.toMatchObject({ code });
}

describe('ai.suggestReply', () => {
  it('returns a draft from the conversation, and never sends or stores anything', async () => {
    const agent = await seedAgent(f.ports, 'agent');
    const inbound = await f.receive('¿Tienen la talla 28 del pantalón azul?');
    await f.setSetting('ai_instructions', 'Eres Lupita, de Tienda Sol.');
    standIn.replier = () => 'Hola Ana, sí tenemos la talla 28 en azul. ¿Te lo apartamos?';
    const messagesBefore = await f.ports.messages.countByConversation(inbound.conversation.id);
    const eventsBefore = f.ports.published.length;
    const conversationBefore = await f.ports.conversations.findById(inbound.conversation.id);

    const result = await new SuggestReply(f.ports).execute({
      actor: agent.actor,
      conversationId: inbound.conversation.id,
    });

    expect(result).toEqual({
      draft: 'Hola Ana, sí tenemos la talla 28 en azul. ¿Te lo apartamos?',
      model: 'gpt-4o-mini',
    });
    expect(await f.ports.messages.countByConversation(inbound.conversation.id)).toBe(messagesBefore);
    expect(await f.outbound(inbound.conversation.id)).toHaveLength(0);
    expect(f.ports.published.length).toBe(eventsBefore);
    expect(await f.ports.conversations.findById(inbound.conversation.id)).toEqual(conversationBefore);
    const [call] = standIn.responsesCalls();
    expect(call?.store).toBe(false);
    expect(call?.conversation).toBeUndefined();
    expect(call?.instructions?.startsWith('Eres Lupita, de Tienda Sol.')).toBe(true);
    expect(call?.inputText).toBe('Customer: ¿Tienen la talla 28 del pantalón azul?');
    expect(standIn.requestsTo('/v1/conversations')).toHaveLength(0);
  });

  it('needs ai.use on the conversation: not for an agent on another agent’s conversation', async () => {
    const owner = await seedAgent(f.ports, 'agent');
    const other = await seedAgent(f.ports, 'agent');
    const inbound = await f.receive('Hola');
    expect(inbound.conversation.assignedAgent).toBe(owner.record.id);

    await expectRefused(
      new SuggestReply(f.ports).execute({ actor: other.actor, conversationId: inbound.conversation.id }),
      'AUTH.FORBIDDEN',
    );
    await expectRefused(
      new SuggestReply(f.ports).execute({
        actor: { ...owner.actor, permissions: owner.actor.permissions.filter((p) => p !== 'write:messages') },
        conversationId: inbound.conversation.id,
      }),
      'AUTH.FORBIDDEN',
    );
    expect(standIn.requests).toHaveLength(0);
  });

  it('refuses with AI.NOT_CONFIGURED without an assistant and AI.UNAVAILABLE when it fails', async () => {
    const off = makeAiFixture(standIn, { withoutAssistant: true });
    const agent = await seedAgent(off.ports, 'supervisor');
    const inbound = await off.receive('Hola');
    await expectRefused(
      new SuggestReply(off.ports).execute({ actor: agent.actor, conversationId: inbound.conversation.id }),
      'AI.NOT_CONFIGURED',
    );

    const sup = await seedAgent(f.ports, 'supervisor');
    const other = await f.receive('Hola');
    standIn.script('/v1/responses', { status: 503 });
    await expectRefused(
      new SuggestReply(f.ports).execute({ actor: sup.actor, conversationId: other.conversation.id }),
      'AI.UNAVAILABLE',
    );
  });
});

describe('ai.summarize', () => {
  it('summarises the transcript (oldest first, every speaker) without storing anything', async () => {
    const agent = await seedAgent(f.ports, 'agent');
    const inbound = await f.receive('Mi pedido 123 no ha llegado');
    f.ports.clock.advanceMinutes(1);
    await new SendMessage(f.ports).execute({
      actor: agent.actor,
      conversationId: inbound.conversation.id,
      message: { type: 'text', content: 'Lo reviso enseguida' },
    });
    standIn.replier = () => '  Pedido 123 retrasado; el agente lo está revisando.  ';

    const result = await new SummarizeConversation(f.ports).execute({
      actor: agent.actor,
      conversationId: inbound.conversation.id,
    });

    expect(result).toEqual({
      summary: 'Pedido 123 retrasado; el agente lo está revisando.',
      model: 'gpt-4o-mini',
    });
    const [call] = standIn.responsesCalls();
    expect(call?.inputText).toBe('Customer: Mi pedido 123 no ha llegado\nAgent: Lo reviso enseguida');
    expect(call?.store).toBe(false);
  });

  it('an empty conversation: an empty summary, no AI call', async () => {
    const agent = await seedAgent(f.ports, 'supervisor');
    const inbound = await f.receive('Hola');
    await f.ports.messages.deleteByConversation(inbound.conversation.id);
    const result = await new SummarizeConversation(f.ports).execute({
      actor: agent.actor,
      conversationId: inbound.conversation.id,
    });
    expect(result.summary).toBe('');
    expect(standIn.requests).toHaveLength(0);
  });

  it('needs ai.use and an assistant', async () => {
    const owner = await seedAgent(f.ports, 'agent');
    const other = await seedAgent(f.ports, 'agent');
    const inbound = await f.receive('Hola');
    expect(inbound.conversation.assignedAgent).toBe(owner.record.id);
    await expectRefused(
      new SummarizeConversation(f.ports).execute({
        actor: other.actor,
        conversationId: inbound.conversation.id,
      }),
      'AUTH.FORBIDDEN',
    );
    standIn.script('/v1/responses', { status: 500 });
    await expectRefused(
      new SummarizeConversation(f.ports).execute({
        actor: owner.actor,
        conversationId: inbound.conversation.id,
      }),
      'AI.UNAVAILABLE',
    );
  });
});

describe('ai.takeOver (a human took the conversation)', () => {
  it('switches the AI off, logs who took over and why, and the assistant then stays quiet', async () => {
    const inbound = await f.receive('Hola');
    const agent = await seedAgent(f.ports, 'agent');

    const result = await new TakeOverFromAi(f.ports).execute({
      conversationId: inbound.conversation.id,
      cause: 'agent_message',
      agentId: agent.record.id,
    });

    expect(result).toEqual({ switchedOff: true });
    expect((await f.ports.conversations.findById(inbound.conversation.id))?.isAIEnabled).toBe(false);
    const log = await f.ports.activity.listByEntity('conversation', inbound.conversation.id, { limit: 10 });
    expect(log.items[0]?.details).toMatchObject({
      reason: 'AI switched off: an agent wrote to the customer',
      after: { isAIEnabled: false, takenOverBy: agent.record.id },
    });
    expect(f.ports.published.at(-1)).toMatchObject({
      type: 'conversation.updated',
      payload: { changes: { isAIEnabled: { to: false } } },
    });

    const next = await f.receive('¿Sigue ahí?');
    expect(await f.process.execute({ messageId: next.message.id })).toMatchObject({
      outcome: 'declined',
      reason: 'ai_disabled_for_conversation',
    });
  });

  it('does nothing when the AI is already off or the conversation is gone', async () => {
    const inbound = await f.receive('Hola');
    const takeOver = new TakeOverFromAi(f.ports);
    await takeOver.execute({ conversationId: inbound.conversation.id, cause: 'transfer' });
    const version = (await f.ports.conversations.findById(inbound.conversation.id))?.version;
    expect(await takeOver.execute({ conversationId: inbound.conversation.id, cause: 'transfer' })).toEqual({
      switchedOff: false,
    });
    expect((await f.ports.conversations.findById(inbound.conversation.id))?.version).toBe(version);
    expect(await takeOver.execute({ conversationId: f.ports.ids.next(), cause: 'transfer' })).toEqual({
      switchedOff: false,
    });
  });

  it('is what a manual assignment leads to (the worker wires the event; see ai-worker.test.ts)', async () => {
    const inbound = await f.receive('Hola');
    const agent = await seedAgent(f.ports, 'agent');
    await new AssignConversation(f.ports).execute({
      actor: agent.actor,
      conversationId: inbound.conversation.id,
      agentId: agent.record.id,
    });
    const assigned = f.ports.published.find((e) => e.type === 'conversation.assigned');
    expect(assigned?.payload.assignedBy).toBe(agent.record.id);
  });
});
