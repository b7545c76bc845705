/**
 * Who may call what: every procedure of the router × every role, asserting allowed vs FORBIDDEN vs
 * UNAUTHORIZED. The procedure list is read from `appRouter._def.procedures`, so a procedure added
 * without a row here fails the completeness test.
 *
 * Allowed means the call succeeds with a valid input (each role works on its own fixtures, in the
 * order of the table). The plain agent and the revoked session go over real HTTP (and a real
 * websocket for the subscription); admin and supervisor through `createCaller`.
 */
import { TRPCClientError } from '@trpc/client';
import { TRPCError } from '@trpc/server';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Authenticate } from '../../../src/application/auth/authenticate.js';
import type { AuthenticatedAgent } from '../../../src/application/auth/authenticated-agent.js';
import { SYSTEM } from '../../../src/application/shared/actor.js';
import { TOKENS } from '../../../src/infrastructure/tokens.js';
import { appRouter } from '../../../src/interfaces/trpc/app-router.js';
import type { Context } from '../../../src/interfaces/trpc/context.js';
import { createCallerFactory } from '../../../src/interfaces/trpc/trpc.js';
import {
  ADMIN,
  type Client,
  createUser,
  httpClient,
  inbound,
  login,
  nextPhone,
  PASSWORD,
  type Running,
  startServer,
  trpcError,
  type User,
  wsClient,
} from './api-harness.js';

const ROLES = ['admin', 'supervisor', 'agent', 'revoked'] as const;
type Role = (typeof ROLES)[number];
type Working = Exclude<Role, 'revoked'>;
type Outcome = 'ok' | 'FORBIDDEN' | 'UNAUTHORIZED' | 'PRECONDITION_FAILED';

/** What each role works on (created before the table runs). */
interface Fixture {
  self: User;
  /** Another account of the same role: transfer target, and the sessions that logout/changePassword end. */
  twin: User;
  twinSecondSession: string;
  conversationId: string;
  customerId: string;
  erasable: { id: string; phone: string };
  ticketId: string;
  ticket2Id: string;
  ticket3Id: string;
  escalatableTicketId: string;
  /** An agent account the admin edits, deactivates and reactivates. */
  targetAgentId: string;
  supervisorId: string;
  stamp: string;
}

interface Row {
  path: string;
  input?: (f: Fixture) => unknown;
  allowed: readonly Working[];
  /** Whose session makes the call (default: the role's own). */
  as?: 'twin' | 'twinSecondSession';
  /** What an allowed call answers when it is not 'ok' (e.g. the AI tools without OPENAI_API_KEY). */
  whenAllowed?: Outcome;
}

const ALL: readonly Working[] = ['admin', 'supervisor', 'agent'];
const MANAGERS: readonly Working[] = ['admin', 'supervisor'];
const ADMIN_ONLY: readonly Working[] = ['admin'];
const day = {
  from: new Date(Date.now() - 86_400_000).toISOString(),
  to: new Date(Date.now() + 60_000).toISOString(),
};

/** The table, in execution order (later rows rely on earlier ones, e.g. resolve before feedback). */
const ROWS: Row[] = [
  // conversations and messages (on the role's own queue conversation)
  { path: 'conversations.list', input: () => ({ status: ['open'] }), allowed: ALL },
  { path: 'conversations.get', input: (f) => ({ conversationId: f.conversationId }), allowed: ALL },
  {
    path: 'conversations.assign',
    input: (f) => ({ conversationId: f.conversationId, agentId: f.self.id }),
    allowed: ALL,
  },
  {
    path: 'conversations.update',
    input: (f) => ({ conversationId: f.conversationId, priority: 'high', tags: ['matrix'] }),
    allowed: ALL,
  },
  {
    path: 'conversations.addNote',
    input: (f) => ({ conversationId: f.conversationId, content: 'nota' }),
    allowed: ALL,
  },
  {
    path: 'messages.send',
    input: (f) => ({ conversationId: f.conversationId, message: { type: 'text', content: 'Hola' } }),
    allowed: ALL,
  },
  { path: 'messages.list', input: (f) => ({ conversationId: f.conversationId }), allowed: ALL },
  { path: 'conversations.markRead', input: (f) => ({ conversationId: f.conversationId }), allowed: ALL },
  {
    path: 'conversations.transfer',
    input: (f) => ({ conversationId: f.conversationId, toAgentId: f.twin.id, reason: 'turno' }),
    allowed: MANAGERS,
  },
  {
    path: 'conversations.changeStatus',
    input: (f) => ({ conversationId: f.conversationId, status: 'resolved' }),
    allowed: ALL,
  },
  {
    path: 'conversations.recordSatisfaction',
    input: (f) => ({ conversationId: f.conversationId, rating: 5 }),
    allowed: ALL,
  },
  // tickets
  { path: 'tickets.list', input: () => ({}), allowed: ALL },
  { path: 'tickets.get', input: (f) => ({ ticketId: f.ticketId }), allowed: ALL },
  {
    path: 'tickets.update',
    input: (f) => ({ ticketId: f.ticketId, changes: { priority: 'high' } }),
    allowed: ALL,
  },
  { path: 'tickets.assign', input: (f) => ({ ticketId: f.ticketId, agentId: f.self.id }), allowed: ALL },
  {
    path: 'tickets.changeStatus',
    input: (f) => ({ ticketId: f.ticketId, status: 'in_progress' }),
    allowed: ALL,
  },
  {
    path: 'tickets.addNote',
    input: (f) => ({
      ticketId: f.ticketId,
      content: 'nota',
      attachments: ['https://files.example.com/a.pdf'],
    }),
    allowed: ALL,
  },
  {
    path: 'tickets.escalate',
    input: (f) => ({ ticketId: f.escalatableTicketId, reason: 'urgente', to: f.supervisorId }),
    allowed: ALL,
  },
  {
    path: 'tickets.relate',
    input: (f) => ({ ticketId: f.ticketId, otherTicketId: f.ticket2Id }),
    allowed: ALL,
  },
  {
    path: 'tickets.setParent',
    input: (f) => ({ ticketId: f.ticket3Id, otherTicketId: f.ticket2Id }),
    allowed: ALL,
  },
  {
    path: 'tickets.resolve',
    input: (f) => ({ ticketId: f.ticketId, summary: 'Listo', resolutionCategory: 'solved' }),
    allowed: ALL,
  },
  { path: 'tickets.feedback', input: (f) => ({ ticketId: f.ticketId, rating: 4 }), allowed: ALL },
  {
    path: 'tickets.create',
    input: (f) => ({
      customerId: f.customerId,
      subject: 'Otro',
      description: 'Otro problema',
      category: 'other',
    }),
    allowed: ALL,
  },
  // customers
  { path: 'customers.list', input: () => ({ search: 'Ana' }), allowed: ALL },
  { path: 'customers.get', input: (f) => ({ customerId: f.customerId }), allowed: ALL },
  {
    path: 'customers.create',
    input: () => ({ phoneNumber: `+${nextPhone()}`, firstName: 'Nueva' }),
    allowed: ALL,
  },
  {
    path: 'customers.update',
    input: (f) => ({ customerId: f.customerId, changes: { lastName: 'Pérez' } }),
    allowed: ALL,
  },
  { path: 'customers.tags', input: (f) => ({ customerId: f.customerId, add: ['vip'] }), allowed: ALL },
  {
    path: 'customers.customFields',
    input: (f) => ({ customerId: f.customerId, fields: { plan: 'oro' } }),
    allowed: ALL,
  },
  { path: 'customers.block', input: (f) => ({ customerId: f.customerId, reason: 'spam' }), allowed: ALL },
  { path: 'customers.unblock', input: (f) => ({ customerId: f.customerId, reason: 'error' }), allowed: ALL },
  {
    path: 'customers.erase',
    input: (f) => ({ customerId: f.erasable.id, confirm: f.erasable.phone }),
    allowed: ADMIN_ONLY,
  },
  // agents
  { path: 'agents.list', input: () => ({ isActive: true }), allowed: ALL },
  { path: 'agents.get', input: (f) => ({ agentId: f.self.id }), allowed: ALL },
  {
    path: 'agents.create',
    input: (f) => ({
      email: `created-${f.stamp}@example.com`,
      password: PASSWORD,
      firstName: 'Nuevo',
      lastName: 'Agente',
    }),
    allowed: ADMIN_ONLY,
  },
  {
    path: 'agents.update',
    input: (f) => ({ agentId: f.targetAgentId, profile: { department: 'Ventas' } }),
    allowed: ADMIN_ONLY,
  },
  {
    path: 'agents.deactivate',
    input: (f) => ({ agentId: f.targetAgentId, reason: 'baja' }),
    allowed: ADMIN_ONLY,
  },
  { path: 'agents.reactivate', input: (f) => ({ agentId: f.targetAgentId }), allowed: ADMIN_ONLY },
  { path: 'agents.setStatus', input: () => ({ status: 'away' }), allowed: ALL },
  { path: 'agents.updatePreferences', input: () => ({ preferences: { language: 'en' } }), allowed: ALL },
  // settings, audit trail, analytics, live inbox
  { path: 'settings.list', allowed: ALL },
  { path: 'settings.get', input: () => ({ key: 'business_timezone' }), allowed: ALL },
  {
    path: 'settings.set',
    input: () => ({ key: 'business_timezone', value: 'America/Mexico_City' }),
    allowed: ADMIN_ONLY,
  },
  {
    path: 'activity.byEntity',
    input: (f) => ({ entityType: 'conversation', entityId: f.conversationId }),
    allowed: MANAGERS,
  },
  { path: 'activity.byAgent', input: (f) => ({ agentId: f.self.id }), allowed: ALL }, // one's own trail
  { path: 'analytics.overview', input: () => day, allowed: MANAGERS },
  { path: 'analytics.agentPerformance', input: () => day, allowed: MANAGERS },
  { path: 'inbox.events', input: () => undefined, allowed: ALL },
  // AI tools: allowed for whoever works the conversation; without OPENAI_API_KEY they answer AI.NOT_CONFIGURED
  {
    path: 'ai.suggestReply',
    input: (f) => ({ conversationId: f.conversationId }),
    allowed: ALL,
    whenAllowed: 'PRECONDITION_FAILED',
  },
  {
    path: 'ai.summarize',
    input: (f) => ({ conversationId: f.conversationId }),
    allowed: ALL,
    whenAllowed: 'PRECONDITION_FAILED',
  },
  // auth
  { path: 'auth.me', allowed: ALL },
  { path: 'auth.login', input: (f) => ({ email: f.self.email, password: f.self.password }), allowed: ALL },
  { path: 'auth.logout', allowed: ALL, as: 'twin' },
  {
    path: 'auth.changePassword',
    input: () => ({ currentPassword: PASSWORD, newPassword: 'a brand new password 42' }),
    allowed: ALL,
    as: 'twinSecondSession',
  },
];

// At run time `_def.procedures` is flat: `"area.name"` → procedure.
const procedures = appRouter._def.procedures as unknown as Record<string, { _def: { type: string } }>;
const expected = (row: Row, role: Role): Outcome =>
  role === 'revoked' ? 'UNAUTHORIZED' : row.allowed.includes(role) ? (row.whenAllowed ?? 'ok') : 'FORBIDDEN';

type Callable = (input: unknown) => Promise<unknown>;
const pick = (target: unknown, path: string): Record<string, Callable> => {
  let node = target as Record<string, unknown>;
  for (const segment of path.split('.')) node = node[segment] as Record<string, unknown>;
  return node as unknown as Record<string, Callable>;
};

function codeOf(error: unknown): string {
  if (error instanceof TRPCClientError) return String(error.data?.code ?? error.message);
  if (error instanceof TRPCError) return error.code;
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

describe('permission matrix', () => {
  let running: Running;
  let admin: User;
  const fixtures = {} as Record<Role, Fixture>;
  const results: { path: string; role: Role; expected: Outcome; actual: string }[] = [];

  beforeAll(async () => {
    running = await startServer('memory');
    const { url, useCases } = running;
    admin = await login(url, ADMIN.email, ADMIN.password);
    const supervisorMain = await createUser(url, admin, 'supervisor');

    for (const role of ROLES) {
      const accountRole = role === 'revoked' ? 'agent' : role;
      const self = role === 'admin' ? admin : await createUser(url, admin, accountRole);
      const twin = role === 'revoked' ? self : await createUser(url, admin, accountRole);
      const twinSecondSession =
        role === 'revoked' ? self.token : (await login(url, twin.email, twin.password)).token;
      const conversation = await useCases.messages.receive.execute(inbound(nextPhone(), 'Hola'));
      const erasable = await useCases.messages.receive.execute(inbound(nextPhone(), 'Bórrenme'));
      const customerId = conversation.customer.id;
      const ticket = (subject: string) =>
        useCases.tickets.create.execute({
          actor: SYSTEM,
          customerId,
          subject,
          description: 'Descripción',
          category: 'technical_support',
        });
      const target = await admin.http.agents.create.mutate({
        email: `target-${role}-${Date.now()}@example.com`,
        password: PASSWORD,
        firstName: 'Objetivo',
        lastName: role,
      });
      fixtures[role] = {
        self,
        twin,
        twinSecondSession,
        conversationId: conversation.conversation.id,
        customerId,
        erasable: { id: erasable.customer.id, phone: erasable.customer.phoneNumber },
        ticketId: (await ticket('Uno')).id,
        ticket2Id: (await ticket('Dos')).id,
        ticket3Id: (await ticket('Tres')).id,
        escalatableTicketId: (await ticket('Cuatro')).id,
        targetAgentId: target.id,
        supervisorId: supervisorMain.id,
        stamp: `${role}-${Date.now()}`,
      };
    }
    // The revoked role: an agent who was logged in, then deactivated (every session ended).
    await admin.http.agents.deactivate.mutate({
      agentId: fixtures.revoked.self.id,
      reason: 'left the company',
    });
  });
  afterAll(async () => {
    await running?.close();
  });

  /** A tRPC context for `token`, built the way the server builds it for an HTTP request. */
  async function contextFor(token: string): Promise<Context> {
    let agent: AuthenticatedAgent | undefined;
    let authError: unknown;
    try {
      agent = await running.app.container.resolve<Authenticate>(TOKENS.Authenticate).execute(token);
    } catch (err) {
      authError = err;
    }
    return {
      ...(agent ? { agent } : {}),
      token,
      ...(authError === undefined ? {} : { authError }),
      ip: '127.0.0.1',
      requestId: 'permission-matrix',
      log: pino({ level: 'silent' }),
      container: running.app.container,
      transport: 'http',
    };
  }

  async function viaCaller(token: string, path: string, type: string, input: unknown): Promise<void> {
    const caller = createCallerFactory(appRouter)(await contextFor(token));
    const procedure = pick(caller, path) as unknown as Callable;
    const outcome = await procedure(input);
    if (type === 'subscription') {
      const iterator = (outcome as AsyncIterable<unknown>)[Symbol.asyncIterator]();
      await iterator.return?.();
    }
  }

  async function viaNetwork(token: string, path: string, type: string, input: unknown): Promise<void> {
    if (type === 'subscription') {
      const handle = wsClient(running.url, token);
      try {
        await new Promise<void>((resolve, reject) => {
          const subscription = pick(handle.client, path).subscribe as unknown as (
            input: unknown,
            opts: { onStarted(): void; onError(err: unknown): void },
          ) => { unsubscribe(): void };
          const sub = subscription(input, {
            onStarted: () => {
              sub.unsubscribe();
              resolve();
            },
            onError: reject,
          });
        });
      } finally {
        await handle.ws.close();
      }
      return;
    }
    const client: Client = httpClient(running.url, token);
    await pick(client, path)[type === 'query' ? 'query' : 'mutate']!(input);
  }

  const tokenFor = (f: Fixture, row: Row): string =>
    row.as === 'twin' ? f.twin.token : row.as === 'twinSecondSession' ? f.twinSecondSession : f.self.token;

  it('has a row for every procedure of the router (a new procedure needs one)', () => {
    const paths = ROWS.map((r) => r.path);
    expect(new Set(paths).size).toBe(paths.length);
    expect([...paths].sort()).toEqual(Object.keys(procedures).sort());
  });

  for (const role of ROLES) {
    const transport = role === 'agent' || role === 'revoked' ? 'HTTP/websocket' : 'createCaller';
    it(`${role}: every procedure is allowed or refused as the table says (${transport})`, async () => {
      const f = fixtures[role];
      for (const row of ROWS) {
        const type = procedures[row.path]!._def.type;
        const input = row.input?.(f);
        const call = transport === 'createCaller' ? viaCaller : viaNetwork;
        let actual = 'ok';
        try {
          await call(tokenFor(f, row), row.path, type, input);
        } catch (error) {
          actual = codeOf(error);
        }
        results.push({ path: row.path, role, expected: expected(row, role), actual });
      }
      const wrong = results.filter((r) => r.role === role && r.actual !== r.expected);
      expect(wrong).toEqual([]);
    });
  }

  describe('resource scope (beyond the coarse permission)', () => {
    it('a plain agent cannot work, read or hand out another agent’s conversation', async () => {
      const { url, useCases } = running;
      const alice = await createUser(url, admin, 'agent');
      const bob = await createUser(url, admin, 'agent');
      const conversationId = (await useCases.messages.receive.execute(inbound(nextPhone()))).conversation.id;
      await alice.http.conversations.assign.mutate({ conversationId, agentId: alice.id });

      for (const attempt of [
        bob.http.conversations.get.query({ conversationId }),
        bob.http.messages.list.query({ conversationId }),
        bob.http.messages.send.mutate({ conversationId, message: { type: 'text', content: 'hola' } }),
        bob.http.conversations.changeStatus.mutate({ conversationId, status: 'resolved' }),
      ]) {
        expect((await trpcError(attempt)).data?.code).toBe('FORBIDDEN');
      }
      // Taking from the queue is for oneself only.
      const queued = (await useCases.messages.receive.execute(inbound(nextPhone()))).conversation.id;
      const handOut = await trpcError(
        bob.http.conversations.assign.mutate({ conversationId: queued, agentId: alice.id }),
      );
      expect(handOut.data?.code).toBe('FORBIDDEN');
      // And a plain agent's list never shows another agent's conversation.
      const listed = await bob.http.conversations.list.query({ limit: 100 });
      expect(listed.items.map((c) => c.id)).not.toContain(conversationId);
    });

    it('a plain agent reads only their own audit trail, but the whole agent directory', async () => {
      const alice = await createUser(running.url, admin, 'agent');
      const refused = await trpcError(alice.http.activity.byAgent.query({ agentId: admin.id }));
      expect(refused.data?.code).toBe('FORBIDDEN');
      await expect(alice.http.agents.get.query({ agentId: admin.id })).resolves.toMatchObject({
        id: admin.id,
      });
    });

    it('no token at all is UNAUTHORIZED; a forged one too', async () => {
      expect((await trpcError(httpClient(running.url).conversations.list.query({}))).data?.code).toBe(
        'UNAUTHORIZED',
      );
      const forged = httpClient(running.url, 'x'.repeat(43));
      expect((await trpcError(forged.tickets.list.query({}))).data?.code).toBe('UNAUTHORIZED');
    });
  });
});
