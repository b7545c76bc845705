/**
 * The real server (Fastify + tRPC over HTTP and websocket) on an ephemeral port, with in-memory
 * adapters, driven by the real @trpc/client.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createTRPCClient,
  createWSClient,
  httpBatchLink,
  type TRPCClient,
  TRPCClientError,
  wsLink,
} from '@trpc/client';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { EnsureFirstAdmin } from '../../../src/application/auth/ensure-first-admin.js';
import { testConfig } from '../../../src/infrastructure/config.js';
import { type App, type BuildAppOptions, buildApp } from '../../../src/infrastructure/container.js';
import { TOKENS } from '../../../src/infrastructure/tokens.js';
import { createServer, type Server } from '../../../src/interfaces/http/server.js';
import type { AppRouter } from '../../../src/interfaces/trpc/app-router.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const ADMIN = { email: 'admin@example.com', password: 'admin password 1234' };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface Running {
  app: App;
  server: Server;
  url: string;
}

async function start(overrides?: BuildAppOptions['overrides']): Promise<Running> {
  const config = testConfig();
  const app = await buildApp(config, {
    inMemory: true,
    logger: pino({ level: 'silent' }),
    ...(overrides ? { overrides } : {}),
  });
  await app.container.resolve<EnsureFirstAdmin>(TOKENS.EnsureFirstAdmin).execute(ADMIN);
  const server = await createServer(app);
  await app.start();
  const { url } = await server.listen();
  return { app, server, url };
}

function httpClient(url: string, token?: () => string | undefined): TRPCClient<AppRouter> {
  return createTRPCClient<AppRouter>({
    links: [
      httpBatchLink({
        url: `${url}/trpc`,
        headers: () => {
          const t = token?.();
          return t ? { authorization: `Bearer ${t}` } : {};
        },
      }),
    ],
  });
}

async function trpcError(promise: Promise<unknown>): Promise<TRPCClientError<AppRouter>> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof TRPCClientError) return err as TRPCClientError<AppRouter>;
    throw err;
  }
  throw new Error('expected a tRPC error');
}

describe('HTTP server: auth over tRPC', () => {
  let running: Running;
  let url: string;

  beforeAll(async () => {
    running = await start();
    url = running.url;
  });
  afterAll(async () => {
    await running?.server.close();
  });

  it('GET /healthz answers 200 with a request id', async () => {
    const res = await fetch(`${url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
    expect(res.headers.get('x-request-id')).toMatch(UUID);
  });

  it('GET /readyz answers 200 on in-memory adapters', async () => {
    const res = await fetch(`${url}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ready', data: 'memory' });
  });

  it('tRPC responses carry x-request-id too, and long batch URLs are accepted', async () => {
    const input = encodeURIComponent(JSON.stringify({ 0: {}, 1: {}, 2: {} }));
    const res = await fetch(`${url}/trpc/auth.me,auth.me,auth.me?batch=1&input=${input}`);
    expect(res.status).toBe(401);
    expect(res.headers.get('x-request-id')).toMatch(UUID);
  });

  it('login → me → logout → me is UNAUTHORIZED', async () => {
    let token: string | undefined;
    const client = httpClient(url, () => token);

    const login = await client.auth.login.mutate(ADMIN);
    token = login.token;
    expect(login.agent).toMatchObject({ email: ADMIN.email, role: 'admin' });
    expect(login.agent).not.toHaveProperty('passwordHash');
    expect(typeof login.expiresAt).toBe('string'); // JSON: no transformer, dates travel as ISO strings

    const me = await client.auth.me.query();
    expect(me.agent.email).toBe(ADMIN.email);
    expect(me.permissions).toContain('system:admin');

    await expect(client.auth.logout.mutate()).resolves.toEqual({ ok: true });

    const err = await trpcError(client.auth.me.query());
    expect(err.data?.code).toBe('UNAUTHORIZED');
    expect(err.data?.domainCode).toBe('AUTH.SESSION_INVALID');
  });

  it('me without a token is UNAUTHORIZED', async () => {
    const err = await trpcError(httpClient(url).auth.me.query());
    expect(err.data).toMatchObject({
      code: 'UNAUTHORIZED',
      httpStatus: 401,
      domainCode: 'AUTH.UNAUTHORIZED',
    });
    expect(err.data?.requestId).toMatch(UUID);
  });

  it('a wrong password is UNAUTHORIZED with the generic message', async () => {
    const err = await trpcError(
      httpClient(url).auth.login.mutate({ email: 'someone@example.com', password: 'not the password' }),
    );
    expect(err.message).toBe('Invalid email or password');
    expect(err.data).toMatchObject({ code: 'UNAUTHORIZED', domainCode: 'AUTH.INVALID_CREDENTIALS' });
  });

  it('a bad input is BAD_REQUEST with zod issues and no stack trace in the body', async () => {
    const err = await trpcError(httpClient(url).auth.login.mutate({ email: 'not-an-email', password: '' }));
    expect(err.data?.code).toBe('BAD_REQUEST');
    expect(err.data?.zodIssues?.map((i) => i.path)).toEqual(
      expect.arrayContaining([['email'], ['password']]),
    );

    const res = await fetch(`${url}/trpc/auth.login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'not-an-email', password: '' }),
    });
    expect(res.status).toBe(400);
    const body = await res.text();
    expect(body).toContain('zodIssues');
    expect(body).not.toMatch(/stack|node_modules|\.ts:\d+|at [A-Za-z.]+ \(/);
  });

  it('malformed JSON is refused without leaking parser internals', async () => {
    const res = await fetch(`${url}/trpc/auth.login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"email": ',
    });
    expect(res.status).toBe(400);
    expect(await res.text()).not.toMatch(/stack|node_modules/);
  });

  it('repeated failures are TOO_MANY_REQUESTS with retryAfterSeconds and a Retry-After header', async () => {
    const client = httpClient(url);
    const email = 'locked@example.com';
    for (let i = 0; i < 5; i++)
      await client.auth.login.mutate({ email, password: `wrong password ${i}` }).catch(() => {});

    const err = await trpcError(client.auth.login.mutate({ email, password: 'wrong password 6' }));
    expect(err.data).toMatchObject({ code: 'TOO_MANY_REQUESTS', domainCode: 'AUTH.RATE_LIMITED' });
    expect(err.data?.retryAfterSeconds).toBeGreaterThan(800);

    const res = await fetch(`${url}/trpc/auth.login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: 'wrong password 7' }),
    });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(800);
  });

  it('changePassword returns a fresh session and ends the old one', async () => {
    let token: string | undefined;
    const client = httpClient(url, () => token);
    await running.app.container.resolve<EnsureFirstAdmin>(TOKENS.EnsureFirstAdmin).execute(); // no-op: agents exist
    token = (await client.auth.login.mutate(ADMIN)).token;
    const old = token;

    const fresh = await client.auth.changePassword.mutate({
      currentPassword: ADMIN.password,
      newPassword: 'another admin password',
    });
    token = old;
    expect((await trpcError(client.auth.me.query())).data?.code).toBe('UNAUTHORIZED');
    token = fresh.token;
    await expect(client.auth.me.query()).resolves.toHaveProperty('agent.email', ADMIN.email);

    // Put the password back for the other tests.
    await client.auth.changePassword.mutate({
      currentPassword: 'another admin password',
      newPassword: ADMIN.password,
    });
  });

  it('websocket: authenticates with connectionParams.token and is closed (4001) when the session ends', async () => {
    const { token } = await httpClient(url).auth.login.mutate(ADMIN);
    const closeCodes: (number | undefined)[] = [];
    const wsClient = createWSClient({
      url: `${url.replace('http', 'ws')}/trpc`,
      WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
      connectionParams: () => ({ token }),
      retryDelayMs: () => 60_000,
      onClose: (cause) => closeCodes.push(cause?.code),
    });
    const ws = createTRPCClient<AppRouter>({ links: [wsLink({ client: wsClient })] });
    try {
      const me = await ws.auth.me.query();
      expect(me.agent.email).toBe(ADMIN.email);
      expect(running.server.live.size).toBe(1);

      await httpClient(url, () => token).auth.logout.mutate();
      await expect.poll(() => closeCodes, { timeout: 5_000 }).toContain(4001);
      expect(running.server.live.size).toBe(0);
    } finally {
      await wsClient.close();
    }
  });

  it('websocket without a token: procedures that need a session are UNAUTHORIZED', async () => {
    const wsClient = createWSClient({
      url: `${url.replace('http', 'ws')}/trpc`,
      WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
      retryDelayMs: () => 60_000,
    });
    const ws = createTRPCClient<AppRouter>({ links: [wsLink({ client: wsClient })] });
    try {
      const err = await trpcError(ws.auth.me.query());
      expect(err.data?.code).toBe('UNAUTHORIZED');
    } finally {
      await wsClient.close();
    }
  });

  it('GET /metrics exposes http_requests_total by route, and the CRM metrics', async () => {
    await fetch(`${url}/healthz`);
    const res = await fetch(`${url}/metrics`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toMatch(/http_requests_total\{method="GET",route="\/healthz",status="200"\} \d+/);
    expect(text).toContain('http_request_duration_seconds_bucket');
    expect(text).toContain('crm_inbound_messages_total');
    expect(text).toContain('crm_outbox_queue_depth');
    expect(text).toContain('process_cpu_user_seconds_total');
  });

  it('unknown routes are a JSON 404 with the request id', async () => {
    const res = await fetch(`${url}/nope`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: 'Not Found', requestId: expect.stringMatching(UUID) });
  });
});

describe('HTTP server: unexpected errors', () => {
  let running: Running;
  beforeAll(async () => {
    running = await start({
      Login: {
        execute: async () => {
          throw new Error('connect ECONNREFUSED 10.0.0.5:27017 (MongoServerSelectionError)');
        },
        warmUp: async () => {},
      },
    });
  });
  afterAll(async () => {
    await running?.server.close();
  });

  it('are INTERNAL_SERVER_ERROR with a generic message and the request id, nothing more', async () => {
    const res = await fetch(`${running.url}/trpc/auth.login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(ADMIN),
    });
    expect(res.status).toBe(500);
    const requestId = res.headers.get('x-request-id');
    const body = await res.text();
    expect(body).not.toContain('10.0.0.5');
    expect(body).not.toContain('ECONNREFUSED');
    expect(body).not.toMatch(/stack/);
    expect(JSON.parse(body)).toMatchObject({
      error: {
        message: `Internal server error (request id ${requestId})`,
        data: { code: 'INTERNAL_SERVER_ERROR', requestId },
      },
    });
  });
});

describe('entry point (src/main.ts)', () => {
  function run(env: Record<string, string>, untilOutput?: RegExp) {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const seen = untilOutput
      ? expect.poll(() => stdout + stderr, { timeout: 15_000, interval: 100 }).toMatch(untilOutput)
      : Promise.resolve();
    return { child, seen, out: () => ({ stdout, stderr }) };
  }

  it('prints one line per bad variable and exits 1', async () => {
    const { child, out } = run({
      PORT: 'abc',
      LOG_LEVEL: 'loud',
      ADMIN_PASSWORD: 'short',
      ADMIN_EMAIL: 'a@b.co',
    });
    const [code] = await once(child, 'exit');
    expect(code).toBe(1);
    const lines = out()
      .stderr.split('\n')
      .filter((l) => /^\s+[A-Z_]+: /.test(l));
    expect(lines.map((l) => l.trim().split(':')[0]).sort()).toEqual(['ADMIN_PASSWORD', 'LOG_LEVEL', 'PORT']);
    expect(out().stderr).not.toContain('short'); // secret values are not echoed
  });

  it('starts on in-memory adapters, prints the generated admin password once, and stops on SIGTERM', async () => {
    const { child, seen, out } = run({ PORT: '0', LOG_LEVEL: 'info' }, /"msg":"listening"/);
    try {
      await seen;
      const { stderr } = out();
      expect(stderr).toMatch(/FIRST ADMIN CREATED/);
      expect(stderr).toMatch(/password: [A-Za-z0-9]{24}/);
      expect(stderr).toMatch(/in-memory repositories/);
      expect(stderr).toMatch(/sandbox/);
      expect(stderr).toMatch(/AI: off/);
      child.kill('SIGTERM');
      const [code] = await once(child, 'exit');
      expect(code).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
