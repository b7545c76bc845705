/**
 * ProcessInboundWithAi on in-memory ports with the REAL OpenAI adapter (real SDK) against the local
 * stand-in: the decision rule, classification storage, thread rotation, hand-off triggers and
 * effects, and every failure path.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ChangeConversationStatus } from '../../../../src/application/conversations/change-conversation-status.js';
import { UpdateConversation } from '../../../../src/application/conversations/update-conversation.js';
import { SYSTEM } from '../../../../src/application/shared/actor.js';
import { Customer } from '../../../../src/domain/customer/customer.js';
import {
  NEUTRAL_UNDERSTANDING,
  OpenAiStandIn,
  type Understanding,
} from '../../../support/openai-stand-in.js';
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

const classifyAs = (u: Partial<Understanding>) => {
  standIn.classifier = () => ({ ...NEUTRAL_UNDERSTANDING, ...u });
};

describe('a message the assistant answers', () => {
  it('classifies, answers in the conversation thread and queues the answer in the outbox as the AI', async () => {
    classifyAs({ intent: 'shipping', entities: ['envío'] });
    const inbound = await f.receive('¿Hacen envíos a Monterrey?');

    const result = await f.process.execute({ messageId: inbound.message.id });

    expect(result.outcome).toBe('replied');
    // 1. The reading is stored on the customer's message.
    const stored = await f.ports.messages.findById(inbound.message.id);
    expect(stored?.aiProcessed).toBe(true);
    expect(stored?.aiResponse).toEqual({
      intent: 'shipping',
      sentiment: 'neutral',
      confidence: 0.9,
      entities: ['envío'],
    });
    // 2. The answer: an outbound text from the AI, pending in the outbox.
    const [reply] = await f.outbound(inbound.conversation.id);
    expect(reply).toMatchObject({
      sender: 'ai',
      type: 'text',
      status: 'pending',
      content: 'Respuesta a: ¿Hacen envíos a Monterrey?',
    });
    expect(reply?.agentId).toBeUndefined();
    const conversation = await f.ports.conversations.findById(inbound.conversation.id);
    expect(conversation?.lastMessage?.from).toBe('agent');
    expect(conversation?.firstResponseTime).toBe(0);
    expect(f.ports.published.some((e) => e.type === 'message.sent' && e.payload.sender === 'ai')).toBe(true);
    // 3. The thread: one server-side conversation holding the exchange.
    const thread = await f.ports.threads.findActiveByConversation(inbound.conversation.id);
    expect(thread).toMatchObject({ userId: '+525512345678', messageCount: 1, isActive: true });
    expect(thread?.threadId).toMatch(/^conv_/);
    expect(result.outcome === 'replied' && result.threadId).toBe(thread?.threadId);
    expect(standIn.conversations.get(thread!.threadId)?.metadata).toEqual({
      crmConversationId: inbound.conversation.id,
      crmCustomerId: inbound.customer.id,
    });
  });

  it('uses the ai_model and ai_instructions settings, or the conversation model when it is overridden', async () => {
    await f.setSetting('ai_model', 'gpt-4.1-mini');
    await f.setSetting('ai_instructions', 'Eres Lupita, de Tienda Sol.');
    const first = await f.receive('Hola');
    await f.process.execute({ messageId: first.message.id });

    const reply = standIn.responsesCalls().find((c) => c.conversation);
    expect(reply).toMatchObject({ model: 'gpt-4.1-mini', instructions: 'Eres Lupita, de Tienda Sol.' });
    expect(standIn.responsesCalls().find((c) => c.format)?.model).toBe('gpt-4.1-mini');

    const record = (await f.ports.conversations.findById(first.conversation.id))!;
    await f.ports.conversations.update({ ...record, aiModel: 'gpt-4o' });
    standIn.requests.length = 0;
    const second = await f.receive('¿Y los precios?');
    await f.process.execute({ messageId: second.message.id });
    expect(standIn.responsesCalls().map((c) => c.model)).toEqual(['gpt-4o', 'gpt-4o']);
  });

  it('answers a conversation auto-assigned to an agent who has not taken over', async () => {
    await seedAgent(f.ports, 'agent');
    const inbound = await f.receive('Hola');
    expect(inbound.conversation.assignedAgent).toBeDefined();
    expect(inbound.conversation.assignedBy).toBeUndefined();

    expect((await f.process.execute({ messageId: inbound.message.id })).outcome).toBe('replied');
  });
});

describe('the decision rule: each condition stops the answer, and the reading is still stored', () => {
  async function expectDeclined(messageId: string, reason: string) {
    const result = await f.process.execute({ messageId });
    expect(result).toMatchObject({ outcome: 'declined', reason });
    const stored = await f.ports.messages.findById(messageId);
    expect(stored?.aiProcessed).toBe(true);
    expect(standIn.requestsTo('/v1/conversations')).toHaveLength(0);
    expect(standIn.responsesCalls().filter((c) => c.conversation)).toHaveLength(0);
    expect(await f.outbound(stored!.conversationId)).toHaveLength(0);
    return stored!;
  }

  it('ai_response_enabled off', async () => {
    await f.setSetting('ai_response_enabled', false);
    const inbound = await f.receive('¿Hacen envíos?');
    const stored = await expectDeclined(inbound.message.id, 'ai_disabled_globally');
    expect(stored.aiResponse?.intent).toBe('product_question');
  });

  it('AI switched off for the conversation', async () => {
    const inbound = await f.receive('Hola');
    await new UpdateConversation(f.ports).execute({
      actor: SYSTEM,
      conversationId: inbound.conversation.id,
      isAIEnabled: false,
    });
    await expectDeclined(inbound.message.id, 'ai_disabled_for_conversation');
  });

  it('autoResponses off', async () => {
    const inbound = await f.receive('Hola');
    await new UpdateConversation(f.ports).execute({
      actor: SYSTEM,
      conversationId: inbound.conversation.id,
      autoResponses: false,
    });
    await expectDeclined(inbound.message.id, 'auto_responses_off');
  });

  it('a blocked customer', async () => {
    const inbound = await f.receive('Hola');
    const customer = Customer.fromPrimitives(inbound.customer);
    customer.block('spam', f.ports.clock.now());
    await f.ports.customers.update(customer.toPrimitives());
    await expectDeclined(inbound.message.id, 'customer_blocked');
  });

  it('a closed conversation', async () => {
    const inbound = await f.receive('Hola');
    await new ChangeConversationStatus(f.ports).execute({
      actor: SYSTEM,
      conversationId: inbound.conversation.id,
      status: 'closed',
    });
    await expectDeclined(inbound.message.id, 'conversation_closed');
  });

  it('ai_response_hours outside_business_hours: not during business hours, yes on a Saturday', async () => {
    await f.setSetting('ai_response_hours', 'outside_business_hours');
    const monday = await f.receive('Hola'); // TestClock: Monday 10:00 Mexico City
    await expectDeclined(monday.message.id, 'inside_business_hours');

    f.ports.clock.set('2026-03-07T16:00:00Z'); // Saturday 10:00
    const saturday = await f.receive('¿Abren hoy?');
    expect((await f.process.execute({ messageId: saturday.message.id })).outcome).toBe('replied');
  });

  it('the 24-hour window closed before the message was processed', async () => {
    const inbound = await f.receive('Hola');
    f.ports.clock.advanceMinutes(24 * 60);
    await expectDeclined(inbound.message.id, 'window_closed');
  });

  it('a message without text (an image): no classification, no answer', async () => {
    const inbound = await f.receive('', { type: 'image', media: { id: 'media-1', mimeType: 'image/jpeg' } });
    const result = await f.process.execute({ messageId: inbound.message.id });
    expect(result).toEqual({ outcome: 'declined', reason: 'unsupported_type' });
    expect(standIn.requests).toHaveLength(0);
    expect((await f.ports.messages.findById(inbound.message.id))?.aiResponse).toBeUndefined();
  });

  it('no assistant configured: nothing happens', async () => {
    const off = makeAiFixture(standIn, { withoutAssistant: true });
    const inbound = await off.receive('Hola');
    expect(await off.process.execute({ messageId: inbound.message.id })).toEqual({
      outcome: 'skipped',
      reason: 'assistant_not_configured',
    });
    expect((await off.ports.messages.findById(inbound.message.id))?.aiProcessed).toBe(false);
  });

  it('skips outbound messages and unknown ids', async () => {
    const inbound = await f.receive('Hola');
    await f.process.execute({ messageId: inbound.message.id });
    const [reply] = await f.outbound(inbound.conversation.id);
    expect(await f.process.execute({ messageId: reply!.id })).toEqual({
      outcome: 'skipped',
      reason: 'not_customer_message',
    });
    expect(await f.process.execute({ messageId: f.ports.ids.next() })).toEqual({
      outcome: 'skipped',
      reason: 'message_not_found',
    });
  });
});

describe('one processing per message (claim)', () => {
  it('a second run, or a racing one, is skipped: one answer', async () => {
    const inbound = await f.receive('Hola');
    const results = await Promise.all([
      f.process.execute({ messageId: inbound.message.id }),
      f.process.execute({ messageId: inbound.message.id }),
    ]);
    expect(results.map((r) => r.outcome).sort()).toEqual(['replied', 'skipped']);
    expect(await f.process.execute({ messageId: inbound.message.id })).toEqual({
      outcome: 'skipped',
      reason: 'already_claimed',
    });
    expect(await f.outbound(inbound.conversation.id)).toHaveLength(1);
  });
});

describe('thread rotation', () => {
  it('rotates to a fresh OpenAI conversation after ai_thread_max_messages exchanges', async () => {
    await f.setSetting('ai_thread_max_messages', 2);
    const ids: string[] = [];
    for (const text of ['uno', 'dos', 'tres']) {
      const inbound = await f.receive(text);
      const result = await f.process.execute({ messageId: inbound.message.id });
      if (result.outcome !== 'replied') throw new Error(`not replied: ${result.outcome}`);
      ids.push(result.threadId);
      f.ports.clock.advanceMinutes(1);
    }
    expect(ids[0]).toBe(ids[1]);
    expect(ids[2]).not.toBe(ids[0]);
    const thread = await f.ports.threads.findActiveByConversation((await f.receive('x')).conversation.id);
    expect(thread).toMatchObject({ threadId: ids[2], messageCount: 1 });
    expect(thread?.lastCleanup).toEqual(new Date('2026-03-02T16:02:00Z'));
    // The old server-side conversation kept its two exchanges; the new one starts fresh.
    expect(standIn.conversations.get(ids[0]!)?.items).toHaveLength(4);
    expect(standIn.conversations.get(ids[2]!)?.items).toHaveLength(2);
  });

  it('rotates after ai_thread_idle_minutes of silence, not before', async () => {
    await f.setSetting('ai_thread_idle_minutes', 30);
    const answer = async (text: string) => {
      const result = await f.process.execute({ messageId: (await f.receive(text)).message.id });
      if (result.outcome !== 'replied') throw new Error(`not replied: ${result.outcome}`);
      return result.threadId;
    };
    const first = await answer('hola');
    f.ports.clock.advanceMinutes(30);
    expect(await answer('sigo aquí')).toBe(first);
    f.ports.clock.advanceMinutes(31);
    const third = await answer('¿hola?');
    expect(third).not.toBe(first);
    expect(standIn.requestsTo('/v1/conversations')).toHaveLength(2);
  });

  it('starts a fresh conversation when OpenAI no longer knows the thread (404), and answers there', async () => {
    const first = await f.receive('hola');
    const done = await f.process.execute({ messageId: first.message.id });
    if (done.outcome !== 'replied') throw new Error('not replied');
    standIn.conversations.delete(done.threadId);

    const second = await f.process.execute({ messageId: (await f.receive('¿sigues ahí?')).message.id });

    expect(second.outcome).toBe('replied');
    if (second.outcome === 'replied') expect(second.threadId).not.toBe(done.threadId);
  });
});

describe('hand-off to a person', () => {
  async function handOff(text: string) {
    const inbound = await f.receive(text);
    const agent = await seedAgent(f.ports, 'agent'); // comes online after the conversation was queued
    const result = await f.process.execute({ messageId: inbound.message.id });
    const conversation = (await f.ports.conversations.findById(inbound.conversation.id))!;
    return { inbound, agent, result, conversation };
  }

  it('when the customer asks for a person: AI off, priority up, assigned, summary note, activity, event, no answer', async () => {
    classifyAs({ intent: 'human_request', wantsHuman: true, confidence: 0.95 });
    standIn.replier = () =>
      'La clienta quiere cambiar la dirección de su pedido 123; el asistente no respondió aún.';

    const { inbound, agent, result, conversation } = await handOff('Quiero hablar con una persona');

    expect(result).toMatchObject({ outcome: 'handed_off', reason: 'customer_asked_for_human' });
    expect(conversation.isAIEnabled).toBe(false);
    expect(conversation.priority).toBe('high'); // medium → high
    expect(conversation.assignedAgent).toBe(agent.record.id);
    expect(conversation.status).toBe('assigned');
    // The note for the agent, with the assistant's summary.
    const note = conversation.internalNotes.at(-1)!;
    expect(note.agent).toBe(agent.record.id);
    expect(note.isVisible).toBe(false);
    expect(note.content).toContain('asked to talk to a person');
    expect(note.content).toContain('La clienta quiere cambiar la dirección de su pedido 123');
    const summaryCall = standIn.responsesCalls().find((c) => c.instructions?.includes('human agent'));
    expect(summaryCall?.inputText).toContain('Customer: Quiero hablar con una persona');
    // The activity log and the live inbox.
    const log = await f.ports.activity.listByEntity('conversation', inbound.conversation.id, { limit: 20 });
    const handoffEntry = log.items.find((e) => e.details.reason?.startsWith('AI hand-off'));
    expect(handoffEntry?.details.after).toMatchObject({
      isAIEnabled: false,
      priority: 'high',
      handoffReason: 'customer_asked_for_human',
    });
    expect(log.items.some((e) => e.action === 'assigned')).toBe(true);
    const event = f.ports.published.find((e) => e.type === 'conversation.handoff');
    expect(event?.payload).toMatchObject({
      conversationId: inbound.conversation.id,
      customerId: inbound.customer.id,
      assignedAgent: agent.record.id,
      reason: 'customer_asked_for_human',
      priority: 'high',
      messageId: inbound.message.id,
    });
    // No answer, no AI thread; the reading is stored.
    expect(await f.outbound(inbound.conversation.id)).toHaveLength(0);
    expect(standIn.requestsTo('/v1/conversations')).toHaveLength(0);
    expect((await f.ports.messages.findById(inbound.message.id))?.aiResponse?.intent).toBe('human_request');
  });

  it('on negative sentiment', async () => {
    classifyAs({ sentiment: 'negative', intent: 'complaint' });
    const { result, conversation } = await handOff('¡Llevo una semana esperando, es un pésimo servicio!');
    expect(result).toMatchObject({ outcome: 'handed_off', reason: 'negative_sentiment' });
    expect(conversation.isAIEnabled).toBe(false);
    expect(conversation.internalNotes.at(-1)?.content).toContain('sentiment negative');
  });

  it('on confidence below ai_handoff_confidence_threshold, and not at or above it', async () => {
    classifyAs({ confidence: 0.3 });
    const { result } = await handOff('mmm lo del otro día');
    expect(result).toMatchObject({ outcome: 'handed_off', reason: 'low_confidence' });

    f = makeAiFixture(standIn);
    await f.setSetting('ai_handoff_confidence_threshold', 0.3);
    const inbound = await f.receive('mmm lo del otro día');
    expect((await f.process.execute({ messageId: inbound.message.id })).outcome).toBe('replied');
  });

  it('stays queued when nobody can take it: the note goes to a supervisor', async () => {
    classifyAs({ wantsHuman: true });
    const admin = await seedAgent(f.ports, 'admin', { status: 'offline' });
    const inbound = await f.receive('Un asesor por favor');

    const result = await f.process.execute({ messageId: inbound.message.id });

    expect(result.outcome).toBe('handed_off');
    const conversation = (await f.ports.conversations.findById(inbound.conversation.id))!;
    expect(conversation.assignedAgent).toBeUndefined();
    expect(conversation.status).toBe('open');
    expect(conversation.isAIEnabled).toBe(false);
    expect(conversation.internalNotes.at(-1)?.agent).toBe(admin.record.id);
    expect(f.ports.published.find((e) => e.type === 'conversation.handoff')?.payload).toMatchObject({
      assigned: false,
    });
  });

  it('keeps the agent a conversation already has', async () => {
    const agent = await seedAgent(f.ports, 'agent');
    classifyAs({ wantsHuman: true });
    const inbound = await f.receive('Con una persona');
    await f.process.execute({ messageId: inbound.message.id });
    const conversation = (await f.ports.conversations.findById(inbound.conversation.id))!;
    expect(conversation.assignedAgent).toBe(agent.record.id);
    expect(conversation.internalNotes.at(-1)?.agent).toBe(agent.record.id);
  });

  it('an urgent conversation stays urgent', async () => {
    const inbound = await f.receive('hola');
    const record = (await f.ports.conversations.findById(inbound.conversation.id))!;
    await f.ports.conversations.update({ ...record, priority: 'urgent' });
    classifyAs({ sentiment: 'negative' });
    const second = await f.receive('esto es terrible');
    await f.process.execute({ messageId: inbound.message.id });
    await f.process.execute({ messageId: second.message.id });
    expect((await f.ports.conversations.findById(inbound.conversation.id))?.priority).toBe('urgent');
  });

  it('the agent gives the conversation back by switching AI on again', async () => {
    classifyAs({ wantsHuman: true });
    const { inbound } = await handOff('Persona por favor');
    await new UpdateConversation(f.ports).execute({
      actor: SYSTEM,
      conversationId: inbound.conversation.id,
      isAIEnabled: true,
    });

    classifyAs({});
    const next = await f.receive('Gracias, ya me ayudaron. ¿Horario de la tienda?');
    expect((await f.process.execute({ messageId: next.message.id })).outcome).toBe('replied');
  });
});

describe('failures of the assistant', () => {
  it('classification fails (500): hand-off with a plain note when the summary fails too', async () => {
    standIn.always('/v1/responses', { status: 500 });
    await seedAgent(f.ports, 'agent');
    const inbound = await f.receive('Hola');

    const result = await f.process.execute({ messageId: inbound.message.id });

    expect(result).toEqual({ outcome: 'handed_off', reason: 'assistant_failed', failure: 'server_error' });
    const stored = await f.ports.messages.findById(inbound.message.id);
    expect(stored?.aiProcessed).toBe(true); // claimed: not processed twice
    expect(stored?.aiResponse).toBeUndefined();
    const conversation = (await f.ports.conversations.findById(inbound.conversation.id))!;
    expect(conversation.isAIEnabled).toBe(false);
    const note = conversation.internalNotes.at(-1)!.content;
    expect(note).toContain('AI failure: server_error');
    expect(note).toContain('The automatic summary could not be written (AI server_error)');
  });

  it('the answer times out: hand-off (timeout), and the summary that works is in the note', async () => {
    f = makeAiFixture(standIn, { timeoutMs: { reply: 80 } });
    await seedAgent(f.ports, 'supervisor', { status: 'offline' });
    standIn.replier = (call) => {
      if (call.conversation) return 'never seen';
      return 'Resumen: pregunta por envíos.';
    };
    const inbound = await f.receive('¿Hacen envíos?');
    standIn.script('/v1/responses', { delayMs: 0 }); // the classification answers at once
    standIn.script('/v1/responses', { delayMs: 1_000 }); // the reply is too slow

    const result = await f.process.execute({ messageId: inbound.message.id });

    expect(result).toMatchObject({ outcome: 'handed_off', reason: 'assistant_failed', failure: 'timeout' });
    expect(result.outcome === 'handed_off' && result.understanding?.intent).toBe('product_question');
    const conversation = (await f.ports.conversations.findById(inbound.conversation.id))!;
    expect(conversation.internalNotes.at(-1)?.content).toContain('Resumen: pregunta por envíos.');
    expect(await f.outbound(inbound.conversation.id)).toHaveLength(0);
  });

  it('a 429 then success is retried by the SDK and answered', async () => {
    f = makeAiFixture(standIn, { maxRetries: 2 });
    const inbound = await f.receive('Hola');
    standIn.script('/v1/responses', {
      status: 429,
      error: { message: 'Rate limit reached', code: 'rate_limit_exceeded' },
    });

    const result = await f.process.execute({ messageId: inbound.message.id });

    expect(result.outcome).toBe('replied');
    expect(standIn.requestsTo('/v1/responses')).toHaveLength(3); // 429, classification retried, reply
  });

  it('500s open the breaker: later messages fail fast and hand off; after the cool-down it recovers', async () => {
    f = makeAiFixture(standIn, { breaker: { failureThreshold: 2, coolDownMs: 60_000 } });
    await seedAgent(f.ports, 'admin', { status: 'offline' });
    standIn.always('/v1/responses', { status: 500 });
    standIn.always('/v1/conversations', { status: 500 });

    const first = await f.receive('uno');
    expect(await f.process.execute({ messageId: first.message.id })).toMatchObject({
      failure: 'server_error',
    });
    expect(f.assistant.circuitState).toBe('open'); // classification + summary failed

    // Another customer: fails at once, without calling OpenAI.
    const before = standIn.requests.length;
    const started = Date.now();
    const second = await f.receive('dos', { from: '5215599999999' });
    const outcome = await f.process.execute({ messageId: second.message.id });
    expect(outcome).toEqual({ outcome: 'handed_off', reason: 'assistant_failed', failure: 'circuit_open' });
    expect(Date.now() - started).toBeLessThan(500);
    expect(standIn.requests.length).toBe(before);
    const note = (await f.ports.conversations.findById(second.conversation.id))!.internalNotes.at(
      -1,
    )!.content;
    expect(note).toContain('AI circuit_open');

    // OpenAI is back; after the cool-down one trial goes through and closes the breaker.
    standIn.always('/v1/responses', undefined);
    standIn.always('/v1/conversations', undefined);
    f.ports.clock.advanceMinutes(1);
    const third = await f.receive('tres', { from: '5215588888888' });
    expect((await f.process.execute({ messageId: third.message.id })).outcome).toBe('replied');
    expect(f.assistant.circuitState).toBe('closed');
  });

  it('drops the answer when an agent took over while the assistant was thinking', async () => {
    const inbound = await f.receive('Hola');
    standIn.replier = (call) => {
      if (call.conversation) {
        // Meanwhile, an agent switches the AI off (what the take-over does).
        void new UpdateConversation(f.ports).execute({
          actor: SYSTEM,
          conversationId: inbound.conversation.id,
          isAIEnabled: false,
        });
      }
      return 'demasiado tarde';
    };

    const result = await f.process.execute({ messageId: inbound.message.id });

    expect(result).toMatchObject({ outcome: 'reply_dropped', reason: 'ai_disabled_for_conversation' });
    expect(await f.outbound(inbound.conversation.id)).toHaveLength(0);
  });
});
