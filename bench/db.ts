/**
 * Database benchmark: `npm run bench:db [-- options]`.
 *
 * Seeds agents, customers, conversations and messages (100,000 messages over 10,000 conversations by
 * default) with batched `insertMany` (src/infrastructure/mongo/bulk-insert.ts), then measures through
 * the MongoDB repositories:
 *   - insert throughput: the bulk path (docs/s) and the repository's single `insert` (a sample);
 *   - inbox page: `conversations.list({ status, assignedAgent }, { limit: 50 })` (updatedAt desc);
 *   - message history page: `messages.listByConversation(id, { limit: 50 })`;
 *   - customer search by phone prefix: `customers.list({ search }, { limit: 20 })`;
 * printing p50 / p99 per operation, the process RSS, and the query plan of each query as the server
 * explains it (the exact command the repository sent, captured by command monitoring).
 *
 * Server: MONGODB_URI when set (a fresh `crm_bench_<random>` database, dropped at the end unless
 * --keep), else a throw-away FerretDB v1.24 started like the test setup does (scripts/ferretdb-server.ts).
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { type Document, MongoClient, ObjectId } from 'mongodb';
import { type RunningFerret, startFerretDb } from '../scripts/ferretdb-server.js';
import { Agent } from '../src/domain/agent/agent.js';
import type {
  ConversationPrimitives,
  ConversationStatus,
} from '../src/domain/conversation/conversation.types.js';
import { Customer } from '../src/domain/customer/customer.js';
import type { CustomerPrimitives } from '../src/domain/customer/customer.types.js';
import type { MessagePrimitives } from '../src/domain/message/message.types.js';
import { bulkInsert } from '../src/infrastructure/mongo/bulk-insert.js';
import { ensureIndexes } from '../src/infrastructure/mongo/indexes.js';
import { detectCapabilities, mongoClientOptions } from '../src/infrastructure/mongo/mongo-client.js';
import { createMongoRepositories } from '../src/infrastructure/mongo/mongo-repositories.js';

const HELP = `Usage: npm run bench:db [-- options]

  --messages <n>        messages to seed (default 100000)
  --conversations <n>   conversations to seed (default 10000)
  --customers <n>       customers to seed (default conversations / 2)
  --agents <n>          agents to seed (default 20)
  --batch <n>           documents per insertMany (default 1000)
  --samples <n>         timed samples per operation (default 200)
  --single-inserts <n>  repository single inserts timed (default 500)
  --max-seconds <n>     time budget per measured operation; fewer samples when exceeded (default 60)
  --keep                keep the database (MONGODB_URI only)
  -h, --help            this help

MONGODB_URI: the server to use; unset starts a throw-away FerretDB v1.24.`;

const { values: flags } = parseArgs({
  options: {
    messages: { type: 'string' },
    conversations: { type: 'string' },
    customers: { type: 'string' },
    agents: { type: 'string' },
    batch: { type: 'string' },
    samples: { type: 'string' },
    'single-inserts': { type: 'string' },
    'max-seconds': { type: 'string' },
    keep: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (flags.help) {
  console.log(HELP);
  process.exit(0);
}

function intFlag(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`error: --${name} must be a positive whole number; got "${value}"`);
    process.exit(2);
  }
  return n;
}

const N_MESSAGES = intFlag('messages', flags.messages, 100_000);
const N_CONVERSATIONS = intFlag('conversations', flags.conversations, 10_000);
const N_CUSTOMERS = intFlag('customers', flags.customers, Math.max(1, Math.floor(N_CONVERSATIONS / 2)));
const N_AGENTS = intFlag('agents', flags.agents, 20);
const BATCH = intFlag('batch', flags.batch, 1000);
const SAMPLES = intFlag('samples', flags.samples, 200);
const SINGLE_INSERTS = intFlag('single-inserts', flags['single-inserts'], 500);
const MAX_MS = intFlag('max-seconds', flags['max-seconds'], 60) * 1000;

// ---------------------------------------------------------------------------------------------
// Output helpers

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const mb = (bytes: number) => `${fmt(bytes / 1024 / 1024)} MB`;
const rss = () => process.memoryUsage().rss;

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * (sorted.length - 1)))]!;
}

interface Timing {
  name: string;
  samples: number;
  p50: number;
  p99: number;
  mean: number;
  plan?: string;
}

async function timeOp(name: string, samples: number, op: (i: number) => Promise<unknown>): Promise<Timing> {
  const durations: number[] = [];
  const started = performance.now();
  for (let i = 0; i < samples; i++) {
    const t0 = performance.now();
    await op(i);
    durations.push(performance.now() - t0);
    if (performance.now() - started > MAX_MS) break;
  }
  const sorted = [...durations].sort((a, b) => a - b);
  return {
    name,
    samples: durations.length,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    mean: durations.reduce((s, d) => s + d, 0) / durations.length,
  };
}

/** Seeding progress on stderr: redrawn in place on a terminal, else one line when a kind is done. */
const progress = (label: string) => (done: number, total: number) => {
  if (process.stderr.isTTY) {
    process.stderr.write(`\r  seeding ${label}: ${fmt(done)}/${fmt(total)}${done >= total ? '\n' : ''}`);
  } else if (done >= total) {
    process.stderr.write(`  seeded ${label}: ${fmt(done)}\n`);
  }
};

// ---------------------------------------------------------------------------------------------
// Data

const NOW = Date.now();
const STATUSES: ConversationStatus[] = ['open', 'assigned', 'assigned', 'waiting', 'resolved', 'closed'];

function makeAgents(): string[] {
  return Array.from({ length: N_AGENTS }, () => new ObjectId().toHexString());
}

function makeCustomers(): CustomerPrimitives[] {
  return Array.from({ length: N_CUSTOMERS }, (_, i) => {
    const national = `55${String(10_000_000 + i * 17).padStart(8, '0')}`;
    const c = Customer.create(
      { phoneNumber: `+52${national}`, firstName: `Cliente${i}` },
      {
        id: new ObjectId().toHexString(),
        now: new Date(NOW - (N_CUSTOMERS - i) * 60_000),
        defaultRegion: 'MX',
      },
    ).toPrimitives();
    return { ...c, statistics: { ...c.statistics, totalConversations: 2 } };
  });
}

function makeConversations(customers: CustomerPrimitives[], agents: string[]): ConversationPrimitives[] {
  return Array.from({ length: N_CONVERSATIONS }, (_, i) => {
    const status = STATUSES[i % STATUSES.length]!;
    const createdAt = new Date(NOW - (N_CONVERSATIONS - i) * 120_000);
    const updatedAt = new Date(createdAt.getTime() + ((i * 7919) % 3_600_000));
    const assigned = status !== 'open';
    const c: ConversationPrimitives = {
      id: new ObjectId().toHexString(),
      customerId: customers[i % customers.length]!.id,
      status,
      priority: (['low', 'medium', 'high', 'urgent'] as const)[i % 4]!,
      category: 'support',
      tags: [],
      isAIEnabled: true,
      aiModel: 'gpt-4',
      autoResponses: true,
      channel: 'whatsapp',
      messageCount: 0,
      unreadCount: 0,
      internalNotes: [],
      createdAt,
      updatedAt,
      version: 1,
    };
    if (assigned) {
      c.assignedAgent = agents[i % agents.length]!;
      c.assignedAt = createdAt;
    }
    if (status === 'closed') c.closedAt = updatedAt;
    return c;
  });
}

function makeMessages(conversations: ConversationPrimitives[], count: number): MessagePrimitives[] {
  return Array.from({ length: count }, (_, i) => {
    const conversation = conversations[i % conversations.length]!;
    const inbound = i % 2 === 0;
    const timestamp = new Date(
      conversation.createdAt.getTime() + Math.floor(i / conversations.length) * 30_000,
    );
    const m: MessagePrimitives = {
      id: new ObjectId().toHexString(),
      conversationId: conversation.id,
      customerId: conversation.customerId,
      content: inbound
        ? `Hola, tengo una duda sobre mi pedido ${i}`
        : `Con gusto le ayudo con el pedido ${i}`,
      type: 'text',
      direction: inbound ? 'inbound' : 'outbound',
      sender: inbound ? 'customer' : 'agent',
      status: inbound ? 'read' : 'delivered',
      attachments: [],
      aiProcessed: false,
      isForwarded: false,
      whatsappMessageId: `wamid.${randomBytes(12).toString('hex')}`,
      timestamp,
      createdAt: timestamp,
    };
    if (!inbound && conversation.assignedAgent) m.agentId = conversation.assignedAgent;
    return m;
  });
}

// ---------------------------------------------------------------------------------------------
// Explain

/** The winning plan's stages (MongoDB), or what FerretDB says about the query. */
function describePlan(explain: Document): string {
  const planner = explain.queryPlanner as Document | undefined;
  const winning = planner?.winningPlan as Document | undefined;
  if (winning) {
    const stages: string[] = [];
    let node: Document | undefined = (winning.queryPlan as Document | undefined) ?? winning;
    while (node) {
      const stage = String(node.stage ?? '?');
      stages.push(node.indexName ? `${stage}(${node.indexName})` : stage);
      node = (node.inputStage as Document | undefined) ?? (node.inputStages as Document[] | undefined)?.[0];
    }
    return stages.join(' <- ');
  }
  // FerretDB v1: the backend's own plan plus whether filter/sort/limit were pushed down to it.
  const plan = Array.isArray(planner?.Plan)
    ? (planner.Plan as string[])
        .map((p) => p.replace(/^id=\d+ parent=\d+ notused=\d+ detail=/, ''))
        .join('; ')
    : JSON.stringify(planner ?? explain).slice(0, 160);
  const pushdown = ['filterPushdown', 'sortPushdown', 'limitPushdown']
    .filter((k) => k in explain)
    .map((k) => `${k.replace('Pushdown', '')}:${explain[k] ? 'yes' : 'no'}`)
    .join(' ');
  return `${plan}${pushdown ? ` [pushdown ${pushdown}]` : ''}`;
}

// ---------------------------------------------------------------------------------------------
// Main

async function main(): Promise<void> {
  let ferret: RunningFerret | undefined;
  const external = process.env.MONGODB_URI?.trim();
  let uri = external;
  if (!uri) {
    process.stderr.write('MONGODB_URI not set: starting a throw-away FerretDB v1.24...\n');
    ferret = await startFerretDb();
    uri = ferret.uri;
  }
  const client = new MongoClient(uri, { ...mongoClientOptions('whatsapp-crm-bench'), monitorCommands: true });
  await client.connect();
  const db = client.db(`crm_bench_${randomBytes(4).toString('hex')}`);
  const lastFind = new Map<string, Document>();
  client.on('commandStarted', (event) => {
    if (event.commandName === 'find') lastFind.set(String(event.command.find), event.command);
  });

  try {
    const capabilities = await detectCapabilities(db);
    await ensureIndexes(db, capabilities, { warn: () => {}, info: () => {} });
    const repos = createMongoRepositories(db, capabilities, { warn: () => {}, info: () => {} });
    console.log(
      `server: ${capabilities.server} ${capabilities.version} (${external ? 'MONGODB_URI' : 'started for this run'})`,
    );
    console.log(
      `data: ${fmt(N_MESSAGES)} messages, ${fmt(N_CONVERSATIONS)} conversations, ${fmt(N_CUSTOMERS)} customers, ${fmt(N_AGENTS)} agents; batches of ${fmt(BATCH)}; ${SAMPLES} samples per query`,
    );
    const rssStart = rss();

    // --- seeding through the bulk path
    const agentIds = makeAgents();
    const agents = agentIds.map((id, i) =>
      Agent.create(
        {
          email: `agent${i}@bench.local`,
          passwordHash: '$argon2id$bench',
          firstName: 'Agent',
          lastName: String(i),
        },
        { id, now: new Date(NOW) },
      ).toPrimitives(),
    );
    const customers = makeCustomers();
    const conversations = makeConversations(customers, agentIds);
    const messages = makeMessages(conversations, N_MESSAGES);
    const seedRates: [string, number, number][] = [];
    for (const [label, kind, records] of [
      ['agents', 'agents', agents],
      ['customers', 'customers', customers],
      ['conversations', 'conversations', conversations],
      ['messages', 'messages', messages],
    ] as const) {
      const report = progress(label);
      const t0 = performance.now();
      await bulkInsert(db, kind, records as never[], {
        batchSize: BATCH,
        onBatch: (n) => report(n, records.length),
      });
      const seconds = (performance.now() - t0) / 1000;
      seedRates.push([label, records.length, records.length / seconds]);
    }
    const rssAfterSeed = rss();

    // --- the repository's single insert
    const extra = makeMessages(conversations, SINGLE_INSERTS);
    const single = await timeOp('messages.insert (repository, one by one)', extra.length, (i) =>
      repos.messages.insert(extra[i]!),
    );

    // --- queries
    const pick = <T>(items: T[], i: number) => items[(i * 7919) % items.length]!;
    const timings: Timing[] = [single];
    const inbox = await timeOp('inbox page: conversations.list(status+agent, 50)', SAMPLES, (i) =>
      repos.conversations.list(
        { status: ['assigned', 'waiting'], assignedAgent: pick(agentIds, i) },
        { limit: 50 },
      ),
    );
    inbox.plan = describePlan(await explainLast(db, lastFind, 'conversations'));
    timings.push(inbox);

    const history = await timeOp('history page: messages.listByConversation(50)', SAMPLES, (i) =>
      repos.messages.listByConversation(pick(conversations, i).id, { limit: 50 }),
    );
    history.plan = describePlan(await explainLast(db, lastFind, 'messages'));
    timings.push(history);

    const search = await timeOp(
      'customer search: customers.list({ search: phone prefix }, 20)',
      SAMPLES,
      (i) => repos.customers.list({ search: pick(customers, i).phoneNumber.slice(1, 9) }, { limit: 20 }),
    );
    search.plan = describePlan(await explainLast(db, lastFind, 'customers'));
    timings.push(search);

    // --- report
    console.log('\ninsert throughput (bulk insertMany path)');
    for (const [label, n, rate] of seedRates) {
      console.log(`  ${label.padEnd(14)} ${fmt(n).padStart(9)} docs  ${fmt(rate).padStart(8)} docs/s`);
    }
    console.log('\noperation latency (ms)');
    const width = Math.max(...timings.map((t) => t.name.length));
    console.log(`  ${'operation'.padEnd(width)}  samples      p50      p99     mean`);
    for (const t of timings) {
      console.log(
        `  ${t.name.padEnd(width)}  ${String(t.samples).padStart(7)}  ${fmt(t.p50, 2).padStart(7)}  ${fmt(t.p99, 2).padStart(7)}  ${fmt(t.mean, 2).padStart(7)}`,
      );
    }
    console.log(`  single inserts: ${fmt(1000 / single.mean)} inserts/s (one at a time)`);
    console.log('\nquery plans (explain of the command the repository sent)');
    for (const t of timings.filter((x) => x.plan)) console.log(`  ${t.name}\n    ${t.plan}`);
    console.log(
      `\nprocess RSS: ${mb(rssStart)} at start, ${mb(rssAfterSeed)} after seeding (data generated in memory), ${mb(rss())} at the end`,
    );
    if (capabilities.server === 'ferretdb') {
      console.log(
        'note: FerretDB v1 (SQLite) creates the indexes but answers these queries by scanning the collection ' +
          '(see the plans); the figures are those of the test stand-in, not of MongoDB.',
      );
    }
  } finally {
    if (!flags.keep || !external) await db.dropDatabase().catch(() => {});
    else console.log(`kept database ${db.databaseName}`);
    await client.close();
    await ferret?.stop();
  }
}

/** Explains the last `find` the repository sent to `collection`, stripped of session fields. */
async function explainLast(
  db: ReturnType<MongoClient['db']>,
  lastFind: Map<string, Document>,
  collection: string,
): Promise<Document> {
  const command = lastFind.get(collection);
  if (!command) return { queryPlanner: { Plan: ['(no find command captured)'] } };
  const { find, filter, sort, limit, projection, hint } = command;
  const explained: Document = { find, filter };
  if (sort) explained.sort = sort;
  if (limit !== undefined) explained.limit = limit;
  if (projection) explained.projection = projection;
  if (hint) explained.hint = hint;
  try {
    return await db.command({ explain: explained, verbosity: 'queryPlanner' });
  } catch (err) {
    return {
      queryPlanner: { Plan: [`explain failed: ${err instanceof Error ? err.message : String(err)}`] },
    };
  }
}

main().catch((err: unknown) => {
  console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
