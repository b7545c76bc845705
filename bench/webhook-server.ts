/**
 * The server side of `npm run bench:webhook` (bench/webhook.ts starts it as a child process, so its
 * RSS and CPU are its own). Modes:
 *   floor-a   a bare Fastify route: raw body, X-Hub-Signature-256 check, JSON.parse, 200;
 *   floor-b   floor A plus one `insertOne` of the body into the same database (MONGODB_URI);
 *   crm       the real service (buildApp + createServer + workers), in memory or on MONGODB_URI.
 * Talks to the parent over IPC: `{ ready, port }` once listening; answers `{ cmd: 'stats', wamid }`
 * with `{ rss, heapUsed, cpuMicros, received, stored }` (cpuMicros: user + system CPU time so far;
 * received: `message.received` events, i.e. messages stored; stored: whether `wamid` is readable
 * through the use cases).
 */
import 'reflect-metadata';
import Fastify from 'fastify';
import { MongoClient } from 'mongodb';
import type { Ports } from '../src/application/ports/ports.js';
import { mongoClientOptions } from '../src/infrastructure/mongo/mongo-client.js';
import { verifyWebhookSignature } from '../src/infrastructure/whatsapp/signature.js';

const mode = process.argv[2];
const APP_SECRET = process.env.BENCH_APP_SECRET ?? 'bench-app-secret';
const BODY_LIMIT = 1024 * 1024;

let received = 0;
let findStored: (wamid: string) => Promise<boolean> = async () => false;
let close: () => Promise<void> = async () => {};

async function floor(withInsert: boolean): Promise<number> {
  const fastify = Fastify({ logger: false, bodyLimit: BODY_LIMIT });
  let client: MongoClient | undefined;
  const collection = withInsert
    ? await (async () => {
        client = new MongoClient(process.env.MONGODB_URI!, mongoClientOptions('bench-floor-b'));
        await client.connect();
        return client.db(process.env.MONGODB_DB).collection('floor_webhooks');
      })()
    : undefined;
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  fastify.post('/webhooks/whatsapp', async (request, reply) => {
    const raw = request.body as Buffer;
    const header = request.headers['x-hub-signature-256'];
    if (!verifyWebhookSignature(raw, typeof header === 'string' ? header : undefined, APP_SECRET)) {
      return reply.code(401).send({ error: 'Invalid signature' });
    }
    let json: unknown;
    try {
      json = JSON.parse(raw.toString('utf8'));
    } catch {
      return reply.code(400).send({ error: 'Malformed' });
    }
    if (collection)
      await collection.insertOne({ receivedAt: new Date(), body: json as Record<string, unknown> });
    received += 1;
    return reply.send({ status: 'accepted' });
  });
  await fastify.listen({ port: 0, host: '127.0.0.1' });
  close = async () => {
    await fastify.close();
    await client?.close();
  };
  const address = fastify.server.address();
  return typeof address === 'object' && address ? address.port : 0;
}

async function crm(): Promise<number> {
  // Imported here: the floors load nothing of the service but the signature check.
  const { loadConfig } = await import('../src/infrastructure/config.js');
  const { buildApp } = await import('../src/infrastructure/container.js');
  const { TOKENS } = await import('../src/infrastructure/tokens.js');
  const { createServer } = await import('../src/interfaces/http/server.js');
  const config = loadConfig({
    NODE_ENV: 'development',
    LOG_LEVEL: 'error',
    PORT: '0',
    HOST: '127.0.0.1',
    WHATSAPP_APP_SECRET: APP_SECRET,
    WHATSAPP_VERIFY_TOKEN: 'bench',
    MONGODB_URI: process.env.MONGODB_URI,
    MONGODB_DB: process.env.MONGODB_DB,
  });
  const concurrency = Number(process.env.BENCH_INBOX_CONCURRENCY ?? 0);
  const app = await buildApp(config, {
    ...(concurrency > 0 ? { workers: { inboxConcurrency: concurrency } } : {}),
    // Diagnosis only: BENCH_NO_OPERATIONS=1 leaves out the other background jobs and event reactions.
    ...(process.env.BENCH_NO_OPERATIONS === '1' ? { operations: false } : {}),
  });
  const ports = app.container.resolve<Ports>(TOKENS.Ports);
  ports.events.subscribe((event) => {
    if (event.type === 'message.received') received += 1;
  });
  findStored = async (wamid) => (await ports.messages.findByWhatsappId(wamid)) !== null;
  const server = await createServer(app);
  await app.start();
  const { port } = await server.listen();
  close = () => server.close();
  return port;
}

process.on('message', (msg: { cmd: string; wamid?: string }) => {
  if (msg.cmd === 'stats') {
    void (async () => {
      const stored = msg.wamid ? await findStored(msg.wamid) : false;
      const mem = process.memoryUsage();
      const cpu = process.cpuUsage();
      process.send?.({
        type: 'stats',
        rss: mem.rss,
        heapUsed: mem.heapUsed,
        cpuMicros: cpu.user + cpu.system,
        received,
        stored,
      });
    })();
  } else if (msg.cmd === 'stop') {
    void close().finally(() => process.exit(0));
  }
});

const port = mode === 'floor-a' ? await floor(false) : mode === 'floor-b' ? await floor(true) : await crm();
process.send?.({ type: 'ready', port });
