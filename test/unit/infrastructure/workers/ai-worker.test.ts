/**
 * The AI worker on the in-process event bus, with the real inbound flow, the real use cases and the
 * REAL OpenAI adapter against the stand-in: the inbound flow never waits for (or fails with) OpenAI,
 * processing is bounded and ordered per conversation, two nodes never double-process, and human
 * take-overs switch the AI off.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AssignConversation } from '../../../../src/application/conversations/assign-conversation.js';
import { TransferConversation } from '../../../../src/application/conversations/transfer-conversation.js';
import { SendMessage } from '../../../../src/application/messages/send-message.js';
import { buildUseCases } from '../../../../src/application/use-cases.js';
import { createMetrics } from '../../../../src/infrastructure/metrics.js';
import { OpenAiAssistant } from '../../../../src/infrastructure/openai/openai-assistant.js';
import { AiWorker, type AiWorkerOptions } from '../../../../src/infrastructure/workers/ai-worker.js';
import { NEUTRAL_UNDERSTANDING, OpenAiStandIn } from '../../../support/openai-stand-in.js';
import { seedAgent } from '../../../support/test-ports.js';
import { type AiFixture, makeAiFixture } from '../../application/ai/ai-fixture.js';

let standIn: OpenAiStandIn;
let f: AiFixture;
let workers: AiWorker[];
let errors: unknown[];

beforeAll(async () => {
  standIn = await OpenAiStandIn.start();
});
afterAll(async () => {
  await standIn.close();
});
beforeEach(() => {
  standIn.reset();
  f = makeAiFixture(standIn);
  workers = [];
  errors = [];
});
afterEach(async () => {
  await Promise.all(workers.map((w) => w.stop()));
});

const log = {
  warn: () => {},
  debug: () => {},
  error: (obj: Record<string, unknown>) => {
    errors.push(obj);
  },
};

function startWorker(
  options: AiWorkerOptions = {},
  ports = f.ports,
  metrics = createMetrics({ defaultMetrics: false }),
) {
  const worker = new AiWorker(
    { events: ports.events, useCases: buildUseCases(ports), log, metrics },
    options,
  );
  worker.start();
  workers.push(worker);
  return { worker, metrics };
}

const idle = () => Promise.all(workers.map((w) => w.idle()));

describe('AiWorker: inbound messages', () => {
  it('processes each stored inbound message after the fact (message.received)', async () => {
    startWorker();
    const inbound = await f.receive('¿Hacen envíos?');
    await idle();
    const [reply] = await f.outbound(inbound.conversation.id);
    expect(reply).toMatchObject({ sender: 'ai', content: 'Respuesta a: ¿Hacen envíos?' });
    expect((await f.ports.messages.findById(inbound.message.id))?.aiResponse?.intent).toBe(
      'product_question',
    );
    expect(errors).toEqual([]);
  });

  it('the inbound flow never waits for OpenAI', async () => {
    startWorker();
    standIn.always('/v1/responses', { delayMs: 300 });
    const started = Date.now();

    const inbound = await f.receive('Hola');

    expect(Date.now() - started).toBeLessThan(150);
    expect(inbound.created).toBe(true);
    expect(await f.outbound(inbound.conversation.id)).toHaveLength(0); // not answered yet
    await idle();
    expect(await f.outbound(inbound.conversation.id)).toHaveLength(1);
  });

  it('the inbound flow never fails when OpenAI is down: the conversation goes to a person', async () => {
    const down = await OpenAiStandIn.start();
    const deadUrl = down.baseURL;
    await down.close(); // nothing listens there any more
    f = makeAiFixture(standIn, { baseURL: deadUrl });
    await seedAgent(f.ports, 'admin', { status: 'offline' });
    startWorker();

    const inbound = await f.receive('Hola');
    expect(inbound.created).toBe(true);
    await idle();

    const conversation = (await f.ports.conversations.findById(inbound.conversation.id))!;
    expect(conversation.isAIEnabled).toBe(false);
    expect(conversation.internalNotes.at(-1)?.content).toContain('AI failure: unavailable');
    expect(errors).toEqual([]);
  });

  it('runs at most `concurrency` messages at once', async () => {
    startWorker({ concurrency: 2 });
    standIn.always('/v1/responses', { delayMs: 60 });
    const phones = ['5215511111111', '5215522222222', '5215533333333', '5215544444444', '5215555555555'];
    const received = [];
    for (const from of phones) received.push(await f.receive('Hola', { from }));
    await idle();

    expect(standIn.maxInFlight).toBe(2);
    for (const r of received) expect(await f.outbound(r.conversation.id)).toHaveLength(1);
  });

  it('answers the messages of one conversation one at a time, in order', async () => {
    startWorker({ concurrency: 4 });
    standIn.always('/v1/responses', { delayMs: 20 });
    const first = await f.receive('uno');
    await f.receive('dos');
    await f.receive('tres');
    await idle();

    expect(standIn.maxInFlight).toBe(1);
    const replies = (await f.outbound(first.conversation.id)).sort((a, b) => (a.id < b.id ? -1 : 1));
    expect(replies.map((m) => m.content)).toEqual([
      'Respuesta a: uno',
      'Respuesta a: dos',
      'Respuesta a: tres',
    ]);
  });

  it('two nodes on the same data and bus process each message once', async () => {
    startWorker();
    // A second node: its own assistant client and use cases, the same repositories and bus.
    const secondAssistant = new OpenAiAssistant({
      apiKey: standIn.apiKey,
      baseURL: standIn.baseURL,
      maxRetries: 0,
    });
    startWorker({}, Object.assign(Object.create(f.ports), { ai: secondAssistant }));
    const a = await f.receive('uno');
    const b = await f.receive('dos', { from: '5215599999999' });
    await idle();

    expect(await f.outbound(a.conversation.id)).toHaveLength(1);
    expect(await f.outbound(b.conversation.id)).toHaveLength(1);
    expect(standIn.responsesCalls().filter((c) => c.format)).toHaveLength(2); // one classification each
  });

  it('leaves messages unprocessed (and counts them) when its queue is full', async () => {
    const { metrics } = startWorker({ concurrency: 1, maxQueue: 1 });
    standIn.always('/v1/responses', { delayMs: 50 });
    const one = await f.receive('uno'); // taken at once
    const two = await f.receive('dos', { from: '5215599999999' }); // queued
    const three = await f.receive('tres', { from: '5215588888888' }); // queue full
    await idle();

    expect(await f.outbound(one.conversation.id)).toHaveLength(1);
    expect(await f.outbound(two.conversation.id)).toHaveLength(1);
    expect((await f.ports.messages.findById(three.message.id))?.aiProcessed).toBe(false);
    const dropped = (await metrics.aiInboundOutcomes.get()).values.find(
      (v) => v.labels.outcome === 'dropped',
    );
    expect(dropped?.value).toBe(1);
  });

  it('counts outcomes and hand-off reasons', async () => {
    const { metrics } = startWorker();
    standIn.classifier = (text) => ({ ...NEUTRAL_UNDERSTANDING, wantsHuman: text.includes('persona') });
    await f.receive('Hola');
    await f.receive('Con una persona', { from: '5215599999999' });
    await idle();
    const outcomes = (await metrics.aiInboundOutcomes.get()).values.map((v) => [v.labels.outcome, v.value]);
    expect(outcomes).toEqual(
      expect.arrayContaining([
        ['replied', 1],
        ['handed_off', 1],
      ]),
    );
    const handoffs = (await metrics.aiHandoffs.get()).values;
    expect(handoffs).toEqual([
      expect.objectContaining({ labels: { reason: 'customer_asked_for_human' }, value: 1 }),
    ]);
  });

  it('stops listening on stop()', async () => {
    const { worker } = startWorker();
    await worker.stop();
    const inbound = await f.receive('Hola');
    await idle();
    expect(standIn.requests).toHaveLength(0);
    expect((await f.ports.messages.findById(inbound.message.id))?.aiProcessed).toBe(false);
  });
});

describe('AiWorker: a human taking over switches the AI off', () => {
  it('when an agent writes to the customer', async () => {
    startWorker();
    const agent = await seedAgent(f.ports, 'agent');
    const inbound = await f.receive('Hola');
    await idle();
    expect(inbound.conversation.assignedAgent).toBe(agent.record.id); // auto-assigned: AI still on
    expect((await f.ports.conversations.findById(inbound.conversation.id))?.isAIEnabled).toBe(true);

    await new SendMessage(f.ports).execute({
      actor: agent.actor,
      conversationId: inbound.conversation.id,
      message: { type: 'text', content: 'Hola Ana, soy Pedro, te atiendo yo.' },
    });
    await idle();

    expect((await f.ports.conversations.findById(inbound.conversation.id))?.isAIEnabled).toBe(false);
    standIn.requests.length = 0;
    await f.receive('Gracias Pedro');
    await idle();
    expect(standIn.responsesCalls().filter((c) => c.conversation)).toHaveLength(0); // classified only
    expect((await f.outbound(inbound.conversation.id)).filter((m) => m.sender === 'ai')).toHaveLength(1);
  });

  it('when a person assigns the conversation, or transfers it; not on auto-assignment', async () => {
    startWorker();
    const inbound = await f.receive('Hola');
    await idle();
    const agent = await seedAgent(f.ports, 'agent');
    await new AssignConversation(f.ports).execute({
      actor: agent.actor,
      conversationId: inbound.conversation.id,
      agentId: agent.record.id,
    });
    await idle();
    expect((await f.ports.conversations.findById(inbound.conversation.id))?.isAIEnabled).toBe(false);

    const other = makeAiFixture(standIn);
    workers.push(new AiWorker({ events: other.ports.events, useCases: buildUseCases(other.ports), log }));
    workers.at(-1)!.start();
    const first = await seedAgent(other.ports, 'agent');
    const supervisor = await seedAgent(other.ports, 'supervisor', { status: 'offline' });
    const second = await seedAgent(other.ports, 'agent', { status: 'offline' });
    const conv = await other.receive('Hola');
    await idle();
    expect(conv.conversation.assignedAgent).toBe(first.record.id); // auto-assigned
    expect((await other.ports.conversations.findById(conv.conversation.id))?.isAIEnabled).toBe(true);
    await new TransferConversation(other.ports).execute({
      actor: supervisor.actor,
      conversationId: conv.conversation.id,
      toAgentId: second.record.id,
    });
    await idle();
    expect((await other.ports.conversations.findById(conv.conversation.id))?.isAIEnabled).toBe(false);
  });
});
