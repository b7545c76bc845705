/**
 * The HTTP/websocket server: Fastify 5 with tRPC at /trpc (HTTP + websocket subscriptions),
 * /healthz, /readyz and /metrics. Other routes (the WhatsApp webhook) register through
 * `server.fastify` before `listen()`, or as a plugin passed in `routes`.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import fastifyWebsocket from '@fastify/websocket';
import { type FastifyTRPCPluginOptions, fastifyTRPCPlugin } from '@trpc/server/adapters/fastify';
import Fastify, { type FastifyInstance, type FastifyPluginAsync, type RawServerDefault } from 'fastify';
import type { Logger } from 'pino';
import type { Authenticate } from '../../application/auth/authenticate.js';
import type { EventBus } from '../../application/ports/gateways.js';
import type { App, Readiness } from '../../infrastructure/container.js';
import type { Metrics } from '../../infrastructure/metrics.js';
import { TOKENS } from '../../infrastructure/tokens.js';
import { type AppRouter, appRouter } from '../trpc/app-router.js';
import { createContextFactory, REQUEST_META, type RequestMeta } from '../trpc/context.js';
import { retryAfterOf } from '../trpc/error-mapping.js';
import { LiveConnections } from '../trpc/live-connections.js';
import { webAppRoutes } from './web-app.js';
import { whatsappWebhookRoutes } from './webhook-route.js';

export interface Server {
  fastify: FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, Logger>;
  live: LiveConnections;
  /** Listens on the configured host/port (port 0: any free port); resolves with the base URL. */
  listen(): Promise<{ url: string; port: number }>;
  /** Stops accepting, lets in-flight requests finish, closes websockets, then stops the app (DB). Idempotent. */
  close(): Promise<void>;
}

export interface ServerOptions {
  /** Extra routes (e.g. the WhatsApp webhook), registered at the root before tRPC. */
  routes?: FastifyPluginAsync[];
  /** Websocket keep-alive ping interval (ms). */
  wsPingMs?: number;
  /** The built agent inbox served at `/` (default dist/web); `false`: no web app. */
  webRoot?: string | false;
}

const SAFE_REQUEST_ID = /^[A-Za-z0-9._-]{8,128}$/;

export async function createServer(app: App, options: ServerOptions = {}): Promise<Server> {
  const { config, container, logger } = app;
  const metrics = container.resolve<Metrics>(TOKENS.Metrics);
  const readiness = container.resolve<Readiness>(TOKENS.Readiness);
  const trustsProxy = config.http.trustProxy !== false && config.http.trustProxy !== 0;

  const fastify = Fastify({
    loggerInstance: logger,
    // A proxy's request id is kept (when we trust proxies and it looks sane), else our own UUID.
    genReqId: (req) => {
      const incoming = req.headers['x-request-id'];
      return trustsProxy && typeof incoming === 'string' && SAFE_REQUEST_ID.test(incoming)
        ? incoming
        : randomUUID();
    },
    routerOptions: { maxParamLength: 5000 }, // tRPC batch paths are long
    bodyLimit: config.http.bodyLimit,
    trustProxy: trustProxyOption(config.http.trustProxy),
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  });

  // ── per request: id echo, context facts, metrics ───────────────────────────────────────────
  // Callback-style hooks (not `async`): they run for every request, and an async hook costs Fastify
  // a promise and its resolution on each one.
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    // request.log is a child of our pino logger (loggerInstance), bound to the request id.
    const meta: RequestMeta = { id: request.id, ip: request.ip, log: request.log as unknown as Logger };
    (request.raw as unknown as Record<symbol, RequestMeta>)[REQUEST_META] = meta;
    done();
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    const labels = {
      method: request.method,
      route: request.routeOptions.url ?? 'unmatched',
      status: String(reply.statusCode),
    };
    metrics.httpRequests.inc(labels);
    metrics.httpRequestDuration.observe(labels, reply.elapsedTime / 1000);
    done();
  });

  // Fastify-level errors (bad JSON, body too large, thrown in a route): no stacks, no internals.
  fastify.setErrorHandler((error: Error & { statusCode?: number; code?: string }, request, reply) => {
    const status =
      error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    void reply.status(status).send({
      error: status >= 500 ? 'Internal Server Error' : error.message,
      ...(status < 500 && error.code ? { code: error.code } : {}),
      requestId: request.id,
    });
  });
  fastify.setNotFoundHandler((request, reply) => {
    void reply.status(404).send({ error: 'Not Found', requestId: request.id });
  });

  // ── health and metrics ────────────────────────────────────────────────────────────────────
  fastify.get('/healthz', async () => ({ status: 'ok' }));
  fastify.get('/readyz', async (_request, reply) => {
    const ready = await readiness.check();
    return reply
      .status(ready ? 200 : 503)
      .send({ status: ready ? 'ready' : 'unavailable', data: app.adapters.data });
  });
  fastify.get('/metrics', async (_request, reply) => {
    return reply.header('content-type', metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  // ── the WhatsApp webhook (raw-body route in its own plugin context) ──────────────────────────
  await fastify.register(whatsappWebhookRoutes(app));

  for (const routes of options.routes ?? []) await fastify.register(routes);

  // ── tRPC over HTTP and websocket ──────────────────────────────────────────────────────────
  const live = new LiveConnections(
    container.resolve<EventBus>(TOKENS.EventBus),
    container.resolve<Authenticate>(TOKENS.Authenticate),
    logger.child({ component: 'live-connections' }),
  );
  const createContext = createContextFactory({
    container,
    logger,
    onAuthenticatedSocket: (socket, agent, token) => live.add(socket, agent, token),
  });
  // Their own plugin context: @fastify/websocket's onRequest/onResponse hooks then run for tRPC's
  // routes only, not for every webhook and static file.
  await fastify.register(async (scope) => {
    await scope.register(fastifyWebsocket, { options: { maxPayload: 1024 * 1024 } });
    await scope.register(fastifyTRPCPlugin, {
      prefix: '/trpc',
      useWSS: true,
      trpcOptions: {
        router: appRouter,
        createContext,
        keepAlive: { enabled: true, pingMs: options.wsPingMs ?? 30_000, pongWaitMs: 5_000 },
        onError({ error, path, type, ctx }) {
          const log = ctx?.log ?? logger;
          if (error.code === 'INTERNAL_SERVER_ERROR') {
            log.error({ err: error.cause ?? error, path, type }, 'tRPC procedure failed');
          } else {
            log.debug({ code: error.code, path, type, msg: error.message }, 'tRPC procedure refused');
          }
        },
        responseMeta({ errors }) {
          for (const error of errors) {
            const retryAfter = retryAfterOf(error);
            if (retryAfter !== undefined) return { headers: { 'retry-after': String(retryAfter) } };
          }
          return {};
        },
      } satisfies FastifyTRPCPluginOptions<AppRouter>['trpcOptions'],
    });
  });

  // ── the agent inbox web app at `/` (dist/web; SPA fallback; API paths untouched) ──────────
  if (options.webRoot !== false) {
    await fastify.register(webAppRoutes(options.webRoot === undefined ? {} : { root: options.webRoot }));
  }

  let closing: Promise<void> | undefined;
  return {
    fastify,
    live,
    async listen() {
      await fastify.listen({ port: config.http.port, host: config.http.host });
      const address = fastify.server.address();
      const port = typeof address === 'object' && address ? address.port : config.http.port;
      const host = config.http.host.includes(':') ? `[${config.http.host}]` : config.http.host;
      return { url: `http://${host}:${port}`, port };
    },
    close() {
      closing ??= (async () => {
        live.closeAll();
        await fastify.close(); // stops accepting, waits for in-flight requests, closes websockets
        await app.stop(); // background workers, then the database
      })();
      return closing;
    },
  };
}

/** Fastify's types take no hop count; proxy-addr's trust function does the same job. */
function trustProxyOption(
  value: boolean | number | string[],
): boolean | string[] | ((addr: string, hop: number) => boolean) {
  return typeof value === 'number' ? (_addr: string, hop: number) => hop < value : value;
}
