/**
 * Two app instances ("nodes") on one database (FerretDB in the default run) and one Redis:
 * live events cross nodes with the same ids, and the background jobs claim their work so that
 * running them side by side does nothing twice.
 */
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { EventBus, PublishedEvent } from '../../../src/application/ports/gateways.js';
import type { Ports } from '../../../src/application/ports/ports.js';
import type { AgentActor } from '../../../src/application/shared/actor.js';
import type { UseCases } from '../../../src/application/use-cases.js';
import { testConfig } from '../../../src/infrastructure/config.js';
import { type App, buildApp } from '../../../src/infrastructure/container.js';
import { JobScheduler } from '../../../src/infrastructure/operations/job-scheduler.js';
import { RedisEventBus } from '../../../src/infrastructure/redis/redis-event-bus.js';
import { TOKENS } from '../../../src/infrastructure/tokens.js';
import type { SandboxWhatsAppGateway } from '../../../src/infrastructure/whatsapp/sandbox-whatsapp-gateway.js';
import { connectTestDb, type TestDb } from '../../support/mongo.js';
import { fakeHasher, seedAgent, TestClock } from '../../support/test-ports.js';
import { seedConversation, seedCustomer } from '../../support/test-seeds.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const silent = pino({ level: 'silent' });

interface Node {
  app: App;
  ports: Ports;
  useCases: UseCases;
  bus: RedisEventBus;
  seen: PublishedEvent[];
}

async function startNode(t: TestDb, prefix: string, clock: TestClock): Promise<Node> {
  const config = testConfig({
    MONGODB_URI: inject('mongoUri'),
    MONGODB_DB: t.db.databaseName,
    REDIS_URL,
    REDIS_PREFIX: prefix,
  });
  const app = await buildApp(config, {
    logger: silent,
    workers: false,
    overrides: { Clock: clock, PasswordHasher: fakeHasher },
  });
  const bus = app.container.resolve<EventBus>(TOKENS.EventBus);
  if (!(bus instanceof RedisEventBus)) throw new Error('REDIS_URL should give the Redis event bus');
  await bus.ready();
  const seen: PublishedEvent[] = [];
  bus.subscribe((e) => seen.push(e));
  return {
    app,
    ports: app.container.resolve<Ports>(TOKENS.Ports),
    useCases: app.container.resolve<UseCases>(TOKENS.UseCases),
    bus,
    seen,
  };
}

const until = async (what: string, check: () => boolean, ms = 5_000) => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('several nodes on one database and one Redis', () => {
  let t: TestDb;
  let a: Node;
  let b: Node;
  const clock = new TestClock(); // Monday 10:00 in Mexico City: business hours

  beforeAll(async () => {
    t = await connectTestDb();
    const prefix = `crm-test:${randomBytes(6).toString('hex')}:`;
    a = await startNode(t, prefix, clock);
    b = await startNode(t, prefix, clock);
  });
  afterAll(async () => {
    await a?.app.stop();
    await b?.app.stop();
    await t?.close();
  });

  it('says it uses Redis for events', () => {
    expect(a.app.adapters.events).toBe('redis');
  });

  it('an agent following the inbox on node A sees a customer message that arrived through node B', async () => {
    const { record } = await seedAgent(a.ports, 'agent', { firstName: 'Ana' });
    const actor: AgentActor = {
      kind: 'agent',
      id: record.id,
      role: 'agent',
      permissions: [...record.permissions],
      isActive: true,
    };
    const controller = new AbortController();
    const stream = a.useCases.inbox.follow.execute({ actor, signal: controller.signal });
    const received: PublishedEvent[] = [];
    const reading = (async () => {
      for await (const event of stream) {
        received.push(event);
        if (event.type === 'message.received') break;
      }
    })();
    await new Promise((r) => setTimeout(r, 50)); // the stream has subscribed

    const inbound = await b.useCases.messages.receive.execute({
      whatsappMessageId: `wamid.${randomBytes(6).toString('hex')}`,
      from: '5215512345678',
      profileName: 'Carla',
      phoneNumberId: '106540352242922',
      timestamp: clock.now(),
      type: 'text',
      content: 'Hola, ¿me ayudan con mi pedido?',
    });
    await Promise.race([
      reading,
      new Promise((_, reject) => setTimeout(() => reject(new Error('no event on node A')), 5_000)),
    ]);
    controller.abort();

    const message = received.find((e) => e.type === 'message.received');
    expect(message?.payload).toMatchObject({
      messageId: inbound.message.id,
      conversationId: inbound.conversation.id,
    });
    expect(message?.occurredAt).toBeInstanceOf(Date);

    // Ids are the stream's: node B knows the same event under the same id, and resumes after it.
    await until('node B to see it', () => b.seen.some((e) => e.id === message!.id));
    const before = received[0]!;
    const replayedOnB = b.bus.replaySince(before.id).map((e) => e.id);
    expect(replayedOnB).toContain(message!.id);
    expect(replayedOnB).not.toContain(before.id);
    const ids = a.seen.map((e) => e.id);
    expect([...ids].sort()).toEqual(ids); // monotonic
  });

  it('runs the SLA watcher on both nodes side by side and warns and escalates once', async () => {
    await seedAgent(a.ports, 'supervisor', { firstName: 'Sofia' });
    const { record: ana } = await seedAgent(a.ports, 'agent', { firstName: 'Ana' });
    const customer = await seedCustomer(a.ports);
    const awaiting = (minutes: number) => {
      const since = new Date(clock.now().getTime() - minutes * 60_000);
      return seedConversation(a.ports, customer.id, {
        status: 'assigned',
        assignedAgent: ana.id,
        priority: 'urgent',
        createdAt: since,
        updatedAt: since,
        lastCustomerMessage: since,
        awaitingResponseSince: since,
      });
    };
    const breached = await awaiting(55);
    const warned = await awaiting(20);
    const from = a.seen.length;

    const [ra, rb] = await Promise.all([
      a.useCases.operations.slaWatcher.execute(),
      b.useCases.operations.slaWatcher.execute(),
    ]);

    expect(ra.escalations + rb.escalations).toBe(1);
    expect(ra.warnings + rb.warnings).toBe(1);
    await until('the events on node A', () => a.seen.slice(from).some((e) => e.type === 'sla.warning'));
    await new Promise((r) => setTimeout(r, 100));
    const warnings = a.seen.slice(from).filter((e) => e.type === 'sla.warning');
    expect(warnings.map((e) => e.payload.conversationId)).toEqual([warned.id]);
    const log = await a.ports.activity.listByEntity('conversation', breached.id, { limit: 10 });
    expect(log.items.filter((e) => e.action === 'escalated')).toHaveLength(1);
    expect((await b.ports.conversations.findById(breached.id))?.escalated).toBe(true);
  });

  it('gives each scheduled job to one node per round through the MongoDB job lock', async () => {
    let runs = 0;
    const job = {
      name: `job-${randomBytes(3).toString('hex')}`,
      intervalMs: 60_000,
      run: async () => runs++,
    };
    const schedulerA = new JobScheduler({ locks: a.ports.jobLocks, nodeId: 'node-a', log: silent }, [job]);
    const schedulerB = new JobScheduler({ locks: b.ports.jobLocks, nodeId: 'node-b', log: silent }, [job]);

    const rounds = await Promise.all([schedulerA.runOnce(job.name), schedulerB.runOnce(job.name)]);
    expect(rounds.filter((r) => r.ran)).toHaveLength(1);
    const holder = rounds[0]!.ran ? schedulerA : schedulerB;
    const other = holder === schedulerA ? schedulerB : schedulerA;
    expect((await other.runOnce(job.name)).ran).toBe(false); // the holder keeps it while alive
    await holder.stop(); // … and hands it over when it stops
    expect((await other.runOnce(job.name)).ran).toBe(true);
    expect(runs).toBe(2);
    await other.stop();
  });

  it('runs the outbox sender on both nodes side by side and sends every message exactly once', async () => {
    const customer = await seedCustomer(a.ports, { phoneNumber: '+5215598765432' });
    const conversation = await seedConversation(a.ports, customer.id, { lastCustomerMessage: clock.now() });
    const queued: string[] = [];
    for (let i = 0; i < 12; i++) {
      const { message } = await a.useCases.messages.send.execute({
        actor: { kind: 'system' },
        conversationId: conversation.id,
        message: { type: 'text', content: `Mensaje ${i}` },
        sender: 'system',
      });
      queued.push(message.id);
    }
    const gatewayA = a.app.container.resolve<SandboxWhatsAppGateway>(TOKENS.WhatsAppGateway);
    const gatewayB = b.app.container.resolve<SandboxWhatsAppGateway>(TOKENS.WhatsAppGateway);
    const sentBefore = gatewayA.sent.length + gatewayB.sent.length;

    for (let round = 0; round < 4; round++) {
      await Promise.all([
        a.useCases.messages.deliver.execute({ limit: 5 }),
        b.useCases.messages.deliver.execute({ limit: 5 }),
      ]);
    }

    const bodies = [...gatewayA.sent, ...gatewayB.sent].map((s) =>
      s.content.type === 'text' ? s.content.body : '',
    );
    expect(gatewayA.sent.length + gatewayB.sent.length - sentBefore).toBe(12);
    expect(new Set(bodies.filter((body) => body.startsWith('Mensaje'))).size).toBe(12);
    for (const id of queued) expect((await a.ports.messages.findById(id))?.status).toBe('sent');
  });
});
