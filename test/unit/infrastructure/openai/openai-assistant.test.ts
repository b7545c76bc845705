/**
 * The OpenAI adapter with the REAL `openai` SDK against the local stand-in server: the Conversations
 * and Responses calls it makes, structured output, timeouts, retries with back-off, and the
 * circuit breaker (closed → open → fast fail → half-open → closed).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AiAssistantError } from '../../../../src/application/ports/gateways.js';
import { createMetrics } from '../../../../src/infrastructure/metrics.js';
import {
  OpenAiAssistant,
  type OpenAiAssistantOptions,
} from '../../../../src/infrastructure/openai/openai-assistant.js';
import { OpenAiStandIn } from '../../../support/openai-stand-in.js';

let standIn: OpenAiStandIn;

beforeAll(async () => {
  standIn = await OpenAiStandIn.start();
});
afterAll(async () => {
  await standIn.close();
});
beforeEach(() => {
  standIn.reset();
});

function assistant(options: Partial<OpenAiAssistantOptions> = {}): OpenAiAssistant {
  return new OpenAiAssistant({ apiKey: standIn.apiKey, baseURL: standIn.baseURL, maxRetries: 2, ...options });
}

async function failure(promise: Promise<unknown>): Promise<AiAssistantError> {
  const error = await promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AiAssistantError);
  return error as AiAssistantError;
}

describe('OpenAiAssistant: the calls it makes', () => {
  it('startThread creates a server-side conversation with the metadata and returns its id', async () => {
    const id = await assistant().startThread({ conversationId: 'abc', customerId: 'def' });

    expect(id).toMatch(/^conv_/);
    expect(standIn.conversations.get(id)?.metadata).toEqual({ conversationId: 'abc', customerId: 'def' });
    const [request] = standIn.requestsTo('/v1/conversations');
    expect(request?.headers.authorization).toBe(`Bearer ${standIn.apiKey}`);
  });

  it('reply runs a response inside the conversation (model, instructions, input) and returns output_text', async () => {
    const ai = assistant();
    const threadId = await ai.startThread({});
    standIn.replier = (call) => `Hola, sobre "${call.inputText}": sí tenemos envío.`;

    const text = await ai.reply({
      threadId,
      model: 'gpt-4o-mini',
      instructions: 'Sé breve.',
      text: '¿Hacen envíos?',
    });

    expect(text).toBe('Hola, sobre "¿Hacen envíos?": sí tenemos envío.');
    const [call] = standIn.responsesCalls();
    expect(call).toMatchObject({
      model: 'gpt-4o-mini',
      instructions: 'Sé breve.',
      conversation: threadId,
      inputText: '¿Hacen envíos?',
    });
    expect(call?.body).not.toHaveProperty('previous_response_id');
    // The server-side conversation holds both turns.
    expect(standIn.conversations.get(threadId)?.items.map((i) => i.role)).toEqual(['user', 'assistant']);
  });

  it('classify asks for strict json_schema output (not stored) and returns the parsed understanding', async () => {
    standIn.classifier = () => ({
      intent: ' order_status ',
      sentiment: 'negative',
      confidence: 1.4,
      entities: ['pedido 123', 'pedido 123', ' '],
      wantsHuman: true,
    });

    const understanding = await assistant().classify({
      text: 'Mi pedido 123 no llega!!',
      model: 'gpt-4o-mini',
    });

    expect(understanding).toEqual({
      intent: 'order_status',
      sentiment: 'negative',
      confidence: 1, // clamped to 0..1
      entities: ['pedido 123'],
      wantsHuman: true,
    });
    const [call] = standIn.responsesCalls();
    expect(call?.store).toBe(false);
    expect(call?.conversation).toBeUndefined();
    expect(call?.format).toMatchObject({ type: 'json_schema', name: 'message_understanding', strict: true });
    expect(call?.format?.schema).toMatchObject({
      type: 'object',
      additionalProperties: false,
      required: ['intent', 'sentiment', 'confidence', 'entities', 'wantsHuman'],
    });
  });

  it('classify refuses an answer that does not match the schema (invalid_output)', async () => {
    standIn.classifier = () => ({ intent: 'x', sentiment: 'furious' });
    const error = await failure(assistant().classify({ text: 'hola', model: 'm' }));
    expect(error.kind).toBe('invalid_output');
  });

  it('summarize and draftReply are stateless responses over the transcript', async () => {
    const ai = assistant();
    standIn.replier = (call) => (call.instructions?.includes('drafting') ? 'Borrador' : 'Resumen');

    expect(await ai.summarize({ model: 'm', transcript: 'Customer: hola', purpose: 'handoff' })).toBe(
      'Resumen',
    );
    expect(await ai.draftReply({ model: 'm', instructions: 'Persona', transcript: 'Customer: hola' })).toBe(
      'Borrador',
    );

    const calls = standIn.responsesCalls();
    expect(calls.map((c) => c.store)).toEqual([false, false]);
    expect(calls.every((c) => c.conversation === undefined)).toBe(true);
    expect(calls[1]?.instructions?.startsWith('Persona')).toBe(true);
  });

  it('maps a missing conversation to not_found and a wrong key to auth (not retried)', async () => {
    const ai = assistant();
    expect(
      (await failure(ai.reply({ threadId: 'conv_missing', model: 'm', instructions: 'i', text: 't' }))).kind,
    ).toBe('not_found');

    const wrongKey = new OpenAiAssistant({ apiKey: 'sk-wrong', baseURL: standIn.baseURL, maxRetries: 2 });
    standIn.requests.length = 0;
    const error = await failure(wrongKey.startThread({}));
    expect(error.kind).toBe('auth');
    expect(error.status).toBe(401);
    expect(standIn.requests).toHaveLength(1);
  });
});

describe('OpenAiAssistant: timeouts and retries', () => {
  it('gives up on a slow answer after the per-attempt timeout, retrying timeouts (timeout)', async () => {
    standIn.always('/v1/responses', { delayMs: 2_000 });
    const started = Date.now();

    const error = await failure(
      assistant({ timeoutMs: 100, maxRetries: 1 }).classify({ text: 'hola', model: 'm' }),
    );

    expect(error.kind).toBe('timeout');
    expect(standIn.requestsTo('/v1/responses')).toHaveLength(2); // first attempt + 1 retry
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it('never waits past the overall deadline, retries and back-off included', async () => {
    standIn.always('/v1/responses', { status: 503, headers: { 'retry-after-ms': '400' } });
    const started = Date.now();

    const error = await failure(
      assistant({ maxRetries: 5, deadlineMs: 250 }).summarize({ model: 'm', transcript: 't' }),
    );

    expect(error.kind).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(400);
  });

  it('retries a 429 with back-off and then succeeds', async () => {
    standIn.script('/v1/responses', { status: 429, headers: { 'retry-after-ms': '60' } });
    const started = Date.now();

    const text = await assistant().summarize({ model: 'm', transcript: 't' });

    expect(text).toMatch(/Texto para el agente/);
    expect(standIn.requestsTo('/v1/responses')).toHaveLength(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(55); // waited as Retry-After asked
  });

  it('retries 500s twice by default, then fails with server_error', async () => {
    standIn.always('/v1/responses', { status: 500 });
    const error = await failure(
      assistant({ maxRetries: undefined }).summarize({ model: 'm', transcript: 't' }),
    );
    expect(error.kind).toBe('server_error');
    expect(error.status).toBe(500);
    expect(standIn.requestsTo('/v1/responses')).toHaveLength(3);
  });

  it('does not retry a 400 (bad_request)', async () => {
    standIn.script('/v1/responses', { status: 400, error: { message: 'Invalid model', param: 'model' } });
    const error = await failure(assistant().summarize({ model: 'nope', transcript: 't' }));
    expect(error.kind).toBe('bad_request');
    expect(standIn.requestsTo('/v1/responses')).toHaveLength(1);
  });
});

describe('OpenAiAssistant: circuit breaker', () => {
  it('opens after N consecutive failed calls, then fails fast without calling OpenAI', async () => {
    let now = 0;
    const metrics = createMetrics({ defaultMetrics: false });
    const ai = assistant({
      maxRetries: 0,
      breaker: { failureThreshold: 3, coolDownMs: 10_000, now: () => now },
      metrics,
    });
    standIn.always('/v1/responses', { status: 500 });

    for (let i = 0; i < 3; i++)
      expect((await failure(ai.summarize({ model: 'm', transcript: 't' }))).kind).toBe('server_error');
    expect(ai.circuitState).toBe('open');
    const before = standIn.requests.length;

    const started = Date.now();
    const refused = await failure(ai.classify({ model: 'm', text: 't' }));
    expect(refused.kind).toBe('circuit_open');
    expect(Date.now() - started).toBeLessThan(50);
    expect(standIn.requests.length).toBe(before); // nothing reached the server
    expect((await metrics.registry.getSingleMetric('crm_ai_circuit_state')?.get())?.values[0]?.value).toBe(2);

    now += 9_999;
    expect((await failure(ai.startThread({}))).kind).toBe('circuit_open');
  });

  it('half-open after the cool-down: a successful trial closes it', async () => {
    let now = 0;
    const ai = assistant({
      maxRetries: 0,
      breaker: { failureThreshold: 2, coolDownMs: 5_000, now: () => now },
    });
    standIn.always('/v1/responses', { status: 502 });
    await failure(ai.summarize({ model: 'm', transcript: 't' }));
    await failure(ai.summarize({ model: 'm', transcript: 't' }));
    expect(ai.circuitState).toBe('open');

    standIn.always('/v1/responses', undefined); // OpenAI recovered
    now += 5_000;
    expect(await ai.summarize({ model: 'm', transcript: 't' })).toMatch(/Texto/);
    expect(ai.circuitState).toBe('closed');
    expect(await ai.summarize({ model: 'm', transcript: 't' })).toMatch(/Texto/);
  });

  it('half-open: a failed trial opens it again for another cool-down; only one trial at a time', async () => {
    let now = 0;
    const ai = assistant({
      maxRetries: 0,
      breaker: { failureThreshold: 1, coolDownMs: 1_000, now: () => now },
    });
    standIn.always('/v1/responses', { status: 500 });
    await failure(ai.summarize({ model: 'm', transcript: 't' }));
    expect(ai.circuitState).toBe('open');

    now += 1_000;
    standIn.always('/v1/responses', { status: 500, delayMs: 50 });
    const [trial, concurrent] = await Promise.all([
      failure(ai.summarize({ model: 'm', transcript: 't' })),
      failure(ai.summarize({ model: 'm', transcript: 't' })),
    ]);
    expect(trial.kind).toBe('server_error');
    expect(concurrent.kind).toBe('circuit_open');
    expect(ai.circuitState).toBe('open');
    expect((await failure(ai.summarize({ model: 'm', transcript: 't' }))).kind).toBe('circuit_open');
  });

  it('does not count refused requests (400, 404) or bad output as failures', async () => {
    const ai = assistant({ maxRetries: 0, breaker: { failureThreshold: 2, coolDownMs: 60_000 } });
    standIn.always('/v1/responses', { status: 400 });
    for (let i = 0; i < 3; i++) await failure(ai.summarize({ model: 'm', transcript: 't' }));
    standIn.always('/v1/responses', undefined);
    standIn.classifier = () => ({ nonsense: true });
    for (let i = 0; i < 3; i++) await failure(ai.classify({ model: 'm', text: 't' }));
    expect(ai.circuitState).toBe('closed');
  });

  it('a success between failures resets the count (consecutive failures only)', async () => {
    const ai = assistant({ maxRetries: 0, breaker: { failureThreshold: 2, coolDownMs: 60_000 } });
    standIn.script('/v1/responses', { status: 500 });
    await failure(ai.summarize({ model: 'm', transcript: 't' }));
    await ai.summarize({ model: 'm', transcript: 't' });
    standIn.script('/v1/responses', { status: 500 });
    await failure(ai.summarize({ model: 'm', transcript: 't' }));
    expect(ai.circuitState).toBe('closed');
  });

  it('counts timeouts: a slow OpenAI opens the breaker, then calls fail at once', async () => {
    const ai = assistant({
      maxRetries: 0,
      timeoutMs: 50,
      breaker: { failureThreshold: 2, coolDownMs: 60_000 },
    });
    standIn.always('/v1/responses', { delayMs: 1_000 });
    expect((await failure(ai.classify({ model: 'm', text: 't' }))).kind).toBe('timeout');
    expect((await failure(ai.classify({ model: 'm', text: 't' }))).kind).toBe('timeout');
    const started = Date.now();
    expect(
      (await failure(ai.reply({ threadId: 'conv_x', model: 'm', instructions: 'i', text: 't' }))).kind,
    ).toBe('circuit_open');
    expect(Date.now() - started).toBeLessThan(30);
  });
});
