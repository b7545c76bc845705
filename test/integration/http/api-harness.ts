/**
 * The real server (Fastify + tRPC over HTTP and websocket) on an ephemeral port, on in-memory or
 * MongoDB adapters, with typed @trpc/client helpers. Shared by the API integration suites (not a
 * test file itself).
 */
import {
  createTRPCClient,
  createWSClient,
  httpBatchLink,
  type TRPCClient,
  TRPCClientError,
  wsLink,
} from '@trpc/client';
import { pino } from 'pino';
import { inject } from 'vitest';
import WebSocket from 'ws';
import type { EnsureFirstAdmin } from '../../../src/application/auth/ensure-first-admin.js';
import type { InboundMessage } from '../../../src/application/messages/receive-inbound-message.js';
import type { UseCases } from '../../../src/application/use-cases.js';
import type { AgentRole } from '../../../src/domain/agent/agent.types.js';
import { testConfig } from '../../../src/infrastructure/config.js';
import { type App, buildApp } from '../../../src/infrastructure/container.js';
import type { InProcessEventBus } from '../../../src/infrastructure/events/in-process-event-bus.js';
import { TOKENS } from '../../../src/infrastructure/tokens.js';
import { createServer, type Server } from '../../../src/interfaces/http/server.js';
import type { AppRouter } from '../../../src/interfaces/trpc/app-router.js';
import { connectTestDb, type TestDb } from '../../support/mongo.js';
import { fakeHasher } from '../../support/test-ports.js';

export type Adapters = 'memory' | 'mongo';

export const ADMIN = { email: 'admin@example.com', password: 'admin password 1234' };
export const PASSWORD = 'agent password 1234';

export interface Running {
  app: App;
  server: Server;
  url: string;
  useCases: UseCases;
  bus: InProcessEventBus;
  close(): Promise<void>;
}

/** Builds the app (argon2 swapped for a fast hasher), seeds the first admin and listens. */
export async function startServer(adapters: Adapters): Promise<Running> {
  let db: TestDb | undefined;
  let config = testConfig();
  if (adapters === 'mongo') {
    db = await connectTestDb();
    config = testConfig({ MONGODB_URI: inject('mongoUri'), MONGODB_DB: db.db.databaseName });
  }
  const app = await buildApp(config, {
    inMemory: adapters === 'memory',
    logger: pino({ level: 'silent' }),
    overrides: { PasswordHasher: fakeHasher },
  });
  await app.container.resolve<EnsureFirstAdmin>(TOKENS.EnsureFirstAdmin).execute(ADMIN);
  const server = await createServer(app, { wsPingMs: 60_000 });
  await app.start();
  const { url } = await server.listen();
  return {
    app,
    server,
    url,
    useCases: app.container.resolve<UseCases>(TOKENS.UseCases),
    bus: app.container.resolve<InProcessEventBus>(TOKENS.EventBus),
    async close() {
      await server.close();
      await db?.close();
    },
  };
}

export type Client = TRPCClient<AppRouter>;

export function httpClient(url: string, token?: string): Client {
  return createTRPCClient<AppRouter>({
    links: [
      httpBatchLink({
        url: `${url}/trpc`,
        headers: () => (token ? { authorization: `Bearer ${token}` } : {}),
      }),
    ],
  });
}

export interface WsHandle {
  client: Client;
  ws: ReturnType<typeof createWSClient>;
  /** Holds back the next (re)connection until `release()` (its connectionParams wait). */
  hold(): void;
  release(): void;
  /** Drops the current socket from the client side, as a network failure would. */
  drop(): void;
}

export function wsClient(url: string, token: string): WsHandle {
  let gate: Promise<void> = Promise.resolve();
  let open: () => void = () => {};
  const ws = createWSClient({
    url: `${url.replace(/^http/, 'ws')}/trpc`,
    WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
    connectionParams: async () => {
      await gate;
      return { token };
    },
    retryDelayMs: () => 50,
  });
  return {
    client: createTRPCClient<AppRouter>({ links: [wsLink({ client: ws })] }),
    ws,
    hold() {
      gate = new Promise((resolve) => {
        open = resolve;
      });
    },
    release() {
      open();
    },
    drop() {
      const socket = ws.connection?.ws;
      if (!socket) throw new Error('no open socket to drop');
      socket.close();
    },
  };
}

export async function trpcError(promise: Promise<unknown>): Promise<TRPCClientError<AppRouter>> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof TRPCClientError) return err as TRPCClientError<AppRouter>;
    throw err;
  }
  throw new Error('expected a tRPC error');
}

export interface User {
  id: string;
  email: string;
  password: string;
  token: string;
  http: Client;
}

export async function login(url: string, email: string, password: string): Promise<User> {
  const { token, agent } = await httpClient(url).auth.login.mutate({ email, password });
  return { id: agent.id, email, password, token, http: httpClient(url, token) };
}

let userCounter = 0;

/** Creates an agent through the API (as `admin`) and logs them in. */
export async function createUser(
  url: string,
  admin: User,
  role: AgentRole,
  fields: { firstName?: string; email?: string } = {},
): Promise<User> {
  userCounter += 1;
  const email = fields.email ?? `${role}${userCounter}-${Date.now().toString(36)}@example.com`;
  await admin.http.agents.create.mutate({
    email,
    password: PASSWORD,
    firstName: fields.firstName ?? `${role[0]!.toUpperCase()}${role.slice(1)}`,
    lastName: `N${userCounter}`,
    role,
  });
  return login(url, email, PASSWORD);
}

let messageCounter = 0;

/** A customer's WhatsApp message, as the webhook would hand it to the application. */
export function inbound(from: string, content = 'Hola, necesito ayuda'): InboundMessage {
  messageCounter += 1;
  return {
    whatsappMessageId: `wamid.API${Date.now().toString(36)}${messageCounter}`,
    from,
    profileName: 'Ana Cliente',
    phoneNumberId: '106540352242922',
    timestamp: new Date(),
    type: 'text',
    content,
  };
}

/** A distinct Mexican mobile number (WhatsApp id form: digits with the country code). */
let phoneCounter = 0;
export function nextPhone(): string {
  phoneCounter += 1;
  return `52155${String(Date.now() % 100_000).padStart(5, '0')}${String(phoneCounter).padStart(3, '0')}`;
}
